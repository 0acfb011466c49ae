//! The protobuf wire format, as far as OTLP needs it: varints, fixed 32/64-bit values and
//! length-delimited fields in, and the same out. Every read is bounds-checked and says at which
//! byte it failed; nothing here panics on any input.

use std::fmt;

/// Wire type 0: varint (`int32`, `int64`, `uint32`, `bool`, enums).
pub const VARINT: u8 = 0;
/// Wire type 1: 8 bytes little-endian (`fixed64`, `double`).
pub const FIXED64: u8 = 1;
/// Wire type 2: a varint length, then that many bytes (`string`, `bytes`, messages).
pub const LEN: u8 = 2;
/// Wire type 3: start of a group (proto2, deprecated; skipped).
const START_GROUP: u8 = 3;
/// Wire type 4: end of a group.
const END_GROUP: u8 = 4;
/// Wire type 5: 4 bytes little-endian (`fixed32`, `float`).
pub const FIXED32: u8 = 5;

/// How deep groups may nest while being skipped (protobuf's own default recursion limit).
const MAX_GROUP_DEPTH: usize = 100;

/// What is wrong with the bytes at a place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WireProblem {
    /// The bytes end inside a varint.
    TruncatedVarint,
    /// A varint longer than 10 bytes.
    VarintTooLong,
    /// The bytes end inside a fixed-width value.
    TruncatedFixed { width: usize, left: usize },
    /// A length-delimited field declares more bytes than its message has left.
    Cut { declared: u64, left: usize },
    /// A tag with wire type 6 or 7, which protobuf does not define.
    BadWireType { wire_type: u8 },
    /// A tag with field number 0.
    FieldZero,
    /// A known field with a wire type its declaration does not allow.
    WrongWireType { field: u32, expected: u8, found: u8 },
    /// A group that is not closed, closed by the wrong number, or nested too deep.
    BadGroup,
}

impl fmt::Display for WireProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WireProblem::TruncatedVarint => f.write_str("truncated varint"),
            WireProblem::VarintTooLong => f.write_str("varint longer than 10 bytes"),
            WireProblem::TruncatedFixed { width, left } => write!(
                f,
                "truncated {}-bit value ({width} bytes needed, {left} left)",
                width * 8
            ),
            WireProblem::Cut { declared, left } => write!(
                f,
                "length {declared} runs past the end of the message ({left} bytes left): \
                 the input is cut short or corrupt"
            ),
            WireProblem::BadWireType { wire_type } => {
                write!(f, "wire type {wire_type} is not a protobuf wire type")
            }
            WireProblem::FieldZero => f.write_str("field number 0 is not allowed"),
            WireProblem::WrongWireType {
                field,
                expected,
                found,
            } => write!(
                f,
                "field {field} has wire type {found}, its declaration needs wire type {expected}"
            ),
            WireProblem::BadGroup => f.write_str("malformed or too deeply nested group"),
        }
    }
}

/// A wire problem at an absolute byte offset of the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WireError {
    pub at: usize,
    pub problem: WireProblem,
}

/// A field's value as read from the wire (before the field's declared type is applied).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FieldValue<'a> {
    Varint(u64),
    Fixed64(u64),
    Fixed32(u32),
    /// The bytes and the absolute offset where they start.
    Len(&'a [u8], usize),
    /// A group, skipped whole (unknown fields only).
    Group,
}

impl FieldValue<'_> {
    /// The wire type the value came with.
    pub fn wire_type(&self) -> u8 {
        match self {
            FieldValue::Varint(_) => VARINT,
            FieldValue::Fixed64(_) => FIXED64,
            FieldValue::Fixed32(_) => FIXED32,
            FieldValue::Len(..) => LEN,
            FieldValue::Group => START_GROUP,
        }
    }
}

/// A read position in one message: the bytes of the message and the absolute offset of its
/// first byte in the whole input (for error locations).
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    base: usize,
    /// Where the last field read by [`Reader::field`] starts.
    field_start: usize,
}

impl<'a> Reader<'a> {
    /// A reader over a message whose first byte is at `base` in the input.
    pub fn new(bytes: &'a [u8], base: usize) -> Self {
        Reader {
            bytes,
            pos: 0,
            base,
            field_start: 0,
        }
    }

    /// The absolute offset of the tag of the last field read.
    pub fn field_at(&self) -> usize {
        self.base + self.field_start
    }

    /// Where the next field starts, in the message.
    #[cfg(test)]
    pub fn position(&self) -> usize {
        self.pos
    }

    /// True when the whole message has been read.
    pub fn is_done(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    fn error(&self, at: usize, problem: WireProblem) -> WireError {
        WireError {
            at: self.base + at,
            problem,
        }
    }

    /// Reads one varint. Tags, lengths and small numbers are one byte: that case is read
    /// without the loop.
    #[inline]
    pub fn varint(&mut self) -> Result<u64, WireError> {
        match self.bytes.get(self.pos) {
            Some(&byte) if byte < 0x80 => {
                self.pos += 1;
                Ok(u64::from(byte))
            }
            _ => self.varint_slow(),
        }
    }

    /// [`Reader::varint`] for a value of more than one byte (or none left).
    #[inline(never)]
    fn varint_slow(&mut self) -> Result<u64, WireError> {
        let start = self.pos;
        let mut value: u64 = 0;
        for shift in 0..10 {
            let Some(&byte) = self.bytes.get(self.pos) else {
                return Err(self.error(start, WireProblem::TruncatedVarint));
            };
            self.pos += 1;
            value |= u64::from(byte & 0x7f) << (shift * 7);
            if byte < 0x80 {
                return Ok(value);
            }
        }
        Err(self.error(start, WireProblem::VarintTooLong))
    }

    #[inline]
    fn fixed<const N: usize>(&mut self) -> Result<[u8; N], WireError> {
        match self
            .bytes
            .get(self.pos..)
            .and_then(|rest| rest.first_chunk::<N>())
        {
            Some(bytes) => {
                self.pos += N;
                Ok(*bytes)
            }
            None => {
                let left = self.bytes.len().saturating_sub(self.pos);
                Err(self.error(self.pos, WireProblem::TruncatedFixed { width: N, left }))
            }
        }
    }

    /// Reads a length and that many bytes. A length past the end is [`WireProblem::Cut`].
    #[inline]
    fn len_delimited(&mut self) -> Result<(&'a [u8], usize), WireError> {
        let at = self.pos;
        let declared = self.varint()?;
        let start = self.pos;
        let end = usize::try_from(declared)
            .ok()
            .and_then(|len| start.checked_add(len));
        match end.and_then(|end| self.bytes.get(start..end).map(|bytes| (bytes, end))) {
            Some((bytes, end)) => {
                self.pos = end;
                Ok((bytes, self.base + start))
            }
            None => {
                let left = self.bytes.len().saturating_sub(start);
                Err(self.error(at, WireProblem::Cut { declared, left }))
            }
        }
    }

    /// The next field if it is the length-delimited field `number` (below 16, so its tag is
    /// one byte) and complete: its bytes and where they start. Anything else (another field,
    /// a cut, a bad length) leaves the reader where it was, for [`Reader::field_or_cut`].
    #[inline]
    pub fn next_len(&mut self, number: u8) -> Option<(&'a [u8], usize)> {
        debug_assert!(number < 16);
        if self.bytes.get(self.pos) != Some(&(number << 3 | LEN)) {
            return None;
        }
        let (at, mut after) = (self.pos, self.clone());
        after.pos += 1;
        let (bytes, start) = after.len_delimited().ok()?;
        (*self, self.field_start) = (after, at);
        Some((bytes, start))
    }

    /// Reads the next tag: the field number and the wire type.
    #[inline]
    pub fn tag(&mut self) -> Result<(u32, u8), WireError> {
        let at = self.pos;
        let key = self.varint()?;
        let wire_type = (key & 7) as u8;
        let field = u32::try_from(key >> 3).unwrap_or(u32::MAX);
        if field != 0 && wire_type <= FIXED32 {
            return Ok((field, wire_type));
        }
        if field == 0 {
            return Err(self.error(at, WireProblem::FieldZero));
        }
        if wire_type > FIXED32 {
            return Err(self.error(at, WireProblem::BadWireType { wire_type }));
        }
        Ok((field, wire_type))
    }

    /// Reads the next field: its number and value. `None` at the end of the message.
    #[inline]
    pub fn field(&mut self) -> Result<Option<(u32, FieldValue<'a>)>, WireError> {
        if self.is_done() {
            return Ok(None);
        }
        let at = self.pos;
        self.field_start = at;
        let (field, wire_type) = self.tag()?;
        let value = match wire_type {
            VARINT => FieldValue::Varint(self.varint()?),
            FIXED64 => FieldValue::Fixed64(u64::from_le_bytes(self.fixed()?)),
            LEN => {
                let (bytes, start) = self.len_delimited()?;
                FieldValue::Len(bytes, start)
            }
            FIXED32 => FieldValue::Fixed32(u32::from_le_bytes(self.fixed()?)),
            START_GROUP => {
                self.skip_group(field, 0)?;
                FieldValue::Group
            }
            _ => return Err(self.error(at, WireProblem::BadGroup)),
        };
        Ok(Some((field, value)))
    }

    /// Like [`Reader::field`], but a length-delimited value that runs past the end of the
    /// message comes back clamped to the bytes there are, with the [`WireProblem::Cut`] error
    /// beside it: containers read what a cut-off input still holds.
    pub fn field_or_cut(
        &mut self,
    ) -> Result<Option<(u32, FieldValue<'a>, Option<WireError>)>, WireError> {
        let start = self.pos;
        match self.field() {
            Ok(field) => Ok(field.map(|(number, value)| (number, value, None))),
            Err(error) if matches!(error.problem, WireProblem::Cut { .. }) => {
                self.pos = start;
                let (number, _) = self.tag()?;
                self.varint()?;
                let at = self.pos;
                self.pos = self.bytes.len();
                let rest = self.bytes.get(at..).unwrap_or_default();
                Ok(Some((
                    number,
                    FieldValue::Len(rest, self.base + at),
                    Some(error),
                )))
            }
            Err(error) => Err(error),
        }
    }

    /// Skips a group's fields up to its end tag (the start tag has been read).
    fn skip_group(&mut self, number: u32, depth: usize) -> Result<(), WireError> {
        let start = self.pos;
        if depth >= MAX_GROUP_DEPTH {
            return Err(self.error(start, WireProblem::BadGroup));
        }
        loop {
            if self.is_done() {
                return Err(self.error(start, WireProblem::BadGroup));
            }
            let at = self.pos;
            let key = self.varint()?;
            let wire_type = (key & 7) as u8;
            let field = u32::try_from(key >> 3).unwrap_or(u32::MAX);
            match wire_type {
                VARINT => {
                    self.varint()?;
                }
                FIXED64 => {
                    self.fixed::<8>()?;
                }
                LEN => {
                    self.len_delimited()?;
                }
                FIXED32 => {
                    self.fixed::<4>()?;
                }
                START_GROUP => self.skip_group(field, depth + 1)?,
                END_GROUP if field == number => return Ok(()),
                END_GROUP => return Err(self.error(at, WireProblem::BadGroup)),
                wire_type => return Err(self.error(at, WireProblem::BadWireType { wire_type })),
            }
        }
    }
}

/// The error for a known field that came with the wrong wire type.
pub fn wrong_type(field: u32, expected: u8, found: &FieldValue<'_>, at: usize) -> WireError {
    WireError {
        at,
        problem: WireProblem::WrongWireType {
            field,
            expected,
            found: found.wire_type(),
        },
    }
}

// ---------------------------------------------------------------------------------------------
// Writing

/// How many bytes `value` takes as a varint.
#[inline]
pub fn varint_len(value: u64) -> usize {
    // 1 byte per 7 bits, at least one.
    (64 - (value | 1).leading_zeros() as usize).div_ceil(7)
}

/// Appends `value` as a varint.
#[inline]
pub fn put_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// The bytes of a tag: field number and wire type (all OTLP field numbers fit in 2 bytes).
#[inline]
pub fn put_tag(out: &mut Vec<u8>, field: u32, wire_type: u8) {
    put_varint(out, (u64::from(field) << 3) | u64::from(wire_type));
}

/// How many bytes a tag takes.
#[inline]
pub fn tag_len(field: u32) -> usize {
    varint_len(u64::from(field) << 3)
}

/// How many bytes a length-delimited field of `len` body bytes takes, tag included.
#[inline]
pub fn len_field_len(field: u32, len: usize) -> usize {
    tag_len(field) + varint_len(len as u64) + len
}

/// Appends a length-delimited field: tag, length, bytes.
#[inline]
pub fn put_bytes(out: &mut Vec<u8>, field: u32, bytes: &[u8]) {
    put_tag(out, field, LEN);
    put_varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

/// Appends the tag and length of a nested message whose body follows.
#[inline]
pub fn put_message_header(out: &mut Vec<u8>, field: u32, len: usize) {
    put_tag(out, field, LEN);
    put_varint(out, len as u64);
}

/// Appends a `fixed64` field.
#[inline]
pub fn put_fixed64(out: &mut Vec<u8>, field: u32, value: u64) {
    put_tag(out, field, FIXED64);
    out.extend_from_slice(&value.to_le_bytes());
}

/// Appends a `fixed32` field.
#[inline]
pub fn put_fixed32(out: &mut Vec<u8>, field: u32, value: u32) {
    put_tag(out, field, FIXED32);
    out.extend_from_slice(&value.to_le_bytes());
}

/// Appends a varint field.
#[inline]
pub fn put_varint_field(out: &mut Vec<u8>, field: u32, value: u64) {
    put_tag(out, field, VARINT);
    put_varint(out, value);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_round_trip_and_have_their_length() {
        for value in [
            0,
            1,
            127,
            128,
            300,
            16_383,
            16_384,
            u64::from(u32::MAX),
            u64::MAX,
        ] {
            let mut out = Vec::new();
            put_varint(&mut out, value);
            assert_eq!(out.len(), varint_len(value), "{value}");
            assert_eq!(Reader::new(&out, 0).varint(), Ok(value));
        }
        let mut out = Vec::new();
        put_varint(&mut out, 300);
        assert_eq!(out, [0xac, 0x02]);
    }

    #[test]
    fn bad_bytes_are_located() {
        let mut reader = Reader::new(&[0x08, 0x96], 100);
        assert_eq!(
            reader.field(),
            Err(WireError {
                at: 101,
                problem: WireProblem::TruncatedVarint
            })
        );
        let mut reader = Reader::new(&[0x0a, 0x05, 1, 2], 0);
        assert_eq!(
            reader.field(),
            Err(WireError {
                at: 1,
                problem: WireProblem::Cut {
                    declared: 5,
                    left: 2
                }
            })
        );
        assert_eq!(
            Reader::new(&[0x0f], 0).field().map_err(|e| e.problem),
            Err(WireProblem::BadWireType { wire_type: 7 })
        );
        assert_eq!(
            Reader::new(&[0x00], 0).field().map_err(|e| e.problem),
            Err(WireProblem::FieldZero)
        );
        assert_eq!(
            Reader::new(&[0xff; 11], 0).varint().map_err(|e| e.problem),
            Err(WireProblem::VarintTooLong)
        );
    }

    #[test]
    fn groups_are_skipped_and_checked() {
        // field 5 group { field 1 varint 3 } then field 2 varint 1
        let bytes = [0x2b, 0x08, 0x03, 0x2c, 0x10, 0x01];
        let mut reader = Reader::new(&bytes, 0);
        assert_eq!(reader.field(), Ok(Some((5, FieldValue::Group))));
        assert_eq!(reader.field(), Ok(Some((2, FieldValue::Varint(1)))));
        assert_eq!(reader.field(), Ok(None));
        // closed by the wrong number
        let bytes = [0x2b, 0x08, 0x03, 0x34];
        assert_eq!(
            Reader::new(&bytes, 0).field().map_err(|e| e.problem),
            Err(WireProblem::BadGroup)
        );
        // a lone end-group tag
        assert_eq!(
            Reader::new(&[0x2c], 0).field().map_err(|e| e.problem),
            Err(WireProblem::BadGroup)
        );
    }
}
