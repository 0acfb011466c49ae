//! What the views need to know about loaded spans, computed once per load (off the UI thread):
//! traces, span trees in start order, orphans under a 'missing parent' placeholder, self time,
//! interned services, the aggregated call-path tree, and text search.
//!
//! Everything is index-based (`u32` into [`TraceData::spans`]) so a million spans cost a few
//! flat vectors, and building is a sort plus linear passes: O(n log n).

use std::collections::HashMap;

use spindle_formats::{SpanId, TraceData, TraceId};

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

/// A node of the flame graph aggregated over all traces, merged by (service, operation) path.
#[derive(Debug, Clone, Default)]
pub struct AggNode {
    pub service: u32,
    pub name: String,
    pub parent: Option<u32>,
    /// Sum of span durations on this path.
    pub total: u64,
    /// Sum of self times on this path.
    pub self_time: u64,
    pub count: u64,
    pub children: Vec<u32>,
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

    /// Resolves parent ids within each trace by binary search over the trace's sorted span ids.
    fn link_parents(&mut self, data: &TraceData, by_trace: &[u32]) {
        let mut ids: Vec<(SpanId, u32)> = Vec::new();
        for group in trace_groups(data, by_trace) {
            ids.clear();
            ids.extend(group.iter().map(|&i| (data.spans[i as usize].span_id, i)));
            ids.sort_unstable();
            for &i in group {
                let Some(parent_id) = data.spans[i as usize].parent_span_id else {
                    continue;
                };
                let at = ids.partition_point(|(id, _)| *id < parent_id);
                if let Some(&(id, p)) = ids.get(at)
                    && id == parent_id
                    && p != i
                {
                    self.parent[i as usize] = p;
                }
            }
        }
    }

    /// Child lists in compressed form, each in start order (spans are visited in start order).
    fn build_children(&mut self, by_trace: &[u32]) {
        let n = self.parent.len();
        let mut counts = vec![0u32; n + 1];
        for &p in &self.parent {
            if p != NONE {
                counts[p as usize + 1] += 1;
            }
        }
        for i in 1..=n {
            counts[i] += counts[i - 1];
        }
        self.child_start = counts.clone();
        self.child_list = vec![0; self.child_start[n] as usize];
        let mut fill = counts;
        for &i in by_trace {
            let p = self.parent[i as usize];
            if p != NONE {
                let slot = &mut fill[p as usize];
                self.child_list[*slot as usize] = i;
                *slot += 1;
            }
        }
    }

    /// Children of a span, in start order.
    pub fn children(&self, span: usize) -> &[u32] {
        match (self.child_start.get(span), self.child_start.get(span + 1)) {
            (Some(&a), Some(&b)) => &self.child_list[a as usize..b as usize],
            _ => &[],
        }
    }

    /// Children of a tree node (the placeholder's children are the trace's orphans).
    pub fn node_children<'a>(&'a self, trace: &'a Trace, node: Node) -> &'a [u32] {
        match node.span() {
            Some(span) => self.children(span),
            None => &trace.orphans,
        }
    }

    /// Duration minus the time covered by children (overlapping children counted once).
    fn compute_self_times(&mut self, data: &TraceData) {
        for (i, span) in data.spans.iter().enumerate() {
            let (start, end) = (
                span.start_unix_nanos,
                span.end_unix_nanos.max(span.start_unix_nanos),
            );
            let mut covered = 0u64;
            let mut cursor = start;
            for &c in self.children(i) {
                let child = &data.spans[c as usize];
                let a = child.start_unix_nanos.clamp(cursor, end);
                let b = child.end_unix_nanos.clamp(a, end);
                covered += b - a;
                cursor = cursor.max(b);
            }
            self.self_time[i] = (end - start).saturating_sub(covered);
        }
    }

    fn build_traces(&mut self, data: &TraceData, by_trace: &[u32]) {
        let mut visited = vec![false; data.spans.len()];
        for group in trace_groups(data, by_trace) {
            let t = self.traces.len() as u32;
            let mut trace = Trace {
                trace_id: data.spans[group[0] as usize].trace_id,
                start: u64::MAX,
                span_count: group.len(),
                ..Trace::default()
            };
            for &i in group {
                let span = &data.spans[i as usize];
                self.trace_of[i as usize] = t;
                trace.start = trace.start.min(span.start_unix_nanos);
                trace.end = trace.end.max(span.end_unix_nanos);
                trace.error_count += usize::from(span.status.is_error());
                trace.services.push(self.service_of[i as usize]);
                if self.parent[i as usize] == NONE {
                    if span.parent_span_id.is_some() {
                        trace.orphans.push(i);
                    } else {
                        trace.roots.push(i);
                    }
                }
            }
            trace.services.sort_unstable();
            trace.services.dedup();
            self.order_trace(&mut trace, group, &mut visited);
            self.orphan_count += trace.orphans.len();
            if let Some(&first) = trace.roots.first().or(trace.orphans.first()) {
                trace.root_service = self.service_of[first as usize];
                trace.root_name = data.spans[first as usize].name.to_string();
            }
            self.trace_by_id.insert(trace.trace_id, t);
            self.traces.push(trace);
        }
    }

    /// Pre-order walk; spans never reached (parent cycles) become orphans.
    fn order_trace(&self, trace: &mut Trace, group: &[u32], visited: &mut [bool]) {
        let mut order = Vec::with_capacity(group.len() + 1);
        let mut depths = Vec::with_capacity(group.len() + 1);
        for &root in &trace.roots {
            self.walk(root, 0, visited, &mut order, &mut depths);
        }
        let mut orphan_order = Vec::new();
        let mut orphan_depths = Vec::new();
        for &orphan in &trace.orphans {
            self.walk(orphan, 1, visited, &mut orphan_order, &mut orphan_depths);
        }
        for &i in group {
            if !visited[i as usize] {
                trace.orphans.push(i);
                self.walk(i, 1, visited, &mut orphan_order, &mut orphan_depths);
            }
        }
        if !trace.orphans.is_empty() {
            order.push(Node::MISSING_PARENT);
            depths.push(0);
            order.extend(orphan_order);
            depths.extend(orphan_depths);
        }
        trace.order = order;
        trace.depths = depths;
    }

    fn walk(
        &self,
        start: u32,
        depth: u16,
        visited: &mut [bool],
        order: &mut Vec<Node>,
        depths: &mut Vec<u16>,
    ) {
        let mut stack = vec![(start, depth)];
        while let Some((i, d)) = stack.pop() {
            if std::mem::replace(&mut visited[i as usize], true) {
                continue;
            }
            order.push(Node(i));
            depths.push(d);
            for &c in self.children(i as usize).iter().rev() {
                stack.push((c, d.saturating_add(1)));
            }
        }
    }

    /// Merges every trace's tree by (service, operation) path.
    fn build_aggregate(&mut self, data: &TraceData) {
        let mut agg = vec![AggNode {
            name: "all traces".into(),
            ..AggNode::default()
        }];
        let mut names: HashMap<&str, u32> = HashMap::new();
        let mut keys: HashMap<(u32, u32, u32), u32> = HashMap::new();
        let mut node_of = vec![0u32; data.spans.len()];
        for trace in &self.traces {
            for &node in &trace.order {
                let Some(i) = node.span() else { continue };
                let span = &data.spans[i];
                let p = self.parent[i];
                let parent_agg = if p == NONE { 0 } else { node_of[p as usize] };
                let next_name = names.len() as u32;
                let name_id = *names.entry(span.name.as_ref()).or_insert(next_name);
                let service = self.service_of[i];
                let id = *keys
                    .entry((parent_agg, service, name_id))
                    .or_insert_with(|| {
                        agg.push(AggNode {
                            service,
                            name: span.name.to_string(),
                            parent: Some(parent_agg),
                            ..AggNode::default()
                        });
                        let id = (agg.len() - 1) as u32;
                        agg[parent_agg as usize].children.push(id);
                        id
                    });
                node_of[i] = id;
                let node = &mut agg[id as usize];
                node.total += span.duration_nanos();
                node.self_time += self.self_time[i];
                node.count += 1;
            }
        }
        agg[0].total = agg[0].children.iter().map(|&c| agg[c as usize].total).sum();
        agg[0].count = data.spans.len() as u64;
        for node in 0..agg.len() {
            let mut children = std::mem::take(&mut agg[node].children);
            children.sort_by(|&a, &b| agg[a as usize].name.cmp(&agg[b as usize].name));
            agg[node].children = children;
        }
        self.agg = agg;
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

    /// Nodes of `trace` matching `query` (case-insensitive) in names, services, attribute keys
    /// and values, in tree order.
    pub fn search(&self, data: &TraceData, trace: &Trace, query: &str) -> Vec<Node> {
        let query = query.trim().to_lowercase();
        if query.is_empty() {
            return Vec::new();
        }
        trace
            .order
            .iter()
            .copied()
            .filter(|node| {
                node.span()
                    .is_some_and(|i| self.span_matches(data, i, &query))
            })
            .collect()
    }

    fn span_matches(&self, data: &TraceData, i: usize, lower_query: &str) -> bool {
        let span = &data.spans[i];
        let hit = |text: &str| contains_lowercase(text, lower_query);
        hit(&span.name)
            || hit(self.service_name(self.service_of[i]))
            || span
                .attributes
                .iter()
                .any(|kv| hit(&kv.key) || hit(&kv.value.to_string()))
    }
}

/// Case-insensitive substring test; `lower_query` is already lowercase. No allocation when
/// the query is ASCII (an ASCII byte never matches inside a multi-byte character).
pub fn contains_lowercase(text: &str, lower_query: &str) -> bool {
    if !lower_query.is_ascii() {
        return text.to_lowercase().contains(lower_query);
    }
    let (text, query) = (text.as_bytes(), lower_query.as_bytes());
    query.is_empty()
        || text
            .windows(query.len())
            .any(|w| w.eq_ignore_ascii_case(query))
}

/// Runs of `by_trace` that share a trace id.
fn trace_groups<'a>(data: &'a TraceData, by_trace: &'a [u32]) -> impl Iterator<Item = &'a [u32]> {
    by_trace
        .chunk_by(move |&a, &b| data.spans[a as usize].trace_id == data.spans[b as usize].trace_id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use spindle_formats::{KeyValue, Resource, ResourceIndex, Span};

    #[test]
    fn case_insensitive_contains() {
        assert!(contains_lowercase("GET /Checkout", "checkout"));
        assert!(!contains_lowercase("GET", "gets"));
        assert!(contains_lowercase("Größe", "größe"));
        assert!(contains_lowercase("Größe /cart", "/cart"));
    }

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
