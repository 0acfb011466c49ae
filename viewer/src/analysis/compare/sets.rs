//! Two sets of traces aggregated by call path: per path the number of calls, their total and
//! self time, and in how many traces it occurs, on each side. Sets may differ in size, so
//! changes are per trace (a path's total divided by the set's trace count): a path called
//! three times as often per trace is told apart from one whose calls each got slower
//! ([`PathChange::calls_ratio`] against [`PathChange::mean_per_call`]).
//!
//! One pass over each set's pre-order walks with one hash lookup per span: O(n).

use std::collections::HashMap;

use crate::index::Trace;

use super::{CallKey, Keys, Side};

/// What one side's spans on one call path add up to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PathMeasure {
    /// Spans on the path.
    pub count: u64,
    pub total: u64,
    pub self_time: u64,
    /// Traces in which the path occurs.
    pub traces: u64,
}

/// A call path: its last key, its parent path, and both sides' measures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathNode {
    pub key: u32,
    pub parent: Option<u32>,
    pub depth: u16,
    pub a: PathMeasure,
    pub b: PathMeasure,
    /// Child paths, in the order first seen.
    pub children: Vec<u32>,
}

/// One set: how many traces and spans, and the sum of the traces' durations.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SetSummary {
    pub traces: u64,
    pub spans: u64,
    pub total_duration: u64,
}

impl SetSummary {
    /// The mean trace duration (0 for an empty set).
    pub fn mean_duration(&self) -> f64 {
        per(self.total_duration, self.traces)
    }
}

/// A path's measures per trace of each set, `(A, B)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PathChange {
    pub calls_per_trace: (f64, f64),
    pub total_per_trace: (f64, f64),
    pub self_per_trace: (f64, f64),
    /// The mean duration of one call.
    pub mean_per_call: (f64, f64),
}

impl PathChange {
    pub fn total_diff(&self) -> f64 {
        self.total_per_trace.1 - self.total_per_trace.0
    }

    pub fn self_diff(&self) -> f64 {
        self.self_per_trace.1 - self.self_per_trace.0
    }

    pub fn mean_diff(&self) -> f64 {
        self.mean_per_call.1 - self.mean_per_call.0
    }

    /// B's calls per trace over A's; `None` when the path is not in A.
    pub fn calls_ratio(&self) -> Option<f64> {
        (self.calls_per_trace.0 > 0.0).then(|| self.calls_per_trace.1 / self.calls_per_trace.0)
    }
}

/// Two sets of traces merged by call path.
#[derive(Debug, Clone, Default)]
pub struct SetComparison {
    pub keys: Vec<CallKey>,
    /// Every call path of either set; parents before children.
    pub paths: Vec<PathNode>,
    /// Paths without a parent (the roots, and the 'missing parent' placeholder).
    pub top: Vec<u32>,
    pub a: SetSummary,
    pub b: SetSummary,
}

impl SetComparison {
    /// Aggregates the traces `a` of `left` against the traces `b` of `right`.
    pub fn of<'x>(
        left: Side<'_>,
        a: impl IntoIterator<Item = &'x Trace>,
        right: Side<'_>,
        b: impl IntoIterator<Item = &'x Trace>,
    ) -> SetComparison {
        let mut keys = Keys::default();
        let mut trie = Trie::default();
        let summary_a = trie.add_set(&left, a, &mut keys, 0);
        let summary_b = trie.add_set(&right, b, &mut keys, 1);
        SetComparison {
            keys: keys.into_names(),
            paths: trie.paths,
            top: trie.top,
            a: summary_a,
            b: summary_b,
        }
    }

    /// The keys of path `p` from its root down.
    pub fn path_keys(&self, p: u32) -> Vec<&CallKey> {
        let mut keys = Vec::new();
        let mut at = Some(p);
        while let Some(k) = at {
            let node = &self.paths[k as usize];
            keys.push(&self.keys[node.key as usize]);
            at = node.parent;
        }
        keys.reverse();
        keys
    }

    /// Path `p` as `service: operation > service: operation > ...`.
    pub fn path_label(&self, p: u32) -> String {
        let labels: Vec<String> = self.path_keys(p).iter().map(|k| k.label()).collect();
        labels.join(" > ")
    }

    /// Path `p`'s measures per trace of each set.
    pub fn change(&self, p: u32) -> PathChange {
        let node = &self.paths[p as usize];
        let (a, b) = (&node.a, &node.b);
        let (ta, tb) = (self.a.traces, self.b.traces);
        PathChange {
            calls_per_trace: (per(a.count, ta), per(b.count, tb)),
            total_per_trace: (per(a.total, ta), per(b.total, tb)),
            self_per_trace: (per(a.self_time, ta), per(b.self_time, tb)),
            mean_per_call: (per(a.total, a.count), per(b.total, b.count)),
        }
    }

    /// Paths by the size of the change of their total (or, with `self_time`, self) time per
    /// trace, biggest first; ties in path order.
    pub fn by_change(&self, self_time: bool) -> Vec<u32> {
        let size = |p: u32| {
            let change = self.change(p);
            let diff = if self_time {
                change.self_diff()
            } else {
                change.total_diff()
            };
            diff.abs()
        };
        let mut sizes: Vec<(f64, u32)> =
            (0..self.paths.len() as u32).map(|p| (size(p), p)).collect();
        sizes.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
        sizes.into_iter().map(|(_, p)| p).collect()
    }

    /// Paths only in B (added) or only in A (removed), in path order.
    pub fn added(&self) -> Vec<u32> {
        self.select(|n| n.a.count == 0 && n.b.count > 0)
    }

    pub fn removed(&self) -> Vec<u32> {
        self.select(|n| n.b.count == 0 && n.a.count > 0)
    }

    fn select(&self, keep: impl Fn(&PathNode) -> bool) -> Vec<u32> {
        (0..self.paths.len() as u32)
            .filter(|&p| keep(&self.paths[p as usize]))
            .collect()
    }
}

fn per(x: u64, n: u64) -> f64 {
    if n == 0 { 0.0 } else { x as f64 / n as f64 }
}

const TOP: u32 = u32::MAX;

#[derive(Default)]
struct Trie {
    ids: HashMap<(u32, u32), u32>,
    paths: Vec<PathNode>,
    top: Vec<u32>,
    /// Per path and side: the last trace (counter) that reached it, for `traces`.
    last_trace: Vec<[u64; 2]>,
}

impl Trie {
    fn add_set<'a, 'x>(
        &mut self,
        side: &Side<'a>,
        traces: impl IntoIterator<Item = &'x Trace>,
        keys: &mut Keys<'a>,
        which: usize,
    ) -> SetSummary {
        let mut summary = SetSummary::default();
        let mut stack: Vec<u32> = Vec::new();
        for trace in traces {
            summary.traces += 1;
            summary.spans += trace.span_count as u64;
            summary.total_duration = summary.total_duration.saturating_add(trace.duration());
            stack.clear();
            for (&node, &depth) in trace.order.iter().zip(&trace.depths) {
                stack.truncate(depth as usize);
                let parent = stack.last().copied().unwrap_or(TOP);
                let key = keys.of_node(side, node);
                let path = self.path(parent, key, depth);
                stack.push(path);
                let mark = &mut self.last_trace[path as usize][which];
                let measure = self.paths[path as usize].side_mut(which);
                if *mark != summary.traces {
                    *mark = summary.traces;
                    measure.traces += 1;
                }
                if let Some(i) = node.span() {
                    measure.count += 1;
                    measure.total = measure.total.saturating_add(side.duration(i));
                    measure.self_time = measure.self_time.saturating_add(side.self_time(i));
                }
            }
        }
        summary
    }

    fn path(&mut self, parent: u32, key: u32, depth: u16) -> u32 {
        let next = self.paths.len() as u32;
        let id = *self.ids.entry((parent, key)).or_insert(next);
        if id == next {
            self.paths.push(PathNode {
                key,
                parent: (parent != TOP).then_some(parent),
                depth,
                a: PathMeasure::default(),
                b: PathMeasure::default(),
                children: Vec::new(),
            });
            self.last_trace.push([0, 0]);
            match parent {
                TOP => self.top.push(id),
                p => self.paths[p as usize].children.push(id),
            }
        }
        id
    }
}

impl PathNode {
    fn side_mut(&mut self, which: usize) -> &mut PathMeasure {
        if which == 0 { &mut self.a } else { &mut self.b }
    }
}
