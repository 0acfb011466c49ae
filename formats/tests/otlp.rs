#![allow(clippy::unwrap_used)]
//! OTLP/JSON: the whole model round-trips, the output follows the OTLP/JSON mapping, and the
//! collector's file exporter and the JavaScript exporter's habits load.

mod common;

use spindle_formats::*;

fn write_to_vec(data: &TraceData) -> Vec<u8> {
    let mut out = Vec::new();
    write_otlp_json(data, &mut out).unwrap();
    out
}

const STRICT: ReadOptions = ReadOptions { strict: true };

#[test]
fn the_whole_model_round_trips() {
    let data = common::full_model();
    let out = write_to_vec(&data);
    let loaded = read(&out, "t.json", STRICT).unwrap();
    assert_eq!(loaded.format, Format::Otlp);
    assert_eq!(loaded.data, common::regrouped(&data));
    assert!(loaded.warnings.is_empty());
}

#[test]
fn a_model_with_one_resource_and_scope_round_trips_unchanged() {
    let mut data = common::full_model();
    for span in &mut data.spans {
        span.resource = ResourceIndex(0);
        span.scope = ScopeIndex(0);
    }
    data.resources.truncate(1);
    data.scopes.truncate(1);
    let loaded = read(&write_to_vec(&data), "t.json", STRICT).unwrap();
    assert_eq!(loaded.data, data);
}

#[test]
fn the_output_follows_the_otlp_json_mapping() {
    let data = common::full_model();
    let out = write_to_vec(&data);
    assert_eq!(out.iter().filter(|b| **b == b'\n').count(), 1);
    assert!(out.ends_with(b"}\n"));
    let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let groups = doc["resourceSpans"].as_array().unwrap();
    assert_eq!(groups.len(), 2);
    let resource = &groups[0]["resource"]["attributes"];
    assert_eq!(resource[0]["key"], "service.name");
    assert_eq!(resource[0]["value"]["stringValue"], "checkout");
    assert_eq!(resource[1]["value"]["intValue"], "42");
    let scope_spans = &groups[0]["scopeSpans"][0];
    assert_eq!(scope_spans["scope"]["name"], "spindle");
    let span = &scope_spans["spans"][0];
    assert_eq!(span["traceId"], "4bf92f3577b34da6a3ce929d0e0e4736");
    assert_eq!(span["spanId"], "00f067aa0ba902b7");
    assert_eq!(span["kind"], 2);
    assert_eq!(span["flags"], 0x301);
    assert_eq!(span["traceState"], "vendor=1,other=2");
    assert_eq!(span["startTimeUnixNano"], "1700000000000000123");
    assert_eq!(span["endTimeUnixNano"], "1700000000250000456");
    assert_eq!(span["status"]["code"], 1);
    assert!(span.get("parentSpanId").is_none());
    let attributes = span["attributes"].as_array().unwrap();
    let value = |key: &str| &attributes.iter().find(|kv| kv["key"] == key).unwrap()["value"];
    assert_eq!(value("b")["boolValue"], true);
    assert_eq!(value("i")["intValue"], "-9007199254740993");
    assert_eq!(value("f")["doubleValue"], 0.1);
    assert_eq!(value("nan")["doubleValue"], "Infinity");
    assert_eq!(value("bytes")["bytesValue"], "AAH+/w==");
    assert_eq!(value("arr")["arrayValue"]["values"][1]["stringValue"], "x");
    assert_eq!(value("map")["kvlistValue"]["values"][0]["key"], "k");
    assert_eq!(span["events"][0]["timeUnixNano"], "1700000000100000000");
    assert_eq!(span["links"][0]["spanId"], "0000000000000007");
    let child = &groups[1]["scopeSpans"][0]["spans"][0];
    assert_eq!(child["parentSpanId"], "00f067aa0ba902b7");
    assert_eq!(child["kind"], 3);
    assert_eq!(child["status"]["code"], 2);
    assert_eq!(child["status"]["message"], "deadlock");
}

#[test]
fn no_spans_is_an_empty_request() {
    assert_eq!(
        write_to_vec(&TraceData::default()),
        b"{\"resourceSpans\":[]}\n"
    );
    let loaded = read(b"{\"resourceSpans\":[]}\n", "e.json", STRICT).unwrap();
    assert_eq!(loaded.data, TraceData::default());
}

#[test]
fn appended_writes_are_json_lines_that_read_back_merged() {
    let data = common::full_model();
    let mut out = write_to_vec(&data);
    out.extend(write_to_vec(&data));
    let loaded = read(&out, "t.jsonl", STRICT).unwrap();
    let once = common::regrouped(&data);
    assert_eq!(loaded.data.spans.len(), 2 * once.spans.len());
    assert_eq!(loaded.data.resources, once.resources);
    assert_eq!(loaded.data.scopes, once.scopes);
}

fn load(name: &str) -> Loaded {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    let loaded = read_file_with(&path, STRICT).unwrap();
    assert_eq!(loaded.format, Format::Otlp);
    loaded
}

#[test]
fn a_collector_file_exporter_file_loads() {
    let loaded = load("otlp-collector.jsonl");
    let data = &loaded.data;
    assert_eq!(data.spans.len(), 3);
    assert_eq!(data.resources.len(), 2);
    let server = &data.spans[0];
    assert_eq!(data.service_name_of(server), "checkout");
    assert_eq!(
        data.resource_of(server).attributes[2],
        KeyValue::new("process.pid", 4242i64)
    );
    assert_eq!(data.scope_of(server).name, "io.opentelemetry.tomcat");
    assert_eq!(server.kind, SpanKind::Server);
    assert_eq!(server.parent_span_id, None);
    assert_eq!(server.flags, 769);
    assert_eq!(server.trace_state, "congo=t61rcWkgMzE");
    assert_eq!(server.start_unix_nanos, 1_700_000_000_000_000_123);
    assert_eq!(server.duration_nanos(), 250_000_333);
    assert_eq!(server.status, Status::Unset);
    assert_eq!(
        server.attribute("http.response.status_code"),
        Some(&Value::I64(200))
    );
    assert_eq!(server.attribute("cache.ratio"), Some(&Value::F64(0.75)));
    assert_eq!(server.attribute("retry"), Some(&Value::Bool(false)));
    assert_eq!(
        server.attribute("payload"),
        Some(&Value::Bytes(vec![0, 1, 0xfe, 0xff]))
    );
    assert_eq!(
        server.attribute("tags"),
        Some(&Value::Array(vec!["a".into(), 2i64.into()]))
    );
    assert_eq!(
        server.attribute("limits"),
        Some(&Value::Map(vec![
            KeyValue::new("max", f64::INFINITY),
            KeyValue::new("none", ""),
        ]))
    );
    assert_eq!(server.events[0].name, "exception");
    assert_eq!(server.links[0].span_id, SpanId(0xb7ad6b7169203331));
    assert_eq!(server.links[0].trace_state, "a=b");
    let client = &data.spans[1];
    assert_eq!(data.service_name_of(client), "postgres-proxy");
    assert_eq!(client.parent_span_id, Some(server.span_id));
    assert_eq!(
        client.status,
        Status::Error {
            message: "deadlock detected".into()
        }
    );
    assert_eq!(data.spans[2].kind, SpanKind::Producer);
    assert_eq!(data.spans[2].status, Status::Ok);
}

#[test]
fn the_javascript_exporters_habits_load() {
    let loaded = load("otlp-js.json");
    let data = &loaded.data;
    assert_eq!(data.spans.len(), 2);
    let server = &data.spans[0];
    assert_eq!(server.trace_id, TraceId(0x5b8efff798038103d269b633813fc60c));
    assert_eq!(server.span_id, SpanId(0xeee19b7ec3c1b174));
    assert_eq!(server.flags, 257);
    assert_eq!(server.attribute("http.status_code"), Some(&Value::I64(200)));
    assert!(server.events.is_empty() && server.links.is_empty());
    assert_eq!(
        data.resource_of(server).attributes[4],
        KeyValue::new("process.pid", 31337i64)
    );
    let child = &data.spans[1];
    assert_eq!(child.parent_span_id, Some(server.span_id));
    assert_eq!(child.start_unix_nanos, 1_718_000_000_001_000_000);
    assert_eq!(child.kind, SpanKind::Internal);
    assert_eq!(child.events[0].time_unix_nanos, 1_718_000_000_001_500_000);
    assert!(child.status.is_error());
}

#[test]
fn enum_names_and_old_field_names_are_read() {
    let text = br#"{"resourceSpans":[{"instrumentationLibrarySpans":[{"instrumentationLibrary":{"name":"old"},"spans":[{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7","kind":"SPAN_KIND_CONSUMER","status":{"code":"STATUS_CODE_ERROR"}}]}]}]}"#;
    let loaded = read(text, "old.json", STRICT).unwrap();
    let span = &loaded.data.spans[0];
    assert_eq!(span.kind, SpanKind::Consumer);
    assert!(span.status.is_error());
    assert_eq!(loaded.data.scope_of(span).name, "old");
}

/// The 1-based line and column and the byte offset of the first `needle` in `text`.
fn position_of(text: &str, needle: &str) -> (usize, usize, usize) {
    let byte = text.find(needle).unwrap();
    let before = &text[..byte];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap().chars().count() + 1;
    (line, column, byte)
}

fn collector_text() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/otlp-collector.jsonl"
    ))
    .unwrap()
}

const LENIENT: ReadOptions = ReadOptions { strict: false };

#[test]
fn a_bad_span_id_names_line_column_and_field_and_skips_only_that_span() {
    let text = collector_text().replace(
        "53995c3f42cd8ad8\",\"parentSpanId",
        "53995c3f42cd8aXX\",\"parentSpanId",
    );
    let (line, column, byte) = position_of(&text, "53995c3f42cd8aXX");
    let expected = format!(
        "c.jsonl:{line}:{column} (byte {byte}): resourceSpans[0].scopeSpans[0].spans[0].spanId: \
         not a hex digit at character 14"
    );
    let loaded = read(text.as_bytes(), "c.jsonl", LENIENT).unwrap();
    assert_eq!(loaded.data.spans.len(), 2);
    assert_eq!(loaded.warnings[0].to_string(), expected);
    assert_eq!(line, 2);
    let error = read(text.as_bytes(), "c.jsonl", STRICT).unwrap_err();
    assert_eq!(error.to_string(), expected);
}

#[test]
fn a_wrong_type_deep_in_an_attribute_is_named() {
    let text = collector_text().replace(r#"{"intValue":"2"}"#, r#"{"intValue":"two"}"#);
    let loaded = read(text.as_bytes(), "c.jsonl", LENIENT).unwrap();
    assert_eq!(loaded.data.spans.len(), 2);
    let warning = &loaded.warnings[0];
    assert_eq!(
        warning.path,
        "resourceSpans[0].scopeSpans[0].spans[0].attributes[5].value.arrayValue.values[1].intValue"
    );
    assert_eq!(warning.location.unwrap().line, 1);
    assert!(
        warning.to_string().contains(
            "invalid value: string \"two\", expected a 64-bit integer (a number or a decimal string)"
        ),
        "{warning}"
    );
}

#[test]
fn an_unknown_kind_and_status_code_are_located() {
    let text = collector_text()
        .replace(r#""kind":3"#, r#""kind":9"#)
        .replace(
            r#""status":{"code":1}"#,
            r#""status":{"code":"STATUS_CODE_MAYBE"}"#,
        );
    let (line, column, byte) = position_of(&text, r#"9,"startTime"#);
    let loaded = read(text.as_bytes(), "c.jsonl", LENIENT).unwrap();
    assert_eq!(loaded.data.spans.len(), 1);
    assert_eq!(
        loaded.warnings[0].to_string(),
        format!(
            "c.jsonl:{line}:{column} (byte {byte}): resourceSpans[0].scopeSpans[0].spans[0].kind: \
             unknown span kind \"9\""
        )
    );
    assert_eq!(
        loaded.warnings[1].path,
        "resourceSpans[0].scopeSpans[0].spans[1].status.code"
    );
    assert!(loaded.warnings[1].to_string().ends_with(
        "unknown status code \"STATUS_CODE_MAYBE\" (expected 0 unset, 1 ok or 2 error)"
    ));
}

#[test]
fn a_cut_off_last_line_keeps_the_first_request_and_the_complete_spans_of_the_second() {
    let text = collector_text();
    let cut = &text[..text.len() - 200];
    let loaded = read(cut.as_bytes(), "cut.jsonl", LENIENT).unwrap();
    let whole = read(text.as_bytes(), "whole.jsonl", LENIENT).unwrap();
    assert_eq!(loaded.data.spans.len(), 2);
    assert_eq!(loaded.data.spans[..], whole.data.spans[..2]);
    assert_eq!(loaded.warnings.len(), 1);
    assert_eq!(loaded.warnings[0].problem, Problem::Truncated);
    assert_eq!(loaded.warnings[0].location.unwrap().line, 2);
    assert_eq!(loaded.warnings[0].location.unwrap().byte, cut.len());
    let error = read(cut.as_bytes(), "cut.jsonl", STRICT).unwrap_err();
    assert!(error.to_string().starts_with("cut.jsonl:2:"), "{error}");
}

#[test]
fn bad_base64_is_named() {
    let text = collector_text().replace("AAH+/w==", "AAH+/w=!");
    let error = read(text.as_bytes(), "c.jsonl", STRICT).unwrap_err();
    assert_eq!(
        error.path,
        "resourceSpans[0].scopeSpans[0].spans[0].attributes[4].value.bytesValue"
    );
    assert!(error.to_string().ends_with("expected base64"), "{error}");
}

#[test]
fn base64_ids_from_generic_protobuf_printers_are_read() {
    let text = br#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"S/kvNXezTaajzpKdDg5HNg==","spanId":"APBnqgupArc=","parentSpanId":"","kind":"SPAN_KIND_SERVER"}]}]}]}"#;
    let loaded = read(text, "py.json", STRICT).unwrap();
    let span = &loaded.data.spans[0];
    assert_eq!(span.trace_id, TraceId(0x4bf92f3577b34da6a3ce929d0e0e4736));
    assert_eq!(span.span_id, SpanId(0x00f067aa0ba902b7));
}
