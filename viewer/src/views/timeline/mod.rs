//! The waterfall: one row per span in tree order, a shared time axis, a minimap with the
//! visible range, collapse/expand, zoom and pan, the critical path marked on the bars (and
//! optionally the only thing shown), runs of repeated siblings as group rows, span events as
//! markers on their bars, narrowing to one subtree (a row's context menu, `S`; the breadcrumb
//! leads back) or to a time window dragged on the axis. Rows are virtualised: only the rows on
//! screen are painted or registered as widgets.

mod axis;
mod events;
mod row;
mod window_drag;

use std::ops::Range;

use eframe::egui::{self, Id, Rect, Sense, Ui, pos2};

use crate::focus::Focus;
use crate::index::Trace;
use crate::layout::{Narrow, node_range};
use crate::load::Document;
use crate::units;
use crate::views::View;
use crate::views::breadcrumb;
use crate::views::time_window::{Bounds, TimeWindow};

use row::{Action, RowCtx};
use window_drag::WindowDrag;

/// Height of one row in points.
pub const ROW_H: f32 = 20.0;
const MINIMAP_H: f32 = 30.0;

/// Zoom, pan and scroll state of the waterfall.
#[derive(Debug, Clone)]
pub struct TimelineView {
    /// Visible time range in nanoseconds relative to the trace start.
    pub window: TimeWindow,
    visible_rows: Range<usize>,
    /// The narrowing the window was last reset for (a new one zooms to its range; spans
    /// arriving in a live trace do not).
    shown_narrow: Narrow,
    axis_drag: WindowDrag,
    minimap_drag: WindowDrag,
}

impl Default for TimelineView {
    fn default() -> Self {
        TimelineView {
            window: TimeWindow::default(),
            visible_rows: 0..0,
            shown_narrow: Narrow::default(),
            axis_drag: WindowDrag::default(),
            minimap_drag: WindowDrag::default(),
        }
    }
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
        breadcrumb::narrow_bar(ui, doc, trace, focus);
        focus.refresh(doc);
        self.apply_request(doc, trace, focus, duration);
        self.toolbar(ui, doc, focus);
        let from_minimap = self.minimap(ui, focus, duration);
        let label_w = (ui.available_width() * 0.35).clamp(160.0, 360.0);
        let from_axis = self.axis(ui, label_w);
        if let Some((a, b)) = from_minimap.or(from_axis) {
            let clamp = |t: f64| t.clamp(0.0, duration) as u64;
            focus.set_time_window(doc, Some((clamp(a), clamp(b))));
        }
        let actions = self.rows(ui, doc, trace, focus, label_w, duration);
        for action in actions {
            match action {
                Action::Select(node) => {
                    focus.node = Some(node);
                }
                Action::Toggle(node) => focus.toggle(doc, node),
                Action::ToggleRepeat(k) => focus.toggle_repeat(doc, k),
                Action::FocusSubtree(node) => focus.focus_subtree(doc, Some(node)),
            }
        }
    }
}

impl TimelineView {
    fn apply_request(&mut self, doc: &Document, trace: &Trace, focus: &mut Focus, duration: f64) {
        let request = &mut focus.request;
        let range = focus.timeline.range;
        if std::mem::take(&mut request.reset_zoom)
            || self.window.end <= self.window.start
            || self.shown_narrow != focus.narrow
        {
            self.shown_narrow = focus.narrow;
            self.window = TimeWindow::new(range.0 as f64, range.1 as f64);
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
            let mut critical = focus.critical_only;
            if ui
                .checkbox(&mut critical, "Critical path only")
                .on_hover_text("Show only the spans on the critical path (C / Shift+C jump between its sections)")
                .changed()
            {
                focus.set_critical_only(critical);
            }
            if !focus.highlighted.is_empty() {
                let mut only = focus.highlighted_only;
                if ui
                    .checkbox(&mut only, "Highlighted only")
                    .on_hover_text("Show only the spans of the statistics row last clicked")
                    .changed()
                {
                    focus.set_highlighted_only(only);
                }
            }
            let moved = focus.findings.skew.shifted_spans();
            if moved > 0 {
                ui.checkbox(
                    &mut focus.adjust_skew,
                    format!("Draw with clock skew adjusted ({moved} span{} moved)", plural(moved)),
                )
                .on_hover_text("Bars of servers whose clock is off sit inside their client call; the details keep the raw times");
            }
            let rows = focus.timeline.rows.len();
            let text = format!(
                "{rows} row{} · {} to {}",
                plural(rows),
                units::duration(self.window.start.max(0.0) as u64),
                units::duration(self.window.end.max(0.0) as u64)
            );
            // One piece: on a narrow toolbar it moves to the next line whole, never split.
            ui.add(egui::Label::new(egui::RichText::new(text).weak()).extend());
        });
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
                    selected: rows[r].repeat.is_none() && focus.node == Some(rows[r].node),
                    label_w,
                    ticks: &ticks,
                    findings: &focus.findings,
                    adjust_skew: focus.adjust_skew,
                };
                self.row(ui, &ctx, &mut actions);
            }
        });
        actions
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests;
