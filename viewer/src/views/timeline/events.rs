//! A span's events as small diamonds on its waterfall bar, when the bar is wide enough to
//! hold them; hovering one shows the event's name, its time from the span's start and its
//! attributes.

use eframe::egui::{self, Color32, Id, Rect, Role, Sense, Stroke, Ui, WidgetInfo, pos2, vec2};

use super::TimelineView;
use super::row::RowCtx;
use crate::units;

/// Bars narrower than this get no markers.
const MIN_BAR_PX: f32 = 16.0;
/// Markers closer than this to the previous one drawn are left out.
const MIN_GAP_PX: f32 = 4.0;
const MARKER: f32 = 8.0;

impl TimelineView {
    /// Draws and registers the markers of the row's span events on its bar.
    pub(super) fn event_markers(&self, ui: &mut Ui, cx: &RowCtx<'_>, bars: Rect) {
        let Some(i) = cx.row.node.span() else {
            return;
        };
        let span = &cx.doc.data.spans[i];
        if span.events.is_empty() {
            return;
        }
        let (a, b) = cx.bar_range(cx.row.node);
        let width = self.window.width().max(1e-9);
        let x_of =
            |t: u64| bars.left() + ((t as f64 - self.window.start) / width) as f32 * bars.width();
        if x_of(b) - x_of(a) < MIN_BAR_PX {
            return;
        }
        let clip = bars.intersect(ui.clip_rect());
        let painter = ui.painter_at(clip);
        let mut last_x = f32::NEG_INFINITY;
        for (k, event) in span.events.iter().enumerate() {
            let t = event
                .time_unix_nanos
                .saturating_add_signed(cx.shift(i))
                .saturating_sub(cx.trace.start)
                .clamp(a, b);
            let x = x_of(t);
            if x - last_x < MIN_GAP_PX || !clip.x_range().contains(x) {
                continue;
            }
            last_x = x;
            let center = pos2(x, bars.center().y);
            paint_diamond(&painter, center);
            let hit = Rect::from_center_size(center, vec2(MARKER + 4.0, MARKER + 4.0));
            let response = ui.interact(hit, Id::unique(("event", i, k)), Sense::hover());
            let offset = units::offset(span.start_unix_nanos, event.time_unix_nanos);
            let label = format!("event {} at {offset}", event.name);
            response.widget_info(|| WidgetInfo::labeled(Role::Image, true, &label));
            response.on_hover_ui(|ui| {
                ui.strong(event.name.as_ref());
                ui.label(format!("{offset} from the span's start"));
                for kv in &event.attributes {
                    ui.monospace(format!("{} = {}", kv.key, kv.value));
                }
            });
        }
    }
}

/// A white diamond with a dark edge: visible on every service colour.
fn paint_diamond(painter: &egui::Painter, c: egui::Pos2) {
    let r = MARKER / 2.0;
    let points = vec![
        pos2(c.x, c.y - r),
        pos2(c.x + r, c.y),
        pos2(c.x, c.y + r),
        pos2(c.x - r, c.y),
    ];
    painter.add(egui::Shape::convex_polygon(
        points,
        Color32::WHITE,
        Stroke::new(1.0, Color32::from_gray(40)),
    ));
}
