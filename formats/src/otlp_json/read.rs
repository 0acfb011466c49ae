//! Reading OTLP/JSON: request documents, whole when they are sound, span by span otherwise.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::Encoding;
use super::any_value::{KeyValueWire, attributes};
use super::envelope::RequestWire;
use super::groups::ResourceSpansWire;
use crate::base64;
use crate::context::{Fault, ReadContext, parse_span_id, parse_trace_id};
use crate::detect::Format;
use crate::error::{Problem, ReadError};
use crate::loaded::{Loaded, ReadOptions};
use crate::model::{
    KeyValue, ResourceIndex, ScopeIndex, Span, SpanId, SpanKind, TraceData, TraceId,
};
use crate::num::Int;
use crate::otlp_shape::{
    EventParts, LinkWire, ReadEncoding, StatusCode, StatusWire, count, events, links, status,
};
use crate::stream::read_all;
use crate::text::{Text, owned};

/// Reads OTLP/JSON: one `ExportTraceServiceRequest` document, or JSON Lines of them.
///
/// Lenient reads skip a bad span (or a bad document) with a [`Warning`](crate::Warning); strict
/// reads fail on the first problem.
///
/// ```
/// use spindle_formats::{ReadOptions, SpanKind, Value, otlp_json};
/// let text = br#"{"resourceSpans":[{"scopeSpans":[{"spans":[
///   {"traceId":"4BF92F3577B34DA6A3CE929D0E0E4736","spanId":"00f067aa0ba902b7","kind":3,
///    "startTimeUnixNano":1700000000000000000,"endTimeUnixNano":"1700000000000000500",
///    "attributes":[{"key":"n","value":{"intValue":7}}],"events":[],"links":[],"flags":257}]}]}]}"#;
/// let loaded = otlp_json::read(text, "t.json", ReadOptions::default()).unwrap();
/// let span = &loaded.data.spans[0];
/// assert_eq!((span.kind, span.duration_nanos(), span.flags), (SpanKind::Client, 500, 257));
/// assert_eq!(span.attribute("n"), Some(&Value::I64(7)));
/// ```
pub fn read(bytes: &[u8], source: &str, options: ReadOptions) -> Result<Loaded, ReadError> {
    if let Some(data) = read_whole(bytes) {
        return Ok(Loaded::clean(Format::Otlp, data));
    }
    read_careful(bytes, source, options)
}

/// An input that is one sound request document (the common file), parsed straight into the
/// model without first splitting it into raw values; `None` when the careful read must decide
/// (JSON Lines, any problem), so that warnings and errors are always the careful read's.
pub(super) fn read_whole(bytes: &[u8]) -> Option<TraceData> {
    let text = std::str::from_utf8(bytes).ok()?;
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let request = RequestWire::<Converted>::deserialize(&mut deserializer).ok()?;
    deserializer.end().ok()?;
    convert_request(request)
}

/// Reads document by document, and a document with a problem span by span.
pub(super) fn read_careful(
    bytes: &[u8],
    source: &str,
    options: ReadOptions,
) -> Result<Loaded, ReadError> {
    let input = (bytes, source, options);
    read_all(input, Format::Otlp, read_request, |data| data)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(expecting = "a span object")]
struct SpanWire<'a> {
    #[serde(borrow)]
    trace_id: Cow<'a, str>,
    #[serde(borrow)]
    span_id: Cow<'a, str>,
    #[serde(borrow, default)]
    trace_state: Cow<'a, str>,
    #[serde(borrow, default)]
    parent_span_id: Option<Text<'a>>,
    #[serde(default)]
    flags: Option<Int<u32>>,
    #[serde(borrow, default)]
    name: Cow<'a, str>,
    #[serde(borrow, default)]
    kind: Option<&'a RawValue>,
    #[serde(default)]
    start_time_unix_nano: Option<Int<u64>>,
    #[serde(default)]
    end_time_unix_nano: Option<Int<u64>>,
    #[serde(borrow, default)]
    attributes: Vec<KeyValueWire<'a>>,
    #[serde(borrow, default)]
    events: Vec<EventWire<'a>>,
    #[serde(borrow, default)]
    links: Vec<LinkWire<'a, KeyValueWire<'a>>>,
    #[serde(borrow, default)]
    status: Option<StatusWire<'a, Option<&'a RawValue>>>,
    #[serde(default)]
    dropped_attributes_count: Option<Int<u32>>,
    #[serde(default)]
    dropped_events_count: Option<Int<u32>>,
    #[serde(default)]
    dropped_links_count: Option<Int<u32>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(expecting = "an event object")]
pub(super) struct EventWire<'a> {
    #[serde(default)]
    time_unix_nano: Option<Int<u64>>,
    #[serde(borrow, default)]
    name: Cow<'a, str>,
    #[serde(borrow, default)]
    attributes: Vec<KeyValueWire<'a>>,
    #[serde(default)]
    dropped_attributes_count: Option<Int<u32>>,
}

/// A span converted as soon as it is parsed, so that no wire struct is kept for the whole
/// document; `None` when it has a problem (the careful read then says which).
struct Converted(Option<Span>);

impl<'de> Deserialize<'de> for Converted {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let wire = SpanWire::deserialize(deserializer)?;
        Ok(Converted(span(wire).ok()))
    }
}

/// Reads one request document into `data`; false when it was reported and skipped.
///
/// A document without problems is parsed once, spans and all. Otherwise it is read again with
/// each span parsed on its own, so that a bad span is located, reported and skipped alone.
fn read_request<'a>(
    context: &mut ReadContext<'a>,
    raw: &'a RawValue,
    data: &mut TraceData,
) -> Result<bool, ReadError> {
    if let Ok(request) = serde_json::from_str::<RequestWire<'a, Converted>>(raw.get()) {
        if let Some(batch) = convert_request(request) {
            if data.spans.is_empty() && data.resources.is_empty() && data.scopes.is_empty() {
                *data = batch;
            } else {
                data.merge(batch);
            }
            return Ok(true);
        }
    }
    read_request_span_by_span(context, raw, data)
}

/// Converts a whole request; `None` at the first problem.
fn convert_request(request: RequestWire<'_, Converted>) -> Option<TraceData> {
    let mut data = TraceData::default();
    for (_, group) in request.groups() {
        let (resource_wire, scope_groups) = group.split();
        let resource_wire = resource_wire.ok()?;
        let mut resource = None;
        for scope_group in scope_groups {
            if scope_group.spans.is_empty() {
                continue;
            }
            let (scope, spans) = scope_group.split();
            let scope = data.intern_scope(scope.ok()?);
            let resource =
                *resource.get_or_insert_with(|| data.intern_resource(resource_wire.clone()));
            // Collected in place: the group's list becomes the model's, not a second copy.
            let spans: Vec<Span> = spans
                .into_iter()
                .map(|converted| {
                    converted.0.map(|mut span| {
                        span.resource = resource;
                        span.scope = scope;
                        span
                    })
                })
                .collect::<Option<_>>()?;
            if data.spans.is_empty() {
                data.spans = spans;
            } else {
                data.spans.extend(spans);
            }
        }
    }
    Some(data)
}

fn read_request_span_by_span<'a>(
    context: &mut ReadContext<'a>,
    raw: &'a RawValue,
    data: &mut TraceData,
) -> Result<bool, ReadError> {
    let Some(request) = context.parse::<RequestWire<'a>>(raw, String::new)? else {
        return Ok(false);
    };
    for (path, group) in request.groups() {
        read_resource_spans(context, raw, group, &path, data)?;
    }
    Ok(true)
}

fn read_resource_spans<'a>(
    context: &mut ReadContext<'a>,
    raw: &'a RawValue,
    group: ResourceSpansWire<'a>,
    path: &str,
    data: &mut TraceData,
) -> Result<(), ReadError> {
    let (resource_wire, scope_groups) = group.split();
    let resource_wire = match resource_wire {
        Ok(resource) => resource,
        Err(fault) => return context.report_fault(fault.within(path), raw.get()),
    };
    let mut resource = None;
    for (s, scope_group) in scope_groups.into_iter().enumerate() {
        if scope_group.spans.is_empty() {
            continue;
        }
        let (scope, spans) = scope_group.split();
        let scope = match scope {
            Ok(scope) => data.intern_scope(scope),
            Err(fault) => {
                let fault = fault.within(&format!("{path}.scopeSpans[{s}]"));
                context.report_fault(fault, raw.get())?;
                continue;
            }
        };
        let resource = *resource.get_or_insert_with(|| data.intern_resource(resource_wire.clone()));
        for (i, span_raw) in spans.into_iter().enumerate() {
            let place = (path, s, i);
            if let Some(mut span) = read_span(context, span_raw, place)? {
                span.resource = resource;
                span.scope = scope;
                data.spans.push(span);
            }
        }
    }
    Ok(())
}

/// Parses and converts one span; `None` when it was reported and skipped.
fn read_span<'a>(
    context: &mut ReadContext<'a>,
    raw: &'a RawValue,
    (path, s, i): (&str, usize, usize),
) -> Result<Option<Span>, ReadError> {
    let prefix = || format!("{path}.scopeSpans[{s}].spans[{i}]");
    let Some(wire) = context.parse::<SpanWire<'a>>(raw, prefix)? else {
        return Ok(None);
    };
    match span(wire) {
        Ok(span) => Ok(Some(span)),
        Err(fault) => context
            .report_fault(fault.within(&prefix()), raw.get())
            .map(|()| None),
    }
}

const KIND_NAMES: [&str; 6] = [
    "SPAN_KIND_UNSPECIFIED",
    "SPAN_KIND_INTERNAL",
    "SPAN_KIND_SERVER",
    "SPAN_KIND_CLIENT",
    "SPAN_KIND_PRODUCER",
    "SPAN_KIND_CONSUMER",
];

const STATUS_NAMES: [&str; 3] = ["STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR"];

/// A protobuf enum written as its number or its name: the index in `names`.
fn enum_index(raw: &RawValue, names: &[&str]) -> Option<usize> {
    let text = raw.get();
    if text == "null" {
        return Some(0);
    }
    let index = match text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        Some(name) => names.iter().position(|n| *n == name)?,
        None => text.parse().ok()?,
    };
    (index < names.len()).then_some(index)
}

fn span(wire: SpanWire<'_>) -> Result<Span, Fault<'_>> {
    let trace_id = trace_id_of(&wire.trace_id, "traceId")?;
    let span_id = span_id_of(&wire.span_id, "spanId")?;
    let parent_span_id = match &wire.parent_span_id {
        Some(text) if !text.is_empty() => Some(span_id_of(&text.0, "parentSpanId")?),
        _ => None,
    };
    let kind = match wire.kind {
        Some(raw) => kind(raw)?,
        None => SpanKind::Internal,
    };
    Ok(Span {
        trace_id,
        span_id,
        parent_span_id,
        name: owned(wire.name),
        kind,
        start_unix_nanos: wire.start_time_unix_nano.unwrap_or_default().0,
        end_unix_nanos: wire.end_time_unix_nano.unwrap_or_default().0,
        attributes: attributes(wire.attributes).map_err(|f| f.within("attributes"))?,
        events: events::<Encoding>(wire.events)?,
        links: links::<Encoding>(wire.links)?,
        status: status::<Encoding>(wire.status)?,
        dropped_attributes_count: count(wire.dropped_attributes_count),
        dropped_events_count: count(wire.dropped_events_count),
        dropped_links_count: count(wire.dropped_links_count),
        flags: count(wire.flags),
        trace_state: owned(wire.trace_state),
        resource: ResourceIndex(0),
        scope: ScopeIndex(0),
    })
}

/// A trace id in hex, or in base64 as protobuf's generic JSON printers write `bytes`.
fn trace_id_of<'a>(text: &Cow<'a, str>, field: &str) -> Result<TraceId, Fault<'a>> {
    let bytes = text.ends_with("==").then(|| base64::decode(text)).flatten();
    match bytes.and_then(|b| <[u8; 16]>::try_from(b).ok()) {
        Some(bytes) if bytes != [0; 16] => Ok(TraceId(u128::from_be_bytes(bytes))),
        _ => parse_trace_id(text, field),
    }
}

/// A span id in hex, or in base64.
fn span_id_of<'a>(text: &Cow<'a, str>, field: &str) -> Result<SpanId, Fault<'a>> {
    let bytes = text.ends_with('=').then(|| base64::decode(text)).flatten();
    match bytes.and_then(|b| <[u8; 8]>::try_from(b).ok()) {
        Some(bytes) if bytes != [0; 8] => Ok(SpanId(u64::from_be_bytes(bytes))),
        _ => parse_span_id(text, field),
    }
}

fn kind(raw: &RawValue) -> Result<SpanKind, Fault<'_>> {
    Ok(match enum_index(raw, &KIND_NAMES) {
        Some(0 | 1) => SpanKind::Internal,
        Some(2) => SpanKind::Server,
        Some(3) => SpanKind::Client,
        Some(4) => SpanKind::Producer,
        Some(5) => SpanKind::Consumer,
        _ => {
            let found = raw.get().to_owned();
            return Err(Fault::new(
                "kind",
                Some(raw.get()),
                Problem::UnknownKind { found },
            ));
        }
    })
}

impl<'a> ReadEncoding<'a> for Encoding {
    type Attribute = KeyValueWire<'a>;
    type Event = EventWire<'a>;
    type Code = Option<&'a RawValue>;

    fn event(wire: EventWire<'a>) -> EventParts<'a, KeyValueWire<'a>> {
        EventParts {
            time_unix_nanos: wire.time_unix_nano.unwrap_or_default().0,
            name: wire.name,
            attributes: wire.attributes,
            dropped_attributes_count: wire.dropped_attributes_count,
        }
    }

    fn attributes(wires: Vec<KeyValueWire<'a>>) -> Result<Vec<KeyValue>, Fault<'a>> {
        attributes(wires)
    }

    fn trace_id(text: &Cow<'a, str>, field: &str) -> Result<TraceId, Fault<'a>> {
        trace_id_of(text, field)
    }

    fn span_id(text: &Cow<'a, str>, field: &str) -> Result<SpanId, Fault<'a>> {
        span_id_of(text, field)
    }

    /// A number or an enum name; absent or `null` is unset.
    fn status_code(code: Option<&'a RawValue>) -> Result<StatusCode, Fault<'a>> {
        let Some(raw) = code else {
            return Ok(StatusCode::Unset);
        };
        match enum_index(raw, &STATUS_NAMES) {
            Some(1) => Ok(StatusCode::Ok),
            Some(2) => Ok(StatusCode::Error),
            Some(_) => Ok(StatusCode::Unset),
            None => {
                let message = format!(
                    "unknown status code {} (expected 0 unset, 1 ok or 2 error)",
                    raw.get()
                );
                let problem = Problem::BadValue { message };
                Err(Fault::new("status.code", Some(raw.get()), problem))
            }
        }
    }
}
