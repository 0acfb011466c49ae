//! `spindle-viewer collect`: the binary listens, writes what arrives batch by batch to a file
//! that `spindle-formats` reads while it grows, and on SIGTERM flushes and exits 0.
#![allow(clippy::unwrap_used)]

mod receive_common;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use receive_common::*;

/// Reads the child's stderr on a thread; returns the listening addresses as they appear.
fn watch(stderr: std::process::ChildStderr) -> mpsc::Receiver<String> {
    let (send, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if send.send(line).is_err() {
                break;
            }
        }
    });
    lines
}

fn listening_on(lines: &mpsc::Receiver<String>, endpoint: &str) -> SocketAddr {
    let prefix = format!("collect: {endpoint} receiver listening on ");
    loop {
        let line = lines.recv_timeout(Duration::from_secs(20)).unwrap();
        if let Some(addr) = line.strip_prefix(&prefix) {
            return addr.parse().unwrap();
        }
    }
}

fn spans_in(path: &std::path::Path) -> usize {
    spindle_formats::read_file(path).map_or(0, |l| l.data.spans.len())
}

#[test]
fn collect_writes_a_file_as_spans_arrive_and_exits_0_on_sigterm() {
    let dir = std::env::temp_dir().join(format!("spindle-collect-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("captured.jsonl");
    let mut child = Command::new(env!("CARGO_BIN_EXE_spindle-viewer"))
        .args([
            "collect",
            "--listen",
            "127.0.0.1:0",
            "--zipkin",
            "127.0.0.1:0",
            "-o",
        ])
        .arg(&out)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = watch(child.stderr.take().unwrap());
    let otlp = listening_on(&lines, "OTLP");
    let zipkin = listening_on(&lines, "Zipkin");

    let reply = post(
        otlp,
        "/v1/traces",
        "application/json",
        otlp_body().as_bytes(),
    );
    assert_eq!(reply.status, 200);
    // The file holds the batch while collect still runs (a viewer can tail it).
    let deadline = Instant::now() + Duration::from_secs(10);
    while spans_in(&out) < 2 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(spans_in(&out), 2);
    let reply = post(
        zipkin,
        "/api/v2/spans",
        "application/json",
        zipkin_body().as_bytes(),
    );
    assert_eq!(reply.status, 202);
    assert_eq!(post(otlp, "/v1/traces", "text/xml", b"<x/>").status, 415);

    // The status line a second says what was received and refused.
    let status = loop {
        let line = lines.recv_timeout(Duration::from_secs(5)).unwrap();
        if line.contains("4 spans") {
            break line;
        }
    };
    assert!(
        status.contains("1 refused (1 unsupported type)"),
        "{status}"
    );

    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let exit = child.wait().unwrap();
    assert_eq!(exit.code(), Some(0));
    let loaded = spindle_formats::read_file(&out).unwrap();
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    assert_eq!(loaded.format, spindle_formats::Format::Spindle);
    let data = loaded.data;
    assert_eq!(data.spans.len(), 4);
    let with_parent = data
        .spans
        .iter()
        .filter(|s| s.parent_span_id.is_some())
        .count();
    assert_eq!(with_parent, 2);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn collect_writes_chrome_once_on_exit() {
    let dir = std::env::temp_dir().join(format!("spindle-collect-chrome-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("captured.chrome.json");
    let mut child = Command::new(env!("CARGO_BIN_EXE_spindle-viewer"))
        .args([
            "collect",
            "--listen=127.0.0.1:0",
            "--no-zipkin",
            "--format",
            "chrome",
            "-o",
        ])
        .arg(&out)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = watch(child.stderr.take().unwrap());
    let otlp = listening_on(&lines, "OTLP");
    assert_eq!(
        post(
            otlp,
            "/v1/traces",
            "application/json",
            otlp_body().as_bytes()
        )
        .status,
        200
    );
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    assert!(kill.unwrap().success());
    assert_eq!(child.wait().unwrap().code(), Some(0));
    let written: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let events = written["traceEvents"].as_array().unwrap();
    assert!(events.iter().any(|e| e["name"] == "SELECT"), "{written}");
    let _ = std::fs::remove_dir_all(&dir);
}
