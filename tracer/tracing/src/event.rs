//! A `tracing` event as a Spindle span event.
//!
//! The `message` field names the event. An event with an `error` field (or any field
//! recorded as a `dyn Error`) is an exception as OpenTelemetry names it: the event is called
//! `exception`, carries `exception.message` (and `exception.causes`, the error's sources,
//! as `spindle::Span::record_error` records them), and the span's status becomes an error
//! with that message; the text message, if any, stays as the attribute `message`.

use std::fmt;

use spindle::{KeyValue, Value};
use tracing_core::field::{Field, Visit};
use tracing_core::{Event, Level};

use crate::fields::{causes, push, u64_value};
use crate::layer::Location;

/// An event ready to add to a span.
#[derive(Debug)]
pub(crate) struct SpanEvent {
    pub name: String,
    pub attributes: Vec<KeyValue>,
    /// The error's message if the event is an exception.
    pub error: Option<String>,
    /// True for events at the `ERROR` level.
    pub error_level: bool,
}

/// Builds the span event for `event`.
pub(crate) fn span_event(event: &Event<'_>, options: Location) -> SpanEvent {
    let meta = event.metadata();
    let mut fields = EventFields {
        message: None,
        error: None,
        attributes: Vec::with_capacity(meta.fields().len() + 5),
    };
    event.record(&mut fields);
    let mut attributes = fields.attributes;
    push(&mut attributes, "level", Value::from(meta.level().as_str()));
    push(&mut attributes, "target", Value::from(meta.target()));
    options.add(&mut attributes, meta);
    let (name, error) = match fields.error {
        Some((message, chain)) => {
            push(&mut attributes, "exception.message", message.clone().into());
            if !chain.is_empty() {
                push(&mut attributes, "exception.causes", chain.into());
            }
            if let Some(text) = fields.message {
                push(&mut attributes, "message", text.into());
            }
            ("exception".to_owned(), Some(message))
        }
        None => (
            fields.message.unwrap_or_else(|| meta.name().to_owned()),
            None,
        ),
    };
    SpanEvent {
        name,
        attributes,
        error,
        error_level: *meta.level() == Level::ERROR,
    }
}

struct EventFields {
    message: Option<String>,
    error: Option<(String, Vec<String>)>,
    attributes: Vec<KeyValue>,
}

impl EventFields {
    fn text(&mut self, field: &Field, text: String) {
        match field.name() {
            "message" => self.message = Some(text),
            "error" => self.error = Some((text, Vec::new())),
            name => self.attributes.push(KeyValue::new(name, text)),
        }
    }
}

impl Visit for EventFields {
    fn record_i64(&mut self, field: &Field, value: i64) {
        push(&mut self.attributes, field.name(), Value::I64(value));
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        push(&mut self.attributes, field.name(), u64_value(value));
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        push(&mut self.attributes, field.name(), Value::F64(value));
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        push(&mut self.attributes, field.name(), Value::Bool(value));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.text(field, value.to_owned());
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        let message = value.to_string();
        if field.name() != "error" {
            push(&mut self.attributes, field.name(), message.clone().into());
        }
        self.error = Some((message, causes(value)));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.text(field, format!("{value:?}"));
    }
}
