//! Models shared by the integration tests.
#![allow(dead_code)]

use spindle_formats::*;

pub fn resource(service: &'static str) -> Resource {
    Resource {
        attributes: vec![KeyValue::new("service.name", service)],
        ..Default::default()
    }
}

/// A model using every part of the data model: all value kinds, events, links, status,
/// flags, trace state, dropped counts and schema URLs, two resources and two scopes.
pub fn full_model() -> TraceData {
    let every_value = vec![
        KeyValue::new("s", "text with \"quotes\" and ünïcode\n"),
        KeyValue::new("b", true),
        KeyValue::new("i", -9_007_199_254_740_993i64),
        KeyValue::new("f", 0.1),
        KeyValue::new("nan", f64::INFINITY),
        KeyValue::new("bytes", Value::Bytes(vec![0, 1, 0xfe, 0xff])),
        KeyValue::new(
            "arr",
            Value::Array(vec![Value::from(1i64), "x".into(), Value::Array(vec![])]),
        ),
        KeyValue::new(
            "map",
            Value::Map(vec![
                KeyValue::new("k", 1.5),
                KeyValue::new("nested", Value::Map(vec![])),
            ]),
        ),
    ];
    let root = Span {
        trace_id: TraceId(0x4bf92f3577b34da6a3ce929d0e0e4736),
        span_id: SpanId(0x00f067aa0ba902b7),
        parent_span_id: None,
        name: "GET /cart".into(),
        kind: SpanKind::Server,
        start_unix_nanos: 1_700_000_000_000_000_123,
        end_unix_nanos: 1_700_000_000_250_000_456,
        attributes: every_value.clone(),
        events: vec![Event {
            time_unix_nanos: 1_700_000_000_100_000_000,
            name: "cache miss".into(),
            attributes: every_value,
            dropped_attributes_count: 3,
        }],
        links: vec![Link {
            trace_id: TraceId(0x0af7651916cd43dd8448eb211c80319c),
            span_id: SpanId(7),
            trace_state: "a=b".into(),
            attributes: vec![KeyValue::new("why", "retry")],
            dropped_attributes_count: 4,
            flags: FLAG_SAMPLED | FLAG_HAS_IS_REMOTE,
        }],
        status: Status::Ok,
        dropped_attributes_count: 1,
        dropped_events_count: 300,
        dropped_links_count: u32::MAX,
        flags: FLAG_SAMPLED | FLAG_HAS_IS_REMOTE | FLAG_IS_REMOTE,
        trace_state: "vendor=1,other=2".into(),
        resource: ResourceIndex(0),
        scope: ScopeIndex(1),
    };
    let child = Span {
        span_id: SpanId(0xb7ad6b7169203331),
        parent_span_id: Some(root.span_id),
        name: "SELECT".into(),
        kind: SpanKind::Client,
        attributes: vec![],
        events: vec![],
        links: vec![],
        status: Status::Error {
            message: "deadlock".into(),
        },
        dropped_attributes_count: 0,
        dropped_events_count: 0,
        dropped_links_count: 0,
        flags: 0,
        trace_state: "".into(),
        resource: ResourceIndex(1),
        scope: ScopeIndex(0),
        ..root.clone()
    };
    TraceData {
        resources: vec![
            Resource {
                attributes: vec![
                    KeyValue::new("service.name", "checkout"),
                    KeyValue::new("pid", 42i64),
                ],
                dropped_attributes_count: 2,
                schema_url: "https://opentelemetry.io/schemas/1.26.0".into(),
            },
            resource("db"),
        ],
        scopes: vec![
            Scope::default(),
            Scope {
                name: "spindle".into(),
                version: "0.1.0".into(),
                attributes: vec![KeyValue::new("x", false)],
                dropped_attributes_count: 5,
                schema_url: "https://opentelemetry.io/schemas/1.21.0".into(),
            },
        ],
        spans: vec![root, child],
    }
}

/// The model as an OTLP write then read gives it back: spans grouped by resource, then scope
/// (stably), with equal resources and scopes merged, in order of first use.
pub fn regrouped(data: &TraceData) -> TraceData {
    let mut spans: Vec<&Span> = data.spans.iter().collect();
    spans.sort_by_key(|span| (span.resource, span.scope));
    let mut out = TraceData::default();
    for span in spans {
        let mut copy = span.clone();
        copy.resource = out.intern_resource(data.resource_of(span).clone());
        copy.scope = out.intern_scope(data.scope_of(span).clone());
        out.spans.push(copy);
    }
    out
}
