//! The flame graph aggregated over all traces: every trace's tree merged by (service,
//! operation) path.

use std::collections::HashMap;

use spindle_formats::TraceData;

use super::{Index, NONE};

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

impl Index {
    /// Merges every trace's tree by (service, operation) path.
    pub(super) fn build_aggregate(&mut self, data: &TraceData) {
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
}
