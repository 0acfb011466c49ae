//! Reading events, links and status in OTLP's shape, in a format's encodings.

use std::borrow::Cow;

use serde::Deserialize;

use crate::context::Fault;
use crate::model::{Event, KeyValue, Link, Resource, Scope, SpanId, Status, TraceId};
use crate::num::Int;
use crate::text::owned;

/// What a format encodes its own way when it reads OTLP's shapes.
pub(crate) trait ReadEncoding<'a> {
    /// An attribute as the format's wire has it.
    type Attribute;
    /// An event as the format's wire has it (the time's name and type differ).
    type Event;
    /// A status code as the format's wire has it.
    type Code;

    /// An event's time, name and attributes.
    fn event(wire: Self::Event) -> EventParts<'a, Self::Attribute>;

    /// Attributes in the format's encoding.
    fn attributes(wires: Vec<Self::Attribute>) -> Result<Vec<KeyValue>, Fault<'a>>;

    /// A trace id in the format's encoding.
    fn trace_id(text: &Cow<'a, str>, field: &str) -> Result<TraceId, Fault<'a>>;

    /// A span id in the format's encoding.
    fn span_id(text: &Cow<'a, str>, field: &str) -> Result<SpanId, Fault<'a>>;

    /// What a status code stands for.
    fn status_code(code: Self::Code) -> Result<StatusCode, Fault<'a>>;
}

/// An event as read, before its attributes are converted.
pub(crate) struct EventParts<'a, A> {
    pub time_unix_nanos: u64,
    pub name: Cow<'a, str>,
    pub attributes: Vec<A>,
    pub dropped_attributes_count: Option<Int<u32>>,
}

/// The three status codes OTLP defines.
pub(crate) enum StatusCode {
    Unset,
    Ok,
    Error,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(expecting = "a link object")]
pub(crate) struct LinkWire<'a, A> {
    #[serde(borrow)]
    trace_id: Cow<'a, str>,
    #[serde(borrow)]
    span_id: Cow<'a, str>,
    #[serde(borrow, default)]
    trace_state: Cow<'a, str>,
    #[serde(default = "Vec::new")]
    attributes: Vec<A>,
    #[serde(default)]
    dropped_attributes_count: Option<Int<u32>>,
    #[serde(default)]
    flags: Option<Int<u32>>,
}

/// A resource: its attributes and dropped count, and (in Spindle JSON, where a resource is not
/// inside a `ResourceSpans`) its schema URL.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(expecting = "a resource object")]
pub(crate) struct ResourceWire<'a, A> {
    #[serde(default = "Vec::new")]
    attributes: Vec<A>,
    #[serde(default)]
    dropped_attributes_count: Option<Int<u32>>,
    #[serde(borrow, default)]
    schema_url: Cow<'a, str>,
}

/// An instrumentation scope (and in Spindle JSON its schema URL, as for [`ResourceWire`]).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(expecting = "a scope object")]
pub(crate) struct ScopeWire<'a, A> {
    #[serde(borrow, default)]
    name: Cow<'a, str>,
    #[serde(borrow, default)]
    version: Cow<'a, str>,
    #[serde(default = "Vec::new")]
    attributes: Vec<A>,
    #[serde(default)]
    dropped_attributes_count: Option<Int<u32>>,
    #[serde(borrow, default)]
    schema_url: Cow<'a, str>,
}

/// A count that may be absent or `null` (zero).
pub(crate) fn count(wire: Option<Int<u32>>) -> u32 {
    wire.unwrap_or_default().0
}

/// A resource; a bad attribute is named `attributes[i]…`.
pub(crate) fn resource<'a, E: ReadEncoding<'a>>(
    wire: ResourceWire<'a, E::Attribute>,
) -> Result<Resource, Fault<'a>> {
    Ok(Resource {
        attributes: E::attributes(wire.attributes).map_err(|f| f.within("attributes"))?,
        dropped_attributes_count: count(wire.dropped_attributes_count),
        schema_url: owned(wire.schema_url),
    })
}

/// A scope; a bad attribute is named `attributes[i]…`.
pub(crate) fn scope<'a, E: ReadEncoding<'a>>(
    wire: ScopeWire<'a, E::Attribute>,
) -> Result<Scope, Fault<'a>> {
    Ok(Scope {
        name: owned(wire.name),
        version: owned(wire.version),
        attributes: E::attributes(wire.attributes).map_err(|f| f.within("attributes"))?,
        dropped_attributes_count: count(wire.dropped_attributes_count),
        schema_url: owned(wire.schema_url),
    })
}

/// A status; `C` is the format's code (a missing code reads as `None` when `C` is an `Option`).
#[derive(Deserialize)]
#[serde(expecting = "a status object")]
pub(crate) struct StatusWire<'a, C> {
    code: C,
    #[serde(borrow, default)]
    message: Cow<'a, str>,
}

/// A span's events; a bad attribute is named by its place (`events[2].attributes[0]…`).
pub(crate) fn events<'a, E: ReadEncoding<'a>>(
    wires: Vec<E::Event>,
) -> Result<Vec<Event>, Fault<'a>> {
    let mut events = Vec::with_capacity(wires.len());
    for (i, wire) in wires.into_iter().enumerate() {
        let parts = E::event(wire);
        let attributes = E::attributes(parts.attributes)
            .map_err(|f| f.within(&format!("events[{i}].attributes")))?;
        events.push(Event {
            time_unix_nanos: parts.time_unix_nanos,
            name: owned(parts.name),
            attributes,
            dropped_attributes_count: count(parts.dropped_attributes_count),
        });
    }
    Ok(events)
}

/// A span's links; a bad id or attribute is named by its place (`links[1].traceId`).
pub(crate) fn links<'a, E: ReadEncoding<'a>>(
    wires: Vec<LinkWire<'a, E::Attribute>>,
) -> Result<Vec<Link>, Fault<'a>> {
    let mut links = Vec::with_capacity(wires.len());
    for (i, wire) in wires.into_iter().enumerate() {
        let path = format!("links[{i}]");
        let trace_id = E::trace_id(&wire.trace_id, "traceId").map_err(|f| f.within(&path))?;
        let span_id = E::span_id(&wire.span_id, "spanId").map_err(|f| f.within(&path))?;
        let attributes =
            E::attributes(wire.attributes).map_err(|f| f.within("attributes").within(&path))?;
        links.push(Link {
            trace_id,
            span_id,
            trace_state: owned(wire.trace_state),
            attributes,
            dropped_attributes_count: count(wire.dropped_attributes_count),
            flags: count(wire.flags),
        });
    }
    Ok(links)
}

/// A span's status (none: unset).
pub(crate) fn status<'a, E: ReadEncoding<'a>>(
    wire: Option<StatusWire<'a, E::Code>>,
) -> Result<Status, Fault<'a>> {
    let Some(wire) = wire else {
        return Ok(Status::Unset);
    };
    Ok(match E::status_code(wire.code)? {
        StatusCode::Unset => Status::Unset,
        StatusCode::Ok => Status::Ok,
        StatusCode::Error => Status::Error {
            message: owned(wire.message),
        },
    })
}
