//! What the pipeline did: counters users can read at any time.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, OnceLock};

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
    /// Spans a receiver rejected from a request it otherwise accepted (OTLP partial success).
    pub dropped_rejected: u64,
    /// Failed export calls.
    pub export_errors: u64,
    /// Requests sent again after a retryable failure.
    pub retries: u64,
    /// The last export error, in words.
    pub last_error: Option<String>,
    /// Local tail sampling: local traces decided before their root ended (over the cap on
    /// waiting spans, or at shutdown).
    pub tail_decided_early: u64,
    /// Local tail sampling: spans its decisions dropped (not counted in [`Stats::dropped`],
    /// which counts losses).
    pub tail_dropped: u64,
    /// Local tail sampling: spans waiting for their local root now.
    pub tail_waiting: u64,
}

impl Stats {
    /// All dropped spans, whatever the reason.
    pub fn dropped(&self) -> u64 {
        self.dropped_queue_full
            + self.dropped_after_shutdown
            + self.dropped_export_failed
            + self.dropped_oversized
            + self.dropped_rejected
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
    pub dropped_rejected: AtomicU64,
    pub export_errors: AtomicU64,
    /// Shared with every sink's `ExportContext`, so retries show while an export runs.
    pub retries: Arc<AtomicU64>,
    pub last_error: Mutex<Option<String>>,
    /// Tail sampling's counts, written by the worker.
    pub tail_decided_early: AtomicU64,
    pub tail_dropped: AtomicU64,
    pub tail_waiting: AtomicU64,
    /// Started and ended counts of threads that have exited.
    pub retired_started: AtomicU64,
    pub retired_ended: AtomicU64,
    /// Why spans were first dropped, set by whichever thread dropped them; the worker reports
    /// it (once) so that no application thread writes to stderr.
    first_drop: OnceLock<&'static str>,
    reported: std::sync::atomic::AtomicBool,
}

impl Counters {
    /// Counts dropped spans and, on the first drop, notes why for the worker to report.
    pub fn drop_spans(&self, counter: &AtomicU64, count: u64, why: &'static str) {
        counter.fetch_add(count, Relaxed);
        if self.first_drop.get().is_none() {
            let _ = self.first_drop.set(why);
        }
    }

    /// The warning for the first drop, once: `None` before any drop and after it was taken.
    pub fn take_drop_warning(&self) -> Option<String> {
        let why = self.first_drop.get()?;
        if self.reported.load(Relaxed) || self.reported.swap(true, Relaxed) {
            return None;
        }
        Some(format!(
            "spindle: dropping spans ({why}); further drops are counted in spindle::stats()"
        ))
    }

    pub fn record_export_error(&self, spans: u64, error: String) {
        self.export_errors.fetch_add(1, Relaxed);
        self.drop_spans(&self.dropped_export_failed, spans, "export failed");
        *self.last_error.lock() = Some(error);
    }

    /// Keeps a sink's message (an export error or a receiver's partial-success reason).
    pub fn set_last_error(&self, message: String) {
        *self.last_error.lock() = Some(message);
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
            dropped_rejected: self.dropped_rejected.load(Relaxed),
            export_errors: self.export_errors.load(Relaxed),
            retries: self.retries.load(Relaxed),
            last_error: self.last_error.lock().clone(),
            tail_decided_early: self.tail_decided_early.load(Relaxed),
            tail_dropped: self.tail_dropped.load(Relaxed),
            tail_waiting: self.tail_waiting.load(Relaxed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_are_counted_and_warned_about_once_with_the_first_reason() {
        let counters = Counters::default();
        assert_eq!(counters.take_drop_warning(), None, "nothing dropped yet");
        counters.drop_spans(&counters.dropped_queue_full, 3, "queue full");
        counters.record_export_error(2, "refused".into());
        let warning = counters.take_drop_warning();
        assert_eq!(
            warning.as_deref(),
            Some(
                "spindle: dropping spans (queue full); further drops are counted in spindle::stats()"
            )
        );
        assert_eq!(counters.take_drop_warning(), None, "one warning only");
        let stats = counters.snapshot(0, 0);
        assert_eq!(
            (stats.dropped_queue_full, stats.dropped_export_failed),
            (3, 2)
        );
        assert_eq!(stats.dropped(), 5);
        assert_eq!(stats.last_error.as_deref(), Some("refused"));
    }
}
