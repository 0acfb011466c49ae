//! `google.rpc.Status`: the body an OTLP/HTTP receiver answers an error with (`code`, a gRPC
//! status code, and a `message` for the sender; `details` is not written).

use super::wire::{len_field_len, put_bytes, put_varint_field};

/// The protobuf body of a `google.rpc.Status` with `code` and `message`.
///
/// ```
/// use spindle_formats::otlp_proto::encode_status;
/// // code = 3 (INVALID_ARGUMENT), message = "bad"
/// assert_eq!(encode_status(3, "bad"), [0x08, 3, 0x12, 3, b'b', b'a', b'd']);
/// assert!(encode_status(0, "").is_empty());
/// ```
pub fn encode_status(code: i32, message: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(11 + len_field_len(2, message.len()));
    if code != 0 {
        // int32: negative values are sign-extended to ten bytes, as protobuf writes them.
        put_varint_field(&mut out, 1, i64::from(code) as u64);
    }
    if !message.is_empty() {
        put_bytes(&mut out, 2, message.as_bytes());
    }
    out
}
