//! Writing OTLP/JSON: spans grouped by resource, then scope, in one request document.

use std::io::Write;

use serde::Serialize;
use serde::ser::{SerializeMap, SerializeStruct, Serializer};

use super::Encoding;
use crate::base64;
use crate::batch::SpanBatch;
use crate::hex::{span_id_hex, trace_id_hex};
use crate::model::{EMPTY_RESOURCE, EMPTY_SCOPE, KeyValue, Scope, Span, SpanKind, Status, Value};
use crate::otlp_shape::{Part, WriteEncoding, scope_extras, span_parts};

impl WriteEncoding for Encoding {
    const EVENT_TIME: &'static str = "timeUnixNano";
    const MESSAGE_FIRST: bool = true;
    const SCHEMA_URL_INSIDE: bool = false;

    fn time(unix_nanos: u64) -> impl Serialize {
        Decimal(unix_nanos)
    }

    fn status_code(status: &Status) -> impl Serialize {
        match status {
            Status::Unset => 0,
            Status::Ok => 1,
            Status::Error { .. } => 2,
        }
    }

    fn attributes(attributes: &[KeyValue]) -> impl Serialize + '_ {
        Attributes(attributes)
    }
}

/// Writes `data` as one OTLP `ExportTraceServiceRequest` JSON document on one line, then `\n`.
///
/// The bytes are a valid OTLP/HTTP JSON request body and one line of the collector's file
/// exporter format; appending several writes makes a JSON Lines file that
/// [`read`](super::read) merges.
///
/// ```
/// use spindle_formats::{KeyValue, ReadOptions, Resource, Span, SpanId, TraceData, TraceId};
/// let data = TraceData {
///     resources: vec![Resource {
///         attributes: vec![KeyValue::new("service.name", "shop")],
///         ..Default::default()
///     }],
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
        let mut out = serializer.serialize_struct("ResourceSpans", 3)?;
        out.serialize_field("resource", &Part(resource, Encoding))?;
        out.serialize_field("scopeSpans", &SeqOf::new(groups))?;
        if !resource.schema_url.is_empty() {
            out.serialize_field("schemaUrl", &resource.schema_url)?;
        }
        out.end()
    }
}

impl Serialize for ScopeSpansOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_struct("ScopeSpans", 3)?;
        out.serialize_field("scope", &ScopeOut(self.scope))?;
        out.serialize_field("spans", &SeqOf::new(self.spans.iter().map(|s| SpanOut(s))))?;
        if !self.scope.schema_url.is_empty() {
            out.serialize_field("schemaUrl", &self.scope.schema_url)?;
        }
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
        let mut out = serializer.serialize_struct("InstrumentationScope", 4)?;
        if !scope.name.is_empty() {
            out.serialize_field("name", &scope.name)?;
        }
        if !scope.version.is_empty() {
            out.serialize_field("version", &scope.version)?;
        }
        if !scope.attributes.is_empty() {
            out.serialize_field("attributes", &Attributes(&scope.attributes))?;
        }
        scope_extras(&mut out, scope, Encoding)?;
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
        let mut out = serializer.serialize_struct("Span", 17)?;
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
        span_parts(&mut out, span, Encoding)?;
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
