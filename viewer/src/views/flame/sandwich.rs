//! The sandwich view of one operation (in place of the aggregated flame graph): its callers
//! stacked upwards above it, the operation, and its callees below, all merged over every
//! loaded trace; widths are time spent in the operation (callers) or in the callee. Clicking a
//! block makes its operation the sandwich's.

use eframe::egui::{
    self, Align2, FontId, Id, Rect, Role, Sense, Stroke, StrokeKind, Ui, WidgetInfo, pos2,
};

use super::{FlameView, LEVEL_H, MIN_WIDGET_W};
use crate::colors;
use crate::focus::Focus;
use crate::index::AggNode;
use crate::layout::{FlameLayout, Item, Sandwich};
use crate::load::Document;
use crate::text;
use crate::units;
use crate::views::time_window::Bounds;

/// Which half of the sandwich a block is in.
#[derive(Clone, Copy, PartialEq)]
enum Half {
    Callers,
    Callees,
}

impl FlameView {
    /// Draws the sandwich of `extras.sandwich_of` (the toolbar is drawn by the caller).
    pub(super) fn sandwich_ui(&mut self, ui: &mut Ui, doc: &Document, _focus: &mut Focus) {
        let Some(s) = self.extras.sandwich.take() else {
            return;
        };
        let service = doc.index.service_name(s.service);
        let op = &s.callees[0];
        ui.label(format!(
            "{} ({service}): {}, {} in total",
            s.name,
            calls(op.count),
            units::duration(op.total)
        ));
        let extent = s.callees_layout.extent as f64;
        let graph = ui.available_rect_before_wrap();
        let pan = ui.interact(graph, Id::unique("sandwich-pan"), Sense::drag());
        (self.extras.window).follow_mouse(ui, &pan, graph, Bounds::within(extent));
        // The callers' level 0 is the operation itself: drawn once, atop the callees.
        let above = s.callers_layout.levels.len().saturating_sub(1);
        let below = s.callees_layout.levels.len();
        let mut picked = None;
        egui::ScrollArea::vertical()
            .id_salt("sandwich-levels")
            .auto_shrink([false, false])
            .show(ui, |ui| {
                let (rect, _) = ui.allocate_exact_size(
                    egui::vec2(ui.available_width(), (above + below) as f32 * LEVEL_H + 8.0),
                    Sense::hover(),
                );
                let mid = rect.top() + above as f32 * LEVEL_H;
                let halves = [
                    (Half::Callers, &s.callers_layout, &s.callers),
                    (Half::Callees, &s.callees_layout, &s.callees),
                ];
                for (half, layout, nodes) in halves {
                    let top_of = |level: usize| match half {
                        Half::Callers => mid - level as f32 * LEVEL_H,
                        Half::Callees => mid + 4.0 + level as f32 * LEVEL_H,
                    };
                    let first = usize::from(half == Half::Callers);
                    let items = self.sandwich_items(layout, rect.width(), first);
                    for item in &items {
                        let r = Rect::from_x_y_ranges(
                            rect.left() + item.x0.max(-1.0)
                                ..=rect.left() + item.x1.min(rect.width() + 1.0),
                            top_of(item.level)..=top_of(item.level) + LEVEL_H - 1.0,
                        );
                        let cx = BlockCx {
                            doc,
                            nodes,
                            s: &s,
                            half,
                        };
                        if let Some(node) = paint_block(ui, &cx, item, r) {
                            picked = Some((node.service, node.name.clone()));
                        }
                    }
                }
            });
        self.extras.sandwich = Some(s);
        if let Some(op) = picked {
            self.extras.sandwich_of = Some(op);
        }
    }

    fn sandwich_items(&self, layout: &FlameLayout, width: f32, first: usize) -> Vec<Item> {
        let mut items = Vec::new();
        let window = (self.extras.window.start, self.extras.window.end);
        layout.visible(window, width, first..layout.levels.len(), &mut items);
        items
    }
}

/// What a sandwich block needs to paint and name itself.
struct BlockCx<'a> {
    doc: &'a Document,
    nodes: &'a [AggNode],
    s: &'a Sandwich,
    half: Half,
}

/// Paints one block; returns its node when clicked (not the operation itself).
fn paint_block<'a>(ui: &mut Ui, cx: &BlockCx<'a>, item: &Item, r: Rect) -> Option<&'a AggNode> {
    let visuals = ui.visuals();
    let node = item.node.and_then(|n| cx.nodes.get(n as usize));
    let (fill, name) = match node {
        Some(n) => (colors::service(n.service), n.name.clone()),
        None => (
            visuals.weak_text_color().gamma_multiply(0.35),
            format!("{} blocks", item.count),
        ),
    };
    let painter = ui.painter().with_clip_rect(r.intersect(ui.clip_rect()));
    painter.rect_filled(r, 1.0, fill);
    if item.node == Some(0) {
        let edge = Stroke::new(2.0, visuals.strong_text_color());
        painter.rect_stroke(r, 1.0, edge, StrokeKind::Inside);
    }
    if r.width() > 24.0 {
        let color = if node.is_some() {
            colors::ON_BAR
        } else {
            visuals.text_color()
        };
        let left = r.left().max(ui.clip_rect().left()) + 3.0;
        text::fitted(
            &painter,
            pos2(left, r.center().y),
            Align2::LEFT_CENTER,
            &name,
            FontId::proportional(12.0),
            color,
            r.right() - 3.0 - left,
        );
    }
    if r.width() < MIN_WIDGET_W {
        return None;
    }
    let id = Id::unique((
        "sandwich",
        cx.half as u8,
        item.level,
        item.node,
        item.x0 as i32,
    ));
    let response = ui.interact(r, id, Sense::click());
    let label = match node {
        Some(n) => block_label(cx, n, item.node == Some(0)),
        None => format!("{} merged blocks", item.count),
    };
    let info = label.clone();
    response.widget_info(move || WidgetInfo::labeled(Role::Button, true, &info));
    let response = response.on_hover_text(label);
    (response.clicked() && item.node != Some(0))
        .then_some(node)
        .flatten()
}

/// `1 call`, `2 calls`.
fn calls(n: u64) -> String {
    format!("{n} call{}", if n == 1 { "" } else { "s" })
}

/// `charge card (payments, 1 call, total 55.00 ms, self 35.00 ms)` for the operation and
/// its callees; `POST /cart/checkout (checkout) calls charge card: 1 call, 55.00 ms` for a
/// caller.
fn block_label(cx: &BlockCx<'_>, n: &AggNode, is_op: bool) -> String {
    let service = cx.doc.index.service_name(n.service);
    match cx.half {
        Half::Callers if !is_op => format!(
            "{} ({service}) calls {}: {}, {}",
            n.name,
            cx.s.name,
            calls(n.count),
            units::duration(n.total)
        ),
        _ => format!(
            "{} ({service}, {}, total {}, self {})",
            n.name,
            calls(n.count),
            units::duration(n.total),
            units::duration(n.self_time)
        ),
    }
}
