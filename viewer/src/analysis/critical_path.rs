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
mod tests {
    use super::*;
    use crate::analysis::testing::{at, indexed, span};
    use spindle_formats::Span;

    /// The critical path as (span id, start, end) triples.
    fn path(spans: Vec<Span>) -> Vec<(u64, u64, u64)> {
        let (data, index) = indexed(spans);
        let path = CriticalPath::of(&data, &index, &index.traces[0]);
        path.sections
            .iter()
            .map(|s| (data.spans[s.span as usize].span_id.0, s.start, s.end))
            .collect()
    }

    #[test]
    fn a_lone_span_is_its_own_path() {
        assert_eq!(path(vec![span(1, None, 0, 100)]), [(1, 0, 100)]);
    }

    #[test]
    fn sequential_children_alternate_with_the_parent() {
        let spans = vec![
            span(1, None, 0, 100),
            span(2, Some(1), 10, 40),
            span(3, Some(1), 50, 90),
        ];
        assert_eq!(
            path(spans.clone()),
            [
                (1, 0, 10),
                (2, 10, 40),
                (1, 40, 50),
                (3, 50, 90),
                (1, 90, 100)
            ]
        );
        let (data, index) = indexed(spans);
        let cp = CriticalPath::of(&data, &index, &index.traces[0]);
        assert_eq!(cp.time_of(at(&data, 1) as usize), 30);
        assert_eq!(cp.time_of(at(&data, 2) as usize), 30);
        assert_eq!(cp.time_of(at(&data, 3) as usize), 40);
        assert_eq!(cp.total(), 100);
    }

    #[test]
    fn overlapping_children_take_the_last_to_finish_then_what_ended_before_it_started() {
        // 3 ends last; 2 overlaps it (ends after 3 started) so it is not on the path.
        let overlap = vec![
            span(1, None, 0, 100),
            span(2, Some(1), 10, 60),
            span(3, Some(1), 50, 90),
        ];
        assert_eq!(path(overlap), [(1, 0, 50), (3, 50, 90), (1, 90, 100)]);
        // 3 lies inside 2: 2 explains its whole interval.
        let nested = vec![
            span(1, None, 0, 100),
            span(2, Some(1), 10, 60),
            span(3, Some(1), 20, 50),
        ];
        assert_eq!(path(nested), [(1, 0, 10), (2, 10, 60), (1, 60, 100)]);
        // 4 ends last, 3 ended before 4 started, 2 overlaps 3.
        let chain = vec![
            span(1, None, 0, 100),
            span(2, Some(1), 0, 30),
            span(3, Some(1), 20, 60),
            span(4, Some(1), 65, 70),
        ];
        assert_eq!(
            path(chain),
            [
                (1, 0, 20),
                (3, 20, 60),
                (1, 60, 65),
                (4, 65, 70),
                (1, 70, 100)
            ]
        );
    }

    #[test]
    fn equal_ends_prefer_the_child_that_started_first() {
        let spans = vec![
            span(1, None, 0, 100),
            span(2, Some(1), 30, 50),
            span(3, Some(1), 10, 50),
        ];
        assert_eq!(path(spans), [(1, 0, 10), (3, 10, 50), (1, 50, 100)]);
    }

    #[test]
    fn grandchildren_are_walked_too() {
        let spans = vec![
            span(1, None, 0, 100),
            span(2, Some(1), 10, 90),
            span(3, Some(2), 20, 40),
            span(4, Some(2), 50, 80),
            span(5, Some(4), 55, 60),
        ];
        assert_eq!(
            path(spans),
            [
                (1, 0, 10),
                (2, 10, 20),
                (3, 20, 40),
                (2, 40, 50),
                (4, 50, 55),
                (5, 55, 60),
                (4, 60, 80),
                (2, 80, 90),
                (1, 90, 100),
            ]
        );
    }

    #[test]
    fn a_child_ending_after_its_parent_is_clipped_to_the_parent() {
        // 2 runs past the root's end; its child 3 too (clipped to 2's clipped end); 4 lies
        // entirely after the root ended and drops out.
        let spans = vec![
            span(1, None, 0, 100),
            span(2, Some(1), 50, 150),
            span(3, Some(2), 60, 130),
            span(4, Some(2), 120, 140),
        ];
        assert_eq!(path(spans), [(1, 0, 50), (2, 50, 60), (3, 60, 100)]);
    }

    #[test]
    fn a_child_starting_before_its_parent_is_clipped_to_the_parent() {
        let spans = vec![span(1, None, 100, 200), span(2, Some(1), 50, 150)];
        assert_eq!(path(spans), [(2, 100, 150), (1, 150, 200)]);
    }

    #[test]
    fn a_span_following_from_a_parent_that_already_ended_is_not_on_the_path() {
        // 3 follows from the root after it ended (a queued job), with a child of its own.
        let spans = vec![
            span(1, None, 0, 100),
            span(2, Some(1), 10, 30),
            span(3, Some(1), 150, 200),
            span(4, Some(3), 160, 190),
        ];
        let (data, index) = indexed(spans.clone());
        assert_eq!(path(spans), [(1, 0, 10), (2, 10, 30), (1, 30, 100)]);
        let cp = CriticalPath::of(&data, &index, &index.traces[0]);
        assert_eq!(cp.time_of(at(&data, 3) as usize), 0);
        assert_eq!(cp.time_of(at(&data, 4) as usize), 0);
    }

    #[test]
    fn orphans_under_the_placeholder_continue_the_path_when_they_end_last() {
        // The root ends at 50; orphan 3 (parent 99 is not loaded) runs to 120 and owns the end;
        // the root overlaps the orphan, so it is not on the path.
        let spans = vec![
            span(1, None, 0, 50),
            span(2, Some(1), 10, 20),
            span(3, Some(99), 40, 120),
            span(4, Some(3), 60, 110),
        ];
        assert_eq!(path(spans), [(3, 40, 60), (4, 60, 110), (3, 110, 120)]);
    }

    #[test]
    fn orphans_that_end_before_the_root_are_off_the_path() {
        let spans = vec![
            span(1, None, 0, 100),
            span(2, Some(1), 10, 20),
            span(3, Some(99), 30, 60),
        ];
        assert_eq!(path(spans), [(1, 0, 10), (2, 10, 20), (1, 20, 100)]);
    }

    #[test]
    fn a_trace_of_orphans_and_several_roots_chains_the_top_level_spans() {
        // No root at all: two orphans of one missing parent, with a gap nobody owns.
        let orphans = vec![span(2, Some(99), 0, 50), span(3, Some(99), 60, 100)];
        assert_eq!(path(orphans), [(2, 0, 50), (3, 60, 100)]);
        // Two roots, one after the other, and an orphan after them both.
        let roots = vec![
            span(1, None, 0, 40),
            span(2, None, 50, 80),
            span(3, Some(99), 90, 95),
        ];
        assert_eq!(path(roots), [(1, 0, 40), (2, 50, 80), (3, 90, 95)]);
    }

    #[test]
    fn a_span_ending_before_it_starts_counts_as_zero_length() {
        let spans = vec![span(1, None, 0, 100), span(2, Some(1), 60, 40)];
        assert_eq!(path(spans), [(1, 0, 100)]);
    }

    #[test]
    fn a_chain_two_hundred_thousand_deep_needs_no_recursion() {
        let n = 200_000u64;
        let spans: Vec<Span> = (1..=n)
            .map(|i| span(i, (i > 1).then(|| i - 1), i, 2 * n + 1 - i))
            .collect();
        let (data, index) = indexed(spans);
        let cp = CriticalPath::of(&data, &index, &index.traces[0]);
        assert_eq!(cp.total(), 2 * n - 1);
        // Every span but the deepest owns two sections: before and after its child.
        assert_eq!(cp.sections.len() as u64, 2 * (n - 1) + 1);
        assert!(cp.sections.windows(2).all(|w| w[0].end <= w[1].start));
    }
}
