//! How the side panels and the central view share a 1280x800 window.

use super::*;

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
