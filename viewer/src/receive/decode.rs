//! Turning a request body into spans: undoing gzip within the byte limit, and a reader's
//! result (through `spindle-formats`, the one parser) into what is kept and what is reported.

use std::io::Read;

use spindle_formats::{Loaded, Problem, ReadError, TraceData};

use super::counters::Refusal;
use super::http::Head;

/// The name decoding errors give the input: `request body:1:17 (byte 16): …`.
pub(crate) const SOURCE: &str = "request body";

/// What a body held: the good spans, and how many bad ones were left out.
#[derive(Debug)]
pub(crate) struct Decoded {
    pub data: TraceData,
    /// Spans (or groups of spans) left out because they were malformed.
    pub rejected: usize,
    /// The first problem, located, when something was left out.
    pub problem: Option<String>,
}

/// Why a request is refused, in words for the sender.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refused {
    pub reason: Refusal,
    pub message: String,
}

impl Refused {
    pub fn new(reason: Refusal, message: impl Into<String>) -> Refused {
        Refused {
            reason,
            message: message.into(),
        }
    }
}

/// Whether the body is gzip-compressed (`Content-Encoding: gzip`); other codings are refused.
pub(crate) fn is_gzip(head: &Head) -> Result<bool, Refused> {
    match head.header("content-encoding").map(str::trim) {
        None | Some("") => Ok(false),
        Some(coding) if coding.eq_ignore_ascii_case("identity") => Ok(false),
        Some(coding) if coding.eq_ignore_ascii_case("gzip") => Ok(true),
        Some(coding) => Err(Refused::new(
            Refusal::UnsupportedMediaType,
            format!("Content-Encoding {coding:?} is not supported; send gzip or no encoding"),
        )),
    }
}

/// Undoes gzip, refusing a body that inflates past `limit` bytes.
pub(crate) fn gunzip(body: &[u8], limit: usize) -> Result<Vec<u8>, Refused> {
    let mut out = Vec::with_capacity(body.len().saturating_mul(4).min(limit));
    let mut decoder = flate2::read::MultiGzDecoder::new(body).take(limit as u64 + 1);
    match decoder.read_to_end(&mut out) {
        Ok(n) if n > limit => Err(Refused::new(
            Refusal::TooLarge,
            format!("the body is over {limit} bytes once gunzipped"),
        )),
        Ok(_) => Ok(out),
        Err(error) => Err(Refused::new(
            Refusal::Malformed,
            format!("the body is not valid gzip (Content-Encoding: gzip): {error}"),
        )),
    }
}

/// A JSON body must hold a document: an empty one is a 400, as the Collector answers it.
pub(crate) fn require_json_document(body: &[u8]) -> Result<(), Refused> {
    if body.iter().all(u8::is_ascii_whitespace) {
        let message = format!("{SOURCE}: {}; expected a JSON document", Problem::Empty);
        return Err(Refused::new(Refusal::Malformed, message));
    }
    Ok(())
}

/// Keeps what a lenient read produced; a read that produced nothing is a 400.
pub(crate) fn decoded(result: Result<Loaded, ReadError>) -> Result<Decoded, Refused> {
    let loaded = result.map_err(|error| Refused::new(Refusal::Malformed, error.to_string()))?;
    if loaded.data.spans.is_empty()
        && let Some(first) = loaded.warnings.first()
    {
        // Nothing usable (a body cut before its first span, every span bad): as the
        // Collector answers a body it cannot unmarshal.
        return Err(Refused::new(Refusal::Malformed, first.to_string()));
    }
    let rejected = loaded
        .warnings
        .iter()
        .map(|w| match w.problem {
            Problem::MoreProblems { count } => count,
            _ => 1,
        })
        .sum();
    let problem = loaded
        .warnings
        .first()
        .map(|first| match loaded.warnings.len() {
            1 => first.to_string(),
            n => format!("{first} (and {} more problems)", n - 1),
        });
    Ok(Decoded {
        data: loaded.data,
        rejected,
        problem,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(bytes).unwrap_or_else(|e| panic!("{e}"));
        encoder.finish().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn gunzip_keeps_to_the_limit() {
        let body = gzip(&[b'x'; 1000]);
        assert_eq!(gunzip(&body, 1000).map(|b| b.len()), Ok(1000));
        assert_eq!(
            gunzip(&body, 999).map_err(|r| r.reason),
            Err(Refusal::TooLarge)
        );
        assert_eq!(
            gunzip(b"not gzip", 1000).map_err(|r| r.reason),
            Err(Refusal::Malformed)
        );
    }
}
