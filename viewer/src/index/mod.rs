//! What the views need to know about loaded spans, computed once per load (off the UI thread):
//! traces, span trees in start order, orphans under a 'missing parent' placeholder, self time,
//! interned services, the aggregated call-path tree, and text search.
//!
//! Everything is index-based (`u32` into [`TraceData::spans`]) so a million spans cost a few
//! flat vectors, and building is a sort plus linear passes: O(n log n).

mod aggregate;
mod search;
mod tree;

use std::collections::HashMap;

use spindle_formats::{SpanId, TraceData, TraceId};

pub use aggregate::AggNode;
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
}

impl Trace {
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
    /// Children of span i are `child_list[child_start[i]..child_start[i + 1]]`, in start order.
    child_start: Vec<u32>,
    child_list: Vec<u32>,
    /// Per span: which trace it belongs to.
    pub trace_of: Vec<u32>,
    pub self_time: Vec<u64>,
    /// Per span: interned service id.
    pub service_of: Vec<u32>,
    pub services: Vec<String>,
    /// Aggregated flame graph nodes; node 0 is the synthetic root "all traces".
    pub agg: Vec<AggNode>,
    /// Total count of spans shown under a 'missing parent' placeholder.
    pub orphan_count: usize,
}

const NONE: u32 = u32::MAX;

impl Index {
    /// Builds the index. O(n log n) in the number of spans.
    pub fn build(data: &TraceData) -> Index {
        let n = data.spans.len();
        let mut index = Index {
            parent: vec![NONE; n],
            trace_of: vec![0; n],
            self_time: vec![0; n],
            ..Index::default()
        };
        index.intern_services(data);
        let mut by_trace: Vec<u32> = (0..n as u32).collect();
        by_trace.sort_unstable_by_key(|&i| {
            let s = &data.spans[i as usize];
            (s.trace_id, s.start_unix_nanos, i)
        });
        index.link_parents(data, &by_trace);
        index.build_children(&by_trace);
        index.compute_self_times(data);
        index.build_traces(data, &by_trace);
        index.build_aggregate(data);
        index
    }

    fn intern_services(&mut self, data: &TraceData) {
        let mut by_resource: Vec<Option<u32>> = vec![None; data.resources.len()];
        let mut ids: HashMap<String, u32> = HashMap::new();
        self.service_of = Vec::with_capacity(data.spans.len());
        for span in &data.spans {
            let cached = by_resource.get(span.resource.0 as usize).copied().flatten();
            let id = match cached {
                Some(id) => id,
                None => {
                    let name = data.service_name_of(span);
                    let next = ids.len() as u32;
                    let id = *ids.entry(name.to_string()).or_insert(next);
                    if id == next {
                        self.services.push(name.to_string());
                    }
                    if let Some(slot) = by_resource.get_mut(span.resource.0 as usize) {
                        *slot = Some(id);
                    }
                    id
                }
            };
            self.service_of.push(id);
        }
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
