//! HTTP on both sides, traced the way a middleware would: the server extracts the caller's
//! W3C context from the request headers and answers inside a server span; the client starts a
//! client span and injects its context into the outgoing headers. Attribute names are
//! OpenTelemetry's HTTP semantic conventions.

use std::time::Duration;

use spindle::propagation::w3c::TraceContextPropagator;
use spindle::propagation::{Extractor, Propagator};
use spindle::{Span, SpanKind, Status};

/// A request as a handler sees it.
pub struct Incoming {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Incoming {
    pub fn header(&self, name: &str) -> Option<&str> {
        Extractor::get(&self.headers, name)
    }
}

/// A handler's answer.
pub struct Reply {
    pub status: u16,
    pub body: String,
}

impl Reply {
    pub fn new(status: u16, body: impl Into<String>) -> Reply {
        Reply {
            status,
            body: body.into(),
        }
    }
}

/// The handler of one route, given the request and the route's `{...}` segments.
pub type Handler<'a> = Box<dyn Fn(&Incoming, &[&str]) -> Reply + 'a>;

/// One route of a service.
pub struct Endpoint<'a> {
    pub method: &'static str,
    /// The route template, as `http.route`: `/customers/{id}/orders`.
    pub route: &'static str,
    /// Whether the request gets a server span (a queue's broker endpoint does not).
    pub traced: bool,
    pub handler: Handler<'a>,
}

/// Routes `request` to its endpoint and answers it (404 if none matches). Traced answers say
/// their trace in `X-Trace-Id`, so the launcher can print which trace is which.
pub fn answer(mut request: tiny_http::Request, port: u16, endpoints: &[Endpoint<'_>]) {
    let mut incoming = Incoming {
        method: request.method().as_str().to_owned(),
        path: path_of(request.url()).to_owned(),
        headers: request
            .headers()
            .iter()
            .map(|h| (h.field.as_str().as_str().to_owned(), h.value.to_string()))
            .collect(),
        body: String::new(),
    };
    let readable = request
        .as_reader()
        .read_to_string(&mut incoming.body)
        .is_ok();
    let found = endpoints.iter().find_map(|endpoint| {
        let segments = match_route(endpoint.route, &incoming.path)?;
        (endpoint.method == incoming.method).then_some((endpoint, segments))
    });
    let (reply, trace_id) = match found {
        None => (Reply::new(404, "no such route"), None),
        Some(_) if !readable => (Reply::new(400, "the body is not UTF-8"), None),
        Some((endpoint, segments)) if endpoint.traced => {
            traced(&incoming, port, endpoint, &segments)
        }
        Some((endpoint, segments)) => ((endpoint.handler)(&incoming, &segments), None),
    };
    let mut response = tiny_http::Response::from_string(reply.body).with_status_code(reply.status);
    let header = trace_id.and_then(|id| tiny_http::Header::from_bytes("X-Trace-Id", id).ok());
    if let Some(header) = header {
        response.add_header(header);
    }
    let _ = request.respond(response);
}

/// Runs the endpoint's handler inside a server span whose parent is the caller's context;
/// returns the reply and the span's trace id (hex).
fn traced(
    incoming: &Incoming,
    port: u16,
    endpoint: &Endpoint<'_>,
    segments: &[&str],
) -> (Reply, Option<String>) {
    let parent = TraceContextPropagator.extract(&incoming.headers as &dyn Extractor);
    let mut builder = Span::builder(format!("{} {}", incoming.method, endpoint.route))
        .kind(SpanKind::Server)
        .attribute("http.request.method", incoming.method.clone())
        .attribute("http.route", endpoint.route)
        .attribute("url.path", incoming.path.clone())
        .attribute("url.scheme", "http")
        .attribute("server.address", "127.0.0.1")
        .attribute("server.port", i64::from(port));
    if let Some(parent) = &parent {
        builder = builder.parent(parent);
    }
    let span = builder.start().enter();
    let reply = (endpoint.handler)(incoming, segments);
    span.set_attribute("http.response.status_code", i64::from(reply.status));
    if reply.status >= 500 {
        // Server spans are errors for 5xx only (4xx is the client's fault).
        span.set_attribute("error.type", reply.status.to_string());
        // The answer's text says what went wrong.
        let message = reply.body.clone().into();
        span.with_span(|span| span.set_status(Status::Error { message }));
    }
    let trace_id = span.context().trace_id.to_string();
    (reply, Some(trace_id))
}

/// An HTTP client whose calls are client spans carrying `traceparent`.
pub struct Client {
    agent: ureq::Agent,
}

/// What a call got back.
pub struct Answer {
    pub status: u16,
    pub body: String,
    /// The answer's `X-Trace-Id`, if it has one.
    pub trace_id: Option<String>,
}

impl Client {
    pub fn new() -> Client {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(10)))
            .http_status_as_error(false)
            .build()
            .into();
        Client { agent }
    }

    /// `method base+path`, as a client span named `method route` (a child of the current
    /// span); 4xx and 5xx answers and failed connections are errors on it.
    pub fn call(
        &self,
        method: &str,
        base: &str,
        route: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> Result<Answer, String> {
        let url = format!("{base}{path}");
        let (address, port) = host_and_port(base);
        let mut span = Span::builder(format!("{method} {route}"))
            .kind(SpanKind::Client)
            .attribute("http.request.method", method.to_owned())
            .attribute("url.full", url.clone())
            .attribute("url.template", route.to_owned())
            .attribute("server.address", address)
            .attribute("server.port", port)
            .start();
        let mut outgoing: Vec<(String, String)> = headers
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect();
        TraceContextPropagator.inject(span.context(), &mut outgoing);
        let result = self.send_untraced(method, &url, &outgoing, body);
        match &result {
            Ok(answer) => {
                span.set_attribute("http.response.status_code", i64::from(answer.status));
                if answer.status >= 400 {
                    span.set_attribute("error.type", answer.status.to_string());
                    span.set_status(Status::Error {
                        message: format!("{}: {}", answer.status, answer.body).into(),
                    });
                }
            }
            Err(message) => {
                span.set_attribute("error.type", "connection");
                span.set_status(Status::Error {
                    message: message.clone().into(),
                });
            }
        }
        span.end();
        result
    }

    /// The request without a span (the queue's producer span stands for its post).
    pub fn send_untraced(
        &self,
        method: &str,
        url: &str,
        headers: &[(String, String)],
        body: Option<&str>,
    ) -> Result<Answer, String> {
        let mut request = ureq::http::Request::builder().method(method).uri(url);
        for (name, value) in headers {
            request = request.header(name, value);
        }
        let request = request
            .body(body.unwrap_or_default().to_owned())
            .map_err(|e| e.to_string())?;
        let mut response = self.agent.run(request).map_err(|e| e.to_string())?;
        let status = response.status().as_u16();
        let trace_id = response
            .headers()
            .get("x-trace-id")
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let body = response
            .body_mut()
            .read_to_string()
            .map_err(|e| e.to_string())?;
        Ok(Answer {
            status,
            body,
            trace_id,
        })
    }
}

/// `("127.0.0.1", 40123)` from `http://127.0.0.1:40123`.
fn host_and_port(base: &str) -> (String, i64) {
    let authority = base.trim_start_matches("http://").trim_end_matches('/');
    match authority.rsplit_once(':') {
        Some((host, port)) => (host.to_owned(), port.parse().unwrap_or(80)),
        None => (authority.to_owned(), 80),
    }
}

/// The path of a request target (without its query).
fn path_of(url: &str) -> &str {
    url.split_once('?').map_or(url, |(path, _)| path)
}

/// The `{...}` segments of `path` if it matches the route template.
pub fn match_route<'p>(route: &str, path: &'p str) -> Option<Vec<&'p str>> {
    let mut route_parts = route.split('/');
    let mut path_parts = path.split('/');
    let mut segments = Vec::new();
    loop {
        match (route_parts.next(), path_parts.next()) {
            (None, None) => return Some(segments),
            (Some(r), Some(p)) if r.starts_with('{') && r.ends_with('}') && !p.is_empty() => {
                segments.push(p)
            }
            (Some(r), Some(p)) if r == p => {}
            _ => return None,
        }
    }
}
