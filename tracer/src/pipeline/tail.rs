//! Local tail sampling, on the worker: a local trace's spans wait until its local root ends
//! (a span without a parent, or whose parent is remote), then the whole local trace is kept
//! or dropped: kept if any span has error status or the root took at least the slow
//! threshold, else as the ratio decides (by the trace id's right-most 7 bytes, as a
//! `ProbabilitySampler` would). Waiting spans are bounded: past the cap the oldest local
//! trace is decided early (error so far, running longer than the threshold, or the ratio)
//! and counted.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use spindle_formats::{FLAG_IS_REMOTE, Status};

use super::RecordBox;
use super::buffer::ThreadBuffer;
use crate::sampler::TailSampling;

/// A record and the thread buffer its box goes back to.
pub(crate) type Owned = (Arc<ThreadBuffer>, RecordBox);

/// Decisions remembered for spans of a decided trace that end after its root.
const REMEMBERED_DECISIONS: usize = 4096;
/// The right-most 56 bits of a trace id.
const RANDOMNESS_MASK: u128 = (1 << 56) - 1;

/// One local trace's spans waiting for its root.
#[derive(Debug)]
struct Waiting {
    /// Tells this entry from an older one of the same trace in `order`.
    generation: u64,
    spans: Vec<Owned>,
    error: bool,
    earliest_start: u64,
}

/// What the stage decided for the spans it let go.
#[derive(Debug, Default)]
pub(crate) struct Released {
    pub kept: Vec<Owned>,
    pub dropped: Vec<Owned>,
}

/// The waiting local traces and the decisions made.
#[derive(Debug)]
pub(crate) struct TailStage {
    settings: TailSampling,
    traces: HashMap<u128, Waiting>,
    /// Local traces in the order their first span arrived (stale entries are skipped).
    order: VecDeque<(u128, u64)>,
    waiting: usize,
    generation: u64,
    decided: HashMap<u128, bool>,
    decided_order: VecDeque<u128>,
    /// Local traces decided before their root ended (the cap, or shutdown).
    pub decided_early: u64,
    /// Spans the decisions dropped.
    pub dropped_spans: u64,
}

impl TailStage {
    pub fn new(settings: TailSampling) -> TailStage {
        TailStage {
            settings,
            traces: HashMap::new(),
            order: VecDeque::new(),
            waiting: 0,
            generation: 0,
            decided: HashMap::new(),
            decided_order: VecDeque::new(),
            decided_early: 0,
            dropped_spans: 0,
        }
    }

    /// Spans waiting for their local root.
    pub fn waiting(&self) -> usize {
        self.waiting
    }

    /// Takes an ended span; whatever is decided goes into `out`.
    pub fn take(&mut self, owner: Arc<ThreadBuffer>, record: RecordBox, out: &mut Released) {
        let trace = record.trace_id.0;
        let is_local_root = record.parent_span_id.is_none() || record.flags & FLAG_IS_REMOTE != 0;
        if !is_local_root && let Some(&keep) = self.decided.get(&trace) {
            self.release(vec![(owner, record)], keep, out);
            return;
        }
        let root_took = is_local_root.then(|| {
            record
                .end_unix_nanos
                .saturating_sub(record.start_unix_nanos)
        });
        self.wait(trace, owner, record);
        if let Some(took) = root_took {
            let slow = took >= self.settings.slow_nanos();
            self.decide(trace, slow, out);
        }
        while self.waiting > self.settings.max_waiting() {
            if !self.decide_oldest_early(out) {
                break;
            }
        }
    }

    /// Decides every waiting local trace now (at shutdown), counting them as early.
    pub fn decide_all(&mut self, out: &mut Released) {
        while self.decide_oldest_early(out) {}
    }

    fn wait(&mut self, trace: u128, owner: Arc<ThreadBuffer>, record: RecordBox) {
        let error = matches!(record.status, Status::Error { .. });
        let start = record.start_unix_nanos;
        let waiting = self.traces.entry(trace).or_insert_with(|| {
            self.generation += 1;
            self.order.push_back((trace, self.generation));
            Waiting {
                generation: self.generation,
                spans: Vec::new(),
                error: false,
                earliest_start: start,
            }
        });
        waiting.error |= error;
        waiting.earliest_start = waiting.earliest_start.min(start);
        waiting.spans.push((owner, record));
        self.waiting += 1;
    }

    /// Decides the local trace `trace` (its root ended; `slow` if it took the threshold).
    fn decide(&mut self, trace: u128, slow: bool, out: &mut Released) {
        let Some(waiting) = self.traces.remove(&trace) else {
            return;
        };
        let keep = waiting.error || slow || self.ratio_keeps(trace);
        self.remember(trace, keep);
        self.waiting -= waiting.spans.len();
        self.release(waiting.spans, keep, out);
    }

    /// Decides the oldest waiting local trace; false if none waits.
    fn decide_oldest_early(&mut self, out: &mut Released) -> bool {
        while let Some((trace, generation)) = self.order.pop_front() {
            let Some(waiting) = self.traces.get(&trace) else {
                continue;
            };
            if waiting.generation != generation {
                continue;
            }
            let running = now_unix_nanos().saturating_sub(waiting.earliest_start);
            self.decided_early += 1;
            self.decide(trace, running >= self.settings.slow_nanos(), out);
            return true;
        }
        false
    }

    fn ratio_keeps(&self, trace: u128) -> bool {
        self.settings
            .threshold()
            .is_some_and(|t| (trace & RANDOMNESS_MASK) as u64 >= t)
    }

    fn remember(&mut self, trace: u128, keep: bool) {
        if self.decided.insert(trace, keep).is_none() {
            self.decided_order.push_back(trace);
        }
        if self.decided_order.len() > REMEMBERED_DECISIONS
            && let Some(old) = self.decided_order.pop_front()
        {
            self.decided.remove(&old);
        }
    }

    fn release(&mut self, spans: Vec<Owned>, keep: bool, out: &mut Released) {
        if keep {
            out.kept.extend(spans);
        } else {
            self.dropped_spans += spans.len() as u64;
            out.dropped.extend(spans);
        }
    }
}

fn now_unix_nanos() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}
