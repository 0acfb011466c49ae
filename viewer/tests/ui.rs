//! The viewer driven headless through egui_kittest: what a user clicks and types.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use spindle_formats::{TraceData, write_spindle_json, write_zipkin};
use spindle_viewer::ViewerApp;
use spindle_viewer::eframe::egui::Key;
use spindle_viewer::fixture;
use spindle_viewer::index::Node;
use spindle_viewer::views::Tab;

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("spindle-viewer-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn write(dir: &Path, name: &str, data: &TraceData, zipkin: bool) -> PathBuf {
    let path = dir.join(name);
    let mut bytes = Vec::new();
    if zipkin {
        write_zipkin(data, &mut bytes).expect("write");
    } else {
        write_spindle_json(data, &mut bytes).expect("write");
    }
    std::fs::write(&path, bytes).expect("write file");
    path
}

fn app(paths: Vec<PathBuf>) -> Harness<'static, ViewerApp> {
    let mut harness = Harness::builder()
        .with_size([1280.0, 800.0])
        .build_eframe(move |cc| ViewerApp::new(cc, paths));
    wait_loaded(&mut harness);
    harness
}

fn wait_loaded(harness: &mut Harness<'static, ViewerApp>) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while harness.state().is_loading() {
        assert!(Instant::now() < deadline, "load did not finish");
        std::thread::sleep(Duration::from_millis(5));
        harness.step();
    }
    harness.run_steps(3);
}

fn shop_app(name: &str) -> Harness<'static, ViewerApp> {
    let dir = temp_dir(name);
    app(vec![write(
        &dir,
        "shop.spindle.json",
        &fixture::shop(),
        false,
    )])
}

fn selected_name(harness: &Harness<'static, ViewerApp>) -> Option<String> {
    let app = harness.state();
    let i = app.focus.node?.span()?;
    Some(app.document().data.spans[i].name.to_string())
}

#[test]
fn click_trace_then_span_in_timeline_shows_attributes() {
    let mut harness = shop_app("timeline");
    harness.get_by_label("frontend: GET /products").click();
    harness.run_steps(2);
    assert!(
        harness
            .query_by_label_contains("SELECT products (db")
            .is_some()
    );
    harness.get_by_label("frontend: GET /checkout").click();
    harness.run_steps(2);
    harness
        .get_by_label_contains("charge card (payments")
        .click();
    harness.run_steps(2);
    assert_eq!(selected_name(&harness).as_deref(), Some("charge card"));
    // The details panel: attributes typed, status, ids, event, link.
    harness.get_by_label("payment.currency");
    harness.get_by_label("EUR");
    harness.get_by_label("double");
    harness.get_by_label("error: card declined");
    harness.get_by_label("0000000000000105");
    harness.get_by_label("retry");
    harness.get_by_label("Self time");
    // Following the link opens the other trace and selects its root.
    harness.get_by_label_contains("Go to GET /products").click();
    harness.run_steps(2);
    assert_eq!(selected_name(&harness).as_deref(), Some("GET /products"));
}

#[test]
fn flame_graph_block_selects_span() {
    let mut harness = shop_app("flame");
    harness.get_by_label("frontend: GET /checkout").click();
    harness.run_steps(1);
    harness.get_by_label("Flame graph").click();
    harness.run_steps(2);
    harness.get_by_label_contains("load cart (checkout").click();
    harness.run_steps(2);
    assert_eq!(selected_name(&harness).as_deref(), Some("load cart"));
    harness.get_by_label("cart.items");
    // Aggregated: every trace's root under 'all traces'.
    harness.get_by_label("Aggregated flame graph").click();
    harness.run_steps(2);
    assert_eq!(harness.state().focus.tab, Tab::Aggregate);
    harness.get_by_label_contains("all traces (10 spans)");
    harness
        .get_by_label_contains("GET /checkout (frontend, 1 spans")
        .click();
    harness.run_steps(2);
    assert_eq!(harness.state().focus.tab, Tab::Aggregate);
}

#[test]
fn search_next_previous_and_matches_only() {
    let mut harness = shop_app("search");
    harness.get_by_label("frontend: GET /checkout").click();
    harness.run_steps(1);
    harness.get_by_label("Search:").focus();
    harness.run_steps(1);
    harness.get_by_label("Search:").type_text("card");
    harness.run_steps(2);
    let matches = harness.state().focus.matches.len();
    assert_eq!(matches, 1, "charge card only");
    harness.get_by_label("Next >").click();
    harness.run_steps(2);
    assert_eq!(selected_name(&harness).as_deref(), Some("charge card"));
    // Search by attribute value through the real field.
    let mut harness = shop_app("search2");
    harness.get_by_label("frontend: GET /checkout").click();
    harness.run_steps(1);
    harness.get_by_label("Search:").focus();
    harness.run_steps(1);
    harness.get_by_label("Search:").type_text("postgresql");
    harness.run_steps(2);
    assert_eq!(harness.state().focus.matches.len(), 1);
    harness.get_by_label("Next >").click();
    harness.run_steps(2);
    assert_eq!(selected_name(&harness).as_deref(), Some("SELECT cart"));
    harness.get_by_label("< Previous").click();
    harness.run_steps(2);
    assert_eq!(selected_name(&harness).as_deref(), Some("SELECT cart"));
    // Matches only: the match and its ancestors stay, the rest goes.
    harness.get_by_label("Matches only").click_accesskit();
    harness.run_steps(2);
    assert!(harness.state().focus.matches_only);
    let rows: Vec<String> = harness
        .state()
        .focus
        .timeline
        .rows
        .iter()
        .filter_map(|r| r.node.span())
        .map(|i| harness.state().document().data.spans[i].name.to_string())
        .collect();
    assert_eq!(
        rows,
        [
            "GET /checkout",
            "POST /cart/checkout",
            "load cart",
            "SELECT cart"
        ]
    );
    assert!(harness.query_by_label_contains("auth.verify (").is_none());
    assert!(
        harness.query_by_label("1 matches").is_some()
            || harness.query_by_label("match 1 of 1").is_some()
    );
}

#[test]
fn collapse_and_expand() {
    let mut harness = shop_app("collapse");
    harness.get_by_label("frontend: GET /checkout").click();
    harness.run_steps(1);
    assert_eq!(harness.state().focus.timeline.rows.len(), 7);
    harness.get_by_label("Collapse POST /cart/checkout").click();
    harness.run_steps(2);
    assert_eq!(harness.state().focus.timeline.rows.len(), 3);
    assert!(harness.query_by_label_contains("load cart (").is_none());
    harness.get_by_label("Expand POST /cart/checkout").click();
    harness.run_steps(2);
    assert_eq!(harness.state().focus.timeline.rows.len(), 7);
    harness.get_by_label("Collapse all").click();
    harness.run_steps(2);
    assert_eq!(harness.state().focus.timeline.rows.len(), 1);
    harness.get_by_label("Expand all").click();
    harness.run_steps(2);
    assert_eq!(harness.state().focus.timeline.rows.len(), 7);
}

#[test]
fn keyboard_navigation() {
    let mut harness = shop_app("keys");
    harness.get_by_label("frontend: GET /checkout").click();
    harness.run_steps(1);
    harness.key_press(Key::ArrowDown); // selects the first row
    harness.run_steps(1);
    assert_eq!(selected_name(&harness).as_deref(), Some("GET /checkout"));
    harness.key_press(Key::ArrowDown);
    harness.run_steps(1);
    harness.key_press(Key::ArrowDown);
    harness.run_steps(1);
    assert_eq!(
        selected_name(&harness).as_deref(),
        Some("POST /cart/checkout")
    );
    harness.key_press(Key::Enter); // collapse
    harness.run_steps(1);
    assert_eq!(harness.state().focus.timeline.rows.len(), 3);
    harness.key_press(Key::Space); // expand
    harness.run_steps(1);
    assert_eq!(harness.state().focus.timeline.rows.len(), 7);
    harness.key_press(Key::ArrowRight); // first child
    harness.run_steps(1);
    assert_eq!(selected_name(&harness).as_deref(), Some("load cart"));
    harness.key_press(Key::ArrowLeft); // collapse it
    harness.key_press(Key::ArrowLeft); // then go to its parent
    harness.run_steps(1);
    assert_eq!(
        selected_name(&harness).as_deref(),
        Some("POST /cart/checkout")
    );
    harness.key_press(Key::F);
    harness.run_steps(1);
    let view = harness.state().timeline.view;
    assert!(
        view.0 > 10e6 && view.1 < 115e6,
        "zoomed to 15..110 ms: {view:?}"
    );
    harness.key_press(Key::Num0);
    harness.run_steps(1);
    let view = harness.state().timeline.view;
    assert!(view.0 <= 0.0 && view.1 >= 120e6, "whole trace: {view:?}");
    harness.key_press(Key::Slash);
    harness.run_steps(1);
    assert!(harness.get_by_label("Search:").is_focused());
    harness.key_press(Key::Escape);
    harness.run_steps(1);
    harness.key_press(Key::Escape);
    harness.run_steps(1);
    assert_eq!(harness.state().focus.node, None);
    harness.key_press(Key::F1);
    harness.run_steps(1);
    harness.get_by_label("Keyboard shortcuts");
    harness.get_by_label("zoom to the selected span");
    harness.key_press(Key::Escape);
    harness.run_steps(1);
    assert!(harness.query_by_label("Keyboard shortcuts").is_none());
}

#[test]
fn broken_file_shows_message_and_good_spans() {
    let dir = temp_dir("broken");
    let good = write(&dir, "shop.zipkin.json", &fixture::shop(), true);
    let junk = dir.join("junk.json");
    std::fs::write(&junk, "<html>not a trace</html>").expect("write");
    // A Zipkin file with one good and one bad span: the bad one is skipped with a warning.
    let partial = dir.join("partial.json");
    std::fs::write(
        &partial,
        r#"[{"traceId":"00000000000000000000000000000abc","id":"00000000000000a1","name":"good span",
            "timestamp":1700000000000000,"duration":1000,"localEndpoint":{"serviceName":"edge"}},
           {"traceId":"xyz","id":"00000000000000a2","name":"bad span","timestamp":1700000000000000,
            "duration":5,"localEndpoint":{"serviceName":"edge"}}]"#,
    )
    .expect("write");
    let harness = app(vec![good, junk, partial]);
    harness.get_by_label_contains("junk.json:1:1 (byte 0): not a trace format");
    harness.get_by_label_contains("1 problem while reading");
    harness.get_by_label("edge: good span");
    harness.get_by_label("frontend: GET /checkout");
    assert_eq!(harness.state().document().data.spans.len(), 11);
}

#[test]
fn orphans_show_banner_and_placeholder() {
    let dir = temp_dir("orphans");
    let path = write(&dir, "worker.zipkin.json", &fixture::orphans(), true);
    let mut harness = app(vec![path]);
    harness.get_by_label_contains("2 spans have a parent that is not in the loaded files");
    harness.get_by_label_contains("worker: consume job").click();
    harness.run_steps(1);
    harness.get_by_label("missing parent (2 subtrees)").click();
    harness.run_steps(1);
    assert_eq!(harness.state().focus.node, Some(Node::MISSING_PARENT));
    harness.get_by_label_contains("process job (worker");
}

#[test]
fn large_load_shows_progress_and_can_be_cancelled() {
    let dir = temp_dir("large");
    let path = write(
        &dir,
        "wide.spindle.json",
        &fixture::wide_trace(150_000, 8),
        false,
    );
    let mut harness = Harness::builder()
        .with_size([1280.0, 800.0])
        .build_eframe(move |cc| ViewerApp::new(cc, vec![path]));
    harness.step();
    assert!(harness.state().is_loading());
    harness.get_by_label_contains("Loading 1 file:");
    harness.get_by_label("Cancel loading").click();
    harness.run_steps(2);
    assert!(!harness.state().is_loading());
    assert!(harness.state().document().data.spans.is_empty());
    harness.get_by_label_contains("Loading cancelled");
}

#[test]
fn reload_when_the_file_changes_keeps_selection() {
    let dir = temp_dir("reload");
    let mut data = fixture::shop();
    let path = write(&dir, "shop.spindle.json", &data, false);
    let mut harness = Harness::builder()
        .with_size([1280.0, 800.0])
        .build_eframe(move |cc| {
            let mut app = ViewerApp::new(cc, Vec::new());
            app.watch_interval = Duration::from_millis(20);
            app
        });
    harness.state_mut().open(vec![path.clone()]);
    wait_loaded(&mut harness);
    harness.get_by_label("frontend: GET /checkout").click();
    harness.run_steps(1);
    harness
        .get_by_label_contains("charge card (payments")
        .click();
    harness.run_steps(1);
    // The program writes more spans.
    let mut extra = data.spans[1].clone();
    extra.span_id = spindle_formats::SpanId(0x1ff);
    extra.name = "late span".into();
    data.spans.push(extra);
    std::thread::sleep(Duration::from_millis(20));
    write(&dir, "shop.spindle.json", &data, false);
    let deadline = Instant::now() + Duration::from_secs(20);
    while harness.state().document().data.spans.len() != 11 {
        assert!(Instant::now() < deadline, "no reload");
        std::thread::sleep(Duration::from_millis(10));
        harness.step();
    }
    harness.run_steps(2);
    assert_eq!(selected_name(&harness).as_deref(), Some("charge card"));
    harness.get_by_label_contains("late span (frontend");
    harness.get_by_label_contains("Reloaded 1 file");
}

#[test]
fn trace_list_filters_and_sorts() {
    let mut harness = shop_app("filters");
    harness.get_by_label("Errors only").click();
    harness.run_steps(1);
    assert!(harness.query_by_label("frontend: GET /products").is_none());
    harness.get_by_label("frontend: GET /checkout");
    harness.get_by_label("Errors only").click();
    harness.run_steps(1);
    harness
        .get_by_label("Tag")
        .type_text("db.system=postgresql");
    harness.run_steps(1);
    assert!(harness.query_by_label("frontend: GET /products").is_some());
    harness.get_by_label("Min duration").focus();
    harness.run_steps(1);
    harness.get_by_label("Min duration").type_text("100ms");
    harness.run_steps(1);
    assert!(harness.query_by_label("frontend: GET /products").is_none());
    assert!(harness.query_by_label("frontend: GET /checkout").is_some());
    let app = harness.state_mut();
    app.list.filter = Default::default();
    app.list.invalidate();
    harness.run_steps(1);
    harness.get_by_label_contains("Duration").click();
    harness.run_steps(1);
    assert_eq!(
        harness.state().list.sort,
        spindle_viewer::views::trace_list::SortBy::Duration
    );
    harness.get_by_label("2 of 2 traces");
}
