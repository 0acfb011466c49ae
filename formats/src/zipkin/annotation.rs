//! Events as Zipkin annotations: `"name":{attributes as JSON}` written, and read back along
//! with the Go exporter's `name: {…}`.

use crate::model::Str;

use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, Visitor};

use crate::json_out;
use crate::model::{Event, KeyValue, Value};
use crate::plain_json::JsonObjectOut;

/// `"name":{attributes as JSON}`, as OpenTelemetry's Zipkin exporters write events.
pub(super) fn annotation_text(text: &mut Vec<u8>, event: &Event) {
    text.clear();
    json_out::string(text, &event.name);
    text.push(b':');
    let mark = text.len();
    if serde_json::to_writer(&mut *text, &JsonObjectOut(&event.attributes)).is_err() {
        text.truncate(mark);
    }
}

/// Splits `"name":{…}` (or `name: {…}`) into the event name and its attributes.
pub(super) fn event_with_attributes(text: &str) -> Option<(String, Vec<KeyValue>)> {
    if !text.ends_with('}') {
        return None;
    }
    let (name, object) = if text.starts_with('"') {
        let mut stream = serde_json::Deserializer::from_str(text).into_iter::<String>();
        let name = stream.next()?.ok()?;
        let rest = text
            .get(stream.byte_offset()..)?
            .trim_start()
            .strip_prefix(':')?;
        (name, rest)
    } else {
        let (name, rest) = text.split_once(": {")?;
        (
            name.to_owned(),
            text.get(name.len() + 2..).filter(|_| !rest.is_empty())?,
        )
    };
    let JsonObject(attributes) = serde_json::from_str(object).ok()?;
    Some((name, attributes))
}

/// A JSON object read into attributes in input order, keeping JSON's types.
struct JsonObject(Vec<KeyValue>);

/// Any JSON value as a model value (`null` as the text `null`).
struct JsonAny(Value);

impl<'de> Deserialize<'de> for JsonObject {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match JsonAny::deserialize(deserializer)?.0 {
            Value::Map(entries) => Ok(JsonObject(entries)),
            _ => Err(serde::de::Error::custom("expected a JSON object")),
        }
    }
}

impl<'de> Deserialize<'de> for JsonAny {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsonAnyVisitor).map(JsonAny)
    }
}

struct JsonAnyVisitor;

impl<'de> Visitor<'de> for JsonAnyVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::I64(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(i64::try_from(v).map_or(Value::F64(v as f64), Value::I64))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::F64(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::Str(Str::new(v)))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Str(Str::from("null")))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(JsonAny(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Value, M::Error> {
        let mut entries = Vec::new();
        while let Some((key, JsonAny(value))) = map.next_entry::<String, JsonAny>()? {
            entries.push(KeyValue::new(key, value));
        }
        Ok(Value::Map(entries))
    }
}
