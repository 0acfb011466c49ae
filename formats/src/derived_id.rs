//! Ids derived from text, for inputs whose ids are not hex (`trace-123`, `span-1`): the same
//! text always gives the same id, in every file and every run, so parents still link.
//!
//! FNV-1a (128 bits for trace ids, 64 for span ids) over the UTF-8 text: fixed, documented
//! constants, no seed. Zero, which no format allows, becomes 1.

use crate::model::{SpanId, TraceId};

const FNV128_OFFSET: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
const FNV128_PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;
const FNV64_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV64_PRIME: u64 = 0x0000_0100_0000_01b3;

/// The trace id derived from `text`.
pub(crate) fn trace_id(text: &str) -> TraceId {
    let hash = text.bytes().fold(FNV128_OFFSET, |hash, byte| {
        (hash ^ u128::from(byte)).wrapping_mul(FNV128_PRIME)
    });
    TraceId(hash.max(1))
}

/// The span id derived from `text`.
pub(crate) fn span_id(text: &str) -> SpanId {
    let hash = text.bytes().fold(FNV64_OFFSET, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(FNV64_PRIME)
    });
    SpanId(hash.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_text_gives_the_same_id_and_others_differ() {
        // The published FNV-1a test vectors: "" and "a".
        assert_eq!(span_id("a"), SpanId(0xaf63_dc4c_8601_ec8c));
        assert_eq!(trace_id(""), TraceId(FNV128_OFFSET));
        assert_eq!(span_id("span-1"), span_id("span-1"));
        assert_ne!(span_id("span-1"), span_id("span-2"));
        assert_ne!(trace_id("trace-123"), trace_id("trace-124"));
    }
}
