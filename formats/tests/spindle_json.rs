#![allow(clippy::unwrap_used)]
//! Spindle JSON: lossless round trips, JSON Lines, versioning and the v1 golden file.

mod common;

use spindle_formats::*;

fn lenient() -> ReadOptions {
    ReadOptions::default()
}

#[test]
fn every_part_of_the_model_round_trips() {
    let data = common::full_model();
    let mut out = Vec::new();
    write_spindle_json(&data, &mut out).unwrap();
    assert_eq!(
        out.iter().filter(|b| **b == b'\n').count(),
        1,
        "one document, one line"
    );
    assert!(out.ends_with(b"\n"));
    let loaded = read(&out, "t.jsonl", lenient()).unwrap();
    assert_eq!(loaded.format, Format::Spindle);
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    assert_eq!(loaded.data, data);
}

#[test]
fn appended_batches_merge_and_share_resources() {
    let data = common::full_model();
    let mut out = Vec::new();
    write_spindle_json(&data, &mut out).unwrap();
    write_spindle_json(&data, &mut out).unwrap();
    let loaded = read(&out, "t.jsonl", lenient()).unwrap();
    assert_eq!(loaded.data.spans.len(), 4);
    assert_eq!(loaded.data.resources, data.resources);
    assert_eq!(loaded.data.spans[3], data.spans[1]);
}

#[test]
fn a_pretty_printed_document_reads() {
    let text = r#"
    {
      "version": 1,
      "format": "spindle",
      "spans": [
        { "traceId": "4BF92F3577B34DA6A3CE929D0E0E4736", "spanId": "00f067aa0ba902b7",
          "name": "only", "kind": "consumer" }
      ]
    }"#;
    let loaded = read(text.as_bytes(), "pretty.json", lenient()).unwrap();
    let span = &loaded.data.spans[0];
    assert_eq!(span.kind, SpanKind::Consumer);
    assert_eq!(span.trace_id, TraceId(0x4bf92f3577b34da6a3ce929d0e0e4736));
    assert_eq!(
        loaded.data.resources.len(),
        1,
        "a document without resources gets an empty one"
    );
}

#[test]
fn a_future_version_is_refused_by_name() {
    let text = br#"{"format":"spindle","version":2,"spans":{"columnar":true}}"#;
    let error = read(text, "new.jsonl", lenient()).unwrap_err();
    assert_eq!(
        error.problem,
        Problem::UnsupportedVersion { found: "2".into() }
    );
    assert_eq!(
        error.to_string(),
        "new.jsonl:1:31 (byte 30): version: Spindle JSON version 2 is not supported \
         (this build reads version 1)"
    );
}

#[test]
fn the_version_1_golden_file_keeps_loading() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/spindle-v1.jsonl");
    let loaded = read_file_with(path, ReadOptions { strict: true }).unwrap();
    let data = &loaded.data;
    assert_eq!(loaded.format, Format::Spindle);
    assert_eq!(data.spans.len(), 4);
    assert_eq!(
        data.resources.len(),
        2,
        "the equal checkout resource is shared"
    );
    let names: Vec<&str> = data.spans.iter().map(|s| data.service_name_of(s)).collect();
    assert_eq!(names, ["checkout", "checkout", "payments", "checkout"]);

    let root = &data.spans[0];
    assert_eq!(root.name, "GET /cart");
    assert_eq!(root.kind, SpanKind::Server);
    assert_eq!(root.duration_nanos(), 250_000_000);
    assert_eq!(root.attribute("http.status_code"), Some(&Value::I64(200)));
    assert_eq!(root.attribute("cache.hit"), Some(&Value::Bool(true)));
    assert_eq!(root.attribute("inf"), Some(&Value::F64(f64::INFINITY)));
    assert_eq!(
        root.attribute("digest"),
        Some(&Value::Bytes(vec![0, 0xff, 0x10]))
    );
    assert_eq!(
        root.attribute("tags"),
        Some(&Value::Array(vec!["a".into(), Value::I64(2)]))
    );
    assert_eq!(
        root.attribute("user").map(ToString::to_string).as_deref(),
        Some(r#"{"id":7,"roles":["admin"]}"#)
    );
    assert_eq!(root.events[0].name, "cache miss");
    assert_eq!(root.status, Status::Ok);
    assert_eq!(
        (root.flags, root.trace_state.as_ref()),
        (FLAG_SAMPLED, "vendor=1")
    );
    assert_eq!(data.scope_of(root).name, "spindle");

    let child = &data.spans[1];
    assert_eq!(child.parent_span_id, Some(root.span_id));
    assert_eq!(child.links[0].span_id, SpanId(0x00f067aa0ba902b8));
    assert_eq!(
        child.status,
        Status::Error {
            message: "deadlock".into()
        }
    );
}
