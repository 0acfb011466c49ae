//! An HTTP service for the W3C Trace Context test harness, and the pattern users copy:
//! server middleware that extracts the incoming context, client calls that inject it.
//!
//! ```text
//! cargo run --example w3c_service -- 127.0.0.1:7777
//! ```
//!
//! On `POST` with a JSON body `[{"url": ..., "arguments": ...}, ...]` it extracts the incoming
//! `traceparent`/`tracestate` (headers may repeat or be split across lines), and for each item
//! sends `POST url` with `arguments` as the JSON body, carrying the propagated context with a new
//! parent id (the client span's). Then it answers 200.

use std::time::Duration;

use serde_json::Value as Json;
use spindle::propagation::w3c::TraceContextPropagator;
use spindle::propagation::{Extractor, Propagator};
use spindle::{Config, Span, SpanContext, SpanKind};

fn main() {
    let address = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:7777".into());
    let server = match tiny_http::Server::http(&address) {
        Ok(server) => server,
        Err(e) => {
            eprintln!("w3c_service: cannot listen on {address}: {e}");
            std::process::exit(1);
        }
    };
    // Spans go wherever the environment says (none by default); propagation works either way.
    let _tracer = spindle::init(Config::new().service_name("w3c-service"));
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(10)))
        .http_status_as_error(false)
        .build()
        .into();
    println!("w3c_service listening on http://{address}");
    for request in server.incoming_requests() {
        handle(&agent, request);
    }
}

/// Server middleware: extract, start a server span, run the handler inside it, answer.
fn handle(agent: &ureq::Agent, mut request: tiny_http::Request) {
    let headers: Vec<(String, String)> = request
        .headers()
        .iter()
        .map(|h| {
            (
                h.field.as_str().as_str().to_owned(),
                h.value.as_str().to_owned(),
            )
        })
        .collect();
    let parent = TraceContextPropagator
        .extract(&headers as &dyn Extractor)
        .unwrap_or_default();
    let span = Span::builder(format!("{} {}", request.method(), request.url()))
        .kind(SpanKind::Server)
        .parent(&parent)
        .start()
        .enter();
    let mut body = String::new();
    let status = match request.as_reader().read_to_string(&mut body) {
        Ok(_) => call_all(agent, &body, &span.context()),
        Err(e) => {
            eprintln!("w3c_service: reading the request body failed: {e}");
            400
        }
    };
    span.set_attribute("http.response.status_code", i64::from(status));
    drop(span);
    let _ = request.respond(tiny_http::Response::empty(status));
}

/// The handler: one outgoing call per item of the body; 400 if the body is not such a list.
fn call_all(agent: &ureq::Agent, body: &str, server: &SpanContext) -> u16 {
    let items = match serde_json::from_str::<Vec<Json>>(body) {
        Ok(items) => items,
        Err(e) => {
            eprintln!("w3c_service: body is not a JSON list: {e}");
            return 400;
        }
    };
    for item in items {
        let Some(url) = item.get("url").and_then(Json::as_str) else {
            eprintln!("w3c_service: item without a \"url\" string: {item}");
            continue;
        };
        let arguments = item.get("arguments").cloned().unwrap_or(Json::Null);
        call(agent, url, &arguments, server);
    }
    200
}

/// Client side: a client span whose context (the new parent id) goes into the headers.
fn call(agent: &ureq::Agent, url: &str, arguments: &Json, server: &SpanContext) {
    let client = Span::builder(format!("POST {url}"))
        .kind(SpanKind::Client)
        .parent(server)
        .start();
    let mut headers: Vec<(String, String)> = Vec::new();
    TraceContextPropagator.inject(client.context(), &mut headers);
    let mut post = agent.post(url).header("Content-Type", "application/json");
    for (name, value) in &headers {
        post = post.header(name.as_str(), value.as_str());
    }
    if let Err(e) = post.send(arguments.to_string().as_bytes()) {
        eprintln!("w3c_service: POST {url} failed: {e}");
    }
}
