//! Spindle JSON's typed attributes (`{"key":…, TYPE: VALUE}`) and array items: the wire type
//! and its conversion to attributes.

use serde::Deserialize;

use crate::context::Fault;
use crate::error::Problem;
use crate::hex;
use crate::known_keys::attribute_key;
use crate::model::{KeyValue, Value};
use crate::num::float;
use crate::text::{Text, borrowed, owned};

/// An attribute (`key` set) or an array item (no `key`): exactly one typed field is set.
#[derive(Deserialize)]
#[serde(expecting = "an attribute object")]
pub(super) struct ValueWire<'a> {
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

pub(super) fn attributes(wires: Vec<ValueWire<'_>>) -> Result<Vec<KeyValue>, Fault<'_>> {
    let mut attributes = Vec::with_capacity(wires.len());
    for (i, mut wire) in wires.into_iter().enumerate() {
        let Some(key) = wire.key.take() else {
            let path = format!("[{i}]");
            return Err(Fault::bad_value(path, "an attribute needs a \"key\""));
        };
        let value = value(wire).map_err(|f| f.within(&format!("[{i}]")))?;
        attributes.push(KeyValue {
            key: attribute_key(key),
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
