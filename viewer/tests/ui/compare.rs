//! What changed: picking A and B in the trace list (context menu and keys), the comparison on
//! its worker ("Comparing…", then the tree), the merged tree with added and removed calls,
//! sorting and hiding small differences; B from a comparison file; two sets from list filters,
//! time windows and two files; the icicle's zoom and hover; the service map's click filter.

use spindle_formats::TraceId;
use spindle_viewer::eframe::egui::Key;
use spindle_viewer::focus::Tab;

use super::*;

const ORDERS: &str = "api: GET /orders";

/// B: the orders trace a second later, without the cache lookup, `render` 20 ms slower.
fn slower_orders() -> TraceData {
    let mut data = fixture::n_plus_one();
    data.spans.retain(|s| s.name.as_ref() != "cache.get");
    for span in &mut data.spans {
        span.trace_id = TraceId(0x0e0e_0002);
        span.start_unix_nanos += 1_000_000_000;
        span.end_unix_nanos += 1_000_000_000;
        if matches!(span.name.as_ref(), "render" | "GET /orders") {
            span.end_unix_nanos += 20_000_000;
        }
    }
    data
}

/// A in Spindle JSON, B in Zipkin: two files, two formats.
fn orders_pair_app(name: &str) -> Harness<'static, ViewerApp> {
    let dir = temp_dir(name);
    app(vec![
        write(&dir, "a.spindle.json", &fixture::n_plus_one(), false),
        write(&dir, "b.zipkin.json", &slower_orders(), true),
    ])
}

/// Steps until the comparison's worker has answered (and the answer is drawn).
fn settle(harness: &mut Harness<'static, ViewerApp>) {
    let deadline = Instant::now() + Duration::from_secs(60);
    harness.run_steps(1);
    while harness.state().compare.is_computing() {
        assert!(Instant::now() < deadline, "the comparison did not finish");
        std::thread::sleep(Duration::from_millis(5));
        harness.step();
    }
    harness.run_steps(2);
}

fn pick_from_menu(harness: &mut Harness<'static, ViewerApp>, row: usize, entry: &str) {
    harness
        .get_all_by_label(ORDERS)
        .nth(row)
        .expect("an orders row")
        .click_secondary();
    harness.run_steps(2);
    harness.get_by_label(entry).click();
    settle(harness);
}

/// Loads `path` as the comparison file (what File > Open as comparison B… does once picked).
fn open_comparison_file(harness: &mut Harness<'static, ViewerApp>, path: PathBuf) {
    let ctx = harness.ctx.clone();
    harness.state_mut().compare.second.open(vec![path], &ctx);
    harness.state_mut().focus.tab = Tab::Compare;
    let deadline = Instant::now() + Duration::from_secs(60);
    while harness.state().compare.second.document().is_none() {
        assert!(
            Instant::now() < deadline,
            "the comparison file did not load"
        );
        std::thread::sleep(Duration::from_millis(5));
        harness.step();
    }
    harness.run_steps(2);
}

fn top_of(harness: &Harness<'static, ViewerApp>, label: &str) -> f32 {
    harness.get_by_label_contains(label).rect().top()
}

#[test]
fn the_context_menu_picks_a_and_b_and_shows_the_merged_tree() {
    let mut harness = orders_pair_app("compare-menu");
    pick_from_menu(&mut harness, 0, "Compare: set as A");
    pick_from_menu(&mut harness, 1, "Compare with A (as B)");
    let app = harness.state();
    assert_eq!(app.focus.tab, Tab::Compare);
    let (a, b) = (app.focus.compare_a, app.focus.compare_b);
    let id = |t: Option<usize>| t.map(|t| app.document().index.traces[t].trace_id);
    assert_eq!(id(a), Some(TraceId(0x0e0e_0001)));
    assert_eq!(id(b), Some(TraceId(0x0e0e_0002)));
    harness.get_by_label_contains("B against A: +25.0% · 9 matched, 0 added, 1 removed");
    harness.get_by_label("api: GET /orders  A 80.00 ms  B 100.00 ms  +20.00 ms");
    harness.get_by_label("api: render  A 9.00 ms  B 29.00 ms  +20.00 ms");
    harness.get_by_label("cache: cache.get  removed  A 2.00 ms");
    let selects =
        harness.query_all_by_label_contains("db: SELECT item  A 10.00 ms  B 10.00 ms  +0 ns");
    assert_eq!(
        selects.count(),
        6,
        "the six repeated queries matched in order"
    );
    // Tree order: the cache lookup (second child) above render (last).
    assert!(top_of(&harness, "cache: cache.get") < top_of(&harness, "api: render"));
    harness.get_by_label("Biggest difference first").click();
    harness.run_steps(2);
    assert!(top_of(&harness, "api: render") < top_of(&harness, "cache: cache.get"));
    type_into(&mut harness, "Hide differences under", "5ms");
    assert!(harness.query_by_label_contains("db: SELECT item").is_none());
    harness.get_by_label("cache: cache.get  removed  A 2.00 ms");
    harness.get_by_label_contains("api: render");
}

#[test]
fn keys_a_and_b_pick_the_open_traces() {
    let mut harness = orders_pair_app("compare-keys");
    harness
        .get_all_by_label(ORDERS)
        .nth(1)
        .expect("row")
        .click();
    harness.run_steps(2);
    harness.key_press(Key::A);
    harness.run_steps(1);
    harness
        .get_all_by_label(ORDERS)
        .next()
        .expect("row")
        .click();
    harness.run_steps(2);
    harness.key_press(Key::B);
    settle(&mut harness);
    assert_eq!(harness.state().focus.tab, Tab::Compare);
    // Now A is the slower one: B is faster and has the cache lookup A lacks.
    harness.get_by_label_contains("B against A: -20.0% · 9 matched, 1 added, 0 removed");
    harness.get_by_label("cache: cache.get  added  B 2.00 ms");
    harness.get_by_label("api: render  A 29.00 ms  B 9.00 ms  -20.00 ms");
    harness.get_by_label("Swap A and B").click();
    settle(&mut harness);
    harness.get_by_label_contains("B against A: +25.0%");
}

#[test]
fn clicking_a_service_or_a_call_keeps_the_traces_through_it() {
    let mut harness = list_app("service-map");
    harness.key_press(Key::Num6);
    harness.run_steps(3);
    assert_eq!(harness.state().focus.tab, Tab::ServiceMap);
    assert_eq!(visible_traces(&harness).len(), 3);
    harness
        .get_by_label_contains("checkout -> payments: 1 call, 1 error")
        .click();
    harness.run_steps(4);
    assert_eq!(visible_traces(&harness), ["frontend: GET /checkout"]);
    harness.get_by_label_contains("Through checkout -> payments");
    harness.get_by_label("Clear").click();
    harness.run_steps(4);
    assert_eq!(visible_traces(&harness).len(), 3);
    harness.get_by_label_contains("service worker:").click();
    harness.run_steps(4);
    assert_eq!(visible_traces(&harness), ["worker: consume job"]);
}

/// `a: GET /a` calls b (CLIENT 10..60 ms); b's SERVER span says 5..45 ms: its clock is 10 ms
/// behind.
fn skewed() -> TraceData {
    use spindle_formats::{KeyValue, Resource, ResourceIndex, Span, SpanId, SpanKind};
    const BASE: u64 = 1_700_000_000_000_000_000;
    let ms = |t: u64| BASE + t * 1_000_000;
    let span = |id: u64, parent: Option<u64>, (a, z), service: u32, name: &str, kind| Span {
        trace_id: TraceId(0x5e5e),
        span_id: SpanId(id),
        parent_span_id: parent.map(SpanId),
        name: name.to_string().into(),
        kind,
        start_unix_nanos: ms(a),
        end_unix_nanos: ms(z),
        resource: ResourceIndex(service),
        ..Span::default()
    };
    TraceData {
        resources: ["a", "b"]
            .iter()
            .map(|s| Resource {
                attributes: vec![KeyValue::new("service.name", s.to_string())],
                ..Default::default()
            })
            .collect(),
        scopes: Vec::new(),
        spans: vec![
            span(1, None, (0, 100), 0, "GET /a", SpanKind::Server),
            span(2, Some(1), (10, 60), 0, "call b", SpanKind::Client),
            span(3, Some(2), (5, 45), 1, "handle", SpanKind::Server),
        ],
    }
}

#[test]
fn details_mark_clock_skew_with_raw_and_adjusted_times_and_a_toggle() {
    let dir = temp_dir("skew");
    let mut harness = app(vec![write(&dir, "skew.zipkin.json", &skewed(), true)]);
    harness.get_by_label("a: GET /a").click();
    harness.run_steps(2);
    harness.get_by_label_contains("handle (b,").click();
    harness.run_steps(2);
    harness.get_by_label_contains("starts 5.00 ms before its parent call b");
    // "Start in trace" and "Raw start".
    assert_eq!(harness.get_all_by_label("+5.00 ms").count(), 2);
    harness.get_by_label("+15.00 ms (moved +10.00 ms)");
    let order = |h: &Harness<'static, ViewerApp>| {
        h.get_by_label("Raw start").rect().top() < h.get_by_label("Adjusted start").rect().top()
    };
    assert!(order(&harness), "raw first while the adjustment is off");
    harness.get_by_label_contains("Adjust clock skew").click();
    harness.run_steps(2);
    assert!(harness.state().focus.adjust_skew);
    assert!(
        !order(&harness),
        "adjusted first once it is on, raw still shown"
    );
    // The client call is not skewed: no mark, no adjusted times.
    harness.get_by_label("call b (a, 50.00 ms)").click();
    harness.run_steps(2);
    assert!(harness.query_by_label("Raw start").is_none());
}

fn pick_set(harness: &mut Harness<'static, ViewerApp>, entry: &str) {
    harness.get_by_label(ORDERS).click_secondary();
    harness.run_steps(2);
    harness.get_by_label(entry).click();
    settle(harness);
}

#[test]
fn two_sets_from_trace_list_filters_compare_by_call_path() {
    let mut harness = orders_pair_app("compare-sets");
    type_into(&mut harness, "Max duration", "90");
    assert_eq!(harness.query_all_by_label(ORDERS).count(), 1);
    pick_set(&mut harness, "Compare sets: the 1 listed traces as set A");
    let list = &mut harness.state_mut().list.filtered;
    list.filter.max_duration.clear();
    list.invalidate();
    harness.run_steps(2);
    type_into(&mut harness, "Min duration", "90");
    pick_set(&mut harness, "Compare sets: the 1 listed traces as set B");
    assert_eq!(harness.state().focus.tab, Tab::Compare);
    assert!(harness.state().focus.compare_sets_shown);
    harness.get_by_label(
        "Set A: 1 trace, mean 80.00 ms · set B: 1 trace, mean 100.00 ms · B against A: +25.0%",
    );
    // The icicle's blocks and the table's rows.
    harness.get_by_label_contains("api: GET /orders > api: render calls 1.0 -> 1.0 per trace");
    harness.get_by_label_contains("api: GET /orders > cache: cache.get calls 1.0 -> 0.0 per trace");
    harness.get_by_label("api: GET /orders > api: render");
    assert!(harness.get_all_by_label("+20.00 ms").count() >= 2);
    harness.get_by_label("Two traces").click();
    harness.run_steps(2);
    assert!(!harness.state().focus.compare_sets_shown);
}

/// A 30,000-span trace, and a comparison file with the same calls at fan-out 11 under a root
/// renamed `slower root`: big enough that comparing them takes a while in a debug build.
fn big_pair(name: &str) -> (Harness<'static, ViewerApp>, PathBuf) {
    let dir = temp_dir(name);
    let mut b = fixture::wide_trace(30_000, 11);
    for span in b.spans.iter_mut().filter(|s| s.parent_span_id.is_none()) {
        span.name = "slower root".into();
    }
    let harness = app(vec![write(
        &dir,
        "a.spindle.json",
        &fixture::wide_trace(30_000, 10),
        false,
    )]);
    (harness, write(&dir, "b.zipkin.json", &b, true))
}

#[test]
fn b_from_the_comparison_file_shows_comparing_then_the_merged_tree() {
    let (mut harness, b_file) = big_pair("compare-second");
    harness.key_press(Key::A);
    harness.run_steps(1);
    open_comparison_file(&mut harness, b_file);
    harness.get_by_label_contains("Comparison file b.zipkin.json: 1 traces");
    harness.get_by_label("B from the comparison file").click();
    harness.run_steps(2);
    harness.get_by_label_contains("api: slower root,").click();
    harness.step();
    harness.get_by_label("Comparing…");
    assert!(harness.state().compare.is_computing());
    settle(&mut harness);
    assert!(harness.query_by_label("Comparing…").is_none());
    harness.get_by_label_contains("(comparison file)");
    // 30,000 spans at fan-out 10 against fan-out 11: the shapes differ below the root.
    harness.get_by_label_contains("B against A: +0.0% · ");
    assert!(harness.query_by_label_contains(" 0 added").is_none());
    assert!(harness.query_by_label_contains(" 0 removed").is_none());
}

#[test]
fn a_newer_pick_supersedes_a_comparison_still_running() {
    let (mut harness, b_file) = big_pair("compare-supersede");
    harness.key_press(Key::A);
    harness.run_steps(1);
    open_comparison_file(&mut harness, b_file);
    harness.state_mut().compare.b_from_second = Some(0);
    harness.step();
    assert!(harness.state().compare.is_computing());
    // Before it is done, B becomes the open trace itself.
    harness.state_mut().compare.b_from_second = None;
    harness.key_press(Key::B);
    settle(&mut harness);
    harness.get_by_label_contains("B against A: +0.0% · 30000 matched, 0 added, 0 removed");
}

#[test]
fn two_sets_from_two_files_compare_the_open_traces_with_the_comparison_file() {
    let dir = temp_dir("compare-sets-files");
    let mut harness = app(vec![write(
        &dir,
        "a.spindle.json",
        &fixture::n_plus_one(),
        false,
    )]);
    open_comparison_file(
        &mut harness,
        write(&dir, "b.zipkin.json", &slower_orders(), true),
    );
    harness.get_by_label("Two sets").click();
    harness.run_steps(2);
    harness.get_by_label("Two files").click();
    settle(&mut harness);
    assert!(harness.state().focus.compare_sets_files);
    harness.get_by_label(
        "Set A: 1 trace, mean 80.00 ms · set B: 1 trace, mean 100.00 ms · B against A: +25.0%",
    );
    harness.get_by_label_contains("api: GET /orders > cache: cache.get calls 1.0 -> 0.0 per trace");
}

#[test]
fn two_sets_from_time_windows_split_the_open_traces() {
    let dir = temp_dir("compare-sets-windows");
    let mut data = fixture::many_traces(40, 5);
    // The later half is slower: its roots end 50 ms later.
    let origin = data
        .spans
        .iter()
        .map(|s| s.start_unix_nanos)
        .min()
        .expect("spans");
    for span in data.spans.iter_mut() {
        if span.parent_span_id.is_none() && span.start_unix_nanos >= origin + 60_000_000 {
            span.end_unix_nanos += 50_000_000;
        }
    }
    let mut harness = app(vec![write(&dir, "many.spindle.json", &data, false)]);
    harness.key_press(Key::Num5);
    harness.run_steps(2);
    harness.get_by_label("Two sets").click();
    harness.run_steps(2);
    harness.get_by_label("Time windows").click();
    harness.run_steps(2);
    // Typed windows: the first 30 ms (traces at 0..27 ms) against 30 to 60 ms.
    for (field, text) in [
        ("A from", "0"),
        ("A to", "30ms"),
        ("B from", "30ms"),
        ("B to", "60ms"),
    ] {
        type_into(&mut harness, field, text);
    }
    harness.get_by_label("Compare the windows").click();
    settle(&mut harness);
    harness.get_by_label(
        "Set A: 10 traces, mean 100.00 ms · set B: 10 traces, mean 100.00 ms · B against A: +0.0%",
    );
    // Halves: traces before the middle against those after it, where the slower ones are.
    harness.get_by_label("Halves").click();
    harness.run_steps(2);
    harness.get_by_label("Compare the windows").click();
    settle(&mut harness);
    let focus = &harness.state().focus;
    assert_eq!(focus.compare_set(0).map(<[u32]>::len), Some(20));
    assert_eq!(focus.compare_set(1).map(<[u32]>::len), Some(20));
    harness.get_by_label(
        "Set A: 20 traces, mean 100.00 ms · set B: 20 traces, mean 150.00 ms · B against A: +50.0%",
    );
}

#[test]
fn clicking_an_icicle_block_zooms_into_its_call_path_and_back() {
    let dir = temp_dir("compare-icicle");
    let mut harness = app(vec![write(
        &dir,
        "a.spindle.json",
        &fixture::n_plus_one(),
        false,
    )]);
    open_comparison_file(
        &mut harness,
        write(&dir, "b.zipkin.json", &slower_orders(), true),
    );
    harness.get_by_label("Two sets").click();
    harness.run_steps(2);
    harness.get_by_label("Two files").click();
    settle(&mut harness);
    const RENDER: &str = "api: GET /orders > api: render calls";
    let root_width = harness
        .get_by_label_contains("api: GET /orders calls")
        .rect()
        .width();
    let narrow = harness.get_by_label_contains(RENDER).rect().width();
    assert!(narrow < root_width * 0.2, "{narrow} of {root_width}");
    harness.get_by_label_contains(RENDER).click();
    harness.run_steps(2);
    let zoomed = harness.get_by_label_contains(RENDER).rect().width();
    assert!(zoomed > root_width * 0.95, "{zoomed} of {root_width}");
    assert!(
        harness
            .query_by_label_contains("api: GET /orders calls")
            .is_none()
    );
    // The breadcrumb: back up to the root's path, then all of them.
    harness.get_by_label("Back").click();
    harness.run_steps(2);
    harness.get_by_label_contains("api: GET /orders calls");
    harness.get_by_label("Back").click();
    harness.run_steps(2);
    assert!(harness.query_by_label("Back").is_none());
    harness.get_by_label_contains(RENDER).click();
    harness.run_steps(2);
    harness.get_by_label("All call paths").click();
    harness.run_steps(2);
    assert!(harness.query_by_label("All call paths").is_none());
    // Hover: both sides' calls, total and self time.
    harness
        .ctx
        .all_styles_mut(|s| s.interaction.tooltip_delay = 0.0);
    harness.get_by_label_contains(RENDER).hover();
    harness.run_steps(3);
    harness.get_by_label_contains("Per trace: calls 1.0 -> 1.0, mean call 9.00 ms -> 29.00 ms");
    assert!(
        harness.query_all_by_label("29.00 ms").count() >= 2,
        "B's total and self"
    );
}
