//! The waterfall: one row per span in tree order, a shared time axis, a minimap with the
//! visible range, collapse/expand, zoom and pan. Rows are virtualised: only the rows on
//! screen are painted or registered as widgets.

use std::ops::Range;

use eframe::egui::{
    self, Align2, FontId, Id, Rect, Role, Sense, Stroke, StrokeKind, Ui, WidgetInfo, pos2, vec2,
};

use crate::colors;
use crate::index::{Node, Trace};
use crate::layout::{Row, node_range};
use crate::load::Document;
use crate::text;
use crate::units;
use crate::focus::Focus;
use crate::views::View;
use crate::views::time_window::{Bounds, TimeWindow};
use crate::views::widgets::{AXIS_H, TICK_SPACING, span_label};

/// Height of one row in points.
pub const ROW_H: f32 = 20.0;
const MINIMAP_H: f32 = 30.0;

/// Zoom, pan and scroll state of the waterfall.
#[derive(Debug, Clone)]
pub struct TimelineView {
    /// Visible time range in nanoseconds relative to the trace start.
    pub window: TimeWindow,
    visible_rows: Range<usize>,
}

impl Default for TimelineView {
    fn default() -> Self {
        TimelineView {
            window: TimeWindow::default(),
            visible_rows: 0..0,
        }
    }
}

enum Action {
    Select(Node),
    Toggle(Node),
}

impl View for TimelineView {
    fn ui(&mut self, ui: &mut Ui, doc: &Document, focus: &mut Focus) {
        focus.refresh(doc);
        let Some(trace) = focus.current(doc) else {
            ui.centered_and_justified(|ui| {
                ui.label("Select a trace in the list (or open a file: File > Open).");
            });
            return;
        };
        let duration = focus.timeline.duration as f64;
        self.apply_request(doc, trace, focus, duration);
        self.toolbar(ui, doc, focus);
        self.minimap(ui, focus, duration);
        let label_w = (ui.available_width() * 0.35).clamp(160.0, 360.0);
        self.axis(ui, label_w);
        let actions = self.rows(ui, doc, trace, focus, label_w, duration);
        for action in actions {
            match action {
                Action::Select(node) => {
                    focus.node = Some(node);
                }
                Action::Toggle(node) => focus.toggle(doc, node),
            }
        }
    }
}

impl TimelineView {
    fn apply_request(&mut self, doc: &Document, trace: &Trace, focus: &mut Focus, duration: f64) {
        let request = &mut focus.request;
        if std::mem::take(&mut request.reset_zoom) || self.window.end <= self.window.start {
            self.window = TimeWindow::new(0.0, duration);
        }
        if std::mem::take(&mut request.zoom_to_selected)
            && let Some(node) = focus.node
        {
            let (a, b) = node_range(&doc.data, trace, node);
            let pad = ((b - a) as f64 * 0.05).max(1.0);
            self.window = TimeWindow::new(a as f64 - pad, b as f64 + pad);
        }
        self.window
            .apply_zoom_pan(request, Bounds::with_margin(duration));
    }

    fn toolbar(&mut self, ui: &mut Ui, doc: &Document, focus: &mut Focus) {
        ui.horizontal_wrapped(|ui| {
            if ui.button("Expand all").clicked() {
                focus.collapse_all(doc, false);
            }
            if ui.button("Collapse all").clicked() {
                focus.collapse_all(doc, true);
            }
            if ui
                .add_enabled(focus.node.is_some(), egui::Button::new("Zoom to span (F)"))
                .clicked()
            {
                focus.request.zoom_to_selected = true;
            }
            if ui.button("Reset zoom (0)").clicked() {
                focus.request.reset_zoom = true;
            }
            let rows = focus.timeline.rows.len();
            ui.weak(format!(
                "{rows} row{} · showing {} to {}",
                if rows == 1 { "" } else { "s" },
                units::duration(self.window.start.max(0.0) as u64),
                units::duration(self.window.end.max(0.0) as u64)
            ));
        });
    }

    /// The whole trace in a strip, with the visible range as a draggable window.
    fn minimap(&mut self, ui: &mut Ui, focus: &Focus, duration: f64) {
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
    }

    fn axis(&self, ui: &mut Ui, label_w: f32) {
        let (rect, response) =
            ui.allocate_exact_size(vec2(ui.available_width(), AXIS_H), Sense::hover());
        response.widget_info(|| WidgetInfo::labeled(Role::Label, true, "Time axis"));
        let bars = Rect::from_min_max(pos2(rect.left() + label_w, rect.top()), rect.max);
        let painter = ui.painter_at(rect);
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
    }

    /// The round time step between grid lines, at least [`TICK_SPACING`] points apart.
    fn step(&self, bars: Rect) -> f64 {
        let width = self.window.width();
        units::grid_step(width * f64::from(TICK_SPACING) / f64::from(bars.width().max(1.0)))
    }

    /// Grid positions: (x, time) at a round step.
    fn ticks(&self, bars: Rect) -> Vec<(f32, f64)> {
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

    fn rows(
        &mut self,
        ui: &mut Ui,
        doc: &Document,
        trace: &Trace,
        focus: &mut Focus,
        label_w: f32,
        duration: f64,
    ) -> Vec<Action> {
        let area = ui.available_rect_before_wrap();
        let bars_area = Rect::from_min_max(pos2(area.left() + label_w, area.top()), area.max);
        let pan = ui.interact(bars_area, Id::unique("timeline-pan"), Sense::drag());
        self.window
            .follow_mouse(ui, &pan, bars_area, Bounds::with_margin(duration));

        let row_step = ROW_H + ui.spacing().item_spacing.y;
        let mut scroll = egui::ScrollArea::vertical()
            .id_salt("timeline-rows")
            .auto_shrink([false, false]);
        if std::mem::take(&mut focus.request.scroll_to_selected)
            && let Some(row) = focus.node.and_then(|n| focus.timeline.row_of(n))
            && !(self.visible_rows.start + 1..self.visible_rows.end.saturating_sub(1))
                .contains(&row)
        {
            scroll = scroll.vertical_scroll_offset((row as f32 - 3.0).max(0.0) * row_step);
        }
        let mut actions = Vec::new();
        let rows = &focus.timeline.rows;
        let ticks = self.ticks(Rect::from_min_max(
            pos2(area.left() + label_w, 0.0),
            pos2(area.right() - ui.spacing().scroll.bar_width, 1.0),
        ));
        scroll.show_rows(ui, ROW_H, rows.len(), |ui, range| {
            self.visible_rows = range.clone();
            for r in range {
                let ctx = RowCtx {
                    doc,
                    trace,
                    row: rows[r],
                    selected: focus.node == Some(rows[r].node),
                    label_w,
                    ticks: &ticks,
                };
                self.row(ui, &ctx, &mut actions);
            }
        });
        actions
    }

    fn row(&self, ui: &mut Ui, cx: &RowCtx<'_>, actions: &mut Vec<Action>) {
        let (rect, _) = ui.allocate_exact_size(vec2(ui.available_width(), ROW_H), Sense::hover());
        let row = cx.row;
        let label = span_label(cx.doc, cx.trace, row.node);
        let response = ui.interact(
            rect,
            Id::unique(("timeline-row", row.node.0)),
            Sense::click(),
        );
        let selected = cx.selected;
        let info_label = label.clone();
        response
            .widget_info(move || WidgetInfo::selected(Role::Button, true, selected, &info_label));
        if response.clicked() {
            actions.push(Action::Select(row.node));
        }
        let visuals = ui.visuals().clone();
        let painter = ui.painter_at(rect);
        if cx.selected {
            painter.rect_filled(rect, 0.0, colors::selected_row(&visuals));
        } else if response.hovered() {
            painter.rect_filled(rect, 0.0, visuals.widgets.hovered.weak_bg_fill);
        }
        if row.is_match {
            painter.rect_stroke(
                rect.shrink(0.5),
                0.0,
                Stroke::new(1.5, colors::MATCH),
                StrokeKind::Inside,
            );
        }
        let label_rect =
            Rect::from_min_max(rect.min, pos2(rect.left() + cx.label_w, rect.bottom()));
        let bars = Rect::from_min_max(pos2(label_rect.right(), rect.top()), rect.max);
        let indent = (4.0 + f32::from(row.depth) * 12.0).min(cx.label_w - 60.0);
        let toggle = Rect::from_min_size(pos2(rect.left() + indent, rect.top()), vec2(16.0, ROW_H));
        if row.has_children {
            let name = match row.node.span() {
                Some(i) => cx.doc.data.spans[i].name.to_string(),
                None => "missing parent".to_string(),
            };
            let t = ui.interact(
                toggle,
                Id::unique(("timeline-toggle", row.node.0)),
                Sense::click(),
            );
            let verb = if row.collapsed { "Expand" } else { "Collapse" };
            t.widget_info(move || {
                WidgetInfo::labeled(Role::Button, true, format!("{verb} {name}"))
            });
            if t.clicked() {
                actions.push(Action::Toggle(row.node));
            }
            let c = toggle.center();
            let points = if row.collapsed {
                vec![
                    pos2(c.x - 3.0, c.y - 5.0),
                    pos2(c.x + 4.0, c.y),
                    pos2(c.x - 3.0, c.y + 5.0),
                ]
            } else {
                vec![
                    pos2(c.x - 5.0, c.y - 3.0),
                    pos2(c.x + 5.0, c.y - 3.0),
                    pos2(c.x, c.y + 4.0),
                ]
            };
            painter.add(egui::Shape::convex_polygon(
                points,
                visuals.text_color(),
                Stroke::NONE,
            ));
        }
        self.paint_label(&painter, cx, label_rect, toggle.right() + 2.0, &visuals);
        for &(x, _) in cx.ticks {
            painter.line_segment(
                [pos2(x, rect.top()), pos2(x, rect.bottom())],
                Stroke::new(1.0, visuals.faint_bg_color),
            );
        }
        self.paint_bar(&painter, cx, bars, &visuals);
    }

    fn paint_label(
        &self,
        painter: &egui::Painter,
        cx: &RowCtx<'_>,
        rect: Rect,
        x: f32,
        visuals: &egui::Visuals,
    ) {
        let painter = painter.with_clip_rect(rect.intersect(painter.clip_rect()));
        let y = rect.center().y;
        match cx.row.node.span() {
            Some(i) => {
                let span = &cx.doc.data.spans[i];
                let service = cx.doc.index.service_of[i];
                painter.rect_filled(
                    Rect::from_center_size(pos2(x + 4.0, y), vec2(8.0, 8.0)),
                    2.0,
                    colors::service(service),
                );
                let color = if span.status.is_error() {
                    colors::ERROR
                } else {
                    visuals.text_color()
                };
                let name_rect = text::fitted(
                    &painter,
                    pos2(x + 12.0, y),
                    Align2::LEFT_CENTER,
                    span.name.as_ref(),
                    FontId::proportional(13.0),
                    color,
                    rect.right() - 4.0 - (x + 12.0),
                );
                let service_x = name_rect.right() + 6.0;
                text::fitted(
                    &painter,
                    pos2(service_x, y),
                    Align2::LEFT_CENTER,
                    cx.doc.index.service_name(service),
                    FontId::proportional(11.0),
                    visuals.weak_text_color(),
                    rect.right() - 4.0 - service_x,
                );
            }
            None => {
                text::fitted(
                    &painter,
                    pos2(x + 2.0, y),
                    Align2::LEFT_CENTER,
                    &format!("missing parent ({} subtrees)", cx.trace.orphans.len()),
                    FontId::proportional(13.0),
                    visuals.warn_fg_color,
                    rect.right() - 4.0 - (x + 2.0),
                );
            }
        }
    }

    fn paint_bar(
        &self,
        painter: &egui::Painter,
        cx: &RowCtx<'_>,
        bars: Rect,
        visuals: &egui::Visuals,
    ) {
        let painter = painter.with_clip_rect(bars.intersect(painter.clip_rect()));
        let (a, b) = node_range(&cx.doc.data, cx.trace, cx.row.node);
        let width = self.window.width().max(1e-9);
        let x_of = |t: u64| bars.left() + ((t as f64 - self.window.start) / width) as f32 * bars.width();
        let (x0, x1) = (x_of(a), x_of(b).max(x_of(a) + 1.0));
        let bar = Rect::from_min_max(pos2(x0, bars.top() + 3.0), pos2(x1, bars.bottom() - 3.0));
        let (fill, error) = match cx.row.node.span() {
            Some(i) => (
                colors::service(cx.doc.index.service_of[i]),
                cx.doc.data.spans[i].status.is_error(),
            ),
            None => (visuals.weak_text_color().gamma_multiply(0.5), false),
        };
        painter.rect_filled(bar, 2.0, fill);
        if !visuals.dark_mode {
            // Pastel bars need an edge on white and on the selection colour.
            let edge = Stroke::new(1.0, colors::BAR_EDGE_LIGHT);
            painter.rect_stroke(bar, 2.0, edge, StrokeKind::Inside);
        }
        if error {
            painter.rect_stroke(
                bar,
                2.0,
                Stroke::new(1.5, colors::ERROR),
                StrokeKind::Inside,
            );
        }
        let text = units::duration(b - a);
        let font = FontId::proportional(11.0);
        if bar.width() > 70.0 {
            painter.text(
                pos2(bar.left().max(bars.left()) + 4.0, bar.center().y),
                Align2::LEFT_CENTER,
                text,
                font,
                colors::ON_BAR,
            );
        } else if x1 + 60.0 < bars.right() {
            painter.text(
                pos2(x1 + 4.0, bar.center().y),
                Align2::LEFT_CENTER,
                text,
                font,
                visuals.text_color(),
            );
        } else {
            painter.text(
                pos2(x0 - 4.0, bar.center().y),
                Align2::RIGHT_CENTER,
                text,
                font,
                visuals.text_color(),
            );
        }
    }
}

struct RowCtx<'a> {
    doc: &'a Document,
    trace: &'a Trace,
    row: Row,
    selected: bool,
    label_w: f32,
    ticks: &'a [(f32, f64)],
}
