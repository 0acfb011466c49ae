//! Flame-graph blocks: one level per depth, each sorted by start with a max-end segment tree,
//! so [`FlameLayout::visible`] culls blocks outside the view and merges runs of blocks
//! narrower than a pixel into one marked item, a level of 100,000 tiny spans costing a few
//! hundred steps instead of 100,000.

use spindle_formats::TraceData;

use super::node_range;
use crate::index::{Index, Trace};

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
