//! One waterfall row: the toggle, the service swatch and name, grid lines, and the span's
//! bar with its duration and its critical sections; or the group row of a run of repeated
//! siblings (`x37 SELECT orders, 340 ms`), which expands and collapses on click.

use eframe::egui::{
    self, Align2, FontId, Id, Rect, Role, Sense, Stroke, StrokeKind, Ui, WidgetInfo, pos2, vec2,
};

use super::{ROW_H, TimelineView};
use crate::analysis::findings::Findings;
use crate::colors;
use crate::index::{Node, Trace};
use crate::layout::{Row, node_range};
use crate::load::Document;
use crate::text;
use crate::units;
use crate::views::widgets::{critical_band, repeat_label, span_label};

/// What a click on a row asks for.
pub(super) enum Action {
    Select(Node),
    Toggle(Node),
    /// Expand or collapse the run of repeated siblings `k` of `Findings::repeats`.
    ToggleRepeat(u32),
    /// Show only this node's subtree.
    FocusSubtree(Node),
}

/// What a row needs to paint itself.
pub(super) struct RowCtx<'a> {
    pub(super) doc: &'a Document,
    pub(super) trace: &'a Trace,
    pub(super) row: Row,
    pub(super) selected: bool,
    pub(super) label_w: f32,
    pub(super) ticks: &'a [(f32, f64)],
    pub(super) findings: &'a Findings,
    /// Draw the clock-skew-adjusted times (`Focus::adjust_skew`); the details keep the raw.
    pub(super) adjust_skew: bool,
}

impl RowCtx<'_> {
    /// Nanoseconds the bar of span `i` is moved by: its clock-skew shift when the adjustment
    /// is drawn, else 0.
    pub(super) fn shift(&self, i: usize) -> i64 {
        if self.adjust_skew {
            self.findings.skew.shift(i as u32)
        } else {
            0
        }
    }

    /// Where `node`'s bar is drawn, relative to the trace start: its raw times, or with the
    /// adjustment on, its times as the clock-skew adjustment moves them.
    pub(super) fn bar_range(&self, node: Node) -> (u64, u64) {
        let (a, b) = node_range(&self.doc.data, self.trace, node);
        match node.span().map(|i| self.shift(i)) {
            Some(shift) if shift != 0 => (
                a.saturating_add_signed(shift),
                b.saturating_add_signed(shift),
            ),
            _ => (a, b),
        }
    }
}

impl TimelineView {
    pub(super) fn row(&self, ui: &mut Ui, cx: &RowCtx<'_>, actions: &mut Vec<Action>) {
        let (rect, _) = ui.allocate_exact_size(vec2(ui.available_width(), ROW_H), Sense::hover());
        let row = cx.row;
        let run = row.repeat.and_then(|k| cx.findings.repeats.get(k as usize));
        let label = match run {
            Some(run) => repeat_label(cx.doc, run),
            None => span_label(cx.doc, cx.trace, row.node),
        };
        let response = ui.interact(
            rect,
            Id::unique(("timeline-row", row.node.0, row.repeat.is_some())),
            Sense::click(),
        );
        let selected = cx.selected;
        let info_label = label.clone();
        response
            .widget_info(move || WidgetInfo::selected(Role::Button, true, selected, &info_label));
        if response.clicked() {
            actions.push(match row.repeat {
                Some(k) => Action::ToggleRepeat(k),
                None => Action::Select(row.node),
            });
        }
        if row.repeat.is_none() {
            response.context_menu(|ui| {
                if ui.button("Show only this subtree (S)").clicked() {
                    actions.push(Action::FocusSubtree(row.node));
                    ui.close();
                }
            });
        }
        let visuals = ui.visuals().clone();
        let painter = ui.painter_at(rect);
        if cx.selected {
            painter.rect_filled(rect, 0.0, colors::selected_row(&visuals));
        } else if response.hovered() {
            painter.rect_filled(rect, 0.0, visuals.widgets.hovered.weak_bg_fill);
        }
        if row.highlighted {
            painter.rect_stroke(
                rect.shrink(0.5),
                0.0,
                Stroke::new(1.5, colors::HIGHLIGHT),
                StrokeKind::Inside,
            );
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
            let name = match (run, row.node.span()) {
                (Some(_), _) => label.clone(),
                (None, Some(i)) => cx.doc.data.spans[i].name.to_string(),
                (None, None) => "missing parent".to_string(),
            };
            let t = ui.interact(
                toggle,
                Id::unique(("timeline-toggle", row.node.0, row.repeat.is_some())),
                Sense::click(),
            );
            let verb = if row.collapsed { "Expand" } else { "Collapse" };
            t.widget_info(move || {
                WidgetInfo::labeled(Role::Button, true, format!("{verb} {name}"))
            });
            if t.clicked() {
                actions.push(match row.repeat {
                    Some(k) => Action::ToggleRepeat(k),
                    None => Action::Toggle(row.node),
                });
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
        match run {
            Some(_) => {
                let color = visuals.strong_text_color();
                let x = toggle.right() + 2.0;
                paint_group_label(&painter, cx, (label_rect, x), &label, color);
            }
            None => self.paint_label(&painter, cx, label_rect, toggle.right() + 2.0, &visuals),
        }
        for &(x, _) in cx.ticks {
            painter.line_segment(
                [pos2(x, rect.top()), pos2(x, rect.bottom())],
                Stroke::new(1.0, visuals.faint_bg_color),
            );
        }
        self.paint_bar(&painter, cx, bars, &visuals);
        if row.repeat.is_none() {
            self.event_markers(ui, cx, bars);
        }
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
        let run = cx
            .row
            .repeat
            .and_then(|k| cx.findings.repeats.get(k as usize));
        let (a, b) = match run {
            Some(run) => (
                cx.bar_range(Node(run.first)).0,
                cx.bar_range(Node(run.last)).1,
            ),
            None => cx.bar_range(cx.row.node),
        };
        let width = self.window.width().max(1e-9);
        let x_of =
            |t: u64| bars.left() + ((t as f64 - self.window.start) / width) as f32 * bars.width();
        let (x0, x1) = (x_of(a), x_of(b).max(x_of(a) + 1.0));
        let bar = Rect::from_min_max(pos2(x0, bars.top() + 3.0), pos2(x1, bars.bottom() - 3.0));
        let (fill, error) = match cx.row.node.span() {
            Some(i) => (
                colors::service(cx.doc.index.service_of[i]),
                cx.doc.data.spans[i].status.is_error(),
            ),
            None => (visuals.weak_text_color().gamma_multiply(0.5), false),
        };
        let fill = if run.is_some() {
            fill.gamma_multiply(0.6)
        } else {
            fill
        };
        painter.rect_filled(bar, 2.0, fill);
        if let (None, Some(i)) = (run, cx.row.node.span()) {
            let (start, shift) = (cx.trace.start, cx.shift(i));
            let moved = |t: u64| t.saturating_add_signed(shift).saturating_sub(start);
            let sections = cx.findings.sections_of(i);
            let relative = sections.map(|s| (moved(s.start), moved(s.end)));
            critical_band(&painter, bar, (a, b), relative);
        }
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
        let text = match run {
            Some(run) => format!("x{} · {}", run.count, units::duration(run.total)),
            None => units::duration(b - a),
        };
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

/// The label of a group row: the service swatch and `x37 SELECT orders, 340 ms`.
fn paint_group_label(
    painter: &egui::Painter,
    cx: &RowCtx<'_>,
    (rect, x): (Rect, f32),
    label: &str,
    color: egui::Color32,
) {
    let painter = painter.with_clip_rect(rect.intersect(painter.clip_rect()));
    let y = rect.center().y;
    let first = cx.row.node.0 as usize;
    let service = cx.doc.index.service_of.get(first).copied().unwrap_or(0);
    painter.rect_filled(
        Rect::from_center_size(pos2(x + 4.0, y), vec2(8.0, 8.0)),
        2.0,
        colors::service(service),
    );
    text::fitted(
        &painter,
        pos2(x + 12.0, y),
        Align2::LEFT_CENTER,
        label,
        FontId::proportional(13.0),
        color,
        rect.right() - 4.0 - (x + 12.0),
    );
}
