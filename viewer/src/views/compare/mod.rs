//! Trace A against trace B (picked in the trace list), merged by call path: one row per merged
//! node with A's and B's duration (or self time) and the difference, the difference's cell
//! coloured from faster (green) to slower (red), nodes only in B marked added and only in A
//! removed. Rows are in tree order or by biggest difference, and can hide differences smaller
//! than a typed duration. The comparison is computed once per pick ([`TraceComparison`]).
//! Two sets of traces are shown by [`sets`].

mod sets;

use eframe::egui::{self, Align2, FontId, Id, Rect, Role, Sense, Ui, WidgetInfo, pos2, vec2};

use crate::analysis::compare::tree::Measure;
use crate::analysis::compare::{Change, MergedNode, Side, TraceComparison, percent_change};
use crate::colors;
use crate::filter::parse_duration;
use crate::focus::Focus;
use crate::load::Document;
use crate::text;
use crate::units;
use crate::views::View;

const ROW_H: f32 = 20.0;
const NUM_W: f32 = 86.0;
const INDENT: f32 = 12.0;

/// State of the compare view: the cached comparison, its rows, and how rows are shown.
#[derive(Debug, Default)]
pub struct CompareView {
    /// The comparison of (A, B, document generation).
    cached: Option<((usize, usize, u64), TraceComparison)>,
    /// The rows for (measure, by difference, minimum) of the cached comparison.
    rows: Option<((Measure, bool, u64), Vec<u32>)>,
    pub measure: Measure,
    pub by_difference: bool,
    /// Hide matched nodes whose difference is smaller (as typed, e.g. `5ms`).
    pub min_difference: String,
    sets: sets::SetsPanel,
}

impl CompareView {
    /// Brings the cached comparison and rows up to date; false when A or B is missing.
    fn refresh(&mut self, doc: &Document, focus: &Focus) -> bool {
        let (Some(a), Some(b)) = (focus.compare_a, focus.compare_b) else {
            return false;
        };
        let (Some(ta), Some(tb)) = (doc.index.traces.get(a), doc.index.traces.get(b)) else {
            return false;
        };
        let key = (a, b, focus.generation);
        if self.cached.as_ref().map(|c| c.0) != Some(key) {
            let side = Side::new(&doc.data, &doc.index);
            self.cached = Some((key, TraceComparison::of(side, ta, side, tb)));
            self.rows = None;
        }
        let min = parse_duration(&self.min_difference).unwrap_or(0);
        let rows_key = (self.measure, self.by_difference, min);
        if self.rows.as_ref().map(|r| r.0) != Some(rows_key)
            && let Some((_, c)) = &self.cached
        {
            self.rows = Some((rows_key, rows(c, self.measure, self.by_difference, min)));
        }
        true
    }

    fn controls(&mut self, ui: &mut Ui) {
        ui.horizontal(|ui| {
            ui.label("Time");
            ui.selectable_value(&mut self.measure, Measure::Total, "Duration");
            ui.selectable_value(&mut self.measure, Measure::SelfTime, "Self time");
            ui.separator();
            ui.checkbox(&mut self.by_difference, "Biggest difference first");
            ui.separator();
            let label = ui.label("Hide differences under");
            ui.add(
                egui::TextEdit::singleline(&mut self.min_difference)
                    .hint_text("e.g. 1ms")
                    .desired_width(70.0),
            )
            .labelled_by(label.id);
        });
    }
}

/// The nodes to draw, in order: tree order or biggest difference first, without matched
/// nodes whose difference is under `min` (their ancestors stay).
fn rows(c: &TraceComparison, measure: Measure, by_difference: bool, min: u64) -> Vec<u32> {
    let shown = c.shown(measure, min);
    let order: Vec<u32> = if by_difference {
        c.by_difference(measure)
    } else {
        (0..c.nodes.len() as u32).collect()
    };
    order.into_iter().filter(|&k| shown[k as usize]).collect()
}

impl View for CompareView {
    fn ui(&mut self, ui: &mut Ui, doc: &Document, focus: &mut Focus) {
        ui.horizontal(|ui| {
            ui.selectable_value(&mut focus.compare_sets_shown, false, "Two traces");
            ui.selectable_value(&mut focus.compare_sets_shown, true, "Two sets");
        });
        if focus.compare_sets_shown {
            self.sets.ui(ui, doc, focus);
            return;
        }
        let trace_label = |t: Option<usize>| {
            t.and_then(|t| doc.index.traces.get(t))
                .map_or("not picked".to_string(), |t| {
                    format!("{}, {}", t.label(&doc.index), units::duration(t.duration()))
                })
        };
        ui.horizontal_wrapped(|ui| {
            ui.strong("A");
            ui.label(trace_label(focus.compare_a));
            ui.strong("B");
            ui.label(trace_label(focus.compare_b));
            if focus.compare_a.is_some()
                && focus.compare_b.is_some()
                && ui.button("Swap A and B").clicked()
            {
                std::mem::swap(&mut focus.compare_a, &mut focus.compare_b);
            }
        });
        self.controls(ui);
        if !self.refresh(doc, focus) {
            ui.weak("Pick two traces in the trace list: right-click a trace and choose \"Compare: set as A\", then \"Compare with A (as B)\" on another; or press A on the open trace, then B on another.");
            return;
        }
        let (Some((_, c)), Some((_, rows))) = (&self.cached, &self.rows) else {
            return;
        };
        let (matched, added, removed) = c.counts();
        let change = percent_change(c.a_duration as f64, c.b_duration as f64)
            .map_or("slower from nothing".to_string(), |p| format!("{p:+.1}%"));
        ui.label(format!(
            "B against A: {change} · {matched} matched, {added} added, {removed} removed"
        ));
        ui.separator();
        let (measure, flat) = (self.measure, self.by_difference);
        header(ui, measure);
        egui::ScrollArea::vertical()
            .id_salt("compare-rows")
            .auto_shrink([false, false])
            .show_rows(ui, ROW_H, rows.len(), |ui, range| {
                for &k in &rows[range] {
                    row(ui, doc, c, k, (measure, flat));
                }
            });
    }
}

fn header(ui: &mut Ui, measure: Measure) {
    let what = match measure {
        Measure::Total => "duration",
        Measure::SelfTime => "self time",
    };
    let (rect, _) = ui.allocate_exact_size(vec2(ui.available_width(), ROW_H), Sense::hover());
    let painter = ui.painter_at(rect);
    let color = ui.visuals().strong_text_color();
    let font = FontId::proportional(12.0);
    painter.text(
        pos2(rect.left() + 4.0, rect.center().y),
        Align2::LEFT_CENTER,
        "call",
        font.clone(),
        color,
    );
    for (k, title) in [
        format!("A {what}"),
        format!("B {what}"),
        "B − A".to_string(),
    ]
    .iter()
    .enumerate()
    {
        let x = rect.right() - NUM_W * (2 - k) as f32 - 4.0;
        painter.text(
            pos2(x, rect.center().y),
            Align2::RIGHT_CENTER,
            title,
            font.clone(),
            color,
        );
    }
}

fn times(node: &MergedNode, measure: Measure) -> (u64, u64) {
    match measure {
        Measure::Total => (node.a_time.total, node.b_time.total),
        Measure::SelfTime => (node.a_time.self_time, node.b_time.self_time),
    }
}

/// The accessible label of a row: `svc: op  A 10.0 µs  B 12.0 µs  +2.0 µs` (or `added`).
pub fn row_label(c: &TraceComparison, node: &MergedNode, measure: Measure) -> String {
    let (a, b) = times(node, measure);
    let name = c.key(node).label();
    match node.change() {
        Change::Added => format!("{name}  added  B {}", units::duration(b)),
        Change::Removed => format!("{name}  removed  A {}", units::duration(a)),
        Change::Matched => format!(
            "{name}  A {}  B {}  {}",
            units::duration(a),
            units::duration(b),
            units::offset(a, b)
        ),
    }
}

fn row(ui: &mut Ui, doc: &Document, c: &TraceComparison, k: u32, (measure, flat): (Measure, bool)) {
    let node = &c.nodes[k as usize];
    let (rect, _) = ui.allocate_exact_size(vec2(ui.available_width(), ROW_H), Sense::hover());
    let response = ui.interact(rect, Id::unique(("compare-row", k)), Sense::hover());
    let label = row_label(c, node, measure);
    response.widget_info(|| WidgetInfo::labeled(Role::Label, true, &label));
    let visuals = ui.visuals();
    let painter = ui.painter_at(rect);
    if response.hovered() {
        painter.rect_filled(rect, 2.0, visuals.widgets.hovered.weak_bg_fill);
    }
    let (a, b) = times(node, measure);
    let y = rect.center().y;
    let font = FontId::proportional(12.0);
    let text_color = match node.change() {
        Change::Removed => visuals.weak_text_color(),
        _ => visuals.text_color(),
    };
    let numbers_left = rect.right() - 3.0 * NUM_W - 8.0;
    let indent = if flat {
        0.0
    } else {
        node.depth as f32 * INDENT
    };
    let x = rect.left() + 4.0 + indent;
    let service = (node.a.or(node.b))
        .and_then(|n| n.span())
        .map_or(0, |i| doc.index.service_of[i]);
    painter.rect_filled(
        Rect::from_min_size(pos2(x, rect.top() + 3.0), vec2(3.0, ROW_H - 6.0)),
        1.0,
        colors::service(service),
    );
    let tag = match node.change() {
        Change::Added => Some(("added", colors::ADDED)),
        Change::Removed => Some(("removed", colors::REMOVED)),
        Change::Matched => None,
    };
    let mut name_x = x + 8.0;
    if let Some((word, color)) = tag {
        let r = painter.text(
            pos2(name_x, y),
            Align2::LEFT_CENTER,
            word,
            FontId::proportional(11.0),
            color,
        );
        name_x = r.right() + 6.0;
    }
    let name = c.key(node).label();
    text::fitted(
        &painter,
        pos2(name_x, y),
        Align2::LEFT_CENTER,
        &name,
        font.clone(),
        text_color,
        (numbers_left - name_x).max(0.0),
    );
    let cell = |col: usize| rect.right() - NUM_W * (2 - col) as f32 - 4.0;
    if node.a.is_some() {
        painter.text(
            pos2(cell(0), y),
            Align2::RIGHT_CENTER,
            units::duration(a),
            font.clone(),
            text_color,
        );
    }
    if node.b.is_some() {
        painter.text(
            pos2(cell(1), y),
            Align2::RIGHT_CENTER,
            units::duration(b),
            font.clone(),
            text_color,
        );
    }
    let diff_rect = Rect::from_min_max(
        pos2(cell(2) - NUM_W + 6.0, rect.top() + 1.0),
        pos2(cell(2) + 3.0, rect.bottom() - 1.0),
    );
    painter.rect_filled(diff_rect, 2.0, colors::change(change_fraction(a, b)));
    painter.text(
        pos2(cell(2), y),
        Align2::RIGHT_CENTER,
        units::offset(a, b),
        font,
        visuals.strong_text_color(),
    );
}

/// The difference as a fraction of the larger time, for the colour: -1 (all gone) to +1.
fn change_fraction(a: u64, b: u64) -> f32 {
    let larger = a.max(b);
    if larger == 0 {
        0.0
    } else {
        (b as f64 - a as f64) as f32 / larger as f32
    }
}
