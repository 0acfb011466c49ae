//! The waterfall of one trace: its rows in tree order (collapsed subtrees and, with 'matches
//! only' or another span filter, branches without a kept span left out), runs of repeated
//! siblings as one group row unless expanded, and the minimap's density.

use std::collections::{HashMap, HashSet};

use spindle_formats::{SpanId, TraceData};

use super::{Narrow, keep_with_ancestors, node_key, node_range};
use crate::analysis::repeats::Repeat;
use crate::index::{Index, Node, Trace};

/// One row of the waterfall.
#[derive(Debug, Clone, Copy)]
pub struct Row {
    pub node: Node,
    pub depth: u16,
    pub has_children: bool,
    pub collapsed: bool,
    pub is_match: bool,
    /// Set for a group row standing for a run of repeated siblings: an index into the
    /// repeats the layout was built with (`node` is then the run's first span).
    pub repeat: Option<u32>,
    /// Among the spans the statistics table highlights.
    pub highlighted: bool,
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
    /// Where the axis runs when zoomed out (the narrowed subtree or window; else the trace).
    pub range: (u64, u64),
}

pub const MINIMAP_BUCKETS: usize = 256;

/// Which rows to show.
#[derive(Debug, Clone, Copy)]
pub struct RowFilter<'a> {
    pub collapsed: &'a HashSet<SpanId>,
    pub matches: &'a HashSet<Node>,
    pub matches_only: bool,
    /// Keep only these spans and their ancestors (the critical path, a statistics row).
    pub only: Option<&'a HashSet<Node>>,
    /// Spans the statistics table highlights.
    pub highlighted: &'a HashSet<Node>,
    /// Runs of repeated siblings: each is one group row, and its spans follow only when the
    /// run's first span id is in `expanded`. Not grouped while a span filter is on.
    pub repeats: &'a [Repeat],
    pub expanded: &'a HashSet<SpanId>,
    /// Only one span's subtree, only the spans in a time window.
    pub narrow: Narrow,
}

impl TimelineLayout {
    /// O(spans in the trace).
    pub fn build(data: &TraceData, index: &Index, trace: &Trace, filter: RowFilter<'_>) -> Self {
        let (positions, base) = filter.narrow.positions(trace);
        let keep = keep_filter(data, trace, &filter);
        let runs: HashMap<u32, u32> = if keep.is_some() {
            HashMap::new()
        } else {
            (filter.repeats.iter().enumerate())
                .map(|(k, r)| (r.first, k as u32))
                .collect()
        };
        let mut rows = Vec::new();
        let mut skip_below: Option<u16> = None;
        // The last span of a run shown as its group row only: skipped up to and with it.
        let mut skip_run: Option<u32> = None;
        for pos in positions.clone() {
            let (node, depth) = (trace.order[pos], trace.depths[pos].saturating_sub(base));
            if let Some(d) = skip_below {
                if depth > d {
                    continue;
                }
                skip_below = None;
            }
            if let Some(last) = skip_run {
                if node.0 == last {
                    skip_run = None;
                    skip_below = Some(depth);
                }
                continue;
            }
            if keep.as_ref().is_some_and(|k| !k[pos]) {
                continue;
            }
            // A run starting at the subtree's top is not the subtree's to group.
            if let Some(&k) = runs.get(&node.0).filter(|_| pos != positions.start) {
                let expanded = filter.expanded.contains(&node_key(data, node));
                rows.push(Row {
                    node,
                    depth,
                    has_children: true,
                    collapsed: !expanded,
                    is_match: false,
                    repeat: Some(k),
                    highlighted: false,
                });
                if !expanded {
                    skip_run = Some(filter.repeats[k as usize].last);
                    continue;
                }
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
                repeat: None,
                highlighted: filter.highlighted.contains(&node),
            });
        }
        let duration = trace.duration().max(1);
        let density = running_spans(data, trace, duration);
        TimelineLayout {
            rows,
            duration,
            density,
            range: filter.narrow.range(data, trace),
        }
    }

    /// Row of a node, if shown: its own row, or the group row of the collapsed run holding it
    /// when it is the run's first span.
    pub fn row_of(&self, node: Node) -> Option<usize> {
        self.rows
            .iter()
            .position(|r| r.node == node && r.repeat.is_none())
            .or_else(|| self.rows.iter().position(|r| r.node == node))
    }
}

/// Which positions of `trace.order` the span filters keep (`None`: no filter, all).
fn keep_filter(data: &TraceData, trace: &Trace, filter: &RowFilter<'_>) -> Option<Vec<bool>> {
    let matches = filter
        .matches_only
        .then(|| keep_matches_and_ancestors(trace, filter.matches));
    let only = filter
        .only
        .map(|set| keep_matches_and_ancestors(trace, set));
    let window = filter.narrow.window_keep(data, trace);
    [matches, only, window]
        .into_iter()
        .flatten()
        .reduce(|a, b| a.iter().zip(&b).map(|(x, y)| *x && *y).collect())
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
    keep_with_ancestors(&trace.depths, |pos| matches.contains(&trace.order[pos]))
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
            only: None,
            highlighted: &HashSet::new(),
            repeats: &[],
            expanded: &HashSet::new(),
            narrow: Narrow::default(),
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
    fn a_run_of_repeated_siblings_is_one_row_until_expanded() {
        let doc = Document::from_data(fixture::n_plus_one());
        let trace = &doc.index.traces[0];
        let runs = crate::analysis::repeats::repeats(&doc.data, &doc.index, trace);
        assert_eq!(runs.len(), 1);
        let none = HashSet::new();
        let mut expanded = HashSet::new();
        let build = |expanded: &HashSet<SpanId>| {
            let filter = RowFilter {
                collapsed: &none,
                matches: &HashSet::new(),
                matches_only: false,
                only: None,
                highlighted: &HashSet::new(),
                repeats: &runs,
                expanded,
                narrow: Narrow::default(),
            };
            TimelineLayout::build(&doc.data, &doc.index, trace, filter).rows
        };
        let names = |rows: &[Row]| -> Vec<String> {
            rows.iter()
                .map(|r| match r.repeat {
                    Some(_) => "run".to_string(),
                    None => doc.data.spans[r.node.0 as usize].name.to_string(),
                })
                .collect()
        };
        let collapsed = build(&expanded);
        let expected = ["GET /orders", "cache.get", "SELECT orders", "run", "render"];
        assert_eq!(names(&collapsed), expected);
        assert!(collapsed[3].collapsed && collapsed[3].has_children);
        expanded.insert(node_key(&doc.data, Node(runs[0].first)));
        let open = build(&expanded);
        assert_eq!(open.len(), 5 + 6);
        assert_eq!(names(&open)[4], "SELECT item");
        assert!(!open[3].collapsed);
    }
}
