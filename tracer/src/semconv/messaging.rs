//! Messaging spans (OpenTelemetry's messaging conventions), and the trace carried in a
//! message's headers so that the consumer's span continues the producer's trace.
//!
//! A span is named `{messaging.operation.name} {messaging.destination.name}` (`send
//! shop.orders`, `process shop.orders`); its kind follows the operation type (create and send:
//! producer; receive and settle: client; process: consumer). The headers carry W3C
//! `traceparent` and `tracestate` through the [`Injector`] and [`Extractor`] traits (any header
//! map: Kafka record headers, AMQP properties, a `Vec<(String, String)>`).
//!
//! ```
//! use spindle::semconv::messaging;
//!
//! // producer
//! let send = messaging::send("kafka", "shop.orders").message_id("m-1").start();
//! let mut headers: Vec<(String, String)> = Vec::new();
//! messaging::inject(send.context(), &mut headers);
//! drop(send);
//!
//! // consumer, perhaps in another process
//! let process = messaging::process("kafka", "shop.orders").parent_from_headers(&headers).start();
//! # assert_eq!(process.context().trace_id, messaging::extract(&headers).unwrap().trace_id);
//! ```

use spindle_formats::{KeyValue, SpanKind, Str, Value};

use crate::propagation::w3c::TraceContextPropagator;
use crate::propagation::{Extractor, Injector, Propagator};
use crate::span::Span;
use crate::span_context::SpanContext;

/// What a messaging span does with messages (`messaging.operation.type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperationType {
    /// A message is created (for batch sending: each message's own creation context).
    Create,
    /// Messages are handed to the broker.
    Send,
    /// Messages are pulled from the broker.
    Receive,
    /// Messages are handled by the consumer.
    Process,
    /// Messages are acknowledged, rejected or otherwise settled.
    Settle,
}

impl OperationType {
    /// The attribute's value (`send`).
    pub fn as_str(self) -> &'static str {
        match self {
            OperationType::Create => "create",
            OperationType::Send => "send",
            OperationType::Receive => "receive",
            OperationType::Process => "process",
            OperationType::Settle => "settle",
        }
    }

    /// The span kind the conventions give this operation.
    pub fn span_kind(self) -> SpanKind {
        match self {
            OperationType::Create | OperationType::Send => SpanKind::Producer,
            OperationType::Receive | OperationType::Settle => SpanKind::Client,
            OperationType::Process => SpanKind::Consumer,
        }
    }
}

/// Starts a span for `operation` on `destination` (`messaging.destination.name`: a topic,
/// queue) of the system `system` (`messaging.system`: `kafka`, `rabbitmq`, `aws_sqs`, …).
pub fn operation(
    system: impl Into<Str>,
    operation: OperationType,
    destination: impl Into<Str>,
) -> MessagingSpanBuilder {
    MessagingSpanBuilder {
        system: system.into(),
        operation,
        operation_name: Str::from(operation.as_str()),
        destination: destination.into(),
        parent: None,
        links: Vec::new(),
        attributes: Vec::new(),
    }
}

/// A producer span sending to `destination` (inject its context into the message).
pub fn send(system: impl Into<Str>, destination: impl Into<Str>) -> MessagingSpanBuilder {
    operation(system, OperationType::Send, destination)
}

/// A consumer span processing a message from `destination` (give it the message's headers
/// with [`MessagingSpanBuilder::parent_from_headers`]).
pub fn process(system: impl Into<Str>, destination: impl Into<Str>) -> MessagingSpanBuilder {
    operation(system, OperationType::Process, destination)
}

/// Writes `context` into a message's headers (W3C `traceparent`, `tracestate`).
pub fn inject(context: &SpanContext, headers: &mut dyn Injector) {
    TraceContextPropagator.inject(context, headers);
}

/// Reads the producer's context from a message's headers, if they carry a valid one.
pub fn extract(headers: &dyn Extractor) -> Option<SpanContext> {
    TraceContextPropagator.extract(headers)
}

/// A messaging span before it starts (see [`operation`]).
#[derive(Debug)]
#[must_use = "a builder does nothing until start() is called"]
pub struct MessagingSpanBuilder {
    system: Str,
    operation: OperationType,
    operation_name: Str,
    destination: Str,
    parent: Option<SpanContext>,
    links: Vec<SpanContext>,
    attributes: Vec<KeyValue>,
}

impl MessagingSpanBuilder {
    /// `messaging.operation.name`, the system's own word (`publish`, `ack`, `poll`); the
    /// span's name starts with it. Default: the operation type.
    pub fn operation_name(mut self, name: impl Into<Str>) -> Self {
        self.operation_name = name.into();
        self
    }

    /// `messaging.message.id`.
    pub fn message_id(mut self, id: impl Into<Str>) -> Self {
        self.attributes
            .push(KeyValue::new("messaging.message.id", id.into()));
        self
    }

    /// `messaging.batch.message_count`: the number of messages sent or received at once.
    pub fn batch_message_count(mut self, count: u32) -> Self {
        let count = i64::from(count);
        self.attributes
            .push(KeyValue::new("messaging.batch.message_count", count));
        self
    }

    /// `server.address` and `server.port`: the broker.
    pub fn server(mut self, address: impl Into<Str>, port: u16) -> Self {
        self.attributes
            .push(KeyValue::new("server.address", address.into()));
        self.attributes
            .push(KeyValue::new("server.port", i64::from(port)));
        self
    }

    /// Makes the span a child of the producer's context read from `headers` (the current
    /// span stays the parent if they carry none): the consumer continues the trace.
    pub fn parent_from_headers(mut self, headers: &dyn Extractor) -> Self {
        if let Some(context) = extract(headers) {
            self.parent = Some(context);
        }
        self
    }

    /// Links the span to the producer's context read from `headers` (for a batch: one link
    /// per message, the span's parent unchanged).
    pub fn link_from_headers(mut self, headers: &dyn Extractor) -> Self {
        self.links.extend(extract(headers));
        self
    }

    /// Any other attribute (seen by the sampler).
    pub fn attribute(mut self, key: impl Into<Str>, value: impl Into<Value>) -> Self {
        self.attributes.push(KeyValue::new(key, value));
        self
    }

    /// Starts the span.
    pub fn start(self) -> Span {
        let name = format!("{} {}", self.operation_name, self.destination);
        let operation_type = self.operation.as_str();
        let mut builder = Span::builder(name)
            .kind(self.operation.span_kind())
            .attribute("messaging.system", self.system)
            .attribute("messaging.destination.name", self.destination)
            .attribute("messaging.operation.type", operation_type)
            .attribute("messaging.operation.name", self.operation_name);
        if let Some(parent) = &self.parent {
            builder = builder.parent(parent);
        }
        for link in &self.links {
            builder = builder.link(link, Vec::new());
        }
        for attribute in self.attributes {
            builder = builder.attribute(attribute.key, attribute.value);
        }
        builder.start()
    }
}
