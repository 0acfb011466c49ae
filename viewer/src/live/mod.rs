//! Spans arriving while the viewer runs: the [`LiveFeed`] owns the receiver
//! ([`crate::receive`]), collects its batches, and hands them to the open document a few times
//! a second ([`document`]: append, re-index only the traces they join, evict the oldest past
//! the retention limit). Pausing holds the view still: batches wait, and nothing is lost.
//! Files that grow by lines are followed the same way ([`tail`]).

pub mod document;
pub mod tail;
#[cfg(test)]
mod tests;

use std::time::{Duration, Instant};

use spindle_formats::TraceData;

use crate::receive::{Endpoint, ListenStatus, ReceiveConfig, Receiver};
use crate::units::count;

pub use document::{Appended, Evicted};

/// Spans kept at most before the oldest whole traces are evicted.
pub const DEFAULT_RETENTION_SPANS: usize = 2_000_000;

/// How often arrived spans are put into the document (well within the second a user waits).
pub const APPLY_EVERY: Duration = Duration::from_millis(250);

/// The receiver as the app sees it: what arrived and waits, pause and follow, counts.
#[derive(Debug)]
pub struct LiveFeed {
    receiver: Receiver,
    config: ReceiveConfig,
    /// Batches waiting for the document (while paused, or until the next apply).
    pending: Vec<TraceData>,
    pending_spans: usize,
    last_apply: Instant,
    /// Hold the view still; spans keep arriving and wait.
    pub paused: bool,
    /// Select the trace the newest span joined after each apply.
    pub follow: bool,
    /// Spans kept at most (oldest whole traces are evicted past it).
    pub retention: usize,
    /// Spans evicted so far.
    pub evicted: u64,
}

impl LiveFeed {
    /// Starts listening as `config` says; `repaint` is called when a batch arrives.
    pub fn start(config: ReceiveConfig, repaint: impl Fn() + Send + Sync + 'static) -> LiveFeed {
        LiveFeed {
            receiver: Receiver::start_with_notify(config.clone(), repaint),
            config,
            pending: Vec::new(),
            pending_spans: 0,
            last_apply: Instant::now(),
            paused: false,
            follow: true,
            retention: DEFAULT_RETENTION_SPANS,
            evicted: 0,
        }
    }

    /// The configuration it was started with (to start again after a stop).
    pub fn config(&self) -> &ReceiveConfig {
        &self.config
    }

    /// Stops listening; what arrived before stays pending.
    pub fn stop(&mut self) {
        self.receiver.stop(Duration::from_millis(200));
        self.collect();
    }

    /// The receiver (addresses, counters).
    pub fn receiver(&self) -> &Receiver {
        &self.receiver
    }

    /// Spans that arrived and are not in the document yet.
    pub fn pending_spans(&self) -> usize {
        self.pending_spans
    }

    /// Moves arrived batches into `pending`.
    fn collect(&mut self) {
        for batch in self.receiver.batches().try_iter() {
            self.pending_spans += batch.data.spans.len();
            self.pending.push(batch.data);
        }
    }

    /// The batches due for the document now: none while paused or before [`APPLY_EVERY`]
    /// has passed since the last apply (unless `now` is set).
    pub fn due(&mut self, now: bool) -> Option<Vec<TraceData>> {
        self.collect();
        let waited = self.last_apply.elapsed() >= APPLY_EVERY;
        if self.paused || self.pending.is_empty() || !(waited || now) {
            return None;
        }
        self.last_apply = Instant::now();
        self.pending_spans = 0;
        Some(std::mem::take(&mut self.pending))
    }

    /// When the next apply is due (for a repaint), if anything waits.
    pub fn next_due(&self) -> Option<Duration> {
        (!self.paused && !self.pending.is_empty())
            .then(|| APPLY_EVERY.saturating_sub(self.last_apply.elapsed()))
    }

    /// "OTLP 127.0.0.1:4318 · Zipkin 127.0.0.1:9411 · 1,204 spans received", with the
    /// listeners that failed and the refusals.
    pub fn status_line(&self) -> String {
        let mut parts: Vec<String> = [Endpoint::Otlp, Endpoint::Zipkin]
            .into_iter()
            .filter_map(|e| match self.receiver.status(e) {
                ListenStatus::Off => None,
                ListenStatus::Listening(addr) => Some(format!("{e} on {addr}")),
                ListenStatus::Failed(error) => Some(format!("{e}: {error}")),
                ListenStatus::Stopped => Some(format!("{e} stopped")),
            })
            .collect();
        let counts = self.receiver.snapshot();
        parts.push(format!("{} spans received", count(counts.spans)));
        let refused = counts.refused_total();
        if refused > 0 || counts.rejected_spans > 0 {
            parts.push(format!(
                "{refused} requests refused, {} spans rejected",
                counts.rejected_spans
            ));
        }
        if self.pending_spans > 0 {
            parts.push(format!("{} waiting", count(self.pending_spans as u64)));
        }
        if self.evicted > 0 {
            parts.push(format!("{} evicted (oldest traces)", count(self.evicted)));
        }
        parts.join(" · ")
    }
}
