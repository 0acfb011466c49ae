//! Flame-graph blocks: one level per depth, each sorted by start with a max-end segment tree,
//! so [`FlameLayout::visible`] culls blocks outside the view and merges runs of blocks
//! narrower than a pixel into one marked item, a level of 100,000 tiny spans costing a few
//! hundred steps instead of 100,000.

use spindle_formats::TraceData;

use super::{Narrow, node_range};
use crate::index::{AggNode, Index, Trace};

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

/// A flame graph laid out once: levels of blocks on an axis from `start` (0 unless narrowed
/// to a subtree or a time window) to `extent`.
#[derive(Debug, Clone, Default)]
pub struct FlameLayout {
    pub kind: FlameKind,
    pub levels: Vec<Level>,
    pub extent: u64,
    pub start: u64,
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
        FlameLayout::for_trace_narrowed(data, trace, &Narrow::default())
    }

    /// The icicle of one trace narrowed to a subtree (its top on the first level) and to the
    /// spans overlapping a time window; the axis runs over [`Narrow::range`].
    pub fn for_trace_narrowed(data: &TraceData, trace: &Trace, narrow: &Narrow) -> FlameLayout {
        let mut levels: Vec<Vec<Block>> = Vec::new();
        let (positions, base) = narrow.positions(trace);
        let keep = narrow.window_keep(data, trace);
        for pos in positions {
            if keep.as_ref().is_some_and(|k| !k[pos]) {
                continue;
            }
            let node = trace.order[pos];
            let (start, end) = node_range(data, trace, node);
            let d = trace.depths[pos].saturating_sub(base) as usize;
            if levels.len() <= d {
                levels.resize_with(d + 1, Vec::new);
            }
            levels[d].push(Block {
                start,
                end,
                node: node.0,
            });
        }
        let (start, extent) = if narrow.is_on() {
            narrow.range(data, trace)
        } else {
            (0, trace.duration().max(1))
        };
        FlameLayout {
            kind: FlameKind::Trace,
            levels: levels.into_iter().map(Level::new).collect(),
            extent,
            start,
        }
    }

    /// The aggregated flame graph of all traces: each call path's width is its total time;
    /// children that add up to more than their parent (parallel work) are scaled to fit.
    pub fn aggregate(index: &Index) -> FlameLayout {
        FlameLayout::merged_tree(&index.agg, false)
    }

    /// The aggregated flame graph in speedscope's left-heavy order: each node's children
    /// sorted by total time, the heaviest on the left (ties by name).
    pub fn aggregate_left_heavy(index: &Index) -> FlameLayout {
        FlameLayout::merged_tree(&index.agg, true)
    }

    /// The icicle of a merged call tree (node 0 its root): widths are total times, children
    /// in the tree's order or heaviest first.
    pub fn merged_tree(nodes: &[AggNode], heaviest_first: bool) -> FlameLayout {
        let mut levels: Vec<Vec<Block>> = Vec::new();
        let Some(root) = nodes.first() else {
            return FlameLayout::default();
        };
        let extent = root.total.max(1);
        let mut stack = vec![(0u32, 0u64, extent, 0usize)];
        let mut children: Vec<u32> = Vec::new();
        while let Some((node, start, width, depth)) = stack.pop() {
            if levels.len() <= depth {
                levels.resize_with(depth + 1, Vec::new);
            }
            levels[depth].push(Block {
                start,
                end: start + width,
                node,
            });
            children.clear();
            children.extend(&nodes[node as usize].children);
            if heaviest_first {
                children.sort_by(|&a, &b| {
                    let (a, b) = (&nodes[a as usize], &nodes[b as usize]);
                    b.total.cmp(&a.total).then_with(|| a.name.cmp(&b.name))
                });
            }
            let sum: u64 = children.iter().map(|&c| nodes[c as usize].total).sum();
            let scale = if sum > width {
                width as f64 / sum as f64
            } else {
                1.0
            };
            let mut x = start;
            for &c in &children {
                let w = (nodes[c as usize].total as f64 * scale) as u64;
                stack.push((c, x, w, depth + 1));
                x += w;
            }
        }
        FlameLayout {
            kind: FlameKind::Aggregate,
            levels: levels.into_iter().map(Level::new).collect(),
            extent,
            start: 0,
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
            start: 0,
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

    /// Names of level `l`'s blocks, left to right.
    fn level_names(index: &Index, layout: &FlameLayout, l: usize) -> Vec<String> {
        let mut blocks = layout.levels[l].blocks.clone();
        blocks.sort_by_key(|b| b.start);
        (blocks.iter())
            .map(|b| index.agg[b.node as usize].name.clone())
            .collect()
    }

    #[test]
    fn left_heavy_puts_the_heaviest_child_first() {
        let doc = crate::load::Document::from_data(crate::fixture::n_plus_one());
        let index = &doc.index;
        // Under GET /orders: SELECT item (6 x 10 ms), SELECT orders (9 ms), cache.get (2 ms),
        // render (9 ms): by name (capitals first), then by total time, ties by name.
        let by_name = FlameLayout::aggregate(index);
        let heavy = FlameLayout::aggregate_left_heavy(index);
        assert_eq!(
            level_names(index, &by_name, 2),
            ["SELECT item", "SELECT orders", "cache.get", "render"]
        );
        assert_eq!(
            level_names(index, &heavy, 2),
            ["SELECT item", "SELECT orders", "render", "cache.get"]
        );
        assert_eq!(heavy.extent, by_name.extent, "the same total width");
        let widths: Vec<u64> = (heavy.levels[2].blocks.iter())
            .map(|b| b.end - b.start)
            .collect();
        assert_eq!(widths.iter().sum::<u64>(), 80_000_000);
    }

    #[test]
    fn a_narrowed_trace_graph_starts_at_its_subtree() {
        let doc = crate::load::Document::from_data(crate::fixture::shop());
        let trace = &doc.index.traces[0];
        let at = |name: &str| {
            let i = doc.data.spans.iter().position(|s| s.name.as_ref() == name);
            crate::index::Node(i.expect("fixture span") as u32)
        };
        let narrow = Narrow {
            subtree: Some(at("charge card")),
            window: None,
        };
        let layout = FlameLayout::for_trace_narrowed(&doc.data, trace, &narrow);
        assert_eq!(layout.levels.len(), 2, "charge card, then fraud check");
        assert_eq!(layout.levels[0].blocks[0].node, at("charge card").0);
        assert_eq!((layout.start, layout.extent), (45_000_000, 100_000_000));
        let narrow = Narrow {
            subtree: None,
            window: Some((0, 13_000_000)),
        };
        let layout = FlameLayout::for_trace_narrowed(&doc.data, trace, &narrow);
        // The root and auth.verify (2..12 ms) only.
        let counts: Vec<usize> = layout.levels.iter().map(|l| l.blocks.len()).collect();
        assert_eq!(counts, [1, 1]);
    }
}
