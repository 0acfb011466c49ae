//! `ExportTraceServiceResponse` in OTLP/JSON: what an OTLP/HTTP JSON receiver answers, with its
//! `partialSuccess`. The same [`PartialSuccess`] as the protobuf codec's; exporters decode it,
//! receivers (and tests) encode it.

use serde::{Deserialize, Serialize};

use crate::context::offset_in;
use crate::otlp_proto::{PartialSuccess, ResponseError};

/// The body of an `ExportTraceServiceResponse`: `{}` for a full success, else
/// `{"partialSuccess":{"rejectedSpans":"3","errorMessage":"..."}}` (int64 as a string, as
/// the JSON mapping writes it).
///
/// ```
/// use spindle_formats::otlp_json::{decode_response, encode_response};
/// use spindle_formats::otlp_proto::PartialSuccess;
/// let partial = PartialSuccess { rejected_spans: 3, error_message: "too old".into() };
/// assert_eq!(decode_response(&encode_response(&partial)).unwrap(), partial);
/// assert_eq!(encode_response(&PartialSuccess::default()), b"{}");
/// ```
pub fn encode_response(partial: &PartialSuccess) -> Vec<u8> {
    if *partial == PartialSuccess::default() {
        return b"{}".to_vec();
    }
    let body = ResponseOut {
        partial_success: PartialOut {
            rejected_spans: (partial.rejected_spans != 0)
                .then(|| partial.rejected_spans.to_string()),
            error_message: (!partial.error_message.is_empty()).then_some(&*partial.error_message),
        },
    };
    serde_json::to_vec(&body).unwrap_or_default()
}

/// Reads the `partialSuccess` of an `ExportTraceServiceResponse` JSON body. An empty body or
/// one without `partialSuccess` is a full success; `rejectedSpans` is read from a string or a
/// number, and the field names in either lowerCamelCase or the proto's snake_case. Unknown
/// fields are ignored. An error gives the byte offset.
pub fn decode_response(bytes: &[u8]) -> Result<PartialSuccess, ResponseError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(PartialSuccess::default());
    }
    let response: ResponseIn = serde_json::from_slice(bytes).map_err(|e| ResponseError {
        byte: match e.is_eof() {
            true => bytes.len(),
            false => offset_in(bytes, e.line(), e.column()),
        },
        message: e.to_string(),
    })?;
    let partial = response.partial_success.unwrap_or_default();
    let rejected_spans = match partial.rejected_spans {
        None => 0,
        Some(Int64::Number(n)) => n,
        Some(Int64::Text(text)) => text.trim().parse().map_err(|_| ResponseError {
            byte: 0,
            message: format!("partialSuccess.rejectedSpans {text:?} is not an integer"),
        })?,
    };
    Ok(PartialSuccess {
        rejected_spans,
        error_message: partial.error_message.unwrap_or_default(),
    })
}

#[derive(Deserialize)]
struct ResponseIn {
    #[serde(rename = "partialSuccess", alias = "partial_success", default)]
    partial_success: Option<PartialIn>,
}

#[derive(Deserialize, Default)]
struct PartialIn {
    #[serde(rename = "rejectedSpans", alias = "rejected_spans", default)]
    rejected_spans: Option<Int64>,
    #[serde(rename = "errorMessage", alias = "error_message", default)]
    error_message: Option<String>,
}

/// An int64 as the JSON mapping writes it (a string) or as some senders do (a number).
#[derive(Deserialize)]
#[serde(untagged)]
enum Int64 {
    Number(i64),
    Text(String),
}

#[derive(Serialize)]
struct ResponseOut<'a> {
    #[serde(rename = "partialSuccess")]
    partial_success: PartialOut<'a>,
}

#[derive(Serialize)]
struct PartialOut<'a> {
    #[serde(rename = "rejectedSpans", skip_serializing_if = "Option::is_none")]
    rejected_spans: Option<String>,
    #[serde(rename = "errorMessage", skip_serializing_if = "Option::is_none")]
    error_message: Option<&'a str>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_forms_receivers_send_are_read() {
        let read = |text: &str| decode_response(text.as_bytes());
        let partial = |rejected_spans, message: &str| PartialSuccess {
            rejected_spans,
            error_message: message.into(),
        };
        assert_eq!(read(""), Ok(PartialSuccess::default()));
        assert_eq!(read(" {} "), Ok(PartialSuccess::default()));
        assert_eq!(
            read(r#"{"partialSuccess":{}}"#),
            Ok(PartialSuccess::default())
        );
        assert_eq!(
            read(r#"{"partialSuccess":null}"#),
            Ok(PartialSuccess::default())
        );
        assert_eq!(
            read(r#"{"partialSuccess":{"rejectedSpans":"2","errorMessage":"old"},"x":1}"#),
            Ok(partial(2, "old"))
        );
        assert_eq!(
            read(r#"{"partial_success":{"rejected_spans":5}}"#),
            Ok(partial(5, ""))
        );
        assert_eq!(
            read(r#"{"partialSuccess":{"errorMessage":"warning only"}}"#),
            Ok(partial(0, "warning only"))
        );
    }

    #[test]
    fn bad_bodies_are_refused_with_the_byte_offset() {
        let body = b"{\n \"partialSuccess\": {\"rejectedSpans\": 1,, }}";
        let error = decode_response(body).expect_err("two commas");
        let second_comma = body.iter().rposition(|&b| b == b',').expect("a comma");
        assert_eq!(error.byte, second_comma, "{error}");
        let error = decode_response(b"{\"partialSuccess\": [").expect_err("cut short");
        assert_eq!(error.byte, 20, "{error}");
        let error = decode_response(br#"{"partialSuccess":{"rejectedSpans":"many"}}"#)
            .expect_err("not a number");
        assert!(error.message.contains("\"many\""), "{error}");
        assert!(decode_response(b"<html>").is_err());
    }

    proptest! {
        #[test]
        fn encoding_round_trips(rejected in any::<i64>(), message in ".*") {
            let partial = PartialSuccess { rejected_spans: rejected, error_message: message };
            prop_assert_eq!(decode_response(&encode_response(&partial)), Ok(partial));
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = decode_response(&bytes);
        }
    }
}
