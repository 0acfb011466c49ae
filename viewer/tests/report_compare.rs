//! `spindle-viewer report --compare A B`: the binary run on files written for the test, A and
//! B in different formats.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;
use spindle_formats::{KeyValue, Resource, ResourceIndex, Span, SpanId, TraceData, TraceId};

const BASE: u64 = 1_700_000_000_000_000_000;
const US: u64 = 1_000;

fn span(trace: u128, id: u64, parent: Option<u64>, (start, end): (u64, u64), name: &str) -> Span {
    Span {
        trace_id: TraceId(trace),
        span_id: SpanId(id),
        parent_span_id: parent.map(SpanId),
        name: name.to_string().into(),
        start_unix_nanos: BASE + start * US,
        end_unix_nanos: BASE + end * US,
        resource: ResourceIndex(0),
        ..Span::default()
    }
}

/// One trace: `GET /orders` on api making `selects` queries of `query_us` on db, and with
/// `cache` a cache lookup.
fn order_trace(trace: u128, root_us: u64, selects: u64, query_us: u64, cache: bool) -> Vec<Span> {
    let mut spans = vec![span(trace, 1, None, (0, root_us), "GET /orders")];
    spans.extend((0..selects).map(|k| Span {
        resource: ResourceIndex(1),
        ..span(
            trace,
            10 + k,
            Some(1),
            (10 + 300 * k, 10 + 300 * k + query_us),
            "SELECT",
        )
    }));
    if cache {
        spans.push(Span {
            resource: ResourceIndex(2),
            ..span(trace, 2, Some(1), (root_us - 20, root_us - 10), "GET")
        });
    }
    spans
}

fn data(spans: Vec<Span>) -> TraceData {
    TraceData {
        resources: ["api", "db", "cache"]
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

enum Codec {
    OtlpJson,
    Zipkin,
    Spindle,
}

fn write(name: &str, data: &TraceData, codec: Codec) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("spindle-compare-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    let mut bytes = Vec::new();
    match codec {
        Codec::OtlpJson => spindle_formats::write_otlp_json(data, &mut bytes),
        Codec::Zipkin => spindle_formats::write_zipkin(data, &mut bytes),
        Codec::Spindle => spindle_formats::write_spindle_json(data, &mut bytes),
    }
    .expect("encode");
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

/// A: 1000 µs, two 100 µs queries (OTLP JSON); B: 1500 µs, three 200 µs queries and a cache
/// lookup (Zipkin).
/// Each test writes its own pair of files (`name`): the tests run in parallel.
fn pair(name: &str) -> (String, String) {
    let a = write(
        &format!("{name}-a.json"),
        &data(order_trace(1, 1000, 2, 100, false)),
        Codec::OtlpJson,
    );
    let b = write(
        &format!("{name}-b.json"),
        &data(order_trace(2, 1500, 3, 200, true)),
        Codec::Zipkin,
    );
    let s = |p: PathBuf| p.to_str().expect("utf-8 path").to_string();
    (s(a), s(b))
}

fn path_of(entry: &Value) -> Vec<String> {
    entry["path"]
        .as_array()
        .map(|steps| {
            steps
                .iter()
                .map(|s| {
                    format!(
                        "{}: {}",
                        s["service"].as_str().unwrap_or("?"),
                        s["operation"].as_str().unwrap_or("?")
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn two_traces_in_different_formats_compare_by_call_path_as_json() {
    let (a, b) = pair("json");
    let run = report(&["--compare", &a, &b, "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json: Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(
        keys(&json),
        [
            "a",
            "b",
            "call_paths",
            "duration_change_percent",
            "mode",
            "spans"
        ]
    );
    assert_eq!(json["mode"], "traces");
    assert_eq!(
        keys(&json["a"]),
        ["file", "mean_duration_ns", "spans", "traces"]
    );
    assert_eq!(json["a"]["spans"], 3);
    assert_eq!(json["b"]["spans"], 5);
    assert_eq!(json["duration_change_percent"], 50.0);
    assert_eq!(json["spans"]["matched"], 3);
    assert_eq!(json["spans"]["added"], 2);
    assert_eq!(json["spans"]["removed"], 0);
    let paths = json["call_paths"].as_array().expect("call paths");
    // Biggest change of total time first: the root (+500 µs), the queries (+400 µs), the cache.
    let listed: Vec<Vec<String>> = paths.iter().map(path_of).collect();
    assert_eq!(
        listed,
        [
            vec!["api: GET /orders".to_string()],
            vec!["api: GET /orders".to_string(), "db: SELECT".to_string()],
            vec!["api: GET /orders".to_string(), "cache: GET".to_string()],
        ]
    );
    let select = &paths[1];
    assert_eq!(
        keys(select),
        [
            "a",
            "b",
            "calls_ratio",
            "path",
            "self_change_ns",
            "status",
            "total_change_ns"
        ]
    );
    assert_eq!(
        keys(&select["a"]),
        ["calls", "mean_ns", "self_ns", "total_ns"]
    );
    assert_eq!(select["status"], "changed");
    assert_eq!(select["a"]["calls"], 2.0);
    assert_eq!(select["b"]["calls"], 3.0);
    assert_eq!(select["calls_ratio"], 1.5);
    assert_eq!(select["a"]["mean_ns"], 100_000.0);
    assert_eq!(select["b"]["mean_ns"], 200_000.0);
    assert_eq!(select["total_change_ns"], 400_000.0);
    assert_eq!(paths[2]["status"], "added");
    assert_eq!(paths[2]["calls_ratio"], Value::Null);
}

#[test]
fn fail_on_slower_exits_1_only_past_the_percentage() {
    let (a, b) = pair("fail");
    let slower = report(&["--compare", &a, &b, "--fail-on", "slower:40"]);
    assert_eq!(slower.code, 1, "{}", slower.stderr);
    let within = report(&["--compare", &a, &b, "--fail-on", "slower:60"]);
    assert_eq!(within.code, 0, "{}", within.stderr);
    // B against itself is not slower; A against B is faster.
    assert_eq!(
        report(&["--compare", &b, &a, "--fail-on", "slower:0"]).code,
        0
    );
}

#[test]
fn text_lists_changed_added_and_removed_call_paths() {
    let (a, b) = pair("text");
    let run = report(&["--compare", &a, &b]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = &run.stdout;
    assert!(out.contains("B against A: +50.0%"), "{out}");
    assert!(
        out.contains("spans: 3 matched, 2 added, 0 removed"),
        "{out}"
    );
    let select = out
        .lines()
        .find(|l| l.ends_with("api: GET /orders > db: SELECT"))
        .unwrap_or_default();
    assert!(select.contains("calls 2 → 3"), "{out}");
    assert!(select.contains("+400.0 µs"), "{out}");
    assert!(out.contains("added call paths: 1\n"), "{out}");
    assert!(out.contains("api: GET /orders > cache: GET"), "{out}");
    assert!(out.contains("removed call paths: 0"), "{out}");
}

#[test]
fn files_with_several_traces_compare_as_sets_per_trace() {
    let mut a = order_trace(1, 1000, 1, 100, false);
    a.extend(order_trace(2, 1000, 1, 100, false));
    let mut b = order_trace(3, 1000, 3, 100, false);
    b.extend(order_trace(4, 1000, 3, 100, false));
    b.extend(order_trace(5, 1000, 3, 100, false));
    let a = write("set-a.jsonl", &data(a), Codec::Spindle);
    let b = write("set-b.json", &data(b), Codec::OtlpJson);
    let run = report(&[
        "--compare",
        a.to_str().expect("utf-8"),
        b.to_str().expect("utf-8"),
        "--json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json: Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(json["mode"], "sets");
    assert_eq!(json["spans"], Value::Null);
    assert_eq!(
        (json["a"]["traces"].clone(), json["b"]["traces"].clone()),
        (2.into(), 3.into())
    );
    let select = &json["call_paths"][0];
    assert_eq!(
        path_of(select).last().map(String::as_str),
        Some("db: SELECT")
    );
    // Three times the calls per trace, each as fast as before.
    assert_eq!(select["calls_ratio"], 3.0);
    assert_eq!(select["a"]["mean_ns"], select["b"]["mean_ns"]);
    assert_eq!(json["duration_change_percent"], 0.0);
}

#[test]
fn bad_arguments_and_unreadable_files_exit_2_with_a_reason() {
    let (a, b) = pair("bad");
    let one = report(&["--compare", &a]);
    assert_eq!(one.code, 2);
    assert!(one.stderr.contains("two files"), "{}", one.stderr);
    let missing = report(&["--compare", &a, "/nonexistent/b.json"]);
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.contains("B (/nonexistent/b.json)"),
        "{}",
        missing.stderr
    );
    let bad = report(&["--compare", &a, &b, "--fail-on", "n+1"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("slower:PCT"), "{}", bad.stderr);
    let help = report(&["--compare", "--help"]);
    assert_eq!(help.code, 0);
    assert!(
        help.stdout.contains("--fail-on slower:PCT"),
        "{}",
        help.stdout
    );
}
