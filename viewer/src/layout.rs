//! Timeline rows and flame-graph blocks, computed once when the trace, the collapsed set or the
//! search changes, never per frame. Per frame only [`FlameLayout::visible`] runs: it culls
//! blocks outside the view and merges runs of blocks narrower than a pixel into one marked
//! item, walking a max-end segment tree so a level of 100,000 tiny spans costs a few hundred
//! steps instead of 100,000.

use std::collections::HashSet;

use spindle_formats::{SpanId, TraceData};

use crate::index::{Index, Node, Trace};

/// One row of the waterfall.
#[derive(Debug, Clone, Copy)]
pub struct Row {
    pub node: Node,
    pub depth: u16,
    pub has_children: bool,
    pub collapsed: bool,
    pub is_match: bool,
}

/// Start and end of a node relative to the trace start.
pub fn node_range(data: &TraceData, trace: &Trace, node: Node) -> (u64, u64) {
    match node.span() {
        Some(i) => {
            let s = &data.spans[i];
            let a = s.start_unix_nanos.saturating_sub(trace.start);
            (a, s.end_unix_nanos.saturating_sub(trace.start).max(a))
        }
        None => {
            let mut range = (u64::MAX, 0);
            for &o in &trace.orphans {
                let s = &data.spans[o as usize];
                range.0 = range.0.min(s.start_unix_nanos.saturating_sub(trace.start));
                range.1 = range.1.max(s.end_unix_nanos.saturating_sub(trace.start));
            }
            (range.0.min(range.1), range.1)
        }
    }
}

/// The key a collapsed node is remembered by (stable across reloads).
pub fn node_key(data: &TraceData, node: Node) -> SpanId {
    node.span()
        .map_or(SpanId::INVALID, |i| data.spans[i].span_id)
}

/// The waterfall of one trace.
#[derive(Debug, Clone, Default)]
pub struct TimelineLayout {
    pub rows: Vec<Row>,
    /// Trace duration in nanoseconds (the time axis runs from 0 to this).
    pub duration: u64,
    /// Spans running in each of [`MINIMAP_BUCKETS`] equal slices of the trace, scaled to 0..=1
    /// (square root, so a lone span still shows beside a crowd): the minimap's bars. A trace
    /// of one span fills the strip.
    pub density: Vec<f32>,
}

pub const MINIMAP_BUCKETS: usize = 256;

/// Which rows to show.
#[derive(Debug, Clone, Copy)]
pub struct RowFilter<'a> {
    pub collapsed: &'a HashSet<SpanId>,
    pub matches: &'a HashSet<Node>,
    pub matches_only: bool,
}

impl TimelineLayout {
    /// O(spans in the trace).
    pub fn build(data: &TraceData, index: &Index, trace: &Trace, filter: RowFilter<'_>) -> Self {
        let keep = if filter.matches_only {
            keep_matches_and_ancestors(trace, filter.matches)
        } else {
            Vec::new()
        };
        let mut rows = Vec::new();
        let mut skip_below: Option<u16> = None;
        for (pos, (&node, &depth)) in trace.order.iter().zip(&trace.depths).enumerate() {
            if let Some(d) = skip_below {
                if depth > d {
                    continue;
                }
                skip_below = None;
            }
            if filter.matches_only && !keep[pos] {
                continue;
            }
            let collapsed = filter.collapsed.contains(&node_key(data, node));
            if collapsed {
                skip_below = Some(depth);
            }
            rows.push(Row {
                node,
                depth,
                has_children: !index.node_children(trace, node).is_empty(),
                collapsed,
                is_match: filter.matches.contains(&node),
            });
        }
        let duration = trace.duration().max(1);
        let density = running_spans(data, trace, duration);
        TimelineLayout {
            rows,
            duration,
            density,
        }
    }

    /// Row of a node, if shown.
    pub fn row_of(&self, node: Node) -> Option<usize> {
        self.rows.iter().position(|r| r.node == node)
    }
}

/// Spans running in each minimap slice, scaled to 0..=1: +1 where a span starts, -1 after its
/// last slice, summed. O(spans + slices).
fn running_spans(data: &TraceData, trace: &Trace, duration: u64) -> Vec<f32> {
    let bucket = |t: u64| {
        let b = (t as f64 / duration as f64 * MINIMAP_BUCKETS as f64) as usize;
        b.min(MINIMAP_BUCKETS - 1)
    };
    let mut steps = vec![0i64; MINIMAP_BUCKETS + 1];
    for node in trace.order.iter().filter(|n| n.span().is_some()) {
        let (a, b) = node_range(data, trace, *node);
        steps[bucket(a)] += 1;
        steps[bucket(b) + 1] -= 1;
    }
    let mut running = 0i64;
    let mut density: Vec<f32> = steps[..MINIMAP_BUCKETS]
        .iter()
        .map(|d| {
            running += d;
            running as f32
        })
        .collect();
    let max = density.iter().copied().fold(1.0, f32::max);
    density.iter_mut().for_each(|d| *d = (*d / max).sqrt());
    density
}

/// True for each position of `trace.order` that matches or has a matching descendant.
fn keep_matches_and_ancestors(trace: &Trace, matches: &HashSet<Node>) -> Vec<bool> {
    let mut keep = vec![false; trace.order.len()];
    // below[d]: some node at depth d seen since the last node at depth < d is kept.
    let mut below: Vec<bool> = Vec::new();
    for pos in (0..trace.order.len()).rev() {
        let d = trace.depths[pos] as usize;
        if below.len() < d + 2 {
            below.resize(d + 2, false);
        }
        let k = matches.contains(&trace.order[pos]) || below[d + 1];
        below[d + 1] = false;
        below[d] |= k;
        keep[pos] = k;
    }
    keep
}

/// One block of a flame graph; `node` is a span index, [`Node::MISSING_PARENT`]'s value, or an
/// aggregated node, depending on the layout.
#[derive(Debug, Clone, Copy)]
pub struct Block {
    pub start: u64,
    pub end: u64,
    pub node: u32,
}

/// Blocks of one depth, sorted by start, with a segment tree of max end for culling.
#[derive(Debug, Clone, Default)]
pub struct Level {
    pub blocks: Vec<Block>,
    tree: Vec<u64>,
    leaves: usize,
}

impl Level {
    fn new(mut blocks: Vec<Block>) -> Level {
        blocks.sort_by_key(|b| (b.start, b.end));
        let leaves = blocks.len().next_power_of_two().max(1);
        let mut tree = vec![0u64; 2 * leaves];
        for (i, b) in blocks.iter().enumerate() {
            tree[leaves + i] = b.end;
        }
        for i in (1..leaves).rev() {
            tree[i] = tree[2 * i].max(tree[2 * i + 1]);
        }
        Level {
            blocks,
            tree,
            leaves,
        }
    }
}

/// What kind of nodes a flame layout holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FlameKind {
    #[default]
    Trace,
    Aggregate,
}

/// A flame graph laid out once: levels of blocks on an axis from 0 to `extent`.
#[derive(Debug, Clone, Default)]
pub struct FlameLayout {
    pub kind: FlameKind,
    pub levels: Vec<Level>,
    pub extent: u64,
}

/// A thing to draw this frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Item {
    pub level: usize,
    /// Pixel x range relative to the left of the graph.
    pub x0: f32,
    pub x1: f32,
    /// Set for one block; `None` for a merged run of tiny blocks.
    pub node: Option<u32>,
    /// How many blocks this item stands for.
    pub count: usize,
}

/// Blocks narrower than this many pixels are merged with their neighbours.
pub const MERGE_PX: f32 = 2.0;

impl FlameLayout {
    /// The icicle of one trace: one level per depth, times relative to the trace start.
    pub fn for_trace(data: &TraceData, trace: &Trace) -> FlameLayout {
        let mut levels: Vec<Vec<Block>> = Vec::new();
        for (&node, &depth) in trace.order.iter().zip(&trace.depths) {
            let (start, end) = node_range(data, trace, node);
            let d = depth as usize;
            if levels.len() <= d {
                levels.resize_with(d + 1, Vec::new);
            }
            levels[d].push(Block {
                start,
                end,
                node: node.0,
            });
        }
        FlameLayout {
            kind: FlameKind::Trace,
            levels: levels.into_iter().map(Level::new).collect(),
            extent: trace.duration().max(1),
        }
    }

    /// The aggregated flame graph of all traces: each call path's width is its total time;
    /// children that add up to more than their parent (parallel work) are scaled to fit.
    pub fn aggregate(index: &Index) -> FlameLayout {
        let mut levels: Vec<Vec<Block>> = Vec::new();
        let Some(root) = index.agg.first() else {
            return FlameLayout::default();
        };
        let extent = root.total.max(1);
        let mut stack = vec![(0u32, 0u64, extent, 0usize)];
        while let Some((node, start, width, depth)) = stack.pop() {
            if levels.len() <= depth {
                levels.resize_with(depth + 1, Vec::new);
            }
            levels[depth].push(Block {
                start,
                end: start + width,
                node,
            });
            let agg = &index.agg[node as usize];
            let sum: u64 = agg
                .children
                .iter()
                .map(|&c| index.agg[c as usize].total)
                .sum();
            let scale = if sum > width {
                width as f64 / sum as f64
            } else {
                1.0
            };
            let mut x = start;
            for &c in &agg.children {
                let w = (index.agg[c as usize].total as f64 * scale) as u64;
                stack.push((c, x, w, depth + 1));
                x += w;
            }
        }
        FlameLayout {
            kind: FlameKind::Aggregate,
            levels: levels.into_iter().map(Level::new).collect(),
            extent,
        }
    }

    /// Items to draw for the axis range `view` (in layout units) over `width` pixels, for levels
    /// `levels`. Touches only visible blocks; tiny neighbours come back merged.
    pub fn visible(
        &self,
        view: (f64, f64),
        width: f32,
        levels: std::ops::Range<usize>,
        out: &mut Vec<Item>,
    ) {
        out.clear();
        let span = (view.1 - view.0).max(1e-9);
        let scale = f64::from(width) / span;
        let x_of = |t: u64| ((t as f64 - view.0) * scale) as f32;
        for (l, level) in self.levels.iter().enumerate() {
            if !levels.contains(&l) || level.blocks.is_empty() {
                continue;
            }
            let mut cx = Cull {
                level,
                l,
                view,
                x_of: &x_of,
                out,
            };
            cx.walk(1, 0, level.leaves);
        }
    }

    /// The block at a pixel position, for hit-testing clicks on merged areas.
    pub fn block_at(&self, level: usize, t: f64) -> Option<&Block> {
        let level = self.levels.get(level)?;
        let at = level.blocks.partition_point(|b| (b.start as f64) <= t);
        level.blocks[..at]
            .iter()
            .rev()
            .take(64)
            .find(|b| (b.end as f64) >= t)
    }
}

struct Cull<'a, F: Fn(u64) -> f32> {
    level: &'a Level,
    l: usize,
    view: (f64, f64),
    x_of: &'a F,
    out: &'a mut Vec<Item>,
}

impl<F: Fn(u64) -> f32> Cull<'_, F> {
    /// Visits segment-tree node `t` covering leaves `lo..hi`.
    fn walk(&mut self, t: usize, lo: usize, hi: usize) {
        let blocks = &self.level.blocks;
        if lo >= blocks.len() {
            return;
        }
        let max_end = self.level.tree[t];
        let first_start = blocks[lo].start;
        if (max_end as f64) < self.view.0 || (first_start as f64) > self.view.1 {
            return;
        }
        let real_hi = hi.min(blocks.len());
        let x0 = (self.x_of)(first_start);
        let x1 = (self.x_of)(max_end);
        if real_hi - lo == 1 {
            self.out.push(Item {
                level: self.l,
                x0,
                x1: x1.max(x0 + 1.0),
                node: Some(blocks[lo].node),
                count: 1,
            });
        } else if x1 - x0 < MERGE_PX {
            self.push_merged(x0, x1, real_hi - lo);
        } else {
            let mid = (lo + hi) / 2;
            self.walk(2 * t, lo, mid);
            self.walk(2 * t + 1, mid, hi);
        }
    }

    /// Adds a merged run, joining it to the previous merged item when they touch.
    fn push_merged(&mut self, x0: f32, x1: f32, count: usize) {
        if let Some(last) = self.out.last_mut()
            && last.level == self.l
            && last.node.is_none()
            && x0 <= last.x1 + 0.5
            && x1.max(last.x1) - last.x0 < 3.0 * MERGE_PX
        {
            last.x1 = last.x1.max(x1);
            last.count += count;
            return;
        }
        self.out.push(Item {
            level: self.l,
            x0,
            x1: x1.max(x0 + 1.0),
            node: None,
            count,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture;
    use crate::load::Document;

    fn layout(data: TraceData) -> TimelineLayout {
        let doc = Document::from_data(data);
        let none = HashSet::new();
        let filter = RowFilter {
            collapsed: &none,
            matches: &HashSet::new(),
            matches_only: false,
        };
        TimelineLayout::build(&doc.data, &doc.index, &doc.index.traces[0], filter)
    }

    #[test]
    fn minimap_of_one_span_fills_the_strip() {
        let layout = layout(fixture::wide_trace(1, 2));
        assert_eq!(layout.rows.len(), 1);
        assert_eq!(layout.density.len(), MINIMAP_BUCKETS);
        assert!(
            layout.density.iter().all(|&d| d == 1.0),
            "{:?}",
            layout.density
        );
    }

    #[test]
    fn minimap_counts_running_spans() {
        // A root over the whole trace and children each over part of it: every slice has the
        // root, the busiest ones more.
        let layout = layout(fixture::wide_trace(7, 2));
        let d = &layout.density;
        assert!(d.iter().all(|&d| d > 0.0));
        assert!(d.contains(&1.0));
        assert!(d.iter().any(|&d| d < 1.0));
    }

    #[test]
    fn tiny_blocks_merge_and_big_ones_stay() {
        let mut blocks: Vec<Block> = (0..100_000u64)
            .map(|i| Block {
                start: i * 10,
                end: i * 10 + 5,
                node: i as u32,
            })
            .collect();
        blocks.push(Block {
            start: 500_000,
            end: 900_000,
            node: 999_999,
        });
        let layout = FlameLayout {
            kind: FlameKind::Trace,
            levels: vec![Level::new(blocks)],
            extent: 1_000_000,
        };
        let mut out = Vec::new();
        layout.visible((0.0, 1_000_000.0), 1000.0, 0..1, &mut out);
        assert!(out.len() < 2_000, "{} items", out.len());
        let total: usize = out.iter().map(|i| i.count).sum();
        assert_eq!(total, 100_001);
        assert!(out.iter().any(|i| i.node == Some(999_999)));
        // Zoomed in, blocks are drawn one by one and the rest is culled.
        layout.visible((0.0, 100.0), 1000.0, 0..1, &mut out);
        assert!(out.iter().all(|i| i.node.is_some()));
        assert!(out.len() <= 11);
    }
}
