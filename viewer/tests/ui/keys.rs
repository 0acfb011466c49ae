//! Keyboard shortcuts: rows, collapse, zoom, search, help.

use spindle_viewer::eframe::egui::Key;

use super::*;

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
    assert!(
        view.start <= 0.0 && view.end >= 120e6,
        "whole trace: {view:?}"
    );
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
