//! Clock-skew cases with their expected marks and adjustments.

use spindle_formats::SpanKind::{Client, Internal, Server};

use super::*;
use crate::analysis::testing::{at, call, indexed, span};

fn skew_of(spans: Vec<spindle_formats::Span>, tolerance: u64) -> (TraceData, ClockSkew) {
    let (data, index) = indexed(spans);
    let skew = ClockSkew::of(&data, &index, &index.traces[0], tolerance);
    (data, skew)
}

/// svc0's CLIENT call 100..200 answered by svc1's SERVER span 50..130: its clock is behind.
fn behind() -> Vec<spindle_formats::Span> {
    vec![
        span(1, None, 0, 300),
        call(2, 1, (100, 200), 0, "call", Client, vec![]),
        call(3, 2, (50, 130), 1, "serve", Server, vec![]),
        call(4, 3, (60, 120), 1, "work", Internal, vec![]),
        call(5, 4, (61, 119), 1, "more work", Internal, vec![]),
    ]
}

#[test]
fn a_server_span_starting_before_its_client_is_marked_and_centred() {
    let (data, skew) = skew_of(behind(), 10);
    let serve = at(&data, 3);
    assert_eq!(
        skew.marks,
        [SkewMark {
            span: serve,
            parent: at(&data, 2),
            early: 50,
            late: 0
        }]
    );
    // 80 ns of server in 100 ns of client: 10 ns either side.
    assert_eq!(skew.adjusted(&data, serve), (110, 190));
    // Its service's subtree moves with it; the raw times stay.
    assert_eq!(skew.adjusted(&data, at(&data, 4)), (120, 180));
    assert_eq!(skew.adjusted(&data, at(&data, 5)), (121, 179));
    assert_eq!(data.spans[at(&data, 4) as usize].start_unix_nanos, 60);
    assert_eq!(skew.shifted_spans(), 3);
    assert_eq!(skew.shift(at(&data, 1)), 0);
}

#[test]
fn overhangs_within_the_tolerance_are_neither_marked_nor_moved() {
    let mut spans = behind();
    spans[2] = call(3, 2, (95, 205), 1, "serve", Server, vec![]);
    let (_, skew) = skew_of(spans, 10);
    assert!(skew.marks.is_empty());
    assert_eq!(skew.shifted_spans(), 0);
}

#[test]
fn a_child_of_the_same_service_overhanging_its_parent_is_not_skew() {
    let (_, skew) = skew_of(vec![span(1, None, 0, 100), span(2, Some(1), 50, 400)], 10);
    assert!(skew.marks.is_empty());
}

#[test]
fn a_third_service_is_checked_against_its_parent_as_adjusted() {
    let mut spans = behind();
    // svc1 calls svc2, whose span fits the call only once svc1 is moved (+60).
    spans.push(call(6, 4, (70, 110), 1, "call", Client, vec![]));
    spans.push(call(7, 6, (135, 165), 2, "lookup", Server, vec![]));
    let (data, skew) = skew_of(spans, 10);
    let lookup = at(&data, 7);
    // Raw: 135..165 ends 55 after svc1's raw 70..110, so it is marked...
    assert_eq!(skew.mark(lookup).map(|m| (m.early, m.late)), Some((0, 55)));
    // ...but it fits the adjusted call 130..170, so it is not moved.
    assert_eq!(skew.adjusted(&data, at(&data, 6)), (130, 170));
    assert_eq!(skew.shift(lookup), 0);
    assert_eq!(skew.marks.len(), 2);
}

#[test]
fn only_client_server_pairs_are_moved() {
    let (data, skew) = skew_of(
        vec![
            span(1, None, 0, 100),
            call(2, 1, (80, 150), 1, "async", Internal, vec![]),
        ],
        10,
    );
    let child = at(&data, 2);
    assert_eq!(skew.mark(child).map(|m| (m.early, m.late)), Some((0, 50)));
    assert_eq!(skew.shift(child), 0);
}

#[test]
fn timestamps_at_the_ends_of_the_range_do_not_overflow() {
    let (data, skew) = skew_of(
        vec![
            span(1, None, 0, 100),
            call(2, 1, (0, u64::MAX), 0, "call", Client, vec![]),
            call(3, 2, (u64::MAX - 1, u64::MAX), 1, "serve", Server, vec![]),
            call(
                4,
                1,
                (u64::MAX, u64::MAX),
                1,
                "at the end of time",
                Server,
                vec![],
            ),
        ],
        10,
    );
    assert!(skew.mark(at(&data, 4)).is_some());
    let _ = skew.adjusted(&data, at(&data, 3));
}
