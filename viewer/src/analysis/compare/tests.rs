//! Hand-made pairs: same shape, added and removed spans, repeated siblings, orphans, sizes.

use spindle_formats::{Span, SpanKind, TraceData, TraceId};

use super::tree::{Measure, match_in_order};
use super::*;
use crate::analysis::testing::{call, indexed, span};
use crate::fixture;
use crate::index::Index;

/// A call `name` on service 1 under `parent`.
fn op(id: u64, parent: u64, start: u64, end: u64, name: &str) -> Span {
    call(
        id,
        parent,
        (start, end),
        1,
        name,
        SpanKind::Client,
        Vec::new(),
    )
}

fn compare(a: Vec<Span>, b: Vec<Span>) -> TraceComparison {
    let (da, ia) = indexed(a);
    let (db, ib) = indexed(b);
    TraceComparison::of(
        Side::new(&da, &ia),
        &ia.traces[0],
        Side::new(&db, &ib),
        &ib.traces[0],
    )
}

/// Each merged node as `(label, change, A total, B total)`, in tree order.
fn rows(c: &TraceComparison) -> Vec<(String, Change, u64, u64)> {
    c.nodes
        .iter()
        .map(|n| (c.key(n).label(), n.change(), n.a_time.total, n.b_time.total))
        .collect()
}

#[test]
fn same_shape_matches_every_span_and_reports_each_difference() {
    let a = vec![
        span(1, None, 0, 100),
        op(2, 1, 10, 40, "SELECT"),
        op(3, 1, 50, 60, "GET"),
    ];
    let b = vec![
        span(1, None, 0, 160),
        op(2, 1, 10, 100, "SELECT"),
        op(3, 1, 110, 120, "GET"),
    ];
    let c = compare(a, b);
    assert_eq!(
        rows(&c),
        [
            ("svc0: s1".to_string(), Change::Matched, 100, 160),
            ("svc1: SELECT".to_string(), Change::Matched, 30, 90),
            ("svc1: GET".to_string(), Change::Matched, 10, 10),
        ]
    );
    assert_eq!(c.counts(), (3, 0, 0));
    assert_eq!(c.nodes[1].total_diff(), 60);
    // The root's own time: 100 - 40 = 60 in A, 160 - 100 = 60 in B.
    assert_eq!(c.nodes[0].self_diff(), 0);
    assert_eq!(c.by_difference(Measure::Total), [0, 1, 2]);
    assert_eq!(c.by_difference(Measure::SelfTime)[0], 1);
    assert_eq!((c.a_duration, c.b_duration), (100, 160));
    assert_eq!(c.nodes[0].end, 3);
}

#[test]
fn spans_only_in_one_trace_are_added_or_removed_with_their_subtrees() {
    let a = vec![
        span(1, None, 0, 100),
        op(2, 1, 10, 20, "auth"),
        op(3, 1, 30, 60, "cache"),
        op(4, 3, 35, 45, "redis"),
    ];
    let b = vec![
        span(1, None, 0, 100),
        op(2, 1, 10, 20, "auth"),
        op(5, 1, 30, 90, "db"),
    ];
    let c = compare(a, b);
    let changes: Vec<(String, Change)> = rows(&c).into_iter().map(|r| (r.0, r.1)).collect();
    assert_eq!(
        changes,
        [
            ("svc0: s1".to_string(), Change::Matched),
            ("svc1: auth".to_string(), Change::Matched),
            ("svc1: cache".to_string(), Change::Removed),
            ("svc1: redis".to_string(), Change::Removed),
            ("svc1: db".to_string(), Change::Added),
        ]
    );
    assert_eq!(c.nodes[4].total_diff(), 60);
    assert_eq!(c.nodes[2].total_diff(), -30);
    assert_eq!(c.nodes[3].parent, Some(2));
    assert_eq!(c.nodes[2].end, 4);
    // Only the changed nodes and their ancestors stay when small differences are hidden.
    assert_eq!(
        c.shown(Measure::Total, 1_000),
        [true, false, true, true, true]
    );
}

#[test]
fn repeated_siblings_are_matched_in_order_and_extra_calls_are_added() {
    let a: Vec<Span> = std::iter::once(span(1, None, 0, 1000))
        .chain((0..3).map(|k| op(10 + k, 1, 100 * k, 100 * k + 10 + k, "SELECT")))
        .collect();
    let b: Vec<Span> = std::iter::once(span(1, None, 0, 1000))
        .chain((0..5).map(|k| op(10 + k, 1, 100 * k, 100 * k + 20 + k, "SELECT")))
        .collect();
    let c = compare(a, b);
    let selects: Vec<(Change, u64, u64)> = rows(&c)[1..].iter().map(|r| (r.1, r.2, r.3)).collect();
    assert_eq!(
        selects,
        [
            (Change::Matched, 10, 20),
            (Change::Matched, 11, 21),
            (Change::Matched, 12, 22),
            (Change::Added, 0, 23),
            (Change::Added, 0, 24),
        ]
    );
}

#[test]
fn added_siblings_keep_their_place_between_matched_ones() {
    // A: x y; B: z x w y (keys as numbers).
    let mut out = Vec::new();
    match_in_order(&[1, 2], &[3, 1, 4, 2], &mut out);
    assert_eq!(
        out,
        [
            (None, Some(0)),
            (Some(0), Some(1)),
            (None, Some(2)),
            (Some(1), Some(3))
        ]
    );
    out.clear();
    // Crossed order: both still matched, nothing lost.
    match_in_order(&[1, 2], &[2, 1], &mut out);
    assert_eq!(out, [(Some(0), Some(1)), (Some(1), Some(0))]);
}

#[test]
fn a_small_trace_against_a_big_one_matches_its_shape_and_adds_the_rest() {
    let da = fixture::wide_trace(10, 3);
    let ia = Index::build(&da);
    let db = fixture::wide_trace(10_000, 3);
    let ib = Index::build(&db);
    let c = TraceComparison::of(
        Side::new(&da, &ia),
        &ia.traces[0],
        Side::new(&db, &ib),
        &ib.traces[0],
    );
    assert_eq!(c.counts(), (10, 9_990, 0));
    assert_eq!(c.nodes.len(), 10_000);
    assert_eq!((c.a_spans, c.b_spans), (10, 10_000));
    let back = TraceComparison::of(
        Side::new(&db, &ib),
        &ib.traces[0],
        Side::new(&da, &ia),
        &ia.traces[0],
    );
    assert_eq!(back.counts(), (10, 0, 9_990));
}

#[test]
fn orphans_are_matched_under_the_missing_parent_placeholder() {
    let a = vec![span(1, None, 0, 100), op(7, 99, 10, 20, "late")];
    let b = vec![span(1, None, 0, 100), op(8, 98, 10, 50, "late")];
    let c = compare(a, b);
    let labels: Vec<(String, Change)> = rows(&c).into_iter().map(|r| (r.0, r.1)).collect();
    assert_eq!(
        labels,
        [
            ("svc0: s1".to_string(), Change::Matched),
            ("(missing parent)".to_string(), Change::Matched),
            ("svc1: late".to_string(), Change::Matched),
        ]
    );
    assert_eq!(c.nodes[2].total_diff(), 30);
}

/// `traces` traces, each a root with `calls` calls `q` of `q_ns` and one `r` of `r_ns`.
fn set(traces: u128, calls: u64, q_ns: u64, r_ns: u64, extra: Option<&str>) -> TraceData {
    let mut spans = Vec::new();
    for t in 0..traces {
        let mut trace = vec![span(1, None, 0, 10_000)];
        trace.extend((0..calls).map(|k| op(10 + k, 1, 100 * k, 100 * k + q_ns, "q")));
        trace.push(op(2, 1, 5_000, 5_000 + r_ns, "r"));
        if let Some(name) = extra {
            trace.push(op(3, 1, 9_000, 9_100, name));
        }
        spans.extend(trace.into_iter().map(|s| Span {
            trace_id: TraceId(t + 1),
            ..s
        }));
    }
    crate::analysis::testing::data(spans)
}

fn compare_sets(a: &TraceData, b: &TraceData) -> SetComparison {
    let (ia, ib) = (Index::build(a), Index::build(b));
    SetComparison::of(Side::new(a, &ia), &ia.traces, Side::new(b, &ib), &ib.traces)
}

fn path_named(c: &SetComparison, label: &str) -> u32 {
    (0..c.paths.len() as u32)
        .find(|&p| c.path_label(p) == label)
        .unwrap_or(u32::MAX)
}

#[test]
fn sets_tell_more_calls_apart_from_slower_calls() {
    let a = set(2, 1, 10, 10, Some("old"));
    let b = set(2, 3, 10, 50, Some("new"));
    let c = compare_sets(&a, &b);
    let q = path_named(&c, "svc0: s1 > svc1: q");
    let r = path_named(&c, "svc0: s1 > svc1: r");
    let (cq, cr) = (c.change(q), c.change(r));
    assert_eq!(cq.calls_ratio(), Some(3.0));
    assert_eq!(cq.mean_diff(), 0.0);
    assert_eq!(cq.total_diff(), 20.0);
    assert_eq!(cr.calls_ratio(), Some(1.0));
    assert_eq!(cr.mean_diff(), 40.0);
    assert_eq!(cr.total_diff(), 40.0);
    assert_eq!(c.paths[q as usize].a.traces, 2);
    assert_eq!(c.paths[q as usize].b.count, 6);
    let (old, new) = (
        path_named(&c, "svc0: s1 > svc1: old"),
        path_named(&c, "svc0: s1 > svc1: new"),
    );
    // A removed and an added call of 100 ns per trace, then r (+40), then q (+20).
    assert_eq!(c.by_change(false)[..4], [old, new, r, q]);
    let labels = |ps: Vec<u32>| ps.iter().map(|&p| c.path_label(p)).collect::<Vec<_>>();
    assert_eq!(labels(c.added()), ["svc0: s1 > svc1: new"]);
    assert_eq!(labels(c.removed()), ["svc0: s1 > svc1: old"]);
    assert_eq!((c.a.traces, c.b.traces), (2, 2));
    assert_eq!(c.a.mean_duration(), 10_000.0);
}

#[test]
fn sets_of_different_sizes_compare_per_trace() {
    let a = set(1, 2, 10, 10, None);
    let b = set(3, 2, 10, 10, None);
    let c = compare_sets(&a, &b);
    for p in 0..c.paths.len() as u32 {
        let change = c.change(p);
        assert_eq!(change.total_diff(), 0.0, "{}", c.path_label(p));
        assert_eq!(change.calls_ratio(), Some(1.0), "{}", c.path_label(p));
    }
    let q = path_named(&c, "svc0: s1 > svc1: q");
    assert_eq!(
        (c.paths[q as usize].a.count, c.paths[q as usize].b.count),
        (2, 6)
    );
    assert!(c.added().is_empty() && c.removed().is_empty());
}

#[test]
fn percent_change_handles_zero() {
    assert_eq!(percent_change(100.0, 150.0), Some(50.0));
    assert_eq!(percent_change(0.0, 0.0), Some(0.0));
    assert_eq!(percent_change(0.0, 1.0), None);
}

#[test]
fn durations_at_the_ends_of_the_range_do_not_overflow() {
    let c = compare(vec![span(1, None, 0, u64::MAX)], vec![span(1, None, 0, 0)]);
    assert_eq!(c.nodes[0].total_diff(), i64::MIN);
    assert_eq!(c.by_difference(Measure::Total), [0]);
    assert_eq!(c.shown(Measure::Total, u64::MAX), [false]);
}
