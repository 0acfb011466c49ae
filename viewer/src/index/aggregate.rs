//! The flame graph aggregated over all traces: every trace's tree merged by (service,
//! operation) path. It is kept up to date trace by trace: a trace that changes is folded out
//! (its spans' old contributions subtracted) and folded in again, an evicted trace is folded
//! out, so the cost follows the spans that changed, never everything loaded.

use std::collections::HashMap;

use spindle_formats::TraceData;

use super::Index;

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

/// What keeps the aggregate incremental: node lookup by path step, and nodes that lost all
/// their spans (unlinked once an operation is over, dropped for good by compaction).
#[derive(Debug, Clone, Default)]
pub(super) struct AggPaths {
    /// Operation names interned.
    names: HashMap<String, u32>,
    /// (parent node, service, name id) → node.
    keys: HashMap<(u32, u32, u32), u32>,
    /// Nodes whose count fell to 0 during the operation under way.
    emptied: Vec<u32>,
    /// Nodes unlinked from the tree and not yet compacted away.
    dead: usize,
}

/// Below this many unreachable nodes the aggregate is never compacted.
const COMPACT_AT_LEAST: usize = 1024;

fn root_node() -> AggNode {
    AggNode {
        name: "all traces".into(),
        ..AggNode::default()
    }
}

impl Index {
    /// Starts the aggregate empty and folds every trace in.
    pub(super) fn build_aggregate(&mut self, data: &TraceData) {
        self.agg = vec![root_node()];
        self.agg_paths = AggPaths::default();
        for t in 0..self.traces.len() {
            self.fold_in(data, t);
        }
    }

    /// Adds trace `t`'s spans to the aggregate along its tree walk.
    pub(super) fn fold_in(&mut self, data: &TraceData, t: usize) {
        if self.agg.is_empty() {
            // An index that was never built (`Index::default()`) has no root yet.
            self.agg.push(root_node());
        }
        let order = std::mem::take(&mut self.traces[t].order);
        let depths = std::mem::take(&mut self.traces[t].depths);
        // The aggregate node of the walk's open ancestors, by depth.
        let mut path: Vec<u32> = Vec::new();
        for (&node, &depth) in order.iter().zip(&depths) {
            path.truncate(depth as usize);
            let parent = path.last().copied().unwrap_or(0);
            let Some(i) = node.span() else {
                path.push(0);
                continue;
            };
            let span = &data.spans[i];
            let id = self.agg_node(parent, self.service_of[i], &span.name);
            let (duration, self_time) = (span.duration_nanos(), self.self_time[i]);
            let agg = &mut self.agg[id as usize];
            agg.total += duration;
            agg.self_time += self_time;
            agg.count += 1;
            if parent == 0 {
                self.agg[0].total += duration;
            }
            self.agg[0].count += 1;
            self.agg_of[i] = id;
            path.push(id);
        }
        self.traces[t].order = order;
        self.traces[t].depths = depths;
    }

    /// Subtracts trace `t`'s spans (as they were when folded in) from the aggregate. Call
    /// before its spans' self times change; [`Index::sweep_aggregate`] unlinks what emptied.
    pub(super) fn fold_out(&mut self, data: &TraceData, t: usize) {
        let spans = std::mem::take(&mut self.traces[t].spans);
        for &i in &spans {
            let i = i as usize;
            let id = self.agg_of[i];
            if id == 0 {
                continue;
            }
            let duration = data.spans[i].duration_nanos();
            let agg = &mut self.agg[id as usize];
            agg.total -= duration;
            agg.self_time -= self.self_time[i];
            agg.count -= 1;
            let (emptied, under_root) = (agg.count == 0, agg.parent == Some(0));
            if emptied {
                self.agg_paths.emptied.push(id);
            }
            if under_root {
                self.agg[0].total -= duration;
            }
            self.agg[0].count -= 1;
            self.agg_of[i] = 0;
        }
        self.traces[t].spans = spans;
    }

    /// The node for (`parent`, `service`, `name`), made (in its parent's children, ordered
    /// by name then service) when new.
    fn agg_node(&mut self, parent: u32, service: u32, name: &str) -> u32 {
        let paths = &mut self.agg_paths;
        let name_id = match paths.names.get(name) {
            Some(&n) => n,
            None => {
                let n = paths.names.len() as u32;
                paths.names.insert(name.to_string(), n);
                n
            }
        };
        if let Some(&id) = paths.keys.get(&(parent, service, name_id)) {
            return id;
        }
        let id = self.agg.len() as u32;
        paths.keys.insert((parent, service, name_id), id);
        self.agg.push(AggNode {
            service,
            name: name.to_string(),
            parent: Some(parent),
            ..AggNode::default()
        });
        let agg = &self.agg;
        let siblings = &agg[parent as usize].children;
        let at = siblings.partition_point(|&c| {
            let c = &agg[c as usize];
            (c.name.as_str(), c.service) < (name, service)
        });
        self.agg[parent as usize].children.insert(at, id);
        id
    }

    /// Unlinks the nodes left without spans by the operation just done, and compacts the
    /// aggregate once unreachable nodes outnumber the live ones.
    pub(super) fn sweep_aggregate(&mut self) {
        for id in std::mem::take(&mut self.agg_paths.emptied) {
            let node = &self.agg[id as usize];
            let Some(parent) = node.parent.filter(|_| node.count == 0) else {
                continue;
            };
            let name_id = self.agg_paths.names.get(&node.name).copied();
            let key = name_id.map(|n| (parent, node.service, n));
            if key.and_then(|k| self.agg_paths.keys.remove(&k)).is_some() {
                self.agg[parent as usize].children.retain(|&c| c != id);
                self.agg_paths.dead += 1;
            }
        }
        let live = self.agg.len() - self.agg_paths.dead;
        if self.agg_paths.dead > live.max(COMPACT_AT_LEAST) {
            self.compact_aggregate();
        }
    }

    /// Renumbers the reachable nodes (tree order), dropping the unreachable ones.
    fn compact_aggregate(&mut self) {
        let mut new_id = vec![0u32; self.agg.len()];
        let mut nodes = vec![root_node()];
        let mut stack: Vec<u32> = self.agg[0].children.iter().rev().copied().collect();
        while let Some(old) = stack.pop() {
            new_id[old as usize] = nodes.len() as u32;
            let node = &self.agg[old as usize];
            nodes.push(AggNode {
                children: Vec::with_capacity(node.children.len()),
                ..node.clone()
            });
            stack.extend(node.children.iter().rev());
        }
        nodes[0].total = self.agg[0].total;
        nodes[0].count = self.agg[0].count;
        let mut paths = AggPaths::default();
        for id in 1..nodes.len() {
            let parent = nodes[id].parent.map_or(0, |p| new_id[p as usize]);
            nodes[id].parent = Some(parent);
            nodes[parent as usize].children.push(id as u32);
            let next = paths.names.len() as u32;
            let name_id = *paths.names.entry(nodes[id].name.clone()).or_insert(next);
            paths
                .keys
                .insert((parent, nodes[id].service, name_id), id as u32);
        }
        for a in &mut self.agg_of {
            *a = new_id[*a as usize];
        }
        self.agg = nodes;
        self.agg_paths = paths;
    }
}

/// One line of [`agg_picture`]: a path of (service name, operation) from the root, and
/// its total, self time and count.
#[cfg(test)]
pub(crate) type AggLine = (Vec<(String, String)>, u64, u64, u64);

/// The reachable aggregate, siblings by (operation, service name): what a user sees of it,
/// independent of node and service numbering (tests compare two indices with it).
#[cfg(test)]
pub(crate) fn agg_picture(index: &Index) -> Vec<AggLine> {
    let agg = &index.agg;
    let mut out = Vec::new();
    let mut stack = vec![(0u32, Vec::new())];
    while let Some((id, path)) = stack.pop() {
        let node = &agg[id as usize];
        out.push((path.clone(), node.total, node.self_time, node.count));
        let step = |c: u32| {
            let child = &agg[c as usize];
            let service = index.service_name(child.service).to_string();
            (service, child.name.clone())
        };
        let mut children: Vec<(u32, (String, String))> =
            node.children.iter().map(|&c| (c, step(c))).collect();
        children.sort_by(|a, b| (&a.1.1, &a.1.0).cmp(&(&b.1.1, &b.1.0)));
        for (c, step) in children.into_iter().rev() {
            let mut p = path.clone();
            p.push(step);
            stack.push((c, p));
        }
    }
    out
}
