//! Jaeger's typed tags as attributes, the tags that stand for kind, status and scope, and
//! logs as events.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::base64;
use crate::context::Fault;
use crate::conventions::StatusTags;
use crate::error::Problem;
use crate::known_keys::attribute_key;
use crate::model::{Event, KeyValue, Scope, SpanKind, Status, Value};
use crate::num::{Int, float};
use crate::text::{Text, owned};

#[derive(Deserialize)]
#[serde(expecting = "a tag object")]
pub(super) struct TagWire<'a> {
    #[serde(borrow)]
    key: Cow<'a, str>,
    #[serde(borrow, default, rename = "type")]
    kind: Option<Text<'a>>,
    #[serde(borrow)]
    value: &'a RawValue,
}

#[derive(Deserialize)]
#[serde(expecting = "a log object")]
pub(super) struct LogWire<'a> {
    #[serde(default)]
    timestamp: Option<Int<u64>>,
    #[serde(borrow, default)]
    fields: Option<Vec<TagWire<'a>>>,
}

/// Typed tags as attributes, in order.
pub(super) fn tags(wires: Vec<TagWire<'_>>) -> Result<Vec<KeyValue>, Fault<'_>> {
    let mut attributes = Vec::with_capacity(wires.len());
    for (i, wire) in wires.into_iter().enumerate() {
        let value =
            tag_value(wire.kind.as_ref(), wire.value).map_err(|f| f.within(&format!("[{i}]")))?;
        attributes.push(KeyValue {
            key: attribute_key(wire.key),
            value,
        });
    }
    Ok(attributes)
}

/// A tag's value as its `type` says.
fn tag_value<'a>(kind: Option<&Text<'a>>, raw: &'a RawValue) -> Result<Value, Fault<'a>> {
    let text = raw.get();
    let kind = match kind {
        Some(kind) => kind.to_ascii_lowercase(),
        None => untyped_kind(text).to_owned(),
    };
    let mismatch = |expected: &str| {
        let message = format!("expected {expected} for a tag of type {kind}, found {text}");
        Fault::new("value", Some(text), Problem::BadValue { message })
    };
    let value = match kind.as_str() {
        "string" => Value::Str(owned(
            serde_json::from_str::<Cow<'_, str>>(text).map_err(|_| mismatch("a string"))?,
        )),
        "bool" => Value::Bool(match text {
            "true" | "\"true\"" => true,
            "false" | "\"false\"" => false,
            _ => return Err(mismatch("true or false")),
        }),
        "int64" => Value::I64(
            serde_json::from_str::<Int<i64>>(text)
                .map_err(|_| mismatch("an integer"))?
                .0,
        ),
        "float64" => {
            let mut deserializer = serde_json::Deserializer::from_str(text);
            Value::F64(
                float(&mut deserializer)
                    .ok()
                    .flatten()
                    .ok_or_else(|| mismatch("a number"))?,
            )
        }
        "binary" => {
            let encoded =
                serde_json::from_str::<Cow<'_, str>>(text).map_err(|_| mismatch("base64 text"))?;
            Value::Bytes(base64::decode(&encoded).ok_or_else(|| mismatch("base64 text"))?)
        }
        other => {
            let message = format!(
                "unknown tag type {other:?} (expected string, bool, int64, float64 or binary)"
            );
            return Err(Fault::new(
                "type",
                Some(text),
                Problem::BadValue { message },
            ));
        }
    };
    Ok(value)
}

/// The type a tag without `type` has, from its JSON value.
fn untyped_kind(text: &str) -> &'static str {
    match text.as_bytes().first() {
        Some(b'"') => "string",
        Some(b't' | b'f') => "bool",
        _ if text.parse::<i64>().is_ok() => "int64",
        _ => "float64",
    }
}

/// A span's tags sorted by what they stand for.
pub(super) struct SortedTags {
    pub attributes: Vec<KeyValue>,
    pub kind: SpanKind,
    pub status: Status,
    pub scope: Scope,
}

pub(super) fn sort_tags(tags: Vec<KeyValue>) -> Result<SortedTags, Fault<'static>> {
    let mut sorted = SortedTags {
        attributes: Vec::with_capacity(tags.len()),
        kind: SpanKind::Internal,
        status: Status::Unset,
        scope: Scope::default(),
    };
    let mut status = Vec::new();
    for tag in tags {
        match (tag.key.as_ref(), &tag.value) {
            ("span.kind", Value::Str(text)) => {
                sorted.kind = SpanKind::parse(text).ok_or_else(|| {
                    let found = text.to_string();
                    Fault::new("tags", None, Problem::UnknownKind { found })
                })?;
            }
            ("otel.status_code" | "otel.status_description" | "error", _) => status.push(tag),
            ("otel.scope.name" | "otel.library.name", Value::Str(text)) => {
                sorted.scope.name = text.clone();
            }
            ("otel.scope.version" | "otel.library.version", Value::Str(text)) => {
                sorted.scope.version = text.clone();
            }
            _ => sorted.attributes.push(tag),
        }
    }
    let text = |key: &str| {
        status
            .iter()
            .rev()
            .find(|kv| kv.key == key)
            .map(|kv| match &kv.value {
                Value::Bool(false) => None,
                Value::Str(s) if s == "false" && key == "error" => None,
                Value::Str(s) => Some(s.to_string()),
                other => Some(other.to_string()),
            })
    };
    let (code, description, error) = (
        text("otel.status_code").flatten(),
        text("otel.status_description").flatten(),
        text("error").flatten(),
    );
    sorted.status = StatusTags {
        code: code.as_deref(),
        description: description.as_deref(),
        error: error.as_deref(),
    }
    .status();
    Ok(sorted)
}

/// Logs as events: the `event` field is the name.
pub(super) fn events(wires: Vec<LogWire<'_>>) -> Result<Vec<Event>, Fault<'_>> {
    let mut events = Vec::with_capacity(wires.len());
    for (i, wire) in wires.into_iter().enumerate() {
        let fields = tags(wire.fields.unwrap_or_default())
            .map_err(|f| f.within(&format!("logs[{i}].fields")))?;
        let mut name = Default::default();
        let mut attributes = Vec::with_capacity(fields.len());
        for field in fields {
            match field.value {
                Value::Str(text) if field.key == "event" => name = text,
                value => attributes.push(KeyValue {
                    key: field.key,
                    value,
                }),
            }
        }
        events.push(Event {
            time_unix_nanos: wire.timestamp.unwrap_or_default().0.saturating_mul(1000),
            name,
            attributes,
            dropped_attributes_count: 0,
        });
    }
    Ok(events)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn untyped_tags_take_their_json_type() {
        assert_eq!(untyped_kind("\"x\""), "string");
        assert_eq!(untyped_kind("true"), "bool");
        assert_eq!(untyped_kind("-3"), "int64");
        assert_eq!(untyped_kind("1.5"), "float64");
    }
}
