//! What the pipeline tells a sink (the export timeout) and what a sink tells the pipeline
//! (retries made, spans dropped for being too large).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

/// Handed to each sink by [`SpanExporter::attach`](super::SpanExporter::attach).
///
/// A sink used on its own (outside a pipeline) can make one with [`ExportContext::new`] and
/// read the counts back.
#[derive(Debug, Clone)]
pub struct ExportContext {
    timeout: Duration,
    retries: Arc<AtomicU64>,
    oversized: Arc<AtomicU64>,
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
