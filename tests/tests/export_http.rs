//! What a collector receives, checked field by field: OTLP/JSON (ids in hex, enums as
//! integers, 64-bit integers as decimal strings, typed attribute values, headers from
//! `OTEL_EXPORTER_OTLP_HEADERS`, gzip) and Zipkin v2 JSON (validated against the Zipkin API
//! spec too). Also: requests stay under the byte cap, and the exporter's own work makes no spans.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::HashMap;
use std::time::Duration;

use common::{Behaviour, Collector, Received, serial};
use serde_json::{Value as Json, json};
use spindle::{
    Config, ExportContext, ExportError, InMemoryExporter, KeyValue, OtlpHttpExporter, Span,
    SpanExporter, SpanKind, Status, ZipkinHttpExporter,
};
use spindle_formats::SpanBatch;

const WAIT: Duration = Duration::from_secs(10);

/// The traced "application": a server span with a client child, typed attributes, an event,
/// and an error; returns how many spans it made.
fn application() -> usize {
    for order in 0..3 {
        let root = Span::builder("GET /cart")
            .kind(SpanKind::Server)
            .attribute("order", order as i64)
            .start()
            .enter();
        spindle::current::with_attributes(|| {
            vec![
                KeyValue::new("ratio", 0.5),
                KeyValue::new("cached", true),
                KeyValue::new("tags", vec!["a", "b"]),
                KeyValue::new("big", i64::MAX),
            ]
        });
        let mut client = Span::builder("SELECT").kind(SpanKind::Client).start();
        client.add_event("rows", vec![KeyValue::new("rows", 12)]);
        client.set_status(Status::Error {
            message: "timeout".into(),
        });
        drop(client);
        spindle::in_span("render", || spindle::current::set_status(Status::Ok));
        drop(root);
    }
    9
}

fn is_hex(text: &str, digits: usize) -> bool {
    text.len() == digits
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn by_id(spans: &[spindle_formats::Span]) -> HashMap<String, spindle_formats::Span> {
    spans
        .iter()
        .map(|s| (s.span_id.to_string(), s.clone()))
        .collect()
}

fn otlp_attribute(value: &spindle::Value) -> Json {
    use spindle::Value::*;
    match value {
        Str(s) => json!({ "stringValue": s }),
        Bool(b) => json!({ "boolValue": b }),
        I64(i) => json!({ "intValue": i.to_string() }),
        F64(f) => json!({ "doubleValue": f }),
        Array(items) => {
            json!({ "arrayValue": { "values": items.iter().map(otlp_attribute).collect::<Vec<_>>() } })
        }
        other => panic!("not used here: {other:?}"),
    }
}

fn otlp_attributes(attributes: &[KeyValue]) -> Json {
    Json::Array(
        attributes
            .iter()
            .map(|kv| json!({ "key": kv.key, "value": otlp_attribute(&kv.value) }))
            .collect(),
    )
}

fn check_otlp_span(sent: &Json, truth: &spindle_formats::Span) {
    let field = |name: &str| sent[name].clone();
    assert!(is_hex(field("traceId").as_str().unwrap(), 32));
    assert!(is_hex(field("spanId").as_str().unwrap(), 16));
    assert_eq!(field("traceId"), json!(truth.trace_id.to_string()));
    match truth.parent_span_id {
        Some(parent) => assert_eq!(field("parentSpanId"), json!(parent.to_string())),
        None => assert!(field("parentSpanId").as_str().is_none_or(str::is_empty)),
    }
    assert_eq!(field("name"), json!(truth.name));
    let kind = match truth.kind {
        SpanKind::Internal => 1,
        SpanKind::Server => 2,
        SpanKind::Client => 3,
        SpanKind::Producer => 4,
        SpanKind::Consumer => 5,
    };
    assert_eq!(field("kind"), json!(kind), "enum as an integer");
    assert_eq!(
        field("startTimeUnixNano"),
        json!(truth.start_unix_nanos.to_string()),
        "64-bit integers as decimal strings, in nanoseconds"
    );
    assert_eq!(
        field("endTimeUnixNano"),
        json!(truth.end_unix_nanos.to_string())
    );
    assert_eq!(
        field("attributes"),
        if truth.attributes.is_empty() {
            Json::Null
        } else {
            otlp_attributes(&truth.attributes)
        }
    );
    match &truth.status {
        Status::Unset => assert!(field("status").get("code").is_none_or(|c| c == 0)),
        Status::Ok => assert_eq!(field("status")["code"], 1),
        Status::Error { message } => {
            assert_eq!(field("status"), json!({ "code": 2, "message": message }))
        }
    }
    for (sent, event) in field("events")
        .as_array()
        .map(|a| a.as_slice())
        .unwrap_or_default()
        .iter()
        .zip(&truth.events)
    {
        assert_eq!(sent["name"], json!(event.name));
        assert_eq!(
            sent["timeUnixNano"],
            json!(event.time_unix_nanos.to_string())
        );
        assert_eq!(sent["attributes"], otlp_attributes(&event.attributes));
    }
    assert_eq!(
        field("events").as_array().map_or(0, Vec::len),
        truth.events.len()
    );
}

#[test]
fn otlp_requests_follow_the_otlp_json_mapping_field_by_field() {
    let _lock = serial();
    let collector = Collector::start(Behaviour::Answer(200, vec![]));
    let base = collector.base_url();
    let vars = [
        ("OTEL_EXPORTER_OTLP_ENDPOINT", base.as_str()),
        (
            "OTEL_EXPORTER_OTLP_HEADERS",
            "Authorization=Bearer%20s3cret,X-Scope-OrgID=tenant-1",
        ),
        ("OTEL_EXPORTER_OTLP_COMPRESSION", "gzip"),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"),
    ];
    let lookup = |name: &str| {
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
    };
    let (otlp, warnings) = OtlpHttpExporter::from_env_vars(lookup);
    assert!(warnings.is_empty(), "{warnings:?}");
    let memory = InMemoryExporter::default();
    let tracer = spindle::init(
        Config::new()
            .service_name("otlp-e2e")
            .exporter(memory.clone())
            .exporter(otlp),
    )
    .unwrap();
    let made = application();
    tracer.flush(WAIT).unwrap();
    let truth = by_id(&memory.spans());
    assert_eq!(truth.len(), made);

    let received = collector.received();
    assert!(!received.is_empty());
    let mut seen = 0;
    for request in &received {
        assert_eq!(request.method, "POST");
        assert_eq!(request.url, "/v1/traces");
        assert_eq!(request.header("Content-Type"), Some("application/json"));
        assert_eq!(request.header("Content-Encoding"), Some("gzip"));
        assert_eq!(request.header("Authorization"), Some("Bearer s3cret"));
        assert_eq!(request.header("X-Scope-OrgID"), Some("tenant-1"));
        let body = request.json();
        for resource_spans in body["resourceSpans"].as_array().unwrap() {
            let resource = &resource_spans["resource"]["attributes"];
            assert!(
                resource.as_array().unwrap().contains(
                    &json!({"key": "service.name", "value": {"stringValue": "otlp-e2e"}})
                ),
                "{resource}"
            );
            for scope_spans in resource_spans["scopeSpans"].as_array().unwrap() {
                assert_eq!(scope_spans["scope"]["name"], "spindle");
                for span in scope_spans["spans"].as_array().unwrap() {
                    let id = span["spanId"].as_str().unwrap();
                    check_otlp_span(span, &truth[id]);
                    seen += 1;
                }
            }
        }
    }
    assert_eq!(seen, made, "exactly the application's spans, each once");
    let stats = tracer.stats();
    assert_eq!(
        (stats.spans_started, stats.spans_exported),
        (made as u64, made as u64)
    );
}

/// A `ListOfSpans` validator built from the Zipkin API spec, as spindle-formats' tests do.
fn zipkin_validator() -> jsonschema::Validator {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../formats/tests/data/zipkin2-api.yaml"
    );
    let spec: Json = serde_norway::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let schema = json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "definitions": spec["definitions"].clone(),
        "$ref": "#/definitions/ListOfSpans",
    });
    jsonschema::validator_for(&schema).unwrap()
}

fn check_zipkin_span(sent: &Json, truth: &spindle_formats::Span) {
    assert!(is_hex(sent["traceId"].as_str().unwrap(), 32));
    assert_eq!(sent["traceId"], json!(truth.trace_id.to_string()));
    assert_eq!(
        sent.get("parentId"),
        truth.parent_span_id.map(|p| json!(p.to_string())).as_ref()
    );
    assert_eq!(sent["name"], json!(truth.name));
    let kind = match truth.kind {
        SpanKind::Server => Some("SERVER"),
        SpanKind::Client => Some("CLIENT"),
        _ => None,
    };
    assert_eq!(sent.get("kind").and_then(Json::as_str), kind);
    let micros = truth.start_unix_nanos / 1000;
    assert_eq!(
        sent["timestamp"],
        json!(micros),
        "microseconds, as a number"
    );
    assert_eq!(
        sent["duration"],
        json!((truth.end_unix_nanos / 1000 - micros).max(1))
    );
    assert_eq!(sent["localEndpoint"]["serviceName"], "zipkin-e2e");
    let tags = sent["tags"].as_object().cloned().unwrap_or_default();
    for kv in &truth.attributes {
        assert_eq!(
            tags[&*kv.key],
            json!(kv.value.to_string()),
            "tags are strings"
        );
    }
    if let Status::Error { message } = &truth.status {
        assert_eq!(tags["error"], json!(message));
    }
    let annotations = sent["annotations"].as_array().cloned().unwrap_or_default();
    assert_eq!(annotations.len(), truth.events.len());
    for (sent, event) in annotations.iter().zip(&truth.events) {
        assert_eq!(sent["timestamp"], json!(event.time_unix_nanos / 1000));
        let value = sent["value"].as_str().unwrap();
        let with_attributes = format!("\"{}\":{{", event.name);
        assert!(
            value == event.name || value.starts_with(&with_attributes),
            "{value}"
        );
    }
}

fn zipkin_spans(received: &[Received]) -> Vec<Json> {
    received
        .iter()
        .flat_map(|r| r.json().as_array().cloned().unwrap())
        .collect()
}

#[test]
fn zipkin_requests_match_the_api_spec_field_by_field() {
    let _lock = serial();
    let collector = Collector::start(Behaviour::Answer(202, vec![]));
    let memory = InMemoryExporter::default();
    let zipkin =
        ZipkinHttpExporter::new(&collector.base_url()).header("Authorization", "Basic eA==");
    let tracer = spindle::init(
        Config::new()
            .service_name("zipkin-e2e")
            .exporter(memory.clone())
            .exporter(zipkin),
    )
    .unwrap();
    let made = application();
    tracer.flush(WAIT).unwrap();
    let truth = by_id(&memory.spans());

    let validator = zipkin_validator();
    let received = collector.received();
    for request in &received {
        assert_eq!(request.method, "POST");
        assert_eq!(request.url, "/api/v2/spans");
        assert_eq!(request.header("Content-Type"), Some("application/json"));
        assert_eq!(request.header("Content-Encoding"), None);
        assert_eq!(request.header("Authorization"), Some("Basic eA=="));
        let body = request.json();
        let errors: Vec<String> = validator
            .iter_errors(&body)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{errors:?}");
    }
    let spans = zipkin_spans(&received);
    assert_eq!(spans.len(), made, "exactly the application's spans");
    for span in &spans {
        let id = span["id"].as_str().unwrap();
        assert!(is_hex(id, 16));
        check_zipkin_span(span, &truth[id]);
    }
}

#[test]
fn requests_stay_under_the_byte_cap_and_a_span_too_large_alone_is_counted() {
    let _lock = serial();
    let collector = Collector::start(Behaviour::Answer(202, vec![]));
    let cap = 4096;
    let zipkin = ZipkinHttpExporter::new(&collector.base_url()).max_request_bytes(cap);
    let tracer = spindle::init(Config::new().max_export_batch_size(512).exporter(zipkin)).unwrap();
    for i in 0..200 {
        let mut span = Span::new("small");
        span.set_attribute("i", i);
    }
    let mut huge = Span::new("huge");
    huge.set_attribute("blob", "x".repeat(3 * cap));
    drop(huge);
    tracer.flush(WAIT).unwrap();
    let received = collector.received();
    assert!(received.len() > 1, "split into several requests");
    assert!(received.iter().all(|r| r.raw_len <= cap));
    let spans = zipkin_spans(&received);
    assert_eq!(spans.len(), 200);
    assert!(spans.iter().all(|s| s["name"] == "small"));
    let stats = tracer.stats();
    assert_eq!(stats.dropped_oversized, 1, "{stats:?}");
    assert_eq!(stats.spans_exported, 200);
    assert_eq!(stats.spans_exported + stats.dropped(), stats.spans_ended);
}

/// A sink whose own work is "instrumented": it makes a span per export, as an HTTP client
/// traced by the application would.
#[derive(Debug)]
struct Instrumented(ZipkinHttpExporter);

impl SpanExporter for Instrumented {
    fn attach(&mut self, context: ExportContext) {
        self.0.attach(context);
    }

    fn export(&mut self, batch: SpanBatch<'_>) -> Result<(), ExportError> {
        let _span = Span::new("exporter's own HTTP call").enter();
        self.0.export(batch)
    }
}

#[test]
fn the_exporters_own_work_makes_no_spans() {
    let _lock = serial();
    let collector = Collector::start(Behaviour::Answer(202, vec![]));
    let sink = Instrumented(ZipkinHttpExporter::new(&collector.base_url()));
    let tracer = spindle::init(Config::new().exporter(sink)).unwrap();
    for _ in 0..3 {
        let made = application();
        tracer.flush(WAIT).unwrap();
        let _ = made;
    }
    let spans = zipkin_spans(&collector.received());
    assert_eq!(spans.len(), 27, "only the application's spans");
    assert!(
        spans
            .iter()
            .all(|s| s["name"] != "exporter's own HTTP call")
    );
    let stats = tracer.stats();
    assert_eq!((stats.spans_started, stats.spans_ended), (27, 27));
}
