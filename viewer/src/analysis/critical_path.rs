//! The critical path of a trace, as Jaeger defines it: start at the end of the last span to
//! finish, walk back through the child that finished last before the current point, and give
//! the parent its own time in the gaps between those children.
//!
//! The tree is the index's (roots and the 'missing parent' placeholder at the top, orphans
//! under the placeholder). Before the walk each span is clipped to its parent's clipped
//! interval: a child that ends after its parent counts only up to the parent's end, and one
//! that starts after its parent ended (a span that follows from a finished parent, say a queued
//! job) is not on the parent's path at all. The trace top and the placeholder are not spans:
//! they clip nothing and own no sections, so the walk goes from one top-level subtree straight
//! on to the one that finished before it started.
//!
//! Iterative (no recursion), one sort plus a linear walk: O(n log n) in the trace's spans.

use std::cmp::Reverse;

use spindle_formats::TraceData;

use crate::index::{Index, Node, Trace};

/// A stretch of time during which one span is on the critical path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Section {
    /// Index into `TraceData::spans`.
    pub span: u32,
    pub start: u64,
    pub end: u64,
}

impl Section {
    pub fn duration(&self) -> u64 {
        self.end - self.start
    }
}

/// The critical path of one trace.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CriticalPath {
    /// Non-overlapping sections in time order.
    pub sections: Vec<Section>,
    /// (span, time on the path), sorted by span, only spans with a section.
    per_span: Vec<(u32, u64)>,
}

const NONE: u32 = u32::MAX;

/// The tree of one trace as the walk needs it: nodes are positions in `Trace::order`, plus
/// the trace top at position `order.len()`.
struct Walk {
    /// Clipped interval per node; `None` when the node lies outside its parent.
    interval: Vec<Option<(u64, u64)>>,
    parent: Vec<u32>,
    /// Children of node k are `child_list[child_start[k]..child_start[k + 1]]`, latest end first.
    child_start: Vec<u32>,
    child_list: Vec<u32>,
    /// True for the trace top and the placeholder.
    virtual_node: Vec<bool>,
    span: Vec<u32>,
}

impl CriticalPath {
    /// Computes the critical path of `trace` (spans of `data`, indexed by `index`).
    pub fn of(data: &TraceData, index: &Index, trace: &Trace) -> CriticalPath {
        let walk = Walk::new(data, index, trace);
        let sections = walk.run();
        let mut per_span: Vec<(u32, u64)> =
            sections.iter().map(|s| (s.span, s.duration())).collect();
        per_span.sort_unstable_by_key(|&(span, _)| span);
        per_span.dedup_by(|later, first| {
            let same = later.0 == first.0;
            if same {
                first.1 += later.1;
            }
            same
        });
        CriticalPath { sections, per_span }
    }

    /// Time span `span` (an index into `TraceData::spans`) spends on the critical path.
    pub fn time_of(&self, span: usize) -> u64 {
        self.per_span
            .binary_search_by_key(&span, |&(s, _)| s as usize)
            .map_or(0, |at| self.per_span[at].1)
    }

    /// Spans on the path with their time on it, sorted by span index.
    pub fn per_span(&self) -> &[(u32, u64)] {
        &self.per_span
    }

    /// Sum of the sections: the trace time the path explains.
    pub fn total(&self) -> u64 {
        self.sections.iter().map(Section::duration).sum()
    }
}

impl Walk {
    fn new(data: &TraceData, index: &Index, trace: &Trace) -> Walk {
        let n = trace.order.len();
        let parent = tree_parents(index, trace);
        let mut interval = vec![None; n + 1];
        let mut virtual_node = vec![false; n + 1];
        interval[n] = Some((0, u64::MAX));
        virtual_node[n] = true;
        // Pre-order: a parent's clipped interval is known before its children's.
        for k in 0..n {
            let p = parent[k] as usize;
            let Some((lo, hi)) = interval[p] else {
                continue;
            };
            interval[k] = match trace.order[k].span() {
                None => {
                    virtual_node[k] = true;
                    extent(data, &trace.orphans)
                }
                Some(i) => {
                    let (start, end) = own_interval(data, i);
                    let (a, b) = if virtual_node[p] {
                        (start, end)
                    } else {
                        (start.max(lo), end.min(hi))
                    };
                    (a <= b).then_some((a, b))
                }
            };
        }
        let mut edges: Vec<(u32, Reverse<u64>, u64, u32)> = (0..n)
            .filter_map(|k| {
                let (lo, hi) = interval[k]?;
                Some((parent[k], Reverse(hi), lo, k as u32))
            })
            .collect();
        // Same end: the child that started first explains more of its parent.
        edges.sort_unstable();
        let mut child_start = vec![0u32; n + 2];
        for &(p, ..) in &edges {
            child_start[p as usize + 1] += 1;
        }
        for k in 1..child_start.len() {
            child_start[k] += child_start[k - 1];
        }
        let mut parent = parent;
        parent.push(NONE);
        Walk {
            interval,
            parent,
            child_start,
            child_list: edges.iter().map(|&(.., k)| k).collect(),
            virtual_node,
            span: trace.order.iter().map(|node| node.0).collect(),
        }
    }

    fn end_of(&self, k: usize) -> u64 {
        self.interval[k].map_or(0, |(_, hi)| hi)
    }

    /// The walk itself: sections from the end backwards, returned in time order.
    fn run(&self) -> Vec<Section> {
        let top = self.parent.len() - 1;
        let mut cursor: Vec<u32> = self.child_start[..=top].to_vec();
        let mut sections = Vec::new();
        let (mut node, mut t) = (top, u64::MAX);
        loop {
            let end = self.child_start[node + 1];
            let mut at = cursor[node];
            // `t` only decreases, so a child skipped once is never eligible again.
            while at < end && self.end_of(self.child_list[at as usize] as usize) > t {
                at += 1;
            }
            if at < end {
                cursor[node] = at + 1;
                let child = self.child_list[at as usize] as usize;
                let child_end = self.end_of(child);
                self.emit(node, child_end, t, &mut sections);
                (node, t) = (child, child_end);
                continue;
            }
            cursor[node] = at;
            if node == top {
                break;
            }
            if !self.virtual_node[node]
                && let Some((lo, _)) = self.interval[node]
            {
                self.emit(node, lo, t, &mut sections);
                t = lo;
            }
            node = self.parent[node] as usize;
        }
        sections.reverse();
        sections
    }

    fn emit(&self, node: usize, start: u64, end: u64, sections: &mut Vec<Section>) {
        if self.virtual_node[node] || start >= end {
            return;
        }
        // Walked backwards: a section that ends where the last one began, on the same span,
        // extends it (a zero-length child leaves no seam in its parent).
        match sections.last_mut() {
            Some(last) if last.span == self.span[node] && last.start == end => last.start = start,
            _ => sections.push(Section {
                span: self.span[node],
                start,
                end,
            }),
        }
    }
}

/// A span's interval, with an end before the start read as zero length.
fn own_interval(data: &TraceData, i: usize) -> (u64, u64) {
    let s = &data.spans[i];
    (s.start_unix_nanos, s.end_unix_nanos.max(s.start_unix_nanos))
}

/// From the first start to the last end of `spans`.
fn extent(data: &TraceData, spans: &[u32]) -> Option<(u64, u64)> {
    spans
        .iter()
        .map(|&i| own_interval(data, i as usize))
        .reduce(|(a, b), (c, d)| (a.min(c), b.max(d)))
}

/// Per position of `trace.order`, the position of its parent in the index's tree
/// (`order.len()` for the trace top: roots and the placeholder).
fn tree_parents(index: &Index, trace: &Trace) -> Vec<u32> {
    let n = trace.order.len();
    let top = n as u32;
    let mut position: Vec<(u32, u32)> = trace
        .order
        .iter()
        .enumerate()
        .filter_map(|(k, node)| node.span().map(|i| (i as u32, k as u32)))
        .collect();
    position.sort_unstable();
    let position_of = |span: u32| {
        position
            .binary_search_by_key(&span, |&(s, _)| s)
            .map_or(top, |at| position[at].1)
    };
    let placeholder = trace
        .order
        .iter()
        .position(|&node| node == Node::MISSING_PARENT)
        .map_or(top, |k| k as u32);
    let mut orphans = trace.orphans.clone();
    orphans.sort_unstable();
    trace
        .order
        .iter()
        .map(|node| match node.span() {
            None => top,
            Some(i) if orphans.binary_search(&(i as u32)).is_ok() => placeholder,
            Some(i) => match index.parent[i] {
                NONE => top,
                p => position_of(p),
            },
        })
        .collect()
}

#[cfg(test)]
mod tests;
