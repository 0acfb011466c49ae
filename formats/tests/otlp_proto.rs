#![allow(clippy::unwrap_used)]
//! OTLP protobuf: the whole model round-trips, the bytes agree with OTLP/JSON, a request from
//! the OpenTelemetry Python SDK loads whole, and bad bytes are located without losing the
//! spans around them.

mod common;

use spindle_formats::otlp_proto::{self, PartialSuccess, decode_response, encode_response};
use spindle_formats::*;

const STRICT: ReadOptions = ReadOptions { strict: true };
const LENIENT: ReadOptions = ReadOptions { strict: false };

fn encode(data: &TraceData) -> Vec<u8> {
    let mut out = Vec::new();
    write_otlp_proto(data, &mut out).unwrap();
    out
}

fn python_golden() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/otlp-python.binpb"
    ))
    .unwrap()
}

#[test]
fn the_whole_model_round_trips() {
    let data = common::full_model();
    let bytes = encode(&data);
    let loaded = read(&bytes, "t.binpb", STRICT).unwrap();
    assert_eq!(loaded.format, Format::OtlpProto);
    assert_eq!(loaded.data, common::regrouped(&data));
    assert!(loaded.warnings.is_empty());
}

#[test]
fn encode_appends_the_same_bytes_as_write() {
    let data = common::full_model();
    let mut buffer = b"head".to_vec();
    otlp_proto::encode(&data, &mut buffer);
    assert_eq!(&buffer[..4], b"head");
    assert_eq!(&buffer[4..], encode(&data).as_slice());
}

#[test]
fn protobuf_to_json_to_protobuf_gives_the_same_bytes() {
    for bytes in [encode(&common::full_model()), python_golden()] {
        let first = otlp_proto::read(&bytes, "a.binpb", STRICT).unwrap().data;
        let mut json = Vec::new();
        write_otlp_json(&first, &mut json).unwrap();
        let second = otlp_json::read(&json, "b.json", STRICT).unwrap().data;
        assert_eq!(second, first);
        assert_eq!(encode(&second), encode(&first));
    }
}

#[test]
fn the_python_sdk_request_loads_with_every_span_parent_attribute_and_status() {
    let loaded = read(&python_golden(), "otlp-python.binpb", STRICT).unwrap();
    assert_eq!(loaded.format, Format::OtlpProto);
    let data = &loaded.data;
    let names: Vec<&str> = data.spans.iter().map(|s| s.name.as_ref()).collect();
    assert_eq!(
        names,
        [
            "parse rows",
            "SELECT cart",
            "GET /cart",
            "publish orders",
            "process orders"
        ]
    );
    let by_name = |name: &str| data.spans.iter().find(|s| s.name == name).unwrap();
    let (root, child, leaf) = (
        by_name("GET /cart"),
        by_name("SELECT cart"),
        by_name("parse rows"),
    );
    let (producer, consumer) = (by_name("publish orders"), by_name("process orders"));

    // The tree and the kinds.
    assert_eq!(root.parent_span_id, None);
    assert_eq!(child.parent_span_id, Some(root.span_id));
    assert_eq!(leaf.parent_span_id, Some(child.span_id));
    assert_eq!(root.trace_id, TraceId(0x4bf92f3577b34da6a3ce929d0e0e4701));
    assert_eq!(leaf.trace_id, root.trace_id);
    assert_eq!(root.span_id, SpanId(0x1000_0000_0000_0001));
    let kinds: Vec<SpanKind> = [root, child, leaf, producer, consumer]
        .iter()
        .map(|s| s.kind)
        .collect();
    use SpanKind::*;
    assert_eq!(kinds, [Server, Client, Internal, Producer, Consumer]);
    assert_eq!(root.start_unix_nanos, 1_700_000_000_000_000_000);
    assert_eq!(root.duration_nanos(), 10_000_000);

    // Every attribute type the API allows.
    let expected = [
        ("str", Value::from("text with ünïcode")),
        ("bool", Value::Bool(true)),
        ("int", Value::I64(-42)),
        ("float", Value::F64(2.5)),
        ("str_list", Value::from(vec!["a", "b"])),
        ("bool_list", Value::from(vec![true, false])),
        ("int_list", Value::from(vec![1i64, -2, 3])),
        ("float_list", Value::from(vec![0.5, -1.25])),
    ];
    let resource = data.resource_of(root);
    for (key, value) in &expected {
        assert_eq!(root.attribute(key), Some(value), "span attribute {key}");
        assert_eq!(
            find_attribute(&resource.attributes, key),
            Some(value),
            "resource attribute {key}"
        );
    }
    assert_eq!(resource.service_name(), Some("checkout"));
    let scope = data.scope_of(root);
    assert_eq!(
        (scope.name.as_ref(), scope.version.as_ref()),
        ("golden.scope", "0.9.0")
    );
    assert_eq!(
        find_attribute(&scope.attributes, "scope.int"),
        Some(&Value::I64(7))
    );
    assert_eq!(data.resources.len(), 1);
    assert_eq!(data.scopes.len(), 1);

    // Status, events, links, flags and trace state.
    assert_eq!(root.status, Status::Ok);
    assert_eq!(child.status, Status::Unset);
    assert_eq!(
        leaf.status,
        Status::Error {
            message: "bad row 7".into()
        }
    );
    assert_eq!(leaf.events[0].name, "exception");
    assert_eq!(
        find_attribute(&leaf.events[0].attributes, "exception.type"),
        Some(&Value::from("ValueError"))
    );
    assert_eq!(root.events[0].attributes[0], KeyValue::new("size", 512i64));
    assert_eq!(consumer.links.len(), 1);
    assert_eq!(consumer.links[0].span_id, producer.span_id);
    assert_eq!(consumer.links[0].trace_id, producer.trace_id);
    assert_eq!(
        consumer.links[0].attributes,
        [
            KeyValue::new("link.str", "from producer"),
            KeyValue::new("link.int", 1i64)
        ]
    );
    assert_eq!(consumer.parent_span_id, Some(SpanId(0x00f067aa0ba902b7)));
    assert_eq!(
        consumer.trace_id,
        TraceId(0x0af7651916cd43dd8448eb211c80319c)
    );
    assert_eq!(consumer.trace_state, "vendor=1");
    assert_eq!(consumer.flags, FLAG_HAS_IS_REMOTE | FLAG_IS_REMOTE);
    assert_eq!(root.flags, FLAG_HAS_IS_REMOTE);
}

/// Hand-made protobuf: a tag, then a length-delimited body.
fn message(field: u32, body: &[u8]) -> Vec<u8> {
    let mut out = vec![(field << 3 | 2) as u8];
    out.extend(varint_prefixed(body));
    out
}

fn span_bytes(span_id: u8, extra: &[u8]) -> Vec<u8> {
    let mut span = message(1, &[0xab; 16]);
    span.extend(message(2, &[0, 0, 0, 0, 0, 0, 0, span_id]));
    span.extend(message(5, b"op"));
    span.extend_from_slice(extra);
    span
}

/// A request with one resource and one scope holding these spans.
fn request(spans: &[Vec<u8>]) -> Vec<u8> {
    let mut scope_spans = message(1, &message(1, b"lib"));
    for span in spans {
        scope_spans.extend(message(2, span));
    }
    let mut resource_spans = message(1, &[]);
    resource_spans.extend(message(2, &scope_spans));
    message(1, &resource_spans)
}

#[test]
fn unknown_fields_of_every_wire_type_are_skipped() {
    let unknown: &[u8] = &[
        0xa8, 0x01, 0x96, 0x01, // field 21, varint 150
        0xb1, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, // field 22, fixed64
        0xba, 0x01, 0x02, b'h', b'i', // field 23, length-delimited
        0xc5, 0x01, 1, 2, 3, 4, // field 24, fixed32
        0xcb, 0x01, 0x08, 0x01, 0xcc, 0x01, // field 25, a group holding field 1 = 1
    ];
    let plain = otlp_proto::read(&request(&[span_bytes(1, &[])]), "a", STRICT).unwrap();
    let with_unknown = request(&[span_bytes(1, unknown)]);
    let mut with_unknown_top = with_unknown.clone();
    with_unknown_top.extend_from_slice(unknown);
    for bytes in [with_unknown, with_unknown_top] {
        let loaded = otlp_proto::read(&bytes, "b", STRICT).unwrap();
        assert_eq!(loaded.data, plain.data);
        assert_eq!(loaded.data.spans[0].name, "op");
    }
}

#[test]
fn a_scope_after_its_spans_still_names_them() {
    let mut scope_spans = message(2, &span_bytes(1, &[]));
    scope_spans.extend(message(1, &message(1, b"late")));
    let bytes = message(1, &message(2, &scope_spans));
    let loaded = otlp_proto::read(&bytes, "a", STRICT).unwrap();
    assert_eq!(loaded.data.scope_of(&loaded.data.spans[0]).name, "late");
}

#[test]
fn a_bad_span_is_reported_with_its_path_and_the_others_are_kept() {
    let bad_id = {
        let mut span = message(1, &[0xab; 3]);
        span.extend(message(2, &[0, 0, 0, 0, 0, 0, 0, 2]));
        span
    };
    let bytes = request(&[span_bytes(1, &[]), bad_id, span_bytes(3, &[])]);
    let loaded = read(&bytes, "ids.binpb", LENIENT).unwrap();
    let ids: Vec<u64> = loaded.data.spans.iter().map(|s| s.span_id.0).collect();
    assert_eq!(ids, [1, 3]);
    assert_eq!(loaded.warnings.len(), 1);
    let text = loaded.warnings[0].to_string();
    assert!(
        text.starts_with("ids.binpb (byte "),
        "binary inputs are located by byte only: {text}"
    );
    assert!(
        text.ends_with(
            "resource_spans[0].scope_spans[0].spans[1].trace_id: expected 16 bytes, found 3"
        ),
        "{text}"
    );
    let error = read(&bytes, "ids.binpb", STRICT).unwrap_err();
    assert_eq!(
        error.path,
        "resource_spans[0].scope_spans[0].spans[1].trace_id"
    );
}

#[test]
fn a_truncated_attribute_value_names_its_path_and_byte() {
    // attributes[0] = {key "n", value {int_value: <varint cut short>}}
    let value = [0x18, 0x96]; // field 3 varint, continuation bit set, then nothing
    let mut key_value = message(1, b"n");
    key_value.extend(message(2, &value));
    let bad = span_bytes(2, &message(9, &key_value));
    let bytes = request(&[span_bytes(1, &[]), bad]);
    let loaded = read(&bytes, "v.binpb", LENIENT).unwrap();
    assert_eq!(loaded.data.spans.len(), 1);
    let warning = &loaded.warnings[0];
    assert_eq!(
        warning.path,
        "resource_spans[0].scope_spans[0].spans[1].attributes[0].value"
    );
    let at = warning.location.unwrap().byte;
    assert_eq!(bytes[at], 0x96);
    assert!(
        warning
            .to_string()
            .ends_with("invalid protobuf: truncated varint")
    );
}

#[test]
fn a_cut_request_keeps_every_span_before_the_cut_and_warns_once() {
    let data = TraceData {
        resources: vec![common::resource("svc")],
        scopes: vec![Scope::default()],
        spans: (1..=50)
            .map(|i| Span {
                trace_id: TraceId(7),
                span_id: SpanId(i),
                name: format!("span {i}").into(),
                ..Span::default()
            })
            .collect(),
    };
    let bytes = encode(&data);
    let cut = &bytes[..bytes.len() * 2 / 3];
    let loaded = read(cut, "cut.binpb", LENIENT).unwrap();
    let kept = loaded.data.spans.len();
    assert!(kept > 25 && kept < 50, "{kept} spans kept");
    assert_eq!(loaded.data.spans[..], data.spans[..kept]);
    assert_eq!(loaded.warnings.len(), 1, "{:?}", loaded.warnings);
    let warning = &loaded.warnings[0];
    assert_eq!(
        warning.path,
        format!("resource_spans[0].scope_spans[0].spans[{kept}]")
    );
    assert!(warning.to_string().contains("cut short"));
    assert!(read(cut, "cut.binpb", STRICT).is_err());
}

#[test]
fn garbage_and_json_look_alikes_are_refused_or_reported() {
    // A varint tag with wire type 7 right away: nothing to read.
    let loaded = otlp_proto::read(&[0x0f, 0x01], "g", LENIENT).unwrap();
    assert!(loaded.data.spans.is_empty());
    assert!(loaded.warnings[0].to_string().contains("wire type 7"));
    // Values nested past the limit are an error, not a stack overflow.
    let mut value = Vec::new();
    for _ in 0..200 {
        let mut array = vec![0x0a]; // values (field 1)
        array.extend(varint_prefixed(&value));
        let mut any = vec![0x2a]; // array_value (field 5)
        any.extend(varint_prefixed(&array));
        value = any;
    }
    let mut key_value = message(1, b"deep");
    key_value.push(0x12);
    key_value.extend(varint_prefixed(&value));
    let mut attribute = vec![0x4a];
    attribute.extend(varint_prefixed(&key_value));
    let bytes = request(&[span_bytes(1, &attribute), span_bytes(2, &[])]);
    let loaded = otlp_proto::read(&bytes, "deep", LENIENT).unwrap();
    assert_eq!(loaded.data.spans.len(), 1);
    assert!(
        loaded.warnings[0]
            .to_string()
            .contains("nested deeper than 100")
    );
}

fn varint_prefixed(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut n = body.len();
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
    out.extend_from_slice(body);
    out
}

#[test]
fn partial_success_responses_round_trip() {
    for partial in [
        PartialSuccess::default(),
        PartialSuccess {
            rejected_spans: 12,
            error_message: "spans too old".into(),
        },
        PartialSuccess {
            rejected_spans: 0,
            error_message: "warning only".into(),
        },
    ] {
        assert_eq!(
            decode_response(&encode_response(&partial)).unwrap(),
            partial
        );
    }
    // What the collector sends: partial_success { rejected_spans: 2 error_message: "x" }.
    let body = [0x0a, 0x05, 0x08, 0x02, 0x12, 0x01, b'x'];
    assert_eq!(
        decode_response(&body).unwrap(),
        PartialSuccess {
            rejected_spans: 2,
            error_message: "x".into()
        }
    );
    let error = decode_response(&body[..4]).unwrap_err();
    assert_eq!(error.byte, 1);
    assert!(error.to_string().contains("byte 1"));
}

#[test]
fn content_detection_tells_protobuf_from_json() {
    assert_eq!(detect(&python_golden()), Some(Format::OtlpProto));
    assert_eq!(
        detect(&encode(&common::full_model())),
        Some(Format::OtlpProto)
    );
    assert_eq!(detect(&[]), None);
    assert_eq!(detect(br#"{"resourceSpans":[]}"#), Some(Format::Otlp));
    assert_eq!(detect(b"hello world"), None);
    let mut json = Vec::new();
    write_otlp_json(&common::full_model(), &mut json).unwrap();
    assert_eq!(detect(&json), Some(Format::Otlp));
}
