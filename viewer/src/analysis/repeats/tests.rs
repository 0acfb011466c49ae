use super::*;
use crate::analysis::testing::{at, call, indexed, span};
use spindle_formats::KeyValue;

/// A database call under span 1 on svc1 with the given statement.
fn query(id: u64, t: (u64, u64), statement: &str) -> Span {
    call(
        id,
        1,
        t,
        1,
        "SELECT orders",
        SpanKind::Client,
        vec![
            KeyValue::new("db.system.name", "postgresql"),
            KeyValue::new("db.query.text", statement.to_string()),
        ],
    )
}

/// `n` calls under a 1000 ns root, each 10 ns, `step` apart starting at 100.
fn queries(n: u64, step: u64, statement: impl Fn(u64) -> String) -> Vec<Span> {
    let mut spans = vec![span(1, None, 0, 1000)];
    spans.extend((0..n).map(|k| {
        let start = 100 + k * step;
        query(10 + k, (start, start + 10), &statement(k))
    }));
    spans
}

fn findings(spans: Vec<Span>) -> Vec<NPlusOne> {
    let (data, index) = indexed(spans);
    let found = n_plus_one(&data, &index, &index.traces[0]);
    assert_eq!(
        has_n_plus_one(&data, &index, &index.traces[0]),
        !found.is_empty()
    );
    found
}

#[test]
fn five_sequential_queries_differing_only_in_literals_are_one_finding() {
    let spans = queries(6, 20, |k| {
        format!("SELECT * FROM orders WHERE id = {k} AND note = 'n{k}''s'")
    });
    let (data, index) = indexed(spans.clone());
    let found = findings(spans);
    assert_eq!(found.len(), 1);
    let f = &found[0];
    assert_eq!(f.count(), 6);
    assert_eq!(f.total, 60);
    assert_eq!(f.parent, Node(at(&data, 1)));
    assert_eq!(f.operation, "SELECT orders");
    assert_eq!(index.service_name(f.service), "svc1");
    assert_eq!(
        f.statement.as_deref(),
        Some("SELECT * FROM orders WHERE id = ? AND note = ?")
    );
    assert_eq!(f.share_of_parent(), Some(0.06));
}

#[test]
fn four_calls_are_not_enough() {
    assert!(findings(queries(4, 20, |k| format!("SELECT {k}"))).is_empty());
}

#[test]
fn parallel_calls_are_not_n_plus_one() {
    // Ten calls, each starting 5 ns after the previous one: every one overlaps the next.
    assert!(findings(queries(10, 5, |k| format!("SELECT {k}"))).is_empty());
}

#[test]
fn different_statements_are_different_operations() {
    let tables = ["orders", "items", "users"];
    let spans = queries(9, 20, |k| {
        format!("SELECT * FROM {}", tables[k as usize % 3])
    });
    assert!(findings(spans).is_empty(), "three of each");
}

#[test]
fn interleaved_operations_are_each_found() {
    // orders, items, orders, items, ...: five of each, sequential.
    let spans = queries(10, 20, |k| {
        let table = if k % 2 == 0 { "orders" } else { "items" };
        format!("SELECT * FROM {table} WHERE id = {k}")
    });
    let found = findings(spans);
    let statements: Vec<_> = found.iter().map(|f| f.statement.as_deref()).collect();
    assert_eq!(
        statements,
        [
            Some("SELECT * FROM orders WHERE id = ?"),
            Some("SELECT * FROM items WHERE id = ?")
        ]
    );
}

#[test]
fn a_sequential_run_ends_where_calls_start_to_overlap() {
    // Six sequential calls, then six overlapping ones: one finding of six.
    let mut spans = queries(6, 20, |k| format!("SELECT * FROM orders WHERE id = {k}"));
    spans.extend((0..6).map(|k| query(30 + k, (300 + k * 5, 310 + k * 5), "SELECT * FROM items")));
    let found = findings(spans);
    assert_eq!(found.iter().map(NPlusOne::count).collect::<Vec<_>>(), [6]);
}

#[test]
fn internal_spans_repeat_but_are_not_calls() {
    let mut spans = vec![span(1, None, 0, 1000)];
    spans.extend((0..6).map(|k| {
        let start = 100 + k * 20;
        call(
            10 + k,
            1,
            (start, start + 10),
            0,
            "render",
            SpanKind::Internal,
            Vec::new(),
        )
    }));
    let (data, index) = indexed(spans.clone());
    assert!(findings(spans).is_empty());
    let found = repeats(&data, &index, &index.traces[0]);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].count, 6);
    assert!(found[0].sequential);
}

#[test]
fn client_calls_without_a_statement_share_their_name() {
    let mut spans = vec![span(1, None, 0, 1000)];
    spans.extend((0..5).map(|k| {
        let start = 100 + k * 20;
        call(
            10 + k,
            1,
            (start, start + 10),
            2,
            "cache.get",
            SpanKind::Client,
            Vec::new(),
        )
    }));
    let found = findings(spans);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].statement, None);
}

#[test]
fn orphan_calls_are_found_under_the_placeholder() {
    let spans: Vec<Span> = queries(5, 20, |k| format!("SELECT {k}"))
        .into_iter()
        .skip(1)
        .collect();
    let found = findings(spans);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].parent, Node::MISSING_PARENT);
    assert_eq!(found[0].share_of_parent(), None);
}

#[test]
fn runs_of_three_or_more_consecutive_siblings_are_repeats() {
    let get = |id, t: (u64, u64)| call(id, 1, t, 2, "get", SpanKind::Client, Vec::new());
    let spans = vec![
        span(1, None, 0, 1000),
        get(2, (10, 20)),
        get(3, (15, 30)),
        get(4, (30, 40)),
        get(5, (40, 45)),
        call(6, 1, (50, 60), 1, "SELECT", SpanKind::Client, Vec::new()),
        get(7, (60, 70)),
        get(8, (70, 80)),
    ];
    let (data, index) = indexed(spans);
    let found = repeats(&data, &index, &index.traces[0]);
    assert_eq!(
        found,
        [Repeat {
            parent: Node(at(&data, 1)),
            first: at(&data, 2),
            last: at(&data, 5),
            count: 4,
            total: 10 + 15 + 10 + 5,
            sequential: false,
        }]
    );
}

#[test]
fn statements_lose_numbers_and_quoted_literals_only() {
    let cases = [
        (
            "SELECT * FROM t1 WHERE id = 42",
            "SELECT * FROM t1 WHERE id = ?",
        ),
        (
            "SELECT a FROM b WHERE x IN (1, 2.5, 0x1f)",
            "SELECT a FROM b WHERE x IN (?, ?, ?)",
        ),
        (
            "WHERE name = 'it''s' AND n = -7",
            "WHERE name = ? AND n = -?",
        ),
        (
            "SELECT \"order 1\"\n\t FROM  x",
            "SELECT \"order 1\" FROM x",
        ),
        ("WHERE s = 'unterminated", "WHERE s = ?"),
        ("SELECT $1, col_2", "SELECT $1, col_2"),
    ];
    for (text, normal) in cases {
        assert_eq!(normalize_statement(text), normal, "{text}");
    }
}
