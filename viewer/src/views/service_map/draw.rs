//! Painting the service map from its layout: boxes, calls with arrow heads and labels, each
//! registered as a button (clicking one filters the trace list), coloured by service or, when
//! showing what changed, by the change; and the legend of those colours.

use eframe::egui::{
    self, Align2, Color32, FontId, Id, Pos2, Rect, Role, Sense, Shape, Stroke, StrokeKind, Ui,
    WidgetInfo, vec2,
};

use crate::analysis::service_map::diff::{Change, EdgeDiff, MapDiff};
use crate::analysis::service_map::layout::{Area, EdgePath, MapLayout};
use crate::analysis::service_map::{Edge, ServiceMap, ServiceNode};
use crate::colors;
use crate::filter::Through;
use crate::focus::Focus;
use crate::text;
use crate::units;

/// Font sizes at 100% zoom.
pub const NAME_SIZE: f32 = 13.0;
pub const LABEL_SIZE: f32 = 10.0;
const DETAIL_SIZE: f32 = 10.0;

/// Where map units go on screen.
pub struct Canvas {
    pub origin: Pos2,
    pub zoom: f32,
    pub painter: egui::Painter,
}

impl Canvas {
    fn point(&self, p: [f32; 2]) -> Pos2 {
        self.origin + vec2(p[0], p[1]) * self.zoom
    }

    fn rect(&self, a: &Area) -> Rect {
        Rect::from_min_max(self.point([a.left, a.top]), self.point([a.right, a.bottom]))
    }

    fn font(&self, size: f32) -> FontId {
        FontId::proportional((size * self.zoom).max(4.0))
    }
}

/// The width `text` takes at font size `size`, in points at 100% zoom.
pub fn text_width(ui: &Ui, text: &str, size: f32) -> f32 {
    let galley =
        ui.painter()
            .layout_no_wrap(text.to_string(), FontId::proportional(size), Color32::WHITE);
    galley.size().x
}

/// Draws the whole map; what to filter the trace list by when a service or a call was clicked.
pub fn map(
    ui: &Ui,
    canvas: &Canvas,
    map: &ServiceMap,
    diff: Option<&MapDiff>,
    layout: &MapLayout,
    focus: &Focus,
) -> Option<Through> {
    let mut picked = None;
    // Only what is on screen is painted and registered.
    let visible = ui.clip_rect();
    // Under the pointer: a service's calls stand out, the others fade.
    let hovered = ui.ctx().pointer_hover_pos().and_then(|p| {
        let k = layout
            .nodes
            .iter()
            .position(|a| canvas.rect(a).contains(p))?;
        Some(map.nodes[k].service)
    });
    for (k, edge) in map.edges.iter().enumerate() {
        let look = Look {
            change: diff.map(|d| d.edge_change(k)),
            lit: hovered.map(|s| edge.from == s || edge.to == s),
        };
        if let Some(path) = layout.edges.get(k)
            && visible.intersects(canvas.rect(&path.bounds()))
            && let Some(through) = draw_edge(ui, canvas, map, (k, edge), path, diff, look)
        {
            picked = Some(through);
        }
    }
    for (k, node) in map.nodes.iter().enumerate() {
        let change = diff.map(|d| d.node_change(k));
        if let Some(area) = layout.nodes.get(k)
            && visible.intersects(canvas.rect(area))
            && draw_node(ui, canvas, node, canvas.rect(area), change, focus)
        {
            picked = Some(Through::Service(node.name.clone()));
        }
    }
    picked
}

/// The colour of a change: blue added, grey removed, red worse, green better, purple for a
/// change in how often something is called.
pub fn change_color(change: Change) -> Color32 {
    match change {
        Change::Added => colors::ADDED,
        Change::Removed => colors::REMOVED,
        Change::MoreErrors => colors::ERROR,
        Change::Slower => Color32::from_rgb(235, 120, 40),
        Change::FewerErrors | Change::Faster => Color32::from_rgb(40, 170, 80),
        Change::CallCount => Color32::from_rgb(150, 90, 210),
        Change::Same => Color32::from_gray(170),
    }
}

/// The legend of the changes scope: a swatch and a word per kind of change.
pub fn legend(ui: &mut Ui, diff: &MapDiff) {
    ui.horizontal_wrapped(|ui| {
        ui.weak("Colours (services and calls):");
        for change in Change::ALL {
            let count = (diff.edges.iter().filter(|e| e.change == change).count())
                + diff.nodes.iter().filter(|n| n.change == change).count();
            // Swatch and words in one piece, so a wrapped line never parts them.
            ui.horizontal(|ui| {
                let (rect, _) = ui.allocate_exact_size(vec2(12.0, 12.0), Sense::hover());
                ui.painter().rect_filled(rect, 2.0, change_color(change));
                ui.label(format!("{} ({count})", change.describe()));
            });
        }
    });
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

/// The accessible label (and hover text) of a call when showing what changed:
/// `api -> db: slower (p50 or p99); A: 10.0 calls per trace, … ; B: …`.
fn diff_label(e: &EdgeDiff) -> String {
    let side = |name: &str, n: Option<crate::analysis::service_map::diff::CallNumbers>| match n {
        Some(n) => format!(
            "{name}: {:.1} calls per trace, {:.1}% errors, p50 {} p99 {}",
            n.calls_per_trace,
            n.error_rate() * 100.0,
            units::duration(n.p50),
            units::duration(n.p99)
        ),
        None => format!("{name}: none"),
    };
    format!(
        "{} -> {}: {}; {}; {}",
        e.from,
        e.to,
        e.change.describe(),
        side("A", e.a),
        side("B", e.b)
    )
}

/// The short text written on call `k`: count and p99, or when showing what changed, the
/// change.
pub fn edge_text(map: &ServiceMap, diff: Option<&MapDiff>, k: usize) -> String {
    let plain = |e: &Edge| format!("{} · p99 {}", e.calls, units::duration(e.p99));
    let Some(e) = diff.and_then(|d| d.edges.get(k)) else {
        return map.edges.get(k).map_or(String::new(), plain);
    };
    let percent = |a: u64, b: u64| {
        let r = crate::analysis::service_map::diff::relative(a as f64, b as f64);
        format!("{:+.0}%", r * 100.0)
    };
    match (e.change, e.a, e.b) {
        (Change::Added, _, Some(b)) => format!("added · p99 {}", units::duration(b.p99)),
        (Change::Removed, Some(a), _) => format!("removed · was {}", a.calls),
        (Change::MoreErrors | Change::FewerErrors, Some(a), Some(b)) => format!(
            "errors {:.0}% -> {:.0}%",
            a.error_rate() * 100.0,
            b.error_rate() * 100.0
        ),
        (Change::Slower | Change::Faster, Some(a), Some(b)) => {
            format!(
                "p50 {} p99 {}",
                percent(a.p50, b.p50),
                percent(a.p99, b.p99)
            )
        }
        (Change::CallCount, Some(a), Some(b)) => {
            format!(
                "{:.1} -> {:.1} per trace",
                a.calls_per_trace, b.calls_per_trace
            )
        }
        _ => map.edges.get(k).map_or(String::new(), plain),
    }
}

/// Draws a service box; true when clicked.
fn draw_node(
    ui: &Ui,
    canvas: &Canvas,
    node: &ServiceNode,
    rect: Rect,
    change: Option<Change>,
    focus: &Focus,
) -> bool {
    let response = ui.interact(
        rect,
        Id::unique(("service-node", node.service)),
        Sense::click(),
    );
    let label = match change {
        Some(c) => format!("service {}: {}", node.name, c.describe()),
        None => node_label(node),
    };
    response.widget_info(|| WidgetInfo::labeled(Role::Button, true, &label));
    let chosen = focus.through == Some(Through::Service(node.name.clone()));
    let fill = match change {
        Some(c) => change_color(c),
        None => colors::service(node.service),
    };
    let painter = &canvas.painter;
    let round = 6.0 * canvas.zoom;
    painter.rect_filled(rect, round, fill);
    let edge = if chosen || response.hovered() {
        Stroke::new(2.0, ui.visuals().selection.stroke.color)
    } else {
        Stroke::new(1.0, colors::BAR_EDGE_LIGHT)
    };
    painter.rect_stroke(rect, round, edge, StrokeKind::Inside);
    let z = canvas.zoom;
    text::fitted(
        painter,
        rect.center() - vec2(0.0, 7.0 * z),
        Align2::CENTER_CENTER,
        &node.name,
        canvas.font(NAME_SIZE),
        colors::ON_BAR,
        rect.width() - 6.0 * z,
    );
    let errors = if node.errors > 0 {
        format!(" · {} err", node.errors)
    } else {
        String::new()
    };
    text::fitted(
        painter,
        rect.center() + vec2(0.0, 9.0 * z),
        Align2::CENTER_CENTER,
        &format!("{} spans{errors}", node.spans),
        canvas.font(DETAIL_SIZE),
        colors::ON_BAR,
        rect.width() - 6.0 * z,
    );
    response.on_hover_text(label).clicked()
}

/// How a call is drawn: coloured by its change (when showing what changed), and lit or
/// faded while a service is under the pointer (lit: it is one of that service's calls).
#[derive(Debug, Clone, Copy)]
struct Look {
    change: Option<Change>,
    lit: Option<bool>,
}

/// Draws a call along its path with an arrow head and its label; the call when its label is
/// clicked.
fn draw_edge(
    ui: &Ui,
    canvas: &Canvas,
    map: &ServiceMap,
    (k, edge): (usize, &Edge),
    path: &EdgePath,
    diff: Option<&MapDiff>,
    look: Look,
) -> Option<Through> {
    let change = look.change;
    let color = match change {
        Some(c) => change_color(c),
        None if edge.errors > 0 => colors::ERROR,
        None => ui.visuals().weak_text_color(),
    };
    let (color, extra) = match look.lit {
        Some(true) => (color, 1.5),
        Some(false) => (color.gamma_multiply(0.25), 0.0),
        None => (color, 0.0),
    };
    let width = 1.0 + extra + (edge.calls as f32).log10().clamp(0.0, 3.0) * 0.8;
    let stroke = Stroke::new((width * canvas.zoom).max(0.8), color);
    let points: Vec<Pos2> = path
        .polyline(10)
        .into_iter()
        .map(|p| canvas.point(p))
        .collect();
    let painter = &canvas.painter;
    if change == Some(Change::Removed) {
        painter.extend(Shape::dashed_line(&points, stroke, 6.0, 4.0));
    } else {
        painter.add(Shape::line(points.clone(), stroke));
    }
    if let Some(&tip) = points.last() {
        arrow_head(painter, tip, path.arrival(), stroke, canvas.zoom);
    }
    let rect = canvas.rect(&path.label);
    let response = ui.interact(
        rect,
        Id::unique(("service-edge", edge.from, edge.to)),
        Sense::click(),
    );
    // Written out only when asked for (by screen readers, or on hover).
    let label = || match diff.and_then(|d| d.edges.get(k)) {
        Some(e) => diff_label(e),
        None => edge_label(map, edge),
    };
    response.widget_info(|| WidgetInfo::labeled(Role::Button, true, label()));
    let fill = if response.hovered() {
        ui.visuals().widgets.hovered.bg_fill
    } else {
        ui.visuals().extreme_bg_color
    };
    painter.rect_filled(rect, 3.0 * canvas.zoom, fill);
    if change.is_some() {
        painter.rect_stroke(
            rect,
            3.0 * canvas.zoom,
            Stroke::new(1.0, color),
            StrokeKind::Inside,
        );
    }
    text::fitted(
        painter,
        rect.center(),
        Align2::CENTER_CENTER,
        &edge_text(map, diff, k),
        canvas.font(LABEL_SIZE),
        ui.visuals().text_color(),
        rect.width(),
    );
    let name = |s: u32| map.node(s).map_or(String::new(), |n| n.name.clone());
    response
        .on_hover_ui(|ui| {
            ui.label(label());
        })
        .clicked()
        .then(|| Through::Call {
            from: name(edge.from),
            to: name(edge.to),
        })
}

/// A small arrow head at `tip`, pointing along `direction`.
fn arrow_head(painter: &egui::Painter, tip: Pos2, direction: [f32; 2], stroke: Stroke, zoom: f32) {
    let d = vec2(direction[0], direction[1]);
    if d.length() < 1e-6 {
        return;
    }
    let back = -d.normalized() * 7.0 * zoom.max(0.5);
    let side = back.rot90() * 0.6;
    for s in [-1.0, 1.0] {
        painter.line_segment([tip, tip + back + side * s], stroke);
    }
}
