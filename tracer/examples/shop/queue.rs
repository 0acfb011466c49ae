//! Messages on the `order-events` queue: a body and headers, with the producer's W3C context
//! in the headers (as Kafka or AMQP carry it), so the consumer's span joins the trace.
//!
//! The queue's broker is the worker process (`POST /queue/{name}` enqueues); its endpoint is
//! not traced, as a real broker is not part of the application's trace. The producer and
//! consumer spans follow OpenTelemetry's messaging conventions.

use std::collections::HashMap;

use serde_json::{Value as Json, json};
use spindle::propagation::Propagator;
use spindle::propagation::w3c::TraceContextPropagator;
use spindle::{Span, SpanContext, SpanKind, Status};

use crate::http::Client;

/// The queue's name (`messaging.destination.name`).
pub const DESTINATION: &str = "order-events";
/// `messaging.system`: this demo's own queue (no broker product behind it).
pub const SYSTEM: &str = "shop-queue";

/// A message as it travels.
#[derive(Debug)]
pub struct Message {
    pub id: String,
    pub headers: HashMap<String, String>,
    pub body: Json,
}

impl Message {
    pub fn encode(&self) -> String {
        json!({"id": self.id, "headers": self.headers, "body": self.body}).to_string()
    }

    pub fn decode(text: &str) -> Result<Message, String> {
        let value: Json = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let id = value["id"]
            .as_str()
            .ok_or("a message without an id")?
            .to_owned();
        let headers = value["headers"]
            .as_object()
            .map(|headers| {
                headers
                    .iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                    .collect()
            })
            .unwrap_or_default();
        let body = value["body"].clone();
        Ok(Message { id, headers, body })
    }

    /// The producer's context, from the message's headers.
    pub fn parent(&self) -> Option<SpanContext> {
        TraceContextPropagator.extract(&self.headers)
    }
}

/// Sends `body` to the queue inside a producer span (a child of the current span).
pub fn publish(client: &Client, broker: &str, id: String, body: Json) -> Result<(), String> {
    let span = Span::builder(format!("send {DESTINATION}"))
        .kind(SpanKind::Producer)
        .attribute("messaging.system", SYSTEM)
        .attribute("messaging.destination.name", DESTINATION)
        .attribute("messaging.operation.type", "send")
        .attribute("messaging.operation.name", "send")
        .attribute("messaging.message.id", id.clone())
        .start()
        .enter();
    let mut headers = HashMap::new();
    TraceContextPropagator.inject(&span.context(), &mut headers);
    let message = Message { id, headers, body };
    let url = format!("{broker}/queue/{DESTINATION}");
    let result = client.send_untraced("POST", &url, &[], Some(&message.encode()));
    match result {
        Ok(answer) if answer.status == 202 => Ok(()),
        Ok(answer) => Err(format!("the queue answered {}", answer.status)),
        Err(e) => Err(e),
    }
    .inspect_err(|message| {
        let message = message.clone().into();
        span.with_span(|span| span.set_status(Status::Error { message }));
    })
}

/// The consumer span of one message: a child of the producer's span.
pub fn process_span(message: &Message) -> Span {
    let mut builder = Span::builder(format!("process {DESTINATION}"))
        .kind(SpanKind::Consumer)
        .attribute("messaging.system", SYSTEM)
        .attribute("messaging.destination.name", DESTINATION)
        .attribute("messaging.operation.type", "process")
        .attribute("messaging.operation.name", "process")
        .attribute("messaging.message.id", message.id.clone());
    if let Some(parent) = message.parent() {
        builder = builder.parent(&parent);
    }
    builder.start()
}
