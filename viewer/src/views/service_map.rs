//! The service map: services as boxes in layers by call depth (root services on the left),
//! calls as curves from caller to callee labelled with call count, errors and latency
//! percentiles. For the open trace or for every loaded trace. Clicking a service or a call
//! keeps only the traces through it in the trace list ([`Focus::through`]).

use eframe::egui::epaint::CubicBezierShape;
use eframe::egui::{
    self, Align2, Color32, FontId, Id, Pos2, Rect, Role, Sense, Stroke, StrokeKind, Ui, Vec2,
    WidgetInfo, pos2, vec2,
};

use crate::analysis::service_map::{Edge, ServiceMap, ServiceNode};
use crate::colors;
use crate::filter::Through;
use crate::focus::Focus;
use crate::load::Document;
use crate::units;
use crate::views::View;

const NODE: Vec2 = vec2(130.0, 40.0);
const COLUMN_W: f32 = 215.0;
const ROW_H: f32 = 64.0;
const MARGIN: f32 = 16.0;

/// Which traces the map is drawn for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scope {
    #[default]
    AllTraces,
    OpenTrace,
}

/// What a map was computed for: scope, open trace, document generation.
type MapKey = (Scope, Option<usize>, u64);

/// State of the service map: its scope and the map computed for it.
#[derive(Debug, Default)]
pub struct ServiceMapView {
    pub scope: Scope,
    /// The map for (scope, open trace, document generation).
    cached: Option<(MapKey, ServiceMap)>,
}

impl ServiceMapView {
    /// Computes the map when the scope, the open trace or the document changed.
    fn refresh(&mut self, doc: &Document, focus: &Focus) {
        let trace = (self.scope == Scope::OpenTrace)
            .then_some(focus.trace)
            .flatten();
        let key = (self.scope, trace, focus.generation);
        if self.cached.as_ref().map(|c| c.0) != Some(key) {
            let map = match (self.scope, trace) {
                (Scope::AllTraces, _) => ServiceMap::of_all(&doc.data, &doc.index),
                (Scope::OpenTrace, Some(t)) => {
                    ServiceMap::of_traces(&doc.data, &doc.index, [t as u32])
                }
                (Scope::OpenTrace, None) => ServiceMap::default(),
            };
            self.cached = Some((key, map));
        }
    }
}

impl View for ServiceMapView {
    fn ui(&mut self, ui: &mut Ui, doc: &Document, focus: &mut Focus) {
        ui.horizontal(|ui| {
            ui.selectable_value(&mut self.scope, Scope::AllTraces, "All loaded traces");
            ui.selectable_value(&mut self.scope, Scope::OpenTrace, "Open trace");
            ui.separator();
            ui.weak("Click a service or a call to list only the traces through it.");
        });
        self.refresh(doc, focus);
        let Some((_, map)) = &self.cached else {
            return;
        };
        if map.nodes.is_empty() {
            ui.weak(match self.scope {
                Scope::OpenTrace => "Open a trace to see the services it calls.",
                Scope::AllTraces => "No spans loaded.",
            });
            return;
        }
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        let (services, edges) = (map.nodes.len(), map.edges.len());
        ui.label(format!(
            "{services} service{}, {edges} connection{} (caller to callee)",
            plural(services),
            plural(edges)
        ));
        ui.separator();
        let places = layout(map);
        let size = places
            .iter()
            .fold(Vec2::ZERO, |s, r| s.max(r.max.to_vec2()))
            + Vec2::splat(MARGIN);
        egui::ScrollArea::both()
            .id_salt("service-map")
            .auto_shrink([false, false])
            .show(ui, |ui| {
                let (canvas, _) =
                    ui.allocate_exact_size(size.max(ui.available_size()), Sense::hover());
                let at = |r: Rect| r.translate(canvas.min.to_vec2());
                let painter = ui.painter_at(canvas);
                let mut picked = None;
                for edge in &map.edges {
                    let (from, to) = (
                        node_at(map, &places, edge.from),
                        node_at(map, &places, edge.to),
                    );
                    if let (Some(from), Some(to)) = (from, to)
                        && let Some(through) = draw_edge(ui, &painter, map, edge, at(from), at(to))
                    {
                        picked = Some(through);
                    }
                }
                for (node, &place) in map.nodes.iter().zip(&places) {
                    if draw_node(ui, &painter, node, at(place), focus) {
                        picked = Some(Through::Service(node.name.clone()));
                    }
                }
                if let Some(through) = picked {
                    focus.through = Some(through);
                }
            });
    }
}

/// Each node's box, in map coordinates: a column per layer, services by name in a column.
fn layout(map: &ServiceMap) -> Vec<Rect> {
    let mut order: Vec<usize> = (0..map.nodes.len()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&map.nodes[a], &map.nodes[b]);
        (x.layer, &x.name).cmp(&(y.layer, &y.name))
    });
    let mut places = vec![Rect::NOTHING; map.nodes.len()];
    let mut row_in_layer = 0usize;
    let mut last_layer = None;
    for k in order {
        let layer = map.nodes[k].layer;
        if last_layer != Some(layer) {
            row_in_layer = 0;
            last_layer = Some(layer);
        }
        let min = pos2(
            MARGIN + layer as f32 * COLUMN_W,
            MARGIN + row_in_layer as f32 * ROW_H,
        );
        places[k] = Rect::from_min_size(min, NODE);
        row_in_layer += 1;
    }
    places
}

fn node_at(map: &ServiceMap, places: &[Rect], service: u32) -> Option<Rect> {
    let k = map.nodes.iter().position(|n| n.service == service)?;
    places.get(k).copied()
}

/// The accessible label of a service box.
pub fn node_label(node: &ServiceNode) -> String {
    format!(
        "service {}: {} spans, {} errors",
        node.name, node.spans, node.errors
    )
}

/// The accessible label of a call: `api -> db: 12 calls, 1 error, p50 …`.
pub fn edge_label(map: &ServiceMap, edge: &Edge) -> String {
    let name = |s: u32| map.node(s).map_or("?", |n| n.name.as_str()).to_string();
    format!(
        "{} -> {}: {}",
        name(edge.from),
        name(edge.to),
        edge_numbers(edge)
    )
}

fn edge_numbers(edge: &Edge) -> String {
    let plural = |n: u64, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}, {}, p50 {} p90 {} p99 {}",
        plural(edge.calls, "call"),
        plural(edge.errors, "error"),
        units::duration(edge.p50),
        units::duration(edge.p90),
        units::duration(edge.p99)
    )
}

/// Draws a service box; true when clicked.
fn draw_node(
    ui: &Ui,
    painter: &egui::Painter,
    node: &ServiceNode,
    rect: Rect,
    focus: &Focus,
) -> bool {
    let response = ui.interact(
        rect,
        Id::unique(("service-node", node.service)),
        Sense::click(),
    );
    let label = node_label(node);
    response.widget_info(|| WidgetInfo::labeled(Role::Button, true, &label));
    let chosen = focus.through == Some(Through::Service(node.name.clone()));
    painter.rect_filled(rect, 6.0, colors::service(node.service));
    let edge = if chosen || response.hovered() {
        Stroke::new(2.0, ui.visuals().selection.stroke.color)
    } else {
        Stroke::new(1.0, colors::BAR_EDGE_LIGHT)
    };
    painter.rect_stroke(rect, 6.0, edge, StrokeKind::Inside);
    painter.text(
        rect.center() - vec2(0.0, 7.0),
        Align2::CENTER_CENTER,
        &node.name,
        FontId::proportional(13.0),
        colors::ON_BAR,
    );
    let errors = if node.errors > 0 {
        format!(" · {} err", node.errors)
    } else {
        String::new()
    };
    painter.text(
        rect.center() + vec2(0.0, 9.0),
        Align2::CENTER_CENTER,
        format!("{} spans{errors}", node.spans),
        FontId::proportional(10.0),
        colors::ON_BAR,
    );
    response.on_hover_text(label).clicked()
}

/// Draws a call as a curve with an arrow and its numbers; the call when its label is clicked.
fn draw_edge(
    ui: &Ui,
    painter: &egui::Painter,
    map: &ServiceMap,
    edge: &Edge,
    from: Rect,
    to: Rect,
) -> Option<Through> {
    let color = if edge.errors > 0 {
        colors::ERROR
    } else {
        ui.visuals().weak_text_color()
    };
    let stroke = Stroke::new(1.0 + (edge.calls as f32).log10().clamp(0.0, 3.0), color);
    let (start, end, mid) = if edge.from == edge.to {
        // A call within one service: a loop above its box.
        let (a, b) = (
            from.center_top() - vec2(30.0, 0.0),
            from.center_top() + vec2(30.0, 0.0),
        );
        let lift = vec2(0.0, -ROW_H * 0.45);
        curve(painter, [a, a + lift, b + lift, b], stroke);
        (a, b, from.center_top() + lift * 0.8)
    } else if layer_of(map, edge.to) == layer_of(map, edge.from) + 1 {
        let (a, b) = (from.right_center(), to.left_center());
        let bend = vec2(((b.x - a.x).abs() * 0.5).max(40.0), 0.0);
        curve(painter, [a, a + bend, b - bend, b], stroke);
        // Above the line, so the line and its arrow head stay visible.
        (a, b, a + (b - a) * 0.5 - vec2(0.0, 10.0))
    } else {
        // Skipping layers, within one, or backwards: under the boxes, bottom to bottom.
        let (a, b) = (from.center_bottom(), to.center_bottom());
        let low = a.y.max(b.y) + ROW_H * 0.35;
        let points = [a, pos2(a.x, low), pos2(b.x, low), b];
        curve(painter, points, stroke);
        let mid = (points[0].to_vec2()
            + points[1].to_vec2() * 3.0
            + points[2].to_vec2() * 3.0
            + points[3].to_vec2())
            / 8.0;
        (a, b, mid.to_pos2())
    };
    arrow_head(
        painter,
        end,
        arrow_from(start, end, edge.from == edge.to, map, edge),
        stroke,
    );
    let text = format!("{} · p99 {}", edge.calls, units::duration(edge.p99));
    let galley =
        painter.layout_no_wrap(text, FontId::proportional(10.0), ui.visuals().text_color());
    let rect = Rect::from_center_size(mid, galley.size() + vec2(6.0, 2.0));
    let response = ui.interact(
        rect,
        Id::unique(("service-edge", edge.from, edge.to)),
        Sense::click(),
    );
    let label = edge_label(map, edge);
    response.widget_info(|| WidgetInfo::labeled(Role::Button, true, &label));
    let fill = if response.hovered() {
        ui.visuals().widgets.hovered.bg_fill
    } else {
        ui.visuals().extreme_bg_color
    };
    painter.rect_filled(rect, 3.0, fill);
    painter.galley(rect.min + vec2(3.0, 1.0), galley, Color32::PLACEHOLDER);
    let name = |s: u32| map.node(s).map_or(String::new(), |n| n.name.clone());
    response
        .on_hover_text(label)
        .clicked()
        .then(|| Through::Call {
            from: name(edge.from),
            to: name(edge.to),
        })
}

/// The direction an arrow head at `end` points back to: left for a call into the next layer,
/// down for a curve arriving from under the boxes or a loop.
fn arrow_from(start: Pos2, end: Pos2, looped: bool, map: &ServiceMap, edge: &Edge) -> Vec2 {
    if !looped && layer_of(map, edge.to) == layer_of(map, edge.from) + 1 {
        vec2(-(end.x - start.x).signum().max(0.5), 0.0)
    } else if looped {
        vec2(0.0, -1.0)
    } else {
        vec2(0.0, 1.0)
    }
}

fn layer_of(map: &ServiceMap, service: u32) -> u16 {
    map.node(service).map_or(0, |n| n.layer)
}

fn curve(painter: &egui::Painter, points: [Pos2; 4], stroke: Stroke) {
    painter.add(CubicBezierShape::from_points_stroke(
        points,
        false,
        Color32::TRANSPARENT,
        stroke,
    ));
}

/// A small arrow head at `tip`, coming from `from`'s direction.
fn arrow_head(painter: &egui::Painter, tip: Pos2, from: Vec2, stroke: Stroke) {
    let back = from.normalized() * 7.0;
    let side = back.rot90() * 0.6;
    for s in [-1.0, 1.0] {
        painter.line_segment([tip, tip + back + side * s], stroke);
    }
}
