//! Reading Spindle JSON: documents one per line (or one pretty-printed), merged.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::Encoding;
use super::value::{ValueWire, attributes};
use crate::context::{Fault, ReadContext, parse_span_id, parse_trace_id};
use crate::detect::Format;
use crate::error::{Problem, ReadError};
use crate::loaded::{Loaded, ReadOptions};
use crate::model::{
    KeyValue, Resource, ResourceIndex, Scope, ScopeIndex, Span, SpanId, SpanKind, TraceData,
    TraceId,
};
use crate::num::Int;
use crate::otlp_shape::{
    self, EventParts, LinkWire, ReadEncoding, ResourceWire, ScopeWire, StatusCode, StatusWire,
    events, links, status,
};
use crate::stream::read_all;
use crate::text::{Text, borrowed, owned};

/// Reads Spindle JSON: one document, or JSON Lines of documents, merged into one model.
///
/// Lenient reads skip a bad span (or a bad document) with a [`Warning`](crate::Warning); strict
/// reads fail on the first problem.
///
/// ```
/// use spindle_formats::{ReadOptions, spindle_json};
/// let line = br#"{"format":"spindle","version":1,"resources":[],"scopes":[],"spans":[
///   {"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7","name":"a"},
///   {"traceId":"bad","spanId":"00f067aa0ba902b7","name":"b"}]}"#;
/// let loaded = spindle_json::read(line, "t.json", ReadOptions::default()).unwrap();
/// assert_eq!(loaded.data.spans.len(), 1);
/// assert_eq!(loaded.warnings.len(), 1);
/// assert!(spindle_json::read(line, "t.json", ReadOptions { strict: true }).is_err());
/// ```
pub fn read(bytes: &[u8], source: &str, options: ReadOptions) -> Result<Loaded, ReadError> {
    if let Some(data) = super::one_pass::read(bytes) {
        return Ok(Loaded::clean(Format::Spindle, data));
    }
    read_careful(bytes, source, options)
}

/// Reads document by document and span by span, so that a bad span is located and skipped.
pub(super) fn read_careful(
    bytes: &[u8],
    source: &str,
    options: ReadOptions,
) -> Result<Loaded, ReadError> {
    let input = (bytes, source, options);
    read_all(input, Format::Spindle, read_document, |data| data)
}

#[derive(Deserialize)]
struct Header<'a> {
    #[serde(borrow, default)]
    format: Option<&'a RawValue>,
    #[serde(borrow, default)]
    version: Option<&'a RawValue>,
}

/// One document; `S` is how spans are parsed (raw for the careful read, converted for the
/// one-pass read).
#[derive(Deserialize)]
#[serde(expecting = "a Spindle document")]
pub(super) struct DocumentWire<'a, S = &'a RawValue> {
    #[serde(borrow, default)]
    pub format: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub version: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub resources: Vec<ResourceWire<'a, ValueWire<'a>>>,
    #[serde(borrow, default)]
    pub scopes: Vec<ScopeWire<'a, ValueWire<'a>>>,
    #[serde(default = "Vec::new")]
    pub spans: Vec<S>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(expecting = "a span object")]
pub(super) struct SpanWire<'a> {
    #[serde(borrow)]
    trace_id: Cow<'a, str>,
    #[serde(borrow)]
    span_id: Cow<'a, str>,
    #[serde(borrow, default)]
    parent_span_id: Option<Text<'a>>,
    #[serde(borrow, default)]
    name: Cow<'a, str>,
    #[serde(borrow, default)]
    kind: Option<Text<'a>>,
    #[serde(default)]
    start_unix_nanos: u64,
    #[serde(default)]
    end_unix_nanos: u64,
    #[serde(borrow, default)]
    attributes: Vec<ValueWire<'a>>,
    #[serde(borrow, default)]
    events: Vec<EventWire<'a>>,
    #[serde(borrow, default)]
    links: Vec<LinkWire<'a, ValueWire<'a>>>,
    #[serde(borrow, default)]
    status: Option<StatusWire<'a, Text<'a>>>,
    #[serde(default)]
    dropped_attributes_count: u32,
    #[serde(default)]
    dropped_events_count: u32,
    #[serde(default)]
    dropped_links_count: u32,
    #[serde(default)]
    flags: u32,
    #[serde(borrow, default)]
    trace_state: Cow<'a, str>,
    #[serde(default)]
    resource: u32,
    #[serde(default)]
    scope: u32,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(expecting = "an event object")]
pub(super) struct EventWire<'a> {
    #[serde(default)]
    time_unix_nanos: u64,
    #[serde(borrow, default)]
    name: Cow<'a, str>,
    #[serde(borrow, default)]
    attributes: Vec<ValueWire<'a>>,
    #[serde(default)]
    dropped_attributes_count: Option<Int<u32>>,
}

fn read_document<'a>(
    context: &mut ReadContext<'a>,
    raw: &'a RawValue,
    data: &mut TraceData,
) -> Result<bool, ReadError> {
    let document = match parse_document(raw) {
        Ok(document) => document,
        Err(Ok(fault)) => return context.report_fault(fault, raw.get()).map(|()| false),
        Err(Err(error)) => return context.report_json(&error, raw, "").map(|()| false),
    };
    let batch = match document_data(context, document)? {
        Ok(batch) => batch,
        Err(fault) => return context.report_fault(fault, raw.get()).map(|()| false),
    };
    if data.spans.is_empty() && data.resources.is_empty() && data.scopes.is_empty() {
        *data = batch;
    } else {
        data.merge(batch);
    }
    Ok(true)
}

/// Parses a document, checking its format and version before anything else is judged.
fn parse_document(
    raw: &RawValue,
) -> Result<DocumentWire<'_>, Result<Fault<'_>, serde_json::Error>> {
    match serde_json::from_str::<DocumentWire<'_>>(raw.get()) {
        Ok(document) => {
            check_header(document.format, document.version).map_err(Ok)?;
            Ok(document)
        }
        Err(error) => {
            if let Ok(header) = serde_json::from_str::<Header<'_>>(raw.get()) {
                check_header(header.format, header.version).map_err(Ok)?;
            }
            Err(Err(error))
        }
    }
}

pub(super) fn check_header<'a>(
    format: Option<&'a RawValue>,
    version: Option<&'a RawValue>,
) -> Result<(), Fault<'a>> {
    match format.map(RawValue::get) {
        Some("\"spindle\"") => {}
        Some(other) => {
            return Err(Fault::new(
                "format",
                Some(other),
                Problem::NotSpindle {
                    found: other.into(),
                },
            ));
        }
        None => {
            let found = "no \"format\" field".to_owned();
            return Err(Fault::new("", None, Problem::NotSpindle { found }));
        }
    }
    match version.map(RawValue::get) {
        Some("1") => Ok(()),
        Some(other) => Err(Fault::new(
            "version",
            Some(other),
            Problem::UnsupportedVersion {
                found: other.into(),
            },
        )),
        None => Err(Fault::new(
            "",
            None,
            Problem::Invalid {
                message: "missing field `version`".into(),
            },
        )),
    }
}

/// Builds one document's model; span problems are reported and the span skipped.
fn document_data<'a>(
    context: &mut ReadContext<'a>,
    document: DocumentWire<'a>,
) -> Result<Result<TraceData, Fault<'a>>, ReadError> {
    let resources = match resources(document.resources) {
        Ok(resources) => resources,
        Err(fault) => return Ok(Err(fault)),
    };
    let scopes = match scopes(document.scopes) {
        Ok(scopes) => scopes,
        Err(fault) => return Ok(Err(fault)),
    };
    let mut data = TraceData {
        resources,
        scopes,
        spans: Vec::with_capacity(document.spans.len()),
    };
    if !document.spans.is_empty() {
        if data.resources.is_empty() {
            data.resources.push(Resource::default());
        }
        if data.scopes.is_empty() {
            data.scopes.push(Scope::default());
        }
    }
    let counts = (data.resources.len(), data.scopes.len());
    for (index, raw) in document.spans.into_iter().enumerate() {
        if let Some(span) = read_span(context, raw, index, counts)? {
            data.spans.push(span);
        }
    }
    Ok(Ok(data))
}

pub(super) fn resources<'a>(
    wires: Vec<ResourceWire<'a, ValueWire<'a>>>,
) -> Result<Vec<Resource>, Fault<'a>> {
    let mut resources = Vec::with_capacity(wires.len());
    for (i, wire) in wires.into_iter().enumerate() {
        let resource = otlp_shape::resource::<Encoding>(wire)
            .map_err(|f| f.within(&format!("resources[{i}]")))?;
        resources.push(resource);
    }
    Ok(resources)
}

pub(super) fn scopes<'a>(
    wires: Vec<ScopeWire<'a, ValueWire<'a>>>,
) -> Result<Vec<Scope>, Fault<'a>> {
    let mut scopes = Vec::with_capacity(wires.len());
    for (i, wire) in wires.into_iter().enumerate() {
        let scope =
            otlp_shape::scope::<Encoding>(wire).map_err(|f| f.within(&format!("scopes[{i}]")))?;
        scopes.push(scope);
    }
    Ok(scopes)
}

/// Parses and converts one span; `None` when it was reported and skipped.
fn read_span<'a>(
    context: &mut ReadContext<'a>,
    raw: &'a RawValue,
    index: usize,
    counts: (usize, usize),
) -> Result<Option<Span>, ReadError> {
    let prefix = || format!("spans[{index}]");
    let Some(wire) = context.parse::<SpanWire<'a>>(raw, prefix)? else {
        return Ok(None);
    };
    match span(wire, counts) {
        Ok(span) => Ok(Some(span)),
        Err(fault) => context
            .report_fault(fault.within(&prefix()), raw.get())
            .map(|()| None),
    }
}

pub(super) fn span(
    wire: SpanWire<'_>,
    (resources, scopes): (usize, usize),
) -> Result<Span, Fault<'_>> {
    let trace_id = parse_trace_id(&wire.trace_id, "traceId")?;
    let span_id = parse_span_id(&wire.span_id, "spanId")?;
    let parent_span_id = match &wire.parent_span_id {
        Some(text) => Some(parse_span_id(&text.0, "parentSpanId")?),
        None => None,
    };
    let kind = match &wire.kind {
        Some(text) => SpanKind::parse(text).ok_or_else(|| {
            Fault::new(
                "kind",
                borrowed(text),
                Problem::UnknownKind {
                    found: text.to_string(),
                },
            )
        })?,
        None => SpanKind::Internal,
    };
    check_index("resource", wire.resource, resources)?;
    check_index("scope", wire.scope, scopes)?;
    Ok(Span {
        trace_id,
        span_id,
        parent_span_id,
        name: owned(wire.name),
        kind,
        start_unix_nanos: wire.start_unix_nanos,
        end_unix_nanos: wire.end_unix_nanos,
        attributes: attributes(wire.attributes).map_err(|f| f.within("attributes"))?,
        events: events::<Encoding>(wire.events)?,
        links: links::<Encoding>(wire.links)?,
        status: status::<Encoding>(wire.status)?,
        dropped_attributes_count: wire.dropped_attributes_count,
        dropped_events_count: wire.dropped_events_count,
        dropped_links_count: wire.dropped_links_count,
        flags: wire.flags,
        trace_state: owned(wire.trace_state),
        resource: ResourceIndex(wire.resource),
        scope: ScopeIndex(wire.scope),
    })
}

fn check_index(what: &'static str, index: u32, count: usize) -> Result<(), Fault<'static>> {
    if (index as usize) < count {
        return Ok(());
    }
    Err(Fault::new(
        what,
        None,
        Problem::BadReference { what, index, count },
    ))
}

impl<'a> ReadEncoding<'a> for Encoding {
    type Attribute = ValueWire<'a>;
    type Event = EventWire<'a>;
    type Code = Text<'a>;

    fn event(wire: EventWire<'a>) -> EventParts<'a, ValueWire<'a>> {
        EventParts {
            time_unix_nanos: wire.time_unix_nanos,
            name: wire.name,
            attributes: wire.attributes,
            dropped_attributes_count: wire.dropped_attributes_count,
        }
    }

    fn attributes(wires: Vec<ValueWire<'a>>) -> Result<Vec<KeyValue>, Fault<'a>> {
        attributes(wires)
    }

    fn trace_id(text: &Cow<'a, str>, field: &str) -> Result<TraceId, Fault<'a>> {
        parse_trace_id(text, field)
    }

    fn span_id(text: &Cow<'a, str>, field: &str) -> Result<SpanId, Fault<'a>> {
        parse_span_id(text, field)
    }

    /// `unset`, `ok` or `error`.
    fn status_code(code: Text<'a>) -> Result<StatusCode, Fault<'a>> {
        match &*code {
            "unset" => Ok(StatusCode::Unset),
            "ok" => Ok(StatusCode::Ok),
            "error" => Ok(StatusCode::Error),
            other => {
                let message =
                    format!("unknown status code {other:?} (expected unset, ok or error)");
                let problem = Problem::BadValue { message };
                Err(Fault::new("status.code", borrowed(&code), problem))
            }
        }
    }
}
