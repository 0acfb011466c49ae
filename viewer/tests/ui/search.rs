//! The search bar: next/previous, matches only, the match counter.

use super::*;

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
