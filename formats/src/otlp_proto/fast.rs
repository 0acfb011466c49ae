//! The span decoder's fast path: a well-formed `Span` message decoded straight into its slot
//! in the model, without the bookkeeping that locates problems (byte offsets, field paths,
//! typed faults). Anything it does not take as read (a wire-format problem, a wrong wire
//! type, a bad id, kind or UTF-8, a group) makes it give up, and the span is decoded again by
//! [`decode::span`](super::decode::span), which finds and reports the problem. So a span it
//! accepts is exactly the span the careful decoder gives (a property test checks both over
//! arbitrary and mutated messages), and bad input is reported exactly as before.
//!
//! Why: decoding 1M spans spent most of its time moving the careful decoder's results (a
//! field's value, `Result<Span, DecodeFault>`) through memory; this path keeps a field in
//! registers and writes the span in place.

use super::decode;
use super::wire::{FIXED32, FIXED64, FieldValue, LEN, VARINT};
use crate::known_keys::attribute_key;
use crate::model::{KeyValue, Span, SpanId, Str, TraceId, Value};

/// A read position in one message. Every method returns `None` where the careful reader would
/// fail (or where this path leaves the work to it).
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Cursor { bytes, pos: 0 }
    }

    #[inline(always)]
    fn is_done(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    #[inline(always)]
    fn varint(&mut self) -> Option<u64> {
        let byte = *self.bytes.get(self.pos)?;
        if byte < 0x80 {
            self.pos += 1;
            return Some(u64::from(byte));
        }
        self.varint_long()
    }

    /// The same arithmetic as the careful reader's: at most 10 bytes, high bits dropped.
    #[inline(never)]
    fn varint_long(&mut self) -> Option<u64> {
        let mut value: u64 = 0;
        for shift in 0..10 {
            let byte = *self.bytes.get(self.pos)?;
            self.pos += 1;
            value |= u64::from(byte & 0x7f) << (shift * 7);
            if byte < 0x80 {
                return Some(value);
            }
        }
        None
    }

    /// The next tag: field number and wire type (`None` for field 0, wire types 3 and up,
    /// and field numbers past `u32`: the careful reader's cases).
    #[inline(always)]
    fn tag(&mut self) -> Option<(u32, u8)> {
        let key = self.varint()?;
        let wire_type = (key & 7) as u8;
        let field = u32::try_from(key >> 3).ok()?;
        (field != 0 && matches!(wire_type, VARINT | FIXED64 | LEN | FIXED32))
            .then_some((field, wire_type))
    }

    #[inline(always)]
    fn len(&mut self) -> Option<&'a [u8]> {
        let declared = usize::try_from(self.varint()?).ok()?;
        let end = self.pos.checked_add(declared)?;
        let bytes = self.bytes.get(self.pos..end)?;
        self.pos = end;
        Some(bytes)
    }

    #[inline(always)]
    fn fixed<const N: usize>(&mut self) -> Option<[u8; N]> {
        let bytes = *self.bytes.get(self.pos..)?.first_chunk::<N>()?;
        self.pos += N;
        Some(bytes)
    }

    fn fixed64(&mut self) -> Option<u64> {
        self.fixed::<8>().map(u64::from_le_bytes)
    }

    fn fixed32(&mut self) -> Option<u32> {
        self.fixed::<4>().map(u32::from_le_bytes)
    }

    /// Skips the value of an unknown field.
    fn skip(&mut self, wire_type: u8) -> Option<()> {
        match wire_type {
            VARINT => self.varint().map(drop),
            FIXED64 => self.fixed::<8>().map(drop),
            LEN => self.len().map(drop),
            _ => self.fixed::<4>().map(drop),
        }
    }

    /// The value of a known field that must come with `expected`.
    #[inline(always)]
    fn expect(&self, wire_type: u8, expected: u8) -> Option<()> {
        (wire_type == expected).then_some(())
    }
}

fn text(bytes: &[u8]) -> Option<&str> {
    std::str::from_utf8(bytes).ok()
}

fn owned(bytes: &[u8]) -> Option<Str> {
    text(bytes).map(Str::new)
}

/// Decodes a `Span` message into `span` (a default span); false if the careful decoder must
/// do it. Attributes are gathered in `scratch` and moved into a vector of their exact size.
pub(crate) fn span_into(bytes: &[u8], span: &mut Span, scratch: &mut Vec<KeyValue>) -> bool {
    scratch.clear();
    let ok = fields(bytes, span, scratch).is_some();
    if ok {
        span.attributes = Vec::with_capacity(scratch.len());
        span.attributes.append(scratch);
    }
    ok
}

fn fields(bytes: &[u8], span: &mut Span, scratch: &mut Vec<KeyValue>) -> Option<()> {
    let mut cursor = Cursor::new(bytes);
    let (mut trace_id, mut span_id): (&[u8], &[u8]) = (&[], &[]);
    while !cursor.is_done() {
        let (field, wire_type) = cursor.tag()?;
        match field {
            1 | 2 | 3 | 4 | 5 | 9 | 11 | 13 | 15 => {
                cursor.expect(wire_type, LEN)?;
                let value = cursor.len()?;
                match field {
                    1 => trace_id = value,
                    2 => span_id = value,
                    3 => span.trace_state = owned(value)?,
                    4 => span.parent_span_id = parent_id(value)?,
                    5 => span.name = owned(value)?,
                    9 => scratch.push(key_value(value)?),
                    11 => span.events.push(decode::event(whole(value), 0).ok()?),
                    13 => span.links.push(decode::link(whole(value), 0).ok()?),
                    _ => span.status = decode::status(whole(value), 0).ok()?,
                }
            }
            6 | 10 | 12 | 14 => {
                cursor.expect(wire_type, VARINT)?;
                let value = cursor.varint()?;
                match field {
                    6 => span.kind = decode::span_kind(value)?,
                    10 => span.dropped_attributes_count = value as u32,
                    12 => span.dropped_events_count = value as u32,
                    _ => span.dropped_links_count = value as u32,
                }
            }
            7 | 8 => {
                cursor.expect(wire_type, FIXED64)?;
                let value = cursor.fixed64()?;
                match field {
                    7 => span.start_unix_nanos = value,
                    _ => span.end_unix_nanos = value,
                }
            }
            16 => {
                cursor.expect(wire_type, FIXED32)?;
                span.flags = cursor.fixed32()?;
            }
            _ => cursor.skip(wire_type)?,
        }
    }
    span.trace_id = TraceId(nonzero(u128::from_be_bytes(trace_id.try_into().ok()?))?);
    span.span_id = SpanId(nonzero(u64::from_be_bytes(span_id.try_into().ok()?))?);
    Some(())
}

/// A length-delimited value as the careful decoder takes it (offsets only matter in faults,
/// and a fault sends the span to the careful decoder anyway).
fn whole(bytes: &[u8]) -> FieldValue<'_> {
    FieldValue::Len(bytes, 0)
}

fn nonzero<T: PartialEq + Default>(id: T) -> Option<T> {
    (id != T::default()).then_some(id)
}

fn parent_id(bytes: &[u8]) -> Option<Option<SpanId>> {
    if bytes.iter().all(|b| *b == 0) {
        return Some(None);
    }
    let id: [u8; 8] = bytes.try_into().ok()?;
    Some(Some(SpanId(u64::from_be_bytes(id))))
}

/// A `KeyValue` of a span's attributes (depth 0).
fn key_value(bytes: &[u8]) -> Option<KeyValue> {
    let mut cursor = Cursor::new(bytes);
    let mut key = Str::default();
    let mut value = None;
    while !cursor.is_done() {
        let (field, wire_type) = cursor.tag()?;
        match field {
            1 => {
                cursor.expect(wire_type, LEN)?;
                key = attribute_key(text(cursor.len()?)?);
            }
            2 => {
                cursor.expect(wire_type, LEN)?;
                value = Some(any_value(cursor.len()?)?);
            }
            _ => cursor.skip(wire_type)?,
        }
    }
    Some(KeyValue {
        key,
        value: value.unwrap_or(Value::Str(Str::default())),
    })
}

/// An `AnyValue` of the scalar kinds; arrays, key-value lists and bytes go to the careful
/// decoder (at depth 0, as a span's attribute value is there).
fn any_value(bytes: &[u8]) -> Option<Value> {
    let mut cursor = Cursor::new(bytes);
    let mut out = Value::Str(Str::default());
    while !cursor.is_done() {
        let (field, wire_type) = cursor.tag()?;
        out = match field {
            1 => {
                cursor.expect(wire_type, LEN)?;
                Value::Str(owned(cursor.len()?)?)
            }
            2 | 3 => {
                cursor.expect(wire_type, VARINT)?;
                let number = cursor.varint()?;
                match field {
                    2 => Value::Bool(number != 0),
                    _ => Value::I64(number as i64),
                }
            }
            4 => {
                cursor.expect(wire_type, FIXED64)?;
                Value::F64(f64::from_bits(cursor.fixed64()?))
            }
            5..=7 => return decode::any_value(2, whole(bytes), 0, 0).ok(),
            _ => {
                cursor.skip(wire_type)?;
                continue;
            }
        };
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::arbitrary;
    use crate::otlp_proto::write::put_span;

    /// A span as the writer encodes it, with the fields the arbitrary model leaves at their
    /// defaults set too.
    fn encoded() -> impl Strategy<Value = Vec<u8>> {
        let extra = (any::<u32>(), any::<u32>(), "[a-z=,]{0,12}");
        (arbitrary::span(0, 0), extra).prop_map(|(mut span, (flags, dropped, state))| {
            span.flags = flags;
            span.dropped_attributes_count = dropped;
            span.dropped_links_count = dropped / 2;
            span.trace_state = state.into();
            let mut bytes = Vec::new();
            put_span(&mut bytes, &span);
            bytes
        })
    }

    /// An unknown field of each wire type (a varint, 8 bytes, a length, 4 bytes, a group).
    fn unknown_field() -> impl Strategy<Value = Vec<u8>> {
        prop::sample::select(vec![
            vec![0xb8, 0x06, 0x96, 0x01],
            vec![0xb9, 0x06, 1, 2, 3, 4, 5, 6, 7, 8],
            vec![0xba, 0x06, 2, b'h', b'i'],
            vec![0xbd, 0x06, 1, 2, 3, 4],
            vec![0xbb, 0x06, 0xbc, 0x06],
        ])
    }

    /// Whenever the fast path takes a span, the careful decoder gives the same span.
    fn agree(bytes: &[u8]) -> Result<bool, TestCaseError> {
        let (mut fast, mut scratch) = (Span::default(), Vec::new());
        let taken = span_into(bytes, &mut fast, &mut scratch);
        let careful = decode::span(bytes, 0, &mut scratch);
        if taken {
            // Compared as text: a NaN attribute is not equal to itself.
            prop_assert_eq!(format!("{careful:?}"), format!("{:?}", Ok::<_, ()>(fast)));
        }
        Ok(taken)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn well_formed_spans_take_the_fast_path(bytes in encoded(), unknown in unknown_field(), at in any::<prop::sample::Index>()) {
            prop_assert!(agree(&bytes)?, "the fast path refused a well-formed span");
            // An unknown field between two fields: a group goes the careful way, the rest not.
            let mut reader = crate::otlp_proto::wire::Reader::new(&bytes, 0);
            let mut ends = vec![0];
            while let Ok(Some(_)) = reader.field() {
                ends.push(reader.position());
            }
            let cut = ends[at.index(ends.len())];
            let mut with = bytes[..cut].to_vec();
            with.extend_from_slice(&unknown);
            with.extend_from_slice(&bytes[cut..]);
            let is_group = unknown[0] & 7 == 3;
            prop_assert_eq!(agree(&with)?, !is_group);
        }

        #[test]
        fn damaged_spans_decode_as_the_careful_decoder_does(bytes in encoded().prop_flat_map(arbitrary::damaged)) {
            agree(&bytes)?;
        }

        #[test]
        fn arbitrary_bytes_decode_as_the_careful_decoder_does(bytes in prop::collection::vec(any::<u8>(), 0..160)) {
            agree(&bytes)?;
        }
    }
}
