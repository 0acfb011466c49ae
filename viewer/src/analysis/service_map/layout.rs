//! Where the service map draws its boxes, calls and labels, in map units (points at 100%
//! zoom). No egui here.
//!
//! Layers are columns, wide enough for their widest box; the calls' labels sit in the gaps
//! between columns, stacked so none overlaps another. Within a column the boxes are ordered
//! to reduce crossings ([`super::order`]) and moved towards their neighbours without ever
//! overlapping. A call spanning several columns crosses each one in a slot of its own, a
//! call back to an earlier column does the same leftwards, so no call is drawn through a
//! box; a service calling itself gets a loop in the room reserved above its box.

use super::ServiceMap;
use super::order::{Layers, Slot};
use place::{place_vertically, spread_labels};

mod place;

pub const NODE_H: f32 = 40.0;
pub const NODE_MIN_W: f32 = 96.0;
pub const NODE_MAX_W: f32 = 200.0;
/// Between columns: room for the calls' curves and their labels.
pub const GAP_W: f32 = 150.0;
/// Height of a call's label.
pub const LABEL_H: f32 = 15.0;
/// Room above a box for the loop of a service calling itself (and its label).
pub const LOOP_H: f32 = 34.0;
pub const MARGIN: f32 = 16.0;
/// Height of a call's slot in a column it crosses.
const PASS_H: f32 = 8.0;
const GAP_Y: f32 = 14.0;
const PASS_GAP_Y: f32 = 4.0;
const SWEEPS: usize = 24;

/// An axis-aligned rectangle in map units.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Area {
    pub left: f32,
    pub top: f32,
    pub right: f32,
    pub bottom: f32,
}

impl Area {
    pub fn new(left: f32, top: f32, w: f32, h: f32) -> Area {
        Area {
            left,
            top,
            right: left + w,
            bottom: top + h,
        }
    }

    pub fn center(&self) -> [f32; 2] {
        [
            (self.left + self.right) / 2.0,
            (self.top + self.bottom) / 2.0,
        ]
    }

    /// Whether the two share more than an edge.
    pub fn overlaps(&self, other: &Area) -> bool {
        self.left < other.right
            && other.left < self.right
            && self.top < other.bottom
            && other.top < self.bottom
    }

    /// Whether `p` is strictly inside.
    pub fn contains(&self, p: [f32; 2]) -> bool {
        self.left < p[0] && p[0] < self.right && self.top < p[1] && p[1] < self.bottom
    }
}

/// A piece of a call's path.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Piece {
    Line([[f32; 2]; 2]),
    /// A cubic Bézier curve: start, two control points, end.
    Curve([[f32; 2]; 4]),
}

impl Piece {
    /// The point at `t` in 0..=1.
    pub fn at(&self, t: f32) -> [f32; 2] {
        let lerp =
            |a: [f32; 2], b: [f32; 2], t: f32| [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t];
        match *self {
            Piece::Line([a, b]) => lerp(a, b, t),
            Piece::Curve([a, b, c, d]) => {
                let (ab, bc, cd) = (lerp(a, b, t), lerp(b, c, t), lerp(c, d, t));
                lerp(lerp(ab, bc, t), lerp(bc, cd, t), t)
            }
        }
    }
}

/// How a call is drawn.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EdgePath {
    /// From the caller's box to the callee's, in order; the arrow head is at the end.
    pub pieces: Vec<Piece>,
    /// Where its numbers are written.
    pub label: Area,
}

impl EdgePath {
    /// The direction the path arrives in at its end (not normalised).
    pub fn arrival(&self) -> [f32; 2] {
        match self.pieces.last() {
            Some(p) => {
                let (a, b) = (p.at(0.9), p.at(1.0));
                [b[0] - a[0], b[1] - a[1]]
            }
            None => [1.0, 0.0],
        }
    }

    /// The points to draw it through: a line's two ends, `steps` + 1 points along a curve
    /// (each piece's end is the next one's start, kept once).
    pub fn polyline(&self, steps: usize) -> Vec<[f32; 2]> {
        let steps = steps.max(1);
        let mut points: Vec<[f32; 2]> = Vec::new();
        for piece in &self.pieces {
            let n = match piece {
                Piece::Line(_) => 1,
                Piece::Curve(_) => steps,
            };
            let from = usize::from(!points.is_empty());
            points.extend((from..=n).map(|k| piece.at(k as f32 / n as f32)));
        }
        points
    }

    /// A rectangle holding the whole path and its label (a curve stays within its control
    /// points).
    pub fn bounds(&self) -> Area {
        let mut area = self.label;
        for piece in &self.pieces {
            let points: &[[f32; 2]] = match piece {
                Piece::Line(p) => p,
                Piece::Curve(p) => p,
            };
            for p in points {
                area.left = area.left.min(p[0]);
                area.right = area.right.max(p[0]);
                area.top = area.top.min(p[1]);
                area.bottom = area.bottom.max(p[1]);
            }
        }
        area
    }

    /// `n` points along each piece (for hit tests and the layout's own checks).
    pub fn sample(&self, n: usize) -> Vec<[f32; 2]> {
        let n = n.max(1);
        self.pieces
            .iter()
            .flat_map(|p| (0..=n).map(move |k| p.at(k as f32 / n as f32)))
            .collect()
    }
}

/// Everything's place on the map.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MapLayout {
    /// By `ServiceMap::nodes` position.
    pub nodes: Vec<Area>,
    /// By `ServiceMap::edges` position.
    pub edges: Vec<EdgePath>,
    /// Width and height of the whole map.
    pub size: [f32; 2],
    /// Pairs of calls crossing between adjacent columns.
    pub crossings: usize,
}

/// The widths the map's text needs: each node's name, each call's label.
#[derive(Debug, Clone, Default)]
pub struct TextWidths {
    pub nodes: Vec<f32>,
    pub labels: Vec<f32>,
}

impl MapLayout {
    /// Lays `map` out with crossings reduced.
    pub fn new(map: &ServiceMap, widths: &TextWidths) -> MapLayout {
        MapLayout::with_sweeps(map, widths, SWEEPS)
    }

    /// Lays `map` out with `sweeps` rounds of crossing reduction (0: boxes by name, each
    /// column's call slots below its boxes).
    pub fn with_sweeps(map: &ServiceMap, widths: &TextWidths, sweeps: usize) -> MapLayout {
        let columns = columns(map);
        let mut layers = slots(map, &columns);
        layers.reduce_crossings(sweeps);
        let looped = |k: usize| {
            let s = map.nodes[k].service;
            map.edges.iter().any(|e| e.from == s && e.to == s)
        };
        let width = |k: usize| {
            widths
                .nodes
                .get(k)
                .copied()
                .unwrap_or(NODE_MIN_W)
                .clamp(NODE_MIN_W, NODE_MAX_W)
        };
        let heights: Vec<f32> = (layers.slots.iter())
            .map(|&(slot, _)| match slot {
                Slot::Node(k) if looped(k) => NODE_H + LOOP_H,
                Slot::Node(_) => NODE_H,
                Slot::Pass(_) => PASS_H,
            })
            .collect();
        let tops = place_vertically(&layers, &heights);
        let mut x = MARGIN;
        let mut spans = Vec::new();
        for layer in &layers.order {
            let w = (layer.iter())
                .filter_map(|&s| match layers.slots[s].0 {
                    Slot::Node(k) => Some(width(k)),
                    Slot::Pass(_) => None,
                })
                .fold(NODE_MIN_W, f32::max);
            spans.push((x, x + w));
            x += w + GAP_W;
        }
        let mut nodes = vec![Area::default(); map.nodes.len()];
        let mut passes: Vec<Vec<(usize, f32)>> = vec![Vec::new(); map.edges.len()];
        for (s, &(slot, layer)) in layers.slots.iter().enumerate() {
            let (left, right) = spans[layer];
            match slot {
                Slot::Node(k) => {
                    let w = width(k);
                    let top = tops[s] + heights[s] - NODE_H;
                    nodes[k] = Area::new(left + (right - left - w) / 2.0, top, w, NODE_H);
                }
                Slot::Pass(e) => passes[e].push((layer, tops[s] + PASS_H / 2.0)),
            }
        }
        let geometry = Geometry {
            map,
            columns: &columns,
            spans: &spans,
            nodes: &nodes,
        };
        let mut edges: Vec<EdgePath> = (0..map.edges.len())
            .map(|e| {
                geometry.path(
                    e,
                    &mut passes[e],
                    widths.labels.get(e).copied().unwrap_or(60.0),
                )
            })
            .collect();
        spread_labels(&mut edges, &nodes);
        let mut size = [0.0f32, 0.0f32];
        for a in nodes.iter().chain(edges.iter().map(|e| &e.label)) {
            size = [size[0].max(a.right), size[1].max(a.bottom)];
        }
        MapLayout {
            nodes,
            edges,
            size: [size[0] + MARGIN, size[1] + MARGIN],
            crossings: layers.crossings(),
        }
    }
}

/// Each node's column: its layer, with empty layers closed up.
fn columns(map: &ServiceMap) -> Vec<usize> {
    let mut used: Vec<u16> = map.nodes.iter().map(|n| n.layer).collect();
    used.sort_unstable();
    used.dedup();
    (map.nodes.iter())
        .map(|n| used.binary_search(&n.layer).unwrap_or(0))
        .collect()
}

/// The slots of every column: boxes by name, then one slot per call crossing the column.
fn slots(map: &ServiceMap, columns: &[usize]) -> Layers {
    let mut layers = Layers::default();
    let mut by_name: Vec<usize> = (0..map.nodes.len()).collect();
    by_name.sort_by(|&a, &b| map.nodes[a].name.cmp(&map.nodes[b].name));
    let mut slot_of = vec![0; map.nodes.len()];
    for k in by_name {
        slot_of[k] = layers.push(Slot::Node(k), columns[k]);
    }
    let column_of = |service: u32| map.nodes.iter().position(|n| n.service == service);
    for (e, edge) in map.edges.iter().enumerate() {
        let (Some(a), Some(b)) = (column_of(edge.from), column_of(edge.to)) else {
            continue;
        };
        let (lo, hi) = if columns[a] <= columns[b] {
            (a, b)
        } else {
            (b, a)
        };
        let mut prev = slot_of[lo];
        for layer in columns[lo] + 1..columns[hi] {
            let pass = layers.push(Slot::Pass(e), layer);
            layers.links.push((prev, pass));
            prev = pass;
        }
        if columns[lo] < columns[hi] {
            layers.links.push((prev, slot_of[hi]));
        }
    }
    layers
}

/// What a call's path is built from.
struct Geometry<'a> {
    map: &'a ServiceMap,
    columns: &'a [usize],
    /// Each column's (left, right).
    spans: &'a [(f32, f32)],
    nodes: &'a [Area],
}

impl Geometry<'_> {
    /// The path of call `e` through its slots `passes` (layer, centre y) and its label's
    /// wanted place (before labels are spread apart).
    fn path(&self, e: usize, passes: &mut [(usize, f32)], label_w: f32) -> EdgePath {
        let edge = &self.map.edges[e];
        let at = |service: u32| self.map.nodes.iter().position(|n| n.service == service);
        let (Some(a), Some(b)) = (at(edge.from), at(edge.to)) else {
            return EdgePath::default();
        };
        let (from, to) = (self.nodes[a], self.nodes[b]);
        let label_w = label_w.min(GAP_W - 8.0);
        if a == b {
            return self.loop_path(from, label_w);
        }
        let (ca, cb) = (self.columns[a], self.columns[b]);
        if ca == cb {
            return self.side_path(from, to, ca, label_w);
        }
        // Rightwards for a call to a later column, leftwards for one back.
        let right = ca < cb;
        passes.sort_by_key(|p| if right { p.0 } else { usize::MAX - p.0 });
        let (y0, y1) = (from.center()[1], to.center()[1]);
        let (out_x, in_x) = if right {
            (from.right, to.left)
        } else {
            (from.left, to.right)
        };
        let column_exit = |c: usize| {
            if right {
                self.spans[c].1
            } else {
                self.spans[c].0
            }
        };
        let column_entry = |c: usize| {
            if right {
                self.spans[c].0
            } else {
                self.spans[c].1
            }
        };
        let mut pieces = vec![Piece::Line([[out_x, y0], [column_exit(ca), y0]])];
        let mut at_point = [column_exit(ca), y0];
        for &(layer, y) in passes.iter() {
            let entry = [column_entry(layer), y];
            pieces.push(s_curve(at_point, entry));
            let exit = [column_exit(layer), y];
            pieces.push(Piece::Line([entry, exit]));
            at_point = exit;
        }
        let entry = [column_entry(cb), y1];
        pieces.push(s_curve(at_point, entry));
        pieces.push(Piece::Line([entry, [in_x, y1]]));
        // The label in the first gap, halfway down the first curve.
        let first = pieces[1];
        let mid = first.at(0.5);
        let gap_centre = (first.at(0.0)[0] + first.at(1.0)[0]) / 2.0;
        let label = Area::new(
            gap_centre - label_w / 2.0,
            mid[1] - LABEL_H / 2.0,
            label_w,
            LABEL_H,
        );
        EdgePath { pieces, label }
    }

    /// A service calling itself: a loop above its box, the label above the loop.
    fn loop_path(&self, node: Area, label_w: f32) -> EdgePath {
        let c = node.center()[0];
        let (a, b) = ([c - 20.0, node.top], [c + 20.0, node.top]);
        let lift = LOOP_H - LABEL_H - 2.0;
        let pieces = vec![Piece::Curve([
            a,
            [a[0] - 6.0, a[1] - lift * 1.3],
            [b[0] + 6.0, b[1] - lift * 1.3],
            b,
        ])];
        let w = label_w.min(node.right - node.left);
        let label = Area::new(c - w / 2.0, node.top - LOOP_H, w, LABEL_H);
        EdgePath { pieces, label }
    }

    /// A call between two boxes of one column: a bow into the gap right of it.
    fn side_path(&self, from: Area, to: Area, column: usize, label_w: f32) -> EdgePath {
        let right = self.spans[column].1;
        let (a, b) = ([from.right, from.center()[1]], [to.right, to.center()[1]]);
        let bow = right + GAP_W * 0.35;
        let pieces = vec![
            Piece::Line([a, [right, a[1]]]),
            Piece::Curve([[right, a[1]], [bow, a[1]], [bow, b[1]], [right, b[1]]]),
            Piece::Line([[right, b[1]], b]),
        ];
        let centre = right + GAP_W / 2.0;
        let mid = (a[1] + b[1]) / 2.0;
        let label = Area::new(
            centre - label_w / 2.0,
            mid - LABEL_H / 2.0,
            label_w,
            LABEL_H,
        );
        EdgePath { pieces, label }
    }
}

/// A curve from `a` to `b` leaving and arriving horizontally: it never leaves the band
/// between their x coordinates.
fn s_curve(a: [f32; 2], b: [f32; 2]) -> Piece {
    let mid = (a[0] + b[0]) / 2.0;
    Piece::Curve([a, [mid, a[1]], [mid, b[1]], b])
}

#[cfg(test)]
mod tests;
