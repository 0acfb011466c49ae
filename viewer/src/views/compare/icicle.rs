//! The differential icicle of two sets: each call path as wide as its time per trace in A (the
//! baseline; B's where A has none) and coloured by the change of its total time per trace
//! (green faster, red slower). Clicking a block zooms into its call path (its subtree fills
//! the width); the breadcrumb above leads back out. Hovering a block shows both sides' calls,
//! total and self time. The layout is cached per comparison and zoom; labels and hover text
//! are made only for the blocks that need them.

use eframe::egui::{self, Align2, FontId, Id, Rect, Role, Sense, Ui, WidgetInfo, pos2, vec2};

use crate::analysis::compare::{PathMeasure, SetComparison};
use crate::colors;
use crate::text;
use crate::units;

const BLOCK_H: f32 = 18.0;
/// How many levels are drawn below the path zoomed into.
const MAX_DEPTH: usize = 12;

/// A block: a call path and its horizontal extent as fractions of the width; `depth` counts
/// from the path zoomed into.
#[derive(Debug, Clone, Copy)]
struct Block {
    path: u32,
    x0: f64,
    x1: f64,
    depth: u16,
}

/// Blocks laid out for (comparison number, zoom).
type Laid = ((u64, Option<u32>), Vec<Block>);

/// The icicle's state: the path zoomed into and the blocks laid out for it.
#[derive(Debug, Default)]
pub struct Icicle {
    /// The call path whose subtree fills the width (`None`: all of them).
    pub zoom: Option<u32>,
    /// The blocks for (comparison number, zoom).
    blocks: Option<Laid>,
}

impl Icicle {
    /// Zooms out to all call paths (a new comparison).
    pub fn reset(&mut self) {
        self.zoom = None;
        self.blocks = None;
    }

    /// The breadcrumb and the icicle of comparison number `id`.
    pub fn ui(&mut self, ui: &mut Ui, sets: &SetComparison, id: u64) {
        if self.zoom.is_some_and(|p| p as usize >= sets.paths.len()) {
            self.zoom = None;
        }
        self.breadcrumb(ui, sets);
        let key = (id, self.zoom);
        if self.blocks.as_ref().map(|b| b.0) != Some(key) {
            self.blocks = Some((key, layout(sets, self.zoom)));
        }
        let Some((_, blocks)) = &self.blocks else {
            return;
        };
        if let Some(p) = draw(ui, sets, blocks) {
            self.zoom = (self.zoom != Some(p)).then_some(p);
        }
    }

    /// `All call paths > svc: op > svc: op` (each step zooms there) and Back, when zoomed.
    fn breadcrumb(&mut self, ui: &mut Ui, sets: &SetComparison) {
        let Some(zoom) = self.zoom else {
            ui.weak("Click a block to zoom into its call path.");
            return;
        };
        let mut steps = Vec::new();
        let mut at = Some(zoom);
        while let Some(p) = at {
            steps.push(p);
            at = sets.paths[p as usize].parent;
        }
        steps.reverse();
        let mut wish = None;
        ui.horizontal_wrapped(|ui| {
            if ui.button("Back").clicked() {
                wish = Some(sets.paths[zoom as usize].parent);
            }
            if ui.link("All call paths").clicked() {
                wish = Some(None);
            }
            for &p in &steps {
                ui.label("›");
                let name = sets.keys[sets.paths[p as usize].key as usize].label();
                if p == zoom {
                    ui.strong(name);
                } else if ui.link(name).clicked() {
                    wish = Some(Some(p));
                }
            }
        });
        if let Some(zoom) = wish {
            self.zoom = zoom;
        }
    }
}

/// Lays the call paths out: the zoomed path (or the top paths side by side) across the whole
/// width, each child inside its parent, widths in proportion to A's total time.
fn layout(sets: &SetComparison, zoom: Option<u32>) -> Vec<Block> {
    let use_b = sets.paths.iter().all(|p| p.a.total == 0);
    let weight = |p: u32| {
        let node = &sets.paths[p as usize];
        (if use_b { node.b.total } else { node.a.total }) as f64
    };
    let (tops, base) = match zoom {
        Some(p) => (vec![p], sets.paths[p as usize].depth),
        None => (sets.top.clone(), 0),
    };
    let mut blocks = Vec::new();
    let top_sum: f64 = tops.iter().map(|&p| weight(p)).sum();
    let mut stack: Vec<(u32, f64, f64)> = Vec::new();
    let mut x = 0.0;
    for &p in &tops {
        let w = if tops.len() == 1 {
            1.0
        } else if top_sum > 0.0 {
            weight(p) / top_sum
        } else {
            0.0
        };
        stack.push((p, x, x + w));
        x += w;
    }
    while let Some((p, x0, x1)) = stack.pop() {
        let node = &sets.paths[p as usize];
        let depth = node.depth.saturating_sub(base);
        if x1 <= x0 || depth as usize >= MAX_DEPTH {
            continue;
        }
        blocks.push(Block {
            path: p,
            x0,
            x1,
            depth,
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

/// Paints the blocks; returns the path of the block clicked.
fn draw(ui: &mut Ui, sets: &SetComparison, blocks: &[Block]) -> Option<u32> {
    let depth = blocks
        .iter()
        .map(|b| b.depth as usize + 1)
        .max()
        .unwrap_or(0);
    let width = ui.available_width();
    let (area, _) = ui.allocate_exact_size(vec2(width, depth as f32 * BLOCK_H), Sense::hover());
    let clip = ui.clip_rect();
    let painter = ui.painter_at(area);
    let mut clicked = None;
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
        if rect.width() < 1.0 || !clip.intersects(rect) {
            continue;
        }
        paint(ui, &painter, sets, block.path, rect);
        let response = ui.interact(rect, Id::unique(("set-block", block.path)), Sense::click());
        let path = block.path;
        response.widget_info(|| WidgetInfo::labeled(Role::Button, true, block_info(sets, path)));
        if response.clicked() {
            clicked = Some(path);
        }
        response.on_hover_ui(|ui| hover(ui, sets, path));
    }
    clicked
}

fn paint(ui: &Ui, painter: &egui::Painter, sets: &SetComparison, path: u32, rect: Rect) {
    let visuals = ui.visuals();
    let change = sets.change(path);
    let larger = change.total_per_trace.0.max(change.total_per_trace.1);
    let fraction = if larger > 0.0 {
        change.total_diff() / larger
    } else {
        0.0
    };
    painter.rect_filled(rect, 2.0, visuals.widgets.inactive.bg_fill);
    painter.rect_filled(rect, 2.0, colors::change(fraction as f32));
    if rect.width() > 30.0 {
        let key = &sets.keys[sets.paths[path as usize].key as usize];
        let label = format!(
            "{} {}",
            key.label(),
            units::offset(
                change.total_per_trace.0 as u64,
                change.total_per_trace.1 as u64
            )
        );
        text::fitted(
            painter,
            rect.left_center() + vec2(4.0, 0.0),
            Align2::LEFT_CENTER,
            &label,
            FontId::proportional(11.0),
            visuals.strong_text_color(),
            rect.width() - 8.0,
        );
    }
}

/// The accessible name of a block: its path and what changed per trace.
fn block_info(sets: &SetComparison, p: u32) -> String {
    format!("{} {}", sets.path_label(p), describe(sets, p))
}

/// `calls 1.0 -> 3.0 per trace, mean 10.0 µs -> 10.0 µs, total +20.0 µs per trace, self +0 ns;
/// A: 1 call, total 10.0 µs, self 10.0 µs; B: 3 calls, total 30.0 µs, self 30.0 µs`.
pub fn describe(sets: &SetComparison, p: u32) -> String {
    let c = sets.change(p);
    let node = &sets.paths[p as usize];
    format!(
        "calls {:.1} -> {:.1} per trace, mean {} -> {}, total {} per trace, self {}; A: {}; B: {}",
        c.calls_per_trace.0,
        c.calls_per_trace.1,
        units::duration(c.mean_per_call.0 as u64),
        units::duration(c.mean_per_call.1 as u64),
        units::offset(c.total_per_trace.0 as u64, c.total_per_trace.1 as u64),
        units::offset(c.self_per_trace.0 as u64, c.self_per_trace.1 as u64),
        side(&node.a),
        side(&node.b),
    )
}

/// `3 calls, total 30.0 µs, self 30.0 µs` (all the side's traces together).
fn side(m: &PathMeasure) -> String {
    format!(
        "{} call{}, total {}, self {}",
        m.count,
        if m.count == 1 { "" } else { "s" },
        units::duration(m.total),
        units::duration(m.self_time)
    )
}

/// The hover card: the path, then A's and B's calls, total and self time, then per trace.
fn hover(ui: &mut Ui, sets: &SetComparison, p: u32) {
    let node = &sets.paths[p as usize];
    let c = sets.change(p);
    ui.strong(sets.path_label(p));
    egui::Grid::new("set-block-hover")
        .num_columns(4)
        .show(ui, |ui| {
            for title in ["", "calls", "total", "self"] {
                ui.strong(title);
            }
            ui.end_row();
            for (name, m) in [("A", &node.a), ("B", &node.b)] {
                ui.strong(name);
                ui.label(units::count(m.count));
                ui.label(units::duration(m.total));
                ui.label(units::duration(m.self_time));
                ui.end_row();
            }
        });
    ui.label(format!(
        "Per trace: calls {:.1} -> {:.1}, mean call {} -> {}, total {}, self {}",
        c.calls_per_trace.0,
        c.calls_per_trace.1,
        units::duration(c.mean_per_call.0 as u64),
        units::duration(c.mean_per_call.1 as u64),
        units::offset(c.total_per_trace.0 as u64, c.total_per_trace.1 as u64),
        units::offset(c.self_per_trace.0 as u64, c.self_per_trace.1 as u64),
    ));
}
