#![allow(clippy::unwrap_used)]
//! Chrome Trace Event output: valid JSON of the shape Perfetto and chrome://tracing load, one
//! complete event per span, and every lane (pid, tid) exactly nested.

mod common;

use std::collections::{BTreeMap, HashSet};

use proptest::prelude::*;
use serde_json::value::RawValue;
use spindle_formats::*;

fn write_to_vec(data: &TraceData) -> Vec<u8> {
    let mut out = Vec::new();
    write_chrome(data, &mut out).unwrap();
    out
}

/// `ts` or `dur` (microseconds with decimals) read exactly, as nanoseconds.
fn nanos(raw: &RawValue) -> u64 {
    let text = raw.get();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, "0"));
    let fraction = format!("{fraction:0<3}");
    whole.parse::<u64>().unwrap() * 1000 + fraction[..3].parse::<u64>().unwrap()
}

#[derive(Debug)]
struct Slice {
    pid: u64,
    tid: u64,
    start: u64,
    end: u64,
    trace_id: String,
    span_id: String,
}

/// Parses the output and returns its complete events.
fn slices(out: &[u8]) -> Vec<Slice> {
    #[derive(serde::Deserialize)]
    struct Event<'a> {
        ph: &'a str,
        #[serde(borrow)]
        ts: Option<&'a RawValue>,
        #[serde(borrow)]
        dur: Option<&'a RawValue>,
        pid: u64,
        tid: u64,
        args: serde_json::Value,
    }
    #[derive(serde::Deserialize)]
    struct Document<'a> {
        #[serde(borrow, rename = "traceEvents")]
        trace_events: Vec<Event<'a>>,
        #[serde(rename = "displayTimeUnit")]
        display_time_unit: String,
    }
    let doc: Document = serde_json::from_slice(out).unwrap();
    assert_eq!(doc.display_time_unit, "ms");
    doc.trace_events
        .into_iter()
        .filter(|e| e.ph == "X")
        .map(|e| {
            let start = nanos(e.ts.unwrap());
            Slice {
                pid: e.pid,
                tid: e.tid,
                start,
                end: start + nanos(e.dur.unwrap()),
                trace_id: e.args["trace_id"].as_str().unwrap().to_owned(),
                span_id: e.args["span_id"].as_str().unwrap().to_owned(),
            }
        })
        .collect()
}

/// Every lane holds one trace and its slices nest exactly: none overlaps another partially.
fn check_lanes(slices: &[Slice]) -> Result<(), String> {
    let mut lanes: BTreeMap<(u64, u64), Vec<&Slice>> = BTreeMap::new();
    for slice in slices {
        lanes.entry((slice.pid, slice.tid)).or_default().push(slice);
    }
    for (lane, mut members) in lanes {
        let traces: HashSet<&str> = members.iter().map(|s| s.trace_id.as_str()).collect();
        if traces.len() != 1 {
            return Err(format!("lane {lane:?} mixes traces {traces:?}"));
        }
        members.sort_by_key(|s| (s.start, std::cmp::Reverse(s.end)));
        let mut open: Vec<u64> = Vec::new();
        for slice in members {
            while open.last().is_some_and(|&end| end <= slice.start) {
                open.pop();
            }
            if open.last().is_some_and(|&end| end < slice.end) {
                return Err(format!("lane {lane:?}: {slice:?} overlaps without nesting"));
            }
            open.push(slice.end);
        }
    }
    Ok(())
}

#[test]
fn the_output_is_a_trace_event_document_with_named_processes_and_threads() {
    let data = common::full_model();
    let out = write_to_vec(&data);
    let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let events = doc["traceEvents"].as_array().unwrap();
    let metadata = |name: &str| -> Vec<&serde_json::Value> {
        events
            .iter()
            .filter(|e| e["ph"] == "M" && e["name"] == name)
            .collect()
    };
    let processes: Vec<&str> = metadata("process_name")
        .iter()
        .map(|e| e["args"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(processes, ["checkout", "db"]);
    assert_eq!(metadata("thread_name")[0]["args"]["name"], "trace 4bf92f35");
    let root = events
        .iter()
        .find(|e| e["ph"] == "X" && e["name"] == "GET /cart")
        .unwrap();
    assert_eq!(root["cat"], "server");
    assert_eq!(root["ts"], 0.0);
    assert_eq!(root["dur"].as_f64().unwrap(), 250_000.333);
    assert_eq!(root["args"]["trace_id"], "4bf92f3577b34da6a3ce929d0e0e4736");
    assert_eq!(root["args"]["span_id"], "00f067aa0ba902b7");
    assert_eq!(root["args"]["status"], "ok");
    assert_eq!(root["args"]["attributes"]["i"], -9_007_199_254_740_993i64);
    assert_eq!(root["args"]["attributes"]["bytes"], "0001feff");
    let child = events
        .iter()
        .find(|e| e["ph"] == "X" && e["name"] == "SELECT")
        .unwrap();
    assert_ne!(child["pid"], root["pid"], "one process per service");
    assert_eq!(child["args"]["parent_span_id"], "00f067aa0ba902b7");
    assert_eq!(child["args"]["status_message"], "deadlock");
    let instant = events.iter().find(|e| e["ph"] == "i").unwrap();
    assert_eq!(instant["name"], "cache miss");
    assert_eq!(instant["s"], "t");
    assert_eq!(
        doc["otherData"]["time_origin_unix_nanos"],
        "1700000000000000123"
    );
}

#[test]
fn overlapping_siblings_go_to_separate_lanes() {
    let span = |id: u64, parent: Option<u64>, start: u64, end: u64| Span {
        trace_id: TraceId(1),
        span_id: SpanId(id),
        parent_span_id: parent.map(SpanId),
        start_unix_nanos: start,
        end_unix_nanos: end,
        ..Default::default()
    };
    let data = TraceData {
        resources: vec![common::resource("svc")],
        scopes: vec![Scope::default()],
        spans: vec![
            span(1, None, 0, 100_000),
            span(2, Some(1), 10_000, 60_000),
            span(3, Some(1), 40_000, 90_000),
            span(4, Some(3), 50_000, 80_000),
        ],
    };
    let slices = slices(&write_to_vec(&data));
    check_lanes(&slices).unwrap();
    let tid = |id: &str| slices.iter().find(|s| s.span_id.ends_with(id)).unwrap().tid;
    assert_eq!(tid("1"), tid("2"));
    assert_ne!(tid("2"), tid("3"));
    assert_eq!(tid("3"), tid("4"));
}

fn spans() -> impl Strategy<Value = Vec<Span>> {
    let span =
        (1u128..4, 0u32..2, 0u64..1000, 0u64..400).prop_map(|(trace, resource, start, len)| Span {
            trace_id: TraceId(trace),
            start_unix_nanos: start * 1000,
            end_unix_nanos: (start + len) * 1000 + len % 7,
            resource: ResourceIndex(resource),
            ..Default::default()
        });
    prop::collection::vec(span, 0..40).prop_map(|mut spans| {
        for (i, span) in spans.iter_mut().enumerate() {
            span.span_id = SpanId(i as u64 + 1);
        }
        spans
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn every_lane_is_exactly_nested(spans in spans()) {
        let data = TraceData {
            resources: vec![common::resource("a"), common::resource("b")],
            scopes: vec![Scope::default()],
            spans,
        };
        let slices = slices(&write_to_vec(&data));
        prop_assert_eq!(slices.len(), data.spans.len());
        let origin = data.spans.iter().map(|s| s.start_unix_nanos).min().unwrap_or(0);
        for slice in &slices {
            let id = u64::from_str_radix(&slice.span_id, 16).unwrap();
            let span = &data.spans[id as usize - 1];
            prop_assert_eq!(slice.start, span.start_unix_nanos - origin);
            prop_assert_eq!(slice.end - slice.start, span.duration_nanos());
            prop_assert_eq!(slice.pid, u64::from(span.resource.0) + 1);
        }
        if let Err(message) = check_lanes(&slices) {
            prop_assert!(false, "{}", message);
        }
    }
}
