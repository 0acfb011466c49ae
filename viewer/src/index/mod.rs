//! What the views need to know about loaded spans, computed once per load (off the UI thread)
//! and extended as spans arrive ([`Index::append`]): traces, span trees in start order, orphans
//! under a 'missing parent' placeholder, self time, interned services, the aggregated
//! call-path tree, and text search.
//!
//! Everything is index-based (`u32` into [`TraceData::spans`]) so a million spans cost a few
//! flat vectors, and building is a sort plus linear passes: O(n log n). Each trace's tree is
//! built from its own spans, so appending spans rebuilds only the traces they join.

mod aggregate;
mod evict;
mod search;
mod tree;

use std::collections::HashMap;

use spindle_formats::{SpanId, TraceData, TraceId};

pub use aggregate::AggNode;
#[cfg(test)]
pub(crate) use aggregate::agg_picture;
pub use evict::TraceMap;
pub use search::contains_lowercase;

/// A node of a trace tree: a span index, or [`Node::MISSING_PARENT`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Node(pub u32);

impl Node {
    /// The placeholder under which spans whose parent is not loaded are shown.
    pub const MISSING_PARENT: Node = Node(u32::MAX);

    /// The span index, unless this is the placeholder.
    pub fn span(self) -> Option<usize> {
        (self != Node::MISSING_PARENT).then_some(self.0 as usize)
    }
}

/// One trace: its spans and a summary for the list.
#[derive(Debug, Clone, Default)]
pub struct Trace {
    pub trace_id: TraceId,
    /// Spans without a parent id, in start order.
    pub roots: Vec<u32>,
    /// Spans whose parent id is not among the loaded spans (or that form a cycle).
    pub orphans: Vec<u32>,
    /// Every node in tree order (pre-order: roots, then the placeholder and orphan subtrees).
    pub order: Vec<Node>,
    /// Depth of each entry of `order`.
    pub depths: Vec<u16>,
    pub start: u64,
    pub end: u64,
    pub span_count: usize,
    pub error_count: usize,
    /// Service id and name of the first root (or first orphan when there is no root).
    pub root_service: u32,
    pub root_name: String,
    /// Sorted unique service ids.
    pub services: Vec<u32>,
    /// The trace's spans in start order; a span's place here is its position.
    pub spans: Vec<u32>,
    /// Children of the span at position k are `child_list[child_start[k]..child_start[k + 1]]`.
    child_start: Vec<u32>,
    child_list: Vec<u32>,
}

impl Trace {
    /// Children of the span at position `k` of this trace, in start order.
    fn children_at(&self, k: u32) -> &[u32] {
        let k = k as usize;
        match (self.child_start.get(k), self.child_start.get(k + 1)) {
            (Some(&a), Some(&b)) => &self.child_list[a as usize..b as usize],
            _ => &[],
        }
    }

    pub fn duration(&self) -> u64 {
        self.end.saturating_sub(self.start)
    }

    /// The label the trace list shows and tests find: `service: operation`.
    pub fn label(&self, index: &Index) -> String {
        format!(
            "{}: {}",
            index.service_name(self.root_service),
            self.root_name
        )
    }
}

/// The index of one load.
#[derive(Debug, Clone, Default)]
pub struct Index {
    pub traces: Vec<Trace>,
    trace_by_id: HashMap<TraceId, u32>,
    /// Per span: parent span index (u32::MAX when none is loaded).
    pub parent: Vec<u32>,
    /// Per span: its position in its trace's `spans`.
    pos: Vec<u32>,
    /// Per span: which trace it belongs to.
    pub trace_of: Vec<u32>,
    pub self_time: Vec<u64>,
    /// Per span: interned service id.
    pub service_of: Vec<u32>,
    pub services: Vec<String>,
    /// Service id per resource (filled as resources are first seen), and per service name.
    service_by_resource: Vec<Option<u32>>,
    service_ids: HashMap<String, u32>,
    /// Aggregated flame graph nodes; node 0 is the synthetic root "all traces". Nodes that
    /// lost all their spans are unlinked from the tree (compacted away in time).
    pub agg: Vec<AggNode>,
    /// Per span: its node in `agg` (0 until folded in).
    agg_of: Vec<u32>,
    agg_paths: aggregate::AggPaths,
    /// Total count of spans shown under a 'missing parent' placeholder.
    pub orphan_count: usize,
}

const NONE: u32 = u32::MAX;

impl Index {
    /// Builds the index. O(n log n) in the number of spans.
    pub fn build(data: &TraceData) -> Index {
        let mut index = Index::default();
        index.grow(data);
        // The keys are copied out first: sorting them in place reads memory in order, where
        // a key looked up per comparison would be a cache miss into the spans.
        let mut by_trace: Vec<(TraceId, u32)> = (data.spans.iter())
            .zip(0..)
            .map(|(span, i)| (span.trace_id, i))
            .collect();
        by_trace.sort_unstable();
        for group in by_trace.chunk_by(|a, b| a.0 == b.0) {
            let t = index.traces.len() as u32;
            let spans = group.iter().map(|&(_, i)| i).collect();
            let trace = index.build_trace(data, t, spans);
            index.orphan_count += trace.orphans.len();
            index.trace_by_id.insert(trace.trace_id, t);
            index.traces.push(trace);
        }
        index.build_aggregate(data);
        index
    }

    /// Takes in the spans `data.spans[from..]`, appended since the last build or append:
    /// each trace they join is rebuilt alone (new traces are added at the end), so the cost
    /// follows the new spans and their traces, not everything loaded. Returns the changed
    /// trace indices, ascending. The aggregated flame graph is brought up to date the same
    /// way: each changed trace is folded out with its old tree and in with its new one.
    pub fn append(&mut self, data: &TraceData, from: usize) -> Vec<u32> {
        self.grow(data);
        let mut joining: HashMap<u32, Vec<u32>> = HashMap::new();
        for i in from..data.spans.len() {
            let id = data.spans[i].trace_id;
            let next = self.traces.len() as u32;
            let t = *self.trace_by_id.entry(id).or_insert(next);
            if t == next {
                self.traces.push(Trace::default());
            }
            joining.entry(t).or_default().push(i as u32);
        }
        let mut changed: Vec<u32> = joining.keys().copied().collect();
        changed.sort_unstable();
        for &t in &changed {
            self.fold_out(data, t as usize);
            let old = std::mem::take(&mut self.traces[t as usize]);
            self.orphan_count -= old.orphans.len();
            let mut spans = old.spans;
            spans.extend(joining.remove(&t).unwrap_or_default());
            let trace = self.build_trace(data, t, spans);
            self.orphan_count += trace.orphans.len();
            self.traces[t as usize] = trace;
            self.fold_in(data, t as usize);
        }
        self.sweep_aggregate();
        changed
    }

    /// Sizes the per-span vectors for `data` and interns the services of the new spans.
    fn grow(&mut self, data: &TraceData) {
        let (from, n) = (self.service_of.len(), data.spans.len());
        self.parent.resize(n, NONE);
        self.pos.resize(n, 0);
        self.trace_of.resize(n, 0);
        self.self_time.resize(n, 0);
        self.agg_of.resize(n, 0);
        self.service_by_resource.resize(data.resources.len(), None);
        self.service_of.reserve(n - from);
        for span in &data.spans[from..] {
            let id = self.service_id(data, span);
            self.service_of.push(id);
        }
    }

    fn service_id(&mut self, data: &TraceData, span: &spindle_formats::Span) -> u32 {
        let slot = span.resource.0 as usize;
        if let Some(Some(id)) = self.service_by_resource.get(slot) {
            return *id;
        }
        let name = data.service_name_of(span);
        let next = self.services.len() as u32;
        let id = *self.service_ids.entry(name.to_string()).or_insert(next);
        if id == next {
            self.services.push(name.to_string());
        }
        if let Some(cached) = self.service_by_resource.get_mut(slot) {
            *cached = Some(id);
        }
        id
    }

    pub fn trace(&self, id: TraceId) -> Option<&Trace> {
        self.trace_by_id.get(&id).map(|&t| &self.traces[t as usize])
    }

    pub fn trace_index(&self, id: TraceId) -> Option<usize> {
        self.trace_by_id.get(&id).map(|&t| t as usize)
    }

    pub fn service_name(&self, id: u32) -> &str {
        self.services
            .get(id as usize)
            .map_or("unknown_service", String::as_str)
    }

    /// The span index of `(trace, span)` if loaded.
    pub fn find_span(&self, data: &TraceData, trace_id: TraceId, span_id: SpanId) -> Option<usize> {
        let trace = self.trace(trace_id)?;
        trace
            .order
            .iter()
            .filter_map(|n| n.span())
            .find(|&i| data.spans[i].span_id == span_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use spindle_formats::{KeyValue, Resource, ResourceIndex, Span};

    fn span(trace: u128, id: u64, parent: Option<u64>, start: u64, end: u64, name: &str) -> Span {
        Span {
            trace_id: TraceId(trace),
            span_id: SpanId(id),
            parent_span_id: parent.map(SpanId),
            name: name.to_string().into(),
            start_unix_nanos: start,
            end_unix_nanos: end,
            resource: ResourceIndex(0),
            ..Span::default()
        }
    }

    fn data(spans: Vec<Span>) -> TraceData {
        TraceData {
            resources: vec![Resource {
                attributes: vec![KeyValue::new("service.name", "shop")],
                ..Default::default()
            }],
            scopes: Vec::new(),
            spans,
        }
    }

    #[test]
    fn trees_orphans_self_time_and_cycles() {
        let d = data(vec![
            span(1, 1, None, 0, 100, "root"),
            span(1, 3, Some(1), 50, 90, "b"),
            span(1, 2, Some(1), 10, 60, "a"),
            span(1, 4, Some(99), 20, 30, "orphan"),
            span(1, 5, Some(6), 0, 1, "cycle-a"),
            span(1, 6, Some(5), 0, 1, "cycle-b"),
            span(2, 1, None, 5, 6, "other"),
        ]);
        let index = Index::build(&d);
        assert_eq!(index.traces.len(), 2);
        let t = index.trace(TraceId(1)).expect("trace 1");
        let names: Vec<&str> = t
            .order
            .iter()
            .map(|n| n.span().map_or("?", |i| d.spans[i].name.as_ref()))
            .collect();
        assert_eq!(names[..4], ["root", "a", "b", "?"]);
        assert_eq!(t.depths[..5], [0, 1, 1, 0, 1]);
        assert_eq!(t.order.len(), 7);
        assert_eq!(index.self_time[0], 100 - 80);
        assert_eq!(
            t.orphans.len(),
            2,
            "one missing parent plus one cycle broken"
        );
        assert_eq!(index.orphan_count, 2);
        assert_eq!(t.label(&index), "shop: root");
        let hits = index.search(&d, t, "ORPH");
        assert_eq!(hits, vec![Node(3)]);
        // Aggregate: root -> {a, b}; the second trace's root is another child of "all".
        assert_eq!(index.agg[0].children.len(), 4);
    }
}
