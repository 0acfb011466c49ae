//! The call-path panel beside the aggregated flame graph.

use spindle_viewer::eframe::egui;

use super::*;

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
