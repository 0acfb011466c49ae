#![allow(clippy::unwrap_used)]
//! Schema URLs, dropped counts and link flags: read at the field numbers and names the OTLP
//! specification gives them, written only when set, and kept by every format that has them.

mod common;

use spindle_formats::*;

const STRICT: ReadOptions = ReadOptions { strict: true };

/// Hand-made protobuf: a tag (fields under 16), then a length-delimited body.
fn message(field: u32, body: &[u8]) -> Vec<u8> {
    assert!(field < 16);
    let mut out = vec![(field << 3 | 2) as u8];
    let mut len = body.len();
    while len >= 0x80 {
        out.push((len as u8 & 0x7f) | 0x80);
        len >>= 7;
    }
    out.push(len as u8);
    out.extend_from_slice(body);
    out
}

/// A varint field with a value under 128.
fn small(field: u32, value: u8) -> Vec<u8> {
    assert!(value < 128 && field < 16);
    vec![(field << 3) as u8, value]
}

/// A request written from `opentelemetry/proto/trace/v1/trace.proto`'s field numbers, with
/// every count set to a different value and the schema URLs after the spans, where
/// field-number order puts them.
fn request_by_the_spec() -> Vec<u8> {
    let resource = [message(1, &message(1, b"k")), small(2, 11)].concat();
    let scope = [message(1, b"lib"), small(4, 12)].concat();
    let event = [message(2, b"e"), small(4, 13)].concat();
    let link = [
        message(1, &[0xcd; 16]),
        message(2, &[0, 0, 0, 0, 0, 0, 0, 9]),
        small(5, 14),
        vec![6 << 3 | 5, 0x01, 0x03, 0, 0], // flags, fixed32: 0x301
    ]
    .concat();
    let span = [
        message(1, &[0xab; 16]),
        message(2, &[0, 0, 0, 0, 0, 0, 0, 1]),
        message(5, b"op"),
        small(10, 15),
        message(11, &event),
        small(12, 16),
        message(13, &link),
        small(14, 17),
    ]
    .concat();
    let scope_spans = [
        message(1, &scope),
        message(2, &span),
        message(3, b"https://s/scope"),
    ]
    .concat();
    let resource_spans = [
        message(1, &resource),
        message(2, &scope_spans),
        message(3, b"https://s/resource"),
    ]
    .concat();
    message(1, &resource_spans)
}

/// Asserts the values [`request_by_the_spec`] holds.
fn assert_spec_values(data: &TraceData) {
    let span = &data.spans[0];
    let resource = data.resource_of(span);
    let scope = data.scope_of(span);
    assert_eq!(resource.schema_url, "https://s/resource");
    assert_eq!(resource.dropped_attributes_count, 11);
    assert_eq!(scope.schema_url, "https://s/scope");
    assert_eq!(scope.dropped_attributes_count, 12);
    assert_eq!(span.events[0].dropped_attributes_count, 13);
    assert_eq!(span.links[0].dropped_attributes_count, 14);
    assert_eq!(
        span.links[0].flags,
        FLAG_SAMPLED | FLAG_HAS_IS_REMOTE | FLAG_IS_REMOTE
    );
    assert_eq!(
        (
            span.dropped_attributes_count,
            span.dropped_events_count,
            span.dropped_links_count
        ),
        (15, 16, 17)
    );
}

#[test]
fn protobuf_fields_are_read_at_their_spec_numbers() {
    let loaded = otlp_proto::read(&request_by_the_spec(), "spec.binpb", STRICT).unwrap();
    assert_spec_values(&loaded.data);
}

#[test]
fn otlp_json_fields_are_read_by_their_spec_names() {
    let text = br#"{"resourceSpans":[{
      "resource":{"attributes":[{"key":"k","value":{}}],"droppedAttributesCount":11},
      "scopeSpans":[{"scope":{"name":"lib","droppedAttributesCount":"12"},
        "spans":[{"traceId":"abababababababababababababababab","spanId":"0000000000000001",
          "name":"op","droppedAttributesCount":15,
          "events":[{"name":"e","droppedAttributesCount":13}],"droppedEventsCount":16,
          "links":[{"traceId":"cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd","spanId":"0000000000000009",
            "droppedAttributesCount":14,"flags":769}],"droppedLinksCount":17}],
        "schemaUrl":"https://s/scope"}],
      "schemaUrl":"https://s/resource"}]}"#;
    let loaded = otlp_json::read(text, "spec.json", STRICT).unwrap();
    assert_spec_values(&loaded.data);
    let proto = otlp_proto::read(&request_by_the_spec(), "spec.binpb", STRICT).unwrap();
    assert_eq!(loaded.data, proto.data);
}

#[test]
fn a_count_of_null_or_a_bad_count_is_located() {
    let span = |count: &str| {
        format!(
            r#"{{"resourceSpans":[{{"scopeSpans":[{{"spans":[{{"traceId":"abababababababababababababababab","spanId":"0000000000000001","droppedEventsCount":{count}}}]}}]}}]}}"#
        )
    };
    let loaded = otlp_json::read(span("null").as_bytes(), "n.json", STRICT).unwrap();
    assert_eq!(loaded.data.spans[0].dropped_events_count, 0);
    let loaded = otlp_json::read(span("-1").as_bytes(), "n.json", ReadOptions::default()).unwrap();
    assert!(loaded.data.spans.is_empty());
    let warning = loaded.warnings[0].to_string();
    assert!(
        warning.contains("resourceSpans[0].scopeSpans[0].spans[0]"),
        "{warning}"
    );
}

#[test]
fn otlp_json_writes_the_camel_case_names_only_when_set() {
    let data = common::full_model();
    let mut out = Vec::new();
    write_otlp_json(&data, &mut out).unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let group = &doc["resourceSpans"][0];
    assert_eq!(
        group["schemaUrl"],
        "https://opentelemetry.io/schemas/1.26.0"
    );
    assert_eq!(group["resource"]["droppedAttributesCount"], 2);
    let scope_spans = &group["scopeSpans"][0];
    assert_eq!(
        scope_spans["schemaUrl"],
        "https://opentelemetry.io/schemas/1.21.0"
    );
    assert_eq!(scope_spans["scope"]["droppedAttributesCount"], 5);
    let root = &scope_spans["spans"][0];
    assert_eq!(root["droppedAttributesCount"], 1);
    assert_eq!(root["droppedEventsCount"], 300);
    assert_eq!(root["droppedLinksCount"], u32::MAX);
    assert_eq!(root["events"][0]["droppedAttributesCount"], 3);
    assert_eq!(root["links"][0]["droppedAttributesCount"], 4);
    assert_eq!(root["links"][0]["flags"], 0x101);
    // The second resource (the child span's) has none of them, and writes none.
    let child_group = &doc["resourceSpans"][1];
    let child = &child_group["scopeSpans"][0]["spans"][0];
    for absent in [
        &child_group["schemaUrl"],
        &child_group["resource"]["droppedAttributesCount"],
        &child_group["scopeSpans"][0]["schemaUrl"],
        &child["droppedAttributesCount"],
        &child["droppedEventsCount"],
        &child["droppedLinksCount"],
    ] {
        assert!(absent.is_null(), "{absent}");
    }
}

#[test]
fn spindle_json_keeps_them_in_its_documented_fields() {
    let data = common::full_model();
    let mut out = Vec::new();
    write_spindle_json(&data, &mut out).unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let resource = &doc["resources"][0];
    assert_eq!(
        resource["schemaUrl"],
        "https://opentelemetry.io/schemas/1.26.0"
    );
    assert_eq!(resource["droppedAttributesCount"], 2);
    assert_eq!(
        doc["scopes"][1]["schemaUrl"],
        "https://opentelemetry.io/schemas/1.21.0"
    );
    assert_eq!(doc["scopes"][1]["droppedAttributesCount"], 5);
    assert!(doc["scopes"][0]["schemaUrl"].is_null());
    let root = &doc["spans"][0];
    assert_eq!(root["droppedEventsCount"], 300);
    assert_eq!(root["links"][0]["flags"], 0x101);
    assert!(doc["spans"][1]["droppedAttributesCount"].is_null());
    let loaded = spindle_json::read(&out, "t.jsonl", STRICT).unwrap();
    assert_eq!(loaded.data, data);
}

#[test]
fn the_python_sdk_request_keeps_its_schema_url_and_link_flags() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/otlp-python.binpb");
    let loaded = read_file_with(path, STRICT).unwrap();
    let data = &loaded.data;
    assert_eq!(data.spans.len(), 5);
    // `Resource(..., schema_url=...)` in make_otlp_python_golden.py; the tracer got none.
    let schema = "https://opentelemetry.io/schemas/1.21.0";
    assert!(
        data.spans
            .iter()
            .all(|s| data.resource_of(s).schema_url == schema)
    );
    assert!(
        data.spans
            .iter()
            .all(|s| data.scope_of(s).schema_url.is_empty())
    );
    let consumer = data
        .spans
        .iter()
        .find(|s| s.name == "process orders")
        .unwrap();
    // The link to the producer, a local span: the SDK writes "is-remote is known, false".
    assert_eq!(consumer.links[0].flags, FLAG_HAS_IS_REMOTE);
    for span in &data.spans {
        let counts = (
            span.dropped_attributes_count,
            span.dropped_events_count,
            span.dropped_links_count,
        );
        assert_eq!(counts, (0, 0, 0), "{}", span.name);
    }
}
