//! Appending arrived spans gives the same index as loading them all at once; duplicates,
//! shared resources, eviction and the trace list's update; and the same over random batches
//! and evictions (a property test).

use spindle_formats::{KeyValue, Resource, SpanId, TraceData, TraceId};

use crate::filter::{FilteredTraces, ListFilter, SortBy};
use crate::fixture;
use crate::index::agg_picture;
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
        assert_eq!(agg_picture(&live.index), agg_picture(&whole.index));
    }
}

#[test]
fn an_empty_document_grows_an_aggregate_that_is_a_tree() {
    let all = fixture::many_traces(30, 6);
    let mut doc = Document::default();
    for batch in batches(&all, 25) {
        doc.append(vec![batch]);
    }
    let agg = &doc.index.agg;
    assert_eq!(agg[0].name, "all traces");
    // Every node is reached once from the root: no node is its own ancestor.
    let mut seen = vec![false; agg.len()];
    let mut stack = vec![0u32];
    while let Some(n) = stack.pop() {
        assert!(
            !std::mem::replace(&mut seen[n as usize], true),
            "node {n} twice"
        );
        stack.extend(&agg[n as usize].children);
    }
    let whole = Document::from_data(all);
    assert_eq!(agg_picture(&doc.index), agg_picture(&whole.index));
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
    assert_eq!(doc.evict_oldest(500).spans, 0, "at the limit nothing goes");
    let mut by_start: Vec<(u64, TraceId)> = doc
        .index
        .traces
        .iter()
        .map(|t| (t.start, t.trace_id))
        .collect();
    by_start.sort_unstable();
    let evicted = doc.evict_oldest(300);
    assert_eq!(evicted.spans, 230, "down to 90% of the limit, whole traces");
    assert_eq!(evicted.traces.evicted(), 23);
    assert_eq!(doc.data.spans.len(), 270);
    let mut held: Vec<TraceId> = doc.index.traces.iter().map(|t| t.trace_id).collect();
    held.sort_unstable();
    let mut newest: Vec<TraceId> = by_start[23..].iter().map(|&(_, id)| id).collect();
    newest.sort_unstable();
    assert_eq!(held, newest, "exactly the 27 newest traces stay");
    assert!(doc.index.traces.iter().all(|t| t.span_count == 10));
}

#[test]
fn after_eviction_each_trace_holds_its_own_spans() {
    let mut all = fixture::many_traces(60, 9);
    all.spans.reverse();
    let mut doc = Document::from_data(TraceData::default());
    for batch in batches(&all, 50) {
        doc.append(vec![batch]);
        doc.evict_oldest(200);
    }
    let rebuilt = Document::from_data(doc.data.clone());
    assert_eq!(picture(&doc), picture(&rebuilt), "as if loaded at once");
    assert_eq!(doc.index.orphan_count, rebuilt.index.orphan_count);
    assert_eq!(agg_picture(&doc.index), agg_picture(&rebuilt.index));
    for (t, trace) in doc.index.traces.iter().enumerate() {
        assert_eq!(doc.index.trace_index(trace.trace_id), Some(t));
        for &i in &trace.spans {
            assert_eq!(doc.data.spans[i as usize].trace_id, trace.trace_id);
            assert_eq!(doc.index.trace_of[i as usize], t as u32);
            for &c in doc.index.children(i as usize) {
                assert_eq!(doc.data.spans[c as usize].trace_id, trace.trace_id);
            }
        }
    }
    let newest = doc
        .data
        .spans
        .last()
        .map(|s| s.trace_id)
        .expect("spans held");
    let mut focus = crate::focus::Focus::default();
    focus.select_trace(&doc, doc.index.trace_index(newest));
    let open = focus.current(&doc).expect("the newest trace opens");
    assert_eq!(open.trace_id, newest);
    let ids: Vec<SpanId> = all
        .spans
        .iter()
        .filter(|s| s.trace_id == newest)
        .map(|s| s.span_id)
        .collect();
    let found = ids
        .iter()
        .filter(|&&id| doc.index.find_span(&doc.data, newest, id).is_some());
    assert_eq!(
        found.count(),
        ids.len(),
        "every span of the open trace found"
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

/// Spans of `traces` traces in a random order (by `keys`), with a few names made unique so
/// the aggregate has paths that come and go.
fn shuffled(traces: usize, per_trace: usize, keys: &[u32]) -> TraceData {
    let mut all = fixture::many_traces(traces, per_trace);
    for (n, span) in all.spans.iter_mut().enumerate() {
        if n % 7 == 3 {
            span.name = format!("unique {n}").into();
        }
    }
    let mut order: Vec<usize> = (0..all.spans.len()).collect();
    order.sort_by_key(|&i| (keys[i % keys.len()], i));
    let spans = order.iter().map(|&i| all.spans[i].clone()).collect();
    TraceData { spans, ..all }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

    /// Whatever the batches and evictions, the document, its aggregate and the trace list
    /// are what loading its spans at once and a full filter pass give.
    #[test]
    fn incremental_updates_equal_a_full_rebuild(
        traces in 1usize..30,
        per_trace in 1usize..10,
        keys in proptest::collection::vec(proptest::prelude::any::<u32>(), 1..64),
        sizes in proptest::collection::vec(1usize..60, 1..12),
        limits in proptest::collection::vec(proptest::option::of(5usize..150), 1..12),
        sort in 0usize..5,
        descending in proptest::prelude::any::<bool>(),
        filtered in proptest::prelude::any::<bool>(),
    ) {
        let all = shuffled(traces, per_trace, &keys);
        let sort = [SortBy::Start, SortBy::Duration, SortBy::Spans, SortBy::Errors, SortBy::Name][sort];
        let filter = match filtered {
            true => ListFilter { tag: "peer=cart".into(), ..ListFilter::default() },
            false => ListFilter::default(),
        };
        let mut doc = Document::from_data(TraceData::default());
        let mut list = FilteredTraces::new(filter.clone(), sort, descending);
        list.rows(&doc);
        let (mut at, mut step, mut evicted) = (0, 0, 0);
        while at < all.spans.len() {
            let size = sizes[step % sizes.len()].min(all.spans.len() - at);
            let batch = TraceData { spans: all.spans[at..at + size].to_vec(), ..all.clone() };
            at += size;
            // As the app takes a batch in: append, evict, then the list.
            let appended = doc.append(vec![batch]);
            let limit = limits[step % limits.len()].unwrap_or(usize::MAX);
            let gone = doc.evict_oldest(limit);
            evicted += gone.spans;
            if gone.spans > 0 {
                let changed: Vec<u32> = appended
                    .changed
                    .iter()
                    .filter_map(|&t| gone.traces.get(t as usize))
                    .collect();
                list.traces_evicted(&gone.traces);
                list.traces_changed(&doc, &changed);
                proptest::prop_assert!(doc.data.spans.len() <= limit);
            } else {
                list.traces_changed(&doc, &appended.changed);
            }
            step += 1;
            let rebuilt = Document::from_data(doc.data.clone());
            proptest::prop_assert_eq!(picture(&doc), picture(&rebuilt));
            proptest::prop_assert_eq!(doc.index.orphan_count, rebuilt.index.orphan_count);
            proptest::prop_assert_eq!(agg_picture(&doc.index), agg_picture(&rebuilt.index));
            let mut full = FilteredTraces::new(filter.clone(), sort, descending);
            proptest::prop_assert_eq!(list.shown(), full.rows(&doc));
        }
        proptest::prop_assert_eq!(doc.data.spans.len() + evicted, all.spans.len());
    }
}

#[test]
fn a_large_arrival_is_taken_in_over_several_frames() {
    let config = crate::receive::ReceiveConfig {
        otlp: "127.0.0.1:0".parse().ok(),
        zipkin: None,
        ..crate::receive::ReceiveConfig::default()
    };
    let mut feed = super::LiveFeed::start(config, || {});
    let addr = feed.receiver().local_addr(crate::receive::Endpoint::Otlp);
    let addr = addr.expect("listens");
    let all = fixture::many_traces(2_500, 10);
    for batch in batches(&all, 1_000) {
        let mut body = Vec::new();
        spindle_formats::write_otlp_proto(&batch, &mut body).expect("encode");
        let mut stream = std::net::TcpStream::connect(addr).expect("connect");
        let head = format!(
            "POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        use std::io::{Read, Write};
        stream.write_all(head.as_bytes()).expect("send");
        stream.write_all(&body).expect("send");
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    }
    feed.stop();
    assert_eq!(
        feed.pending_spans(),
        all.spans.len(),
        "everything answered 200 waits"
    );
    let mut doc = Document::from_data(TraceData::default());
    let mut frames = 0;
    // The first frame is due; the next ones only because a backlog is left.
    while let Some(taken) = feed.due(frames == 0) {
        let spans: usize = taken.iter().map(|b| b.spans.len()).sum();
        assert!(
            spans < super::SPANS_PER_APPLY + 1_000,
            "{spans} in one frame"
        );
        doc.append(taken);
        frames += 1;
    }
    assert!(
        frames >= all.spans.len() / super::SPANS_PER_APPLY,
        "{frames} frames"
    );
    assert_eq!(feed.next_due(), None, "nothing left");
    // (The writer groups a batch's spans by service: compare as sets.)
    let key = |s: &spindle_formats::Span| (s.trace_id, s.span_id);
    let mut ids: Vec<_> = doc.data.spans.iter().map(key).collect();
    let mut sent: Vec<_> = all.spans.iter().map(key).collect();
    ids.sort_unstable();
    sent.sort_unstable();
    assert_eq!(ids, sent, "every span taken in once");
}
