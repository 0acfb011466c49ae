#![allow(clippy::unwrap_used)]
//! What trace backends answer for one trace loads as OTLP/JSON: Tempo's `batches`, Tempo v2's
//! `trace` and Jaeger v3's `result` envelopes, with base64 ids, enum names and int64 strings.

use spindle_formats::*;

const STRICT: ReadOptions = ReadOptions { strict: true };

fn data(name: &str) -> String {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path).unwrap()
}

fn load(name: &str) -> Loaded {
    let loaded = read(data(name).as_bytes(), name, STRICT).unwrap();
    assert_eq!(loaded.format, Format::Otlp, "{name}");
    assert!(loaded.warnings.is_empty(), "{name}: {:?}", loaded.warnings);
    loaded
}

#[test]
fn every_backend_envelope_loads_the_same_trace() {
    for name in ["tempo-v1.json", "tempo-v2.json", "jaeger-v3.json"] {
        let loaded = load(name);
        let data = &loaded.data;
        assert_eq!(data.spans.len(), 3, "{name}");
        let [server, client, charge] = [&data.spans[0], &data.spans[1], &data.spans[2]];
        assert_eq!(server.trace_id, TraceId(0x4bf92f3577b34da6a3ce929d0e0e4736));
        assert_eq!(server.span_id, SpanId(0x00f067aa0ba902b7), "{name}");
        assert_eq!(server.parent_span_id, None);
        assert_eq!(client.parent_span_id, Some(server.span_id));
        assert_eq!(charge.parent_span_id, Some(client.span_id));
        assert_eq!(
            (server.kind, client.kind),
            (SpanKind::Server, SpanKind::Client)
        );
        assert_eq!(server.start_unix_nanos, 1_700_000_000_000_000_123);
        assert_eq!(server.duration_nanos(), 250_000_333);
        assert_eq!(
            server.attribute("http.response.status_code"),
            Some(&Value::I64(200))
        );
        assert_eq!(server.events[0].name, "cache miss");
        assert_eq!(server.status, Status::Unset);
        assert_eq!(
            client.status,
            Status::Error {
                message: "card declined".into()
            }
        );
        assert_eq!(charge.status, Status::Ok);
        assert_eq!(charge.links[0].span_id, SpanId(7));
        assert_eq!(data.service_name_of(server), "frontend");
        assert_eq!(data.service_name_of(charge), "payments");
        assert_eq!(
            data.resource_of(server).attributes[1],
            KeyValue::new("process.pid", 4242i64)
        );
        assert_eq!(
            data.scope_of(server).name,
            "go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
        );
    }
}

#[test]
fn a_bad_span_in_an_envelope_is_named_by_its_real_path() {
    let text = data("tempo-v2.json").replacen("\"APBnqgupArc=\"", "\"APBnqgupAr!=\"", 1);
    let loaded = read(text.as_bytes(), "v2.json", ReadOptions::default()).unwrap();
    assert_eq!(loaded.data.spans.len(), 2);
    assert_eq!(loaded.warnings.len(), 1);
    assert_eq!(
        loaded.warnings[0].path,
        "trace.resourceSpans[0].scopeSpans[0].spans[0].spanId"
    );
    let text = data("tempo-v1.json").replace("\"SPAN_KIND_CLIENT\"", "\"SPAN_KIND_BOSS\"");
    let error = read(text.as_bytes(), "v1.json", STRICT).unwrap_err();
    assert_eq!(error.path, "batches[0].scopeSpans[0].spans[1].kind");
}

#[test]
fn envelopes_are_detected_from_their_content() {
    for name in ["tempo-v1.json", "tempo-v2.json", "jaeger-v3.json"] {
        assert_eq!(detect(data(name).as_bytes()), Some(Format::Otlp), "{name}");
    }
}
