//! Writing Spindle JSON: one document per batch, on one line.

use std::io::Write;

use serde::Serialize;
use serde::ser::{SerializeMap, SerializeStruct, Serializer};

use super::{Encoding, VERSION};
use crate::batch::{SpanBatch, Spans};
use crate::hex::{self, span_id_hex, trace_id_hex};
use crate::model::{KeyValue, Scope, Span, Status, Value};
use crate::otlp_shape::{List, WriteEncoding, scope_extras, span_parts};

impl WriteEncoding for Encoding {
    const EVENT_TIME: &'static str = "timeUnixNanos";
    const MESSAGE_FIRST: bool = false;
    const SCHEMA_URL_INSIDE: bool = true;

    fn time(unix_nanos: u64) -> impl Serialize {
        unix_nanos
    }

    fn status_code(status: &Status) -> impl Serialize {
        match status {
            Status::Unset => "unset",
            Status::Ok => "ok",
            Status::Error { .. } => "error",
        }
    }

    fn attributes(attributes: &[KeyValue]) -> impl Serialize + '_ {
        Attributes(attributes)
    }
}

/// Writes `data` as one Spindle JSON document on one line, followed by `\n`.
///
/// Appending several writes to one file makes a JSON Lines file that [`read`](super::read)
/// merges.
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
struct ScopeOut<'a>(&'a Scope);
struct SpanOut<'a>(&'a Span);
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
        doc.serialize_field("resources", &List(data.resources, Encoding))?;
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

impl Serialize for ScopeOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let scope = self.0;
        let mut out = serializer.serialize_struct("Scope", 5)?;
        out.serialize_field("name", &scope.name)?;
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

impl Serialize for SpanOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let span = self.0;
        let mut out = serializer.serialize_struct("Span", 18)?;
        out.serialize_field("traceId", &trace_id_hex(span.trace_id))?;
        out.serialize_field("spanId", &span_id_hex(span.span_id))?;
        if let Some(parent) = span.parent_span_id {
            out.serialize_field("parentSpanId", &span_id_hex(parent))?;
        }
        out.serialize_field("name", &span.name)?;
        out.serialize_field("kind", span.kind.as_str())?;
        out.serialize_field("startUnixNanos", &span.start_unix_nanos)?;
        out.serialize_field("endUnixNanos", &span.end_unix_nanos)?;
        span_parts(&mut out, span, Encoding)?;
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
