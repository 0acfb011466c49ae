#![allow(clippy::unwrap_used)]
//! What a user sees when a file is broken: one sentence naming the file, line:column, the field
//! and the problem; lenient reads keep the good spans, strict reads stop at the first problem.

use spindle_formats::*;

const LENIENT: ReadOptions = ReadOptions { strict: false };
const STRICT: ReadOptions = ReadOptions { strict: true };

const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

/// The 1-based line and column of the first occurrence of `needle` in `text`.
fn position_of(text: &str, needle: &str) -> (usize, usize, usize) {
    let byte = text.find(needle).unwrap();
    let before = &text[..byte];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap().chars().count() + 1;
    (line, column, byte)
}

fn spindle_doc(spans: &[String]) -> String {
    format!(
        "{{\n  \"format\": \"spindle\",\n  \"version\": 1,\n  \"spans\": [\n    {}\n  ]\n}}\n",
        spans.join(",\n    ")
    )
}

fn spindle_span(trace_id: &str, span_id: &str, name: &str) -> String {
    format!(r#"{{"traceId": "{trace_id}", "spanId": "{span_id}", "name": "{name}"}}"#)
}

#[test]
fn a_bad_id_names_file_line_column_and_field() {
    let text = spindle_doc(&[
        spindle_span(TRACE, "00f067aa0ba902b7", "a"),
        spindle_span(TRACE, "00f067aa0ba902b8", "b"),
        spindle_span(TRACE, "00f067aa0ba902b9", "c"),
        spindle_span("abcde", "00f067aa0ba902ba", "d"),
    ]);
    let (line, column, byte) = position_of(&text, "abcde");
    let expected = format!(
        "trace.json:{line}:{column} (byte {byte}): spans[3].traceId: expected 32 (or 16) hex \
         digits, found 5 characters"
    );

    let error = read(text.as_bytes(), "trace.json", STRICT).unwrap_err();
    assert_eq!(error.to_string(), expected);
    assert_eq!(error.path, "spans[3].traceId");
    assert!(matches!(
        error.problem,
        Problem::BadId(IdError::Length { found: 5, .. })
    ));

    let loaded = read(text.as_bytes(), "trace.json", LENIENT).unwrap();
    let names: Vec<&str> = loaded.data.spans.iter().map(|s| s.name.as_ref()).collect();
    assert_eq!(names, ["a", "b", "c"]);
    assert_eq!(loaded.warnings.len(), 1);
    assert_eq!(loaded.warnings[0].to_string(), expected);
}

#[test]
fn a_wrong_type_in_one_span_skips_only_that_span() {
    let text = format!(
        "[{{\"traceId\":\"{TRACE}\",\"id\":\"00f067aa0ba902b7\",\"name\":\"good\"}},\n \
         {{\"traceId\":\"{TRACE}\",\"id\":\"00f067aa0ba902b8\",\"timestamp\":\"soon\"}},\n \
         {{\"traceId\":\"{TRACE}\",\"id\":\"00f067aa0ba902b9\",\"name\":\"also good\"}}]"
    );
    let loaded = read(text.as_bytes(), "spans.json", LENIENT).unwrap();
    let names: Vec<&str> = loaded.data.spans.iter().map(|s| s.name.as_ref()).collect();
    assert_eq!(names, ["good", "also good"]);
    let warning = &loaded.warnings[0];
    assert_eq!(warning.path, "[1].timestamp");
    assert_eq!(warning.location.unwrap().line, 2);
    let message = warning.to_string();
    assert!(message.starts_with("spans.json:2:"), "{message}");
    assert!(
        message.contains("[1].timestamp: invalid type: string \"soon\", expected u64"),
        "{message}"
    );

    let error = read(text.as_bytes(), "spans.json", STRICT).unwrap_err();
    assert_eq!(error.to_string(), message);
}

#[test]
fn an_unknown_kind_is_named() {
    let text = format!(
        "[{{\"traceId\":\"{TRACE}\",\"id\":\"00f067aa0ba902b7\",\"kind\":\"SIDEWAYS\"}},\
         {{\"traceId\":\"{TRACE}\",\"id\":\"00f067aa0ba902b8\",\"kind\":\"CLIENT\"}}]"
    );
    let (line, column, byte) = position_of(&text, "SIDEWAYS");
    let loaded = read(text.as_bytes(), "z.json", LENIENT).unwrap();
    assert_eq!(loaded.data.spans.len(), 1);
    assert_eq!(loaded.data.spans[0].kind, SpanKind::Client);
    assert_eq!(
        loaded.warnings[0].to_string(),
        format!("z.json:{line}:{column} (byte {byte}): [0].kind: unknown span kind \"SIDEWAYS\"")
    );
    assert!(read(text.as_bytes(), "z.json", STRICT).is_err());
}

#[test]
fn invalid_json_is_located() {
    let text = "[{\"traceId\": ?}]";
    let error = read(text.as_bytes(), "bad.json", LENIENT).unwrap_err();
    assert_eq!(
        error.to_string(),
        "bad.json:1:14 (byte 13): [0].traceId: invalid JSON: expected value"
    );
}

#[test]
fn a_file_cut_off_mid_span_says_so() {
    let text = format!(
        "{{\"format\":\"spindle\",\"version\":1,\"spans\":[{{\"traceId\":\"{}",
        &TRACE[..10]
    );
    let error = read(text.as_bytes(), "cut.jsonl", LENIENT).unwrap_err();
    assert_eq!(error.problem, Problem::Truncated);
    assert_eq!(
        error.to_string(),
        format!(
            "cut.jsonl:1:{} (byte {}): spans[0].traceId: the input ends in the middle of a JSON value",
            text.len() + 1,
            text.len()
        )
    );
}

#[test]
fn a_cut_off_last_line_keeps_the_earlier_batches_when_lenient() {
    let data = TraceData {
        resources: vec![Resource::default()],
        scopes: vec![Scope::default()],
        spans: vec![Span {
            trace_id: TraceId(1),
            span_id: SpanId(1),
            name: "kept".into(),
            ..Default::default()
        }],
    };
    let mut out = Vec::new();
    write_spindle_json(&data, &mut out).unwrap();
    let whole = out.clone();
    out.extend_from_slice(&whole[..whole.len() / 2]);

    let loaded = read(&out, "crash.jsonl", LENIENT).unwrap();
    assert_eq!(loaded.data, data);
    assert_eq!(loaded.warnings.len(), 1);
    let warning = &loaded.warnings[0];
    assert_eq!(warning.problem, Problem::Truncated);
    assert_eq!(warning.location.unwrap().line, 2);

    let error = read(&out, "crash.jsonl", STRICT).unwrap_err();
    assert_eq!(error.problem, Problem::Truncated);
}

#[test]
fn an_unknown_format_says_what_was_seen() {
    let error = read(br#"{"metrics":[]}"#, "m.json", LENIENT).unwrap_err();
    assert_eq!(
        error.to_string(),
        "m.json:1:1 (byte 0): not a trace format this build reads (Spindle JSON, Zipkin v2 \
         JSON, OTLP/JSON, OTLP/protobuf or Jaeger JSON): a JSON object with keys \"metrics\""
    );
    let error = read(b"  \n", "empty.json", LENIENT).unwrap_err();
    assert_eq!(error.to_string(), "empty.json: the input is empty");
    let error = read(br#"{"format":"jaeger"}"#, "j.json", LENIENT).unwrap_err();
    assert!(
        error
            .to_string()
            .ends_with(r#"a JSON object with "format":"jaeger""#),
        "{error}"
    );
}

#[test]
fn a_missing_file_is_named() {
    let error = read_file("/nonexistent/trace.jsonl").unwrap_err();
    assert!(matches!(error.problem, Problem::Io { .. }));
    assert!(
        error
            .to_string()
            .starts_with("/nonexistent/trace.jsonl: cannot read the file: "),
        "{error}"
    );
}

#[test]
fn a_bad_attribute_value_is_located_in_its_span() {
    let text = spindle_doc(&[
        spindle_span(TRACE, "00f067aa0ba902b7", "ok"),
        format!(
            r#"{{"traceId": "{TRACE}", "spanId": "00f067aa0ba902b8", "attributes": [{{"key": "a", "i64": 1}}, {{"key": "b", "i64": 1, "str": "x"}}]}}"#
        ),
    ]);
    let loaded = read(text.as_bytes(), "t.json", LENIENT).unwrap();
    assert_eq!(loaded.data.spans.len(), 1);
    let warning = &loaded.warnings[0];
    assert_eq!(warning.path, "spans[1].attributes[1]");
    assert_eq!(warning.location.unwrap().line, 6);
}

#[test]
fn a_span_pointing_at_a_missing_resource_is_refused() {
    let text = format!(
        r#"{{"format":"spindle","version":1,"resources":[{{}}],"spans":[{{"traceId":"{TRACE}","spanId":"00f067aa0ba902b8","resource":3}}]}}"#
    );
    let error = read(text.as_bytes(), "t.json", STRICT).unwrap_err();
    assert_eq!(error.path, "spans[0].resource");
    assert!(
        error
            .to_string()
            .ends_with("resource 3 does not exist (the document has 1)"),
        "{error}"
    );
}

#[test]
fn deeply_nested_input_fails_quickly_without_overflowing() {
    for open in [b'[', b'{'] {
        let mut text = vec![open; 200_000];
        text.extend(std::iter::repeat_n(
            if open == b'[' { b']' } else { b'}' },
            200_000,
        ));
        let started = std::time::Instant::now();
        for strict in [false, true] {
            let _ = read(&text, "deep.json", ReadOptions { strict });
        }
        assert!(started.elapsed().as_secs() < 5);
    }
}

#[test]
fn a_span_that_is_not_an_object_is_named_plainly() {
    let text = format!(
        r#"{{"format":"spindle","version":1,"spans":[5,{{"traceId":"{TRACE}","spanId":"00f067aa0ba902b7"}}]}}"#
    );
    let loaded = read(text.as_bytes(), "t.json", LENIENT).unwrap();
    assert_eq!(loaded.data.spans.len(), 1);
    assert_eq!(
        loaded.warnings[0].to_string(),
        "t.json:1:42 (byte 41): spans[0]: invalid type: integer `5`, expected a span object"
    );
}
