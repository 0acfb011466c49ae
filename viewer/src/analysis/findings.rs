//! Everything the views show about why one trace is slow, computed once when the trace is
//! selected (never per frame): its critical path with each span's sections ready for drawing,
//! its runs of repeated siblings, its N+1 findings, and its clock-skew marks.

use spindle_formats::TraceData;

use super::clock_skew::{ClockSkew, DEFAULT_TOLERANCE};
use super::critical_path::{CriticalPath, Section};
use super::repeats::{NPlusOne, Repeat, n_plus_one, repeats};
use crate::index::{Index, Trace};

/// The analysis of the selected trace.
#[derive(Debug, Clone, Default)]
pub struct Findings {
    pub critical: CriticalPath,
    /// Positions in `critical.sections`, sorted by (span, start): the sections of one span
    /// are a contiguous slice.
    by_span: Vec<(u32, u32)>,
    pub repeats: Vec<Repeat>,
    pub n_plus_one: Vec<NPlusOne>,
    /// The trace's duration: what critical-path shares are shares of.
    pub trace_time: u64,
    /// Spans whose clock looks off against their parent's, and the adjustment.
    pub skew: ClockSkew,
}

impl Findings {
    /// Analyses one trace: O(n log n) in its spans.
    pub fn of(data: &TraceData, index: &Index, trace: &Trace) -> Findings {
        let critical = CriticalPath::of(data, index, trace);
        let mut by_span: Vec<(u32, u32)> = critical
            .sections
            .iter()
            .enumerate()
            .map(|(k, s)| (s.span, k as u32))
            .collect();
        by_span.sort_unstable();
        Findings {
            critical,
            by_span,
            repeats: repeats(data, index, trace),
            n_plus_one: n_plus_one(data, index, trace),
            trace_time: trace.duration(),
            skew: ClockSkew::of(data, index, trace, DEFAULT_TOLERANCE),
        }
    }

    /// The critical sections of span `span` (an index into `TraceData::spans`), in time order.
    pub fn sections_of(&self, span: usize) -> impl Iterator<Item = &Section> {
        let from = self.by_span.partition_point(|&(s, _)| (s as usize) < span);
        let to = self.by_span.partition_point(|&(s, _)| (s as usize) <= span);
        self.by_span[from..to]
            .iter()
            .map(|&(_, k)| &self.critical.sections[k as usize])
    }

    /// Whether span `span` spends any time on the critical path.
    pub fn is_critical(&self, span: usize) -> bool {
        self.sections_of(span).next().is_some()
    }

    /// Time of span `span` on the critical path and its share of the trace's duration.
    pub fn critical_time(&self, span: usize) -> (u64, f64) {
        let time = self.critical.time_of(span);
        let share = if self.trace_time == 0 {
            0.0
        } else {
            time as f64 / self.trace_time as f64
        };
        (time, share)
    }

    /// The section after (`forward`) or before `current` (the first or last when none), or
    /// `None` when the path is empty.
    pub fn step_section(&self, current: Option<usize>, forward: bool) -> Option<usize> {
        let n = self.critical.sections.len();
        if n == 0 {
            return None;
        }
        Some(match current {
            None if forward => 0,
            None => n - 1,
            Some(k) if forward => (k + 1) % n,
            Some(k) => (k + n - 1) % n,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::testing::{indexed, span};

    #[test]
    fn sections_per_span_and_shares() {
        // Root 0..100 with a child 20..60: path root 0..20, child 20..60, root 60..100.
        let (data, index) = indexed(vec![span(1, None, 0, 100), span(2, Some(1), 20, 60)]);
        let f = Findings::of(&data, &index, &index.traces[0]);
        let root = data
            .spans
            .iter()
            .position(|s| s.span_id.0 == 1)
            .expect("root");
        let child = 1 - root;
        let starts: Vec<u64> = f.sections_of(root).map(|s| s.start).collect();
        assert_eq!(starts, [0, 60]);
        assert_eq!(f.critical_time(child), (40, 0.4));
        assert!(f.is_critical(child));
        assert_eq!(f.step_section(None, true), Some(0));
        assert_eq!(f.step_section(Some(2), true), Some(0));
        assert_eq!(f.step_section(None, false), Some(2));
    }
}
