//! Trace A against trace B (picked in the trace list, B also from the comparison file), merged
//! by call path: one row per merged node with A's and B's duration (or self time) and the
//! difference (see [`rows`]). Rows are in tree order or by biggest difference, and can hide
//! differences smaller than a typed duration. The comparison runs on a worker thread once
//! per pick (the tab says "Comparing…" meanwhile; a newer pick supersedes an older one), and
//! the two orders are sorted there too, so a frame only draws the rows on screen.
//! Two sets of traces are shown by [`sets`]; the comparison file is [`second`].

mod icicle;
mod rows;
mod second;
mod sets;

pub use second::SecondFile;

use eframe::egui::{self, Ui};

use crate::analysis::compare::background::Background;
use crate::analysis::compare::extract::{Copied, compare_traces};
use crate::analysis::compare::tree::Measure;
use crate::analysis::compare::{TraceComparison, percent_change};
use crate::filter::parse_duration;
use crate::focus::Focus;
use crate::load::Document;
use crate::units;
use crate::views::View;

/// Where trace B comes from: the open document or the comparison file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TraceB {
    /// A trace of the open document (`Focus::compare_b`).
    Open(usize),
    /// A trace of the comparison file.
    Second(usize),
}

/// What a two-trace comparison was computed for: A, B and both documents' generations.
type TracesKey = (usize, TraceB, u64, u64);

/// A finished two-trace comparison with its rows in both orders and its counts.
#[derive(Debug)]
struct Compared {
    c: TraceComparison,
    by_total: Vec<u32>,
    by_self: Vec<u32>,
    counts: (usize, usize, usize),
    /// The rows for (measure, by difference, minimum).
    rows: Option<((Measure, bool, u64), Vec<u32>)>,
}

impl Compared {
    /// Worker thread: the comparison, both orders by difference, the counts.
    fn of(a: Copied, b: Copied) -> Option<Compared> {
        let c = compare_traces(a, b)?;
        Some(Compared {
            by_total: c.by_difference(Measure::Total),
            by_self: c.by_difference(Measure::SelfTime),
            counts: c.counts(),
            c,
            rows: None,
        })
    }

    /// The nodes to draw, in order: tree order or biggest difference first, without matched
    /// nodes whose difference is under `min` (their ancestors stay). Cached; returned with
    /// the comparison they index.
    fn rows(
        &mut self,
        measure: Measure,
        by_difference: bool,
        min: u64,
    ) -> (&[u32], &TraceComparison) {
        let key = (measure, by_difference, min);
        if self.rows.as_ref().map(|r| r.0) != Some(key) {
            let shown = self.c.shown(measure, min);
            let order: Vec<u32> = match (by_difference, measure) {
                (false, _) => (0..self.c.nodes.len() as u32).collect(),
                (true, Measure::Total) => self.by_total.clone(),
                (true, Measure::SelfTime) => self.by_self.clone(),
            };
            let rows = order.into_iter().filter(|&k| shown[k as usize]).collect();
            self.rows = Some((key, rows));
        }
        (self.rows.as_ref().map_or(&[], |r| &r.1), &self.c)
    }
}

/// State of the compare view: the comparison (computing or done), how rows are shown, the
/// sets panel and the comparison file.
#[derive(Debug, Default)]
pub struct CompareView {
    job: Background<TracesKey, Option<Compared>>,
    pub measure: Measure,
    pub by_difference: bool,
    /// Hide matched nodes whose difference is smaller (as typed, e.g. `5ms`).
    pub min_difference: String,
    /// Trace B picked from the comparison file (instead of the trace list's B).
    pub b_from_second: Option<usize>,
    /// The trace list's B last seen: picking another there goes back to it.
    list_b_seen: Option<usize>,
    sets: sets::SetsPanel,
    /// File > Open as comparison B….
    pub second: SecondFile,
}

impl CompareView {
    /// True while a comparison (of two traces or of two sets) runs on its worker thread.
    pub fn is_computing(&self) -> bool {
        self.job.is_computing() || self.sets.is_computing()
    }

    /// Trace B: the comparison file's pick, else the trace list's.
    fn trace_b(&mut self, focus: &Focus) -> Option<TraceB> {
        if focus.compare_b != self.list_b_seen {
            self.list_b_seen = focus.compare_b;
            if focus.compare_b.is_some() {
                self.b_from_second = None;
            }
        }
        match self.b_from_second {
            Some(t) if self.second.document().is_some() => Some(TraceB::Second(t)),
            _ => focus.compare_b.map(TraceB::Open),
        }
    }

    /// Asks for the comparison of the picked traces (started once per pick); false when A
    /// or B is missing.
    fn request(&mut self, ui: &Ui, doc: &Document, focus: &Focus) -> bool {
        let (Some(a), Some(b)) = (focus.compare_a, self.trace_b(focus)) else {
            return false;
        };
        let b_doc = match b {
            TraceB::Open(t) => doc.index.traces.get(t).map(|tr| (doc, tr)),
            TraceB::Second(t) => {
                (self.second.document()).and_then(|d| d.index.traces.get(t).map(|tr| (d, tr)))
            }
        };
        let (Some(ta), Some((b_doc, tb))) = (doc.index.traces.get(a), b_doc) else {
            return false;
        };
        let key = (a, b, focus.generation, self.second.generation);
        if self.job.key() != Some(&key) {
            let (copy_a, copy_b) = (Copied::of(&doc.data, [ta]), Copied::of(&b_doc.data, [tb]));
            let ctx = ui.ctx().clone();
            self.job.request(
                key,
                move || Compared::of(copy_a, copy_b),
                move || ctx.request_repaint(),
            );
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

    /// The A and B line: their labels, B from the comparison file, swapping.
    fn picks(&mut self, ui: &mut Ui, doc: &Document, focus: &mut Focus) {
        let label = |d: &Document, t: Option<usize>| {
            t.and_then(|t| d.index.traces.get(t))
                .map_or("not picked".to_string(), |t| {
                    format!("{}, {}", t.label(&d.index), units::duration(t.duration()))
                })
        };
        let b = self.trace_b(focus);
        ui.horizontal_wrapped(|ui| {
            ui.strong("A");
            ui.label(label(doc, focus.compare_a));
            ui.strong("B");
            match (b, self.second.document()) {
                (Some(TraceB::Second(t)), Some(d)) => {
                    ui.label(format!("{} (comparison file)", label(d, Some(t))))
                }
                _ => ui.label(label(doc, focus.compare_b)),
            };
            if matches!(b, Some(TraceB::Open(_)))
                && focus.compare_a.is_some()
                && ui.button("Swap A and B").clicked()
            {
                std::mem::swap(&mut focus.compare_a, &mut focus.compare_b);
            }
        });
        if let Some(second) = self.second.document() {
            second_trace_picker(ui, second, &mut self.b_from_second);
        }
    }

    fn traces_ui(&mut self, ui: &mut Ui, doc: &Document, focus: &mut Focus) {
        self.picks(ui, doc, focus);
        self.controls(ui);
        // Polled before asking: a comparison asked for this frame shows "Comparing…" first.
        self.job.poll();
        if !self.request(ui, doc, focus) {
            ui.weak("Pick two traces in the trace list: right-click a trace and choose \"Compare: set as A\", then \"Compare with A (as B)\" on another; or press A on the open trace, then B on another. B can also be a trace of a comparison file (File > Open as comparison B…).");
            return;
        }
        if let Background::Failed { reason, .. } = &self.job {
            ui.colored_label(ui.visuals().error_fg_color, reason);
            return;
        }
        let b_index = match self.trace_b(focus) {
            Some(TraceB::Second(_)) => self.second.document().map_or(&doc.index, |d| &d.index),
            _ => &doc.index,
        };
        let (measure, flat, min) = (
            self.measure,
            self.by_difference,
            parse_duration(&self.min_difference).unwrap_or(0),
        );
        let Some(compared) = self.job.ready_mut() else {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Comparing…");
            });
            return;
        };
        let Some(compared) = compared else {
            ui.weak("A trace has no spans to compare.");
            return;
        };
        summary(ui, compared);
        ui.separator();
        rows::header(ui, measure);
        let indexes = rows::Indexes {
            a: &doc.index,
            b: b_index,
        };
        let (rows, c) = compared.rows(measure, flat, min);
        egui::ScrollArea::vertical()
            .id_salt("compare-rows")
            .auto_shrink([false, false])
            .show_rows(ui, rows::ROW_H, rows.len(), |ui, range| {
                for &k in &rows[range] {
                    rows::row(ui, indexes, c, k, (measure, flat));
                }
            });
    }
}

/// `B against A: +25.0% · 9 matched, 0 added, 1 removed`.
fn summary(ui: &mut Ui, compared: &Compared) {
    let (matched, added, removed) = compared.counts;
    let c = &compared.c;
    let change = percent_change(c.a_duration as f64, c.b_duration as f64)
        .map_or("slower from nothing".to_string(), |p| format!("{p:+.1}%"));
    ui.label(format!(
        "B against A: {change} · {matched} matched, {added} added, {removed} removed"
    ));
}

/// The comparison file's traces to pick B from (only the rows on screen are laid out).
fn second_trace_picker(ui: &mut Ui, second: &Document, pick: &mut Option<usize>) {
    let traces = &second.index.traces;
    let shown = pick
        .and_then(|t| traces.get(t))
        .map_or("the trace list's B".to_string(), |t| t.label(&second.index));
    egui::ComboBox::from_label("B from the comparison file")
        .selected_text(shown)
        .width(260.0)
        .show_ui(ui, |ui| {
            if ui
                .selectable_label(pick.is_none(), "the trace list's B")
                .clicked()
            {
                *pick = None;
            }
            egui::ScrollArea::vertical().max_height(300.0).show_rows(
                ui,
                18.0,
                traces.len(),
                |ui, range| {
                    for t in range {
                        let trace = &traces[t];
                        let text = format!(
                            "{}, {}",
                            trace.label(&second.index),
                            units::duration(trace.duration())
                        );
                        if ui.selectable_label(*pick == Some(t), text).clicked() {
                            *pick = Some(t);
                        }
                    }
                },
            );
        });
}

impl View for CompareView {
    fn ui(&mut self, ui: &mut Ui, doc: &Document, focus: &mut Focus) {
        self.second.poll(ui.ctx());
        ui.horizontal(|ui| {
            ui.selectable_value(&mut focus.compare_sets_shown, false, "Two traces");
            ui.selectable_value(&mut focus.compare_sets_shown, true, "Two sets");
        });
        self.second.strip(ui);
        if focus.compare_sets_shown {
            self.sets.ui(ui, doc, focus, &mut self.second);
        } else {
            self.traces_ui(ui, doc, focus);
        }
    }
}
