//! The span trees, one trace at a time: parent links, child lists, self times, and each
//! trace's pre-order walk with orphans (and broken cycles) under the 'missing parent'
//! placeholder. A trace is built from its own spans only, so a trace that grows (spans
//! arriving live) is rebuilt alone, in proportion to its size.

use spindle_formats::{SpanId, TraceData};

use super::{Index, NONE, Node, Trace};

impl Index {
    /// Builds one trace from its spans (any order): positions, parent links, child lists,
    /// self times, the summary and the pre-order walk. O(k log k) for k spans.
    pub(super) fn build_trace(&mut self, data: &TraceData, t: u32, mut spans: Vec<u32>) -> Trace {
        spans.sort_unstable_by_key(|&i| (data.spans[i as usize].start_unix_nanos, i));
        for (k, &i) in spans.iter().enumerate() {
            self.pos[i as usize] = k as u32;
            self.trace_of[i as usize] = t;
            self.parent[i as usize] = NONE;
        }
        self.link_parents(data, &spans);
        let mut trace = Trace {
            trace_id: spans
                .first()
                .map_or_else(Default::default, |&i| data.spans[i as usize].trace_id),
            start: u64::MAX,
            span_count: spans.len(),
            ..Trace::default()
        };
        self.build_children(&mut trace, &spans);
        trace.spans = spans;
        self.compute_self_times(data, &trace);
        self.summarize(data, &mut trace);
        self.order_trace(&mut trace);
        if let Some(&first) = trace.roots.first().or(trace.orphans.first()) {
            trace.root_service = self.service_of[first as usize];
            trace.root_name = data.spans[first as usize].name.to_string();
        }
        trace
    }

    /// Resolves parent ids within one trace by binary search over its sorted span ids.
    fn link_parents(&mut self, data: &TraceData, spans: &[u32]) {
        let mut ids: Vec<(SpanId, u32)> = spans
            .iter()
            .map(|&i| (data.spans[i as usize].span_id, i))
            .collect();
        ids.sort_unstable();
        for &i in spans {
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

    /// The trace's child lists in compressed form, by position, each in start order.
    fn build_children(&self, trace: &mut Trace, spans: &[u32]) {
        let n = spans.len();
        let mut counts = vec![0u32; n + 1];
        for &i in spans {
            let p = self.parent[i as usize];
            if p != NONE {
                counts[self.pos[p as usize] as usize + 1] += 1;
            }
        }
        for k in 1..=n {
            counts[k] += counts[k - 1];
        }
        trace.child_list = vec![0; counts[n] as usize];
        trace.child_start = counts.clone();
        let mut fill = counts;
        for &i in spans {
            let p = self.parent[i as usize];
            if p != NONE {
                let slot = &mut fill[self.pos[p as usize] as usize];
                trace.child_list[*slot as usize] = i;
                *slot += 1;
            }
        }
    }

    /// Children of a span, in start order.
    pub fn children(&self, span: usize) -> &[u32] {
        match (self.trace_of.get(span), self.pos.get(span)) {
            (Some(&t), Some(&k)) => self
                .traces
                .get(t as usize)
                .map_or(&[], |trace| trace.children_at(k)),
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
    fn compute_self_times(&mut self, data: &TraceData, trace: &Trace) {
        for &i in &trace.spans {
            let span = &data.spans[i as usize];
            let (start, end) = (
                span.start_unix_nanos,
                span.end_unix_nanos.max(span.start_unix_nanos),
            );
            let mut covered = 0u64;
            let mut cursor = start;
            for &c in trace.children_at(self.pos[i as usize]) {
                let child = &data.spans[c as usize];
                let a = child.start_unix_nanos.clamp(cursor, end);
                let b = child.end_unix_nanos.clamp(a, end);
                covered += b - a;
                cursor = cursor.max(b);
            }
            self.self_time[i as usize] = (end - start).saturating_sub(covered);
        }
    }

    /// Start, end, errors, services, roots and orphans of a trace.
    fn summarize(&self, data: &TraceData, trace: &mut Trace) {
        for &i in &trace.spans {
            let span = &data.spans[i as usize];
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
    }

    /// Pre-order walk; spans never reached (parent cycles) become orphans.
    fn order_trace(&self, trace: &mut Trace) {
        let n = trace.spans.len();
        let mut visited = vec![false; n];
        let mut order = Vec::with_capacity(n + 1);
        let mut depths = Vec::with_capacity(n + 1);
        let mut walk = Walk {
            index: self,
            visited: &mut visited,
        };
        for &root in &trace.roots {
            walk.subtree(trace, root, 0, &mut order, &mut depths);
        }
        let mut orphan_order = Vec::new();
        let mut orphan_depths = Vec::new();
        for &orphan in &trace.orphans {
            walk.subtree(trace, orphan, 1, &mut orphan_order, &mut orphan_depths);
        }
        let unreached: Vec<u32> = (0..n)
            .filter(|&k| !walk.visited[k])
            .map(|k| trace.spans[k])
            .collect();
        for i in unreached {
            if !walk.visited[self.pos[i as usize] as usize] {
                trace.orphans.push(i);
                walk.subtree(trace, i, 1, &mut orphan_order, &mut orphan_depths);
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
}

/// A pre-order walk over one trace; `visited` is by position in the trace.
struct Walk<'a> {
    index: &'a Index,
    visited: &'a mut [bool],
}

impl Walk<'_> {
    fn subtree(
        &mut self,
        trace: &Trace,
        start: u32,
        depth: u16,
        order: &mut Vec<Node>,
        depths: &mut Vec<u16>,
    ) {
        let mut stack = vec![(start, depth)];
        while let Some((i, d)) = stack.pop() {
            let k = self.index.pos[i as usize];
            if std::mem::replace(&mut self.visited[k as usize], true) {
                continue;
            }
            order.push(Node(i));
            depths.push(d);
            for &c in trace.children_at(k).iter().rev() {
                stack.push((c, d.saturating_add(1)));
            }
        }
    }
}
