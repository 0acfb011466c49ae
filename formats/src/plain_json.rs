//! Attributes as plain JSON (`{"key": value}`), for formats without typed values: Zipkin
//! annotation text and Chrome trace event `args`. Bytes become hex text, non-finite floats `null`.

use serde::{Serialize, Serializer};

use crate::hex;
use crate::model::{KeyValue, Value};

/// Attributes as a plain JSON object.
pub(crate) struct JsonObjectOut<'a>(pub &'a [KeyValue]);
pub(crate) struct JsonValue<'a>(pub &'a Value);

impl Serialize for JsonObjectOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(
            self.0
                .iter()
                .map(|kv| (kv.key.as_ref(), JsonValue(&kv.value))),
        )
    }
}

impl Serialize for JsonValue<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Str(s) => serializer.serialize_str(s),
            Value::Bool(b) => serializer.serialize_bool(*b),
            Value::I64(i) => serializer.serialize_i64(*i),
            Value::F64(x) => serializer.serialize_f64(*x),
            Value::Bytes(bytes) => serializer.serialize_str(&hex::encode(bytes)),
            Value::Array(items) => serializer.collect_seq(items.iter().map(JsonValue)),
            Value::Map(entries) => JsonObjectOut(entries).serialize(serializer),
        }
    }
}
