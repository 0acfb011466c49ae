//! Two sets of traces (picked from the trace list's rows) compared by call path: a
//! differential icicle, each call path as wide as its time per trace in A (the baseline) and
//! coloured by the change of its total time per trace (green faster, red slower), then a table
//! of the call paths that changed most, with calls per trace and the mean call on both sides.

use eframe::egui::{self, Align2, FontId, Id, Rect, Role, Sense, Ui, WidgetInfo, pos2, vec2};

use crate::analysis::compare::percent_change;
use crate::analysis::compare::{SetComparison, Side};
use crate::colors;
use crate::focus::Focus;
use crate::load::Document;
use crate::text;
use crate::units;

const BLOCK_H: f32 = 18.0;
const MAX_DEPTH: usize = 12;
const TABLE_ROWS: usize = 15;

/// What a comparison was computed for: the two sets and the document generation.
type SetsKey = (Vec<u32>, Vec<u32>, u64);

/// A block of the icicle: a call path and its horizontal extent as fractions of the width.
#[derive(Debug, Clone, Copy)]
struct Block {
    path: u32,
    x0: f64,
    x1: f64,
    depth: u16,
}

/// The sets panel: the cached comparison and its blocks.
#[derive(Debug, Default)]
pub struct SetsPanel {
    cached: Option<(SetsKey, SetComparison, Vec<Block>)>,
}

impl SetsPanel {
    pub fn ui(&mut self, ui: &mut Ui, doc: &Document, focus: &Focus) {
        let (Some(a), Some(b)) = (&focus.compare_sets[0], &focus.compare_sets[1]) else {
            ui.weak("Filter the trace list, right-click a trace and choose \"Compare sets: the listed traces as set A\"; then filter again (another service, time or tag) and choose \"… as set B\".");
            return;
        };
        let key = (a.clone(), b.clone(), focus.generation);
        if self.cached.as_ref().map(|c| &c.0) != Some(&key) {
            let traces = |set: &[u32]| -> Vec<&crate::index::Trace> {
                set.iter()
                    .filter_map(|&t| doc.index.traces.get(t as usize))
                    .collect()
            };
            let side = Side::new(&doc.data, &doc.index);
            let sets = SetComparison::of(side, traces(a), side, traces(b));
            let blocks = icicle(&sets);
            self.cached = Some((key, sets, blocks));
        }
        let Some((_, sets, blocks)) = &self.cached else {
            return;
        };
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
        egui::ScrollArea::both()
            .id_salt("compare-sets")
            .auto_shrink([false, false])
            .show(ui, |ui| {
                draw_icicle(ui, sets, blocks);
                ui.add_space(8.0);
                table(ui, sets);
            });
    }
}

/// Lays the call paths out: top paths side by side, each child inside its parent, widths in
/// proportion to A's total time (B's where A has none at all).
fn icicle(sets: &SetComparison) -> Vec<Block> {
    let use_b = sets.paths.iter().all(|p| p.a.total == 0);
    let weight = |p: u32| {
        let node = &sets.paths[p as usize];
        (if use_b { node.b.total } else { node.a.total }) as f64
    };
    let mut blocks = Vec::new();
    let top_sum: f64 = sets.top.iter().map(|&p| weight(p)).sum();
    let mut stack: Vec<(u32, f64, f64)> = Vec::new();
    let mut x = 0.0;
    for &p in &sets.top {
        let w = if top_sum > 0.0 {
            weight(p) / top_sum
        } else {
            0.0
        };
        stack.push((p, x, x + w));
        x += w;
    }
    while let Some((p, x0, x1)) = stack.pop() {
        let node = &sets.paths[p as usize];
        if x1 <= x0 || node.depth as usize >= MAX_DEPTH {
            continue;
        }
        blocks.push(Block {
            path: p,
            x0,
            x1,
            depth: node.depth,
        });
        let total = weight(p).max(node.children.iter().map(|&c| weight(c)).sum());
        let mut at = x0;
        for &c in &node.children {
            let w = if total > 0.0 {
                weight(c) / total * (x1 - x0)
            } else {
                0.0
            };
            stack.push((c, at, at + w));
            at += w;
        }
    }
    blocks
}

fn draw_icicle(ui: &mut Ui, sets: &SetComparison, blocks: &[Block]) {
    let depth = blocks
        .iter()
        .map(|b| b.depth as usize + 1)
        .max()
        .unwrap_or(0);
    let width = ui.available_width();
    let (area, _) = ui.allocate_exact_size(vec2(width, depth as f32 * BLOCK_H), Sense::hover());
    let painter = ui.painter_at(area);
    let visuals = ui.visuals();
    for block in blocks {
        let rect = Rect::from_min_max(
            pos2(
                area.left() + (block.x0 * width as f64) as f32,
                area.top() + block.depth as f32 * BLOCK_H,
            ),
            pos2(
                area.left() + (block.x1 * width as f64) as f32,
                area.top() + (block.depth as f32 + 1.0) * BLOCK_H,
            ),
        )
        .shrink2(vec2(0.5, 1.0));
        if rect.width() < 1.0 {
            continue;
        }
        let change = sets.change(block.path);
        let larger = change.total_per_trace.0.max(change.total_per_trace.1);
        let fraction = if larger > 0.0 {
            change.total_diff() / larger
        } else {
            0.0
        };
        painter.rect_filled(rect, 2.0, visuals.widgets.inactive.bg_fill);
        painter.rect_filled(rect, 2.0, colors::change(fraction as f32));
        let key = &sets.keys[sets.paths[block.path as usize].key as usize];
        let label = format!(
            "{} {}",
            key.label(),
            units::offset(
                change.total_per_trace.0 as u64,
                change.total_per_trace.1 as u64
            )
        );
        if rect.width() > 30.0 {
            text::fitted(
                &painter,
                rect.left_center() + vec2(4.0, 0.0),
                Align2::LEFT_CENTER,
                &label,
                FontId::proportional(11.0),
                visuals.strong_text_color(),
                rect.width() - 8.0,
            );
        }
        let response = ui.interact(rect, Id::unique(("set-block", block.path)), Sense::hover());
        let info = format!(
            "{} {}",
            sets.path_label(block.path),
            describe(sets, block.path)
        );
        response.widget_info(|| WidgetInfo::labeled(Role::Label, true, &info));
        response.on_hover_text(info);
    }
}

/// `calls 1 -> 3 per trace, mean 10.0 µs -> 10.0 µs, total +20.0 µs per trace`.
fn describe(sets: &SetComparison, p: u32) -> String {
    let c = sets.change(p);
    format!(
        "calls {:.1} -> {:.1} per trace, mean {} -> {}, total {} per trace, self {}",
        c.calls_per_trace.0,
        c.calls_per_trace.1,
        units::duration(c.mean_per_call.0 as u64),
        units::duration(c.mean_per_call.1 as u64),
        units::offset(c.total_per_trace.0 as u64, c.total_per_trace.1 as u64),
        units::offset(c.self_per_trace.0 as u64, c.self_per_trace.1 as u64),
    )
}

/// The call paths whose total time per trace changed most.
fn table(ui: &mut Ui, sets: &SetComparison) {
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
            let changed = sets
                .by_change(false)
                .into_iter()
                .filter(|&p| sets.change(p).total_diff() != 0.0)
                .take(TABLE_ROWS);
            for p in changed {
                let c = sets.change(p);
                let keys = sets.path_keys(p);
                let tail: Vec<String> =
                    keys.iter().rev().take(2).rev().map(|k| k.label()).collect();
                ui.label(tail.join(" > ")).on_hover_text(sets.path_label(p));
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
