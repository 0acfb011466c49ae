//! The sandwich view of one operation in the aggregated flame graph (speedscope's): every call
//! path through the operation merged into two trees, its callers (drawn above it, upside
//! down: the operation at the bottom, the callers' callers higher) and its callees (below
//! it). Only the outermost calls count, so a recursive operation's time is not counted twice.
//! No egui.

use std::collections::HashMap;

use super::FlameLayout;
use crate::index::AggNode;

/// One operation of the aggregated graph: (service, name) with its total time over the
/// outermost calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    pub service: u32,
    pub name: String,
    pub total: u64,
    pub count: u64,
}

/// Every operation of the aggregated tree, the most total time first (ties by name). A call
/// inside another call of the same operation is not counted again.
pub fn operations(agg: &[AggNode]) -> Vec<Operation> {
    let mut by_key: HashMap<(u32, &str), Operation> = HashMap::new();
    // How many nodes of each operation are on the path to the node visited.
    let mut open: HashMap<(u32, &str), u32> = HashMap::new();
    let Some(root) = agg.first() else {
        return Vec::new();
    };
    // (node, entering): a node is pushed again to be left after its subtree.
    let mut stack: Vec<(u32, bool)> = root.children.iter().map(|&c| (c, true)).collect();
    while let Some((n, entering)) = stack.pop() {
        let node = &agg[n as usize];
        let key = (node.service, node.name.as_str());
        let depth = open.entry(key).or_insert(0);
        if !entering {
            *depth -= 1;
            continue;
        }
        if *depth == 0 {
            let op = by_key.entry(key).or_insert_with(|| Operation {
                service: node.service,
                name: node.name.clone(),
                total: 0,
                count: 0,
            });
            op.total += node.total;
            op.count += node.count;
        }
        *open.entry(key).or_insert(0) += 1;
        stack.push((n, false));
        stack.extend(node.children.iter().map(|&c| (c, true)));
    }
    let mut ops: Vec<Operation> = by_key.into_values().collect();
    ops.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.name.cmp(&b.name)));
    ops
}

/// The operation's callers and callees, each a merged tree whose node 0 is the operation.
#[derive(Debug, Clone, Default)]
pub struct Sandwich {
    pub service: u32,
    pub name: String,
    /// Node 0 is the operation; a node's children are its callers (merged by service and
    /// name along the path up). A caller's `total` and `count` are the operation's time and
    /// calls under it.
    pub callers: Vec<AggNode>,
    /// Node 0 is the operation; below it everything it called, merged by path.
    pub callees: Vec<AggNode>,
    pub callers_layout: FlameLayout,
    pub callees_layout: FlameLayout,
}

impl Sandwich {
    /// The sandwich of `(service, name)` over the aggregated tree `agg` (node 0 the synthetic
    /// root); children heaviest first when `heaviest_first`.
    pub fn of(agg: &[AggNode], service: u32, name: &str, heaviest_first: bool) -> Sandwich {
        let top = |total| AggNode {
            service,
            name: name.to_string(),
            parent: None,
            total,
            ..AggNode::default()
        };
        let mut callers = Merged::new(top(0));
        let mut callees = Merged::new(top(0));
        let is_op = |n: &AggNode| n.service == service && n.name == name;
        for_outermost(agg, is_op, |node| {
            callers.add(0, node.total, node.self_time, node.count);
            callees.add(0, node.total, node.self_time, node.count);
            // Up the path: the caller, its caller, ... below the synthetic root.
            let mut into = 0;
            let mut up = node.parent;
            while let Some(p) = up.filter(|&p| p != 0) {
                let caller = &agg[p as usize];
                into = callers.child(into, caller);
                callers.add(into, node.total, 0, node.count);
                up = caller.parent;
            }
            // Down: the subtree, merged by path under the operation.
            let mut stack: Vec<(u32, u32)> = (node.children.iter()).map(|&c| (c, 0)).collect();
            while let Some((c, parent)) = stack.pop() {
                let child = &agg[c as usize];
                let at = callees.child(parent, child);
                callees.add(at, child.total, child.self_time, child.count);
                stack.extend(child.children.iter().map(|&g| (g, at)));
            }
        });
        let callers = callers.nodes;
        let callees = callees.nodes;
        Sandwich {
            service,
            name: name.to_string(),
            callers_layout: FlameLayout::merged_tree(&callers, heaviest_first),
            callees_layout: FlameLayout::merged_tree(&callees, heaviest_first),
            callers,
            callees,
        }
    }
}

/// Calls `f` for each node matching `is_op` with no matching ancestor, in tree order.
fn for_outermost(agg: &[AggNode], is_op: impl Fn(&AggNode) -> bool, mut f: impl FnMut(&AggNode)) {
    let Some(root) = agg.first() else {
        return;
    };
    let mut stack: Vec<u32> = root.children.iter().rev().copied().collect();
    while let Some(n) = stack.pop() {
        let node = &agg[n as usize];
        if is_op(node) {
            f(node);
        } else {
            stack.extend(node.children.iter().rev());
        }
    }
}

/// A merged tree being built: children found by (parent, service, name).
struct Merged {
    nodes: Vec<AggNode>,
    by_key: HashMap<(u32, u32, String), u32>,
}

impl Merged {
    fn new(root: AggNode) -> Merged {
        Merged {
            nodes: vec![root],
            by_key: HashMap::new(),
        }
    }

    /// The child of `parent` standing for `like`'s service and name, made if new.
    fn child(&mut self, parent: u32, like: &AggNode) -> u32 {
        let key = (parent, like.service, like.name.clone());
        if let Some(&id) = self.by_key.get(&key) {
            return id;
        }
        let id = self.nodes.len() as u32;
        self.nodes.push(AggNode {
            service: like.service,
            name: like.name.clone(),
            parent: Some(parent),
            ..AggNode::default()
        });
        self.nodes[parent as usize].children.push(id);
        self.by_key.insert(key, id);
        id
    }

    fn add(&mut self, at: u32, total: u64, self_time: u64, count: u64) {
        let node = &mut self.nodes[at as usize];
        node.total += total;
        node.self_time += self_time;
        node.count += count;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture;
    use crate::load::Document;
    use spindle_formats::{KeyValue, Resource, ResourceIndex, Span, SpanId, TraceData, TraceId};

    /// (name, total, count) of each child of `at`, in tree order.
    fn children(nodes: &[AggNode], at: u32) -> Vec<(String, u64, u64)> {
        (nodes[at as usize].children.iter())
            .map(|&c| {
                let n = &nodes[c as usize];
                (n.name.clone(), n.total, n.count)
            })
            .collect()
    }

    fn service(doc: &Document, name: &str) -> u32 {
        let at = doc.index.services.iter().position(|s| s == name);
        at.expect("service in fixture") as u32
    }

    const MS: u64 = 1_000_000;

    #[test]
    fn callers_above_and_callees_below_the_operation() {
        let doc = Document::from_data(fixture::shop());
        let payments = service(&doc, "payments");
        let s = Sandwich::of(&doc.index.agg, payments, "charge card", false);
        // charge card (45..100 ms) under POST /cart/checkout under GET /checkout.
        assert_eq!((s.callers[0].total, s.callers[0].count), (55 * MS, 1));
        assert_eq!(
            children(&s.callers, 0),
            [("POST /cart/checkout".to_string(), 55 * MS, 1)]
        );
        assert_eq!(
            children(&s.callers, 1),
            [("GET /checkout".to_string(), 55 * MS, 1)]
        );
        assert!(s.callers[2].children.is_empty(), "the root has no caller");
        assert_eq!(
            children(&s.callees, 0),
            [("fraud check".to_string(), 20 * MS, 1)]
        );
        assert_eq!(s.callers_layout.levels.len(), 3);
        assert_eq!(s.callees_layout.levels.len(), 2);
        assert_eq!(s.callers_layout.extent, 55 * MS);
    }

    /// (id, parent, name, start ms, end ms).
    type Row<'a> = (u64, Option<u64>, &'a str, u64, u64);

    /// One service; the rows of each slice one trace.
    fn traces(traces: &[&[Row<'_>]]) -> TraceData {
        let mut spans = Vec::new();
        for (t, list) in traces.iter().enumerate() {
            for &(id, parent, name, a, b) in list.iter() {
                spans.push(Span {
                    trace_id: TraceId(t as u128 + 1),
                    span_id: SpanId(id),
                    parent_span_id: parent.map(SpanId),
                    name: name.to_string().into(),
                    start_unix_nanos: a * MS,
                    end_unix_nanos: b * MS,
                    resource: ResourceIndex(0),
                    ..Span::default()
                });
            }
        }
        TraceData {
            resources: vec![Resource {
                attributes: vec![KeyValue::new("service.name", "svc")],
                ..Default::default()
            }],
            scopes: Vec::new(),
            spans,
        }
    }

    #[test]
    fn calls_from_two_callers_merge_and_recursion_counts_once() {
        // Trace 1: a > q (10 ms) > q (4 ms, recursive) > x (2 ms).
        // Trace 2: b > q (6 ms) > y (1 ms); and a top-level q (3 ms) with no caller.
        let data = traces(&[
            &[
                (1, None, "a", 0, 20),
                (2, Some(1), "q", 0, 10),
                (3, Some(2), "q", 1, 5),
                (4, Some(3), "x", 2, 4),
            ],
            &[
                (1, None, "b", 0, 10),
                (2, Some(1), "q", 0, 6),
                (3, Some(2), "y", 0, 1),
            ],
            &[(1, None, "q", 0, 3)],
        ]);
        let doc = Document::from_data(data);
        let s = Sandwich::of(&doc.index.agg, 0, "q", true);
        // Outermost calls only: 10 + 6 + 3 ms, three calls.
        assert_eq!((s.callers[0].total, s.callers[0].count), (19 * MS, 3));
        assert_eq!(
            children(&s.callers, 0),
            [("a".to_string(), 10 * MS, 1), ("b".to_string(), 6 * MS, 1)]
        );
        // Below: the recursive q with x under it, and y.
        let below = children(&s.callees, 0);
        assert_eq!(below.len(), 2);
        assert!(below.contains(&("q".to_string(), 4 * MS, 1)));
        assert!(below.contains(&("y".to_string(), MS, 1)));
        // Left-heavy: the callers' level has a (10 ms) left of b (6 ms).
        let mut level = s.callers_layout.levels[1].blocks.clone();
        level.sort_by_key(|b| b.start);
        let names: Vec<&str> = (level.iter())
            .map(|b| s.callers[b.node as usize].name.as_str())
            .collect();
        assert_eq!(names, ["a", "b"]);

        let ops = operations(&doc.index.agg);
        let q = ops.iter().find(|o| o.name == "q").expect("q listed");
        assert_eq!((q.total, q.count), (19 * MS, 3));
        assert_eq!(ops[0].name, "a", "a (20 ms) has the most time");
    }

    #[test]
    fn an_operation_nowhere_in_the_graph_is_an_empty_sandwich() {
        let doc = Document::from_data(fixture::shop());
        let s = Sandwich::of(&doc.index.agg, 0, "no such operation", false);
        assert_eq!(s.callers[0].total, 0);
        assert!(s.callers[0].children.is_empty() && s.callees[0].children.is_empty());
    }
}
