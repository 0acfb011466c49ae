//! One flame-graph item: its fill (service colour, error, merged-run hatching), the critical
//! path's band, selection and match outlines, its fitted name, and its widget for clicks, hover,
//! the context menu (only this subtree; the sandwich of this operation) and screen readers.

use eframe::egui::{
    self, Align2, FontId, Id, Rect, Role, Sense, Stroke, StrokeKind, Ui, WidgetInfo, pos2,
};

use super::{FlameView, MIN_WIDGET_W};
use crate::colors;
use crate::focus::Focus;
use crate::index::Node;
use crate::layout::{FlameKind, Item, node_range};
use crate::load::Document;
use crate::text;
use crate::views::widgets::critical_band;

/// What a block's context menu asks for.
pub(super) enum Menu {
    /// Show only this span's subtree (a trace's graph).
    Subtree(u32),
    /// The sandwich view of this aggregated node's operation.
    Sandwich(u32),
}

impl FlameView {
    /// Applies a context menu's wish.
    pub(super) fn on_menu(&mut self, doc: &Document, focus: &mut Focus, menu: Option<Menu>) {
        match menu {
            Some(Menu::Subtree(node)) => focus.focus_subtree(doc, Some(Node(node))),
            Some(Menu::Sandwich(node)) => {
                if let Some(agg) = doc.index.agg.get(node as usize).filter(|_| node != 0) {
                    self.extras.sandwich_of = Some((agg.service, agg.name.clone()));
                }
            }
            None => {}
        }
    }

    /// Paints one item (`r` as drawn, `full` its whole extent before clipping to the graph);
    /// returns the clicked node (if any) and the item's axis range; a context menu's choice
    /// goes to `menu`.
    pub(super) fn paint_item(
        &self,
        ui: &mut Ui,
        doc: &Document,
        focus: &Focus,
        item: &Item,
        (r, full): (Rect, Rect),
        menu: &mut Option<Menu>,
    ) -> Option<(Option<u32>, (f64, f64))> {
        let visuals = ui.visuals();
        let painter = ui.painter();
        let text_font = FontId::proportional(12.0);
        let (fill, name) = match item.node {
            Some(node) => self.fill_and_name(doc, visuals, node),
            None => (
                visuals.weak_text_color().gamma_multiply(0.35),
                format!("{} spans", item.count),
            ),
        };
        painter.rect_filled(r, 1.0, fill);
        if item.node.is_none() && r.width() >= 3.0 {
            // Hatch: merged run of tiny spans.
            let mut x = r.left();
            while x < r.right() {
                painter.line_segment(
                    [pos2(x, r.bottom()), pos2((x + 6.0).min(r.right()), r.top())],
                    Stroke::new(1.0, visuals.text_color().gamma_multiply(0.5)),
                );
                x += 5.0;
            }
        }
        if self.kind == FlameKind::Trace
            && let (Some(i), Some(trace)) =
                (item.node.and_then(|n| Node(n).span()), focus.current(doc))
        {
            let range = node_range(&doc.data, trace, Node(i as u32));
            let start = trace.start;
            let sections = focus.findings.sections_of(i);
            let relative =
                sections.map(|s| (s.start.saturating_sub(start), s.end.saturating_sub(start)));
            critical_band(
                &painter.with_clip_rect(r.intersect(painter.clip_rect())),
                full,
                range,
                relative,
            );
        }
        let selected = item.node.is_some_and(|n| match self.kind {
            FlameKind::Trace => focus.node == Some(Node(n)),
            FlameKind::Aggregate => focus.agg_node == Some(n),
        });
        let matched = self.kind == FlameKind::Trace
            && item
                .node
                .is_some_and(|n| focus.match_set.contains(&Node(n)));
        if selected {
            painter.rect_stroke(
                r,
                1.0,
                Stroke::new(2.0, visuals.strong_text_color()),
                StrokeKind::Inside,
            );
        } else if matched {
            painter.rect_stroke(r, 1.0, Stroke::new(2.0, colors::MATCH), StrokeKind::Inside);
        }
        if r.width() > 24.0 {
            // Dark text on service colours; the theme's text on the grey root and merged runs.
            let on_grey =
                item.node.is_none() || (self.kind == FlameKind::Aggregate && item.node == Some(0));
            let color = if on_grey {
                visuals.text_color()
            } else {
                colors::ON_BAR
            };
            let left = r.left().max(ui.clip_rect().left()) + 3.0;
            text::fitted(
                &painter.with_clip_rect(r.intersect(painter.clip_rect())),
                pos2(left, r.center().y),
                Align2::LEFT_CENTER,
                &name,
                text_font,
                color,
                r.right() - 3.0 - left,
            );
        }
        if r.width() < MIN_WIDGET_W {
            return None;
        }
        let id = Id::unique((
            "flame",
            self.kind as u8,
            item.level,
            item.node,
            (item.x0 as i32),
        ));
        let response = ui.interact(r, id, Sense::click());
        let label = match item.node {
            Some(node) => self.label(doc, focus, node),
            None => format!("{} merged spans", item.count),
        };
        let info = label.clone();
        response.widget_info(move || WidgetInfo::selected(Role::Button, true, selected, &info));
        let response = response.on_hover_text(label);
        if let Some(node) = item.node {
            self.context_menu(&response, node, menu);
        }
        if response.clicked() {
            let width = f64::from(r.width().max(1.0));
            let graph_w = f64::from(ui.min_rect().width().max(1.0));
            let per_px = self.window.width() / graph_w;
            let a = self.window.start + f64::from(item.x0.max(0.0)) * per_px;
            return Some((item.node, (a, a + width * per_px)));
        }
        None
    }

    fn context_menu(&self, response: &egui::Response, node: u32, menu: &mut Option<Menu>) {
        response.context_menu(|ui| match self.kind {
            FlameKind::Trace => {
                if ui.button("Show only this subtree (S)").clicked() {
                    *menu = Some(Menu::Subtree(node));
                    ui.close();
                }
            }
            FlameKind::Aggregate if node != 0 => {
                if ui.button("Sandwich view of this operation").clicked() {
                    *menu = Some(Menu::Sandwich(node));
                    ui.close();
                }
            }
            FlameKind::Aggregate => {
                ui.weak("All traces");
            }
        });
    }

    fn fill_and_name(
        &self,
        doc: &Document,
        visuals: &egui::Visuals,
        node: u32,
    ) -> (egui::Color32, String) {
        match self.kind {
            FlameKind::Trace => match Node(node).span() {
                Some(i) => {
                    let span = &doc.data.spans[i];
                    let fill = if span.status.is_error() {
                        egui::Color32::from_rgb(240, 128, 118)
                    } else {
                        colors::service(doc.index.service_of[i])
                    };
                    (fill, span.name.to_string())
                }
                None => (
                    visuals.warn_fg_color.gamma_multiply(0.6),
                    "missing parent".into(),
                ),
            },
            FlameKind::Aggregate => match doc.index.agg.get(node as usize) {
                Some(agg) if node != 0 => (colors::service(agg.service), agg.name.clone()),
                Some(agg) => (visuals.widgets.inactive.bg_fill, agg.name.clone()),
                None => (visuals.weak_text_color(), String::new()),
            },
        }
    }
}
