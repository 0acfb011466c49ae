//! Two sets of traces compared by call path: the sets come from trace-list filters (picked in
//! the list's context menu), from two time windows of the open files, or from two files (the
//! open ones against the comparison file). The comparison runs on a worker thread, once per
//! pick; then the differential icicle ([`super::icicle`]) and a table of the call paths that
//! changed most, with calls per trace and the mean call on both sides.

use eframe::egui::{self, Ui};

use crate::analysis::compare::background::Background;
use crate::analysis::compare::extract::{Copied, compare_sets};
use crate::analysis::compare::{SetComparison, percent_change, windows};
use crate::filter::parse_duration;
use crate::focus::Focus;
use crate::load::Document;
use crate::units;

use super::SecondFile;
use super::icicle::Icicle;

const TABLE_ROWS: usize = 15;

/// Where the two sets come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SetSource {
    /// Picked from the trace list (its rows when picked).
    #[default]
    Lists,
    /// Traces starting in two time windows of the open files.
    Windows,
    /// Every trace of the open files against every trace of the comparison file.
    Files,
}

/// What a comparison was computed for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SetsKey {
    /// `Focus::compare_sets` as of its pick number, in the document of that generation.
    Picked { picks: u64, generation: u64 },
    /// The open document's generation against the comparison file's.
    Files { generation: u64, second: u64 },
}

/// A finished comparison: the sets merged, and the table rows (changed most first).
#[derive(Debug)]
struct Compared {
    sets: SetComparison,
    table: Vec<u32>,
    /// Counts finished comparisons, for the icicle's cached layout.
    id: u64,
}

/// The sets panel: where the sets come from, the comparison, the icicle.
#[derive(Debug, Default)]
pub struct SetsPanel {
    pub source: SetSource,
    /// A's and B's windows as typed: from, to (offsets from the first trace's start).
    windows: [String; 4],
    job: Background<SetsKey, Compared>,
    icicle: Icicle,
    finished: u64,
}

impl SetsPanel {
    /// True while the sets are compared on the worker thread.
    pub fn is_computing(&self) -> bool {
        self.job.is_computing()
    }

    pub fn ui(&mut self, ui: &mut Ui, doc: &Document, focus: &mut Focus, second: &mut SecondFile) {
        ui.horizontal(|ui| {
            ui.label("Sets from");
            ui.selectable_value(&mut self.source, SetSource::Lists, "Trace list filters");
            ui.selectable_value(&mut self.source, SetSource::Windows, "Time windows");
            ui.selectable_value(&mut self.source, SetSource::Files, "Two files");
        });
        // Polled before asking: a comparison asked for this frame shows "Comparing…" first.
        self.job.poll();
        let requested = match self.source {
            SetSource::Lists => self.request_picked(ui, doc, focus),
            SetSource::Windows => {
                self.window_fields(ui, doc, focus);
                self.request_picked(ui, doc, focus)
            }
            SetSource::Files => self.request_files(ui, doc, focus, second),
        };
        if !requested {
            return;
        }
        if let Background::Failed { reason, .. } = &self.job {
            ui.colored_label(ui.visuals().error_fg_color, reason);
            return;
        }
        let Some(compared) = self.job.ready_mut() else {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Comparing…");
            });
            return;
        };
        if compared.id == 0 {
            self.finished += 1;
            compared.id = self.finished;
            self.icicle.reset();
        }
        let compared = &*compared;
        summary(ui, &compared.sets);
        egui::ScrollArea::both()
            .id_salt("compare-sets")
            .auto_shrink([false, false])
            .show(ui, |ui| {
                self.icicle.ui(ui, &compared.sets, compared.id);
                ui.add_space(8.0);
                table(ui, &compared.sets, &compared.table);
            });
    }

    /// Compares `Focus::compare_sets` (from the list or the windows); false when one is missing.
    fn request_picked(&mut self, ui: &mut Ui, doc: &Document, focus: &mut Focus) -> bool {
        focus.compare_sets_files = false;
        let (Some(a), Some(b)) = (focus.compare_set(0), focus.compare_set(1)) else {
            if self.source == SetSource::Lists {
                ui.weak("Filter the trace list, right-click a trace and choose \"Compare sets: the listed traces as set A\"; then filter again (another service, time or tag) and choose \"… as set B\".");
            }
            return false;
        };
        let key = SetsKey::Picked {
            picks: focus.compare_set_picks,
            generation: focus.generation,
        };
        if self.job.key() != Some(&key) {
            let traces = |set: &[u32]| {
                let copied = set.iter().filter_map(|&t| doc.index.traces.get(t as usize));
                Copied::of(&doc.data, copied)
            };
            let (a, b) = (traces(a), traces(b));
            self.start(ui, key, a, b);
        }
        true
    }

    /// Compares the open files with the comparison file; false when none is loaded.
    fn request_files(
        &mut self,
        ui: &mut Ui,
        doc: &Document,
        focus: &mut Focus,
        second: &mut SecondFile,
    ) -> bool {
        let Some(other) = second.document() else {
            ui.horizontal_wrapped(|ui| {
                ui.weak("Set A is every trace of the open files, set B every trace of a comparison file:");
                if ui.button("Open as comparison B…").clicked() {
                    second.open_dialog(ui.ctx());
                }
            });
            return false;
        };
        focus.compare_sets_files = true;
        let key = SetsKey::Files {
            generation: focus.generation,
            second: second.generation,
        };
        if self.job.key() != Some(&key) {
            let a = Copied::of(&doc.data, &doc.index.traces);
            let b = Copied::of(&other.data, &other.index.traces);
            self.start(ui, key, a, b);
        }
        true
    }

    fn start(&mut self, ui: &Ui, key: SetsKey, a: Copied, b: Copied) {
        let ctx = ui.ctx().clone();
        let work = move || {
            let sets = compare_sets(a, b);
            let table = changed_most(&sets);
            Compared { sets, table, id: 0 }
        };
        self.job.request(key, work, move || ctx.request_repaint());
    }

    /// A's and B's windows (offsets from the first trace's start), halves, and Compare.
    fn window_fields(&mut self, ui: &mut Ui, doc: &Document, focus: &mut Focus) {
        let Some((start, end)) = windows::extent(&doc.index) else {
            ui.weak("No traces are loaded.");
            return;
        };
        ui.weak(format!(
            "Times from the first trace's start ({} in all), e.g. 0s to 30s; a trace is in a window when it starts there.",
            units::duration(end - start)
        ));
        let hints = ["0s", "30s", "30s", "60s"];
        ui.horizontal_wrapped(|ui| {
            for (k, name) in ["A from", "A to", "B from", "B to"].iter().enumerate() {
                let label = ui.label(*name);
                ui.add(
                    egui::TextEdit::singleline(&mut self.windows[k])
                        .hint_text(hints[k])
                        .desired_width(90.0),
                )
                .labelled_by(label.id);
            }
        });
        ui.horizontal(|ui| {
            if ui.button("Halves").clicked()
                && let Some(((a0, a1), (_, b1))) = windows::halves(&doc.index)
            {
                // B starts where A ends, both rounded alike.
                let middle = typed(a1, false);
                self.windows = [typed(a0, false), middle.clone(), middle, typed(b1, true)];
            }
            let parsed: Vec<Option<u64>> = self.windows.iter().map(|w| parse_duration(w)).collect();
            let (Some(a0), Some(a1), Some(b0), Some(b1)) =
                (parsed[0], parsed[1], parsed[2], parsed[3])
            else {
                ui.weak("Type all four times to compare.");
                return;
            };
            if ui.button("Compare the windows").clicked() {
                let a = windows::traces_starting_in(&doc.index, (a0, a1));
                let b = windows::traces_starting_in(&doc.index, (b0, b1));
                focus.pick_compare_set(0, &a);
                focus.pick_compare_set(1, &b);
            }
        });
    }
}

/// An offset as seconds to the millisecond (rounded down, or up for a window's last end so
/// the last trace stays in), as `parse_duration` reads it back.
fn typed(nanos: u64, up: bool) -> String {
    let ms = if up {
        nanos.div_ceil(1_000_000)
    } else {
        nanos / 1_000_000
    };
    format!("{}.{:03}s", ms / 1000, ms % 1000)
}

/// `Set A: 1 trace, mean 80.00 ms · set B: 1 trace, mean 100.00 ms · B against A: +25.0%`.
fn summary(ui: &mut Ui, sets: &SetComparison) {
    let change = percent_change(sets.a.mean_duration(), sets.b.mean_duration())
        .map_or("slower from nothing".to_string(), |p| format!("{p:+.1}%"));
    let traces = |n: u64| format!("{n} trace{}", if n == 1 { "" } else { "s" });
    ui.label(format!(
        "Set A: {}, mean {} · set B: {}, mean {} · B against A: {change}",
        traces(sets.a.traces),
        units::duration(sets.a.mean_duration() as u64),
        traces(sets.b.traces),
        units::duration(sets.b.mean_duration() as u64),
    ));
}

/// Worker thread: the call paths whose total time per trace changed, most first.
fn changed_most(sets: &SetComparison) -> Vec<u32> {
    sets.by_change(false)
        .into_iter()
        .filter(|&p| sets.change(p).total_diff() != 0.0)
        .take(TABLE_ROWS)
        .collect()
}

/// The call paths whose total time per trace changed most.
fn table(ui: &mut Ui, sets: &SetComparison, rows: &[u32]) {
    ui.strong("Call paths that changed most (per trace)");
    egui::Grid::new("set-changes")
        .striped(true)
        .num_columns(5)
        .show(ui, |ui| {
            for title in [
                "call path",
                "calls A -> B",
                "mean call A -> B",
                "total",
                "self",
            ] {
                ui.strong(title);
            }
            ui.end_row();
            for &p in rows {
                let c = sets.change(p);
                let keys = sets.path_keys(p);
                let tail: Vec<String> =
                    keys.iter().rev().take(2).rev().map(|k| k.label()).collect();
                ui.label(tail.join(" > ")).on_hover_ui(|ui| {
                    ui.label(sets.path_label(p));
                });
                ui.label(format!(
                    "{:.1} -> {:.1}",
                    c.calls_per_trace.0, c.calls_per_trace.1
                ));
                ui.label(format!(
                    "{} -> {}",
                    units::duration(c.mean_per_call.0 as u64),
                    units::duration(c.mean_per_call.1 as u64)
                ));
                ui.label(units::offset(
                    c.total_per_trace.0 as u64,
                    c.total_per_trace.1 as u64,
                ));
                ui.label(units::offset(
                    c.self_per_trace.0 as u64,
                    c.self_per_trace.1 as u64,
                ));
                ui.end_row();
            }
        });
}
