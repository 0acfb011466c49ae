//! Flame graphs (icicles, root on top): the current trace on a time axis, or every loaded trace
//! merged by (service, operation) call path. Layouts are built once per trace or load
//! ([`crate::layout::FlameLayout`]); per frame only visible blocks are touched, and runs of
//! sub-pixel blocks are drawn as one hatched block labelled with their count. A trace's blocks
//! carry the critical-path band on their critical portions; a block's context menu shows only
//! its subtree (the trace's graph, narrowed like the timeline) or the sandwich of its
//! operation (the aggregated graph, which also has a left-heavy order).

mod aggregate;
mod block;
mod sandwich;

pub use aggregate::AggregateExtras;

use eframe::egui::{self, FontId, Id, Rect, Role, Sense, Stroke, Ui, WidgetInfo, pos2, vec2};

use crate::focus::Focus;
use crate::index::Node;
use crate::layout::{FlameKind, FlameLayout, Item, node_range};
use crate::load::Document;
use crate::text;
use crate::units;
use crate::views::View;
use crate::views::breadcrumb;
use crate::views::time_window::{Bounds, TimeWindow};
use crate::views::widgets::{AXIS_H, TICK_SPACING, span_label};

/// Height of one level in points.
pub const LEVEL_H: f32 = 20.0;
/// Items narrower than this are painted but not registered as widgets.
const MIN_WIDGET_W: f32 = 3.0;

/// Zoom state of one flame graph.
#[derive(Debug, Clone)]
pub struct FlameView {
    pub kind: FlameKind,
    /// Visible axis range in layout units (nanoseconds).
    pub window: TimeWindow,
    /// Which layout the view range belongs to: (trace, start, extent).
    shown: Option<(Option<usize>, u64, u64)>,
    items: Vec<Item>,
    /// The aggregated graph's left-heavy order and sandwich view.
    pub extras: AggregateExtras,
}

impl Default for FlameView {
    fn default() -> Self {
        FlameView::new(FlameKind::Trace)
    }
}

impl FlameView {
    pub fn new(kind: FlameKind) -> FlameView {
        FlameView {
            kind,
            window: TimeWindow::default(),
            shown: None,
            items: Vec::new(),
            extras: AggregateExtras::default(),
        }
    }

    fn layout<'f>(&'f self, doc: &'f Document, focus: &'f Focus) -> &'f FlameLayout {
        match self.kind {
            FlameKind::Trace => &focus.flame,
            FlameKind::Aggregate => match &self.extras.left_heavy_layout {
                Some(layout) if self.extras.left_heavy => layout,
                _ => &doc.aggregate,
            },
        }
    }

    fn label(&self, doc: &Document, focus: &Focus, node: u32) -> String {
        match self.kind {
            FlameKind::Trace => match focus.current(doc) {
                Some(trace) => span_label(doc, trace, Node(node)),
                None => String::new(),
            },
            FlameKind::Aggregate => match doc.index.agg.get(node as usize) {
                Some(agg) if node == 0 => format!("{} ({} spans)", agg.name, agg.count),
                Some(agg) => format!(
                    "{} ({}, {} spans, total {}, self {})",
                    agg.name,
                    doc.index.service_name(agg.service),
                    agg.count,
                    units::duration(agg.total),
                    units::duration(agg.self_time)
                ),
                None => String::new(),
            },
        }
    }
}

impl View for FlameView {
    fn ui(&mut self, ui: &mut Ui, doc: &Document, focus: &mut Focus) {
        if self.kind == FlameKind::Aggregate {
            self.extras.refresh(doc, focus);
        }
        let (start, extent) = {
            let layout = self.layout(doc, focus);
            (layout.start, layout.extent)
        };
        if self.layout(doc, focus).levels.is_empty() {
            ui.centered_and_justified(|ui| {
                ui.label(match self.kind {
                    FlameKind::Trace => "Select a trace in the list to see its flame graph.",
                    FlameKind::Aggregate => "Open a trace file to see the aggregated flame graph.",
                });
            });
            return;
        }
        let trace_key = (self.kind == FlameKind::Trace)
            .then_some(focus.trace)
            .flatten();
        if self.shown != Some((trace_key, start, extent)) {
            self.shown = Some((trace_key, start, extent));
            self.window = TimeWindow::new(start as f64, extent as f64);
        }
        let bounds = Bounds::between(start as f64, extent as f64);
        self.apply_request(doc, focus, bounds);
        if let (FlameKind::Trace, Some(trace)) = (self.kind, focus.current(doc)) {
            breadcrumb::narrow_bar(ui, doc, trace, focus);
        }
        self.toolbar(ui, doc, focus);
        if self.kind == FlameKind::Aggregate && self.extras.sandwich_of.is_some() {
            self.sandwich_ui(ui, doc, focus);
            return;
        }
        let rect = ui.available_rect_before_wrap();
        self.axis(ui, rect);
        let graph = ui.available_rect_before_wrap();
        let pan = ui.interact(
            graph,
            Id::unique(("flame-pan", self.kind as u8)),
            Sense::drag(),
        );
        self.window.follow_mouse(ui, &pan, graph, bounds);
        let levels = self.layout(doc, focus).levels.len();
        let mut clicked = None;
        let mut menu = None;
        egui::ScrollArea::vertical()
            .id_salt(("flame-levels", self.kind as u8))
            .auto_shrink([false, false])
            .show_viewport(ui, |ui, viewport| {
                ui.set_height(levels as f32 * LEVEL_H);
                let first = (viewport.top() / LEVEL_H).floor().max(0.0) as usize;
                let last = ((viewport.bottom() / LEVEL_H).ceil() as usize + 1).min(levels);
                let origin = ui.min_rect().left_top();
                let width = ui.available_width();
                let mut items = std::mem::take(&mut self.items);
                self.layout(doc, focus).visible(
                    (self.window.start, self.window.end),
                    width,
                    first..last,
                    &mut items,
                );
                for item in &items {
                    let r = Rect::from_min_max(
                        pos2(
                            origin.x + item.x0.max(-1.0),
                            origin.y + item.level as f32 * LEVEL_H,
                        ),
                        pos2(
                            origin.x + item.x1.min(width + 1.0),
                            origin.y + (item.level + 1) as f32 * LEVEL_H - 1.0,
                        ),
                    );
                    let full =
                        Rect::from_x_y_ranges(origin.x + item.x0..=origin.x + item.x1, r.y_range());
                    if let Some(c) = self.paint_item(ui, doc, focus, item, (r, full), &mut menu) {
                        clicked = Some(c);
                    }
                }
                self.items = items;
            });
        if let Some((node, range)) = clicked {
            self.on_click(doc, focus, node, range, bounds);
        }
        self.on_menu(doc, focus, menu);
    }
}

impl FlameView {
    fn apply_request(&mut self, doc: &Document, focus: &mut Focus, bounds: Bounds) {
        let request = &mut focus.request;
        if std::mem::take(&mut request.reset_zoom) {
            self.window = TimeWindow::new(bounds.lo, bounds.hi);
        }
        if self.kind == FlameKind::Trace
            && std::mem::take(&mut request.zoom_to_selected)
            && let (Some(node), Some(trace)) = (
                focus.node,
                focus.trace.and_then(|t| doc.index.traces.get(t)),
            )
        {
            let (a, b) = node_range(&doc.data, trace, node);
            self.window = TimeWindow::new(a as f64, (b as f64).max(a as f64 + 1.0));
        }
        self.window.apply_zoom_pan(request, bounds);
    }

    fn toolbar(&mut self, ui: &mut Ui, doc: &Document, focus: &mut Focus) {
        ui.horizontal_wrapped(|ui| {
            if ui.button("Reset zoom (0)").clicked() {
                focus.request.reset_zoom = true;
                self.extras.window = TimeWindow::new(0.0, self.extras.window_extent());
            }
            if self.kind == FlameKind::Aggregate {
                self.extras.controls(ui, doc);
            }
            let what = match self.kind {
                FlameKind::Trace => "Click a block to select and zoom to it",
                FlameKind::Aggregate if self.extras.sandwich_of.is_some() => {
                    "Callers above (their callers higher up), callees below, merged over all loaded traces; width is time · click a block for its sandwich"
                }
                FlameKind::Aggregate => "All loaded traces merged by service + operation path; width is total time",
            };
            ui.weak(format!("{what} · Ctrl+wheel zooms, drag pans · hatched blocks merge spans narrower than a pixel"));
        });
    }

    fn axis(&self, ui: &mut Ui, rect: Rect) {
        let (axis, response) = ui.allocate_exact_size(vec2(rect.width(), AXIS_H), Sense::hover());
        response.widget_info(|| WidgetInfo::labeled(Role::Label, true, "Time axis"));
        let painter = ui.painter_at(axis);
        let grid = ui.painter_at(ui.available_rect_before_wrap());
        let font = FontId::proportional(11.0);
        let color = ui.visuals().weak_text_color();
        let line = Stroke::new(1.0, ui.visuals().faint_bg_color);
        for (x, label) in self.ticks(axis) {
            text::axis_label(
                &painter,
                pos2(x + 2.0, axis.center().y),
                &label,
                &font,
                color,
                axis.right(),
            );
            grid.line_segment(
                [pos2(x, axis.top()), pos2(x, grid.clip_rect().bottom())],
                line,
            );
        }
    }

    /// Grid lines at least [`TICK_SPACING`] points apart at a round step: of time in a trace's flame graph, of
    /// percent of all time in the aggregated one.
    fn ticks(&self, axis: Rect) -> Vec<(f32, String)> {
        let width = self.window.width();
        if width <= 0.0 || axis.width() <= 0.0 {
            return Vec::new();
        }
        let per_px = width / f64::from(axis.width());
        // Axis units per label unit: 1 for nanoseconds, extent / 100 for percent.
        let unit = match self.kind {
            FlameKind::Trace => 1.0,
            FlameKind::Aggregate => self.layout_extent_hint() / 100.0,
        };
        let step = match self.kind {
            FlameKind::Trace => units::grid_step(per_px * f64::from(TICK_SPACING)),
            FlameKind::Aggregate => units::nice_step(per_px * f64::from(TICK_SPACING) / unit),
        };
        let mut k = (self.window.start / unit / step).ceil();
        let mut out = Vec::new();
        while k * step * unit <= self.window.end && out.len() < 64 {
            let t = k * step * unit;
            let x = axis.left() + ((t - self.window.start) / per_px) as f32;
            let label = match self.kind {
                FlameKind::Trace => units::tick_label(t, step),
                FlameKind::Aggregate => units::percent_label(k * step, step),
            };
            out.push((x, label));
            k += 1.0;
        }
        out
    }

    fn layout_extent_hint(&self) -> f64 {
        self.shown.map_or(1.0, |(_, _, e)| e.max(1) as f64)
    }

    fn on_click(
        &mut self,
        doc: &Document,
        focus: &mut Focus,
        node: Option<u32>,
        range: (f64, f64),
        bounds: Bounds,
    ) {
        match (self.kind, node) {
            (FlameKind::Trace, Some(node)) => {
                focus.select_node(Some(Node(node)));
                if let Some(trace) = focus.current(doc) {
                    let (a, b) = node_range(&doc.data, trace, Node(node));
                    self.window = TimeWindow::new(a as f64, (b as f64).max(a as f64 + 1.0));
                }
            }
            (FlameKind::Aggregate, Some(node)) => {
                focus.agg_node = Some(node);
                if let Some(level) = self
                    .layout(doc, focus)
                    .levels
                    .iter()
                    .find_map(|l| l.blocks.iter().find(|b| b.node == node))
                {
                    self.window = TimeWindow::new(
                        level.start as f64,
                        (level.end as f64).max(level.start as f64 + 1.0),
                    );
                }
            }
            (_, None) => {
                let pad = (range.1 - range.0) * 0.5;
                self.window = TimeWindow::new(
                    (range.0 - pad).max(bounds.lo),
                    (range.1 + pad).min(bounds.hi),
                );
            }
        }
    }
}
