//! `TailSampling`: the settings of local tail sampling (the pipeline's worker applies them).

use std::time::Duration;

use super::ProbabilitySampler;

/// Local tail sampling: keep errors and slow traces, and a ratio of the rest.
///
/// A local trace (the spans of one trace in this process, under its local root: a span
/// without a parent, or whose parent is remote) waits on the exporter's thread until its
/// local root ends. It is kept whole if any of its spans has error status or the root took at
/// least [`slower_than`](Self::slower_than), otherwise the ratio decides (by trace id, as a
/// [`ProbabilitySampler`] with that ratio would). Spans must be sampled at the head to be
/// seen here: use it with a sampler that keeps what tail sampling should choose from (the
/// default, parent-based always-on, does).
///
/// Memory is bounded: past [`max_waiting_spans`](Self::max_waiting_spans) the oldest local
/// trace is decided early (kept if it has an error so far, has run longer than the
/// threshold, or the ratio keeps it), and counted in `Stats::tail_decided_early`; spans it
/// drops are counted in `Stats::tail_dropped`. Shutdown decides what still waits the same
/// way; a flush exports only what is decided.
///
/// What a downstream service sees: the `traceparent` it receives is sent while the trace
/// is still running, before the decision, so its sampled flag is the head sampler's (set).
/// A downstream service keeps its part of a trace this process later drops, and the other
/// way round; give downstream services their own tail sampling, or expect partial traces.
///
/// ```
/// use std::time::Duration;
/// use spindle::sampler::TailSampling;
/// let tail = TailSampling::new(0.1).slower_than(Duration::from_millis(500)).max_waiting_spans(50_000);
/// assert_eq!(tail.ratio(), 0.1);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct TailSampling {
    ratio: ProbabilitySampler,
    slow: Duration,
    max_waiting: usize,
}

impl TailSampling {
    /// Keeps errors, traces slower than one second, and `ratio` of the rest (clamped to
    /// `[0, 1]`), with at most 10,000 spans waiting.
    pub fn new(ratio: f64) -> TailSampling {
        TailSampling {
            ratio: ProbabilitySampler::new(ratio),
            slow: Duration::from_secs(1),
            max_waiting: 10_000,
        }
    }

    /// Keeps every local trace whose root takes at least `threshold`.
    pub fn slower_than(mut self, threshold: Duration) -> TailSampling {
        self.slow = threshold;
        self
    }

    /// At most `spans` wait for their root (at least 1); past that the oldest local trace
    /// is decided early.
    pub fn max_waiting_spans(mut self, spans: usize) -> TailSampling {
        self.max_waiting = spans.max(1);
        self
    }

    /// The ratio of other traces kept.
    pub fn ratio(&self) -> f64 {
        self.ratio.ratio()
    }

    /// The slow threshold.
    pub fn slow_threshold(&self) -> Duration {
        self.slow
    }

    /// The cap on waiting spans.
    pub fn max_waiting(&self) -> usize {
        self.max_waiting
    }

    pub(crate) fn slow_nanos(&self) -> u64 {
        u64::try_from(self.slow.as_nanos()).unwrap_or(u64::MAX)
    }

    /// The rejection threshold of the ratio (`None`: ratio 0).
    pub(crate) fn threshold(&self) -> Option<u64> {
        self.ratio.threshold()
    }
}
