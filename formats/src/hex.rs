//! Lowercase hex for ids and bytes, without allocating for ids.

use serde::{Serialize, Serializer};

use crate::model::{SpanId, TraceId};

const DIGITS: &[u8; 16] = b"0123456789abcdef";

/// A fixed-size hex rendering that serializes as a JSON string.
#[derive(Debug, Clone, Copy)]
pub(crate) struct HexId<const N: usize>([u8; N]);

impl<const N: usize> HexId<N> {
    fn of(value: u128) -> Self {
        let mut out = [b'0'; N];
        for (i, slot) in out.iter_mut().rev().enumerate() {
            let nibble = (value >> (4 * i)) & 0xf;
            *slot = DIGITS.get(nibble as usize).copied().unwrap_or(b'0');
        }
        HexId(out)
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

/// The 32 lowercase hex digits of a trace id.
pub(crate) fn trace_id_hex(id: TraceId) -> HexId<32> {
    HexId::of(id.0)
}

/// The 16 lowercase hex digits of a span id.
pub(crate) fn span_id_hex(id: SpanId) -> HexId<16> {
    HexId::of(u128::from(id.0))
}

impl<const N: usize> Serialize for HexId<N> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Appends the 32 lowercase hex digits of a trace id.
pub(crate) fn push_trace_id(out: &mut Vec<u8>, id: TraceId) {
    push_hex(out, &id.to_bytes());
}

/// Appends the 16 lowercase hex digits of a span id.
pub(crate) fn push_span_id(out: &mut Vec<u8>, id: SpanId) {
    push_hex(out, &id.to_bytes());
}

/// Appends bytes as lowercase hex digits.
pub(crate) fn push_hex(out: &mut Vec<u8>, bytes: &[u8]) {
    for byte in bytes {
        out.extend_from_slice(&[
            DIGITS[usize::from(byte >> 4)],
            DIGITS[usize::from(byte & 0xf)],
        ]);
    }
}

/// Bytes as lowercase hex text.
pub(crate) fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0xf)]));
    }
    out
}

/// Hex text (either case) as bytes; `None` for an odd length or a non-hex character.
pub(crate) fn decode(text: &str) -> Option<Vec<u8>> {
    let digits = text.as_bytes();
    if digits.len() % 2 != 0 {
        return None;
    }
    digits
        .chunks_exact(2)
        .map(|pair| Some(nibble(pair[0])? << 4 | nibble(pair[1])?))
        .collect()
}

fn nibble(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_ids_and_bytes() {
        assert_eq!(
            trace_id_hex(TraceId(0xab)).as_str(),
            "000000000000000000000000000000ab"
        );
        assert_eq!(span_id_hex(SpanId(u64::MAX)).as_str(), "ffffffffffffffff");
        assert_eq!(encode(&[0, 0xfe]), "00fe");
        assert_eq!(decode("00FE"), Some(vec![0, 0xfe]));
        assert_eq!(decode("0"), None);
        assert_eq!(decode("zz"), None);
        let mut out = Vec::new();
        push_trace_id(&mut out, TraceId(0xab));
        push_span_id(&mut out, SpanId(u64::MAX));
        assert_eq!(out, b"000000000000000000000000000000abffffffffffffffff");
    }
}
