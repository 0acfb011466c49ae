//! The service map's three scopes (the selected trace, all loaded traces, what changed from
//! set A to set B), 100 services laid out without overlaps, a service calling itself drawn
//! below the toolbar, and the timeline's clock-skew toggle.

use spindle_formats::{KeyValue, Resource, ResourceIndex, Span, SpanId, SpanKind, TraceId};
use spindle_viewer::analysis::service_map::fixture::mesh;
use spindle_viewer::eframe::egui::{Key, Rect};
use spindle_viewer::focus::Tab;

use super::*;

const MS: u64 = 1_000_000;
const BASE: u64 = 1_700_000_000_000_000_000;

fn span(
    trace: u128,
    id: u64,
    parent: Option<u64>,
    (a, z): (u64, u64),
    service: u32,
    kind: SpanKind,
) -> Span {
    Span {
        trace_id: TraceId(trace),
        span_id: SpanId(id),
        parent_span_id: parent.map(SpanId),
        name: format!("op{id}").into(),
        kind,
        start_unix_nanos: BASE + a * MS,
        end_unix_nanos: BASE + z * MS,
        resource: ResourceIndex(service),
        ..Span::default()
    }
}

fn services(names: &[&str], spans: Vec<Span>) -> TraceData {
    TraceData {
        resources: (names.iter())
            .map(|s| Resource {
                attributes: vec![KeyValue::new("service.name", s.to_string())],
                ..Default::default()
            })
            .collect(),
        scopes: Vec::new(),
        spans,
    }
}

/// Trace 1: gateway calls itself and db; trace 2: gateway calls cache (its own service map
/// has no db).
fn two_traces() -> TraceData {
    use SpanKind::{Client, Server};
    services(
        &["gateway", "db", "cache"],
        vec![
            span(1, 1, None, (0, 100), 0, Server),
            span(1, 2, Some(1), (10, 30), 0, Client),
            span(1, 3, Some(2), (12, 28), 0, Server),
            span(1, 4, Some(1), (40, 60), 0, Client),
            span(1, 5, Some(4), (42, 58), 1, Server),
            span(2, 6, None, (200, 300), 0, Server),
            span(2, 7, Some(6), (210, 230), 0, Client),
            span(2, 8, Some(7), (212, 228), 2, Server),
        ],
    )
}

fn map_app(name: &str, data: &TraceData) -> Harness<'static, ViewerApp> {
    let dir = temp_dir(name);
    let mut harness = app(vec![write(&dir, "map.spindle.json", data, false)]);
    harness.key_press(Key::Num6);
    harness.run_steps(3);
    assert_eq!(harness.state().focus.tab, Tab::ServiceMap);
    harness
}

fn scope(harness: &mut Harness<'static, ViewerApp>, title: &str) {
    harness.get_by_label(title).click();
    harness.run_steps(3);
}

/// The services drawn, by name.
fn services_shown(harness: &Harness<'static, ViewerApp>) -> Vec<String> {
    let mut names: Vec<String> = harness
        .query_all_by_label_contains("service ")
        .filter_map(|n| n.accesskit_node().label())
        .filter_map(|l| Some(l.strip_prefix("service ")?.split(':').next()?.to_string()))
        .collect();
    names.sort();
    names
}

#[test]
fn the_three_scopes_show_the_selected_trace_all_traces_and_what_changed() {
    let mut harness = map_app("map-scopes", &two_traces());
    harness.get_by_label_contains("Services of all 2 loaded traces. 3 services, 3 connections");
    assert_eq!(services_shown(&harness), ["cache", "db", "gateway"]);

    harness.get_by_label("gateway: op6").click();
    harness.run_steps(2);
    scope(&mut harness, "Selected trace");
    harness.get_by_label_contains(
        "Services the selected trace (gateway: op6) went through. 2 services, 1 connection",
    );
    assert_eq!(services_shown(&harness), ["cache", "gateway"]);

    scope(&mut harness, "What changed: set A -> set B");
    harness.get_by_label_contains("Pick two sets of traces first");
    assert!(services_shown(&harness).is_empty());
    // The Compare tab's two sets: trace 1 as A, trace 2 as B.
    let index = |id: u128| {
        harness
            .state()
            .document()
            .index
            .trace_index(TraceId(id))
            .map(|t| t as u32)
    };
    let (a, b) = (index(1).expect("trace 1"), index(2).expect("trace 2"));
    harness.state_mut().focus.compare_sets = [Some(vec![a]), Some(vec![b])];
    harness.run_steps(3);
    harness.get_by_label_contains(
        "What changed from set A (1 trace) to set B (1 trace): 3 services and 3 calls changed. 3 services",
    );
    harness.get_by_label("service cache: added (only in B)");
    harness.get_by_label("service db: removed (only in A)");
    // 4 spans in trace 1, 2 in trace 2.
    harness.get_by_label("service gateway: called more or less often");
    harness.get_by_label_contains("gateway -> db: removed (only in A); A: 1.0 calls per trace");
    harness.get_by_label_contains(
        "gateway -> cache: added (only in B); A: none; B: 1.0 calls per trace",
    );
    harness.get_by_label_contains("removed (only in A) (3)");
    // Clicking a changed call still filters the trace list by it.
    harness
        .get_by_label_contains("gateway -> cache: added")
        .click();
    harness.run_steps(3);
    harness.get_by_label_contains("Through gateway -> cache");

    scope(&mut harness, "All loaded traces");
    assert_eq!(services_shown(&harness), ["cache", "db", "gateway"]);
}

#[test]
fn a_top_service_calling_itself_is_drawn_below_the_toolbar() {
    let harness = map_app("map-loop", &two_traces());
    let toolbar = harness.get_by_label("Fit to window").rect();
    let gateway = harness.get_by_label_contains("service gateway").rect();
    let arc_label = harness
        .get_by_label_contains("gateway -> gateway: 1 call")
        .rect();
    assert!(
        arc_label.top() > toolbar.bottom(),
        "{arc_label:?} under {toolbar:?}"
    );
    assert!(
        arc_label.bottom() < gateway.top(),
        "the loop's label above its box"
    );
}

#[test]
fn a_hundred_services_are_drawn_without_overlapping_boxes() {
    let mut harness = map_app("map-100", &mesh(100, 300, 17));
    harness.get_by_label_contains("Services of all 300 loaded traces. 100 services");
    let boxes: Vec<Rect> = harness
        .query_all_by_label_contains("service ")
        .filter(|n| {
            n.accesskit_node()
                .label()
                .is_some_and(|l| l.starts_with("service "))
        })
        .map(|n| n.rect())
        .collect();
    // Only the boxes on screen are in the tree: a screen's worth of them, none overlapping.
    assert!(boxes.len() >= 10, "{} boxes", boxes.len());
    for (i, a) in boxes.iter().enumerate() {
        for b in &boxes[i + 1..] {
            assert!(!a.intersects(b.shrink(0.5)), "{a:?} and {b:?} overlap");
        }
    }
    let fitted = harness.state().service_map.zoom;
    assert!(
        (0.5..1.0).contains(&fitted),
        "fit to the window at {fitted}"
    );
    harness.get_by_label("100%").click();
    harness.run_steps(2);
    assert_eq!(harness.state().service_map.zoom, 1.0);
    harness.get_by_label("Fit to window").click();
    harness.run_steps(2);
    assert_eq!(harness.state().service_map.zoom, fitted);
}

/// `a` calls `b` (CLIENT 10..60 ms); b's SERVER span says 5..45 ms: its clock is behind.
fn skewed() -> TraceData {
    use SpanKind::{Client, Server};
    services(
        &["a", "b"],
        vec![
            span(5, 1, None, (0, 100), 0, Server),
            span(5, 2, Some(1), (10, 60), 0, Client),
            span(5, 3, Some(2), (5, 45), 1, Server),
        ],
    )
}

#[test]
fn the_timeline_toggle_draws_adjusted_bars_and_the_details_keep_raw_times() {
    let dir = temp_dir("timeline-skew");
    let mut harness = app(vec![write(&dir, "skew.spindle.json", &skewed(), false)]);
    harness.get_by_label("a: op1").click();
    harness.run_steps(2);
    assert!(!harness.state().focus.adjust_skew);
    harness
        .get_by_label("Draw with clock skew adjusted (1 span moved)")
        .click();
    harness.run_steps(2);
    assert!(harness.state().focus.adjust_skew);
    harness.get_by_label_contains("op3 (b,").click();
    harness.run_steps(2);
    harness.get_by_label("Raw start");
    harness.get_by_label("+15.00 ms (moved +10.00 ms)");
}
