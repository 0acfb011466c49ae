use spindle::propagation::w3c::TraceContextPropagator;
use spindle::propagation::{Injector, Propagator};
use spindle::semconv::http;
use spindle::{SpanKind, Status};

use super::{has, int, only_span, text};

#[test]
fn a_server_span_is_named_by_its_route_and_carries_the_request() {
    let span = only_span(|| {
        let mut span = http::server("GET", "/users/42?verbose=1&sig=s3cret")
            .route("/users/{id}")
            .scheme("https")
            .server_address("api.example.com", 443)
            .user_agent("curl/8.5.0")
            .client_address("10.0.0.7")
            .start();
        span.set_response_status(200);
    });
    assert_eq!(span.name, "GET /users/{id}");
    assert_eq!(span.kind, SpanKind::Server);
    assert_eq!(text(&span, "http.request.method"), "GET");
    assert_eq!(text(&span, "url.path"), "/users/42");
    assert_eq!(text(&span, "url.query"), "verbose=1&sig=REDACTED");
    assert_eq!(text(&span, "url.scheme"), "https");
    assert_eq!(text(&span, "http.route"), "/users/{id}");
    assert_eq!(text(&span, "server.address"), "api.example.com");
    assert_eq!(int(&span, "server.port"), 443);
    assert_eq!(text(&span, "user_agent.original"), "curl/8.5.0");
    assert_eq!(text(&span, "client.address"), "10.0.0.7");
    assert_eq!(int(&span, "http.response.status_code"), 200);
    assert_eq!(span.status, Status::Unset);
    assert!(!has(&span, "error.type"));
}

#[test]
fn a_server_span_is_an_error_on_5xx_but_not_on_4xx() {
    let not_found = only_span(|| http::server("GET", "/x").start().set_response_status(404));
    assert_eq!(not_found.status, Status::Unset);
    assert!(!has(&not_found, "error.type"));
    let failed = only_span(|| http::server("GET", "/x").start().set_response_status(503));
    assert!(
        matches!(failed.status, Status::Error { .. }),
        "{:?}",
        failed.status
    );
    assert_eq!(text(&failed, "error.type"), "503");
}

#[test]
fn a_client_span_is_an_error_on_4xx_and_5xx() {
    for (code, error) in [(204, false), (404, true), (500, true)] {
        let span = only_span(|| {
            let mut span =
                http::client("POST", "https://u:pw@pay.example.com:8443/charge?id=7").start();
            span.set_response_status(code);
        });
        assert_eq!(span.kind, SpanKind::Client);
        assert_eq!(span.name, "POST");
        assert_eq!(
            text(&span, "url.full"),
            "https://REDACTED:REDACTED@pay.example.com:8443/charge?id=7"
        );
        assert_eq!(text(&span, "server.address"), "pay.example.com");
        assert_eq!(int(&span, "server.port"), 8443);
        assert_eq!(matches!(span.status, Status::Error { .. }), error, "{code}");
        assert_eq!(has(&span, "error.type"), error, "{code}");
    }
}

#[test]
fn a_client_span_is_named_by_its_url_template() {
    let span = only_span(|| {
        drop(
            http::client("GET", "http://svc/users/7")
                .url_template("/users/{id}")
                .start(),
        )
    });
    assert_eq!(span.name, "GET /users/{id}");
    assert_eq!(text(&span, "url.template"), "/users/{id}");
    assert_eq!(int(&span, "server.port"), 80);
}

#[test]
fn an_unknown_method_is_other_and_keeps_the_original() {
    for method in ["PURGE", "get"] {
        let span = only_span(|| drop(http::server(method, "/").route("/").start()));
        assert_eq!(span.name, "HTTP /");
        assert_eq!(text(&span, "http.request.method"), "_OTHER");
        assert_eq!(text(&span, "http.request.method_original"), method);
    }
    let known = only_span(|| drop(http::server("QUERY", "/").start()));
    assert_eq!(
        (
            known.name.as_ref(),
            has(&known, "http.request.method_original")
        ),
        ("QUERY", false)
    );
}

#[test]
fn a_route_matched_later_renames_the_span() {
    let span = only_span(|| {
        let mut span = http::server("DELETE", "/carts/9").start();
        span.set_route("/carts/{id}");
    });
    assert_eq!(span.name, "DELETE /carts/{id}");
    assert_eq!(text(&span, "http.route"), "/carts/{id}");
}

#[test]
fn a_server_span_continues_the_callers_trace() {
    let mut headers: Vec<(String, String)> = Vec::new();
    headers.set(
        "traceparent",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".into(),
    );
    let span = only_span(|| {
        let parent = TraceContextPropagator.extract(&headers);
        drop(http::server("GET", "/").parent(parent.as_ref()).start());
    });
    assert_eq!(
        span.trace_id.to_string(),
        "4bf92f3577b34da6a3ce929d0e0e4736"
    );
    assert_eq!(
        span.parent_span_id.map(|id| id.to_string()).as_deref(),
        Some("00f067aa0ba902b7")
    );
}

#[test]
fn a_failure_without_a_response_is_recorded_as_an_exception() {
    let span = only_span(|| {
        let mut span = http::client("GET", "http://down.example/").start();
        let error = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        span.record_error(&error);
    });
    assert_eq!(text(&span, "error.type"), "std::io::error::Error");
    assert_eq!(span.events[0].name, "exception");
    assert!(matches!(&span.status, Status::Error { message } if message == "refused"));
}
