//! Spindle JSON: Spindle's own trace format, lossless for the whole [`TraceData`] model.
//!
//! A file is JSON Lines: one document per line, each a batch the tracer appended. A reader
//! also accepts one document pretty-printed. Documents are versioned; this is **version 1**.
//!
//! ```json
//! {"format":"spindle","version":1,
//!  "resources":[{"attributes":[{"key":"service.name","str":"checkout"}]}],
//!  "scopes":[{"name":"spindle","version":"0.1.0"}],
//!  "spans":[{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7",
//!            "name":"GET /cart","kind":"server","startUnixNanos":1700000000000000000,
//!            "endUnixNanos":1700000000250000000,"resource":0,"scope":0}]}
//! ```
//!
//! Fields (those marked optional are left out when they hold their default):
//! - `format`: always `"spindle"`; `version`: always `1` here. Readers refuse other versions.
//! - `resources`: list of `{"attributes":[…]}`; `scopes`: list of
//!   `{"name":…, "version":…, "attributes":[…]}` (`version`, `attributes` optional).
//! - `spans`: list of objects with
//!   - `traceId` (32 lowercase hex digits), `spanId` (16), `parentSpanId` (16, optional);
//!   - `name`; `kind`: `internal`, `server`, `client`, `producer` or `consumer`;
//!   - `startUnixNanos`, `endUnixNanos`: integers, nanoseconds since the Unix epoch;
//!   - `attributes`, `events`, `links` (lists, optional);
//!     an event is `{"timeUnixNanos":…, "name":…, "attributes":[…]}`,
//!     a link `{"traceId":…, "spanId":…, "traceState":…, "attributes":[…]}`;
//!   - `status` (optional): `{"code":"ok"}` or `{"code":"error","message":…}`;
//!   - `flags` (optional): W3C trace flags in the low byte, OTLP's flag bits above;
//!   - `traceState` (optional): the W3C `tracestate` text;
//!   - `resource`, `scope`: indexes into this document's `resources` and `scopes`.
//! - An attribute is `{"key":…, TYPE: VALUE}` with exactly one TYPE of
//!   `str` (string), `bool`, `i64` (integer), `f64` (number, or the strings `"NaN"`,
//!   `"Infinity"`, `"-Infinity"`), `bytes` (lowercase hex string), `array` (list of
//!   `{TYPE: VALUE}` objects) or `map` (list of attributes). Example:
//!   `{"key":"retry","array":[{"i64":1},{"str":"two"}]}`.
//!
//! Unknown fields are ignored, so version 1 readers can load documents that add fields.

use std::borrow::Cow;
use std::io::Write;

use serde::ser::{SerializeMap, SerializeStruct, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::batch::{SpanBatch, Spans};
use crate::context::{Fault, ReadContext, parse_span_id, parse_trace_id};
use crate::detect::Format;
use crate::error::{Problem, ReadError};
use crate::hex::{self, span_id_hex, trace_id_hex};
use crate::model::{
    Event, KeyValue, Link, Resource, ResourceIndex, Scope, ScopeIndex, Span, SpanKind, Status,
    TraceData, Value,
};
use crate::num::float;
use crate::read::{Loaded, ReadOptions};
use crate::stream::for_each_value;
use crate::text::{Text, borrowed, owned};

/// The document version this build writes and reads.
pub const VERSION: u64 = 1;

// ---------------------------------------------------------------------------------------------
// Writing

/// Writes `data` as one Spindle JSON document on one line, followed by `\n`.
///
/// Appending several writes to one file makes a JSON Lines file that [`read`] merges.
///
/// ```
/// use spindle_formats::{KeyValue, ReadOptions, Resource, Span, SpanId, TraceData, TraceId};
/// let data = TraceData {
///     resources: vec![Resource { attributes: vec![KeyValue::new("service.name", "shop")] }],
///     scopes: vec![Default::default()],
///     spans: vec![Span {
///         trace_id: TraceId(1),
///         span_id: SpanId(2),
///         name: "GET /".into(),
///         ..Default::default()
///     }],
/// };
/// let mut out = Vec::new();
/// spindle_formats::spindle_json::write(&data, &mut out).unwrap();
/// assert!(out.starts_with(br#"{"format":"spindle","version":1,"#));
/// assert!(out.ends_with(b"}\n"));
/// let loaded = spindle_formats::spindle_json::read(&out, "t.json", ReadOptions::default()).unwrap();
/// assert_eq!(loaded.data, data);
/// ```
pub fn write<'a>(data: impl Into<SpanBatch<'a>>, out: &mut impl Write) -> std::io::Result<()> {
    let data = data.into();
    let mut line = Vec::with_capacity(256 + data.spans.len() * 256);
    serde_json::to_writer(&mut line, &DocumentOut(data))?;
    line.push(b'\n');
    out.write_all(&line)
}

struct DocumentOut<'a>(SpanBatch<'a>);
struct ResourceOut<'a>(&'a Resource);
struct ScopeOut<'a>(&'a Scope);
struct SpanOut<'a>(&'a Span);
struct EventOut<'a>(&'a Event);
struct LinkOut<'a>(&'a Link);
struct StatusOut<'a>(&'a Status);
struct Attributes<'a>(&'a [KeyValue]);
struct AttributeOut<'a>(&'a KeyValue);
struct ValueOut<'a>(&'a Value);
struct Bytes<'a>(&'a [u8]);

impl Serialize for DocumentOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let data = self.0;
        let mut doc = serializer.serialize_struct("Document", 5)?;
        doc.serialize_field("format", "spindle")?;
        doc.serialize_field("version", &VERSION)?;
        doc.serialize_field("resources", &Items(data.resources, ResourceOut))?;
        doc.serialize_field("scopes", &Items(data.scopes, ScopeOut))?;
        doc.serialize_field("spans", &SpansOut(data.spans))?;
        doc.end()
    }
}

/// A slice serialized as a list, each item through a view.
struct Items<'a, T, V>(&'a [T], fn(&'a T) -> V);

impl<'a, T, V: Serialize> Serialize for Items<'a, T, V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(self.1))
    }
}

/// The batch's spans serialized as a list.
struct SpansOut<'a>(Spans<'a>);

impl Serialize for SpansOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(SpanOut))
    }
}

impl Serialize for ResourceOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_struct("Resource", 1)?;
        out.serialize_field("attributes", &Attributes(&self.0.attributes))?;
        out.end()
    }
}

impl Serialize for ScopeOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let scope = self.0;
        let mut out = serializer.serialize_struct("Scope", 3)?;
        out.serialize_field("name", &scope.name)?;
        if !scope.version.is_empty() {
            out.serialize_field("version", &scope.version)?;
        }
        if !scope.attributes.is_empty() {
            out.serialize_field("attributes", &Attributes(&scope.attributes))?;
        }
        out.end()
    }
}

impl Serialize for SpanOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let span = self.0;
        let mut out = serializer.serialize_struct("Span", 15)?;
        out.serialize_field("traceId", &trace_id_hex(span.trace_id))?;
        out.serialize_field("spanId", &span_id_hex(span.span_id))?;
        if let Some(parent) = span.parent_span_id {
            out.serialize_field("parentSpanId", &span_id_hex(parent))?;
        }
        out.serialize_field("name", &span.name)?;
        out.serialize_field("kind", span.kind.as_str())?;
        out.serialize_field("startUnixNanos", &span.start_unix_nanos)?;
        out.serialize_field("endUnixNanos", &span.end_unix_nanos)?;
        if !span.attributes.is_empty() {
            out.serialize_field("attributes", &Attributes(&span.attributes))?;
        }
        if !span.events.is_empty() {
            out.serialize_field("events", &Items(&span.events, EventOut))?;
        }
        if !span.links.is_empty() {
            out.serialize_field("links", &Items(&span.links, LinkOut))?;
        }
        if span.status != Status::Unset {
            out.serialize_field("status", &StatusOut(&span.status))?;
        }
        if span.flags != 0 {
            out.serialize_field("flags", &span.flags)?;
        }
        if !span.trace_state.is_empty() {
            out.serialize_field("traceState", &span.trace_state)?;
        }
        out.serialize_field("resource", &span.resource.0)?;
        out.serialize_field("scope", &span.scope.0)?;
        out.end()
    }
}

impl Serialize for EventOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let event = self.0;
        let mut out = serializer.serialize_struct("Event", 3)?;
        out.serialize_field("timeUnixNanos", &event.time_unix_nanos)?;
        out.serialize_field("name", &event.name)?;
        if !event.attributes.is_empty() {
            out.serialize_field("attributes", &Attributes(&event.attributes))?;
        }
        out.end()
    }
}

impl Serialize for LinkOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let link = self.0;
        let mut out = serializer.serialize_struct("Link", 4)?;
        out.serialize_field("traceId", &trace_id_hex(link.trace_id))?;
        out.serialize_field("spanId", &span_id_hex(link.span_id))?;
        if !link.trace_state.is_empty() {
            out.serialize_field("traceState", &link.trace_state)?;
        }
        if !link.attributes.is_empty() {
            out.serialize_field("attributes", &Attributes(&link.attributes))?;
        }
        out.end()
    }
}

impl Serialize for StatusOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_struct("Status", 2)?;
        match self.0 {
            Status::Unset => out.serialize_field("code", "unset")?,
            Status::Ok => out.serialize_field("code", "ok")?,
            Status::Error { message } => {
                out.serialize_field("code", "error")?;
                if !message.is_empty() {
                    out.serialize_field("message", message)?;
                }
            }
        }
        out.end()
    }
}

impl Serialize for Attributes<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(AttributeOut))
    }
}

impl Serialize for AttributeOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("key", &self.0.key)?;
        typed_entry(&mut map, &self.0.value)?;
        map.end()
    }
}

impl Serialize for ValueOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(1))?;
        typed_entry(&mut map, self.0)?;
        map.end()
    }
}

impl Serialize for Bytes<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&hex::encode(self.0))
    }
}

/// Writes the `TYPE: VALUE` entry of a typed value.
fn typed_entry<M: SerializeMap>(map: &mut M, value: &Value) -> Result<(), M::Error> {
    match value {
        Value::Str(s) => map.serialize_entry("str", s),
        Value::Bool(b) => map.serialize_entry("bool", b),
        Value::I64(i) => map.serialize_entry("i64", i),
        Value::F64(x) if x.is_finite() => map.serialize_entry("f64", x),
        Value::F64(x) if x.is_nan() => map.serialize_entry("f64", "NaN"),
        Value::F64(x) if *x > 0.0 => map.serialize_entry("f64", "Infinity"),
        Value::F64(_) => map.serialize_entry("f64", "-Infinity"),
        Value::Bytes(bytes) => map.serialize_entry("bytes", &Bytes(bytes)),
        Value::Array(items) => map.serialize_entry("array", &Items(items, ValueOut)),
        Value::Map(entries) => map.serialize_entry("map", &Attributes(entries)),
    }
}

// ---------------------------------------------------------------------------------------------
// Reading

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
    let mut context = ReadContext::new(bytes, source, options.strict);
    let mut data = TraceData::default();
    for_each_value(&mut context, |context, raw| {
        read_document(context, raw, &mut data)
    })?;
    Ok(Loaded {
        format: Format::Spindle,
        data,
        warnings: context.into_warnings(),
    })
}

#[derive(Deserialize)]
struct Header<'a> {
    #[serde(borrow, default)]
    format: Option<&'a RawValue>,
    #[serde(borrow, default)]
    version: Option<&'a RawValue>,
}

#[derive(Deserialize)]
#[serde(expecting = "a Spindle document")]
struct DocumentWire<'a> {
    #[serde(borrow, default)]
    format: Option<&'a RawValue>,
    #[serde(borrow, default)]
    version: Option<&'a RawValue>,
    #[serde(borrow, default)]
    resources: Vec<ResourceWire<'a>>,
    #[serde(borrow, default)]
    scopes: Vec<ScopeWire<'a>>,
    #[serde(borrow, default)]
    spans: Vec<&'a RawValue>,
}

#[derive(Deserialize)]
#[serde(expecting = "a resource object")]
struct ResourceWire<'a> {
    #[serde(borrow, default)]
    attributes: Vec<ValueWire<'a>>,
}

#[derive(Deserialize)]
#[serde(expecting = "a scope object")]
struct ScopeWire<'a> {
    #[serde(borrow, default)]
    name: Cow<'a, str>,
    #[serde(borrow, default)]
    version: Cow<'a, str>,
    #[serde(borrow, default)]
    attributes: Vec<ValueWire<'a>>,
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
    links: Vec<LinkWire<'a>>,
    #[serde(borrow, default)]
    status: Option<StatusWire<'a>>,
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
struct EventWire<'a> {
    #[serde(default)]
    time_unix_nanos: u64,
    #[serde(borrow, default)]
    name: Cow<'a, str>,
    #[serde(borrow, default)]
    attributes: Vec<ValueWire<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(expecting = "a link object")]
struct LinkWire<'a> {
    #[serde(borrow)]
    trace_id: Cow<'a, str>,
    #[serde(borrow)]
    span_id: Cow<'a, str>,
    #[serde(borrow, default)]
    trace_state: Cow<'a, str>,
    #[serde(borrow, default)]
    attributes: Vec<ValueWire<'a>>,
}

#[derive(Deserialize)]
#[serde(expecting = "a status object")]
struct StatusWire<'a> {
    #[serde(borrow)]
    code: Cow<'a, str>,
    #[serde(borrow, default)]
    message: Cow<'a, str>,
}

/// An attribute (`key` set) or an array item (no `key`): exactly one typed field is set.
#[derive(Deserialize)]
#[serde(expecting = "an attribute object")]
struct ValueWire<'a> {
    #[serde(borrow, default)]
    key: Option<Text<'a>>,
    #[serde(borrow, default)]
    str: Option<Text<'a>>,
    #[serde(default)]
    bool: Option<bool>,
    #[serde(default)]
    i64: Option<i64>,
    #[serde(default, deserialize_with = "float")]
    f64: Option<f64>,
    #[serde(borrow, default)]
    bytes: Option<Text<'a>>,
    #[serde(borrow, default)]
    array: Option<Vec<ValueWire<'a>>>,
    #[serde(borrow, default)]
    map: Option<Vec<ValueWire<'a>>>,
}

fn read_document<'a>(
    context: &mut ReadContext<'a>,
    raw: &'a RawValue,
    data: &mut TraceData,
) -> Result<bool, ReadError> {
    let document = match parse_document(raw) {
        Ok(document) => document,
        Err(Ok(fault)) => return context.report_fault(fault, raw.get()).map(|()| false),
        Err(Err(error)) => {
            let warning = context.json_problem(&error, raw.get(), "");
            return context.report(warning).map(|()| false);
        }
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

fn check_header<'a>(
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

fn resources(wires: Vec<ResourceWire<'_>>) -> Result<Vec<Resource>, Fault<'_>> {
    let mut resources = Vec::with_capacity(wires.len());
    for (i, wire) in wires.into_iter().enumerate() {
        let attributes =
            attributes(wire.attributes).map_err(|f| f.within(&format!("resources[{i}]")))?;
        resources.push(Resource { attributes });
    }
    Ok(resources)
}

fn scopes(wires: Vec<ScopeWire<'_>>) -> Result<Vec<Scope>, Fault<'_>> {
    let mut scopes = Vec::with_capacity(wires.len());
    for (i, wire) in wires.into_iter().enumerate() {
        let attributes =
            attributes(wire.attributes).map_err(|f| f.within(&format!("scopes[{i}]")))?;
        scopes.push(Scope {
            name: owned(wire.name),
            version: owned(wire.version),
            attributes,
        });
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
    let prefix = format!("spans[{index}]");
    let wire = match serde_json::from_str::<SpanWire<'a>>(raw.get()) {
        Ok(wire) => wire,
        Err(error) => {
            let warning = context.json_problem(&error, raw.get(), &prefix);
            return context.report(warning).map(|()| None);
        }
    };
    match span(wire, counts) {
        Ok(span) => Ok(Some(span)),
        Err(fault) => context
            .report_fault(fault.within(&prefix), raw.get())
            .map(|()| None),
    }
}

fn span(wire: SpanWire<'_>, (resources, scopes): (usize, usize)) -> Result<Span, Fault<'_>> {
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
        events: events(wire.events)?,
        links: links(wire.links)?,
        status: status(wire.status)?,
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

fn events(wires: Vec<EventWire<'_>>) -> Result<Vec<Event>, Fault<'_>> {
    let mut events = Vec::with_capacity(wires.len());
    for (i, wire) in wires.into_iter().enumerate() {
        let attributes = attributes(wire.attributes)
            .map_err(|f| f.within(&format!("events[{i}].attributes")))?;
        events.push(Event {
            time_unix_nanos: wire.time_unix_nanos,
            name: owned(wire.name),
            attributes,
        });
    }
    Ok(events)
}

fn links(wires: Vec<LinkWire<'_>>) -> Result<Vec<Link>, Fault<'_>> {
    let mut links = Vec::with_capacity(wires.len());
    for (i, wire) in wires.into_iter().enumerate() {
        let path = format!("links[{i}]");
        let trace_id = parse_trace_id(&wire.trace_id, "traceId").map_err(|f| f.within(&path))?;
        let span_id = parse_span_id(&wire.span_id, "spanId").map_err(|f| f.within(&path))?;
        let attributes =
            attributes(wire.attributes).map_err(|f| f.within("attributes").within(&path))?;
        links.push(Link {
            trace_id,
            span_id,
            trace_state: owned(wire.trace_state),
            attributes,
        });
    }
    Ok(links)
}

fn status(wire: Option<StatusWire<'_>>) -> Result<Status, Fault<'_>> {
    let Some(wire) = wire else {
        return Ok(Status::Unset);
    };
    match wire.code.as_ref() {
        "unset" => Ok(Status::Unset),
        "ok" => Ok(Status::Ok),
        "error" => Ok(Status::Error {
            message: owned(wire.message),
        }),
        other => Err(Fault::new(
            "status.code",
            borrowed(&wire.code),
            Problem::BadValue {
                message: format!("unknown status code {other:?} (expected unset, ok or error)"),
            },
        )),
    }
}

fn attributes(wires: Vec<ValueWire<'_>>) -> Result<Vec<KeyValue>, Fault<'_>> {
    let mut attributes = Vec::with_capacity(wires.len());
    for (i, mut wire) in wires.into_iter().enumerate() {
        let path = format!("[{i}]");
        let Some(key) = wire.key.take() else {
            return Err(Fault::bad_value(path, "an attribute needs a \"key\""));
        };
        let value = value(wire).map_err(|f| f.within(&path))?;
        attributes.push(KeyValue {
            key: owned(key),
            value,
        });
    }
    Ok(attributes)
}

fn value(wire: ValueWire<'_>) -> Result<Value, Fault<'_>> {
    let set = [
        wire.str.is_some(),
        wire.bool.is_some(),
        wire.i64.is_some(),
        wire.f64.is_some(),
        wire.bytes.is_some(),
        wire.array.is_some(),
        wire.map.is_some(),
    ];
    if set.iter().filter(|s| **s).count() != 1 {
        return Err(Fault::bad_value(
            "",
            "a value needs exactly one of \"str\", \"bool\", \"i64\", \"f64\", \"bytes\", \"array\", \"map\"",
        ));
    }
    if let Some(s) = wire.str {
        return Ok(Value::Str(owned(s)));
    }
    if let Some(b) = wire.bool {
        return Ok(Value::Bool(b));
    }
    if let Some(i) = wire.i64 {
        return Ok(Value::I64(i));
    }
    if let Some(x) = wire.f64 {
        return Ok(Value::F64(x));
    }
    if let Some(text) = wire.bytes {
        let near = borrowed(&text);
        let bytes = hex::decode(&text).ok_or_else(|| {
            Fault::new(
                "bytes",
                near,
                Problem::BadValue {
                    message: "expected an even number of hex digits".into(),
                },
            )
        })?;
        return Ok(Value::Bytes(bytes));
    }
    if let Some(items) = wire.array {
        let mut values = Vec::with_capacity(items.len());
        for (i, item) in items.into_iter().enumerate() {
            values.push(value(item).map_err(|f| f.within(&format!("array[{i}]")))?);
        }
        return Ok(Value::Array(values));
    }
    let entries = wire.map.unwrap_or_default();
    Ok(Value::Map(
        attributes(entries).map_err(|f| f.within("map"))?,
    ))
}
