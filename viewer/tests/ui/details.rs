//! The details panel: typed attributes and their sort, ids with copy buttons, events, links.

use spindle_viewer::eframe::egui;

use super::*;

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
