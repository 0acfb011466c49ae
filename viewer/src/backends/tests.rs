//! Fake Jaeger, Tempo and Zipkin servers on 127.0.0.1 answering with the bodies those
//! backends send (the golden files of spindle-formats), and what the viewer makes of them.

use proptest::prelude::*;
use spindle_formats::TraceId;

use super::fake::{Fake, ID, golden, jaeger_services, route};
use super::*;

/// The fetched spans all belong to trace `ID` or another trace of the file, and `ID` is there.
fn has_trace(fetched: &Fetched) -> bool {
    let id = TraceId(u128::from_str_radix(ID, 16).expect("hex"));
    !fetched.data.spans.is_empty() && fetched.data.spans.iter().any(|s| s.trace_id == id)
}

#[test]
fn jaeger_v3_is_recognised_and_opened() {
    let fake = Fake::start(
        vec![
            jaeger_services(),
            route(
                &format!("/api/v3/traces/{ID}"),
                200,
                &golden("jaeger-v3.json"),
            ),
        ],
        None,
    );
    let connection = Connection::connect(&fake.target()).expect("connect");
    assert_eq!(connection.backend, Backend::Jaeger);
    let fetched = connection.open_trace(ID).expect("trace");
    assert!(has_trace(&fetched));
    assert!(fetched.url.ends_with(&format!("/api/v3/traces/{ID}")));
    assert!(
        !fake.paths().contains(&format!("/api/traces/{ID}")),
        "no fallback needed"
    );
}

#[test]
fn jaeger_without_v3_falls_back_to_the_legacy_api() {
    let fake = Fake::start(
        vec![
            jaeger_services(),
            route(&format!("/api/traces/{ID}"), 200, &golden("jaeger-ui.json")),
        ],
        None,
    );
    let fetched = Connection::connect(&fake.target())
        .and_then(|c| c.open_trace(&ID.to_uppercase()))
        .expect("trace");
    assert!(has_trace(&fetched));
    let paths = fake.paths();
    let v3 = paths
        .iter()
        .position(|p| *p == format!("/api/v3/traces/{ID}"));
    let legacy = paths.iter().position(|p| *p == format!("/api/traces/{ID}"));
    assert!(
        v3.is_some() && legacy > v3,
        "v3 first, then legacy: {paths:?}"
    );
}

#[test]
fn tempo_v2_is_recognised_by_echo_and_opened() {
    let fake = Fake::start(
        vec![
            route("/api/echo", 200, b"echo"),
            route(
                &format!("/api/v2/traces/{ID}"),
                200,
                &golden("tempo-v2.json"),
            ),
        ],
        None,
    );
    let connection = Connection::connect(&fake.target()).expect("connect");
    assert_eq!(connection.backend, Backend::Tempo);
    assert!(
        has_trace(&connection.open_trace(ID).expect("trace")),
        "base64 ids read"
    );
}

#[test]
fn old_tempo_is_recognised_by_buildinfo_and_falls_back_to_v1_batches() {
    let fake = Fake::start(
        vec![
            route(
                "/api/status/buildinfo",
                200,
                br#"{"version":"1.5.0","revision":"abc"}"#,
            ),
            route(&format!("/api/traces/{ID}"), 200, &golden("tempo-v1.json")),
        ],
        None,
    );
    let connection = Connection::connect(&fake.target()).expect("connect");
    assert_eq!(connection.backend, Backend::Tempo);
    let fetched = connection.open_trace(ID).expect("trace");
    assert!(has_trace(&fetched));
    assert!(
        fake.paths().contains(&format!("/api/v2/traces/{ID}")),
        "v2 tried first"
    );
}

#[test]
fn zipkin_is_recognised_and_opened() {
    let fake = Fake::start(
        vec![
            route("/api/v2/services", 200, br#"["checkout"]"#),
            route(
                &format!("/api/v2/trace/{ID}"),
                200,
                &golden("zipkin-otel.json"),
            ),
        ],
        None,
    );
    let connection = Connection::connect(&fake.target()).expect("connect");
    assert_eq!(connection.backend, Backend::Zipkin);
    assert!(has_trace(&connection.open_trace(ID).expect("trace")));
}

#[test]
fn a_missing_trace_is_not_found_and_names_the_id() {
    let fake = Fake::start(vec![route("/api/v2/services", 200, b"[]")], None);
    let error = Connection::connect(&fake.target())
        .and_then(|c| c.open_trace("abc"))
        .expect_err("an error");
    assert_eq!(
        error,
        BackendError::NotFound {
            backend: Backend::Zipkin,
            id: "0000000000000abc".into()
        }
    );
    assert_eq!(
        error.to_string(),
        "trace 0000000000000abc was not found in Zipkin"
    );
}

#[test]
fn jaeger_not_found_in_both_apis_is_not_found() {
    let fake = Fake::start(
        vec![
            jaeger_services(),
            route(
                &format!("/api/traces/{ID}"),
                404,
                br#"{"data":null,"total":0,"limit":0,"offset":0,"errors":[{"code":404,"msg":"trace not found"}]}"#,
            ),
        ],
        None,
    );
    let error = Connection::connect(&fake.target())
        .and_then(|c| c.open_trace(ID))
        .expect_err("an error");
    assert!(
        matches!(
            error,
            BackendError::NotFound {
                backend: Backend::Jaeger,
                ..
            }
        ),
        "{error}"
    );
}

#[test]
fn the_auth_header_is_sent_and_a_refusal_is_said_plainly() {
    let routes = vec![
        route("/api/v2/services", 200, b"[]"),
        route(
            &format!("/api/v2/trace/{ID}"),
            200,
            &golden("zipkin-otel.json"),
        ),
    ];
    let fake = Fake::start(routes, Some("Basic dXNlcjpwYXNz"));
    let mut target = fake.target();
    target.auth = Auth::parse("basic user:pass");
    assert!(has_trace(
        &Connection::connect(&target)
            .and_then(|c| c.open_trace(ID))
            .expect("trace")
    ));
    target.auth = Auth::parse("Bearer wrong");
    let error = Connection::connect(&target).expect_err("an error");
    assert!(
        matches!(error, BackendError::AuthFailed { status: 401, .. }),
        "{error}"
    );
    assert!(
        error
            .to_string()
            .starts_with(&format!("authentication failed at {}/api/", fake.url)),
        "{error}"
    );
    assert!(
        fake.seen
            .lock()
            .expect("lock")
            .iter()
            .any(|(_, h)| h.as_deref() == Some("Bearer wrong"))
    );
}

#[test]
fn an_unreachable_host_names_the_url() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let target = Target {
        url: format!("http://127.0.0.1:{port}/"),
        kind: Some(Backend::Tempo),
        auth: None,
        ..Target::default()
    };
    let error = Connection::connect(&target)
        .and_then(|c| c.open_trace(ID))
        .expect_err("an error");
    assert!(matches!(error, BackendError::Unreachable { .. }), "{error}");
    assert!(
        error.to_string().starts_with(&format!(
            "cannot reach http://127.0.0.1:{port}/api/v2/traces/{ID}: "
        )),
        "{error}"
    );
}

#[test]
fn an_answer_in_another_backends_format_is_unexpected() {
    let fake = Fake::start(
        vec![
            route(
                &format!("/api/v2/traces/{ID}"),
                200,
                b"<html><body>Grafana</body></html>",
            ),
            route(
                &format!("/api/traces/{ID}"),
                200,
                &golden("zipkin-otel.json"),
            ),
        ],
        None,
    );
    let mut target = fake.target();
    target.kind = Some(Backend::Tempo);
    let error = Connection::connect(&target)
        .and_then(|c| c.open_trace(ID))
        .expect_err("an error");
    let text = error.to_string();
    assert!(
        text.contains("did not answer as Tempo does: a Zipkin v2 JSON response"),
        "{text}"
    );
    let html = Fake::start(
        vec![route(
            &format!("/api/v2/trace/{ID}"),
            500,
            b"<html>oops</html>",
        )],
        None,
    );
    let mut target = html.target();
    target.kind = Some(Backend::Zipkin);
    let text = Connection::connect(&target)
        .and_then(|c| c.open_trace(ID))
        .expect_err("an error")
        .to_string();
    assert!(
        text.ends_with(
            "did not answer as Zipkin does: HTTP 500 with a body starting \"<html>oops</html>\""
        ),
        "{text}"
    );
}

#[test]
fn a_server_that_is_no_backend_is_not_recognised() {
    let fake = Fake::start(vec![route("/api/services", 200, b"<html>")], None);
    let error = Connection::connect(&fake.target()).expect_err("an error");
    assert_eq!(
        error,
        BackendError::NotRecognised {
            url: fake.url.clone()
        }
    );
    assert_eq!(
        Connection::connect(&Target {
            url: "localhost:16686".into(),
            kind: None,
            auth: None,
            ..Target::default()
        })
        .expect_err("an error"),
        BackendError::BadUrl {
            url: "localhost:16686".into()
        }
    );
}

#[test]
fn fetching_runs_in_the_background_and_repaints() {
    let fake = Fake::start(
        vec![
            route("/api/echo", 200, b"echo"),
            route(
                &format!("/api/v2/traces/{ID}"),
                200,
                &golden("tempo-v2.json"),
            ),
        ],
        None,
    );
    let (tx, rx) = std::sync::mpsc::channel();
    let fetching = fetch::Fetching::start(fake.target(), Some(ID.into()), move || {
        let _ = tx.send(());
    });
    let outcome = fetching.wait();
    assert!(
        rx.recv_timeout(std::time::Duration::from_secs(5)).is_ok(),
        "repaint asked"
    );
    assert_eq!(outcome.backend, Some(Backend::Tempo));
    assert!(has_trace(
        &outcome.result.expect("trace").expect("asked for one")
    ));
}

#[test]
fn auth_is_parsed_and_never_printed() {
    assert_eq!(
        Auth::parse("Bearer abc").map(|a| a.header()),
        Some("Bearer abc".into())
    );
    assert_eq!(
        Auth::parse("basic user:pass").map(|a| a.header()),
        Some("Basic dXNlcjpwYXNz".into())
    );
    assert_eq!(Auth::parse("token abc"), None);
    assert_eq!(Auth::parse("basic nocolon"), None);
    assert!(!format!("{:?}", Auth::parse("bearer s3cret")).contains("s3cret"));
}

proptest! {
    /// A basic header carries exactly `user:password` in base64; a bearer header the token.
    #[test]
    fn auth_headers_carry_what_was_given(user in "[^:\\s]{1,12}", password in "\\PC{0,12}", token in "[A-Za-z0-9._-]{1,40}") {
        use base64::Engine;
        let basic = Auth::parse(&format!("basic {user}:{password}")).expect("basic");
        let header = basic.header();
        let encoded = header.strip_prefix("Basic ").expect("scheme");
        let decoded = base64::engine::general_purpose::STANDARD.decode(encoded).expect("base64");
        prop_assert_eq!(String::from_utf8(decoded).ok(), Some(format!("{user}:{password}")));
        prop_assert_eq!(Auth::parse(&format!("Bearer {token}")).map(|a| a.header()), Some(format!("Bearer {token}")));
    }

    /// Any hex id up to 32 digits is accepted, padded to 16 or 32, with its value kept;
    /// anything with another character is refused.
    #[test]
    fn ids_are_normalised(value: u128, digits in 1usize..=32, junk in "[^0-9a-fA-F\\s]") {
        let hex = format!("{value:032x}");
        let id = &hex[32 - digits..];
        let normal = normalise_id(id).expect("hex id");
        prop_assert_eq!(normal.len(), if digits <= 16 { 16 } else { 32 });
        prop_assert_eq!(u128::from_str_radix(&normal, 16).ok(), u128::from_str_radix(id, 16).ok());
        let bad = format!("{id}{junk}");
        prop_assert!(normalise_id(&bad).is_err());
    }
}
