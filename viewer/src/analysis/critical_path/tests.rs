use super::*;
use crate::analysis::testing::{at, indexed, span};
use spindle_formats::Span;

/// The critical path as (span id, start, end) triples.
fn path(spans: Vec<Span>) -> Vec<(u64, u64, u64)> {
    let (data, index) = indexed(spans);
    let path = CriticalPath::of(&data, &index, &index.traces[0]);
    path.sections
        .iter()
        .map(|s| (data.spans[s.span as usize].span_id.0, s.start, s.end))
        .collect()
}

#[test]
fn a_lone_span_is_its_own_path() {
    assert_eq!(path(vec![span(1, None, 0, 100)]), [(1, 0, 100)]);
}

#[test]
fn sequential_children_alternate_with_the_parent() {
    let spans = vec![
        span(1, None, 0, 100),
        span(2, Some(1), 10, 40),
        span(3, Some(1), 50, 90),
    ];
    assert_eq!(
        path(spans.clone()),
        [
            (1, 0, 10),
            (2, 10, 40),
            (1, 40, 50),
            (3, 50, 90),
            (1, 90, 100)
        ]
    );
    let (data, index) = indexed(spans);
    let cp = CriticalPath::of(&data, &index, &index.traces[0]);
    assert_eq!(cp.time_of(at(&data, 1) as usize), 30);
    assert_eq!(cp.time_of(at(&data, 2) as usize), 30);
    assert_eq!(cp.time_of(at(&data, 3) as usize), 40);
    assert_eq!(cp.total(), 100);
}

#[test]
fn overlapping_children_take_the_last_to_finish_then_what_ended_before_it_started() {
    // 3 ends last; 2 overlaps it (ends after 3 started) so it is not on the path.
    let overlap = vec![
        span(1, None, 0, 100),
        span(2, Some(1), 10, 60),
        span(3, Some(1), 50, 90),
    ];
    assert_eq!(path(overlap), [(1, 0, 50), (3, 50, 90), (1, 90, 100)]);
    // 3 lies inside 2: 2 explains its whole interval.
    let nested = vec![
        span(1, None, 0, 100),
        span(2, Some(1), 10, 60),
        span(3, Some(1), 20, 50),
    ];
    assert_eq!(path(nested), [(1, 0, 10), (2, 10, 60), (1, 60, 100)]);
    // 4 ends last, 3 ended before 4 started, 2 overlaps 3.
    let chain = vec![
        span(1, None, 0, 100),
        span(2, Some(1), 0, 30),
        span(3, Some(1), 20, 60),
        span(4, Some(1), 65, 70),
    ];
    assert_eq!(
        path(chain),
        [
            (1, 0, 20),
            (3, 20, 60),
            (1, 60, 65),
            (4, 65, 70),
            (1, 70, 100)
        ]
    );
}

#[test]
fn equal_ends_prefer_the_child_that_started_first() {
    let spans = vec![
        span(1, None, 0, 100),
        span(2, Some(1), 30, 50),
        span(3, Some(1), 10, 50),
    ];
    assert_eq!(path(spans), [(1, 0, 10), (3, 10, 50), (1, 50, 100)]);
}

#[test]
fn grandchildren_are_walked_too() {
    let spans = vec![
        span(1, None, 0, 100),
        span(2, Some(1), 10, 90),
        span(3, Some(2), 20, 40),
        span(4, Some(2), 50, 80),
        span(5, Some(4), 55, 60),
    ];
    assert_eq!(
        path(spans),
        [
            (1, 0, 10),
            (2, 10, 20),
            (3, 20, 40),
            (2, 40, 50),
            (4, 50, 55),
            (5, 55, 60),
            (4, 60, 80),
            (2, 80, 90),
            (1, 90, 100),
        ]
    );
}

#[test]
fn a_child_ending_after_its_parent_is_clipped_to_the_parent() {
    // 2 runs past the root's end; its child 3 too (clipped to 2's clipped end); 4 lies
    // entirely after the root ended and drops out.
    let spans = vec![
        span(1, None, 0, 100),
        span(2, Some(1), 50, 150),
        span(3, Some(2), 60, 130),
        span(4, Some(2), 120, 140),
    ];
    assert_eq!(path(spans), [(1, 0, 50), (2, 50, 60), (3, 60, 100)]);
}

#[test]
fn a_child_starting_before_its_parent_is_clipped_to_the_parent() {
    let spans = vec![span(1, None, 100, 200), span(2, Some(1), 50, 150)];
    assert_eq!(path(spans), [(2, 100, 150), (1, 150, 200)]);
}

#[test]
fn a_span_following_from_a_parent_that_already_ended_is_not_on_the_path() {
    // 3 follows from the root after it ended (a queued job), with a child of its own.
    let spans = vec![
        span(1, None, 0, 100),
        span(2, Some(1), 10, 30),
        span(3, Some(1), 150, 200),
        span(4, Some(3), 160, 190),
    ];
    let (data, index) = indexed(spans.clone());
    assert_eq!(path(spans), [(1, 0, 10), (2, 10, 30), (1, 30, 100)]);
    let cp = CriticalPath::of(&data, &index, &index.traces[0]);
    assert_eq!(cp.time_of(at(&data, 3) as usize), 0);
    assert_eq!(cp.time_of(at(&data, 4) as usize), 0);
}

#[test]
fn orphans_under_the_placeholder_continue_the_path_when_they_end_last() {
    // The root ends at 50; orphan 3 (parent 99 is not loaded) runs to 120 and owns the end;
    // the root overlaps the orphan, so it is not on the path.
    let spans = vec![
        span(1, None, 0, 50),
        span(2, Some(1), 10, 20),
        span(3, Some(99), 40, 120),
        span(4, Some(3), 60, 110),
    ];
    assert_eq!(path(spans), [(3, 40, 60), (4, 60, 110), (3, 110, 120)]);
}

#[test]
fn orphans_that_end_before_the_root_are_off_the_path() {
    let spans = vec![
        span(1, None, 0, 100),
        span(2, Some(1), 10, 20),
        span(3, Some(99), 30, 60),
    ];
    assert_eq!(path(spans), [(1, 0, 10), (2, 10, 20), (1, 20, 100)]);
}

#[test]
fn a_trace_of_orphans_and_several_roots_chains_the_top_level_spans() {
    // No root at all: two orphans of one missing parent, with a gap nobody owns.
    let orphans = vec![span(2, Some(99), 0, 50), span(3, Some(99), 60, 100)];
    assert_eq!(path(orphans), [(2, 0, 50), (3, 60, 100)]);
    // Two roots, one after the other, and an orphan after them both.
    let roots = vec![
        span(1, None, 0, 40),
        span(2, None, 50, 80),
        span(3, Some(99), 90, 95),
    ];
    assert_eq!(path(roots), [(1, 0, 40), (2, 50, 80), (3, 90, 95)]);
}

#[test]
fn a_span_ending_before_it_starts_counts_as_zero_length() {
    let spans = vec![span(1, None, 0, 100), span(2, Some(1), 60, 40)];
    assert_eq!(path(spans), [(1, 0, 100)]);
}

#[test]
fn a_chain_two_hundred_thousand_deep_needs_no_recursion() {
    let n = 200_000u64;
    let spans: Vec<Span> = (1..=n)
        .map(|i| span(i, (i > 1).then(|| i - 1), i, 2 * n + 1 - i))
        .collect();
    let (data, index) = indexed(spans);
    let cp = CriticalPath::of(&data, &index, &index.traces[0]);
    assert_eq!(cp.total(), 2 * n - 1);
    // Every span but the deepest owns two sections: before and after its child.
    assert_eq!(cp.sections.len() as u64, 2 * (n - 1) + 1);
    assert!(cp.sections.windows(2).all(|w| w[0].end <= w[1].start));
}
