//! Typed attribute values and the key-value pairs that hold them.

use std::fmt;

use super::Str;

/// A typed attribute value: every kind OTLP's `AnyValue` carries.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Text.
    Str(Str),
    /// True or false.
    Bool(bool),
    /// A signed 64-bit integer.
    I64(i64),
    /// A 64-bit float (may be NaN or infinite).
    F64(f64),
    /// Raw bytes.
    Bytes(Vec<u8>),
    /// A list of values (of any kinds).
    Array(Vec<Value>),
    /// Named values, in order (OTLP's `kvlistValue`).
    Map(Vec<KeyValue>),
}

impl fmt::Display for Value {
    /// Plain text: strings unquoted, arrays and maps as JSON-like text.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Str(s) => f.write_str(s),
            Value::Bool(b) => write!(f, "{b}"),
            Value::I64(i) => write!(f, "{i}"),
            Value::F64(x) => write!(f, "{x}"),
            Value::Bytes(bytes) => bytes.iter().try_for_each(|b| write!(f, "{b:02x}")),
            Value::Array(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    item.fmt_quoted(f)?;
                }
                f.write_str("]")
            }
            Value::Map(entries) => {
                f.write_str("{")?;
                for (i, kv) in entries.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{:?}:", kv.key.as_ref())?;
                    kv.value.fmt_quoted(f)?;
                }
                f.write_str("}")
            }
        }
    }
}

impl Value {
    /// Like `Display`, but strings are JSON-quoted (used inside arrays and maps).
    fn fmt_quoted(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Str(s) => write!(f, "{}", serde_json::Value::String(s.to_string())),
            Value::Bytes(_) => write!(f, "\"{self}\""),
            other => write!(f, "{other}"),
        }
    }

    /// The string inside a [`Value::Str`].
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }
}

macro_rules! value_from {
    ($($t:ty => $variant:ident $(as $cast:ty)?),* $(,)?) => {$(
        impl From<$t> for Value {
            fn from(v: $t) -> Self {
                Value::$variant(v $(as $cast)?)
            }
        }
    )*};
}

value_from!(
    bool => Bool,
    i64 => I64,
    i32 => I64 as i64,
    i16 => I64 as i64,
    i8 => I64 as i64,
    u32 => I64 as i64,
    u16 => I64 as i64,
    u8 => I64 as i64,
    f64 => F64,
    f32 => F64 as f64,
);

/// Unsigned values above `i64::MAX` saturate (attribute integers are signed 64-bit everywhere).
impl From<u64> for Value {
    fn from(v: u64) -> Self {
        Value::I64(i64::try_from(v).unwrap_or(i64::MAX))
    }
}

/// Sizes above `i64::MAX` saturate.
impl From<usize> for Value {
    fn from(v: usize) -> Self {
        Value::I64(i64::try_from(v).unwrap_or(i64::MAX))
    }
}

impl From<&'static str> for Value {
    fn from(v: &'static str) -> Self {
        Value::Str(Str::from(v))
    }
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Str(Str::from(v))
    }
}

impl From<Str> for Value {
    fn from(v: Str) -> Self {
        Value::Str(v)
    }
}

impl<T: Into<Value>> From<Vec<T>> for Value {
    fn from(v: Vec<T>) -> Self {
        Value::Array(v.into_iter().map(Into::into).collect())
    }
}

/// A named attribute.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyValue {
    /// The attribute's name, such as `http.request.method`.
    pub key: Str,
    /// Its value.
    pub value: Value,
}

impl KeyValue {
    /// Builds a key-value from anything string-like and anything value-like.
    pub fn new(key: impl Into<Str>, value: impl Into<Value>) -> Self {
        KeyValue {
            key: key.into(),
            value: value.into(),
        }
    }
}

/// Finds the value of `key` in an attribute list (the last one wins, as in OTLP).
pub fn find_attribute<'a>(attributes: &'a [KeyValue], key: &str) -> Option<&'a Value> {
    attributes
        .iter()
        .rev()
        .find(|kv| kv.key == key)
        .map(|kv| &kv.value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_display_as_plain_text() {
        assert_eq!(Value::from(vec!["a", "b"]).to_string(), r#"["a","b"]"#);
        assert_eq!(Value::from(vec![1i64, 2]).to_string(), "[1,2]");
        assert_eq!(Value::from(true).to_string(), "true");
    }
}
