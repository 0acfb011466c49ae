//! Finding traces through File > Open from backend… against a fake Jaeger v2 on 127.0.0.1:
//! the results are rows of the trace list (service, operation, span count as Jaeger
//! reported), a click fetches that trace in the background and opens it, a trace already
//! fetched opens at once, and a fetch that fails says why in its row.

use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use spindle_formats::{TraceData, TraceId, write_otlp_json};
use spindle_viewer::ViewerApp;
use spindle_viewer::eframe::egui::{Key, Modifiers};
use spindle_viewer::fixture;

use super::backend::{serve, wait_fetched};

/// Jaeger v3's `{"result": OTLP/JSON}` with the spans of `traces` (all when empty).
fn v3_answer(data: &TraceData, traces: &[TraceId]) -> Vec<u8> {
    let kept = TraceData {
        spans: data
            .spans
            .iter()
            .filter(|s| traces.is_empty() || traces.contains(&s.trace_id))
            .cloned()
            .collect(),
        ..data.clone()
    };
    let mut otlp = Vec::new();
    write_otlp_json(&kept, &mut otlp).expect("write");
    [b"{\"result\":".as_slice(), &otlp, b"}"].concat()
}

fn open_trace_id(harness: &Harness<'static, ViewerApp>) -> Option<u128> {
    let app = harness.state();
    app.focus
        .trace
        .map(|t| app.document().index.traces[t].trace_id.0)
}

#[test]
fn found_traces_are_listed_and_a_click_fetches_and_opens_one() {
    let shop = fixture::shop();
    let checkout = shop.spans[0].trace_id;
    let products = shop
        .spans
        .iter()
        .map(|s| s.trace_id)
        .find(|&t| t != checkout)
        .expect("two traces");
    // The search finds both; only the checkout trace can be fetched (products: 404).
    let routes = vec![
        (
            "/api/services".to_string(),
            br#"{"data":["frontend"]}"#.to_vec(),
        ),
        ("/api/v3/traces".to_string(), v3_answer(&shop, &[])),
        (
            format!("/api/v3/traces/{:032x}", checkout.0),
            v3_answer(&shop, &[checkout]),
        ),
    ];
    let (url, server) = serve(routes);
    let mut harness = Harness::builder()
        .with_size([1280.0, 800.0])
        .build_eframe(|cc| ViewerApp::new(cc, Vec::new()));
    harness.get_by_label("File").click();
    harness.run_steps(2);
    harness.get_by_label("Open from backend…").click();
    harness.run_steps(2);
    harness.get_by_label("Base URL").focus();
    harness.run_steps(1);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    harness.get_by_label("Base URL").type_text(&url);
    harness.get_by_label("Find service").focus();
    harness.run_steps(1);
    harness.get_by_label("Find service").type_text("frontend");
    harness.run_steps(1);
    harness.get_by_label("Find traces").click();
    let deadline = Instant::now() + Duration::from_secs(20);
    while harness.state().list.found.is_none() {
        assert!(
            Instant::now() < deadline,
            "no results: {:?}",
            harness.state().backend_dialog.error
        );
        std::thread::sleep(Duration::from_millis(10));
        harness.step();
    }
    harness.run_steps(2);
    // The dialog says where they are; the list's heading says where they came from.
    harness.get_by_label(&format!(
        "Found 2 traces in Jaeger at {url}: listed in the trace list."
    ));
    harness.get_by_label(&format!("Found 2 traces in Jaeger at {url}"));
    // Rows in the trace list, with the span counts of Jaeger's answer; nothing fetched yet.
    harness
        .get_by_label_contains("frontend: GET /checkout")
        .hover();
    let checkout_row = format!("frontend: GET /checkout ({:032x})", checkout.0);
    harness.get_by_label_contains(&format!("{checkout_row} "));
    harness.get_by_label_contains("7 spans");
    harness.get_by_label_contains("3 spans");
    harness.get_by_label_contains("frontend: GET /products");
    assert!(harness.state().document().data.spans.is_empty());

    harness.get_by_label_contains(&checkout_row).click();
    harness.run_steps(2);
    wait_fetched(&mut harness);
    assert_eq!(
        open_trace_id(&harness),
        Some(checkout.0),
        "fetched and opened"
    );
    let spans = harness.state().document().data.spans.len();
    assert_eq!(spans, 7);
    harness.get_by_label_contains("Opened trace");

    // The products trace cannot be fetched: its row and the banner say why.
    harness
        .get_by_label_contains(&format!("frontend: GET /products ({:032x})", products.0))
        .click();
    harness.run_steps(2);
    wait_fetched(&mut harness);
    let why = format!("trace {:032x} was not found in Jaeger", products.0);
    harness.get_by_label_contains(&format!("Could not fetch: {why}"));
    harness.get_by_label(&why);
    assert_eq!(
        open_trace_id(&harness),
        Some(checkout.0),
        "the open trace stays"
    );

    // A trace already fetched opens at once, without asking the backend again.
    harness.state_mut().focus.trace = None;
    harness.run_steps(1);
    harness.get_by_label_contains(&checkout_row).click();
    harness.run_steps(1);
    assert!(!harness.state().is_fetching(), "no second fetch");
    assert_eq!(open_trace_id(&harness), Some(checkout.0));
    assert_eq!(harness.state().document().data.spans.len(), spans);
    server.unblock();
}
