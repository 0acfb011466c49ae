//! Searching a fake Jaeger v2 (the v3 HTTP gateway) and a legacy Jaeger without v3: the
//! parameters each is sent, every matching trace read from one answer, no traces found, and
//! the fallback.

use std::time::Duration;

use super::fake::{Fake, ID, golden, route};
use super::fake_jaeger::jaeger_v2;
use super::jaeger_search::{go_duration, v3_params};
use super::search::{Query, Summary};
use super::{Backend, BackendError, Connection};
use crate::fixture;

fn connect(fake: &Fake) -> Connection {
    let mut target = fake.target();
    target.kind = Some(Backend::Jaeger);
    Connection::connect(&target).expect("connect")
}

/// A query over the whole of the shop fixture's time.
fn shop_query() -> Query {
    let shop = fixture::shop();
    let first = shop
        .spans
        .iter()
        .map(|s| s.start_unix_nanos)
        .min()
        .expect("spans");
    Query {
        service: "frontend".into(),
        start_unix_nanos: Some(first - 1_000_000_000),
        end_unix_nanos: Some(first + 60_000_000_000),
        limit: 20,
        ..Query::default()
    }
}

fn short(found: &[Summary]) -> Vec<(&str, &str, Option<usize>)> {
    found
        .iter()
        .map(|s| (s.service.as_str(), s.name.as_str(), s.span_count))
        .collect()
}

#[test]
fn jaeger_v3_search_sends_the_gateways_parameters_and_reads_every_trace_found() {
    let fake = Fake::serve(jaeger_v2(fixture::shop()), None);
    let query = shop_query();
    let found = connect(&fake).search(&query).expect("search");
    assert_eq!(
        short(&found),
        vec![
            ("frontend", "GET /checkout", Some(7)),
            ("frontend", "GET /products", Some(3)),
        ]
    );
    assert_eq!(found[0].id, ID);
    let paths = fake.paths();
    assert_eq!(paths.len(), 1, "no fallback: {paths:?}");
    let start = spindle_formats::time::rfc3339(query.start_unix_nanos.expect("start"));
    for part in [
        "/api/v3/traces?".to_string(),
        "query.service_name=frontend".into(),
        format!("query.start_time_min={}", start.replace(':', "%3A")),
        "query.search_depth=20".into(),
        "query.num_traces=20".into(),
    ] {
        assert!(paths[0].contains(&part), "{part} missing from {}", paths[0]);
    }
}

#[test]
fn jaeger_v3_search_narrows_by_operation_duration_and_attributes() {
    let fake = Fake::serve(jaeger_v2(fixture::shop()), None);
    let search = |q: Query| connect(&fake).search(&q).expect("search");
    let by_operation = search(Query {
        operation: "GET /products".into(),
        ..shop_query()
    });
    assert_eq!(
        short(&by_operation),
        vec![("frontend", "GET /products", Some(3))]
    );
    let by_tag = search(Query {
        tags: vec![("http.status_code".into(), "500".into())],
        ..shop_query()
    });
    assert_eq!(short(&by_tag), vec![("frontend", "GET /checkout", Some(7))]);
    let by_duration = search(Query {
        min_duration: Some(Duration::from_millis(100)),
        ..shop_query()
    });
    assert_eq!(by_duration.len(), 1, "{by_duration:?}");
    let asked = fake.paths().join("\n");
    assert!(
        asked.contains("query.operation_name=GET%20%2Fproducts"),
        "{asked}"
    );
    assert!(
        asked.contains("query.attributes=%7B%22http.status_code%22%3A%22500%22%7D"),
        "{asked}"
    );
    assert!(asked.contains("query.duration_min=100ms"), "{asked}");
}

#[test]
fn no_traces_found_is_an_empty_list_not_a_fallback() {
    let fake = Fake::serve(jaeger_v2(fixture::shop()), None);
    let found = connect(&fake)
        .search(&Query {
            service: "nobody".into(),
            ..shop_query()
        })
        .expect("search");
    assert!(found.is_empty());
    assert_eq!(
        fake.paths().len(),
        1,
        "the gateway's 404 is not a missing API"
    );
}

#[test]
fn jaeger_without_v3_is_searched_through_the_legacy_api() {
    let fake = Fake::start(
        vec![route("/api/traces", 200, &golden("jaeger-ui.json"))],
        None,
    );
    let found = connect(&fake).search(&Query {
        service: "frontend".into(),
        operation: "GET /dispatch".into(),
        tags: vec![("http.status_code".into(), "200".into())],
        min_duration: Some(Duration::from_millis(10)),
        ..Query::default()
    });
    let found = found.expect("search");
    let paths = fake.paths();
    assert!(paths[0].starts_with("/api/v3/traces?"), "{paths:?}");
    assert!(paths[1].starts_with("/api/traces?"), "{paths:?}");
    for part in [
        "service=frontend",
        "operation=GET%20%2Fdispatch",
        "minDuration=10ms",
        "tags=%7B%22http.status_code%22%3A%22200%22%7D",
    ] {
        assert!(paths[1].contains(part), "{part} missing from {}", paths[1]);
    }
    assert!(found.iter().any(|s| s.id == ID), "{found:?}");
}

#[test]
fn a_search_answer_jaeger_does_not_send_is_unexpected_and_a_refusal_is_auth() {
    let zipkin = Fake::start(vec![route("/api/v3/traces", 200, b"[]")], None);
    let error = connect(&zipkin)
        .search(&shop_query())
        .expect_err("not Jaeger's");
    assert!(
        matches!(
            error,
            BackendError::Unexpected {
                backend: Backend::Jaeger,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("did not answer as Jaeger does"),
        "{error}"
    );
    let guarded = Fake::serve(jaeger_v2(fixture::shop()), Some("Bearer right"));
    let error = connect(&guarded)
        .search(&shop_query())
        .expect_err("refused");
    assert!(
        matches!(error, BackendError::AuthFailed { status: 401, .. }),
        "{error:?}"
    );
    assert!(
        error.to_string().starts_with("authentication failed at "),
        "{error}"
    );
}

#[test]
fn the_time_range_is_always_sent_and_durations_read_as_go_reads_them() {
    let now = 1_700_000_000_000_000_000;
    let params = v3_params(&Query::default(), now);
    let value = |k: &str| {
        params
            .iter()
            .find(|(n, _)| *n == k)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(
        value("query.start_time_max"),
        Some("2023-11-14T22:13:20.000000000Z")
    );
    assert_eq!(
        value("query.start_time_min"),
        Some("2023-11-14T21:13:20.000000000Z")
    );
    assert_eq!(value("query.service_name"), None);
    assert_eq!(go_duration(Duration::from_millis(1500)), "1500ms");
    assert_eq!(go_duration(Duration::from_micros(15)), "15us");
    assert_eq!(go_duration(Duration::from_nanos(7)), "7ns");
}

#[test]
fn a_search_where_nothing_answers_names_the_url() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let target = super::Target {
        url: format!("http://127.0.0.1:{port}"),
        kind: Some(Backend::Jaeger),
        ..super::Target::default()
    };
    let error = Connection::connect(&target)
        .and_then(|c| c.search(&shop_query()))
        .expect_err("nothing listens");
    assert!(
        matches!(error, BackendError::Unreachable { .. }),
        "{error:?}"
    );
    assert!(
        error.to_string().starts_with(&format!(
            "cannot reach http://127.0.0.1:{port}/api/v3/traces: "
        )),
        "{error}"
    );
}

proptest::proptest! {
    /// Every duration is sent in words Go's `time.ParseDuration` reads back exactly, and
    /// every time as RFC 3339 that reads back to the same nanosecond.
    #[test]
    fn durations_and_times_sent_read_back_exactly(nanos in 0u64..u64::MAX / 4) {
        let sent = go_duration(Duration::from_nanos(nanos));
        proptest::prop_assert_eq!(super::fake_jaeger::parse_go_duration(&sent), Some(nanos));
        let time = spindle_formats::time::rfc3339(nanos);
        proptest::prop_assert_eq!(super::fake_jaeger::parse_rfc3339(&time), Some(nanos));
    }

    /// Any v3 answer body gives summaries or nothing, never a panic.
    #[test]
    fn any_v3_answer_is_read_or_refused(body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300)) {
        let tags = vec![("k".to_string(), "v".to_string())];
        for found in super::jaeger_search::read_v3(&body, "fake", &tags).into_iter().flatten() {
            proptest::prop_assert!(found.id.len() == 16 || found.id.len() == 32);
        }
    }
}
