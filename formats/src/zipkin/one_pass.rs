//! The common Zipkin file read in one pass: a single list of spans (or a list of lists, as the
//! Zipkin API answers), with no problem in it.
//!
//! The careful read ([`super::read`]'s fallback) first splits the input into raw values, then each
//! list into raw spans, then parses each span: three passes over every byte, so that a bad span
//! can be located and skipped. Most files have no bad span, so they are first parsed straight
//! into the model. Anything unusual (a problem of any kind, JSON Lines, an empty list) gives
//! `None` and the careful read runs instead, so warnings and errors are exactly the careful
//! read's.

use std::fmt;

use serde::Deserialize;
use serde::de::value::MapAccessDeserializer;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use super::builder::Builder;
use super::read::{SpanWire, convert};
use crate::model::TraceData;

/// The spans of `bytes` if it is one clean list of spans or of lists of spans; `None` when the
/// careful read must decide.
pub(super) fn read(bytes: &[u8]) -> Option<TraceData> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first != Some(&b'[') {
        return None;
    }
    // Checked once here, not string by string while parsing.
    let text = std::str::from_utf8(bytes).ok()?;
    let mut builder = Builder::default();
    let mut deserializer = serde_json::Deserializer::from_str(text);
    List {
        builder: &mut builder,
        nested: false,
    }
    .deserialize(&mut deserializer)
    .ok()?;
    deserializer.end().ok()?;
    (!builder.data.spans.is_empty()).then_some(builder.data)
}

/// A list whose items are spans, or (at the top only) lists of spans.
struct List<'b> {
    builder: &'b mut Builder,
    nested: bool,
}

impl<'de> DeserializeSeed<'de> for List<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for List<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of Zipkin spans")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let nested = self.nested;
        while seq
            .next_element_seed(Item {
                builder: &mut *self.builder,
                nested,
            })?
            .is_some()
        {}
        Ok(())
    }
}

/// One item of a list: a span object, or a list of spans when the list is the top one.
struct Item<'b> {
    builder: &'b mut Builder,
    nested: bool,
}

impl<'de> DeserializeSeed<'de> for Item<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Item<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Zipkin span object")
    }

    fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<(), M::Error> {
        let wire = SpanWire::deserialize(MapAccessDeserializer::new(map))?;
        let span = convert(wire, self.builder).map_err(|_| de::Error::custom("a bad span"))?;
        self.builder.data.spans.push(span);
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        if self.nested {
            return Err(de::Error::custom("a list nested too deep"));
        }
        List {
            builder: self.builder,
            nested: true,
        }
        .visit_seq(seq)
    }
}
