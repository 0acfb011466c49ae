//! `ExportTraceServiceResponse`: what an OTLP receiver answers, with its `partial_success`
//! (how many spans it rejected, and why). Exporters decode it; receivers encode it.

use std::fmt;

use super::wire::{
    FieldValue, Reader, WireError, len_field_len, put_bytes, put_message_header, put_varint_field,
    varint_len,
};

/// The `partial_success` of an `ExportTraceServiceResponse`. All zero and empty: full success.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PartialSuccess {
    /// Spans the receiver rejected (zero when it accepted them all).
    pub rejected_spans: i64,
    /// Why, in the receiver's words (may be set with zero rejected spans, as a warning).
    pub error_message: String,
}

/// The body of an `ExportTraceServiceResponse`; empty when `partial` is a full success.
///
/// ```
/// use spindle_formats::otlp_proto::{PartialSuccess, decode_response, encode_response};
/// let partial = PartialSuccess { rejected_spans: 3, error_message: "too old".into() };
/// assert_eq!(decode_response(&encode_response(&partial)).unwrap(), partial);
/// assert!(encode_response(&PartialSuccess::default()).is_empty());
/// ```
pub fn encode_response(partial: &PartialSuccess) -> Vec<u8> {
    if *partial == PartialSuccess::default() {
        return Vec::new();
    }
    let rejected = partial.rejected_spans as u64;
    let rejected_len = if rejected == 0 {
        0
    } else {
        1 + varint_len(rejected)
    };
    let message = partial.error_message.as_bytes();
    let message_len = if message.is_empty() {
        0
    } else {
        len_field_len(2, message.len())
    };
    let mut out = Vec::with_capacity(len_field_len(1, rejected_len + message_len));
    put_message_header(&mut out, 1, rejected_len + message_len);
    if rejected != 0 {
        put_varint_field(&mut out, 1, rejected);
    }
    if !message.is_empty() {
        put_bytes(&mut out, 2, message);
    }
    out
}

/// Why a response body could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseError {
    /// The byte offset of the problem in the body.
    pub byte: usize,
    /// What is wrong with the body.
    pub message: String,
}

impl fmt::Display for ResponseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid ExportTraceServiceResponse at byte {}: {}",
            self.byte, self.message
        )
    }
}

impl std::error::Error for ResponseError {}

impl From<WireError> for ResponseError {
    fn from(error: WireError) -> Self {
        ResponseError {
            byte: error.at,
            message: error.problem.to_string(),
        }
    }
}

/// Reads the `partial_success` of an `ExportTraceServiceResponse` body (an empty body is a
/// full success). Unknown fields are skipped.
pub fn decode_response(bytes: &[u8]) -> Result<PartialSuccess, ResponseError> {
    let mut partial = PartialSuccess::default();
    let mut reader = Reader::new(bytes, 0);
    while let Some((field, value)) = reader.field()? {
        if let (1, FieldValue::Len(body, base)) = (field, value) {
            read_partial(&mut partial, body, base)?;
        }
    }
    Ok(partial)
}

fn read_partial(
    partial: &mut PartialSuccess,
    body: &[u8],
    base: usize,
) -> Result<(), ResponseError> {
    let mut reader = Reader::new(body, base);
    while let Some((field, value)) = reader.field()? {
        match (field, value) {
            (1, FieldValue::Varint(n)) => partial.rejected_spans = n as i64,
            (2, FieldValue::Len(text, start)) => {
                partial.error_message = std::str::from_utf8(text)
                    .map_err(|e| ResponseError {
                        byte: start + e.valid_up_to(),
                        message: "invalid UTF-8 in error_message".into(),
                    })?
                    .to_owned();
            }
            _ => {}
        }
    }
    Ok(())
}
