//! The diff of two service maps on hand-made maps.

use super::*;

fn node(service: u32, name: &str, spans: u64, errors: u64, layer: u16) -> ServiceNode {
    ServiceNode {
        service,
        name: name.to_string(),
        spans,
        errors,
        layer,
    }
}

fn edge(from: u32, to: u32, calls: u64, errors: u64, (p50, p99): (u64, u64)) -> Edge {
    Edge {
        from,
        to,
        calls,
        errors,
        p50,
        p90: p99,
        p99,
        traces: vec![0],
    }
}

/// A over 10 traces: api calls db (100 calls, p50 1 ms, p99 4 ms), api calls cache, cache
/// calls db, api calls auth.
fn before() -> ServiceMap {
    ServiceMap {
        nodes: vec![
            node(0, "api", 100, 0, 0),
            node(1, "db", 150, 0, 1),
            node(2, "cache", 50, 0, 1),
            node(3, "auth", 10, 0, 1),
        ],
        edges: vec![
            edge(0, 1, 100, 0, (1_000, 4_000)),
            edge(0, 2, 50, 0, (200, 300)),
            edge(2, 1, 50, 0, (500, 900)),
            edge(0, 3, 10, 0, (100, 100)),
        ],
    }
}

/// B over 20 traces, service ids in another order: db got slower at p99, cache fails 10% of
/// its calls, auth is gone, api calls a new `search`, cache→db called twice as often per
/// trace with the same latency.
fn after() -> ServiceMap {
    ServiceMap {
        nodes: vec![
            node(0, "search", 20, 0, 1),
            node(1, "api", 200, 0, 0),
            node(2, "db", 400, 0, 1),
            node(3, "cache", 100, 10, 1),
        ],
        edges: vec![
            edge(1, 2, 200, 0, (1_020, 6_000)),
            edge(1, 3, 100, 10, (200, 300)),
            edge(3, 2, 200, 0, (500, 900)),
            edge(1, 0, 20, 0, (50, 60)),
        ],
    }
}

fn change_of(diff: &MapDiff, from: &str, to: &str) -> Option<Change> {
    let e = diff.edges.iter().find(|e| e.from == from && e.to == to)?;
    Some(e.change)
}

#[test]
fn calls_are_added_removed_or_changed_matched_by_service_name() {
    let diff = MapDiff::of(&before(), 10, &after(), 20);
    assert_eq!(
        change_of(&diff, "api", "db"),
        Some(Change::Slower),
        "p99 4 → 6 ms"
    );
    assert_eq!(change_of(&diff, "api", "cache"), Some(Change::MoreErrors));
    assert_eq!(
        change_of(&diff, "cache", "db"),
        Some(Change::CallCount),
        "5 → 10 per trace"
    );
    assert_eq!(change_of(&diff, "api", "auth"), Some(Change::Removed));
    assert_eq!(change_of(&diff, "api", "search"), Some(Change::Added));
    assert_eq!(diff.edges.len(), 5);
    let db = diff.edges.iter().find(|e| e.to == "db" && e.from == "api");
    let numbers = db.and_then(|e| Some((e.a?.calls_per_trace, e.b?.calls_per_trace, e.b?.p99)));
    assert_eq!(numbers, Some((10.0, 10.0, 6_000)));
}

#[test]
fn services_are_added_removed_or_changed() {
    let diff = MapDiff::of(&before(), 10, &after(), 20);
    let change = |name: &str| diff.nodes.iter().find(|n| n.name == name).map(|n| n.change);
    assert_eq!(change("search"), Some(Change::Added));
    assert_eq!(change("auth"), Some(Change::Removed));
    assert_eq!(change("cache"), Some(Change::MoreErrors));
    assert_eq!(
        change("db"),
        Some(Change::CallCount),
        "15 → 20 spans per trace"
    );
    assert_eq!(
        change("api"),
        Some(Change::Same),
        "10 spans per trace on both sides"
    );
    assert_eq!(diff.changed(), (4, 5));
}

#[test]
fn the_merged_map_has_every_service_and_call_of_either_side() {
    let diff = MapDiff::of(&before(), 10, &after(), 20);
    let map = &diff.map;
    assert_eq!(map.nodes.len(), 5);
    assert_eq!(map.edges.len(), 5);
    for (k, n) in map.nodes.iter().enumerate() {
        assert_eq!(diff.nodes[k].name, n.name, "positions line up");
    }
    let name = |s: u32| map.node(s).map(|n| n.name.clone()).unwrap_or_default();
    for (k, e) in map.edges.iter().enumerate() {
        assert_eq!(
            (name(e.from), name(e.to)),
            (diff.edges[k].from.clone(), diff.edges[k].to.clone())
        );
    }
    // B's numbers where B has the call, A's for a removed one.
    let auth = map
        .edges
        .iter()
        .find(|e| name(e.to) == "auth")
        .map(|e| e.calls);
    assert_eq!(auth, Some(10));
    let db = map
        .edges
        .iter()
        .find(|e| name(e.from) == "api" && name(e.to) == "db");
    assert_eq!(db.map(|e| e.p99), Some(6_000));
    let layer = |n: &str| map.nodes.iter().find(|x| x.name == n).map(|x| x.layer);
    assert_eq!(
        (layer("api"), layer("cache"), layer("db")),
        (Some(0), Some(1), Some(2))
    );
}

#[test]
fn small_moves_are_no_change() {
    // p99 +5%, calls per trace +5%, error rate +0.5 points: all under the thresholds.
    let a = ServiceMap {
        nodes: vec![node(0, "a", 200, 0, 0), node(1, "b", 200, 0, 1)],
        edges: vec![edge(0, 1, 200, 0, (1_000, 2_000))],
    };
    let b = ServiceMap {
        nodes: vec![node(0, "a", 210, 0, 0), node(1, "b", 210, 1, 1)],
        edges: vec![edge(0, 1, 210, 1, (1_000, 2_100))],
    };
    let diff = MapDiff::of(&a, 10, &b, 10);
    assert_eq!(diff.edges[0].change, Change::Same);
    assert_eq!(diff.changed(), (0, 0));
    // Identical maps: nothing changed.
    assert_eq!(MapDiff::of(&a, 10, &a, 10).changed(), (0, 0));
    assert!(relative(0.0, 1.0).is_infinite());
}
