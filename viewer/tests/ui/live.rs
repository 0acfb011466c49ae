//! Receiving while the viewer runs: spans posted over OTLP/HTTP and Zipkin appear in the
//! list within a second, a trace without its root is shown in progress, pause holds the view
//! still, a port in use is said, and File > Save as writes what arrived.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use spindle_formats::{Format, TraceData, write_otlp_proto, write_zipkin};
use spindle_viewer::ViewerApp;
use spindle_viewer::fixture;
use spindle_viewer::receive::{Endpoint, ReceiveConfig};

use super::temp_dir;

fn config(otlp: &str) -> ReceiveConfig {
    ReceiveConfig {
        otlp: otlp.parse().ok(),
        zipkin: "127.0.0.1:0".parse().ok(),
        ..ReceiveConfig::default()
    }
}

fn live_app(config: ReceiveConfig) -> Harness<'static, ViewerApp> {
    let mut harness = Harness::builder()
        .with_size([1280.0, 800.0])
        .build_eframe(move |cc| {
            let mut app = ViewerApp::new(cc, Vec::new());
            app.listen(config);
            app
        });
    harness.run_steps(2);
    harness
}

fn addr(harness: &Harness<'static, ViewerApp>, endpoint: Endpoint) -> SocketAddr {
    let live = harness.state().live().expect("receiving");
    live.receiver()
        .local_addr(endpoint)
        .expect("the endpoint listens")
}

/// Posts a body and returns the status code.
fn post(addr: SocketAddr, path: &str, content_type: &str, body: &[u8]) -> u16 {
    let mut stream = TcpStream::connect(addr).expect("connect");
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: {content_type}\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).expect("send");
    stream.write_all(body).expect("send");
    let mut reply = String::new();
    let _ = stream.read_to_string(&mut reply);
    reply
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0)
}

fn post_otlp(harness: &Harness<'static, ViewerApp>, data: &TraceData) {
    let mut body = Vec::new();
    write_otlp_proto(data, &mut body).expect("encode");
    let status = post(
        addr(harness, Endpoint::Otlp),
        "/v1/traces",
        "application/x-protobuf",
        &body,
    );
    assert_eq!(status, 200);
}

fn post_zipkin(harness: &Harness<'static, ViewerApp>, data: &TraceData) {
    let mut body = Vec::new();
    write_zipkin(data, &mut body).expect("encode");
    let status = post(
        addr(harness, Endpoint::Zipkin),
        "/api/v2/spans",
        "application/json",
        &body,
    );
    assert_eq!(status, 202);
}

/// Runs frames (in real time: the feed applies a few times a second) until `done`.
fn step_until(
    harness: &mut Harness<'static, ViewerApp>,
    what: &str,
    done: impl Fn(&Harness<'static, ViewerApp>) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done(harness) {
        assert!(Instant::now() < deadline, "never happened: {what}");
        std::thread::sleep(Duration::from_millis(20));
        harness.step();
    }
    harness.run_steps(2);
}

fn has_label(harness: &Harness<'static, ViewerApp>, label: &str) -> bool {
    harness.query_by_label_contains(label).is_some()
}

/// The /checkout trace of the shop fixture, split into its root and the rest.
fn checkout() -> (TraceData, TraceData) {
    let shop = fixture::shop();
    let root = shop
        .spans
        .iter()
        .find(|s| s.parent_span_id.is_none() && s.name.as_ref() == "GET /checkout")
        .expect("the checkout root")
        .clone();
    let mut children = shop.clone();
    children
        .spans
        .retain(|s| s.trace_id == root.trace_id && s.parent_span_id.is_some());
    let mut roots = shop;
    roots.spans = vec![root];
    (roots, children)
}

#[test]
fn received_spans_join_their_trace_and_the_strip_counts_them() {
    let mut harness = live_app(config("127.0.0.1:0"));
    harness.get_by_label_contains("0 spans received");
    let (root, children) = checkout();
    post_otlp(&harness, &children);
    step_until(&mut harness, "children listed in progress", |h| {
        has_label(h, "(in progress)")
    });
    let n = children.spans.len();
    harness.get_by_label_contains(&format!("{n} spans received"));
    // The root comes last, from another protocol: the trace is complete and one trace.
    post_zipkin(&harness, &root);
    step_until(&mut harness, "the root arrived", |h| {
        has_label(h, "frontend: GET /checkout") && !has_label(h, "(in progress)")
    });
    let app = harness.state();
    assert_eq!(app.document().index.traces.len(), 1);
    assert_eq!(app.document().index.orphan_count, 0);
    assert_eq!(app.document().data.spans.len(), n + 1);
    let open = app
        .focus
        .current(app.document())
        .expect("following the newest trace");
    assert_eq!(open.span_count, n + 1);
}

#[test]
fn pause_holds_the_view_while_spans_wait() {
    let mut harness = live_app(config("127.0.0.1:0"));
    harness.get_by_label("Pause").click();
    harness.run_steps(1);
    post_otlp(&harness, &fixture::shop());
    step_until(&mut harness, "spans waiting", |h| has_label(h, "waiting"));
    std::thread::sleep(Duration::from_millis(400));
    harness.run_steps(3);
    assert!(harness.state().document().data.spans.is_empty(), "paused");
    harness.get_by_label("Pause").click();
    step_until(&mut harness, "spans shown after resuming", |h| {
        !h.state().document().data.spans.is_empty()
    });
    assert_eq!(
        harness.state().document().data.spans.len(),
        fixture::shop().spans.len()
    );
}

#[test]
fn a_port_in_use_is_said_and_the_other_listener_serves() {
    let taken = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port();
    let mut harness = live_app(config(&format!("127.0.0.1:{port}")));
    harness.get_by_label_contains("the port is in use");
    post_zipkin(&harness, &fixture::shop());
    step_until(&mut harness, "zipkin spans", |h| {
        !h.state().document().data.spans.is_empty()
    });
}

#[test]
fn save_as_writes_what_was_received_and_stop_keeps_it() {
    let mut harness = live_app(config("127.0.0.1:0"));
    let shop = fixture::shop();
    post_otlp(&harness, &shop);
    step_until(&mut harness, "spans arrived", |h| {
        h.state().document().data.spans.len() == shop.spans.len()
    });
    harness.get_by_label("Stop receiving").click();
    harness.run_steps(2);
    assert!(harness.state().live().is_none());
    harness.get_by_label("Receive spans");
    let path = temp_dir("live-save").join("received.binpb");
    harness.state_mut().save_as(Format::OtlpProto, &path);
    step_until(&mut harness, "saved", |h| !h.state().is_saving());
    let back = spindle_formats::read_file(&path).expect("read back");
    assert_eq!(back.format, Format::OtlpProto);
    assert_eq!(back.data.spans.len(), shop.spans.len());
    let saved = format!("Saved {} spans", shop.spans.len());
    harness.run_steps(1);
    harness.get_by_label_contains(&saved);
}

#[test]
fn saving_a_large_document_keeps_frames_coming_and_says_how_it_went() {
    let dir = temp_dir("save-large");
    let big = fixture::many_traces(2_000, 50);
    let opened = dir.join("big.spindle.jsonl");
    let mut bytes = Vec::new();
    spindle_formats::write_spindle_json(&big, &mut bytes).expect("write");
    std::fs::write(&opened, &bytes).expect("write file");
    let mut harness = Harness::builder()
        .with_size([1280.0, 800.0])
        .build_eframe(move |cc| ViewerApp::new(cc, vec![opened]));
    step_until(&mut harness, "loaded", |h| {
        !h.state().is_loading() && h.state().document().data.spans.len() == big.spans.len()
    });
    let path = dir.join("saved.otlp.json");
    harness.state_mut().save_as(Format::Otlp, &path);
    let (mut frames, mut said_saving) = (0, false);
    while harness.state().is_saving() {
        said_saving |= has_label(&harness, "Saving");
        harness.step();
        frames += 1;
        assert!(frames < 5_000, "the save never ended");
    }
    assert!(frames >= 2, "the save spread over frames ({frames})");
    assert!(said_saving, "the status line said it was saving");
    harness.run_steps(1);
    harness.get_by_label_contains("Saved 100,000 spans");
    let back = spindle_formats::read_file(&path).expect("read back");
    assert_eq!(back.data.spans.len(), big.spans.len());
    // A folder that does not exist is said in plain words.
    let nowhere = dir.join("no such folder").join("x.binpb");
    harness.state_mut().save_as(Format::OtlpProto, &nowhere);
    step_until(&mut harness, "refused", |h| !h.state().is_saving());
    harness.get_by_label_contains("does not exist");
}

#[test]
fn lines_appended_to_an_open_file_join_without_a_reload() {
    let dir = temp_dir("tail");
    let shop = fixture::shop();
    let (root, children) = checkout();
    let path = dir.join("growing.spindle.jsonl");
    let mut bytes = Vec::new();
    spindle_formats::write_spindle_json(&children, &mut bytes).expect("write");
    std::fs::write(&path, &bytes).expect("write file");
    let opened = path.clone();
    let mut harness = Harness::builder()
        .with_size([1280.0, 800.0])
        .build_eframe(move |cc| {
            let mut app = ViewerApp::new(cc, vec![opened]);
            app.watch_interval = Duration::from_millis(20);
            app
        });
    step_until(&mut harness, "loaded", |h| {
        !h.state().is_loading() && !h.state().document().data.spans.is_empty()
    });
    let before = harness.state().document().data.spans.len();
    // The program appends a line with the root, and half of a next line.
    let mut line = Vec::new();
    spindle_formats::write_spindle_json(&root, &mut line).expect("write");
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .expect("open");
    file.write_all(&line).expect("append");
    file.write_all(&line[..line.len() / 2])
        .expect("append half");
    drop(file);
    step_until(&mut harness, "the appended line joined", |h| {
        h.state().document().data.spans.len() == before + 1
    });
    harness.get_by_label_contains("1 spans appended");
    let app = harness.state();
    assert!(!app.is_loading(), "no reload");
    assert_eq!(app.document().index.traces.len(), 1);
    assert_eq!(
        app.document().index.orphan_count,
        0,
        "the root joined its trace"
    );
    assert_eq!(app.document().files[0].spans, before + 1);
    assert!(shop.spans.len() > before);
}

#[test]
fn adding_a_file_keeps_what_was_received() {
    let mut harness = live_app(config("127.0.0.1:0"));
    let (root, children) = checkout();
    post_otlp(&harness, &children);
    step_until(&mut harness, "children arrived", |h| {
        !h.state().document().data.spans.is_empty()
    });
    let received = children.spans.len();
    let path = temp_dir("live-add").join("root.spindle.json");
    let mut bytes = Vec::new();
    spindle_formats::write_spindle_json(&root, &mut bytes).expect("write");
    std::fs::write(&path, bytes).expect("write file");
    harness.state_mut().add(vec![path]);
    step_until(&mut harness, "the file merged", |h| {
        !h.state().is_loading() && h.state().document().data.spans.len() == received + 1
    });
    let doc = harness.state().document();
    assert_eq!(doc.received, received, "the received spans are still there");
    assert_eq!(doc.index.traces.len(), 1);
    assert_eq!(
        doc.index.orphan_count, 0,
        "the file's root joined the received children"
    );
}

#[test]
fn a_file_trace_without_its_root_is_not_in_progress_while_receiving() {
    let path = temp_dir("live-orphans").join("orphans.spindle.json");
    let mut bytes = Vec::new();
    spindle_formats::write_spindle_json(&fixture::orphans(), &mut bytes).expect("write");
    std::fs::write(&path, bytes).expect("write file");
    let mut harness = live_app(config("127.0.0.1:0"));
    harness.state_mut().open(vec![path]);
    step_until(&mut harness, "the file loaded", |h| {
        !h.state().is_loading() && !h.state().document().data.spans.is_empty()
    });
    assert!(harness.state().document().index.orphan_count > 0);
    assert!(
        !has_label(&harness, "(in progress)"),
        "the file is complete as it is"
    );
    let (_, children) = checkout();
    post_otlp(&harness, &children);
    step_until(&mut harness, "received children in progress", |h| {
        has_label(h, "(in progress)")
    });
}
