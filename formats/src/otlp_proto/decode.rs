//! Decoding one span (and the messages inside it: events, links, status, attributes and their
//! `AnyValue`s), and resources and scopes, straight from the wire into the model. A problem
//! comes back as a [`DecodeFault`]: the byte offset, the field path and what is wrong.

use super::wire::{FIXED32, FIXED64, FieldValue, LEN, Reader, VARINT, WireError, wrong_type};
use crate::error::Problem;
use crate::known_keys::attribute_key;
use crate::model::{
    Event, IdError, KeyValue, Link, Resource, Scope, Span, SpanId, SpanKind, Status, Str, TraceId,
    Value,
};
use crate::scan::join_path;

/// How deep `AnyValue`s may nest in arrays and key-value lists (protobuf's default limit).
const MAX_VALUE_DEPTH: usize = 100;

/// A problem at a byte offset, in a field.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DecodeFault {
    pub at: usize,
    /// Proto field names from the message being decoded, e.g. `attributes[2].value`.
    pub path: String,
    pub problem: Problem,
}

impl DecodeFault {
    fn new(at: usize, path: &str, message: String) -> Self {
        DecodeFault {
            at,
            path: path.to_owned(),
            problem: Problem::BadValue { message },
        }
    }

    /// Puts the fault under a parent field such as `spans[3]` or `attributes`.
    pub fn within(mut self, parent: &str) -> Self {
        self.path = join_path(parent, &self.path);
        self
    }
}

impl From<WireError> for DecodeFault {
    fn from(error: WireError) -> Self {
        DecodeFault {
            at: error.at,
            path: String::new(),
            problem: Problem::Protobuf {
                message: error.problem.to_string(),
            },
        }
    }
}

type Decoded<T> = Result<T, DecodeFault>;

/// Decodes a `Span` message. Its attributes are gathered in `scratch` (reused from span to
/// span) and then moved into a vector of exactly their number: no growth steps, no spare room
/// held for the life of the span.
pub(crate) fn span(bytes: &[u8], base: usize, scratch: &mut Vec<KeyValue>) -> Decoded<Span> {
    scratch.clear();
    let mut span = Span::default();
    let mut trace_id = None;
    let mut span_id = None;
    let mut reader = Reader::new(bytes, base);
    while let Some((field, value)) = reader.field()? {
        let at = reader.field_at();
        match field {
            1 => trace_id = Some(len(field, value, at)?),
            2 => span_id = Some(len(field, value, at)?),
            3 => span.trace_state = string(field, value, at, "trace_state")?,
            4 => span.parent_span_id = parent_id(value, at)?,
            5 => span.name = string(field, value, at, "name")?,
            6 => span.kind = kind(varint(field, value, at)?, at)?,
            7 => span.start_unix_nanos = fixed64(field, value, at)?,
            8 => span.end_unix_nanos = fixed64(field, value, at)?,
            9 => attribute_into(scratch, field, value, at)?,
            10 => span.dropped_attributes_count = count(field, value, at)?,
            12 => span.dropped_events_count = count(field, value, at)?,
            14 => span.dropped_links_count = count(field, value, at)?,
            11 => {
                let event = event(value, at);
                span.events
                    .push(indexed(event, "events", span.events.len())?);
            }
            13 => {
                let link = link(value, at);
                span.links.push(indexed(link, "links", span.links.len())?);
            }
            15 => span.status = status(value, at).map_err(|f| f.within("status"))?,
            16 => span.flags = fixed32(field, value, at)?,
            _ => {}
        }
    }
    span.trace_id = trace_id_of(trace_id, base, "trace_id")?;
    span.span_id = span_id_of(span_id, base, "span_id")?;
    span.attributes = Vec::with_capacity(scratch.len());
    span.attributes.append(scratch);
    Ok(span)
}

/// A decoded item of a repeated field, its fault placed under `name[index]`.
fn indexed<T>(item: Decoded<T>, name: &str, index: usize) -> Decoded<T> {
    item.map_err(|f| f.within(&format!("{name}[{index}]")))
}

/// The bytes of a length-delimited field and their offset.
fn len<'a>(field: u32, value: FieldValue<'a>, at: usize) -> Decoded<(&'a [u8], usize)> {
    match value {
        FieldValue::Len(bytes, start) => Ok((bytes, start)),
        other => Err(wrong_type(field, LEN, &other, at).into()),
    }
}

fn varint(field: u32, value: FieldValue<'_>, at: usize) -> Decoded<u64> {
    match value {
        FieldValue::Varint(v) => Ok(v),
        other => Err(wrong_type(field, VARINT, &other, at).into()),
    }
}

/// A `uint32` field: a varint, truncated to 32 bits as protobuf's parsers do.
fn count(field: u32, value: FieldValue<'_>, at: usize) -> Decoded<u32> {
    varint(field, value, at).map(|v| v as u32)
}

fn fixed64(field: u32, value: FieldValue<'_>, at: usize) -> Decoded<u64> {
    match value {
        FieldValue::Fixed64(v) => Ok(v),
        other => Err(wrong_type(field, FIXED64, &other, at).into()),
    }
}

fn fixed32(field: u32, value: FieldValue<'_>, at: usize) -> Decoded<u32> {
    match value {
        FieldValue::Fixed32(v) => Ok(v),
        other => Err(wrong_type(field, FIXED32, &other, at).into()),
    }
}

/// A `string` field as an owned model string.
pub(crate) fn string(field: u32, value: FieldValue<'_>, at: usize, name: &str) -> Decoded<Str> {
    text(field, value, at, name).map(Str::new)
}

/// A string field's text, borrowed from the input.
fn text<'a>(field: u32, value: FieldValue<'a>, at: usize, name: &str) -> Decoded<&'a str> {
    let (bytes, start) = len(field, value, at)?;
    std::str::from_utf8(bytes).map_err(|error| {
        DecodeFault::new(
            start + error.valid_up_to(),
            name,
            "invalid UTF-8 in a string field".into(),
        )
    })
}

fn trace_id_of(bytes: Option<(&[u8], usize)>, at: usize, name: &str) -> Decoded<TraceId> {
    let (bytes, start) = bytes.unwrap_or((&[], at));
    match <[u8; 16]>::try_from(bytes).map(u128::from_be_bytes) {
        Ok(0) => Err(zero_id(start, name)),
        Ok(id) => Ok(TraceId(id)),
        Err(_) => Err(id_length(start, name, 16, bytes.len())),
    }
}

fn span_id_of(bytes: Option<(&[u8], usize)>, at: usize, name: &str) -> Decoded<SpanId> {
    let (bytes, start) = bytes.unwrap_or((&[], at));
    match <[u8; 8]>::try_from(bytes).map(u64::from_be_bytes) {
        Ok(0) => Err(zero_id(start, name)),
        Ok(id) => Ok(SpanId(id)),
        Err(_) => Err(id_length(start, name, 8, bytes.len())),
    }
}

fn zero_id(at: usize, name: &str) -> DecodeFault {
    DecodeFault {
        at,
        path: name.to_owned(),
        problem: Problem::BadId(IdError::Zero),
    }
}

fn id_length(at: usize, name: &str, expected: usize, found: usize) -> DecodeFault {
    let message = match found {
        0 => format!("missing (expected {expected} bytes)"),
        n => format!("expected {expected} bytes, found {n}"),
    };
    DecodeFault::new(at, name, message)
}

/// `parent_span_id`: empty (or all zeros, which no span has) is a root span.
fn parent_id(value: FieldValue<'_>, at: usize) -> Decoded<Option<SpanId>> {
    let (bytes, start) = len(4, value, at)?;
    if bytes.is_empty() || bytes.iter().all(|b| *b == 0) {
        return Ok(None);
    }
    span_id_of(Some((bytes, start)), at, "parent_span_id").map(Some)
}

fn kind(number: u64, at: usize) -> Decoded<SpanKind> {
    span_kind(number).ok_or_else(|| DecodeFault {
        at,
        path: "kind".into(),
        problem: Problem::UnknownKind {
            found: (number as i64).to_string(),
        },
    })
}

/// The `SpanKind` enum's numbers (unspecified is internal); `None` for a number it lacks.
pub(crate) fn span_kind(number: u64) -> Option<SpanKind> {
    Some(match number {
        0 | 1 => SpanKind::Internal,
        2 => SpanKind::Server,
        3 => SpanKind::Client,
        4 => SpanKind::Producer,
        5 => SpanKind::Consumer,
        _ => return None,
    })
}

pub(crate) fn status(value: FieldValue<'_>, at: usize) -> Decoded<Status> {
    let (bytes, base) = len(15, value, at)?;
    let mut reader = Reader::new(bytes, base);
    let (mut code, mut message) = (0, Str::default());
    while let Some((field, value)) = reader.field()? {
        let at = reader.field_at();
        match field {
            2 => message = string(field, value, at, "message")?,
            3 => code = varint(field, value, at)?,
            _ => {}
        }
    }
    Ok(match code {
        0 => Status::Unset,
        1 => Status::Ok,
        2 => Status::Error { message },
        other => {
            let message = format!(
                "unknown status code {} (expected 0 unset, 1 ok or 2 error)",
                other as i64
            );
            return Err(DecodeFault::new(base, "code", message));
        }
    })
}

pub(crate) fn event(value: FieldValue<'_>, at: usize) -> Decoded<Event> {
    let (bytes, base) = len(11, value, at)?;
    let mut event = Event::default();
    let mut reader = Reader::new(bytes, base);
    while let Some((field, value)) = reader.field()? {
        let at = reader.field_at();
        match field {
            1 => event.time_unix_nanos = fixed64(field, value, at)?,
            2 => event.name = string(field, value, at, "name")?,
            3 => attribute_into(&mut event.attributes, field, value, base)?,
            4 => event.dropped_attributes_count = count(field, value, at)?,
            _ => {}
        }
    }
    Ok(event)
}

pub(crate) fn link(value: FieldValue<'_>, at: usize) -> Decoded<Link> {
    let (bytes, base) = len(13, value, at)?;
    let (mut trace_id, mut span_id) = (None, None);
    let mut out = Link::default();
    let mut reader = Reader::new(bytes, base);
    while let Some((field, value)) = reader.field()? {
        let at = reader.field_at();
        match field {
            1 => trace_id = Some(len(field, value, at)?),
            2 => span_id = Some(len(field, value, at)?),
            3 => out.trace_state = string(field, value, at, "trace_state")?,
            4 => attribute_into(&mut out.attributes, field, value, base)?,
            5 => out.dropped_attributes_count = count(field, value, at)?,
            6 => out.flags = fixed32(field, value, at)?,
            _ => {}
        }
    }
    out.trace_id = trace_id_of(trace_id, base, "trace_id")?;
    out.span_id = span_id_of(span_id, base, "span_id")?;
    Ok(out)
}

/// Decodes a `Resource` message into `resource` (a repeated occurrence merges, as protobuf
/// merges a message field that appears twice).
pub(crate) fn resource_into(resource: &mut Resource, bytes: &[u8], base: usize) -> Decoded<()> {
    let mut reader = Reader::new(bytes, base);
    while let Some((field, value)) = reader.field()? {
        let at = reader.field_at();
        match field {
            1 => attribute_into(&mut resource.attributes, field, value, base)?,
            2 => resource.dropped_attributes_count = count(field, value, at)?,
            _ => {}
        }
    }
    Ok(())
}

/// Decodes an `InstrumentationScope` message into `scope` (merging, like [`resource_into`]).
pub(crate) fn scope_into(scope: &mut Scope, bytes: &[u8], base: usize) -> Decoded<()> {
    let mut reader = Reader::new(bytes, base);
    while let Some((field, value)) = reader.field()? {
        let at = reader.field_at();
        match field {
            1 => scope.name = string(field, value, at, "name")?,
            2 => scope.version = string(field, value, at, "version")?,
            3 => attribute_into(&mut scope.attributes, field, value, base)?,
            4 => scope.dropped_attributes_count = count(field, value, at)?,
            _ => {}
        }
    }
    Ok(())
}

/// Appends one decoded `KeyValue` to `attributes`, its fault placed at `attributes[i]`.
fn attribute_into(
    attributes: &mut Vec<KeyValue>,
    field: u32,
    value: FieldValue<'_>,
    at: usize,
) -> Decoded<()> {
    let index = attributes.len();
    if attributes.capacity() == 0 {
        // Most spans carry a few attributes: one allocation, not a growth step per attribute.
        attributes.reserve(4);
    }
    attributes.push(indexed(
        key_value(field, value, at, 0),
        "attributes",
        index,
    )?);
    Ok(())
}

fn key_value(field: u32, value: FieldValue<'_>, at: usize, depth: usize) -> Decoded<KeyValue> {
    let (bytes, base) = len(field, value, at)?;
    let mut key = Str::default();
    let mut any = None;
    let mut reader = Reader::new(bytes, base);
    while let Some((field, value)) = reader.field()? {
        let at = reader.field_at();
        match field {
            1 => key = attribute_key(text(field, value, at, "key")?),
            2 => any = Some(any_value(field, value, at, depth).map_err(|f| f.within("value"))?),
            _ => {}
        }
    }
    Ok(KeyValue {
        key,
        value: any.unwrap_or(Value::Str(Str::default())),
    })
}

/// An `AnyValue`: the last of its oneof fields wins; none set is the empty string.
pub(crate) fn any_value(
    field: u32,
    value: FieldValue<'_>,
    at: usize,
    depth: usize,
) -> Decoded<Value> {
    let (bytes, base) = len(field, value, at)?;
    if depth >= MAX_VALUE_DEPTH {
        let message = format!("values nested deeper than {MAX_VALUE_DEPTH} levels");
        return Err(DecodeFault::new(base, "", message));
    }
    let mut out = Value::Str(Str::default());
    let mut reader = Reader::new(bytes, base);
    while let Some((field, value)) = reader.field()? {
        let at = reader.field_at();
        out = match field {
            1 => Value::Str(string(field, value, at, "string_value")?),
            2 => Value::Bool(varint(field, value, at)? != 0),
            3 => Value::I64(varint(field, value, at)? as i64),
            4 => Value::F64(f64::from_bits(fixed64(field, value, at)?)),
            5 => Value::Array(array(value, at, depth).map_err(|f| f.within("array_value"))?),
            6 => Value::Map(kv_list(value, at, depth).map_err(|f| f.within("kvlist_value"))?),
            7 => Value::Bytes(len(field, value, at)?.0.to_vec()),
            _ => continue,
        };
    }
    Ok(out)
}

fn array(value: FieldValue<'_>, at: usize, depth: usize) -> Decoded<Vec<Value>> {
    let (bytes, base) = len(5, value, at)?;
    let mut values = Vec::new();
    let mut reader = Reader::new(bytes, base);
    while let Some((field, value)) = reader.field()? {
        let at = reader.field_at();
        if field == 1 {
            let item = any_value(field, value, at, depth + 1);
            values.push(indexed(item, "values", values.len())?);
        }
    }
    Ok(values)
}

fn kv_list(value: FieldValue<'_>, at: usize, depth: usize) -> Decoded<Vec<KeyValue>> {
    let (bytes, base) = len(6, value, at)?;
    let mut values = Vec::new();
    let mut reader = Reader::new(bytes, base);
    while let Some((field, value)) = reader.field()? {
        let at = reader.field_at();
        if field == 1 {
            let item = key_value(field, value, at, depth + 1);
            values.push(indexed(item, "values", values.len())?);
        }
    }
    Ok(values)
}
