//! Service-map edges and counts on hand-made traces.

use spindle_formats::{Link, ResourceIndex, Span, SpanId, SpanKind, Status, TraceId};

use super::*;
use crate::analysis::testing::{call, indexed, span};

fn on(trace: u128, s: Span) -> Span {
    Span {
        trace_id: TraceId(trace),
        ..s
    }
}

fn failed(s: Span) -> Span {
    Span {
        status: Status::Error {
            message: "boom".into(),
        },
        ..s
    }
}

/// Trace 1: svc0 calls svc1 (CLIENT → SERVER), svc1 calls svc2 (which fails), svc0 calls
/// itself (CLIENT → SERVER), svc1 produces a message; trace 2: svc3 consumes it (a link).
fn shop() -> Vec<Span> {
    use SpanKind::*;
    let c = |id, parent, t, service, name, kind| call(id, parent, t, service, name, kind, vec![]);
    let mut consumer = c(21, 20, (300, 320), 3, "consume", Consumer);
    consumer.links.push(Link {
        trace_id: TraceId(1),
        span_id: SpanId(9),
        ..Link::default()
    });
    vec![
        Span {
            kind: Server,
            ..span(1, None, 0, 200)
        },
        c(2, 1, (10, 60), 0, "call cart", Client),
        c(3, 2, (15, 55), 1, "cart", Server),
        c(4, 3, (16, 20), 1, "validate", Internal),
        c(5, 3, (20, 40), 1, "call stock", Client),
        failed(c(6, 5, (22, 38), 2, "stock", Server)),
        c(7, 1, (70, 80), 0, "call self", Client),
        c(8, 7, (71, 79), 0, "self", Server),
        c(9, 3, (41, 42), 1, "publish", Producer),
        on(
            2,
            Span {
                resource: ResourceIndex(3),
                ..span(20, None, 300, 400)
            },
        ),
        on(2, consumer),
    ]
}

fn edge_counts(map: &ServiceMap) -> Vec<(u32, u32, u64, u64)> {
    map.edges
        .iter()
        .map(|e| (e.from, e.to, e.calls, e.errors))
        .collect()
}

#[test]
fn calls_between_services_become_edges_with_counts_and_errors() {
    let (data, index) = indexed(shop());
    let map = ServiceMap::of_all(&data, &index);
    let id = |name: &str| index.services.iter().position(|s| s == name).unwrap_or(99) as u32;
    let (s0, s1, s2, s3) = (id("svc0"), id("svc1"), id("svc2"), id("svc3"));
    let mut expected = vec![
        (s0, s0, 1, 0), // CLIENT → SERVER within svc0
        (s0, s1, 1, 0),
        (s1, s2, 1, 1), // the called span failed
        (s1, s3, 1, 0), // the consumer's link to the producer
    ];
    expected.sort();
    assert_eq!(edge_counts(&map), expected);
    let stock = map.edge(s1, s2).map(|e| (e.p50, e.p99));
    assert_eq!(stock, Some((16, 16)));
    let trace_2 = index.trace_index(TraceId(2)).map(|t| t as u32);
    assert_eq!(
        map.edge(s1, s3).map(|e| e.traces.first().copied()),
        Some(trace_2)
    );
    let svc1 = map.node(s1).map(|n| (n.spans, n.errors, n.layer));
    assert_eq!(svc1, Some((4, 0, 1)));
    assert_eq!(map.node(s2).map(|n| (n.errors, n.layer)), Some((1, 2)));
    // svc3 roots its own trace but consumes svc1's message: right of svc1.
    assert_eq!(map.node(s3).map(|n| n.layer), Some(2));
}

#[test]
fn one_trace_has_only_its_own_calls() {
    let (data, index) = indexed(shop());
    let t1 = index.trace_index(TraceId(1)).unwrap_or(0) as u32;
    let map = ServiceMap::of_traces(&data, &index, [t1]);
    assert_eq!(map.edges.len(), 3, "{:?}", edge_counts(&map));
    assert_eq!(map.nodes.len(), 3);
}

#[test]
fn latency_percentiles_are_nearest_rank_over_the_called_spans() {
    let mut spans = vec![span(1, None, 0, 10_000)];
    for k in 1..=10u64 {
        let start = 100 * k;
        spans.push(call(
            1 + k,
            1,
            (start, start + 10 * k),
            1,
            "GET",
            SpanKind::Server,
            vec![],
        ));
    }
    let (data, index) = indexed(spans);
    let map = ServiceMap::of_all(&data, &index);
    let e = &map.edges[0];
    assert_eq!((e.calls, e.p50, e.p90, e.p99), (10, 50, 90, 100));
    assert_eq!(percentile(&[], 50), 0);
    assert_eq!(percentile(&[7], 99), 7);
}

#[test]
fn same_service_children_that_are_not_calls_make_no_edge() {
    let (data, index) = indexed(vec![
        span(1, None, 0, 100),
        span(2, Some(1), 10, 20),
        span(3, Some(2), 11, 19),
    ]);
    let map = ServiceMap::of_all(&data, &index);
    assert!(map.edges.is_empty());
    assert_eq!(map.nodes.len(), 1);
    assert_eq!(map.nodes[0].spans, 3);
}

#[test]
fn a_service_sits_right_of_the_deepest_caller_and_cycles_end() {
    use SpanKind::Server;
    let c = |id, parent, service| {
        call(
            id,
            parent,
            (id * 10, id * 10 + 5),
            service,
            "op",
            Server,
            vec![],
        )
    };
    // svc0 -> svc1 -> svc2, svc0 -> svc2 directly, and svc2 -> svc1 back (a cycle).
    let (data, index) = indexed(vec![
        span(1, None, 0, 1000),
        c(2, 1, 1),
        c(3, 2, 2),
        c(4, 1, 2),
        c(5, 4, 1),
    ]);
    let map = ServiceMap::of_all(&data, &index);
    let layers: Vec<(String, u16)> = map
        .nodes
        .iter()
        .map(|n| (n.name.clone(), n.layer))
        .collect();
    assert_eq!(layers.len(), 3);
    assert_eq!(layers.iter().find(|l| l.0 == "svc0").map(|l| l.1), Some(0));
    // The cycle between svc1 and svc2 stops at the number of services.
    for (name, layer) in &layers {
        assert!(*layer < 3, "{name} at layer {layer}");
    }
    assert!(layers.iter().any(|l| l.0 == "svc2" && l.1 == 2));
}

#[test]
fn has_call_finds_a_trace_with_that_call_only() {
    let (data, index) = indexed(shop());
    let id = |name: &str| index.services.iter().position(|s| s == name).unwrap_or(99) as u32;
    let t1 = &index.traces[index.trace_index(TraceId(1)).unwrap_or(0)];
    assert!(has_call(&data, &index, t1, id("svc1"), id("svc2")));
    assert!(has_call(&data, &index, t1, id("svc0"), id("svc0")));
    assert!(!has_call(&data, &index, t1, id("svc2"), id("svc1")));
    assert!(
        !has_call(&data, &index, t1, id("svc1"), id("svc1")),
        "INTERNAL children are no call"
    );
}
