//! Growing a [`Document`] with spans that arrive while it is open: the new spans are appended
//! (resources and scopes shared with what is loaded where they are equal, spans already loaded
//! dropped), only the traces they join are re-indexed, and the oldest whole traces are evicted
//! past the retention limit.

use std::collections::{HashMap, HashSet};

use spindle_formats::{ResourceIndex, ScopeIndex, SpanId, TraceData, TraceId};

use crate::index::Index;
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
    /// Appends the spans of `batches` and re-indexes only the traces they join. The
    /// aggregated flame graph is marked stale ([`Document::refresh_aggregate`] redoes it).
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
    /// (so evictions come in steps, not per batch), and re-indexes what is left. Returns the
    /// spans evicted (0 when under the limit).
    pub fn evict_oldest(&mut self, limit: usize) -> usize {
        if self.data.spans.len() <= limit {
            return 0;
        }
        let keep_at_most = limit - limit / 10;
        let mut by_age: Vec<u32> = (0..self.index.traces.len() as u32).collect();
        by_age.sort_unstable_by_key(|&t| self.index.traces[t as usize].start);
        let mut left = self.data.spans.len();
        let mut evicted = vec![false; by_age.len()];
        for t in by_age {
            if left <= keep_at_most {
                break;
            }
            left -= self.index.traces[t as usize].span_count;
            evicted[t as usize] = true;
        }
        let before = self.data.spans.len();
        let trace_of = &self.index.trace_of;
        let mut i = 0;
        self.data.spans.retain(|_| {
            let keep = !evicted[trace_of[i] as usize];
            i += 1;
            keep
        });
        self.index = Index::build(&self.data);
        self.aggregate = FlameLayout::aggregate(&self.index);
        self.aggregate_stale = false;
        let index = &self.index;
        self.received_traces.retain(|id| index.trace(*id).is_some());
        before - self.data.spans.len()
    }

    /// Recomputes the aggregated flame graph if spans arrived since it was built.
    pub fn refresh_aggregate(&mut self) {
        if self.aggregate_stale {
            self.index.rebuild_aggregate(&self.data);
            self.aggregate = FlameLayout::aggregate(&self.index);
            self.aggregate_stale = false;
        }
    }
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
