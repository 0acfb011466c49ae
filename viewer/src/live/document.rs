//! Growing a [`Document`] with spans that arrive while it is open: the new spans are appended
//! (resources and scopes shared with what is loaded where they are equal, spans already loaded
//! dropped), only the traces they join are re-indexed, and the oldest whole traces are evicted
//! past the retention limit.

use std::collections::{HashMap, HashSet};

use spindle_formats::{ResourceIndex, ScopeIndex, SpanId, TraceData, TraceId};

use crate::index::{Index, TraceMap};
use crate::layout::FlameLayout;
use crate::load::Document;

/// What one append did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Appended {
    /// Traces that gained spans (new ones included), ascending.
    pub changed: Vec<u32>,
    /// Spans added.
    pub added: usize,
    /// Spans dropped because a span with the same trace and span id was already there.
    pub duplicates: usize,
    /// The trace of the last span added (the newest), if any.
    pub newest: Option<u32>,
}

/// How many of the last resources (and scopes) a batch's own are compared with: a live
/// sender repeats one resource per batch, so a short look back finds it.
const LOOK_BACK: usize = 64;

impl Document {
    /// Appends the spans of `batches` and re-indexes only the traces they join (and their
    /// part of the aggregate). The aggregate's layout is marked stale
    /// ([`Document::refresh_aggregate`] redoes it).
    pub fn append(&mut self, batches: Vec<TraceData>) -> Appended {
        let from = self.data.spans.len();
        let mut known: HashMap<TraceId, HashSet<SpanId>> = HashMap::new();
        let mut duplicates = 0;
        for batch in batches {
            let resources = share(&mut self.data.resources, batch.resources);
            let scopes = share(&mut self.data.scopes, batch.scopes);
            for mut span in batch.spans {
                let ids = known
                    .entry(span.trace_id)
                    .or_insert_with(|| ids_of(&self.index, &self.data, span.trace_id));
                if !ids.insert(span.span_id) {
                    duplicates += 1;
                    continue;
                }
                span.resource = resources
                    .get(span.resource.0 as usize)
                    .map_or(span.resource, |&r| ResourceIndex(r));
                span.scope = scopes
                    .get(span.scope.0 as usize)
                    .map_or(span.scope, |&s| ScopeIndex(s));
                self.data.spans.push(span);
            }
        }
        let changed = self.index.append(&self.data, from);
        let added = self.data.spans.len() - from;
        self.duplicates += duplicates;
        self.aggregate_stale |= added > 0;
        let newest = (added > 0).then(|| self.index.trace_of[self.data.spans.len() - 1]);
        Appended {
            changed,
            added,
            duplicates,
            newest,
        }
    }

    /// Past `limit` spans, drops whole traces, oldest start first, down to 90% of the limit
    /// (so evictions come in steps, not per batch). What stays is renumbered, not re-indexed,
    /// and the evicted traces are folded out of the aggregate: the cost is the evicted spans
    /// plus one linear pass over the kept ones (at most ten per evicted span, given the step).
    pub fn evict_oldest(&mut self, limit: usize) -> Evicted {
        if self.data.spans.len() <= limit {
            return Evicted::default();
        }
        let keep_at_most = limit - limit / 10;
        let traces = &self.index.traces;
        let mut by_age: Vec<u32> = (0..traces.len() as u32).collect();
        by_age.sort_unstable_by_key(|&t| (traces[t as usize].start, t));
        let mut left = self.data.spans.len();
        let mut gone = vec![false; by_age.len()];
        for t in by_age {
            if left <= keep_at_most {
                break;
            }
            left -= traces[t as usize].span_count;
            gone[t as usize] = true;
            self.received_traces.remove(&traces[t as usize].trace_id);
        }
        let before = self.data.spans.len();
        let traces = self.index.evict_traces(&mut self.data, &gone);
        self.aggregate_stale = true;
        Evicted {
            spans: before - self.data.spans.len(),
            traces,
        }
    }

    /// Lays the aggregated flame graph out again if spans arrived or left since (the
    /// aggregate itself is kept up to date by every append and eviction).
    pub fn refresh_aggregate(&mut self) {
        if self.aggregate_stale {
            self.aggregate = FlameLayout::aggregate(&self.index);
            self.aggregate_stale = false;
        }
    }
}

/// What one eviction did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Evicted {
    /// Spans evicted (0 when under the limit).
    pub spans: usize,
    /// Where the traces went (empty when nothing was evicted).
    pub traces: TraceMap,
}

/// Span ids already loaded for a trace.
fn ids_of(index: &Index, data: &TraceData, trace: TraceId) -> HashSet<SpanId> {
    index.trace(trace).map_or_else(HashSet::new, |t| {
        t.spans
            .iter()
            .map(|&i| data.spans[i as usize].span_id)
            .collect()
    })
}

/// Adds `incoming` to `list`, reusing an equal entry among the last [`LOOK_BACK`]; returns
/// each incoming entry's index in `list`.
fn share<T: PartialEq>(list: &mut Vec<T>, incoming: Vec<T>) -> Vec<u32> {
    incoming
        .into_iter()
        .map(|item| {
            let recent = list.len().saturating_sub(LOOK_BACK);
            match list[recent..].iter().position(|r| *r == item) {
                Some(at) => (recent + at) as u32,
                None => {
                    list.push(item);
                    (list.len() - 1) as u32
                }
            }
        })
        .collect()
}
