//! OTLP/JSON: OpenTelemetry's protocol in protobuf's JSON mapping, as OTLP/HTTP JSON bodies
//! and the collector's file exporter (JSON Lines, one `ExportTraceServiceRequest` per line).
//!
//! ```json
//! {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"shop"}}]},
//!   "scopeSpans":[{"scope":{"name":"spindle","version":"0.1.0"},
//!     "spans":[{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7",
//!       "name":"GET /cart","kind":2,"startTimeUnixNano":"1700000000000000000",
//!       "endTimeUnixNano":"1700000000250000000","status":{"code":1}}]}]}]}
//! ```
//!
//! Mapping (the OTLP/JSON rules):
//! - Keys are lowerCamelCase. `traceId` (32 hex digits), `spanId`, `parentSpanId` (16) are
//!   written lowercase and read in either case; an empty or absent `parentSpanId` is no parent.
//!   Ids in base64 (24 or 12 characters with `=` padding, as protobuf's generic JSON printers
//!   such as Python's `MessageToJson` write them) are read too.
//! - `kind` is an integer (`SPAN_KIND_INTERNAL`=1, `SERVER`=2, `CLIENT`=3, `PRODUCER`=4,
//!   `CONSUMER`=5; 0, unspecified, reads as internal); `status.code` too (`UNSET`=0, `OK`=1,
//!   `ERROR`=2). Both are also read as their enum names (`"SPAN_KIND_SERVER"`).
//! - 64-bit integers (`startTimeUnixNano`, `endTimeUnixNano`, `timeUnixNano`, `intValue`) are
//!   written as decimal strings and read from strings or numbers (the JavaScript exporter
//!   writes numbers).
//! - `AnyValue`: `stringValue`, `boolValue`, `intValue`, `doubleValue` (non-finite values as
//!   `"NaN"`, `"Infinity"`, `"-Infinity"`), `bytesValue` (base64), `arrayValue{values}`,
//!   `kvlistValue{values}`. An empty `AnyValue` (`{}` or no `value`) reads as `""`.
//! - `flags` (W3C flags plus OTLP's is-remote bits, e.g. 257 from the JavaScript exporter) and
//!   `traceState` are kept; events and links with their attributes.
//! - Spans are grouped by resource, then by scope. A read merges equal resources and scopes.
//! - Unknown fields are ignored; so are `schemaUrl`, the `dropped…Count` fields and link `flags`.
//!   The pre-1.0 names `instrumentationLibrarySpans` / `instrumentationLibrary` are read too.

use std::borrow::Cow;
use std::io::Write;

use serde::ser::{SerializeMap, SerializeStruct, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::base64;
use crate::batch::{EMPTY_RESOURCE, EMPTY_SCOPE, SpanBatch};
use crate::context::{Fault, ReadContext, parse_span_id, parse_trace_id};
use crate::detect::Format;
use crate::error::{Problem, ReadError};
use crate::hex::{span_id_hex, trace_id_hex};
use crate::model::{
    Event, KeyValue, Link, Resource, ResourceIndex, Scope, ScopeIndex, Span, SpanId, SpanKind,
    Status, TraceData, TraceId, Value,
};
use crate::num::{Int, float};
use crate::read::{Loaded, ReadOptions};
use crate::stream::for_each_value;
use crate::text::{Text, borrowed, owned};

// ---------------------------------------------------------------------------------------------
// Writing

/// Writes `data` as one OTLP `ExportTraceServiceRequest` JSON document on one line, then `\n`.
///
/// The bytes are a valid OTLP/HTTP JSON request body and one line of the collector's file
/// exporter format; appending several writes makes a JSON Lines file that [`read`] merges.
///
/// ```
/// use spindle_formats::{KeyValue, ReadOptions, Resource, Span, SpanId, TraceData, TraceId};
/// let data = TraceData {
///     resources: vec![Resource { attributes: vec![KeyValue::new("service.name", "shop")] }],
///     scopes: vec![Default::default()],
///     spans: vec![Span {
///         trace_id: TraceId(1),
///         span_id: SpanId(2),
///         name: "get".into(),
///         start_unix_nanos: 5,
///         end_unix_nanos: 9,
///         ..Default::default()
///     }],
/// };
/// let mut out = Vec::new();
/// spindle_formats::otlp_json::write(&data, &mut out).unwrap();
/// let text = String::from_utf8(out.clone()).unwrap();
/// assert!(text.starts_with(r#"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"shop"}}]},"scopeSpans":[{"scope":{},"spans":[{"traceId":"00000000000000000000000000000001","spanId":"0000000000000002","name":"get","kind":1,"startTimeUnixNano":"5","endTimeUnixNano":"9"}]}]}]}"#));
/// let loaded = spindle_formats::otlp_json::read(&out, "t.json", ReadOptions::default()).unwrap();
/// assert_eq!(loaded.data, data);
/// ```
pub fn write<'a>(data: impl Into<SpanBatch<'a>>, out: &mut impl Write) -> std::io::Result<()> {
    let data = data.into();
    let mut line = Vec::with_capacity(256 + data.spans.len() * 320);
    let mut spans: Vec<&Span> = data.spans.iter().collect();
    spans.sort_by_key(|span| (span.resource, span.scope));
    serde_json::to_writer(&mut line, &RequestOut { data, spans })?;
    line.push(b'\n');
    out.write_all(&line)
}

/// The request: spans sorted (stably) by resource, then scope.
struct RequestOut<'a> {
    data: SpanBatch<'a>,
    spans: Vec<&'a Span>,
}

struct ResourceSpansOut<'a> {
    data: SpanBatch<'a>,
    spans: &'a [&'a Span],
}

struct ScopeSpansOut<'a> {
    scope: &'a Scope,
    spans: &'a [&'a Span],
}

struct ScopeOut<'a>(&'a Scope);
struct SpanOut<'a>(&'a Span);
struct EventOut<'a>(&'a Event);
struct LinkOut<'a>(&'a Link);
struct StatusOut<'a>(&'a Status);
struct Attributes<'a>(&'a [KeyValue]);
struct KeyValueOut<'a>(&'a KeyValue);
struct AnyValueOut<'a>(&'a Value);
struct Values<'a>(&'a [Value]);
/// A 64-bit integer as a decimal string.
struct Decimal<T>(T);

impl Serialize for RequestOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let data = self.data;
        let groups = self
            .spans
            .chunk_by(|a, b| a.resource == b.resource)
            .map(|spans| ResourceSpansOut { data, spans });
        let mut out = serializer.serialize_struct("ExportTraceServiceRequest", 1)?;
        out.serialize_field("resourceSpans", &SeqOf::new(groups))?;
        out.end()
    }
}

impl Serialize for ResourceSpansOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let data = self.data;
        let resource = self
            .spans
            .first()
            .map_or(&EMPTY_RESOURCE, |span| data.resource_of(span));
        let groups = self
            .spans
            .chunk_by(|a, b| a.scope == b.scope)
            .map(|spans| ScopeSpansOut {
                scope: spans
                    .first()
                    .map_or(&EMPTY_SCOPE, |span| data.scope_of(span)),
                spans,
            });
        let mut out = serializer.serialize_struct("ResourceSpans", 2)?;
        out.serialize_field("resource", &ResourceOut(resource))?;
        out.serialize_field("scopeSpans", &SeqOf::new(groups))?;
        out.end()
    }
}

struct ResourceOut<'a>(&'a Resource);

impl Serialize for ResourceOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_struct("Resource", 1)?;
        out.serialize_field("attributes", &Attributes(&self.0.attributes))?;
        out.end()
    }
}

impl Serialize for ScopeSpansOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_struct("ScopeSpans", 2)?;
        out.serialize_field("scope", &ScopeOut(self.scope))?;
        out.serialize_field("spans", &SeqOf::new(self.spans.iter().map(|s| SpanOut(s))))?;
        out.end()
    }
}

/// An iterator serialized once as a list.
struct SeqOf<I>(std::cell::Cell<Option<I>>);

impl<I> SeqOf<I> {
    fn new(items: I) -> Self {
        SeqOf(std::cell::Cell::new(Some(items)))
    }
}

impl<I: Iterator<Item = T>, T: Serialize> Serialize for SeqOf<I> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.take().into_iter().flatten())
    }
}

impl Serialize for ScopeOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let scope = self.0;
        let mut out = serializer.serialize_struct("InstrumentationScope", 3)?;
        if !scope.name.is_empty() {
            out.serialize_field("name", &scope.name)?;
        }
        if !scope.version.is_empty() {
            out.serialize_field("version", &scope.version)?;
        }
        if !scope.attributes.is_empty() {
            out.serialize_field("attributes", &Attributes(&scope.attributes))?;
        }
        out.end()
    }
}

/// The OTLP `SpanKind` number.
fn kind_number(kind: SpanKind) -> u8 {
    match kind {
        SpanKind::Internal => 1,
        SpanKind::Server => 2,
        SpanKind::Client => 3,
        SpanKind::Producer => 4,
        SpanKind::Consumer => 5,
    }
}

impl Serialize for SpanOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let span = self.0;
        let mut out = serializer.serialize_struct("Span", 14)?;
        out.serialize_field("traceId", &trace_id_hex(span.trace_id))?;
        out.serialize_field("spanId", &span_id_hex(span.span_id))?;
        if !span.trace_state.is_empty() {
            out.serialize_field("traceState", &span.trace_state)?;
        }
        if let Some(parent) = span.parent_span_id {
            out.serialize_field("parentSpanId", &span_id_hex(parent))?;
        }
        if span.flags != 0 {
            out.serialize_field("flags", &span.flags)?;
        }
        out.serialize_field("name", &span.name)?;
        out.serialize_field("kind", &kind_number(span.kind))?;
        out.serialize_field("startTimeUnixNano", &Decimal(span.start_unix_nanos))?;
        out.serialize_field("endTimeUnixNano", &Decimal(span.end_unix_nanos))?;
        if !span.attributes.is_empty() {
            out.serialize_field("attributes", &Attributes(&span.attributes))?;
        }
        if !span.events.is_empty() {
            out.serialize_field("events", &SeqOf::new(span.events.iter().map(EventOut)))?;
        }
        if !span.links.is_empty() {
            out.serialize_field("links", &SeqOf::new(span.links.iter().map(LinkOut)))?;
        }
        if span.status != Status::Unset {
            out.serialize_field("status", &StatusOut(&span.status))?;
        }
        out.end()
    }
}

impl Serialize for EventOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let event = self.0;
        let mut out = serializer.serialize_struct("Event", 3)?;
        out.serialize_field("timeUnixNano", &Decimal(event.time_unix_nanos))?;
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
            Status::Unset => out.serialize_field("code", &0)?,
            Status::Ok => out.serialize_field("code", &1)?,
            Status::Error { message } => {
                if !message.is_empty() {
                    out.serialize_field("message", message)?;
                }
                out.serialize_field("code", &2)?;
            }
        }
        out.end()
    }
}

impl<T: std::fmt::Display> Serialize for Decimal<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

impl Serialize for Attributes<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(KeyValueOut))
    }
}

impl Serialize for KeyValueOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_struct("KeyValue", 2)?;
        out.serialize_field("key", &self.0.key)?;
        out.serialize_field("value", &AnyValueOut(&self.0.value))?;
        out.end()
    }
}

impl Serialize for Values<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_struct("ArrayValue", 1)?;
        out.serialize_field("values", &SeqOf::new(self.0.iter().map(AnyValueOut)))?;
        out.end()
    }
}

impl Serialize for AnyValueOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(1))?;
        match self.0 {
            Value::Str(s) => map.serialize_entry("stringValue", s)?,
            Value::Bool(b) => map.serialize_entry("boolValue", b)?,
            Value::I64(i) => map.serialize_entry("intValue", &Decimal(i))?,
            Value::F64(x) if x.is_finite() => map.serialize_entry("doubleValue", x)?,
            Value::F64(x) if x.is_nan() => map.serialize_entry("doubleValue", "NaN")?,
            Value::F64(x) if *x > 0.0 => map.serialize_entry("doubleValue", "Infinity")?,
            Value::F64(_) => map.serialize_entry("doubleValue", "-Infinity")?,
            Value::Bytes(bytes) => map.serialize_entry("bytesValue", &base64::encode(bytes))?,
            Value::Array(items) => map.serialize_entry("arrayValue", &Values(items))?,
            Value::Map(entries) => map.serialize_entry("kvlistValue", &KvListOut(entries))?,
        }
        map.end()
    }
}

struct KvListOut<'a>(&'a [KeyValue]);

impl Serialize for KvListOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_struct("KeyValueList", 1)?;
        out.serialize_field("values", &Attributes(self.0))?;
        out.end()
    }
}

// ---------------------------------------------------------------------------------------------
// Reading

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
    let mut context = ReadContext::new(bytes, source, options.strict);
    let mut data = TraceData::default();
    for_each_value(&mut context, |context, raw| {
        read_request(context, raw, &mut data)
    })?;
    Ok(Loaded {
        format: Format::Otlp,
        data,
        warnings: context.into_warnings(),
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(expecting = "an OTLP ExportTraceServiceRequest object")]
struct RequestWire<'a, S = &'a RawValue> {
    #[serde(borrow, default = "Vec::new")]
    resource_spans: Vec<ResourceSpansWire<'a, S>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(expecting = "a resourceSpans object")]
struct ResourceSpansWire<'a, S = &'a RawValue> {
    #[serde(borrow, default)]
    resource: Option<ResourceWire<'a>>,
    #[serde(borrow, default = "Vec::new", alias = "instrumentationLibrarySpans")]
    scope_spans: Vec<ScopeSpansWire<'a, S>>,
}

#[derive(Deserialize)]
#[serde(expecting = "a resource object")]
struct ResourceWire<'a> {
    #[serde(borrow, default)]
    attributes: Vec<KeyValueWire<'a>>,
}

#[derive(Deserialize)]
#[serde(expecting = "a scopeSpans object")]
struct ScopeSpansWire<'a, S = &'a RawValue> {
    #[serde(borrow, default, alias = "instrumentationLibrary")]
    scope: Option<ScopeWire<'a>>,
    #[serde(default = "Vec::new")]
    spans: Vec<S>,
}

#[derive(Deserialize)]
#[serde(expecting = "a scope object")]
struct ScopeWire<'a> {
    #[serde(borrow, default)]
    name: Cow<'a, str>,
    #[serde(borrow, default)]
    version: Cow<'a, str>,
    #[serde(borrow, default)]
    attributes: Vec<KeyValueWire<'a>>,
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
    links: Vec<LinkWire<'a>>,
    #[serde(borrow, default)]
    status: Option<StatusWire<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(expecting = "an event object")]
struct EventWire<'a> {
    #[serde(default)]
    time_unix_nano: Option<Int<u64>>,
    #[serde(borrow, default)]
    name: Cow<'a, str>,
    #[serde(borrow, default)]
    attributes: Vec<KeyValueWire<'a>>,
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
    attributes: Vec<KeyValueWire<'a>>,
}

#[derive(Deserialize)]
#[serde(expecting = "a status object")]
struct StatusWire<'a> {
    #[serde(borrow, default)]
    code: Option<&'a RawValue>,
    #[serde(borrow, default)]
    message: Cow<'a, str>,
}

#[derive(Deserialize)]
#[serde(expecting = "a key-value object")]
struct KeyValueWire<'a> {
    #[serde(borrow)]
    key: Cow<'a, str>,
    #[serde(borrow, default)]
    value: Option<AnyValueWire<'a>>,
}

/// An `AnyValue`: at most one field is set (none: the empty value).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(expecting = "an AnyValue object")]
struct AnyValueWire<'a> {
    #[serde(borrow, default)]
    string_value: Option<Text<'a>>,
    #[serde(default)]
    bool_value: Option<bool>,
    #[serde(default)]
    int_value: Option<Int<i64>>,
    #[serde(default, deserialize_with = "float")]
    double_value: Option<f64>,
    #[serde(borrow, default)]
    bytes_value: Option<Text<'a>>,
    #[serde(borrow, default)]
    array_value: Option<ArrayWire<'a>>,
    #[serde(borrow, default)]
    kvlist_value: Option<KvListWire<'a>>,
}

#[derive(Deserialize)]
#[serde(expecting = "an arrayValue object")]
struct ArrayWire<'a> {
    #[serde(borrow, default)]
    values: Vec<AnyValueWire<'a>>,
}

#[derive(Deserialize)]
#[serde(expecting = "a kvlistValue object")]
struct KvListWire<'a> {
    #[serde(borrow, default)]
    values: Vec<KeyValueWire<'a>>,
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
    if let Ok(request) = serde_json::from_str::<RequestWire<'a, SpanWire<'a>>>(raw.get()) {
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
fn convert_request(request: RequestWire<'_, SpanWire<'_>>) -> Option<TraceData> {
    let mut data = TraceData::default();
    for group in request.resource_spans {
        let wire = group.resource.map(|w| w.attributes).unwrap_or_default();
        let attributes = attributes(wire).ok()?;
        let mut resource = None;
        for scope_group in group.scope_spans {
            if scope_group.spans.is_empty() {
                continue;
            }
            let scope = data.intern_scope(scope(scope_group.scope).ok()?);
            let resource = *resource.get_or_insert_with(|| {
                data.intern_resource(Resource {
                    attributes: attributes.clone(),
                })
            });
            data.spans.reserve(scope_group.spans.len());
            for wire in scope_group.spans {
                let mut span = span(wire).ok()?;
                span.resource = resource;
                span.scope = scope;
                data.spans.push(span);
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
    let request = match serde_json::from_str::<RequestWire<'a>>(raw.get()) {
        Ok(request) => request,
        Err(error) => {
            let warning = context.json_problem(&error, raw.get(), "");
            return context.report(warning).map(|()| false);
        }
    };
    for (r, group) in request.resource_spans.into_iter().enumerate() {
        read_resource_spans(context, raw, group, r, data)?;
    }
    Ok(true)
}

fn read_resource_spans<'a>(
    context: &mut ReadContext<'a>,
    raw: &'a RawValue,
    group: ResourceSpansWire<'a>,
    r: usize,
    data: &mut TraceData,
) -> Result<(), ReadError> {
    let wire = group.resource.map(|w| w.attributes).unwrap_or_default();
    let attributes = match attributes(wire) {
        Ok(attributes) => attributes,
        Err(fault) => {
            let fault = fault.within(&format!("resourceSpans[{r}].resource.attributes"));
            return context.report_fault(fault, raw.get());
        }
    };
    let mut resource = None;
    for (s, scope_group) in group.scope_spans.into_iter().enumerate() {
        if scope_group.spans.is_empty() {
            continue;
        }
        let scope = match scope(scope_group.scope) {
            Ok(scope) => data.intern_scope(scope),
            Err(fault) => {
                let fault = fault.within(&format!("resourceSpans[{r}].scopeSpans[{s}].scope"));
                context.report_fault(fault, raw.get())?;
                continue;
            }
        };
        let resource = *resource.get_or_insert_with(|| {
            data.intern_resource(Resource {
                attributes: attributes.clone(),
            })
        });
        for (i, span_raw) in scope_group.spans.into_iter().enumerate() {
            let place = (r, s, i);
            if let Some(mut span) = read_span(context, span_raw, place)? {
                span.resource = resource;
                span.scope = scope;
                data.spans.push(span);
            }
        }
    }
    Ok(())
}

fn scope(wire: Option<ScopeWire<'_>>) -> Result<Scope, Fault<'_>> {
    let Some(wire) = wire else {
        return Ok(Scope::default());
    };
    Ok(Scope {
        name: owned(wire.name),
        version: owned(wire.version),
        attributes: attributes(wire.attributes).map_err(|f| f.within("attributes"))?,
    })
}

/// Parses and converts one span; `None` when it was reported and skipped.
fn read_span<'a>(
    context: &mut ReadContext<'a>,
    raw: &'a RawValue,
    (r, s, i): (usize, usize, usize),
) -> Result<Option<Span>, ReadError> {
    let prefix = || format!("resourceSpans[{r}].scopeSpans[{s}].spans[{i}]");
    let wire = match serde_json::from_str::<SpanWire<'a>>(raw.get()) {
        Ok(wire) => wire,
        Err(error) => {
            let warning = context.json_problem(&error, raw.get(), &prefix());
            return context.report(warning).map(|()| None);
        }
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
        events: events(wire.events)?,
        links: links(wire.links)?,
        status: status(wire.status)?,
        flags: wire.flags.unwrap_or_default().0,
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

fn status(wire: Option<StatusWire<'_>>) -> Result<Status, Fault<'_>> {
    let Some(wire) = wire else {
        return Ok(Status::Unset);
    };
    let code = match wire.code {
        Some(raw) => enum_index(raw, &STATUS_NAMES).ok_or_else(|| {
            let message = format!(
                "unknown status code {} (expected 0 unset, 1 ok or 2 error)",
                raw.get()
            );
            Fault::new(
                "status.code",
                Some(raw.get()),
                Problem::BadValue { message },
            )
        })?,
        None => 0,
    };
    Ok(match code {
        1 => Status::Ok,
        2 => Status::Error {
            message: owned(wire.message),
        },
        _ => Status::Unset,
    })
}

fn events(wires: Vec<EventWire<'_>>) -> Result<Vec<Event>, Fault<'_>> {
    let mut events = Vec::with_capacity(wires.len());
    for (i, wire) in wires.into_iter().enumerate() {
        let attributes = attributes(wire.attributes)
            .map_err(|f| f.within(&format!("events[{i}].attributes")))?;
        events.push(Event {
            time_unix_nanos: wire.time_unix_nano.unwrap_or_default().0,
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
        let trace_id = trace_id_of(&wire.trace_id, "traceId").map_err(|f| f.within(&path))?;
        let span_id = span_id_of(&wire.span_id, "spanId").map_err(|f| f.within(&path))?;
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

fn attributes(wires: Vec<KeyValueWire<'_>>) -> Result<Vec<KeyValue>, Fault<'_>> {
    let mut attributes = Vec::with_capacity(wires.len());
    for (i, wire) in wires.into_iter().enumerate() {
        let value = match wire.value {
            Some(value) => {
                any_value(value).map_err(|f| f.within("value").within(&format!("[{i}]")))?
            }
            None => Value::Str(Cow::Borrowed("")),
        };
        attributes.push(KeyValue {
            key: owned(wire.key),
            value,
        });
    }
    Ok(attributes)
}

fn any_value(wire: AnyValueWire<'_>) -> Result<Value, Fault<'_>> {
    let set = [
        wire.string_value.is_some(),
        wire.bool_value.is_some(),
        wire.int_value.is_some(),
        wire.double_value.is_some(),
        wire.bytes_value.is_some(),
        wire.array_value.is_some(),
        wire.kvlist_value.is_some(),
    ];
    if set.iter().filter(|s| **s).count() > 1 {
        return Err(Fault::bad_value(
            "",
            "an AnyValue holds at most one of stringValue, boolValue, intValue, doubleValue, \
             bytesValue, arrayValue, kvlistValue",
        ));
    }
    if let Some(s) = wire.string_value {
        return Ok(Value::Str(owned(s)));
    }
    if let Some(b) = wire.bool_value {
        return Ok(Value::Bool(b));
    }
    if let Some(Int(i)) = wire.int_value {
        return Ok(Value::I64(i));
    }
    if let Some(x) = wire.double_value {
        return Ok(Value::F64(x));
    }
    if let Some(text) = wire.bytes_value {
        return bytes_value(text);
    }
    if let Some(array) = wire.array_value {
        let mut values = Vec::with_capacity(array.values.len());
        for (i, item) in array.values.into_iter().enumerate() {
            values.push(any_value(item).map_err(|f| f.within(&format!("arrayValue.values[{i}]")))?);
        }
        return Ok(Value::Array(values));
    }
    match wire.kvlist_value {
        Some(list) => Ok(Value::Map(
            attributes(list.values).map_err(|f| f.within("kvlistValue.values"))?,
        )),
        None => Ok(Value::Str(Cow::Borrowed(""))),
    }
}

fn bytes_value(text: Text<'_>) -> Result<Value, Fault<'_>> {
    match base64::decode(&text) {
        Some(bytes) => Ok(Value::Bytes(bytes)),
        None => Err(Fault::new(
            "bytesValue",
            borrowed(&text),
            Problem::BadValue {
                message: "expected base64".into(),
            },
        )),
    }
}
