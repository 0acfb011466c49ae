//! OTLP's `KeyValue` and `AnyValue` (string, bool, int, double, bytes, array, kvlist): the
//! wire types and their conversion to attributes.

use std::borrow::Cow;

use serde::Deserialize;

use crate::base64;
use crate::context::Fault;
use crate::error::Problem;
use crate::known_keys::attribute_key;
use crate::model::{KeyValue, Value};
use crate::num::{Int, float};
use crate::text::{Text, borrowed, owned};

#[derive(Deserialize)]
#[serde(expecting = "a key-value object")]
pub(super) struct KeyValueWire<'a> {
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

pub(super) fn attributes(wires: Vec<KeyValueWire<'_>>) -> Result<Vec<KeyValue>, Fault<'_>> {
    let mut attributes = Vec::with_capacity(wires.len());
    for (i, wire) in wires.into_iter().enumerate() {
        let value = match wire.value {
            Some(value) => {
                any_value(value).map_err(|f| f.within("value").within(&format!("[{i}]")))?
            }
            None => Value::Str(Default::default()),
        };
        attributes.push(KeyValue {
            key: attribute_key(wire.key),
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
        None => Ok(Value::Str(Default::default())),
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
