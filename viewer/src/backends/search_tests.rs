//! Searching fake Jaeger, Tempo and Zipkin backends: the query each one is sent, and the
//! summaries read from what each one answers.

use std::time::Duration;

use proptest::prelude::*;

use super::fake::{Fake, ID, golden, route};
use super::search::{Query, Summary, tempo_summaries, zipkin_summaries};
use super::{Backend, BackendError, Connection};

fn connect(fake: &Fake, kind: Backend) -> Connection {
    let mut target = fake.target();
    target.kind = Some(kind);
    Connection::connect(&target).expect("connect")
}

fn query() -> Query {
    Query {
        service: "frontend".into(),
        operation: "GET /dispatch".into(),
        tags: vec![("http.status_code".into(), "200".into())],
        min_duration: Some(Duration::from_millis(10)),
        max_duration: Some(Duration::from_secs(2)),
        start_unix_nanos: Some(1_700_000_000_000_000_000),
        end_unix_nanos: Some(1_700_000_060_000_000_000),
        limit: 20,
    }
}

/// The one request's URL the fake saw after probing nothing (kind given).
fn asked(fake: &Fake) -> String {
    fake.paths().pop().expect("a request")
}

fn ids(found: &[Summary]) -> Vec<&str> {
    found.iter().map(|s| s.id.as_str()).collect()
}

#[test]
fn tempo_search_sends_logfmt_tags_and_reads_its_summaries() {
    let body = br#"{"traces":[
        {"traceID":"4bf92f3577b34da6a3ce929d0e0e4736","rootServiceName":"frontend",
         "rootTraceName":"GET /dispatch","startTimeUnixNano":"1700000000000000000","durationMs":250,
         "serviceStats":{"frontend":{"spanCount":4},"db":{"spanCount":2,"errorCount":1}}},
        {"traceID":"abc","rootServiceName":"worker","startTimeUnixNano":"1700000001000000000"}],
        "metrics":{"inspectedBytes":"1024"}}"#;
    let fake = Fake::start(vec![route("/api/search", 200, body)], None);
    let found = connect(&fake, Backend::Tempo)
        .search(&query())
        .expect("search");
    let url = asked(&fake);
    for part in [
        "tags=service.name%3Dfrontend%20name%3D%22GET%20%2Fdispatch%22%20http.status_code%3D200",
        "minDuration=10ms",
        "start=1700000000",
        "end=1700000060",
        "limit=20",
    ] {
        assert!(url.contains(part), "{part} missing from {url}");
    }
    assert_eq!(
        found,
        vec![
            Summary {
                id: ID.into(),
                service: "frontend".into(),
                name: "GET /dispatch".into(),
                start_unix_nanos: 1_700_000_000_000_000_000,
                duration_nanos: 250_000_000,
                span_count: Some(6),
            },
            Summary {
                id: "0000000000000abc".into(),
                service: "worker".into(),
                name: String::new(),
                start_unix_nanos: 1_700_000_001_000_000_000,
                duration_nanos: 0,
                span_count: None,
            },
        ]
    );
}

#[test]
fn zipkin_search_sends_its_parameters_and_reads_each_trace() {
    let mut body = b"[".to_vec();
    body.extend(golden("zipkin-otel.json"));
    body.extend(b"]");
    let fake = Fake::start(vec![route("/api/v2/traces", 200, &body)], None);
    let found = connect(&fake, Backend::Zipkin)
        .search(&query())
        .expect("search");
    let url = asked(&fake);
    for part in [
        "serviceName=frontend",
        "spanName=GET%20%2Fdispatch",
        "annotationQuery=http.status_code%3D200",
        "minDuration=10000",
        "maxDuration=2000000",
        "endTs=1700000060000",
        "lookback=60000",
        "limit=20",
    ] {
        assert!(url.contains(part), "{part} missing from {url}");
    }
    // The golden file's second trace has a 64-bit id, kept at 16 digits as Zipkin stores it.
    assert_eq!(ids(&found), vec![ID, "f067aa0ba902b7ab"]);
}

#[test]
fn a_refused_search_says_what_the_backend_answered() {
    let fake = Fake::start(
        vec![route(
            "/api/v2/traces",
            400,
            br#"{"status":400,"message":"parameter 'serviceName' is required"}"#,
        )],
        None,
    );
    let error = connect(&fake, Backend::Zipkin)
        .search(&Query::default())
        .expect_err("refused");
    assert!(matches!(
        error,
        BackendError::Unexpected {
            backend: Backend::Zipkin,
            ..
        }
    ));
    assert!(
        error.to_string().contains("HTTP 400 with a body starting"),
        "{error}"
    );
    assert!(
        error
            .to_string()
            .contains("parameter 'serviceName' is required"),
        "{error}"
    );
}

proptest! {
    /// Any answer body gives summaries or nothing, never a panic; Tempo's summaries carry ids
    /// of 16 or 32 hex digits.
    #[test]
    fn any_search_answer_is_read_or_refused(body in proptest::collection::vec(any::<u8>(), 0..200)) {
        for found in tempo_summaries(&body).into_iter().flatten() {
            prop_assert!(found.id.len() == 16 || found.id.len() == 32);
        }
        let _ = zipkin_summaries(&body, "fake");
    }

    /// Tempo summaries keep each trace's id, service and duration, whatever they are.
    #[test]
    fn tempo_summaries_keep_their_fields(id: u64, service in "[a-z]{0,8}", ms in 0u64..1_000_000) {
        let body = serde_json::json!({"traces":[{"traceID": format!("{id:x}"),
            "rootServiceName": service, "durationMs": ms}]}).to_string();
        let found = tempo_summaries(body.as_bytes()).expect("read");
        prop_assert_eq!(found.len(), 1);
        prop_assert_eq!(u128::from_str_radix(&found[0].id, 16).ok(), Some(u128::from(id)));
        prop_assert_eq!(&found[0].service, &service);
        prop_assert_eq!(found[0].duration_nanos, ms * 1_000_000);
    }
}
