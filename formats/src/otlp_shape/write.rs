//! Writing resources, events, links and status in OTLP's shape, in a format's encodings.

use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};

use crate::hex::{span_id_hex, trace_id_hex};
use crate::model::{Event, KeyValue, Link, Resource, Span, Status};

/// What a format encodes its own way when it writes OTLP's shapes.
pub(crate) trait WriteEncoding: Copy {
    /// The name of an event's time field.
    const EVENT_TIME: &'static str;
    /// Whether an error status writes its `message` before its `code`.
    const MESSAGE_FIRST: bool;

    /// A time in Unix nanoseconds, as the format writes it.
    fn time(unix_nanos: u64) -> impl Serialize;

    /// The `code` of a status, as the format writes it.
    fn status_code(status: &Status) -> impl Serialize;

    /// An attribute list, as the format writes it.
    fn attributes(attributes: &[KeyValue]) -> impl Serialize + '_;
}

/// Writes a span's `attributes`, `events`, `links` and `status` fields (those not empty).
pub(crate) fn span_parts<S: SerializeStruct, E: WriteEncoding>(
    out: &mut S,
    span: &Span,
    encoding: E,
) -> Result<(), S::Error> {
    if !span.attributes.is_empty() {
        out.serialize_field("attributes", &E::attributes(&span.attributes))?;
    }
    if !span.events.is_empty() {
        out.serialize_field("events", &List(&span.events, encoding))?;
    }
    if !span.links.is_empty() {
        out.serialize_field("links", &List(&span.links, encoding))?;
    }
    if span.status != Status::Unset {
        out.serialize_field("status", &Part(&span.status, encoding))?;
    }
    Ok(())
}

/// One resource, event, link or status, written in encoding `E`.
pub(crate) struct Part<'a, T, E>(pub &'a T, pub E);

/// A list of events or links, each written as a [`Part`].
pub(crate) struct List<'a, T, E>(pub &'a [T], pub E);

impl<'a, T, E: Copy> Serialize for List<'a, T, E>
where
    for<'b> Part<'b, T, E>: Serialize,
{
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(|item| Part(item, self.1)))
    }
}

impl<E: WriteEncoding> Serialize for Part<'_, Resource, E> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_struct("Resource", 1)?;
        out.serialize_field("attributes", &E::attributes(&self.0.attributes))?;
        out.end()
    }
}

impl<E: WriteEncoding> Serialize for Part<'_, Event, E> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let event = self.0;
        let mut out = serializer.serialize_struct("Event", 3)?;
        out.serialize_field(E::EVENT_TIME, &E::time(event.time_unix_nanos))?;
        out.serialize_field("name", &event.name)?;
        if !event.attributes.is_empty() {
            out.serialize_field("attributes", &E::attributes(&event.attributes))?;
        }
        out.end()
    }
}

impl<E: WriteEncoding> Serialize for Part<'_, Link, E> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let link = self.0;
        let mut out = serializer.serialize_struct("Link", 4)?;
        out.serialize_field("traceId", &trace_id_hex(link.trace_id))?;
        out.serialize_field("spanId", &span_id_hex(link.span_id))?;
        if !link.trace_state.is_empty() {
            out.serialize_field("traceState", &link.trace_state)?;
        }
        if !link.attributes.is_empty() {
            out.serialize_field("attributes", &E::attributes(&link.attributes))?;
        }
        out.end()
    }
}

impl<E: WriteEncoding> Serialize for Part<'_, Status, E> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let status = self.0;
        let mut out = serializer.serialize_struct("Status", 2)?;
        let message = match status {
            Status::Error { message } if !message.is_empty() => Some(message),
            _ => None,
        };
        if let Some(message) = message.filter(|_| E::MESSAGE_FIRST) {
            out.serialize_field("message", message)?;
        }
        out.serialize_field("code", &E::status_code(status))?;
        if let Some(message) = message.filter(|_| !E::MESSAGE_FIRST) {
            out.serialize_field("message", message)?;
        }
        out.end()
    }
}
