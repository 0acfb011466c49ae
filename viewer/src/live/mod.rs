//! Spans arriving while the viewer runs: the [`LiveFeed`] owns the receiver
//! ([`crate::receive`]), collects its batches, and hands them to the open document a few times
//! a second ([`document`]: append, re-index only the traces they join, evict the oldest past
//! the retention limit). Pausing holds the view still: batches wait, and nothing is lost.
//! Files that grow by lines are followed the same way ([`tail`]).

pub mod document;
pub mod tail;
#[cfg(test)]
mod tests;

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use spindle_formats::TraceData;

use crate::receive::{Endpoint, ListenStatus, ReceiveConfig, Receiver};
use crate::units::count;

pub use document::{Appended, Evicted};

/// Spans kept at most before the oldest whole traces are evicted.
pub const DEFAULT_RETENTION_SPANS: usize = 2_000_000;

/// How often arrived spans are put into the document (well within the second a user waits).
pub const APPLY_EVERY: Duration = Duration::from_millis(250);

/// Spans put into the document in one frame at most (whole batches; at least one batch):
/// taking in a quarter second of a fast sender at once would cost a frame its 16 ms, so the
/// rest waits for the next frames, which come at once.
pub const SPANS_PER_APPLY: usize = 8_000;

/// The receiver as the app sees it: what arrived and waits, pause and follow, counts.
#[derive(Debug)]
pub struct LiveFeed {
    receiver: Receiver,
    config: ReceiveConfig,
    /// Batches waiting for the document (while paused, or until the next apply), oldest
    /// first.
    pending: VecDeque<TraceData>,
    pending_spans: usize,
    /// The last apply left batches over its [`SPANS_PER_APPLY`]: the next is due at once.
    backlog: bool,
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
            pending: VecDeque::new(),
            pending_spans: 0,
            backlog: false,
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
            self.pending.push_back(batch.data);
        }
    }

    /// The batches due for the document now, the oldest first and about
    /// [`SPANS_PER_APPLY`] spans at most: none while paused or before [`APPLY_EVERY`] has
    /// passed since the last apply (unless `now` is set, or the last apply left a backlog).
    pub fn due(&mut self, now: bool) -> Option<Vec<TraceData>> {
        self.collect();
        let waited = self.last_apply.elapsed() >= APPLY_EVERY;
        if self.paused || self.pending.is_empty() || !(waited || now || self.backlog) {
            return None;
        }
        self.last_apply = Instant::now();
        let mut taken = Vec::new();
        let mut spans = 0;
        while let Some(batch) = self.pending.pop_front() {
            spans += batch.spans.len();
            taken.push(batch);
            if spans >= SPANS_PER_APPLY {
                break;
            }
        }
        self.pending_spans -= spans;
        self.backlog = !self.pending.is_empty();
        Some(taken)
    }

    /// When the next apply is due (for a repaint), if anything waits: at once while a
    /// backlog is being taken in.
    pub fn next_due(&self) -> Option<Duration> {
        let wait = match self.backlog {
            true => Duration::ZERO,
            false => APPLY_EVERY.saturating_sub(self.last_apply.elapsed()),
        };
        (!self.paused && !self.pending.is_empty()).then_some(wait)
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
