//! The waterfall's minimap (the whole trace, the visible window draggable, Shift+drag picks a
//! time window) and time axis with its grid positions (dragging across it picks a time
//! window).

use eframe::egui::{
    Align2, FontId, Rect, Role, Sense, Stroke, StrokeKind, Ui, WidgetInfo, pos2, vec2,
};

use super::{MINIMAP_H, TimelineView};
use crate::focus::Focus;
use crate::text;
use crate::units;
use crate::views::time_window::Bounds;
use crate::views::widgets::{AXIS_H, TICK_SPACING};

impl TimelineView {
    /// The whole trace in a strip, with the visible range as a draggable window; Shift+drag
    /// picks a time window (returned once released, in nanoseconds from the trace start).
    pub(super) fn minimap(
        &mut self,
        ui: &mut Ui,
        focus: &Focus,
        duration: f64,
    ) -> Option<(f64, f64)> {
        let (rect, response) = ui.allocate_exact_size(
            vec2(ui.available_width(), MINIMAP_H),
            Sense::click_and_drag(),
        );
        response.widget_info(|| WidgetInfo::labeled(Role::ScrollBar, true, "Minimap"));
        let painter = ui.painter_at(rect);
        let visuals = ui.visuals();
        painter.rect_filled(rect, 2.0, visuals.extreme_bg_color);
        let density = &focus.timeline.density;
        let bw = rect.width() / density.len().max(1) as f32;
        for (i, d) in density.iter().enumerate() {
            if *d > 0.0 {
                let h = (rect.height() - 4.0) * d;
                let x = rect.left() + i as f32 * bw;
                painter.rect_filled(
                    Rect::from_min_max(
                        pos2(x, rect.bottom() - 2.0 - h),
                        pos2(x + bw, rect.bottom() - 2.0),
                    ),
                    0.0,
                    visuals.weak_text_color().gamma_multiply(0.6),
                );
            }
        }
        let to_x = |t: f64| rect.left() + (t / duration.max(1.0)) as f32 * rect.width();
        let window = Rect::from_min_max(
            pos2(to_x(self.window.start).max(rect.left()), rect.top()),
            pos2(to_x(self.window.end).min(rect.right()), rect.bottom()),
        );
        painter.rect(
            window,
            2.0,
            visuals.selection.bg_fill.gamma_multiply(0.35),
            Stroke::new(1.5, visuals.selection.stroke.color),
            StrokeKind::Inside,
        );
        let per_px = duration / f64::from(rect.width().max(1.0));
        if let Some((w0, w1)) = focus.narrow.window {
            // The time window filtering the views: a line along the strip's foot.
            let band = Rect::from_min_max(
                pos2(to_x(w0 as f64), rect.bottom() - 3.0),
                pos2(to_x(w1 as f64).max(to_x(w0 as f64) + 2.0), rect.bottom()),
            );
            painter.rect_filled(band, 0.0, visuals.selection.stroke.color);
        }
        let shift = ui.input(|i| i.modifiers.shift);
        self.minimap_drag.begin(ui, &response, rect, shift);
        if self.minimap_drag.active() {
            let picked = self.minimap_drag.follow(ui, &response, rect, &painter);
            let t = |x: f32| f64::from(x - rect.left()) * per_px;
            return picked.map(|(x0, x1)| (t(x0), t(x1)));
        }
        let bounds = Bounds::with_margin(duration);
        if response.dragged() {
            self.window
                .pan_by(f64::from(response.drag_delta().x) * per_px, bounds);
        } else if response.clicked()
            && let Some(pos) = response.interact_pointer_pos()
        {
            let center = f64::from(pos.x - rect.left()) * per_px;
            self.window.center_on(center, bounds);
        }
        None
    }

    /// The axis; dragging across it picks a time window (returned once released, in
    /// nanoseconds from the trace start).
    pub(super) fn axis(&mut self, ui: &mut Ui, label_w: f32) -> Option<(f64, f64)> {
        let (rect, response) =
            ui.allocate_exact_size(vec2(ui.available_width(), AXIS_H), Sense::drag());
        response.widget_info(|| WidgetInfo::labeled(Role::Label, true, "Time axis"));
        let response = response.on_hover_text("Drag across the axis to show only that time window");
        let bars = Rect::from_min_max(pos2(rect.left() + label_w, rect.top()), rect.max);
        let painter = ui.painter_at(rect);
        self.axis_drag.begin(ui, &response, bars, true);
        let picked = self.axis_drag.follow(ui, &response, bars, &painter);
        painter.text(
            pos2(rect.left() + 4.0, rect.center().y),
            Align2::LEFT_CENTER,
            "Span",
            FontId::proportional(12.0),
            ui.visuals().strong_text_color(),
        );
        let step = self.step(bars);
        let font = FontId::proportional(11.0);
        let color = ui.visuals().weak_text_color();
        for (x, t) in self.ticks(bars) {
            painter.line_segment(
                [pos2(x, rect.bottom() - 4.0), pos2(x, rect.bottom())],
                Stroke::new(1.0, color),
            );
            let label = units::tick_label(t, step);
            text::axis_label(
                &painter,
                pos2(x + 2.0, rect.center().y - 2.0),
                &label,
                &font,
                color,
                bars.right(),
            );
        }
        let per_px = self.window.width() / f64::from(bars.width().max(1.0));
        let t = |x: f32| self.window.start + f64::from(x - bars.left()) * per_px;
        picked.map(|(x0, x1)| (t(x0), t(x1)))
    }

    /// The round time step between grid lines, at least [`TICK_SPACING`] points apart.
    fn step(&self, bars: Rect) -> f64 {
        let width = self.window.width();
        units::grid_step(width * f64::from(TICK_SPACING) / f64::from(bars.width().max(1.0)))
    }

    /// Grid positions: (x, time) at a round step.
    pub(super) fn ticks(&self, bars: Rect) -> Vec<(f32, f64)> {
        let width = self.window.width();
        if width <= 0.0 || bars.width() <= 0.0 {
            return Vec::new();
        }
        let step = self.step(bars);
        // Multiples of the step, counted (not summed) so labels stay exact.
        let first = (self.window.start.max(0.0) / step).ceil();
        (0..64)
            .map(|k| (first + f64::from(k)) * step)
            .take_while(|&t| t <= self.window.end)
            .map(|t| {
                let x = bars.left() + ((t - self.window.start) / width) as f32 * bars.width();
                (x, t)
            })
            .collect()
    }
}
