//! What the pipeline tells a sink (the export timeout) and what a sink tells the pipeline
//! (retries made, spans dropped for being too large, spans the receiver rejected and why).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

use parking_lot::Mutex;

/// Handed to each sink by [`SpanExporter::attach`](super::SpanExporter::attach).
///
/// A sink used on its own (outside a pipeline) can make one with [`ExportContext::new`] and
/// read the counts back.
#[derive(Debug, Clone)]
pub struct ExportContext {
    timeout: Duration,
    retries: Arc<AtomicU64>,
    oversized: Arc<AtomicU64>,
    rejected: Arc<AtomicU64>,
    /// The receiver's last word on an accepted request (partial success or warning).
    rejection: Arc<Mutex<Option<String>>>,
}

impl ExportContext {
    /// A context with its own counters and this export timeout.
    pub fn new(timeout: Duration) -> ExportContext {
        ExportContext::with_retry_counter(timeout, Arc::default())
    }

    /// A context whose retries add to a counter the pipeline shares.
    pub(crate) fn with_retry_counter(timeout: Duration, retries: Arc<AtomicU64>) -> ExportContext {
        ExportContext {
            timeout,
            retries,
            oversized: Arc::default(),
            rejected: Arc::default(),
            rejection: Arc::default(),
        }
    }

    /// The longest one `export` call may take, retries included.
    pub fn export_timeout(&self) -> Duration {
        self.timeout
    }

    /// Counts one request sent again.
    pub fn count_retry(&self) {
        self.retries.fetch_add(1, Relaxed);
    }

    /// Counts spans left out of a batch that was otherwise exported, for being too large.
    pub fn count_oversized(&self, spans: u64) {
        self.oversized.fetch_add(spans, Relaxed);
    }

    /// Counts spans a receiver rejected from a request it otherwise accepted (an OTLP partial
    /// success), and keeps its message for the statistics' `last_error`.
    pub fn count_rejected(&self, spans: u64, message: String) {
        self.rejected.fetch_add(spans, Relaxed);
        *self.rejection.lock() = Some(message);
    }

    /// Rejected spans counted so far.
    pub fn rejected(&self) -> u64 {
        self.rejected.load(Relaxed)
    }

    /// The message of the last rejection or warning not yet taken.
    pub fn take_rejection_message(&self) -> Option<String> {
        self.rejection.lock().take()
    }

    /// Retries counted so far.
    pub fn retries(&self) -> u64 {
        self.retries.load(Relaxed)
    }

    /// Oversized spans counted so far.
    pub fn oversized(&self) -> u64 {
        self.oversized.load(Relaxed)
    }
}

impl Default for ExportContext {
    /// Thirty seconds, the specification's default export timeout.
    fn default() -> Self {
        ExportContext::new(Duration::from_secs(30))
    }
}
