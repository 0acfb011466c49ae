//! OTLP/HTTP (`POST /v1/traces`): which encoding a request is in, decoding it through
//! `spindle-formats`, and answering as the OpenTelemetry Collector does, in the request's
//! encoding: an `ExportTraceServiceResponse` (with `partialSuccess` when spans were left out)
//! or a `google.rpc.Status` for an error.

use serde_json::json;
use spindle_formats::otlp_proto::{self, PartialSuccess};
use spindle_formats::{ReadOptions, otlp_json};

use super::counters::Refusal;
use super::decode::{Decoded, Refused, SOURCE, decoded, require_json_document};
use super::http::Head;
use super::response::Response;

/// The path OTLP/HTTP exporters post traces to.
pub(crate) const PATH: &str = "/v1/traces";

/// The media type of OTLP protobuf bodies.
const PROTOBUF: &str = "application/x-protobuf";

/// How an OTLP request body is encoded; the answer uses the same encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    /// `application/json`: OTLP/JSON.
    Json,
    /// `application/x-protobuf`: an `ExportTraceServiceRequest` message.
    Protobuf,
}

/// The body's encoding from `Content-Type`; unknown types get 415.
pub(crate) fn encoding(head: &Head) -> Result<Encoding, Refused> {
    let content_type = head.header("content-type").unwrap_or_default();
    let media = content_type.split(';').next().unwrap_or_default().trim();
    if media.eq_ignore_ascii_case("application/json") {
        Ok(Encoding::Json)
    } else if media.eq_ignore_ascii_case("application/x-protobuf") {
        Ok(Encoding::Protobuf)
    } else {
        Err(Refused::new(
            Refusal::UnsupportedMediaType,
            format!(
                "unsupported content type {content_type:?}; OTLP/HTTP takes application/json \
                 or application/x-protobuf"
            ),
        ))
    }
}

/// Decodes a (gunzipped) body.
pub(crate) fn decode(body: &[u8], encoding: Encoding) -> Result<Decoded, Refused> {
    match encoding {
        Encoding::Json => {
            require_json_document(body)?;
            decoded(otlp_json::read(body, SOURCE, ReadOptions::default()))
        }
        // An empty message is a valid request with no spans, as the Collector takes it.
        Encoding::Protobuf => decoded(otlp_proto::read(body, SOURCE, ReadOptions::default())),
    }
}

/// 200 with an `ExportTraceServiceResponse`.
pub(crate) fn accepted(encoding: Encoding, decoded: &Decoded) -> Response {
    if encoding == Encoding::Protobuf {
        let partial = match &decoded.problem {
            None => PartialSuccess::default(),
            Some(message) => PartialSuccess {
                rejected_spans: i64::try_from(decoded.rejected).unwrap_or(i64::MAX),
                error_message: message.clone(),
            },
        };
        let body = otlp_proto::encode_response(&partial);
        return Response::new(200).with_body(PROTOBUF, body);
    }
    let body = match &decoded.problem {
        None => json!({}),
        Some(message) => json!({
            "partialSuccess": {
                "rejectedSpans": decoded.rejected.to_string(),
                "errorMessage": message,
            }
        }),
    };
    Response::new(200).with_body("application/json", body.to_string().into_bytes())
}

/// An error status with a `google.rpc.Status` body (JSON), or plain text for a request whose
/// encoding is not known.
pub(crate) fn refused(encoding: Option<Encoding>, refused: &Refused) -> Response {
    let status = refused.reason.status();
    match encoding {
        Some(Encoding::Json) => {
            let body = json!({ "code": rpc_code(status), "message": refused.message });
            Response::new(status).with_body("application/json", body.to_string().into_bytes())
        }
        Some(Encoding::Protobuf) => {
            let code = rpc_code(status) as i32;
            let body = otlp_proto::encode_status(code, &refused.message);
            Response::new(status).with_body(PROTOBUF, body)
        }
        None => Response::text(status, &refused.message),
    }
}

/// The gRPC code the Collector pairs with an HTTP status.
fn rpc_code(status: u16) -> u32 {
    match status {
        400 | 413 => 3,  // INVALID_ARGUMENT
        404 => 5,        // NOT_FOUND
        408 => 4,        // DEADLINE_EXCEEDED
        415 | 405 => 12, // UNIMPLEMENTED
        503 => 14,       // UNAVAILABLE
        _ => 2,          // UNKNOWN
    }
}
