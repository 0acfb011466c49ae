//! What the timeline and a trace's flame graph are narrowed to: one span's subtree ("show only
//! this subtree"), a time window dragged on the axis, both, or neither. No egui: the layouts
//! ask it which positions of a trace's tree order to keep, and where the axis runs.

use std::ops::Range;

use spindle_formats::TraceData;

use super::node_range;
use crate::index::{Index, Node, Trace};

/// The narrowing of one trace's views.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Narrow {
    /// Show only this node and its descendants.
    pub subtree: Option<Node>,
    /// Show only spans overlapping this stretch (nanoseconds from the trace start, start <
    /// end), and their ancestors so the tree stays whole.
    pub window: Option<(u64, u64)>,
}

impl Narrow {
    /// True when something is narrowed.
    pub fn is_on(&self) -> bool {
        self.subtree.is_some() || self.window.is_some()
    }

    /// The positions of `trace.order` in the subtree (the whole order without one, or when the
    /// node is not in this trace) and the depth of its first node.
    pub fn positions(&self, trace: &Trace) -> (Range<usize>, u16) {
        let whole = (0..trace.order.len(), 0);
        let Some(node) = self.subtree else {
            return whole;
        };
        let Some(at) = trace.order.iter().position(|&n| n == node) else {
            return whole;
        };
        let depth = trace.depths[at];
        let end = (at + 1..trace.order.len())
            .find(|&p| trace.depths[p] <= depth)
            .unwrap_or(trace.order.len());
        (at..end, depth)
    }

    /// Per position of `trace.order`, whether the time window keeps it (it overlaps the
    /// window, or a descendant does); `None` without a window. O(nodes).
    pub fn window_keep(&self, data: &TraceData, trace: &Trace) -> Option<Vec<bool>> {
        let (w0, w1) = self.window?;
        Some(keep_with_ancestors(&trace.depths, |pos| {
            let (a, b) = node_range(data, trace, trace.order[pos]);
            a <= w1 && b >= w0
        }))
    }

    /// Where the axis runs when zoomed out: the subtree's span (the whole trace without one),
    /// clipped to the window.
    pub fn range(&self, data: &TraceData, trace: &Trace) -> (u64, u64) {
        let (mut a, mut b) = match self.subtree {
            Some(node) if trace.order.contains(&node) => node_range(data, trace, node),
            _ => (0, trace.duration()),
        };
        if let Some((w0, w1)) = self.window {
            a = a.max(w0);
            b = b.min(w1);
        }
        (a, b.max(a + 1))
    }
}

/// True for each position whose node `kept(pos)` or has a descendant that is: tree order with
/// depths, walked backwards once.
pub fn keep_with_ancestors(depths: &[u16], kept: impl Fn(usize) -> bool) -> Vec<bool> {
    let mut keep = vec![false; depths.len()];
    // below[d]: some node at depth d seen since the last node at depth < d is kept.
    let mut below: Vec<bool> = Vec::new();
    for pos in (0..depths.len()).rev() {
        let d = depths[pos] as usize;
        if below.len() < d + 2 {
            below.resize(d + 2, false);
        }
        let k = kept(pos) || below[d + 1];
        below[d + 1] = false;
        below[d] |= k;
        keep[pos] = k;
    }
    keep
}

/// The breadcrumb of `node`: its ancestors from the top of the tree down to it (the 'missing
/// parent' placeholder first for an orphan's subtree).
pub fn ancestry(index: &Index, trace: &Trace, node: Node) -> Vec<Node> {
    let mut path = vec![node];
    let mut at = node.span();
    // A cycle was broken when the tree was built; the bound keeps a bad parent link finite.
    while let Some(i) = at
        && path.len() <= trace.order.len()
    {
        match index.parent.get(i).copied() {
            Some(p) if p != u32::MAX => {
                path.push(Node(p));
                at = Some(p as usize);
            }
            _ => {
                if trace.orphans.contains(&(i as u32)) {
                    path.push(Node::MISSING_PARENT);
                }
                at = None;
            }
        }
    }
    path.reverse();
    path
}

/// The node one level above `node` in the tree, or `None` at the top.
pub fn parent_node(index: &Index, trace: &Trace, node: Node) -> Option<Node> {
    let path = ancestry(index, trace, node);
    (path.len() >= 2).then(|| path[path.len() - 2])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture;
    use crate::load::Document;

    fn names(doc: &Document, nodes: &[Node]) -> Vec<String> {
        nodes
            .iter()
            .map(|n| {
                n.span()
                    .map_or("?".into(), |i| doc.data.spans[i].name.to_string())
            })
            .collect()
    }

    fn find(doc: &Document, name: &str) -> Node {
        let i = doc.data.spans.iter().position(|s| s.name.as_ref() == name);
        Node(i.expect("span in fixture") as u32)
    }

    #[test]
    fn a_subtree_is_its_node_and_the_deeper_nodes_after_it() {
        let doc = Document::from_data(fixture::shop());
        let trace = &doc.index.traces[0];
        let narrow = Narrow {
            subtree: Some(find(&doc, "POST /cart/checkout")),
            window: None,
        };
        let (range, depth) = narrow.positions(trace);
        let shown: Vec<Node> = trace.order[range].to_vec();
        assert_eq!(
            names(&doc, &shown),
            [
                "POST /cart/checkout",
                "load cart",
                "SELECT cart",
                "charge card",
                "fraud check"
            ]
        );
        assert_eq!(depth, 1);
        // Its span is where the axis runs: 15..110 ms of the trace.
        assert_eq!(narrow.range(&doc.data, trace), (15_000_000, 110_000_000));
        assert_eq!(Narrow::default().positions(trace).0, 0..trace.order.len());
    }

    #[test]
    fn a_time_window_keeps_overlapping_spans_and_their_ancestors() {
        let doc = Document::from_data(fixture::shop());
        let trace = &doc.index.traces[0];
        // 50..55 ms: charge card (45..100) and fraud check (50..70) under POST and the root;
        // not auth.verify (2..12) nor load cart (20..40).
        let narrow = Narrow {
            subtree: None,
            window: Some((50_000_000, 55_000_000)),
        };
        let keep = narrow.window_keep(&doc.data, trace).expect("a window");
        let kept: Vec<Node> = (trace.order.iter().zip(&keep))
            .filter(|(_, k)| **k)
            .map(|(n, _)| *n)
            .collect();
        assert_eq!(
            names(&doc, &kept),
            [
                "GET /checkout",
                "POST /cart/checkout",
                "charge card",
                "fraud check"
            ]
        );
        assert_eq!(narrow.range(&doc.data, trace), (50_000_000, 55_000_000));
        assert!(Narrow::default().window_keep(&doc.data, trace).is_none());
    }

    #[test]
    fn ancestry_runs_from_the_root_and_orphans_start_at_the_placeholder() {
        let doc = Document::from_data(fixture::shop());
        let trace = &doc.index.traces[0];
        let path = ancestry(&doc.index, trace, find(&doc, "fraud check"));
        assert_eq!(
            names(&doc, &path),
            [
                "GET /checkout",
                "POST /cart/checkout",
                "charge card",
                "fraud check"
            ]
        );
        let root = find(&doc, "GET /checkout");
        assert_eq!(parent_node(&doc.index, trace, root), None);
        let up = parent_node(&doc.index, trace, find(&doc, "charge card"));
        assert_eq!(up, Some(find(&doc, "POST /cart/checkout")));

        let doc = Document::from_data(fixture::orphans());
        let trace = &doc.index.traces[0];
        let orphan = Node(trace.orphans[0]);
        let path = ancestry(&doc.index, trace, orphan);
        assert_eq!(path, [Node::MISSING_PARENT, orphan]);
        assert_eq!(
            parent_node(&doc.index, trace, Node::MISSING_PARENT),
            None,
            "the placeholder is a top"
        );
    }
}
