//! OTLP/HTTP (`POST /v1/traces`): which encoding a request is in, decoding it through
//! `spindle-formats`, and answering as the OpenTelemetry Collector does, in the request's
//! encoding: an `ExportTraceServiceResponse` (with `partialSuccess` when spans were left out)
//! or a `google.rpc.Status` for an error.

use serde_json::json;
use spindle_formats::{ReadOptions, otlp_json};

use super::counters::Refusal;
use super::decode::{Decoded, Refused, SOURCE, decoded, require_json_document};
use super::http::Head;
use super::response::Response;

/// The path OTLP/HTTP exporters post traces to.
pub(crate) const PATH: &str = "/v1/traces";

/// How an OTLP request body is encoded. (Protobuf joins when the `spindle-formats` codec
/// lands; until then `application/x-protobuf` is answered 415 before the body is read.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    Json,
}

/// The body's encoding from `Content-Type`; unknown types get 415.
pub(crate) fn encoding(head: &Head) -> Result<Encoding, Refused> {
    let content_type = head.header("content-type").unwrap_or_default();
    let media = content_type.split(';').next().unwrap_or_default().trim();
    if media.eq_ignore_ascii_case("application/json") {
        Ok(Encoding::Json)
    } else if media.eq_ignore_ascii_case("application/x-protobuf") {
        Err(Refused::new(
            Refusal::UnsupportedMediaType,
            "OTLP protobuf (application/x-protobuf) is not decoded by this build yet; \
             send OTLP/JSON (application/json)",
        ))
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
    }
}

/// 200 with an `ExportTraceServiceResponse`.
pub(crate) fn accepted(encoding: Encoding, decoded: &Decoded) -> Response {
    let body = match &decoded.problem {
        None => json!({}),
        Some(message) => json!({
            "partialSuccess": {
                "rejectedSpans": decoded.rejected.to_string(),
                "errorMessage": message,
            }
        }),
    };
    match encoding {
        Encoding::Json => {
            Response::new(200).with_body("application/json", body.to_string().into_bytes())
        }
    }
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
