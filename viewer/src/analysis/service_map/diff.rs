//! What changed between the service maps of two sets of traces (A, the baseline, and B):
//! services and calls added or removed, and calls whose calls per trace, error rate, p50 or
//! p99 changed by more than a threshold. Matched by service name, so the two maps may come
//! from different documents. No egui here.

use std::collections::{BTreeMap, BTreeSet};

use super::{Edge, ServiceMap, ServiceNode, layers};

/// A relative change smaller than this (10%) is no change.
pub const THRESHOLD: f64 = 0.10;
/// An error-rate change smaller than this (one percentage point) is no change.
pub const ERROR_RATE_THRESHOLD: f64 = 0.01;

/// How a service or a call changed from A to B, most telling first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Change {
    /// Only in B.
    Added,
    /// Only in A.
    Removed,
    /// A larger share of its calls (or spans) failed.
    MoreErrors,
    /// Its p50 or p99 grew (the larger relative change of the two decides the direction).
    Slower,
    FewerErrors,
    Faster,
    /// Called more or less often per trace, otherwise the same.
    CallCount,
    Same,
}

impl Change {
    /// Every kind, in the legend's order.
    pub const ALL: [Change; 8] = [
        Change::Added,
        Change::Removed,
        Change::MoreErrors,
        Change::Slower,
        Change::FewerErrors,
        Change::Faster,
        Change::CallCount,
        Change::Same,
    ];

    /// What the legend says.
    pub fn describe(self) -> &'static str {
        match self {
            Change::Added => "added (only in B)",
            Change::Removed => "removed (only in A)",
            Change::MoreErrors => "more errors",
            Change::Slower => "slower (p50 or p99)",
            Change::FewerErrors => "fewer errors",
            Change::Faster => "faster (p50 or p99)",
            Change::CallCount => "called more or less often",
            Change::Same => "unchanged",
        }
    }
}

/// One side's numbers of a call, per trace where counts are concerned.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CallNumbers {
    pub calls: u64,
    pub calls_per_trace: f64,
    pub errors: u64,
    pub p50: u64,
    pub p99: u64,
}

impl CallNumbers {
    fn of(edge: &Edge, traces: usize) -> CallNumbers {
        CallNumbers {
            calls: edge.calls,
            calls_per_trace: edge.calls as f64 / traces.max(1) as f64,
            errors: edge.errors,
            p50: edge.p50,
            p99: edge.p99,
        }
    }

    pub fn error_rate(&self) -> f64 {
        self.errors as f64 / self.calls.max(1) as f64
    }
}

/// A call of either map, matched by its services' names.
#[derive(Debug, Clone, PartialEq)]
pub struct EdgeDiff {
    pub from: String,
    pub to: String,
    pub a: Option<CallNumbers>,
    pub b: Option<CallNumbers>,
    pub change: Change,
}

/// A service of either map.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeDiff {
    pub name: String,
    /// (spans per trace, error rate) in A and in B.
    pub a: Option<(f64, f64)>,
    pub b: Option<(f64, f64)>,
    pub change: Change,
}

/// Both maps merged: `map` has every service and call of either (B's numbers where B has
/// them), drawn like any map; `nodes` and `edges` say, position for position, what changed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MapDiff {
    pub map: ServiceMap,
    pub nodes: Vec<NodeDiff>,
    pub edges: Vec<EdgeDiff>,
}

impl MapDiff {
    /// Compares `a` (over `traces_a` traces) with `b` (over `traces_b`).
    pub fn of(a: &ServiceMap, traces_a: usize, b: &ServiceMap, traces_b: usize) -> MapDiff {
        let names: BTreeSet<&str> = a
            .nodes
            .iter()
            .chain(&b.nodes)
            .map(|n| n.name.as_str())
            .collect();
        let names: Vec<&str> = names.into_iter().collect();
        let id = |name: &str| names.binary_search(&name).unwrap_or(0) as u32;
        let by_name = |map: &ServiceMap| -> BTreeMap<(u32, u32), Edge> {
            let name = |s: u32| map.node(s).map_or("", |n| n.name.as_str());
            (map.edges.iter())
                .map(|e| ((id(name(e.from)), id(name(e.to))), e.clone()))
                .collect()
        };
        let (edges_a, edges_b) = (by_name(a), by_name(b));
        let keys: BTreeSet<(u32, u32)> = edges_a.keys().chain(edges_b.keys()).copied().collect();
        let mut merged = ServiceMap::default();
        let mut edges = Vec::new();
        for key in keys {
            let (ea, eb) = (edges_a.get(&key), edges_b.get(&key));
            let (na, nb) = (
                ea.map(|e| CallNumbers::of(e, traces_a)),
                eb.map(|e| CallNumbers::of(e, traces_b)),
            );
            edges.push(EdgeDiff {
                from: names.get(key.0 as usize).unwrap_or(&"").to_string(),
                to: names.get(key.1 as usize).unwrap_or(&"").to_string(),
                a: na,
                b: nb,
                change: edge_change(na, nb),
            });
            if let Some(e) = eb.or(ea) {
                merged.edges.push(Edge {
                    from: key.0,
                    to: key.1,
                    ..e.clone()
                });
            }
        }
        let roots: Vec<u32> = (a.nodes.iter().chain(&b.nodes))
            .filter(|n| n.layer == 0)
            .map(|n| id(&n.name))
            .collect();
        let layer = layers(&roots, &merged.edges);
        let mut nodes = Vec::new();
        for (k, &name) in names.iter().enumerate() {
            let find = |map: &ServiceMap| map.nodes.iter().find(|n| n.name == name).cloned();
            let (sa, sb) = (find(a), find(b));
            let per = |n: &ServiceNode, traces: usize| {
                (
                    n.spans as f64 / traces.max(1) as f64,
                    n.errors as f64 / n.spans.max(1) as f64,
                )
            };
            let (pa, pb) = (
                sa.as_ref().map(|n| per(n, traces_a)),
                sb.as_ref().map(|n| per(n, traces_b)),
            );
            nodes.push(NodeDiff {
                name: name.to_string(),
                a: pa,
                b: pb,
                change: node_change(pa, pb),
            });
            if let Some(n) = sb.or(sa) {
                merged.nodes.push(ServiceNode {
                    service: k as u32,
                    layer: layer.get(&(k as u32)).copied().unwrap_or(0),
                    ..n
                });
            }
        }
        merged.nodes.sort_by_key(|n| n.service);
        MapDiff {
            map: merged,
            nodes,
            edges,
        }
    }

    /// What changed about the merged map's call `k` (a position in `map.edges`).
    pub fn edge_change(&self, k: usize) -> Change {
        self.edges.get(k).map_or(Change::Same, |e| e.change)
    }

    /// What changed about the merged map's service `k` (a position in `map.nodes`).
    pub fn node_change(&self, k: usize) -> Change {
        self.nodes.get(k).map_or(Change::Same, |n| n.change)
    }

    /// How many services and calls changed (anything but `Same`).
    pub fn changed(&self) -> (usize, usize) {
        let count =
            |it: &mut dyn Iterator<Item = Change>| it.filter(|&c| c != Change::Same).count();
        (
            count(&mut self.nodes.iter().map(|n| n.change)),
            count(&mut self.edges.iter().map(|e| e.change)),
        )
    }
}

/// Relative change from `a` to `b` (`b` over nothing: infinite).
pub fn relative(a: f64, b: f64) -> f64 {
    if a == 0.0 {
        if b == 0.0 { 0.0 } else { f64::INFINITY }
    } else {
        (b - a) / a
    }
}

fn edge_change(a: Option<CallNumbers>, b: Option<CallNumbers>) -> Change {
    let (a, b) = match (a, b) {
        (None, Some(_)) => return Change::Added,
        (Some(_), None) => return Change::Removed,
        (Some(a), Some(b)) => (a, b),
        (None, None) => return Change::Same,
    };
    let errors = b.error_rate() - a.error_rate();
    if errors.abs() >= ERROR_RATE_THRESHOLD {
        return if errors > 0.0 {
            Change::MoreErrors
        } else {
            Change::FewerErrors
        };
    }
    let latency = [
        relative(a.p50 as f64, b.p50 as f64),
        relative(a.p99 as f64, b.p99 as f64),
    ]
    .into_iter()
    .max_by(|x, y| x.abs().total_cmp(&y.abs()))
    .unwrap_or(0.0);
    if latency.abs() >= THRESHOLD {
        return if latency > 0.0 {
            Change::Slower
        } else {
            Change::Faster
        };
    }
    if relative(a.calls_per_trace, b.calls_per_trace).abs() >= THRESHOLD {
        return Change::CallCount;
    }
    Change::Same
}

fn node_change(a: Option<(f64, f64)>, b: Option<(f64, f64)>) -> Change {
    match (a, b) {
        (None, Some(_)) => Change::Added,
        (Some(_), None) => Change::Removed,
        (Some(a), Some(b)) if (b.1 - a.1).abs() >= ERROR_RATE_THRESHOLD => {
            if b.1 > a.1 {
                Change::MoreErrors
            } else {
                Change::FewerErrors
            }
        }
        (Some(a), Some(b)) if relative(a.0, b.0).abs() >= THRESHOLD => Change::CallCount,
        _ => Change::Same,
    }
}

#[cfg(test)]
mod tests;
