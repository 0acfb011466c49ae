#![allow(clippy::unwrap_used)]
//! Zipkin v2: what round-trips, what is lossy, OpenTelemetry exporter files, and the output
//! checked against the Zipkin OpenAPI spec.

mod common;

use spindle_formats::*;

fn write_to_vec(data: &TraceData) -> Vec<u8> {
    let mut out = Vec::new();
    write_zipkin(data, &mut out).unwrap();
    out
}

fn strict() -> ReadOptions {
    ReadOptions { strict: true }
}

/// A model within what Zipkin can express: string attributes, microsecond times, sampled.
fn zipkin_expressible() -> TraceData {
    let root = Span {
        trace_id: TraceId(0x4bf92f3577b34da6a3ce929d0e0e4736),
        span_id: SpanId(1),
        name: "GET /".into(),
        kind: SpanKind::Server,
        start_unix_nanos: 1_700_000_000_000_000_000,
        end_unix_nanos: 1_700_000_000_250_000_000,
        attributes: vec![
            KeyValue::new("http.method", "GET"),
            KeyValue::new("network.local.address", "10.0.0.5"),
            KeyValue::new("network.local.port", 8080i64),
            KeyValue::new("zipkin.debug", true),
        ],
        events: vec![
            Event {
                time_unix_nanos: 1_700_000_000_001_000_000,
                name: "flushed".into(),
                attributes: vec![],
                ..Default::default()
            },
            Event {
                time_unix_nanos: 1_700_000_000_002_000_000,
                name: "exception".into(),
                attributes: vec![
                    KeyValue::new("exception.type", "IOError"),
                    KeyValue::new("attempt", 2i64),
                    KeyValue::new("escaped", false),
                    KeyValue::new("ratio", 0.25),
                ],
                ..Default::default()
            },
        ],
        status: Status::Ok,
        flags: FLAG_SAMPLED,
        ..Default::default()
    };
    let client = Span {
        span_id: SpanId(2),
        parent_span_id: Some(SpanId(1)),
        name: "SELECT".into(),
        kind: SpanKind::Client,
        attributes: vec![
            KeyValue::new("db.system", "postgresql"),
            KeyValue::new("peer.service", "postgres"),
            KeyValue::new("network.peer.address", "2001:db8::1"),
            KeyValue::new("network.peer.port", 5432i64),
        ],
        events: vec![],
        status: Status::Error {
            message: "deadlock".into(),
        },
        resource: ResourceIndex(0),
        scope: ScopeIndex(1),
        ..root.clone()
    };
    let producer = Span {
        span_id: SpanId(3),
        kind: SpanKind::Producer,
        attributes: vec![],
        events: vec![],
        status: Status::Error { message: "".into() },
        resource: ResourceIndex(1),
        scope: ScopeIndex(0),
        ..client.clone()
    };
    let internal = Span {
        span_id: SpanId(4),
        kind: SpanKind::Internal,
        status: Status::Unset,
        ..producer.clone()
    };
    let consumer = Span {
        span_id: SpanId(5),
        kind: SpanKind::Consumer,
        ..internal.clone()
    };
    TraceData {
        resources: vec![
            Resource {
                attributes: vec![
                    KeyValue::new("service.name", "checkout"),
                    KeyValue::new("telemetry.sdk.language", "rust"),
                ],
                ..Default::default()
            },
            common::resource("queue"),
        ],
        scopes: vec![
            Scope::default(),
            Scope {
                name: "spindle".into(),
                version: "0.1.0".into(),
                attributes: vec![],
                ..Default::default()
            },
        ],
        spans: vec![root, client, producer, internal, consumer],
    }
}

#[test]
fn what_zipkin_expresses_round_trips_exactly() {
    let data = zipkin_expressible();
    let loaded = read(&write_to_vec(&data), "z.json", strict()).unwrap();
    assert_eq!(loaded.format, Format::Zipkin);
    assert_eq!(loaded.data, data);
}

#[test]
fn what_zipkin_cannot_express_is_dropped_or_turned_into_text() {
    let written = common::full_model();
    let loaded = read(&write_to_vec(&written), "z.json", strict()).unwrap();
    let root = &loaded.data.spans[0];
    // Typed attributes come back as their text.
    assert_eq!(root.attribute("b"), Some(&Value::from("true")));
    assert_eq!(root.attribute("i"), Some(&Value::from("-9007199254740993")));
    assert_eq!(root.attribute("arr"), Some(&Value::from(r#"[1,"x",[]]"#)));
    assert_eq!(root.attribute("bytes"), Some(&Value::from("0001feff")));
    // Times are truncated to microseconds; links, trace state and flags are not kept.
    assert_eq!(root.start_unix_nanos, 1_700_000_000_000_000_000);
    assert_eq!(root.end_unix_nanos, 1_700_000_000_250_000_000);
    assert!(root.links.is_empty());
    assert_eq!(root.trace_state, "");
    assert_eq!(root.flags, FLAG_SAMPLED);
    // A resource attribute without a resource prefix comes back as a span attribute.
    assert_eq!(root.attribute("pid"), Some(&Value::from("42")));
    assert_eq!(loaded.data.service_name_of(root), "checkout");
    // Scope attributes are dropped; the name and version are kept.
    let scope = loaded.data.scope_of(root);
    assert_eq!(
        (scope.name.as_ref(), scope.version.as_ref()),
        ("spindle", "0.1.0")
    );
    assert!(scope.attributes.is_empty());
    // Event attributes keep JSON's types; bytes become hex text.
    let event = &root.events[0];
    assert_eq!(event.name, "cache miss");
    assert_eq!(
        find_attribute(&event.attributes, "i"),
        Some(&Value::I64(-9_007_199_254_740_993))
    );
    assert_eq!(
        find_attribute(&event.attributes, "f"),
        Some(&Value::F64(0.1))
    );
    assert_eq!(
        find_attribute(&event.attributes, "bytes"),
        Some(&Value::from("0001feff"))
    );
    assert_eq!(
        loaded.data.spans[1].status,
        Status::Error {
            message: "deadlock".into()
        }
    );
}

#[test]
fn each_write_appends_one_list_on_one_line() {
    let data = zipkin_expressible();
    let mut out = write_to_vec(&data);
    out.extend(write_to_vec(&data));
    let lines: Vec<&[u8]> = out
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(lines.len(), 2);
    assert!(
        lines
            .iter()
            .all(|l| l.starts_with(b"[{") && l.ends_with(b"}]"))
    );
    let loaded = read(&out, "z.jsonl", strict()).unwrap();
    assert_eq!(loaded.data.spans.len(), 10);
    assert_eq!(
        loaded.data.resources, data.resources,
        "equal resources are shared"
    );
}

#[test]
fn an_opentelemetry_exporter_file_loads() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/zipkin-otel.json");
    let loaded = read_file_with(path, strict()).unwrap();
    let data = &loaded.data;
    assert_eq!(loaded.format, Format::Zipkin);
    assert_eq!(data.spans.len(), 3);

    let server = &data.spans[0];
    assert_eq!(server.kind, SpanKind::Server);
    assert_eq!(server.duration_nanos(), 250_000_000);
    assert_eq!(
        server.attribute("http.status_code"),
        Some(&Value::I64(200)),
        "well-known integer attributes get their type back"
    );
    assert_eq!(
        server.attribute("cache.hit"),
        Some(&Value::from("true")),
        "other tags stay text"
    );
    assert_eq!(server.attribute("zipkin.debug"), Some(&Value::Bool(true)));
    assert_eq!(
        server.attribute("network.local.address"),
        Some(&Value::from("10.0.0.5"))
    );
    assert_eq!(
        server.attribute("network.peer.port"),
        Some(&Value::I64(51234))
    );
    assert_eq!(
        server.attribute("otel.status_code"),
        None,
        "status tags become the status"
    );
    assert_eq!(server.status, Status::Ok);
    let resource = data.resource_of(server);
    assert_eq!(resource.service_name(), Some("checkout"));
    assert_eq!(
        find_attribute(&resource.attributes, "telemetry.sdk.language"),
        Some(&Value::from("java"))
    );
    assert_eq!(data.scope_of(server).name, "io.opentelemetry.tomcat");
    assert_eq!(data.scope_of(server).version, "1.2.0");
    let exception = &server.events[0];
    assert_eq!(exception.name, "exception");
    assert_eq!(exception.time_unix_nanos, 1_700_000_000_100_000_000);
    assert_eq!(
        find_attribute(&exception.attributes, "exception.type"),
        Some(&Value::from("IOError"))
    );
    assert_eq!(
        find_attribute(&exception.attributes, "exception.escaped"),
        Some(&Value::Bool(false))
    );
    assert_eq!(
        find_attribute(&exception.attributes, "attempt"),
        Some(&Value::I64(2))
    );
    assert_eq!(server.events[1].name, "flushed");

    let client = &data.spans[1];
    assert_eq!(client.parent_span_id, Some(server.span_id));
    assert_eq!(
        client.status,
        Status::Error {
            message: "deadlock detected".into()
        }
    );
    assert_eq!(client.attribute("error"), None);
    assert_eq!(
        client.attribute("peer.service"),
        Some(&Value::from("postgres"))
    );
    assert_eq!(
        data.resource_of(client),
        resource,
        "same service, same resource"
    );

    let cleanup = &data.spans[2];
    assert_eq!(
        cleanup.trace_id,
        TraceId(0xf067aa0ba902b7ab),
        "a 64-bit trace id"
    );
    assert_eq!(
        cleanup.status,
        Status::Error { message: "".into() },
        "an error tag alone"
    );
    assert_eq!(data.service_name_of(cleanup), "janitor");
    assert_eq!(data.resources.len(), 2);
}

#[test]
fn several_lists_one_per_line_load_together() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/zipkin-multi.jsonl");
    let loaded = read_file_with(path, strict()).unwrap();
    let names: Vec<&str> = loaded.data.spans.iter().map(|s| s.name.as_ref()).collect();
    assert_eq!(names, ["first", "second", "third"]);
    let services: Vec<&str> = loaded
        .data
        .spans
        .iter()
        .map(|s| loaded.data.service_name_of(s))
        .collect();
    assert_eq!(services, ["a", "b", "a"]);
    assert_eq!(loaded.data.resources.len(), 2);
    assert_eq!(loaded.data.spans[2].duration_nanos(), 2_000);
}

#[test]
fn a_list_of_traces_loads_as_the_zipkin_api_returns_it() {
    let text = br#"[[{"traceId":"0af7651916cd43dd8448eb211c80319c","id":"b7ad6b7169203331"}],
                    [{"traceId":"0af7651916cd43dd8448eb211c80319d","id":"b7ad6b7169203332"}]]"#;
    let loaded = read(text, "traces.json", strict()).unwrap();
    assert_eq!(loaded.data.spans.len(), 2);
}

// ---------------------------------------------------------------------------------------------
// The Zipkin OpenAPI spec

/// A JSON schema for `ListOfSpans` built from the spec's `definitions`.
fn list_of_spans_validator() -> jsonschema::Validator {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/zipkin2-api.yaml");
    let spec: serde_json::Value =
        serde_norway::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let schema = serde_json::json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "definitions": spec["definitions"].clone(),
        "$ref": "#/definitions/ListOfSpans",
    });
    jsonschema::validator_for(&schema).unwrap()
}

fn check(validator: &jsonschema::Validator, line: &[u8]) -> Result<(), String> {
    let json: serde_json::Value = serde_json::from_slice(line).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&json)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("; "))
    }
}

#[test]
fn written_spans_validate_against_the_zipkin_api_spec() {
    let validator = list_of_spans_validator();
    for data in [zipkin_expressible(), common::full_model()] {
        let out = write_to_vec(&data);
        check(&validator, &out).unwrap();
    }
    let instant = TraceData {
        resources: vec![Resource::default()],
        scopes: vec![Scope::default()],
        spans: vec![Span {
            trace_id: TraceId(1),
            span_id: SpanId(1),
            ..Default::default()
        }],
    };
    let out = write_to_vec(&instant);
    check(&validator, &out).unwrap();
    assert!(
        String::from_utf8_lossy(&out).contains(r#""duration":1"#),
        "duration is at least 1"
    );
}

#[test]
fn the_spec_check_rejects_a_broken_span() {
    let validator = list_of_spans_validator();
    let broken = br#"[{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","id":"00f067aa0ba9"}]"#;
    let error = check(&validator, broken).unwrap_err();
    assert!(error.contains("/0/id"), "{error}");
    let bad_kind = br#"[{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","id":"00f067aa0ba902b7","kind":"INTERNAL"}]"#;
    assert!(check(&validator, bad_kind).is_err());
    let number_tag = br#"[{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","id":"00f067aa0ba902b7","tags":{"a":1}}]"#;
    assert!(check(&validator, number_tag).is_err());
}
