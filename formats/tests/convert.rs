#![allow(clippy::unwrap_used)]
//! The `spindle-convert` command: conversions, the summary, usage errors and exit codes.

use std::process::{Command, Output};

use spindle_formats::*;

fn convert(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_spindle-convert"))
        .args(args)
        .output()
        .unwrap()
}

fn data(name: &str) -> String {
    format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn temp(name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("spindle-convert-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name).display().to_string()
}

#[test]
fn converts_every_input_format_to_every_output_format() {
    for input in [
        "zipkin-otel.json",
        "otlp-collector.jsonl",
        "jaeger-ui.json",
        "spindle-v1.jsonl",
        "otlp-python.binpb",
    ] {
        let original = read_file(data(input)).unwrap();
        for to in ["zipkin", "otlp", "otlp-proto", "spindle", "chrome"] {
            let out = temp(&format!("{input}.{to}"));
            let result = convert(&[&data(input), "--to", to, "-o", &out]);
            assert!(result.status.success(), "{input} → {to}: {result:?}");
            let bytes = std::fs::read(&out).unwrap();
            if to == "chrome" {
                let doc: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
                assert!(doc["traceEvents"].is_array());
                continue;
            }
            let loaded = read(&bytes, &out, ReadOptions { strict: true }).unwrap();
            assert_eq!(
                loaded.data.spans.len(),
                original.data.spans.len(),
                "{input} → {to}"
            );
        }
    }
}

#[test]
fn otlp_to_otlp_keeps_everything() {
    let out = temp("same.otlp.json");
    let input = data("otlp-collector.jsonl");
    assert!(
        convert(&[&input, "--to", "otlp", "-o", &out])
            .status
            .success()
    );
    let before = read_file(&input).unwrap().data;
    let after = read_file(&out).unwrap().data;
    assert_eq!(after.spans.len(), before.spans.len());
    for span in &before.spans {
        let copy = after
            .spans
            .iter()
            .find(|s| s.span_id == span.span_id)
            .unwrap();
        assert_eq!(
            (
                copy.attributes.clone(),
                copy.events.clone(),
                copy.links.clone(),
                copy.flags
            ),
            (
                span.attributes.clone(),
                span.events.clone(),
                span.links.clone(),
                span.flags
            )
        );
        assert_eq!(after.resource_of(copy), before.resource_of(span));
    }
}

#[test]
fn otlp_json_to_protobuf_and_back_keeps_everything() {
    let input = data("otlp-collector.jsonl");
    let (proto, json) = (temp("collector.binpb"), temp("collector.back.json"));
    assert!(
        convert(&[&input, "--to", "otlp-proto", "-o", &proto])
            .status
            .success()
    );
    assert!(
        convert(&[&proto, "--to", "otlp", "-o", &json])
            .status
            .success()
    );
    let summary = convert(&[&proto, "--summary"]);
    let text = String::from_utf8(summary.stdout).unwrap();
    assert!(text.contains("collector.binpb: OTLP/protobuf\n"), "{text}");
    let before = read_file(&input).unwrap().data;
    assert_eq!(read_file(&proto).unwrap().data, before);
    assert_eq!(read_file(&json).unwrap().data, before);
}

#[test]
fn the_summary_counts_traces_spans_services_and_errors() {
    let result = convert(&[&data("jaeger-ui.json"), &data("otlp-js.json"), "--summary"]);
    assert!(result.status.success());
    let text = String::from_utf8(result.stdout).unwrap();
    assert!(text.contains("jaeger-ui.json: Jaeger JSON\n"), "{text}");
    assert!(text.contains("otlp-js.json: OTLP/JSON\n"), "{text}");
    assert!(text.contains("traces: 2\n"), "{text}");
    assert!(text.contains("spans: 6\n"), "{text}");
    assert!(text.contains("services: 2 (frontend, mysql)\n"), "{text}");
    assert!(
        text.contains(
            "time range: 2023-11-14T22:13:20.000000000Z to 2024-06-10T06:13:20.042000000Z"
        ),
        "{text}"
    );
    assert!(text.contains("errors: 2\n"), "{text}");
    assert!(text.contains("warnings: 0\n"), "{text}");
}

#[test]
fn warnings_are_reported_and_strict_fails() {
    let text = std::fs::read_to_string(data("jaeger-ui.json"))
        .unwrap()
        .replace(r#""value": 200"#, r#""value": "two hundred""#);
    let input = temp("bad.json");
    std::fs::write(&input, text).unwrap();
    let lenient = convert(&[&input, "--summary"]);
    assert!(lenient.status.success());
    let stdout = String::from_utf8(lenient.stdout).unwrap();
    assert!(
        stdout.contains("spans: 3\n") && stdout.contains("warnings: 1\n"),
        "{stdout}"
    );
    let stderr = String::from_utf8(lenient.stderr).unwrap();
    assert!(
        stderr.contains("data[0].spans[0].tags[1].value"),
        "{stderr}"
    );

    let strict = convert(&[&input, "--summary", "--strict"]);
    assert_eq!(strict.status.code(), Some(1));
    let stderr = String::from_utf8(strict.stderr).unwrap();
    assert!(stderr.starts_with("spindle-convert: "), "{stderr}");
    assert!(stderr.contains("bad.json:"), "{stderr}");
}

#[test]
fn usage_errors_exit_with_2_and_unreadable_inputs_with_1() {
    let usage = convert(&["a.json", "--to", "xml", "-o", "b"]);
    assert_eq!(usage.status.code(), Some(2));
    let stderr = String::from_utf8(usage.stderr).unwrap();
    assert!(stderr.contains("unknown output format \"xml\""), "{stderr}");
    assert!(stderr.contains("usage: spindle-convert"), "{stderr}");
    assert_eq!(convert(&[]).status.code(), Some(2));
    assert_eq!(convert(&["--help"]).status.code(), Some(0));
    let missing = convert(&["/nonexistent/t.json", "--summary"]);
    assert_eq!(missing.status.code(), Some(1));
    let stderr = String::from_utf8(missing.stderr).unwrap();
    assert!(
        stderr.contains("/nonexistent/t.json: cannot read the file"),
        "{stderr}"
    );
}
