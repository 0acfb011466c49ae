//! What the pipeline did: counters users can read at any time.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use parking_lot::Mutex;

/// A snapshot of the pipeline's counters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Sampled spans started.
    pub spans_started: u64,
    /// Sampled spans ended (handed to the pipeline).
    pub spans_ended: u64,
    /// Spans every sink accepted.
    pub spans_exported: u64,
    /// Spans dropped because the queue was full.
    pub dropped_queue_full: u64,
    /// Spans ended after shutdown.
    pub dropped_after_shutdown: u64,
    /// Spans whose export failed.
    pub dropped_export_failed: u64,
    /// Spans too large to fit in one request on their own (the sink's byte cap).
    pub dropped_oversized: u64,
    /// Failed export calls.
    pub export_errors: u64,
    /// Requests sent again after a retryable failure.
    pub retries: u64,
    /// The last export error, in words.
    pub last_error: Option<String>,
}

impl Stats {
    /// All dropped spans, whatever the reason.
    pub fn dropped(&self) -> u64 {
        self.dropped_queue_full
            + self.dropped_after_shutdown
            + self.dropped_export_failed
            + self.dropped_oversized
    }
}

/// The shared counters (the per-thread started/ended counts live in the thread buffers).
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub exported: AtomicU64,
    pub dropped_queue_full: AtomicU64,
    pub dropped_after_shutdown: AtomicU64,
    pub dropped_export_failed: AtomicU64,
    pub dropped_oversized: AtomicU64,
    pub export_errors: AtomicU64,
    /// Shared with every sink's `ExportContext`, so retries show while an export runs.
    pub retries: Arc<AtomicU64>,
    pub last_error: Mutex<Option<String>>,
    /// Started and ended counts of threads that have exited.
    pub retired_started: AtomicU64,
    pub retired_ended: AtomicU64,
    warned: std::sync::atomic::AtomicBool,
}

impl Counters {
    /// Counts dropped spans, logging one warning on the first drop of the process' pipeline.
    pub fn drop_spans(&self, counter: &AtomicU64, count: u64, why: &str) {
        counter.fetch_add(count, Relaxed);
        if !self.warned.load(Relaxed) && !self.warned.swap(true, Relaxed) {
            eprintln!(
                "spindle: dropping spans ({why}); further drops are counted in spindle::stats()"
            );
        }
    }

    pub fn record_export_error(&self, spans: u64, error: String) {
        self.export_errors.fetch_add(1, Relaxed);
        self.drop_spans(&self.dropped_export_failed, spans, "export failed");
        *self.last_error.lock() = Some(error);
    }

    pub fn snapshot(&self, started: u64, ended: u64) -> Stats {
        Stats {
            spans_started: started + self.retired_started.load(Relaxed),
            spans_ended: ended + self.retired_ended.load(Relaxed),
            spans_exported: self.exported.load(Relaxed),
            dropped_queue_full: self.dropped_queue_full.load(Relaxed),
            dropped_after_shutdown: self.dropped_after_shutdown.load(Relaxed),
            dropped_export_failed: self.dropped_export_failed.load(Relaxed),
            dropped_oversized: self.dropped_oversized.load(Relaxed),
            export_errors: self.export_errors.load(Relaxed),
            retries: self.retries.load(Relaxed),
            last_error: self.last_error.lock().clone(),
        }
    }
}
