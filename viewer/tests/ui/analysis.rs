//! Why a trace is slow: the critical path (toggle, keys, details), the statistics table (sort,
//! click, filter), N+1 (banner, list filter) and runs of repeated siblings (group rows).

use spindle_viewer::eframe::egui::{Key, Modifiers};

use super::*;

/// `api: GET /orders` (fixture::n_plus_one) beside the shop's two traces, the orders trace
/// open.
fn orders_app(name: &str) -> Harness<'static, ViewerApp> {
    let dir = temp_dir(name);
    let mut harness = app(vec![
        write(&dir, "orders.spindle.json", &fixture::n_plus_one(), false),
        write(&dir, "shop.spindle.json", &fixture::shop(), false),
    ]);
    harness.get_by_label("api: GET /orders").click();
    harness.run_steps(2);
    harness
}

const RUN: &str = "x6 SELECT item, 60.00 ms";

#[test]
fn critical_path_only_hides_spans_off_it_and_keys_walk_its_sections() {
    let mut harness = orders_app("critical");
    // Root, cache.get, SELECT orders, the group row of six SELECT item, render.
    assert_eq!(harness.state().focus.timeline.rows.len(), 5);
    assert!(harness.query_by_label_contains("cache.get (").is_some());
    harness.get_by_label("Critical path only").click();
    harness.run_steps(2);
    assert!(harness.query_by_label_contains("cache.get (").is_none());
    // Root, SELECT orders, the six items (runs are not grouped while a span filter is on),
    // render.
    assert_eq!(harness.state().focus.timeline.rows.len(), 9);
    harness.get_by_label("Critical path only").click();
    harness.run_steps(2);
    assert_eq!(harness.state().focus.timeline.rows.len(), 5);

    // Sections in time order: root 0..1, SELECT orders 1..10, six items, render, root.
    harness.key_press(Key::C);
    harness.run_steps(2);
    assert_eq!(selected_name(&harness).as_deref(), Some("GET /orders"));
    // The root is on the path for 0..1 and 79..80 ms.
    harness.get_by_label_contains("(2000000 ns, 2.5% of the trace)");
    harness.key_press(Key::C);
    harness.run_steps(2);
    assert_eq!(selected_name(&harness).as_deref(), Some("SELECT orders"));
    harness.key_press(Key::C);
    harness.run_steps(2);
    assert_eq!(selected_name(&harness).as_deref(), Some("SELECT item"));
    // Jumping into the collapsed run expands it.
    assert_eq!(harness.state().focus.timeline.rows.len(), 5 + 6);
    harness.key_press_modifiers(Modifiers::SHIFT, Key::C);
    harness.run_steps(2);
    assert_eq!(selected_name(&harness).as_deref(), Some("SELECT orders"));
    harness.key_press_modifiers(Modifiers::SHIFT, Key::C);
    harness.run_steps(2);
    harness.key_press_modifiers(Modifiers::SHIFT, Key::C);
    harness.run_steps(2);
    assert_eq!(
        harness.state().focus.current_section,
        Some(harness.state().focus.findings.critical.sections.len() - 1),
        "Shift+C from the first section wraps to the last"
    );
}

#[test]
fn repeated_siblings_collapse_into_one_row_that_expands_on_click() {
    let mut harness = orders_app("repeats");
    assert!(harness.query_by_label_contains("SELECT item (").is_none());
    harness.get_by_label(RUN).click();
    harness.run_steps(2);
    assert_eq!(harness.state().focus.timeline.rows.len(), 5 + 6);
    let calls = harness.query_all_by_label_contains("SELECT item (").count();
    assert_eq!(calls, 6, "the six calls have rows of their own");
    harness.get_by_label(&format!("Collapse {RUN}")).click();
    harness.run_steps(2);
    assert_eq!(harness.state().focus.timeline.rows.len(), 5);
    assert!(harness.query_by_label_contains("SELECT item (").is_none());
}

#[test]
fn n_plus_one_banner_and_list_filter() {
    let mut harness = orders_app("n-plus-one");
    harness.get_by_label_contains(
        "N+1: 6 sequential calls of SELECT * FROM items WHERE id = ? under GET /orders, 60.00 ms in total, 75% of GET /orders",
    );
    harness.get_by_label("Show the calls").click();
    harness.run_steps(2);
    assert_eq!(harness.state().focus.highlighted.len(), 6);
    assert_eq!(selected_name(&harness).as_deref(), Some("SELECT item"));
    // The shop has no N+1: its banner goes with it.
    harness.get_by_label("frontend: GET /checkout").click();
    harness.run_steps(2);
    assert!(harness.query_by_label_contains("N+1: ").is_none());
    harness.get_by_label("Has N+1").click();
    harness.run_steps(3);
    assert!(harness.query_by_label("api: GET /orders").is_some());
    assert!(harness.query_by_label("frontend: GET /checkout").is_none());
    assert!(harness.query_by_label("frontend: GET /products").is_none());
}

/// The statistics table's first-column labels, top to bottom.
fn table_rows(harness: &Harness<'static, ViewerApp>, names: &[&'static str]) -> Vec<&'static str> {
    let mut shown: Vec<(f32, &'static str)> = names
        .iter()
        .filter_map(|&name| harness.query_by_label(name).map(|n| (n.rect().top(), name)))
        .collect();
    shown.sort_by(|a, b| a.0.total_cmp(&b.0));
    shown.into_iter().map(|(_, name)| name).collect()
}

#[test]
fn statistics_sort_by_column_and_rows_highlight_and_filter_their_spans() {
    let mut harness = orders_app("statistics");
    harness.key_press(Key::Num4);
    harness.run_steps(2);
    let services = ["api", "db", "cache"];
    // By total time, longest first: api 80 + 9 ms, db 69 ms, cache 2 ms.
    assert_eq!(table_rows(&harness, &services), ["api", "db", "cache"]);
    harness.get_by_label("Count").click();
    harness.run_steps(2);
    // db: 7 spans, api: 2, cache: 1.
    assert_eq!(table_rows(&harness, &services), ["db", "api", "cache"]);
    harness.get_by_label("Count v").click();
    harness.run_steps(2);
    assert_eq!(table_rows(&harness, &services), ["cache", "api", "db"]);

    harness.get_by_label("db").click();
    harness.run_steps(2);
    assert_eq!(harness.state().focus.highlighted.len(), 7);
    harness
        .get_by_label("Filter the timeline to the highlighted spans")
        .click();
    harness.run_steps(2);
    harness.key_press(Key::Num1);
    harness.run_steps(2);
    // The root (an ancestor) and the seven db spans, runs not grouped while filtered.
    assert_eq!(harness.state().focus.timeline.rows.len(), 8);
    assert!(harness.query_by_label_contains("cache.get (").is_none());
    assert!(harness.query_by_label_contains("render (").is_none());
}
