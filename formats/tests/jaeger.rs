#![allow(clippy::unwrap_used)]
//! Jaeger JSON (query API / UI download): references, typed tags, logs and processes.

use spindle_formats::*;

const STRICT: ReadOptions = ReadOptions { strict: true };
const LENIENT: ReadOptions = ReadOptions { strict: false };

fn load() -> Loaded {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/jaeger-ui.json");
    let loaded = read_file_with(path, STRICT).unwrap();
    assert_eq!(loaded.format, Format::Jaeger);
    loaded
}

#[test]
fn a_ui_download_loads_with_processes_as_resources() {
    let loaded = load();
    let data = &loaded.data;
    assert_eq!(data.spans.len(), 4);
    assert_eq!(data.resources.len(), 2);
    let frontend = &data.resources[0];
    assert_eq!(frontend.service_name(), Some("frontend"));
    assert_eq!(frontend.attributes[1], KeyValue::new("hostname", "web-1"));
    assert_eq!(data.service_name_of(&data.spans[1]), "mysql");
    assert_eq!(data.spans[0].resource, data.spans[2].resource);
}

#[test]
fn typed_tags_keep_their_types_and_special_tags_become_fields() {
    let loaded = load();
    let root = &loaded.data.spans[0];
    assert_eq!(root.name, "HTTP GET /dispatch");
    assert_eq!(root.kind, SpanKind::Server);
    assert_eq!(root.start_unix_nanos, 1_700_000_000_000_000_000);
    assert_eq!(root.duration_nanos(), 250_000_000);
    assert_eq!(root.parent_span_id, None);
    assert_eq!(root.attribute("http.status_code"), Some(&Value::I64(200)));
    assert_eq!(
        root.attribute("big"),
        Some(&Value::I64(9_007_199_254_740_993))
    );
    assert_eq!(root.attribute("sampler.param"), Some(&Value::Bool(true)));
    assert_eq!(root.attribute("ratio"), Some(&Value::F64(0.5)));
    assert_eq!(
        root.attribute("blob"),
        Some(&Value::Bytes(vec![0, 1, 0xfe, 0xff]))
    );
    assert_eq!(root.attribute("span.kind"), None);
    assert_eq!(root.attribute("otel.scope.name"), None);
    assert_eq!(loaded.data.scope_of(root).name, "hotrod");
    assert_eq!(root.status, Status::Unset);
}

#[test]
fn logs_become_events_named_by_their_event_field() {
    let loaded = load();
    let event = &loaded.data.spans[0].events[0];
    assert_eq!(event.name, "HTTP request received");
    assert_eq!(event.time_unix_nanos, 1_700_000_000_010_000_000);
    assert_eq!(
        event.attributes,
        vec![
            KeyValue::new("level", "info"),
            KeyValue::new("attempt", 1i64)
        ]
    );
}

#[test]
fn error_tags_become_the_status() {
    let loaded = load();
    let client = &loaded.data.spans[1];
    assert_eq!(client.kind, SpanKind::Client);
    assert_eq!(client.flags, 1);
    assert_eq!(
        client.status,
        Status::Error {
            message: "deadlock detected".into()
        }
    );
    assert_eq!(client.attribute("error"), None);
    assert_eq!(loaded.data.spans[2].status, Status::Ok);
}

#[test]
fn references_become_the_parent_and_links() {
    let loaded = load();
    let spans = &loaded.data.spans;
    assert_eq!(spans[1].parent_span_id, Some(spans[0].span_id));
    assert!(spans[1].links.is_empty());
    // No CHILD_OF: the first FOLLOWS_FROM in the same trace is the parent, others are links.
    let receipt = &spans[2];
    assert_eq!(receipt.parent_span_id, Some(spans[0].span_id));
    assert_eq!(receipt.links.len(), 1);
    assert_eq!(
        receipt.links[0].trace_id,
        TraceId(0x0af7651916cd43dd8448eb211c80319c)
    );
    assert_eq!(
        receipt.links[0].attributes,
        vec![KeyValue::new("opentracing.ref_type", "follows_from")]
    );
    // CHILD_OF wins; the FOLLOWS_FROM is a link.
    let audit = &spans[3];
    assert_eq!(audit.parent_span_id, Some(spans[1].span_id));
    assert_eq!(audit.links[0].span_id, spans[2].span_id);
}

#[test]
fn a_bare_trace_and_short_ids_load() {
    let text = br#"{"traceID":"f067aa0ba902b7","spans":[{"traceID":"f067aa0ba902b7","spanID":"1","operationName":"x","startTime":5,"duration":1,"process":{"serviceName":"solo"},"tags":[{"key":"n","value":3}]}],"processes":{}}"#;
    let loaded = read(text, "bare.json", STRICT).unwrap();
    let span = &loaded.data.spans[0];
    assert_eq!(span.trace_id, TraceId(0xf067aa0ba902b7));
    assert_eq!(span.span_id, SpanId(1));
    assert_eq!(loaded.data.service_name_of(span), "solo");
    assert_eq!(span.attribute("n"), Some(&Value::I64(3)));
}

#[test]
fn an_error_response_says_what_jaeger_said() {
    let text = br#"{"data":null,"total":0,"limit":0,"offset":0,"errors":[{"code":404,"msg":"trace not found"}]}"#;
    let error = read(text, "missing.json", LENIENT).unwrap_err();
    assert_eq!(
        error.to_string(),
        "missing.json:1:1 (byte 0): the Jaeger response holds errors: trace not found"
    );
}

fn position_of(text: &str, needle: &str) -> (usize, usize, usize) {
    let byte = text.find(needle).unwrap();
    let before = &text[..byte];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap().chars().count() + 1;
    (line, column, byte)
}

#[test]
fn a_mistyped_tag_is_located_and_only_its_span_skipped() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/jaeger-ui.json"
    ))
    .unwrap()
    .replace(r#""value": 200"#, r#""value": "two hundred""#);
    let (line, column, byte) = position_of(&text, "\"two hundred\"");
    let loaded = read(text.as_bytes(), "j.json", LENIENT).unwrap();
    assert_eq!(loaded.data.spans.len(), 3);
    assert_eq!(
        loaded.warnings[0].to_string(),
        format!(
            "j.json:{line}:{column} (byte {byte}): data[0].spans[0].tags[1].value: expected an \
             integer for a tag of type int64, found \"two hundred\""
        )
    );
    let error = read(text.as_bytes(), "j.json", STRICT).unwrap_err();
    assert_eq!(error.path, "data[0].spans[0].tags[1].value");
}

#[test]
fn a_bad_reference_and_a_missing_process_are_named() {
    let text = load_text()
        .replacen(
            "\"refType\": \"CHILD_OF\"",
            "\"refType\": \"SIBLING_OF\"",
            1,
        )
        .replace("\"processID\": \"p2\"", "\"processID\": \"p9\"");
    let (line, column, byte) = position_of(&text, "SIBLING_OF");
    let loaded = read(text.as_bytes(), "j.json", LENIENT).unwrap();
    assert_eq!(loaded.data.spans.len(), 2);
    assert_eq!(
        loaded.warnings[0].to_string(),
        format!(
            "j.json:{line}:{column} (byte {byte}): data[0].spans[1].references[0].refType: \
             unknown reference type \"SIBLING_OF\" (expected CHILD_OF or FOLLOWS_FROM)"
        )
    );
    assert_eq!(loaded.warnings[1].path, "data[0].spans[3].processID");
    assert!(
        loaded.warnings[1]
            .to_string()
            .ends_with("process \"p9\" is not in the trace's processes"),
        "{}",
        loaded.warnings[1]
    );
}

#[test]
fn a_zero_span_id_is_located() {
    let text = load_text().replacen(
        "\"spanID\": \"b7ad6b7169203331\"",
        "\"spanID\": \"0000000000000000\"",
        1,
    );
    let (line, column, byte) = position_of(&text, "0000000000000000");
    let error = read(text.as_bytes(), "j.json", STRICT).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!("j.json:{line}:{column} (byte {byte}): data[0].spans[1].spanID: id is all zeros")
    );
}

#[test]
fn a_non_hex_id_is_derived_and_named_once_and_a_strict_read_stops_there() {
    let text = load_text().replace("b7ad6b7169203331", "b7ad6b71692033zz");
    let (line, column, byte) = position_of(&text, "b7ad6b71692033zz");
    let lenient = read(text.as_bytes(), "j.json", LENIENT).unwrap();
    let clean = read(load_text().as_bytes(), "j.json", LENIENT).unwrap();
    assert_eq!(lenient.data.spans.len(), clean.data.spans.len());
    assert_eq!(lenient.warnings.len(), 1);
    let error = read(text.as_bytes(), "j.json", STRICT).unwrap_err();
    assert!(
        error.to_string().starts_with(&format!(
            "j.json:{line}:{column} (byte {byte}): data[0].spans[1].spanID: id \"b7ad6b71692033zz\" \
             is not hex"
        )),
        "{error}"
    );
}

fn load_text() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/jaeger-ui.json"
    ))
    .unwrap()
}

#[test]
fn one_trace_object_with_hand_written_ids_loads_with_its_parents() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/jaeger-hand-written.json"
    );
    let loaded = read_file(path).unwrap();
    assert_eq!(loaded.format, Format::Jaeger);
    let spans = &loaded.data.spans;
    assert_eq!(spans.len(), 3);
    assert!(spans.iter().all(|s| s.trace_id == spans[0].trace_id));
    assert_ne!(spans[0].span_id, spans[1].span_id);
    assert_eq!(spans[1].parent_span_id, Some(spans[0].span_id));
    assert_eq!(spans[2].parent_span_id, Some(spans[0].span_id));
    assert_eq!(
        spans[1].attribute(jaeger_json::SPAN_ID_TEXT),
        Some(&Value::from("span-2"))
    );
    assert_eq!(
        spans[1].attribute(jaeger_json::TRACE_ID_TEXT),
        Some(&Value::from("trace-123"))
    );
    assert_eq!(loaded.data.service_name_of(&spans[1]), "orders-db");
    // One warning for the whole file, at the first derived id.
    assert_eq!(loaded.warnings.len(), 1, "{:?}", loaded.warnings);
    let warning = loaded.warnings[0].to_string();
    assert!(
        warning.contains("data.spans[0].traceID: id \"trace-123\" is not hex"),
        "{warning}"
    );
    // The same text gives the same ids in another file.
    let again = read(
        br#"{"traceID":"trace-123","spans":[{"traceID":"trace-123","spanID":"span-2"}]}"#,
        "other.json",
        LENIENT,
    )
    .unwrap();
    assert_eq!(again.data.spans[0].span_id, spans[1].span_id);
    assert_eq!(again.data.spans[0].trace_id, spans[1].trace_id);
}

#[test]
fn a_download_cut_before_its_processes_keeps_its_complete_spans() {
    let text = load_text();
    let whole = read(text.as_bytes(), "j.json", LENIENT).unwrap();
    let cut = text.find("\"processes\"").unwrap();
    let loaded = read(&text.as_bytes()[..cut], "cut.json", LENIENT).unwrap();
    assert_eq!(loaded.data.spans.len(), whole.data.spans.len());
    assert_eq!(loaded.data.spans[0].span_id, whole.data.spans[0].span_id);
    assert_eq!(loaded.warnings.len(), 1);
    assert_eq!(loaded.warnings[0].problem, Problem::Truncated);
    assert_eq!(loaded.warnings[0].location.unwrap().byte, cut);
}
