//! What the receiver has taken in and turned away, counted for the status line and `collect`.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

/// Why a request was turned away (each has its HTTP status).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Refusal {
    /// 400: the body is not a trace in the protocol's format, or the HTTP is malformed.
    Malformed,
    /// 404: no such path.
    NotFound,
    /// 405: a method other than POST (or OPTIONS).
    MethodNotAllowed,
    /// 408: the request did not arrive in time (a stalled client).
    Timeout,
    /// 413: the body is over the limit.
    TooLarge,
    /// 415: a content type or encoding this receiver does not decode.
    UnsupportedMediaType,
    /// 503: too many connections, or the application is not taking batches fast enough.
    Busy,
    /// 403: a browser preflight from an origin that is not localhost.
    ForbiddenOrigin,
}

impl Refusal {
    /// Every reason, in the order they are listed.
    pub const ALL: [Refusal; 8] = [
        Refusal::Malformed,
        Refusal::NotFound,
        Refusal::MethodNotAllowed,
        Refusal::Timeout,
        Refusal::TooLarge,
        Refusal::UnsupportedMediaType,
        Refusal::Busy,
        Refusal::ForbiddenOrigin,
    ];

    /// The HTTP status answered.
    pub fn status(self) -> u16 {
        match self {
            Refusal::Malformed => 400,
            Refusal::ForbiddenOrigin => 403,
            Refusal::NotFound => 404,
            Refusal::MethodNotAllowed => 405,
            Refusal::Timeout => 408,
            Refusal::TooLarge => 413,
            Refusal::UnsupportedMediaType => 415,
            Refusal::Busy => 503,
        }
    }

    fn slot(self) -> usize {
        Refusal::ALL.iter().position(|r| *r == self).unwrap_or(0)
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Refusal::Malformed => "malformed",
            Refusal::NotFound => "not found",
            Refusal::MethodNotAllowed => "wrong method",
            Refusal::Timeout => "timed out",
            Refusal::TooLarge => "too large",
            Refusal::UnsupportedMediaType => "unsupported type",
            Refusal::Busy => "busy",
            Refusal::ForbiddenOrigin => "forbidden origin",
        })
    }
}

/// Counters shared by every connection; read them with [`Counters::snapshot`].
#[derive(Debug, Default)]
pub struct Counters {
    spans: AtomicU64,
    rejected_spans: AtomicU64,
    requests: AtomicU64,
    bytes: AtomicU64,
    refused: [AtomicU64; Refusal::ALL.len()],
}

impl Counters {
    /// A request whose spans were queued: `spans` kept, `rejected` bad ones left out.
    pub(crate) fn accepted(&self, spans: usize, rejected: usize) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        self.spans.fetch_add(spans as u64, Ordering::Relaxed);
        self.rejected_spans
            .fetch_add(rejected as u64, Ordering::Relaxed);
    }

    /// Body bytes read off the wire (before decompression).
    pub(crate) fn bytes(&self, bytes: usize) {
        self.bytes.fetch_add(bytes as u64, Ordering::Relaxed);
    }

    pub(crate) fn refused(&self, reason: Refusal) {
        if let Some(slot) = self.refused.get(reason.slot()) {
            slot.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// The counts now.
    pub fn snapshot(&self) -> CountersSnapshot {
        let mut refused = [0; Refusal::ALL.len()];
        for (count, slot) in refused.iter_mut().zip(&self.refused) {
            *count = slot.load(Ordering::Relaxed);
        }
        CountersSnapshot {
            spans: self.spans.load(Ordering::Relaxed),
            rejected_spans: self.rejected_spans.load(Ordering::Relaxed),
            requests: self.requests.load(Ordering::Relaxed),
            bytes: self.bytes.load(Ordering::Relaxed),
            refused,
        }
    }
}

/// The counters at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CountersSnapshot {
    /// Spans decoded and queued for the application.
    pub spans: u64,
    /// Bad spans left out of requests that were otherwise accepted (OTLP partial success).
    pub rejected_spans: u64,
    /// Requests accepted.
    pub requests: u64,
    /// Request body bytes read, as sent (compressed or not).
    pub bytes: u64,
    refused: [u64; Refusal::ALL.len()],
}

impl CountersSnapshot {
    /// Requests refused for `reason`.
    pub fn refused(&self, reason: Refusal) -> u64 {
        self.refused.get(reason.slot()).copied().unwrap_or(0)
    }

    /// Requests refused for any reason.
    pub fn refused_total(&self) -> u64 {
        self.refused.iter().sum()
    }
}

impl fmt::Display for CountersSnapshot {
    /// `1200 spans in 3 requests (52 KiB), 2 refused (1 malformed, 1 too large)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} spans in {} requests ({} KiB)",
            self.spans,
            self.requests,
            self.bytes / 1024
        )?;
        if self.rejected_spans > 0 {
            write!(f, ", {} bad spans left out", self.rejected_spans)?;
        }
        write!(f, ", {} refused", self.refused_total())?;
        let reasons: Vec<String> = Refusal::ALL
            .iter()
            .filter(|r| self.refused(**r) > 0)
            .map(|r| format!("{} {r}", self.refused(*r)))
            .collect();
        if !reasons.is_empty() {
            write!(f, " ({})", reasons.join(", "))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_lists_refusals_by_reason() {
        let counters = Counters::default();
        counters.accepted(1200, 0);
        counters.accepted(0, 0);
        counters.bytes(2048);
        counters.refused(Refusal::TooLarge);
        counters.refused(Refusal::Malformed);
        let snapshot = counters.snapshot();
        assert_eq!(snapshot.refused(Refusal::TooLarge), 1);
        assert_eq!(snapshot.refused(Refusal::Busy), 0);
        assert_eq!(
            snapshot.to_string(),
            "1200 spans in 2 requests (2 KiB), 2 refused (1 malformed, 1 too large)"
        );
    }
}
