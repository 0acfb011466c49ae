//! Zipkin's collector API (`POST /api/v2/spans`): JSON lists of v2 spans, decoded through
//! `spindle-formats`; 202 as Zipkin answers.

use spindle_formats::{ReadOptions, zipkin};

use super::counters::Refusal;
use super::decode::{Decoded, Refused, SOURCE, decoded, require_json_document};
use super::http::Head;
use super::response::Response;

/// The path Zipkin reporters post spans to.
pub(crate) const PATH: &str = "/api/v2/spans";

/// Checks `Content-Type`: JSON (or none, as some reporters send) is read; others get 415.
pub(crate) fn check_content_type(head: &Head) -> Result<(), Refused> {
    let content_type = head.header("content-type").unwrap_or_default();
    let media = content_type.split(';').next().unwrap_or_default().trim();
    if media.is_empty() || media.eq_ignore_ascii_case("application/json") {
        Ok(())
    } else if media.eq_ignore_ascii_case("application/x-protobuf") {
        Err(Refused::new(
            Refusal::UnsupportedMediaType,
            "Zipkin protobuf (proto3) is not read by this receiver; send Zipkin v2 JSON \
             (application/json)",
        ))
    } else {
        Err(Refused::new(
            Refusal::UnsupportedMediaType,
            format!("unsupported content type {content_type:?}; Zipkin takes application/json"),
        ))
    }
}

/// Decodes a (gunzipped) body.
pub(crate) fn decode(body: &[u8]) -> Result<Decoded, Refused> {
    require_json_document(body)?;
    decoded(zipkin::read(body, SOURCE, ReadOptions::default()))
}

/// 202; when bad spans were left out, a line saying so.
pub(crate) fn accepted(decoded: &Decoded) -> Response {
    match &decoded.problem {
        None => Response::new(202),
        Some(problem) => Response::text(
            202,
            &format!(
                "accepted {} spans; {} left out: {problem}",
                decoded.data.spans.len(),
                decoded.rejected
            ),
        ),
    }
}

/// An error status with the reason in plain text.
pub(crate) fn refused(refused: &Refused) -> Response {
    Response::text(refused.reason.status(), &refused.message)
}
