//! The service map: services as nodes, calls between them as edges, for one trace or for any
//! set of loaded traces. No egui here.
//!
//! A call is a span whose loaded parent is in another service, or a CLIENT parent with a
//! SERVER child (a PRODUCER parent with a CONSUMER child) even within one service; and a span
//! with a link to a loaded PRODUCER span of another service or trace (a message consumed
//! elsewhere). Each edge counts its calls and errors (the called span, or the CLIENT/PRODUCER
//! span making the call, has an error status) and the called spans' duration percentiles.
//! Nodes are layered by call depth: a service is one layer right of the deepest service
//! calling it (root services that nobody calls are layer 0).

use std::collections::HashMap;

use spindle_formats::{SpanId, SpanKind, TraceData, TraceId};

use crate::index::{Index, Trace};

pub mod diff;
pub mod fixture;
pub mod layout;
mod order;

/// A service of the map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceNode {
    /// The index's service id.
    pub service: u32,
    pub name: String,
    pub spans: u64,
    pub errors: u64,
    /// The layer the map draws it in (0: a root service).
    pub layer: u16,
}

/// Calls from one service to another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    /// Index service ids of the caller and the called service.
    pub from: u32,
    pub to: u32,
    pub calls: u64,
    pub errors: u64,
    /// Duration percentiles of the called spans, in nanoseconds.
    pub p50: u64,
    pub p90: u64,
    pub p99: u64,
    /// Indices (into `Index::traces`) of the traces with such a call, ascending.
    pub traces: Vec<u32>,
}

/// Services and the calls between them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceMap {
    /// By service id.
    pub nodes: Vec<ServiceNode>,
    /// By (from, to).
    pub edges: Vec<Edge>,
}

impl ServiceMap {
    /// The map of every loaded trace.
    pub fn of_all(data: &TraceData, index: &Index) -> ServiceMap {
        ServiceMap::of_traces(data, index, 0..index.traces.len() as u32)
    }

    /// The map of the traces `traces` (indices into `Index::traces`).
    pub fn of_traces(
        data: &TraceData,
        index: &Index,
        traces: impl IntoIterator<Item = u32>,
    ) -> ServiceMap {
        let mut build = Build::default();
        let traces: Vec<u32> = traces.into_iter().collect();
        for &t in &traces {
            build.trace(data, index, t);
        }
        build.links(data, index, &traces);
        build.finish(index)
    }

    pub fn node(&self, service: u32) -> Option<&ServiceNode> {
        self.nodes.iter().find(|n| n.service == service)
    }

    pub fn edge(&self, from: u32, to: u32) -> Option<&Edge> {
        self.edges.iter().find(|e| e.from == from && e.to == to)
    }
}

/// Whether `trace` has a call from service `from` to service `to` (parent and child spans,
/// as the map counts them; links are not looked at).
pub fn has_call(data: &TraceData, index: &Index, trace: &Trace, from: u32, to: u32) -> bool {
    trace.spans.iter().any(|&i| {
        let i = i as usize;
        match index.parent.get(i).copied().filter(|&p| p != u32::MAX) {
            Some(p) => {
                let p = p as usize;
                index.service_of[p] == from
                    && index.service_of[i] == to
                    && (from != to || is_call_pair(data.spans[p].kind, data.spans[i].kind))
            }
            None => false,
        }
    })
}

/// Whether a parent of kind `parent` calling a child of kind `child` is a remote call.
fn is_call_pair(parent: SpanKind, child: SpanKind) -> bool {
    matches!(
        (parent, child),
        (SpanKind::Client, SpanKind::Server) | (SpanKind::Producer, SpanKind::Consumer)
    )
}

fn is_caller_kind(kind: SpanKind) -> bool {
    matches!(kind, SpanKind::Client | SpanKind::Producer)
}

#[derive(Default)]
struct EdgeAcc {
    errors: u64,
    durations: Vec<u64>,
    traces: Vec<u32>,
}

#[derive(Default)]
struct Build {
    nodes: HashMap<u32, (u64, u64)>,
    edges: HashMap<(u32, u32), EdgeAcc>,
    roots: Vec<u32>,
}

impl Build {
    fn trace(&mut self, data: &TraceData, index: &Index, t: u32) {
        let Some(trace) = index.traces.get(t as usize) else {
            return;
        };
        self.roots.push(trace.root_service);
        for &i in &trace.spans {
            let (i, span) = (i as usize, &data.spans[i as usize]);
            let service = index.service_of[i];
            let node = self.nodes.entry(service).or_default();
            node.0 += 1;
            node.1 += u64::from(span.status.is_error());
            let Some(p) = index.parent.get(i).filter(|&&p| p != u32::MAX) else {
                continue;
            };
            let (p, parent) = (*p as usize, &data.spans[*p as usize]);
            let from = index.service_of[p];
            if from == service && !is_call_pair(parent.kind, span.kind) {
                continue;
            }
            let error =
                span.status.is_error() || (is_caller_kind(parent.kind) && parent.status.is_error());
            self.call(from, service, error, span.duration_nanos(), t);
        }
    }

    fn call(&mut self, from: u32, to: u32, error: bool, duration: u64, trace: u32) {
        let edge = self.edges.entry((from, to)).or_default();
        edge.errors += u64::from(error);
        edge.durations.push(duration);
        if edge.traces.last() != Some(&trace) {
            edge.traces.push(trace);
        }
    }

    /// Links from spans of `traces` to loaded PRODUCER spans not their parent.
    fn links(&mut self, data: &TraceData, index: &Index, traces: &[u32]) {
        let linking: Vec<(u32, usize)> = traces
            .iter()
            .filter_map(|&t| index.traces.get(t as usize).map(|trace| (t, trace)))
            .flat_map(|(t, trace)| trace.spans.iter().map(move |&i| (t, i as usize)))
            .filter(|&(_, i)| !data.spans[i].links.is_empty())
            .collect();
        if linking.is_empty() {
            return;
        }
        let producers: HashMap<(TraceId, SpanId), usize> = (0..data.spans.len())
            .filter(|&i| data.spans[i].kind == SpanKind::Producer)
            .map(|i| ((data.spans[i].trace_id, data.spans[i].span_id), i))
            .collect();
        for (t, i) in linking {
            let span = &data.spans[i];
            for link in &span.links {
                let Some(&p) = producers.get(&(link.trace_id, link.span_id)) else {
                    continue;
                };
                if index.parent[i] as usize == p {
                    continue;
                }
                let (from, to) = (index.service_of[p], index.service_of[i]);
                let error = span.status.is_error() || data.spans[p].status.is_error();
                self.call(from, to, error, span.duration_nanos(), t);
                self.nodes.entry(from).or_default();
            }
        }
    }

    fn finish(self, index: &Index) -> ServiceMap {
        let mut edges: Vec<Edge> = self
            .edges
            .into_iter()
            .map(|((from, to), mut acc)| {
                acc.durations.sort_unstable();
                acc.traces.sort_unstable();
                acc.traces.dedup();
                let d = &acc.durations;
                Edge {
                    from,
                    to,
                    calls: d.len() as u64,
                    errors: acc.errors,
                    p50: percentile(d, 50),
                    p90: percentile(d, 90),
                    p99: percentile(d, 99),
                    traces: acc.traces,
                }
            })
            .collect();
        edges.sort_by_key(|e| (e.from, e.to));
        let layers = layers(&self.roots, &edges);
        let mut nodes: Vec<ServiceNode> = self
            .nodes
            .into_iter()
            .map(|(service, (spans, errors))| ServiceNode {
                service,
                name: index.service_name(service).to_string(),
                spans,
                errors,
                layer: layers.get(&service).copied().unwrap_or(0),
            })
            .collect();
        nodes.sort_by_key(|n| n.service);
        ServiceMap { nodes, edges }
    }
}

/// Nearest-rank percentile of sorted `values` (0 when empty).
pub fn percentile(sorted: &[u64], p: u64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = (p as usize * sorted.len()).div_ceil(100).max(1);
    sorted[rank.min(sorted.len()) - 1]
}

/// Each service's layer: the longest chain of calls from a root service to it (so a service
/// sits right of every service calling it); a cycle stops growing at the number of services.
fn layers(roots: &[u32], edges: &[Edge]) -> HashMap<u32, u16> {
    let mut layer: HashMap<u32, u16> = HashMap::new();
    for &root in roots {
        layer.insert(root, 0);
    }
    for edge in edges {
        layer.entry(edge.from).or_insert(0);
        layer.entry(edge.to).or_insert(0);
    }
    let cap = layer.len().min(u16::MAX as usize) as u16;
    let mut changed = true;
    let mut rounds = 0;
    while changed && rounds < cap {
        changed = false;
        rounds += 1;
        for edge in edges.iter().filter(|e| e.from != e.to) {
            let next = layer[&edge.from].saturating_add(1);
            if next > layer[&edge.to] && next < cap {
                layer.insert(edge.to, next);
                changed = true;
            }
        }
    }
    layer
}

#[cfg(test)]
mod tests;
