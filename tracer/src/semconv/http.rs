//! HTTP server and client spans (OpenTelemetry's stable HTTP conventions).
//!
//! A server span is named `{method} {http.route}` (`GET /users/{id}`), or `{method}` before a
//! route is known; a client span `{method}`, or `{method} {url.template}`. A method outside
//! the known set (RFC 9110's, PATCH and QUERY, compared with case; or the list in
//! `OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS`) is recorded as `_OTHER` with
//! `http.request.method_original`, and named `HTTP`. Credentials in `url.full` and the values
//! of signature query parameters (`sig`, `X-Amz-Signature`, …) are redacted.
//!
//! ```
//! use spindle::propagation::{Propagator, w3c::TraceContextPropagator};
//! use spindle::semconv::http;
//!
//! let headers: Vec<(String, String)> = vec![];          // the request's headers
//! let parent = TraceContextPropagator.extract(&headers);
//! let mut span = http::server("GET", "/users/42?verbose=1")
//!     .route("/users/{id}")
//!     .scheme("https")
//!     .user_agent("curl/8.5.0")
//!     .parent(parent.as_ref())
//!     .start();
//! span.set_response_status(503);                          // a 5xx: the span is an error
//!
//! let mut call = http::client("POST", "https://pay.example.com/charge").start();
//! call.set_response_status(404);                          // a 4xx is an error for a client
//! ```

use std::ops::{Deref, DerefMut};
use std::sync::OnceLock;

use spindle_formats::{KeyValue, SpanKind, Status, Str, Value};

use super::exception;
use super::url::{redact_query, redact_url, url_parts};
use crate::span::Span;
use crate::span_context::SpanContext;

/// The methods known by default (RFC 9110, RFC 5789's PATCH, the QUERY draft).
const DEFAULT_KNOWN_METHODS: [&str; 10] = [
    "CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "QUERY", "TRACE",
];

/// The variable that replaces the known methods (comma-separated, compared with case).
const KNOWN_METHODS_VARIABLE: &str = "OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS";

/// The methods of the variable's value (empty entries ignored).
fn parse_known_methods(text: &str) -> Vec<String> {
    let methods = text.split(',').map(str::trim).filter(|m| !m.is_empty());
    methods.map(str::to_owned).collect()
}

fn is_known_method(method: &str) -> bool {
    static FROM_ENV: OnceLock<Option<Vec<String>>> = OnceLock::new();
    let from_env = FROM_ENV.get_or_init(|| {
        let text = std::env::var(KNOWN_METHODS_VARIABLE).ok()?;
        Some(parse_known_methods(&text))
    });
    match from_env {
        Some(known) => known.iter().any(|m| m == method),
        None => DEFAULT_KNOWN_METHODS.contains(&method),
    }
}

/// The span name's `{method}`, and the method's attributes.
fn method_attributes(method: &str, attributes: &mut Vec<KeyValue>) -> Str {
    if is_known_method(method) {
        let method: Str = method.to_owned().into();
        attributes.push(KeyValue::new("http.request.method", method.clone()));
        method
    } else {
        attributes.push(KeyValue::new("http.request.method", "_OTHER"));
        let original = method.to_owned();
        attributes.push(KeyValue::new("http.request.method_original", original));
        Str::from("HTTP")
    }
}

/// Starts an HTTP server span for a request of `method` to `target` (the request line's
/// path, with its query if any: `url.path` and `url.query`). The scheme is `http` unless
/// [`HttpServerBuilder::scheme`] says otherwise.
pub fn server(method: &str, target: &str) -> HttpServerBuilder {
    let mut attributes = Vec::with_capacity(8);
    let method_name = method_attributes(method, &mut attributes);
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    attributes.push(KeyValue::new("url.path", path.to_owned()));
    if !query.is_empty() {
        attributes.push(KeyValue::new("url.query", redact_query(query).into_owned()));
    }
    HttpServerBuilder {
        method_name,
        route: None,
        scheme: Str::from("http"),
        attributes,
        parent: None,
    }
}

/// Starts an HTTP client span for a request of `method` to the absolute URL `url`
/// (`url.full`, redacted; `server.address` and `server.port` are read from it).
pub fn client(method: &str, url: &str) -> HttpClientBuilder {
    let mut attributes = Vec::with_capacity(6);
    let method_name = method_attributes(method, &mut attributes);
    attributes.push(KeyValue::new("url.full", redact_url(url).into_owned()));
    let parts = url_parts(url);
    if let Some(host) = parts.host {
        attributes.push(KeyValue::new("server.address", host.to_owned()));
    }
    if let Some(port) = parts.port {
        attributes.push(KeyValue::new("server.port", i64::from(port)));
    }
    HttpClientBuilder {
        method_name,
        template: None,
        attributes,
    }
}

/// An HTTP server span before it starts (see [`server`]).
#[derive(Debug)]
#[must_use = "a builder does nothing until start() is called"]
pub struct HttpServerBuilder {
    method_name: Str,
    route: Option<Str>,
    scheme: Str,
    attributes: Vec<KeyValue>,
    parent: Option<SpanContext>,
}

impl HttpServerBuilder {
    /// The matched route template (`/users/{id}`): `http.route` and the span's name.
    pub fn route(mut self, route: impl Into<Str>) -> Self {
        self.route = Some(route.into());
        self
    }

    /// `url.scheme`: `http` (the default) or `https`.
    pub fn scheme(mut self, scheme: impl Into<Str>) -> Self {
        self.scheme = scheme.into();
        self
    }

    /// `server.address` and `server.port`: the name and port the server was reached at.
    pub fn server_address(mut self, address: impl Into<Str>, port: u16) -> Self {
        self.attributes
            .push(KeyValue::new("server.address", address.into()));
        self.attributes
            .push(KeyValue::new("server.port", i64::from(port)));
        self
    }

    /// `client.address`: the address of the client that sent the request.
    pub fn client_address(mut self, address: impl Into<Str>) -> Self {
        self.attributes
            .push(KeyValue::new("client.address", address.into()));
        self
    }

    /// `user_agent.original`: the `User-Agent` header.
    pub fn user_agent(mut self, user_agent: impl Into<Str>) -> Self {
        self.attributes
            .push(KeyValue::new("user_agent.original", user_agent.into()));
        self
    }

    /// `network.protocol.version`: `1.1`, `2`, `3`.
    pub fn protocol_version(mut self, version: impl Into<Str>) -> Self {
        let version = version.into();
        self.attributes
            .push(KeyValue::new("network.protocol.version", version));
        self
    }

    /// Any other attribute (seen by the sampler).
    pub fn attribute(mut self, key: impl Into<Str>, value: impl Into<Value>) -> Self {
        self.attributes.push(KeyValue::new(key, value));
        self
    }

    /// The caller's context, extracted from the request's headers (none: the current span,
    /// or a new trace).
    pub fn parent(mut self, parent: Option<&SpanContext>) -> Self {
        self.parent = parent.cloned();
        self
    }

    /// Starts the span (kind server).
    pub fn start(mut self) -> HttpSpan {
        let name = span_name(&self.method_name, self.route.as_deref());
        self.attributes
            .push(KeyValue::new("url.scheme", self.scheme));
        if let Some(route) = self.route {
            self.attributes.push(KeyValue::new("http.route", route));
        }
        let span = super::start(
            name,
            SpanKind::Server,
            self.parent.as_ref(),
            self.attributes,
        );
        HttpSpan {
            span,
            kind: SpanKind::Server,
            method_name: self.method_name,
        }
    }
}

/// An HTTP client span before it starts (see [`client`]).
#[derive(Debug)]
#[must_use = "a builder does nothing until start() is called"]
pub struct HttpClientBuilder {
    method_name: Str,
    template: Option<Str>,
    attributes: Vec<KeyValue>,
}

impl HttpClientBuilder {
    /// `url.template` (`/users/{id}`): the low-cardinality path, also in the span's name.
    pub fn url_template(mut self, template: impl Into<Str>) -> Self {
        self.template = Some(template.into());
        self
    }

    /// `http.request.resend_count`: this request is the `count`th resend (retries and
    /// redirects).
    pub fn resend_count(mut self, count: u32) -> Self {
        let count = i64::from(count);
        self.attributes
            .push(KeyValue::new("http.request.resend_count", count));
        self
    }

    /// `user_agent.original`: the `User-Agent` header sent.
    pub fn user_agent(mut self, user_agent: impl Into<Str>) -> Self {
        self.attributes
            .push(KeyValue::new("user_agent.original", user_agent.into()));
        self
    }

    /// Any other attribute (seen by the sampler).
    pub fn attribute(mut self, key: impl Into<Str>, value: impl Into<Value>) -> Self {
        self.attributes.push(KeyValue::new(key, value));
        self
    }

    /// Starts the span (kind client), a child of the current span. Inject its context into
    /// the request's headers: `propagator.inject(span.context(), &mut headers)`.
    pub fn start(mut self) -> HttpSpan {
        let name = span_name(&self.method_name, self.template.as_deref());
        if let Some(template) = self.template {
            self.attributes
                .push(KeyValue::new("url.template", template));
        }
        let span = super::start(name, SpanKind::Client, None, self.attributes);
        HttpSpan {
            span,
            kind: SpanKind::Client,
            method_name: self.method_name,
        }
    }
}

/// `{method} {target}`, or `{method}` without a target.
fn span_name(method: &str, target: Option<&str>) -> Str {
    match target {
        Some(target) => format!("{method} {target}").into(),
        None => method.to_owned().into(),
    }
}

/// Whether a response status makes the span an error: 5xx and codes outside 100..=599 always,
/// 4xx only for a client.
fn status_is_error(kind: SpanKind, code: u16) -> bool {
    match code {
        100..=399 => false,
        400..=499 => kind == SpanKind::Client,
        _ => true,
    }
}

/// A started HTTP span: a [`Span`] (through `Deref`) that knows its kind, for the status rule.
#[derive(Debug)]
pub struct HttpSpan {
    span: Span,
    kind: SpanKind,
    method_name: Str,
}

impl HttpSpan {
    /// Records `http.response.status_code`; an error status (a server's 5xx, a client's 4xx or
    /// 5xx) sets the span's status to error, with `error.type` the code.
    pub fn set_response_status(&mut self, code: u16) {
        self.span
            .set_attribute("http.response.status_code", i64::from(code));
        if status_is_error(self.kind, code) {
            self.span.set_attribute("error.type", code.to_string());
            self.span.set_status(Status::Error {
                message: Str::default(),
            });
        }
    }

    /// Sets `http.route` once a router has matched it, and renames the span after it
    /// (`GET /users/{id}`).
    pub fn set_route(&mut self, route: impl Into<Str>) {
        let route = route.into();
        self.span
            .update_name(span_name(&self.method_name, Some(&route)));
        self.span.set_attribute("http.route", route);
    }

    /// Records a failure before or instead of a response (see [`exception::record`]).
    pub fn record_error<E: std::error::Error + ?Sized>(&mut self, error: &E) {
        exception::record(&mut self.span, error);
    }

    /// The span itself.
    pub fn into_span(self) -> Span {
        self.span
    }
}

impl Deref for HttpSpan {
    type Target = Span;

    fn deref(&self) -> &Span {
        &self.span
    }
}

impl DerefMut for HttpSpan {
    fn deref_mut(&mut self) -> &mut Span {
        &mut self.span
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_rule_by_kind() {
        for (code, server, client) in [
            (200, false, false),
            (304, false, false),
            (404, false, true),
            (499, false, true),
            (500, true, true),
            (599, true, true),
            (99, true, true),
            (600, true, true),
        ] {
            assert_eq!(
                status_is_error(SpanKind::Server, code),
                server,
                "server {code}"
            );
            assert_eq!(
                status_is_error(SpanKind::Client, code),
                client,
                "client {code}"
            );
        }
    }

    #[test]
    fn the_variable_lists_methods_by_commas() {
        assert_eq!(
            parse_known_methods("GET, PURGE,,LINK "),
            ["GET", "PURGE", "LINK"]
        );
        assert!(parse_known_methods("").is_empty());
    }
}
