//! Dropping whole traces from a loaded index (the live document's retention limit): the
//! evicted traces are folded out of the aggregate and their spans removed; what stays keeps
//! its trees, self times and summaries as they are, only renumbered (one linear pass over
//! flat vectors, no sorting, no tree rebuilt, no span hashed).

use spindle_formats::TraceData;

use super::{Index, NONE, Node};

/// Where each trace went after an eviction: `new[old]`, `None` when it was evicted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TraceMap {
    new: Vec<u32>,
}

impl TraceMap {
    /// The new index of trace `old`, `None` when it was evicted (or never existed).
    pub fn get(&self, old: usize) -> Option<u32> {
        self.new.get(old).copied().filter(|&t| t != NONE)
    }

    /// Traces that were evicted.
    pub fn evicted(&self) -> usize {
        self.new.iter().filter(|&&t| t == NONE).count()
    }
}

impl Index {
    /// Removes the traces marked in `gone` (by trace index) and their spans from `data` and
    /// from the index. Returns where the other traces went (their order is kept).
    pub fn evict_traces(&mut self, data: &mut TraceData, gone: &[bool]) -> TraceMap {
        let is_gone = |t: usize| gone.get(t).copied().unwrap_or(false);
        for t in (0..self.traces.len()).filter(|&t| is_gone(t)) {
            self.fold_out(data, t);
            self.orphan_count -= self.traces[t].orphans.len();
        }
        self.sweep_aggregate();
        let mut next = 0u32;
        let trace_map: Vec<u32> = (0..self.traces.len())
            .map(|t| match is_gone(t) {
                true => NONE,
                false => take_next(&mut next),
            })
            .collect();
        let span_map = self.drop_spans(data, &trace_map);
        let mut t = 0;
        self.traces.retain(|_| {
            t += 1;
            trace_map[t - 1] != NONE
        });
        for trace in &mut self.traces {
            renumber_trace(trace, &span_map);
        }
        self.trace_by_id.retain(|_, t| {
            *t = trace_map[*t as usize];
            *t != NONE
        });
        TraceMap { new: trace_map }
    }

    /// Removes the evicted traces' spans from `data` and the per-span vectors; returns each
    /// old span index's new one (`NONE` for a removed span).
    fn drop_spans(&mut self, data: &mut TraceData, trace_map: &[u32]) -> Vec<u32> {
        let mut next = 0u32;
        let span_map: Vec<u32> = self
            .trace_of
            .iter()
            .map(|&t| match trace_map[t as usize] {
                NONE => NONE,
                _ => take_next(&mut next),
            })
            .collect();
        let keep = |i: usize| span_map[i] != NONE;
        retain_by(&mut data.spans, keep);
        retain_by(&mut self.parent, keep);
        retain_by(&mut self.pos, keep);
        retain_by(&mut self.trace_of, keep);
        retain_by(&mut self.self_time, keep);
        retain_by(&mut self.service_of, keep);
        retain_by(&mut self.agg_of, keep);
        for p in &mut self.parent {
            if *p != NONE {
                *p = span_map[*p as usize];
            }
        }
        for t in &mut self.trace_of {
            *t = trace_map[*t as usize];
        }
        span_map
    }
}

/// The counter's value, then counts on.
fn take_next(counter: &mut u32) -> u32 {
    *counter += 1;
    *counter - 1
}

/// Keeps the entries whose index `keep` accepts.
fn retain_by<T>(items: &mut Vec<T>, keep: impl Fn(usize) -> bool) {
    let mut i = 0;
    items.retain(|_| {
        i += 1;
        keep(i - 1)
    });
}

/// A kept trace's span indices after its document's spans were renumbered.
fn renumber_trace(trace: &mut super::Trace, span_map: &[u32]) {
    let map = |i: &mut u32| *i = span_map[*i as usize];
    trace.spans.iter_mut().for_each(map);
    trace.roots.iter_mut().for_each(map);
    trace.orphans.iter_mut().for_each(map);
    trace.child_list.iter_mut().for_each(map);
    for node in &mut trace.order {
        if *node != Node::MISSING_PARENT {
            *node = Node(span_map[node.0 as usize]);
        }
    }
}
