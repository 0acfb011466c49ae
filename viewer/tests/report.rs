//! `spindle-viewer report`: the binary run on trace files written for the test.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;
use spindle_formats::{
    KeyValue, Resource, ResourceIndex, Span, SpanId, SpanKind, TraceData, TraceId,
};

const SLOW: u128 = 0x4bf9_2f35_77b3_4da6_a3ce_929d_0e0e_4736;
const FAST: u128 = 0x5c0a_3046_88c4_5eb7_b4df_a3ae_1f1f_5847;
const BASE: u64 = 1_700_000_000_000_000_000;

fn span(trace: u128, id: u64, parent: Option<u64>, (start, end): (u64, u64), name: &str) -> Span {
    Span {
        trace_id: TraceId(trace),
        span_id: SpanId(id),
        parent_span_id: parent.map(SpanId),
        name: name.to_string().into(),
        start_unix_nanos: BASE + start,
        end_unix_nanos: BASE + end,
        resource: ResourceIndex(0),
        ..Span::default()
    }
}

/// A slow trace whose root makes six sequential queries (an N+1), and a fast one without.
fn traces(with_n_plus_one: bool) -> TraceData {
    let mut spans = vec![span(SLOW, 1, None, (0, 1000), "GET /orders")];
    let calls = if with_n_plus_one { 6 } else { 4 };
    spans.extend((0..calls).map(|k| Span {
        kind: SpanKind::Client,
        resource: ResourceIndex(1),
        attributes: vec![KeyValue::new(
            "db.query.text",
            format!("SELECT * FROM orders WHERE id = {k}"),
        )],
        ..span(
            SLOW,
            10 + k,
            Some(1),
            (100 + 100 * k, 150 + 100 * k),
            "SELECT orders",
        )
    }));
    spans.push(span(FAST, 1, None, (0, 300), "GET /health"));
    spans.push(span(FAST, 2, Some(1), (100, 200), "check"));
    TraceData {
        resources: ["api", "db"]
            .iter()
            .map(|s| Resource {
                attributes: vec![KeyValue::new("service.name", s.to_string())],
                ..Default::default()
            })
            .collect(),
        scopes: Vec::new(),
        spans,
    }
}

fn write(name: &str, data: &TraceData) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("spindle-report-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    let mut bytes = Vec::new();
    spindle_formats::write_spindle_json(data, &mut bytes).expect("encode");
    std::fs::write(&path, bytes).expect("write fixture");
    path
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn report(args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_spindle-viewer"))
        .arg("report")
        .args(args)
        .output()
        .expect("run spindle-viewer");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn keys(value: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = value
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    keys.sort_unstable();
    keys
}

fn is_hex(value: &Value, len: usize) -> bool {
    value
        .as_str()
        .is_some_and(|s| s.len() == len && s.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[test]
fn json_has_the_documented_shape() {
    let path = write("n1.json", &traces(true));
    let run = report(&[path.to_str().expect("utf-8 path"), "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json: Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(keys(&json), ["traces"]);
    let traces = json["traces"].as_array().expect("traces array");
    assert_eq!(traces.len(), 2);
    let slow = &traces[0];
    assert_eq!(
        keys(slow),
        [
            "critical_path",
            "duration_ns",
            "operations",
            "repeats",
            "span_count",
            "trace_id"
        ]
    );
    assert_eq!(slow["trace_id"], format!("{SLOW:032x}"));
    assert_eq!(slow["duration_ns"], 1000);
    assert_eq!(slow["span_count"], 7);
    let path = slow["critical_path"].as_array().expect("critical path");
    // Root, then each query and the root's gap after it: 6 queries, 7 root sections.
    assert_eq!(path.len(), 13);
    for section in path {
        assert_eq!(
            keys(section),
            ["end_unix_nanos", "span_id", "start_unix_nanos"]
        );
        assert!(is_hex(&section["span_id"], 16), "{section}");
    }
    let times: Vec<u64> = path
        .iter()
        .flat_map(|s| [&s["start_unix_nanos"], &s["end_unix_nanos"]])
        .map(|v| v.as_u64().expect("nanos"))
        .collect();
    assert!(times.is_sorted(), "time order: {times:?}");
    assert_eq!((times[0], times[times.len() - 1]), (BASE, BASE + 1000));
    let ops = slow["operations"].as_array().expect("operations");
    assert_eq!(
        keys(&ops[0]),
        [
            "count",
            "max_ns",
            "min_ns",
            "operation",
            "self_ns",
            "service",
            "total_ns"
        ]
    );
    // Most self time first: the root keeps 700 of 1000, the queries 300.
    assert_eq!(
        (ops[0]["service"].as_str(), ops[0]["self_ns"].as_u64()),
        (Some("api"), Some(700))
    );
    assert_eq!(ops[1]["operation"], "SELECT orders");
    assert_eq!(
        (ops[1]["count"].as_u64(), ops[1]["total_ns"].as_u64()),
        (Some(6), Some(300))
    );
    assert_eq!(
        (ops[1]["min_ns"].as_u64(), ops[1]["max_ns"].as_u64()),
        (Some(50), Some(50))
    );
    let repeats = slow["repeats"].as_array().expect("repeats");
    assert_eq!(repeats.len(), 1, "{repeats:?}");
    assert_eq!(
        keys(&repeats[0]),
        [
            "count",
            "operation",
            "parent_span_id",
            "sequential",
            "service",
            "total_ns"
        ]
    );
    assert_eq!(repeats[0]["parent_span_id"], format!("{:016x}", 1));
    assert_eq!(repeats[0]["service"], "db");
    assert_eq!(repeats[0]["count"], 6);
    assert_eq!(repeats[0]["total_ns"], 300);
    assert_eq!(repeats[0]["sequential"], true);
    assert_eq!(traces[1]["trace_id"], format!("{FAST:032x}"));
    assert_eq!(traces[1]["repeats"], Value::Array(Vec::new()));
}

#[test]
fn fail_on_n_plus_one_exits_one_only_when_a_finding_is_present() {
    let with = write("with.json", &traces(true));
    let without = write("without.json", &traces(false));
    let with = with.to_str().expect("utf-8 path");
    let without = without.to_str().expect("utf-8 path");
    assert_eq!(report(&[with, "--fail-on", "n+1"]).code, 1);
    assert_eq!(
        report(&[with]).code,
        0,
        "without --fail-on a finding is not a failure"
    );
    assert_eq!(report(&[without, "--fail-on", "n+1"]).code, 0);
}

#[test]
fn text_names_the_trace_its_critical_path_and_the_finding() {
    let path = write("text.json", &traces(true));
    let run = report(&[path.to_str().expect("utf-8 path"), "--top", "1"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains(&format!(
            "trace {SLOW:032x}  api: GET /orders  1.0 µs, 7 spans"
        )),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("critical path: 13 sections"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("N+1: 6x db: SELECT orders [SELECT * FROM orders WHERE id = ?] under api: GET /orders: 300 ns, 30% of the parent"),
        "{}",
        run.stdout
    );
    assert!(
        !run.stdout.contains("GET /health"),
        "--top 1 shows only the slowest"
    );
}

#[test]
fn trace_selects_one_trace_and_an_unknown_one_is_an_error() {
    let path = write("select.json", &traces(true));
    let file = path.to_str().expect("utf-8 path");
    let fast = format!("{FAST:032x}");
    let run = report(&[file, "--trace", &fast, "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json: Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(json["traces"].as_array().map(Vec::len), Some(1));
    assert_eq!(json["traces"][0]["trace_id"], fast.as_str());
    let missing = report(&[file, "--trace", "00000000000000000000000000000abc"]);
    assert_eq!(missing.code, 2);
    assert!(
        missing
            .stderr
            .contains("trace 00000000000000000000000000000abc is not in the input"),
        "{}",
        missing.stderr
    );
}

#[test]
fn unreadable_input_exits_two_naming_the_file() {
    let missing = std::env::temp_dir().join("spindle-report-no-such-file.json");
    let missing = missing.to_str().expect("utf-8 path");
    let run = report(&[missing]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains(missing), "{}", run.stderr);
    assert!(
        run.stderr.contains("no input could be read"),
        "{}",
        run.stderr
    );
    let garbage = std::env::temp_dir().join(format!(
        "spindle-report-garbage-{}.json",
        std::process::id()
    ));
    std::fs::write(&garbage, b"this is not a trace").expect("write");
    let garbage = garbage.to_str().expect("utf-8 path");
    let run = report(&[garbage, "--json"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains(garbage), "{}", run.stderr);
    assert!(run.stdout.is_empty());
}

#[test]
fn one_unreadable_file_among_good_ones_is_reported_and_skipped() {
    let good = write("good.json", &traces(false));
    let missing = std::env::temp_dir().join("spindle-report-also-missing.json");
    let run = report(&[
        good.to_str().expect("utf-8 path"),
        missing.to_str().expect("utf-8 path"),
        "--json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("spindle-report-also-missing.json"),
        "{}",
        run.stderr
    );
    let json: Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(json["traces"].as_array().map(Vec::len), Some(2));
}

#[test]
fn bad_arguments_exit_two_with_the_usage() {
    for args in [
        &[][..],
        &["x.json", "--top"],
        &["x.json", "--fail-on", "errors"],
        &["x.json", "--frobnicate"],
    ] {
        let run = report(args);
        assert_eq!(run.code, 2, "{args:?}");
        assert!(
            run.stderr.contains("usage: spindle-viewer report"),
            "{args:?}: {}",
            run.stderr
        );
    }
    let help = report(&["--help"]);
    assert_eq!(help.code, 0);
    assert!(help.stdout.contains("--fail-on n+1"));
}
