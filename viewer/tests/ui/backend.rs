//! Opening traces from fake backends on 127.0.0.1 (by the API and through File > Open from
//! backend…): each fetched trace joins the open document and is opened; a backend that
//! cannot be reached is said in the banner.

use std::sync::Arc;
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use spindle_formats::write_zipkin;
use spindle_viewer::ViewerApp;
use spindle_viewer::backends::{Backend, Target};
use spindle_viewer::eframe::egui::{Key, Modifiers};
use spindle_viewer::fixture;

/// Serves `routes` (path, body; the query is not compared) with 200, everything else 404, until the server is dropped.
pub(crate) fn serve(routes: Vec<(String, Vec<u8>)>) -> (String, Arc<tiny_http::Server>) {
    let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").expect("bind"));
    let port = server.server_addr().to_ip().expect("ip").port();
    let thread_server = Arc::clone(&server);
    std::thread::spawn(move || {
        for request in thread_server.incoming_requests() {
            let path = request.url().split('?').next().unwrap_or("").to_string();
            let found = routes.iter().find(|(p, _)| *p == path);
            let response = match found {
                Some((_, body)) => tiny_http::Response::from_data(body.clone()),
                None => tiny_http::Response::from_data(b"not found".to_vec()).with_status_code(404),
            };
            let _ = request.respond(response);
        }
    });
    (format!("http://127.0.0.1:{port}"), server)
}

pub(crate) fn wait_fetched(harness: &mut Harness<'static, ViewerApp>) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while harness.state().is_fetching() {
        assert!(Instant::now() < deadline, "the fetch did not finish");
        std::thread::sleep(Duration::from_millis(10));
        harness.step();
    }
    harness.run_steps(3);
}

fn target(url: &str) -> Target {
    Target {
        url: url.to_string(),
        kind: None,
        auth: None,
        ..Target::default()
    }
}

#[test]
fn traces_opened_one_after_another_join_the_document() {
    let shop = fixture::shop();
    let mut bytes = Vec::new();
    write_zipkin(&shop, &mut bytes).expect("write");
    let shop_id = format!("{:032x}", shop.spans[0].trace_id.0);
    let shop_spans = shop
        .spans
        .iter()
        .filter(|s| s.trace_id == shop.spans[0].trace_id)
        .count();
    // The golden Zipkin file (two traces) with its main trace under an id the shop fixture
    // does not use.
    let golden = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../formats/tests/data/zipkin-otel.json"
    ))
    .expect("golden");
    let other_id = "0af7651916cd43dd8448eb211c80319c";
    let other = golden
        .replace("4bf92f3577b34da6a3ce929d0e0e4736", other_id)
        .into_bytes();
    let routes = vec![
        ("/api/v2/services".to_string(), b"[\"frontend\"]".to_vec()),
        (format!("/api/v2/trace/{shop_id}"), bytes),
        (format!("/api/v2/trace/{other_id}"), other),
    ];
    let (url, server) = serve(routes);
    let mut harness = Harness::builder()
        .with_size([1280.0, 800.0])
        .build_eframe(|cc| ViewerApp::new(cc, Vec::new()));
    harness
        .state_mut()
        .open_from_backend(target(&url), Some(shop_id.clone()));
    harness.step();
    harness.get_by_label_contains(&format!("Fetching trace {shop_id} from {url}"));
    wait_fetched(&mut harness);
    harness.get_by_label_contains(&format!("Opened trace {shop_id} from {}", Backend::Zipkin));
    let mut shop_traces: Vec<_> = shop.spans.iter().map(|s| s.trace_id).collect();
    shop_traces.sort_unstable();
    shop_traces.dedup();
    assert_eq!(
        harness.state().document().index.traces.len(),
        shop_traces.len()
    );
    harness
        .state_mut()
        .open_from_backend(target(&url), Some(other_id.to_string()));
    wait_fetched(&mut harness);
    let state = harness.state();
    assert!(
        state.backend_error().is_none(),
        "{:?}",
        state.backend_error()
    );
    assert!(
        state
            .status
            .contains(&format!("Opened trace {other_id} from Zipkin")),
        "{} {:?}",
        state.status,
        state.backend_error()
    );
    let app = harness.state();
    assert_eq!(
        app.document().index.traces.len(),
        shop_traces.len() + 2,
        "the second fetch joined the first"
    );
    let open = app
        .focus
        .trace
        .map(|t| app.document().index.traces[t].trace_id.0);
    assert_eq!(
        open,
        u128::from_str_radix(other_id, 16).ok(),
        "the fetched trace is open"
    );
    let shop_trace = app
        .document()
        .index
        .trace_index(shop.spans[0].trace_id)
        .expect("still there");
    assert_eq!(
        app.document().index.traces[shop_trace].span_count,
        shop_spans
    );
    // The same trace again: nothing is added, and the status says so.
    harness
        .state_mut()
        .open_from_backend(target(&url), Some(other_id.to_string()));
    wait_fetched(&mut harness);
    harness.get_by_label_contains(&format!("Trace {other_id} from Zipkin is already open"));
    assert_eq!(
        harness.state().document().index.traces.len(),
        shop_traces.len() + 2
    );
    server.unblock();
}

#[test]
fn an_unreachable_backend_is_said_in_the_banner_until_dismissed() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let mut harness = Harness::builder()
        .with_size([1280.0, 800.0])
        .build_eframe(|cc| ViewerApp::new(cc, Vec::new()));
    harness
        .state_mut()
        .open_from_backend(target(&url), Some("abc".into()));
    wait_fetched(&mut harness);
    harness.get_by_label_contains(&format!("cannot reach {url}/api/echo"));
    harness.get_by_label("Dismiss").click();
    harness.run_steps(2);
    assert!(harness.query_by_label_contains("cannot reach").is_none());
    assert!(harness.state().document().data.spans.is_empty());
}

#[test]
fn the_open_from_backend_dialog_fetches_the_trace_typed() {
    let body = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../formats/tests/data/tempo-v2.json"
    ))
    .expect("golden");
    let id = "4bf92f3577b34da6a3ce929d0e0e4736";
    let routes = vec![
        ("/api/echo".to_string(), b"echo".to_vec()),
        (format!("/api/v2/traces/{id}"), body),
    ];
    let (url, server) = serve(routes);
    let mut harness = Harness::builder()
        .with_size([1280.0, 800.0])
        .build_eframe(|cc| ViewerApp::new(cc, Vec::new()));
    harness.get_by_label("File").click();
    harness.run_steps(2);
    harness.get_by_label("Open from backend…").click();
    harness.run_steps(2);
    harness.get_by_label("Open trace").click();
    harness.run_steps(2);
    harness.get_by_label("Enter the id of the trace to open.");
    harness.get_by_label("Base URL").focus();
    harness.run_steps(1);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    harness.get_by_label("Base URL").type_text(&url);
    harness.get_by_label("Trace id").focus();
    harness.run_steps(1);
    harness.get_by_label("Trace id").type_text(id);
    harness.run_steps(1);
    assert_eq!(harness.state().backend_dialog.url, url);
    harness.get_by_label("Open trace").click();
    harness.run_steps(2);
    wait_fetched(&mut harness);
    assert!(!harness.state().backend_dialog.open, "the dialog closed");
    harness.get_by_label_contains(&format!("Opened trace {id} from Tempo"));
    let app = harness.state();
    let open = app
        .focus
        .trace
        .map(|t| app.document().index.traces[t].trace_id.0);
    assert_eq!(open, u128::from_str_radix(id, 16).ok());
    server.unblock();
}

#[test]
fn a_fetched_trace_stays_when_a_file_is_added() {
    let shop = fixture::shop();
    let mut bytes = Vec::new();
    write_zipkin(&shop, &mut bytes).expect("write");
    let shop_id = format!("{:032x}", shop.spans[0].trace_id.0);
    let routes = vec![
        ("/api/v2/services".to_string(), b"[\"frontend\"]".to_vec()),
        (format!("/api/v2/trace/{shop_id}"), bytes),
    ];
    let (url, _server) = serve(routes);
    let mut harness = Harness::builder()
        .with_size([1280.0, 800.0])
        .build_eframe(|cc| ViewerApp::new(cc, Vec::new()));
    harness
        .state_mut()
        .open_from_backend(target(&url), Some(shop_id));
    wait_fetched(&mut harness);
    let fetched = harness.state().document().data.spans.len();
    assert!(fetched > 0);
    let file = fixture::many_traces(2, 3);
    let path = std::env::temp_dir().join(format!("spindle-fetch-add-{}.jsonl", std::process::id()));
    let mut out = Vec::new();
    spindle_formats::write_spindle_json(&file, &mut out).expect("write");
    std::fs::write(&path, out).expect("write file");
    harness.state_mut().add(vec![path]);
    let deadline = Instant::now() + Duration::from_secs(20);
    while harness.state().is_loading() {
        assert!(Instant::now() < deadline, "the file did not load");
        std::thread::sleep(Duration::from_millis(10));
        harness.step();
    }
    harness.run_steps(2);
    let spans = harness.state().document().data.spans.len();
    assert_eq!(
        spans,
        fetched + file.spans.len(),
        "the fetched trace is still open"
    );
}
