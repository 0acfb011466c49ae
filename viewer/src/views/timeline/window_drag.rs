//! Choosing a time window by dragging across the time axis (or Shift+dragging on the minimap):
//! the stretch is marked while the button is held and, released, becomes the window that
//! filters the timeline and the flame graph to the spans overlapping it.

use eframe::egui::{Painter, Rect, Response, Stroke, StrokeKind, Ui, pos2};

/// Less than this many points of drag is a slip, not a window.
const MIN_DRAG_PX: f32 = 4.0;

/// A drag in progress: where it started, in points.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct WindowDrag {
    from_x: Option<f32>,
}

impl WindowDrag {
    /// True while a window is being dragged.
    pub(super) fn active(&self) -> bool {
        self.from_x.is_some()
    }

    /// Starts a drag on `response` when `start` allows it and it began inside `area`.
    pub(super) fn begin(&mut self, ui: &Ui, response: &Response, area: Rect, start: bool) {
        if start && response.drag_started() {
            let origin = ui.input(|i| i.pointer.press_origin());
            self.from_x = origin.filter(|p| area.contains(*p)).map(|p| p.x);
        }
    }

    /// Marks the stretch dragged so far on `area`; returns its two ends in points (left,
    /// right) once released, when it was wide enough.
    pub(super) fn follow(
        &mut self,
        ui: &Ui,
        response: &Response,
        area: Rect,
        painter: &Painter,
    ) -> Option<(f32, f32)> {
        let from = self.from_x?;
        let to = ui
            .input(|i| i.pointer.latest_pos())
            .map_or(from, |p| p.x.clamp(area.left(), area.right()));
        let (x0, x1) = (from.min(to), from.max(to));
        if response.drag_stopped() || !response.dragged() {
            self.from_x = None;
            return (x1 - x0 >= MIN_DRAG_PX).then_some((x0, x1));
        }
        let band = Rect::from_min_max(pos2(x0, area.top()), pos2(x1, area.bottom()));
        let visuals = ui.visuals();
        painter.rect(
            band,
            1.0,
            visuals.selection.bg_fill.gamma_multiply(0.5),
            Stroke::new(1.0, visuals.selection.stroke.color),
            StrokeKind::Inside,
        );
        None
    }
}
