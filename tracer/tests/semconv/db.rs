use spindle::semconv::db;
use spindle::{SpanKind, Status};

use super::{has, int, only_span, text};

#[test]
fn a_query_span_is_named_by_operation_and_collection_and_loses_its_literals() {
    let span = only_span(|| {
        drop(
            db::client("postgresql")
                .namespace("shop")
                .operation("SELECT")
                .collection("shop.orders")
                .query("SELECT * FROM shop.orders WHERE id = 42 AND email = 'ann@example.com'")
                .server("db.internal", Some(5433))
                .start(),
        )
    });
    assert_eq!(span.name, "SELECT shop.orders");
    assert_eq!(span.kind, SpanKind::Client);
    assert_eq!(text(&span, "db.system.name"), "postgresql");
    assert_eq!(text(&span, "db.namespace"), "shop");
    assert_eq!(text(&span, "db.operation.name"), "SELECT");
    assert_eq!(text(&span, "db.collection.name"), "shop.orders");
    assert_eq!(
        text(&span, "db.query.text"),
        "SELECT * FROM shop.orders WHERE id = ? AND email = ?"
    );
    assert_eq!(text(&span, "server.address"), "db.internal");
    assert_eq!(int(&span, "server.port"), 5433);
}

#[test]
fn a_parameterized_query_is_recorded_as_it_is() {
    let span = only_span(|| {
        drop(
            db::client("postgresql")
                .parameterized_query("SELECT * FROM t WHERE id = $1 LIMIT 10")
                .start(),
        )
    });
    assert_eq!(
        text(&span, "db.query.text"),
        "SELECT * FROM t WHERE id = $1 LIMIT 10"
    );
}

#[test]
fn span_names_follow_the_order_of_preference() {
    let name = |builder: db::DbSpanBuilder| only_span(|| drop(builder.start())).name.to_string();
    assert_eq!(
        name(
            db::client("mysql")
                .query_summary("SELECT orders JOIN users")
                .operation("SELECT")
        ),
        "SELECT orders JOIN users"
    );
    assert_eq!(
        name(
            db::client("mysql")
                .operation("CALL")
                .stored_procedure("refund")
        ),
        "CALL refund"
    );
    assert_eq!(
        name(db::client("mysql").operation("COMMIT").namespace("shop")),
        "COMMIT shop"
    );
    assert_eq!(
        name(
            db::client("redis")
                .operation("PING")
                .server("cache", Some(6380))
        ),
        "PING cache:6380"
    );
    assert_eq!(name(db::client("mysql").collection("users")), "users");
    assert_eq!(name(db::client("sqlite").in_process()), "sqlite");
}

#[test]
fn a_failed_operation_carries_the_databases_code() {
    let span = only_span(|| {
        let mut span = db::client("postgresql").operation("INSERT").start();
        db::record_error_code(&mut span, "23505");
    });
    assert_eq!(text(&span, "db.response.status_code"), "23505");
    assert_eq!(text(&span, "error.type"), "23505");
    assert!(matches!(span.status, Status::Error { .. }));
    let fine = only_span(|| drop(db::client("postgresql").start()));
    assert_eq!(fine.status, Status::Unset);
    assert!(!has(&fine, "error.type"));
}
