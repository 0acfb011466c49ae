//! Writing resources, events, links and status in OTLP's shape, in a format's encodings.

use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};

use crate::hex::{span_id_hex, trace_id_hex};
use crate::model::{Event, KeyValue, Link, Resource, Scope, Span, Status};

/// What a format encodes its own way when it writes OTLP's shapes.
pub(crate) trait WriteEncoding: Copy {
    /// The name of an event's time field.
    const EVENT_TIME: &'static str;
    /// Whether an error status writes its `message` before its `code`.
    const MESSAGE_FIRST: bool;
    /// Whether a resource or scope object holds its own `schemaUrl` (Spindle JSON), rather than
    /// the `ResourceSpans` / `ScopeSpans` around it (OTLP).
    const SCHEMA_URL_INSIDE: bool;

    /// A time in Unix nanoseconds, as the format writes it.
    fn time(unix_nanos: u64) -> impl Serialize;

    /// The `code` of a status, as the format writes it.
    fn status_code(status: &Status) -> impl Serialize;

    /// An attribute list, as the format writes it.
    fn attributes(attributes: &[KeyValue]) -> impl Serialize + '_;
}

/// Writes a span's `attributes`, `events`, `links`, their dropped counts and `status` (those
/// not empty or zero).
pub(crate) fn span_parts<S: SerializeStruct, E: WriteEncoding>(
    out: &mut S,
    span: &Span,
    encoding: E,
) -> Result<(), S::Error> {
    if !span.attributes.is_empty() {
        out.serialize_field("attributes", &E::attributes(&span.attributes))?;
    }
    count_field(out, "droppedAttributesCount", span.dropped_attributes_count)?;
    if !span.events.is_empty() {
        out.serialize_field("events", &List(&span.events, encoding))?;
    }
    count_field(out, "droppedEventsCount", span.dropped_events_count)?;
    if !span.links.is_empty() {
        out.serialize_field("links", &List(&span.links, encoding))?;
    }
    count_field(out, "droppedLinksCount", span.dropped_links_count)?;
    if span.status != Status::Unset {
        out.serialize_field("status", &Part(&span.status, encoding))?;
    }
    Ok(())
}

/// Writes a count field unless it is zero.
fn count_field<S: SerializeStruct>(
    out: &mut S,
    name: &'static str,
    count: u32,
) -> Result<(), S::Error> {
    if count != 0 {
        out.serialize_field(name, &count)?;
    }
    Ok(())
}

/// Writes a scope's `droppedAttributesCount` and, where the format keeps it inside the scope,
/// its `schemaUrl` (those not zero or empty); the format writes the name, version and
/// attributes its own way.
pub(crate) fn scope_extras<S: SerializeStruct, E: WriteEncoding>(
    out: &mut S,
    scope: &Scope,
    _encoding: E,
) -> Result<(), S::Error> {
    count_field(
        out,
        "droppedAttributesCount",
        scope.dropped_attributes_count,
    )?;
    if E::SCHEMA_URL_INSIDE && !scope.schema_url.is_empty() {
        out.serialize_field("schemaUrl", &scope.schema_url)?;
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
        let resource = self.0;
        let mut out = serializer.serialize_struct("Resource", 3)?;
        out.serialize_field("attributes", &E::attributes(&resource.attributes))?;
        count_field(
            &mut out,
            "droppedAttributesCount",
            resource.dropped_attributes_count,
        )?;
        if E::SCHEMA_URL_INSIDE && !resource.schema_url.is_empty() {
            out.serialize_field("schemaUrl", &resource.schema_url)?;
        }
        out.end()
    }
}

impl<E: WriteEncoding> Serialize for Part<'_, Event, E> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let event = self.0;
        let mut out = serializer.serialize_struct("Event", 4)?;
        out.serialize_field(E::EVENT_TIME, &E::time(event.time_unix_nanos))?;
        out.serialize_field("name", &event.name)?;
        if !event.attributes.is_empty() {
            out.serialize_field("attributes", &E::attributes(&event.attributes))?;
        }
        count_field(
            &mut out,
            "droppedAttributesCount",
            event.dropped_attributes_count,
        )?;
        out.end()
    }
}

impl<E: WriteEncoding> Serialize for Part<'_, Link, E> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let link = self.0;
        let mut out = serializer.serialize_struct("Link", 6)?;
        out.serialize_field("traceId", &trace_id_hex(link.trace_id))?;
        out.serialize_field("spanId", &span_id_hex(link.span_id))?;
        if !link.trace_state.is_empty() {
            out.serialize_field("traceState", &link.trace_state)?;
        }
        if !link.attributes.is_empty() {
            out.serialize_field("attributes", &E::attributes(&link.attributes))?;
        }
        count_field(
            &mut out,
            "droppedAttributesCount",
            link.dropped_attributes_count,
        )?;
        count_field(&mut out, "flags", link.flags)?;
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
