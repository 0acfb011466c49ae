//! The span trees: parent links, child lists, self times, and each trace's pre-order walk
//! with orphans (and broken cycles) under the 'missing parent' placeholder.

use spindle_formats::{SpanId, TraceData};

use super::{Index, NONE, Node, Trace};

impl Index {
    /// Resolves parent ids within each trace by binary search over the trace's sorted span ids.
    pub(super) fn link_parents(&mut self, data: &TraceData, by_trace: &[u32]) {
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
    pub(super) fn build_children(&mut self, by_trace: &[u32]) {
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
    pub(super) fn compute_self_times(&mut self, data: &TraceData) {
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

    pub(super) fn build_traces(&mut self, data: &TraceData, by_trace: &[u32]) {
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
}

/// Runs of `by_trace` that share a trace id.
fn trace_groups<'a>(data: &'a TraceData, by_trace: &'a [u32]) -> impl Iterator<Item = &'a [u32]> {
    by_trace
        .chunk_by(move |&a, &b| data.spans[a as usize].trace_id == data.spans[b as usize].trace_id)
}
