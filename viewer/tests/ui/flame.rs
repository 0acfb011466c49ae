//! The flame graphs: a block selects its span; the aggregated graph merges traces.

use spindle_viewer::focus::Tab;

use super::*;

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
