//! Appending arrived spans gives the same index as loading them all at once; duplicates,
//! shared resources, eviction and the trace list's update.

use spindle_formats::{KeyValue, Resource, SpanId, TraceData, TraceId};

use crate::filter::{FilteredTraces, ListFilter, SortBy};
use crate::fixture;
use crate::load::Document;

/// `data` split into batches of `size` spans, each with its own copy of the resources.
fn batches(data: &TraceData, size: usize) -> Vec<TraceData> {
    data.spans
        .chunks(size)
        .map(|spans| TraceData {
            resources: data.resources.clone(),
            scopes: data.scopes.clone(),
            spans: spans.to_vec(),
        })
        .collect()
}

/// One row of a trace's tree walk: span id (none for the placeholder), depth, self time.
type Row = (Option<SpanId>, u16, u64);

/// What a user sees of a document: per trace (by id) its tree walk, its orphan and span
/// counts.
fn picture(doc: &Document) -> Vec<(TraceId, Vec<Row>, usize, usize)> {
    let mut traces: Vec<_> = doc
        .index
        .traces
        .iter()
        .map(|t| {
            let walk = t
                .order
                .iter()
                .zip(&t.depths)
                .map(|(n, &d)| {
                    let span = n.span();
                    let id = span.map(|i| doc.data.spans[i].span_id);
                    (id, d, span.map_or(0, |i| doc.index.self_time[i]))
                })
                .collect();
            (t.trace_id, walk, t.orphans.len(), t.span_count)
        })
        .collect();
    traces.sort_by_key(|t| t.0);
    traces
}

#[test]
fn appending_in_batches_equals_loading_at_once() {
    let mut all = fixture::many_traces(40, 12);
    // Children first, roots last: what a live service sends (a root ends last).
    all.spans.reverse();
    let whole = Document::from_data(all.clone());
    for size in [1, 7, 100, 1000] {
        let mut live = Document::from_data(TraceData::default());
        for batch in batches(&all, size) {
            let appended = live.append(vec![batch]);
            assert!(appended.added > 0);
        }
        assert_eq!(picture(&live), picture(&whole), "batches of {size}");
        assert_eq!(live.index.orphan_count, whole.index.orphan_count);
        assert_eq!(
            live.data.resources.len(),
            all.resources.len(),
            "resources shared"
        );
        live.refresh_aggregate();
        assert_eq!(live.index.agg.len(), whole.index.agg.len());
    }
}

#[test]
fn a_trace_is_in_progress_until_its_root_arrives() {
    let all = fixture::shop();
    let root = all.spans.iter().position(|s| s.parent_span_id.is_none());
    let root = root.expect("the shop fixture has a root");
    let trace_id = all.spans[root].trace_id;
    let mut first = all.clone();
    first
        .spans
        .retain(|s| s.trace_id == trace_id && s.parent_span_id.is_some());
    let mut doc = Document::from_data(TraceData::default());
    let appended = doc.append(vec![first]);
    let t = doc
        .index
        .trace_index(trace_id)
        .expect("the trace is listed");
    assert!(doc.index.traces[t].roots.is_empty());
    assert!(
        !doc.index.traces[t].orphans.is_empty(),
        "shown under 'missing parent'"
    );
    assert_eq!(appended.changed, [t as u32]);
    let mut rest = all.clone();
    rest.spans = vec![all.spans[root].clone()];
    doc.append(vec![rest]);
    let trace = &doc.index.traces[t];
    assert_eq!(trace.roots.len(), 1, "the root arrived");
    assert!(trace.orphans.is_empty(), "its children now hang under it");
    assert_eq!(doc.index.orphan_count, 0);
}

#[test]
fn spans_received_twice_are_kept_once() {
    let all = fixture::shop();
    let mut doc = Document::from_data(all.clone());
    let appended = doc.append(vec![all.clone(), all.clone()]);
    assert_eq!(appended.added, 0);
    assert_eq!(appended.duplicates, 2 * all.spans.len());
    assert_eq!(doc.data.spans.len(), all.spans.len());
    assert_eq!(doc.duplicates, 2 * all.spans.len());
}

#[test]
fn new_resources_are_added_and_equal_ones_shared() {
    let all = fixture::shop();
    let mut doc = Document::from_data(TraceData::default());
    doc.append(batches(&all, 2));
    assert_eq!(doc.data.resources, all.resources);
    let mut other = all.clone();
    other.resources = vec![Resource {
        attributes: vec![KeyValue::new("service.name", "billing")],
        ..Default::default()
    }];
    for (n, span) in other.spans.iter_mut().enumerate() {
        span.resource = spindle_formats::ResourceIndex(0);
        span.span_id = SpanId(9_000 + n as u64);
    }
    doc.append(vec![other]);
    assert_eq!(doc.data.resources.len(), all.resources.len() + 1);
    assert!(doc.index.services.iter().any(|s| s == "billing"));
}

#[test]
fn past_the_limit_the_oldest_whole_traces_go() {
    let all = fixture::many_traces(50, 10);
    let mut doc = Document::from_data(TraceData::default());
    doc.append(vec![all.clone()]);
    assert_eq!(doc.evict_oldest(500), 0, "at the limit nothing goes");
    let newest_start = doc.index.traces.iter().map(|t| t.start).max();
    let evicted = doc.evict_oldest(300);
    assert_eq!(evicted, 230, "down to 90% of the limit, whole traces");
    assert_eq!(doc.data.spans.len(), 270);
    assert!(doc.index.traces.iter().all(|t| t.span_count == 10));
    assert_eq!(doc.index.traces.iter().map(|t| t.start).max(), newest_start);
    let mut starts: Vec<u64> = all.spans.iter().map(|s| s.start_unix_nanos).collect();
    starts.sort_unstable();
    let oldest_kept = doc.index.traces.iter().map(|t| t.start).min();
    assert!(
        oldest_kept > starts.first().copied(),
        "the oldest went first"
    );
}

#[test]
fn the_trace_list_takes_in_changed_traces_like_a_full_pass() {
    let all = fixture::many_traces(60, 8);
    let filter = ListFilter {
        tag: "peer=cart".into(),
        ..ListFilter::default()
    };
    for (sort, descending) in [(SortBy::Start, false), (SortBy::Spans, true)] {
        let mut doc = Document::from_data(TraceData::default());
        let mut list = FilteredTraces::new(filter.clone(), sort, descending);
        for batch in batches(&all, 37) {
            let appended = doc.append(vec![batch]);
            list.rows(&doc);
            list.traces_changed(&doc, &appended.changed);
        }
        let mut full = FilteredTraces::new(filter.clone(), sort, descending);
        assert_eq!(list.shown(), full.rows(&doc), "{sort:?}");
        assert!(!list.shown().is_empty());
    }
}
