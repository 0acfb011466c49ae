//! The rows of the two-trace comparison: the header and one row per merged node (A's and B's
//! time, the difference in a cell coloured from faster to slower, added and removed marked).

use eframe::egui::{Align2, FontId, Id, Rect, Role, Sense, Ui, WidgetInfo, pos2, vec2};

use crate::analysis::compare::tree::Measure;
use crate::analysis::compare::{Change, MergedNode, TraceComparison};
use crate::colors;
use crate::index::Index;
use crate::text;
use crate::units;

pub const ROW_H: f32 = 20.0;
const NUM_W: f32 = 86.0;
const INDENT: f32 = 12.0;

/// Where the compared spans live: A's document index, and B's (the comparison file's when B
/// comes from there), for the service colours.
#[derive(Clone, Copy)]
pub struct Indexes<'a> {
    pub a: &'a Index,
    pub b: &'a Index,
}

pub fn header(ui: &mut Ui, measure: Measure) {
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

pub fn row(
    ui: &mut Ui,
    indexes: Indexes<'_>,
    c: &TraceComparison,
    k: u32,
    (measure, flat): (Measure, bool),
) {
    let node = &c.nodes[k as usize];
    let (rect, _) = ui.allocate_exact_size(vec2(ui.available_width(), ROW_H), Sense::hover());
    let response = ui.interact(rect, Id::unique(("compare-row", k)), Sense::hover());
    response.widget_info(|| WidgetInfo::labeled(Role::Label, true, row_label(c, node, measure)));
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
    let service = match (node.a.and_then(|n| n.span()), node.b.and_then(|n| n.span())) {
        (Some(i), _) => indexes.a.service_of.get(i).copied(),
        (None, Some(i)) => indexes.b.service_of.get(i).copied(),
        (None, None) => None,
    }
    .unwrap_or(0);
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
