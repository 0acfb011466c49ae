//! Numbers as the JSON trace formats spell them: floats that may be `"NaN"` or `"Infinity"`,
//! and 64-bit integers that may be decimal strings (protobuf's JSON mapping writes them so).

use serde::de::{self, Deserializer, Visitor};

/// Reads a number, or `"NaN"`, `"Infinity"` or `"-Infinity"`.
pub(crate) fn float<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<f64>, D::Error> {
    deserializer.deserialize_any(FloatVisitor).map(Some)
}

struct FloatVisitor;

impl Visitor<'_> for FloatVisitor {
    type Value = f64;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a number, \"NaN\", \"Infinity\" or \"-Infinity\"")
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<f64, E> {
        Ok(v)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<f64, E> {
        Ok(v as f64)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<f64, E> {
        Ok(v as f64)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<f64, E> {
        match v {
            "NaN" => Ok(f64::NAN),
            "Infinity" => Ok(f64::INFINITY),
            "-Infinity" => Ok(f64::NEG_INFINITY),
            _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
        }
    }
}

/// An integer written as a JSON number or as a decimal string (`"1700000000000000000"`).
///
/// A float with no fraction is taken too, since JavaScript writers cannot tell them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Int<T>(pub T);

/// The integer types [`Int`] reads.
pub(crate) trait Integer: Sized + TryFrom<u64> + TryFrom<i64> + std::str::FromStr {
    const EXPECTING: &'static str;
}

impl Integer for u64 {
    const EXPECTING: &'static str = "an unsigned 64-bit integer (a number or a decimal string)";
}

impl Integer for i64 {
    const EXPECTING: &'static str = "a 64-bit integer (a number or a decimal string)";
}

impl Integer for u32 {
    const EXPECTING: &'static str = "an unsigned 32-bit integer";
}

impl<'de, T: Integer> serde::Deserialize<'de> for Int<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_any(IntVisitor(std::marker::PhantomData))
            .map(Int)
    }
}

struct IntVisitor<T>(std::marker::PhantomData<T>);

impl<T: Integer> Visitor<'_> for IntVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(T::EXPECTING)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
        T::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
        T::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<T, E> {
        let whole = v.fract() == 0.0 && v.abs() < 1.8e19;
        let value = if !whole {
            None
        } else if v < 0.0 {
            T::try_from(v as i64).ok()
        } else {
            T::try_from(v as u64).ok()
        };
        value.ok_or_else(|| E::invalid_value(de::Unexpected::Float(v), &self))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        v.parse()
            .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_come_as_numbers_or_strings() {
        let read = |text: &str| serde_json::from_str::<Int<i64>>(text).map(|i| i.0).ok();
        assert_eq!(read("-5"), Some(-5));
        assert_eq!(read("\"-9007199254740993\""), Some(-9_007_199_254_740_993));
        assert_eq!(read("12.0"), Some(12));
        assert_eq!(read("12.5"), None);
        assert_eq!(read("\"x\""), None);
        let unsigned = serde_json::from_str::<Int<u64>>("\"18446744073709551615\"");
        assert_eq!(unsigned.map(|i| i.0).ok(), Some(u64::MAX));
        assert!(serde_json::from_str::<Int<u32>>("4294967296").is_err());
    }
}
