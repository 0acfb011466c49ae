//! Two traces as one merged tree. Children are matched by key (service, operation); among
//! siblings with the same key the k-th of A is matched with the k-th of B (repeated calls in
//! order). A child only in A is removed, only in B added, and so is its whole subtree.
//!
//! Each side's tree is the index's pre-order walk (`Trace::order` with its depths), so orphans
//! sit under the 'missing parent' placeholder on both sides, and parent cycles are already
//! broken. Cost: O(n log f) for n nodes and fan-out f (sorting each child list by key).

use crate::index::{Node, Trace};

use super::{CallKey, Keys, Side};

/// Duration and self time of one side of a merged node (zeros on the side it is absent from).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Times {
    pub total: u64,
    pub self_time: u64,
}

/// How a merged node differs between A and B.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// In both traces.
    Matched,
    /// Only in B.
    Added,
    /// Only in A.
    Removed,
}

/// A node of the merged tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergedNode {
    /// Index into [`TraceComparison::keys`].
    pub key: u32,
    /// The node of A's trace (a span index into A's data, or the placeholder), if in A.
    pub a: Option<Node>,
    /// The node of B's trace, if in B.
    pub b: Option<Node>,
    pub a_time: Times,
    pub b_time: Times,
    /// Index of the parent in [`TraceComparison::nodes`].
    pub parent: Option<u32>,
    pub depth: u16,
    /// One past the last node of this node's subtree (nodes are in pre-order).
    pub end: u32,
}

impl MergedNode {
    pub fn change(&self) -> Change {
        match (self.a, self.b) {
            (Some(_), None) => Change::Removed,
            (None, Some(_)) => Change::Added,
            _ => Change::Matched,
        }
    }

    /// B's duration minus A's (positive: slower in B).
    pub fn total_diff(&self) -> i64 {
        difference(self.a_time.total, self.b_time.total)
    }

    /// B's self time minus A's.
    pub fn self_diff(&self) -> i64 {
        difference(self.a_time.self_time, self.b_time.self_time)
    }
}

/// `b - a`, clamped to what an `i64` holds.
fn difference(a: u64, b: u64) -> i64 {
    (i128::from(b) - i128::from(a)).clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
}

/// Which time a difference is taken of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Measure {
    #[default]
    Total,
    SelfTime,
}

impl Measure {
    pub fn diff(self, node: &MergedNode) -> i64 {
        match self {
            Measure::Total => node.total_diff(),
            Measure::SelfTime => node.self_diff(),
        }
    }
}

/// Two traces merged by call path.
#[derive(Debug, Clone, Default)]
pub struct TraceComparison {
    /// The names of the keys the nodes refer to.
    pub keys: Vec<CallKey>,
    /// The merged tree in pre-order (roots first, each followed by its subtree).
    pub nodes: Vec<MergedNode>,
    pub a_duration: u64,
    pub b_duration: u64,
    pub a_spans: usize,
    pub b_spans: usize,
}

impl TraceComparison {
    /// Merges trace `a` of side `left` with trace `b` of side `right`.
    pub fn of(left: Side<'_>, a: &Trace, right: Side<'_>, b: &Trace) -> TraceComparison {
        let mut keys = Keys::default();
        let tree_a = Local::of(&left, a, &mut keys);
        let tree_b = Local::of(&right, b, &mut keys);
        let mut merge = Merge {
            sides: [(left, &tree_a), (right, &tree_b)],
            nodes: Vec::with_capacity(a.order.len().max(b.order.len())),
            pairs: Vec::new(),
        };
        merge.run();
        let mut nodes = merge.nodes;
        close_subtrees(&mut nodes);
        TraceComparison {
            keys: keys.into_names(),
            nodes,
            a_duration: a.duration(),
            b_duration: b.duration(),
            a_spans: a.span_count,
            b_spans: b.span_count,
        }
    }

    pub fn key(&self, node: &MergedNode) -> &CallKey {
        &self.keys[node.key as usize]
    }

    /// How many merged nodes are matched, added and removed.
    pub fn counts(&self) -> (usize, usize, usize) {
        let mut counts = (0, 0, 0);
        for node in &self.nodes {
            match node.change() {
                Change::Matched => counts.0 += 1,
                Change::Added => counts.1 += 1,
                Change::Removed => counts.2 += 1,
            }
        }
        counts
    }

    /// Node indices by the size of their difference in `measure`, biggest first (ties in
    /// tree order).
    pub fn by_difference(&self, measure: Measure) -> Vec<u32> {
        let mut order: Vec<u32> = (0..self.nodes.len() as u32).collect();
        order.sort_by_key(|&k| {
            std::cmp::Reverse(measure.diff(&self.nodes[k as usize]).unsigned_abs())
        });
        order
    }

    /// Which nodes to show when only differences of at least `min` (in `measure`) matter, and
    /// added or removed nodes: those nodes and their ancestors.
    pub fn shown(&self, measure: Measure, min: u64) -> Vec<bool> {
        let mut shown = vec![false; self.nodes.len()];
        for (k, node) in self.nodes.iter().enumerate().rev() {
            let own = measure.diff(node).unsigned_abs() >= min || node.change() != Change::Matched;
            if own || shown[k] {
                shown[k] = true;
                if let Some(p) = node.parent {
                    shown[p as usize] = true;
                }
            }
        }
        shown
    }
}

/// One side's tree by position in `trace.order`: keys and child lists.
struct Local<'t> {
    order: &'t [Node],
    keys: Vec<u32>,
    top: Vec<u32>,
    child_start: Vec<u32>,
    child_list: Vec<u32>,
}

impl<'t> Local<'t> {
    fn of<'a>(side: &Side<'a>, trace: &'t Trace, keys: &mut Keys<'a>) -> Local<'t> {
        let n = trace.order.len();
        let mut parent = vec![u32::MAX; n];
        let mut path: Vec<u32> = Vec::new();
        let mut top = Vec::new();
        for (k, &depth) in trace.depths.iter().enumerate() {
            path.truncate(depth as usize);
            match path.last() {
                Some(&p) => parent[k] = p,
                None => top.push(k as u32),
            }
            path.push(k as u32);
        }
        let mut child_start = vec![0u32; n + 1];
        for &p in parent.iter().filter(|&&p| p != u32::MAX) {
            child_start[p as usize + 1] += 1;
        }
        for k in 1..=n {
            child_start[k] += child_start[k - 1];
        }
        let mut fill = child_start.clone();
        let mut child_list = vec![0u32; child_start[n] as usize];
        for (k, &p) in parent.iter().enumerate().filter(|(_, p)| **p != u32::MAX) {
            child_list[fill[p as usize] as usize] = k as u32;
            fill[p as usize] += 1;
        }
        let node_keys = trace.order.iter().map(|&node| keys.of_node(side, node));
        Local {
            order: &trace.order,
            keys: node_keys.collect(),
            top,
            child_start,
            child_list,
        }
    }

    fn children(&self, k: Option<u32>) -> &[u32] {
        match k {
            Some(k) => {
                let (a, b) = (
                    self.child_start[k as usize],
                    self.child_start[k as usize + 1],
                );
                &self.child_list[a as usize..b as usize]
            }
            None => &[],
        }
    }
}

/// A pending pair: positions in A's and B's trees, the merged parent and the depth.
type Task = (Option<u32>, Option<u32>, Option<u32>, u16);

struct Merge<'a, 't> {
    sides: [(Side<'a>, &'t Local<'t>); 2],
    nodes: Vec<MergedNode>,
    pairs: Vec<(Option<u32>, Option<u32>)>,
}

impl Merge<'_, '_> {
    fn run(&mut self) {
        let (a, b) = (self.sides[0].1, self.sides[1].1);
        let mut stack: Vec<Task> = Vec::new();
        self.push_matched(&a.top, &b.top, None, 0, &mut stack);
        while let Some((ka, kb, parent, depth)) = stack.pop() {
            let here = self.nodes.len() as u32;
            let key = match (ka, kb) {
                (Some(k), _) => a.keys[k as usize],
                (None, Some(k)) => b.keys[k as usize],
                (None, None) => continue,
            };
            self.nodes.push(MergedNode {
                key,
                a: ka.map(|k| a.order[k as usize]),
                b: kb.map(|k| b.order[k as usize]),
                a_time: self.times(0, ka),
                b_time: self.times(1, kb),
                parent,
                depth,
                end: here + 1,
            });
            let next = depth.saturating_add(1);
            self.push_matched(a.children(ka), b.children(kb), Some(here), next, &mut stack);
        }
    }

    fn times(&self, side: usize, k: Option<u32>) -> Times {
        let (side, tree) = &self.sides[side];
        match k.and_then(|k| tree.order[k as usize].span()) {
            Some(i) => Times {
                total: side.duration(i),
                self_time: side.self_time(i),
            },
            None => Times::default(),
        }
    }

    /// Matches two child lists and pushes the pairs so they pop in order.
    fn push_matched(
        &mut self,
        ca: &[u32],
        cb: &[u32],
        parent: Option<u32>,
        depth: u16,
        stack: &mut Vec<Task>,
    ) {
        let keys_a: Vec<u32> = ca
            .iter()
            .map(|&k| self.sides[0].1.keys[k as usize])
            .collect();
        let keys_b: Vec<u32> = cb
            .iter()
            .map(|&k| self.sides[1].1.keys[k as usize])
            .collect();
        self.pairs.clear();
        match_in_order(&keys_a, &keys_b, &mut self.pairs);
        for &(i, j) in self.pairs.iter().rev() {
            let ka = i.map(|i| ca[i as usize]);
            let kb = j.map(|j| cb[j as usize]);
            stack.push((ka, kb, parent, depth));
        }
    }
}

/// Pairs two sibling lists by key, the k-th occurrence of a key in A with the k-th in B, into
/// `out` as (index in A, index in B): A's order, each added B child placed before the first
/// matched child that follows it in B.
pub(crate) fn match_in_order(a: &[u32], b: &[u32], out: &mut Vec<(Option<u32>, Option<u32>)>) {
    if a == b {
        out.extend((0..a.len() as u32).map(|k| (Some(k), Some(k))));
        return;
    }
    let mut sa: Vec<(u32, u32)> = a.iter().enumerate().map(|(i, &k)| (k, i as u32)).collect();
    let mut sb: Vec<(u32, u32)> = b.iter().enumerate().map(|(i, &k)| (k, i as u32)).collect();
    sa.sort_unstable();
    sb.sort_unstable();
    let mut match_of_a = vec![None; a.len()];
    let mut taken = vec![false; b.len()];
    let (mut i, mut j) = (0, 0);
    while i < sa.len() && j < sb.len() {
        match sa[i].0.cmp(&sb[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                match_of_a[sa[i].1 as usize] = Some(sb[j].1);
                taken[sb[j].1 as usize] = true;
                i += 1;
                j += 1;
            }
        }
    }
    let mut next_b = 0u32;
    let added_before = |upto: u32, next_b: &mut u32, out: &mut Vec<_>| {
        while *next_b < upto {
            if !taken[*next_b as usize] {
                out.push((None, Some(*next_b)));
            }
            *next_b += 1;
        }
    };
    for (ia, matched) in match_of_a.iter().enumerate() {
        if let Some(jb) = *matched {
            added_before(jb, &mut next_b, out);
            next_b = next_b.max(jb + 1);
        }
        out.push((Some(ia as u32), *matched));
    }
    added_before(b.len() as u32, &mut next_b, out);
}

/// Sets each node's `end` to one past its subtree.
fn close_subtrees(nodes: &mut [MergedNode]) {
    for k in (0..nodes.len()).rev() {
        if let Some(p) = nodes[k].parent {
            let end = nodes[k].end;
            let parent = &mut nodes[p as usize];
            parent.end = parent.end.max(end);
        }
    }
}
