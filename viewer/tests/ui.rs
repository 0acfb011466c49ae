//! The viewer driven headless through egui_kittest: what a user clicks and types.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use spindle_formats::{TraceData, write_spindle_json, write_zipkin};
use spindle_viewer::ViewerApp;
use spindle_viewer::eframe;
use spindle_viewer::eframe::egui;
use spindle_viewer::eframe::egui::Key;
use spindle_viewer::fixture;
use spindle_viewer::index::Node;
use spindle_viewer::focus::Tab;

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

/// Top edges of the labels, in the order they appear on screen.
fn order_on_screen<'a>(harness: &Harness<'static, ViewerApp>, labels: &[&'a str]) -> Vec<&'a str> {
    let mut shown: Vec<(f32, &str)> = labels
        .iter()
        .map(|&l| (harness.get_by_label(l).rect().top(), l))
        .collect();
    shown.sort_by(|a, b| a.0.total_cmp(&b.0));
    shown.into_iter().map(|(_, l)| l).collect()
}

#[test]
fn attributes_sort_through_the_combo_box_on_one_line() {
    let mut harness = shop_app("attr-sort");
    harness.get_by_label("frontend: GET /checkout").click();
    harness.run_steps(2);
    harness
        .get_by_label_contains("charge card (payments")
        .click();
    harness.run_steps(2);
    let keys = ["payment.amount", "payment.currency", "payment.retry"];
    let heading = harness.get_by_label("Attributes (3)").rect();
    let combo = harness.get_by_label("sorted by").rect();
    assert!(
        (heading.center().y - combo.center().y).abs() < 3.0,
        "heading and sort combo box on one line: {heading:?} {combo:?}"
    );
    assert_eq!(
        harness.get_by_label("sorted by").value().as_deref(),
        Some("recorded")
    );
    assert_eq!(order_on_screen(&harness, &keys), keys);
    for (sort, expected) in [
        (
            "type",
            ["payment.retry", "payment.amount", "payment.currency"],
        ),
        ("key", keys),
        ("value", keys),
        (
            "type",
            ["payment.retry", "payment.amount", "payment.currency"],
        ),
        ("recorded", keys),
    ] {
        harness.get_by_label("sorted by").click();
        harness.run_steps(2);
        harness.get_by_label(sort).click();
        harness.run_steps(2);
        assert_eq!(
            harness.get_by_label("sorted by").value().as_deref(),
            Some(sort)
        );
        assert_eq!(
            order_on_screen(&harness, &keys),
            expected,
            "sorted by {sort}"
        );
    }
}

#[test]
fn trace_id_and_its_copy_button_share_one_line() {
    let mut harness = shop_app("copy-id");
    harness.get_by_label("frontend: GET /checkout").click();
    harness.run_steps(2);
    harness
        .get_by_label_contains("charge card (payments")
        .click();
    harness.run_steps(2);
    let app = harness.state();
    let i = app.focus.node.and_then(|n| n.span()).expect("a span");
    let trace_id = app.document().data.spans[i].trace_id.to_string();
    assert_eq!(trace_id.len(), 32);
    let id = harness.get_by_label(&trace_id).rect();
    assert!(id.height() < 18.0, "the id on one line: {id:?}");
    let label = harness.get_by_label("Trace ID").rect();
    let copy = harness
        .query_all_by_label("copy")
        .map(|n| n.rect())
        .find(|r| r.top() < id.bottom() && r.bottom() > id.top())
        .expect("a copy button on the trace id's line");
    assert!(
        label.right() <= copy.left() && copy.right() <= id.left(),
        "label, copy, id from left to right: {label:?} {copy:?} {id:?}"
    );
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
    // Matches only, clicked with the mouse: the match and its ancestors stay, the rest goes.
    harness.get_by_label("Matches only").click();
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
    // A second click shows every span again.
    harness.get_by_label("Matches only").click();
    harness.run_steps(2);
    assert!(!harness.state().focus.matches_only);
    assert_eq!(harness.state().focus.timeline.rows.len(), 7);
    harness.get_by_label_contains("auth.verify (");
    // With several matches the counter reads "match i of n" on one line, beside the field.
    let mut harness = shop_app("search3");
    harness.get_by_label("frontend: GET /checkout").click();
    harness.run_steps(1);
    harness.get_by_label("Search:").focus();
    harness.run_steps(1);
    harness.get_by_label("Search:").type_text("cart");
    harness.run_steps(2);
    let n = harness.state().focus.matches.len();
    assert!(n > 1, "{n} matches");
    harness.get_by_label("Next >").click();
    harness.run_steps(2);
    let counter = harness.get_by_label(&format!("match 1 of {n}")).rect();
    let field = harness.get_by_label("Search:").rect();
    assert!(counter.height() < 20.0, "one line: {counter:?}");
    assert!(
        (counter.center().y - field.center().y).abs() < 3.0,
        "beside the field: {counter:?} {field:?}"
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
    let view = harness.state().timeline.window;
    assert!(
        view.start > 10e6 && view.end < 115e6,
        "zoomed to 15..110 ms: {view:?}"
    );
    harness.key_press(Key::Num0);
    harness.run_steps(1);
    let view = harness.state().timeline.window;
    assert!(view.start <= 0.0 && view.end >= 120e6, "whole trace: {view:?}");
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

/// The three fixture traces a list can show, by label.
const TRACES: [&str; 3] = [
    "frontend: GET /checkout",
    "frontend: GET /products",
    "worker: consume job",
];

/// The trace rows a user sees, top to bottom.
fn visible_traces(harness: &Harness<'static, ViewerApp>) -> Vec<&'static str> {
    let mut shown: Vec<(f32, &'static str)> = TRACES
        .iter()
        .filter_map(|&label| {
            harness
                .query_by_label(label)
                .map(|node| (node.rect().top(), label))
        })
        .collect();
    shown.sort_by(|a, b| a.0.total_cmp(&b.0));
    shown.into_iter().map(|(_, label)| label).collect()
}

/// shop (checkout: 7 spans, 1 error, 120 ms; products: 3 spans, 60 ms) and worker (3 spans,
/// 33 ms, latest start).
fn list_app(name: &str) -> Harness<'static, ViewerApp> {
    let dir = temp_dir(name);
    app(vec![
        write(&dir, "shop.spindle.json", &fixture::shop(), false),
        write(&dir, "worker.zipkin.json", &fixture::orphans(), true),
    ])
}

fn type_into(harness: &mut Harness<'static, ViewerApp>, label: &str, text: &str) {
    harness.get_by_label(label).focus();
    harness.run_steps(1);
    harness.get_by_label(label).type_text(text);
    harness.run_steps(2);
}

fn clear_filters(harness: &mut Harness<'static, ViewerApp>) {
    let app = harness.state_mut();
    app.list.filtered.filter = Default::default();
    app.list.filtered.invalidate();
    harness.run_steps(2);
    assert_eq!(visible_traces(harness).len(), 3);
}

#[test]
fn trace_list_filters_show_the_matching_rows() {
    let mut harness = list_app("filters");
    assert_eq!(visible_traces(&harness), TRACES);
    harness.get_by_label("3 of 3 traces");
    harness.get_by_label("Errors only").click();
    harness.run_steps(2);
    assert_eq!(visible_traces(&harness), ["frontend: GET /checkout"]);
    harness.get_by_label("1 of 3 traces");
    harness.get_by_label("Errors only").click();
    harness.run_steps(2);
    assert_eq!(visible_traces(&harness).len(), 3);
    // Service: pick "worker" in the combo box (its label is on its left).
    let service = harness.get_by_label("Service");
    let operation = harness.get_by_label("Operation");
    assert!(
        (service.rect().left() - operation.rect().left()).abs() < 1.0,
        "the combo box sits in the value column, its label on its left: {:?} {:?}",
        service.rect(),
        operation.rect()
    );
    service.click();
    harness.run_steps(2);
    harness.get_by_label("worker").click();
    harness.run_steps(2);
    assert_eq!(visible_traces(&harness), ["worker: consume job"]);
    let checkout = "frontend: GET /checkout";
    let products = "frontend: GET /products";
    let worker = "worker: consume job";
    let cases: [(&str, &str, &[&str]); 6] = [
        ("Operation", "FRAUD", &[checkout]),
        ("Min duration", "50ms", &[checkout, products]),
        ("Max duration", "40 ms", &[worker]),
        ("Tag", "db.system=postgresql", &[checkout, products]),
        ("Tag", "rpc.attempt=1", &[checkout]),
        // A resource attribute counts too.
        ("Tag", "host.name=worker-1", &[worker]),
    ];
    for (field, text, expected) in cases {
        clear_filters(&mut harness);
        type_into(&mut harness, field, text);
        assert_eq!(visible_traces(&harness), expected, "{field} = {text}");
    }
}

/// Picks `column` in the trace list's sort combo box and checks the box shows it.
fn sort_by(harness: &mut Harness<'static, ViewerApp>, column: &str) {
    harness.get_by_label("Sort").click();
    harness.run_steps(2);
    harness.get_by_label(column).click();
    harness.run_steps(2);
    assert_eq!(
        harness.get_by_label("Sort").value().as_deref(),
        Some(column)
    );
}

/// Clicks the sort direction button, which shows `shown`, and checks it now shows the other.
fn reverse_sort(harness: &mut Harness<'static, ViewerApp>, shown: &str) {
    harness.get_by_label(shown).click();
    harness.run_steps(2);
    let other = if shown == "Ascending" {
        "Descending"
    } else {
        "Ascending"
    };
    harness.get_by_label(other);
}

#[test]
fn trace_list_sorts_by_each_column() {
    let mut harness = list_app("sorts");
    let [checkout, products, worker] = TRACES;
    // Start, ascending by default.
    assert_eq!(
        harness.get_by_label("Sort").value().as_deref(),
        Some("Start")
    );
    assert_eq!(visible_traces(&harness), [checkout, products, worker]);
    reverse_sort(&mut harness, "Ascending");
    assert_eq!(visible_traces(&harness), [worker, products, checkout]);
    // Duration, longest first; the direction button reverses.
    sort_by(&mut harness, "Duration");
    harness.get_by_label("Descending");
    assert_eq!(visible_traces(&harness), [checkout, products, worker]);
    reverse_sort(&mut harness, "Descending");
    assert_eq!(visible_traces(&harness), [worker, products, checkout]);
    // Spans: 7 first; the two with 3 spans keep their start order (stable sort, reversed).
    sort_by(&mut harness, "Spans");
    assert_eq!(visible_traces(&harness)[0], checkout);
    reverse_sort(&mut harness, "Descending");
    assert_eq!(visible_traces(&harness)[2], checkout);
    // Errors: the one with an error first.
    sort_by(&mut harness, "Errors");
    assert_eq!(visible_traces(&harness)[0], checkout);
    reverse_sort(&mut harness, "Descending");
    assert_eq!(visible_traces(&harness)[2], checkout);
    // Name: alphabetical by "service: operation", then reversed.
    sort_by(&mut harness, "Name");
    assert_eq!(visible_traces(&harness), [checkout, products, worker]);
    reverse_sort(&mut harness, "Ascending");
    assert_eq!(visible_traces(&harness), [worker, products, checkout]);
    // Back to Start: ascending again.
    sort_by(&mut harness, "Start");
    assert_eq!(visible_traces(&harness), [checkout, products, worker]);
}

/// The sort row fits the list's width on one line: the combo box and the direction button
/// share a row.
#[test]
fn trace_list_sort_row_is_one_line() {
    let harness = list_app("sort-row");
    let sort = harness.get_by_label("Sort").rect();
    let direction = harness.get_by_label("Ascending").rect();
    assert!(
        (sort.center().y - direction.center().y).abs() < 2.0,
        "{sort:?} {direction:?}"
    );
}

/// eframe storage in memory, as the native integration keeps it in a file between runs.
#[derive(Debug, Default)]
struct MemoryStorage(std::collections::HashMap<String, String>);

impl eframe::Storage for MemoryStorage {
    fn get_string(&self, key: &str) -> Option<String> {
        self.0.get(key).cloned()
    }

    fn set_string(&mut self, key: &str, value: String) {
        self.0.insert(key.to_string(), value);
    }

    fn remove_string(&mut self, key: &str) {
        self.0.remove(key);
    }

    fn flush(&mut self) {}
}

#[test]
fn filters_and_sorts_come_back_after_a_restart() {
    let dir = temp_dir("restart");
    let paths = vec![
        write(&dir, "shop.spindle.json", &fixture::shop(), false),
        write(&dir, "worker.zipkin.json", &fixture::orphans(), true),
    ];
    let mut harness = app(paths.clone());
    type_into(&mut harness, "Tag", "db.system=postgresql");
    harness.get_by_label("Errors only").click();
    harness.run_steps(2);
    sort_by(&mut harness, "Duration");
    harness.get_by_label("frontend: GET /checkout").click();
    harness.run_steps(2);
    harness
        .get_by_label_contains("charge card (payments")
        .click();
    harness.run_steps(2);
    harness.get_by_label("sorted by").click();
    harness.run_steps(2);
    harness.get_by_label("key").click();
    harness.run_steps(2);
    assert_eq!(visible_traces(&harness), ["frontend: GET /checkout"]);
    let filter = harness.state().list.filtered.filter.clone();
    let mut storage = MemoryStorage::default();
    eframe::App::save(harness.state_mut(), &mut storage);
    drop(harness);
    // The next start reads what was saved, as eframe hands it to the app.
    let storage: &'static MemoryStorage = Box::leak(Box::new(storage));
    let mut harness = Harness::builder()
        .with_size([1280.0, 800.0])
        .build_eframe(move |cc| {
            cc.storage = Some(storage);
            ViewerApp::new(cc, paths)
        });
    wait_loaded(&mut harness);
    assert_eq!(harness.state().list.filtered.filter, filter);
    assert_eq!(
        harness.get_by_label("Tag").value().as_deref(),
        Some("db.system=postgresql")
    );
    assert_eq!(visible_traces(&harness), ["frontend: GET /checkout"]);
    harness.get_by_label("1 of 3 traces");
    assert_eq!(
        harness.get_by_label("Sort").value().as_deref(),
        Some("Duration")
    );
    harness.get_by_label("Descending");
    harness
        .get_by_label_contains("charge card (payments")
        .click();
    harness.run_steps(2);
    assert_eq!(
        harness.get_by_label("sorted by").value().as_deref(),
        Some("key")
    );
}

/// A file dropped on the window, as the windowing integration would hand it over.
#[derive(Debug)]
struct Dropped(PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

#[test]
fn added_and_dropped_files_merge_without_duplicates() {
    let dir = temp_dir("add");
    let shop = write(&dir, "shop.spindle.json", &fixture::shop(), false);
    // The same spans in another format, and a file with new ones.
    let shop_zipkin = write(&dir, "shop.zipkin.json", &fixture::shop(), true);
    let worker = write(&dir, "worker.zipkin.json", &fixture::orphans(), true);
    let mut harness = app(vec![shop.clone()]);
    harness.get_by_label("frontend: GET /checkout").click();
    harness.run_steps(1);
    // The File menu offers it (the dialog itself is the system's).
    harness.get_by_label("File").click();
    harness.run_steps(2);
    harness.get_by_label("Add files…");
    harness.key_press(Key::Escape);
    harness.run_steps(2);
    harness.state_mut().add(vec![shop_zipkin, shop.clone()]);
    wait_loaded(&mut harness);
    let doc = harness.state().document();
    assert_eq!(doc.files.len(), 2, "a file already open is not read twice");
    assert_eq!(doc.data.spans.len(), 10, "the same spans are kept once");
    assert_eq!(doc.duplicates, 10);
    harness.get_by_label_contains("10 spans already loaded were merged");
    // Dropping a file adds it too, and the selected trace stays selected.
    harness
        .input_mut()
        .dropped_files
        .push(std::sync::Arc::new(Dropped(worker)));
    harness.step();
    wait_loaded(&mut harness);
    let doc = harness.state().document();
    assert_eq!(doc.files.len(), 3);
    assert_eq!(doc.data.spans.len(), 13);
    assert_eq!(doc.index.traces.len(), 3);
    harness.get_by_label("worker: consume job");
    let app = harness.state();
    let trace = app
        .focus
        .current(app.document())
        .map(|t| t.root_name.clone());
    assert_eq!(trace.as_deref(), Some("GET /checkout"));
}

#[test]
fn links_are_clickable_only_when_the_target_is_loaded() {
    let dir = temp_dir("links");
    let mut data = fixture::shop();
    let charge = data
        .spans
        .iter_mut()
        .find(|s| s.name.as_ref() == "charge card")
        .expect("charge card");
    let mut missing = charge.links[0].clone();
    missing.span_id = spindle_formats::SpanId(0x999);
    charge.links.push(missing);
    let mut harness = app(vec![write(&dir, "links.spindle.json", &data, false)]);
    harness.get_by_label("frontend: GET /checkout").click();
    harness.run_steps(1);
    harness
        .get_by_label_contains("charge card (payments")
        .click();
    harness.run_steps(2);
    harness.get_by_label("Links (2)");
    let loaded = harness.get_by_label_contains("Go to GET /products");
    assert_eq!(loaded.accesskit_node().role(), egui::accesskit::Role::Link);
    let missing = harness.get_by_label_contains("span 0000000000000999 (not loaded)");
    assert_ne!(missing.accesskit_node().role(), egui::accesskit::Role::Link);
    assert_eq!(harness.query_all_by_label_contains("Go to").count(), 1);
    // Clicking the plain text does nothing.
    harness
        .get_by_label_contains("span 0000000000000999 (not loaded)")
        .click();
    harness.run_steps(2);
    assert_eq!(selected_name(&harness).as_deref(), Some("charge card"));
}

#[test]
fn aggregated_block_shows_call_path_in_details() {
    let mut harness = shop_app("aggregate-details");
    harness.get_by_label("Aggregated flame graph").click();
    harness.run_steps(2);
    harness.get_by_label_contains("Click a block in the aggregated flame graph");
    harness
        .get_by_label_contains("POST /cart/checkout (checkout, 1 spans")
        .click();
    harness.run_steps(2);
    assert!(harness.state().focus.agg_node.is_some());
    harness.get_by_label("Call path details");
    let label = egui::accesskit::Role::Label;
    harness.get_by_role_and_label(label, "frontend: GET /checkout");
    harness.get_by_role_and_label(label, "checkout: POST /cart/checkout");
    harness.get_by_label("Total time");
    // Total and average: one span on this path.
    assert_eq!(harness.get_all_by_label("95.00 ms").count(), 2);
    harness.get_by_label("Self time");
    harness.get_by_label("Spans merged");
    harness.get_by_label("Calls (2)");
    harness.get_by_label("payments: charge card");
}

#[test]
fn central_view_fits_between_the_side_panels_at_1280_by_800() {
    let mut harness = shop_app("layout");
    harness.get_by_label("frontend: GET /checkout").click();
    harness.run_steps(2);
    // The span with the longest value (an SQL statement): the details panel must not grow.
    harness.get_by_label_contains("SELECT cart (db").click();
    harness.run_steps(4);
    let sql = harness
        .get_by_label("SELECT * FROM cart WHERE id = $1")
        .rect();
    let details = harness.get_by_label("Span details").rect();
    assert!(
        sql.left() >= details.left() - 1.0 && sql.right() <= 1280.0,
        "the statement wraps inside the details panel: {sql:?}"
    );
    let list = harness.get_by_label("Traces").rect();
    assert!(list.right() <= 1280.0 * 0.31, "trace list {list:?}");
    assert!(details.left() >= 1280.0 * 0.71, "details {details:?}");
    // The details panel keeps its default width (350) whatever it shows, instead of
    // shrinking to its content or growing with it.
    assert!(
        (details.left() - (1280.0 - 350.0)).abs() < 12.0,
        "details {details:?}"
    );
    for label in ["Time axis", "Minimap"] {
        let r = harness.get_by_label(label).rect();
        assert!(r.width() >= 520.0, "{label} {r:?}");
        assert!(
            r.right() <= details.left(),
            "{label} {r:?} under the details {details:?}"
        );
        assert!(r.left() >= list.right(), "{label} {r:?}");
    }
    for label in ["Matches only", "Next >", "< Previous", "Reset zoom (0)"] {
        let r = harness.get_by_label(label).rect();
        assert!(
            r.right() <= details.left(),
            "{label} {r:?} under the details {details:?}"
        );
    }
    // The same with the flame graph and the aggregated one.
    for tab in ["Flame graph", "Aggregated flame graph"] {
        harness.get_by_label(tab).click();
        harness.run_steps(2);
        let r = harness.get_by_label("Time axis").rect();
        let details = harness.get_by_label_contains("details").rect();
        assert!(
            r.width() >= 520.0 && r.right() <= details.left(),
            "{tab} {r:?}"
        );
    }
}
