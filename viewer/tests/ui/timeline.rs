//! The waterfall: collapse and expand, the 'missing parent' placeholder.

use spindle_viewer::index::Node;

use super::*;

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
