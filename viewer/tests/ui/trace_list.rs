//! The trace list: each filter, each sort column, the sort row.

use super::*;

fn clear_filters(harness: &mut Harness<'static, ViewerApp>) {
    let app = harness.state_mut();
    app.list.filtered.filter = Default::default();
    app.list.filtered.invalidate();
    harness.run_steps(2);
    assert_eq!(visible_traces(harness).len(), 3);
}

#[test]
fn trace_list_filters_show_the_matching_rows() {
    let mut harness = list_app("filters");
    assert_eq!(visible_traces(&harness), TRACES);
    harness.get_by_label("3 of 3 traces");
    harness.get_by_label("Errors only").click();
    harness.run_steps(2);
    assert_eq!(visible_traces(&harness), ["frontend: GET /checkout"]);
    harness.get_by_label("1 of 3 traces");
    harness.get_by_label("Errors only").click();
    harness.run_steps(2);
    assert_eq!(visible_traces(&harness).len(), 3);
    // Service: pick "worker" in the combo box (its label is on its left).
    let service = harness.get_by_label("Service");
    let operation = harness.get_by_label("Operation");
    assert!(
        (service.rect().left() - operation.rect().left()).abs() < 1.0,
        "the combo box sits in the value column, its label on its left: {:?} {:?}",
        service.rect(),
        operation.rect()
    );
    service.click();
    harness.run_steps(2);
    harness.get_by_label("worker").click();
    harness.run_steps(2);
    assert_eq!(visible_traces(&harness), ["worker: consume job"]);
    let checkout = "frontend: GET /checkout";
    let products = "frontend: GET /products";
    let worker = "worker: consume job";
    let cases: [(&str, &str, &[&str]); 6] = [
        ("Operation", "FRAUD", &[checkout]),
        ("Min duration", "50ms", &[checkout, products]),
        ("Max duration", "40 ms", &[worker]),
        ("Tag", "db.system=postgresql", &[checkout, products]),
        ("Tag", "rpc.attempt=1", &[checkout]),
        // A resource attribute counts too.
        ("Tag", "host.name=worker-1", &[worker]),
    ];
    for (field, text, expected) in cases {
        clear_filters(&mut harness);
        type_into(&mut harness, field, text);
        assert_eq!(visible_traces(&harness), expected, "{field} = {text}");
    }
}

/// Clicks the sort direction button, which shows `shown`, and checks it now shows the other.
fn reverse_sort(harness: &mut Harness<'static, ViewerApp>, shown: &str) {
    harness.get_by_label(shown).click();
    harness.run_steps(2);
    let other = if shown == "Ascending" {
        "Descending"
    } else {
        "Ascending"
    };
    harness.get_by_label(other);
}

#[test]
fn trace_list_sorts_by_each_column() {
    let mut harness = list_app("sorts");
    let [checkout, products, worker] = TRACES;
    // Start, ascending by default.
    assert_eq!(
        harness.get_by_label("Sort").value().as_deref(),
        Some("Start")
    );
    assert_eq!(visible_traces(&harness), [checkout, products, worker]);
    reverse_sort(&mut harness, "Ascending");
    assert_eq!(visible_traces(&harness), [worker, products, checkout]);
    // Duration, longest first; the direction button reverses.
    sort_by(&mut harness, "Duration");
    harness.get_by_label("Descending");
    assert_eq!(visible_traces(&harness), [checkout, products, worker]);
    reverse_sort(&mut harness, "Descending");
    assert_eq!(visible_traces(&harness), [worker, products, checkout]);
    // Spans: 7 first; the two with 3 spans keep their start order (stable sort, reversed).
    sort_by(&mut harness, "Spans");
    assert_eq!(visible_traces(&harness)[0], checkout);
    reverse_sort(&mut harness, "Descending");
    assert_eq!(visible_traces(&harness)[2], checkout);
    // Errors: the one with an error first.
    sort_by(&mut harness, "Errors");
    assert_eq!(visible_traces(&harness)[0], checkout);
    reverse_sort(&mut harness, "Descending");
    assert_eq!(visible_traces(&harness)[2], checkout);
    // Name: alphabetical by "service: operation", then reversed.
    sort_by(&mut harness, "Name");
    assert_eq!(visible_traces(&harness), [checkout, products, worker]);
    reverse_sort(&mut harness, "Ascending");
    assert_eq!(visible_traces(&harness), [worker, products, checkout]);
    // Back to Start: ascending again.
    sort_by(&mut harness, "Start");
    assert_eq!(visible_traces(&harness), [checkout, products, worker]);
}

/// The sort row fits the list's width on one line: the combo box and the direction button
/// share a row.
#[test]
fn trace_list_sort_row_is_one_line() {
    let harness = list_app("sort-row");
    let sort = harness.get_by_label("Sort").rect();
    let direction = harness.get_by_label("Ascending").rect();
    assert!(
        (sort.center().y - direction.center().y).abs() < 2.0,
        "{sort:?} {direction:?}"
    );
}
