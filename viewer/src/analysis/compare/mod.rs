//! What changed between two traces, or between two sets of traces, matched by call path: the
//! (service, operation) names from the root down. No egui here.
//!
//! - [`tree`]: two traces as one merged tree; repeated siblings with the same name are matched
//!   in order (the third `SELECT` of A with the third of B); a node only in A is removed, only
//!   in B added. Each node carries A's and B's duration and self time.
//! - [`sets`]: two sets of traces aggregated by call path (count, total, self time per path),
//!   so "called 3x more" is told apart from "each call got slower".
//!
//! - [`extract`]: the traces of a comparison copied out (cheap fields only) so [`background`]
//!   can compare them on a worker thread while frames go on.
//! - [`windows`]: two sets from one file by time (traces starting in a window).
//!
//! Each side is a [`Side`]: its own [`TraceData`] and [`Index`], so A and B may come from
//! different files (and formats) or from one loaded document.

pub mod background;
pub mod extract;
mod keys;
pub mod sets;
pub mod tree;
pub mod windows;

#[cfg(test)]
mod tests;

use spindle_formats::TraceData;

use crate::index::Index;

pub use keys::{CallKey, Keys};
pub use sets::{PathChange, PathMeasure, SetComparison, SetSummary};
pub use tree::{Change, MergedNode, Times, TraceComparison};

/// One side of a comparison: the spans and the index they were loaded into.
#[derive(Debug, Clone, Copy)]
pub struct Side<'a> {
    pub data: &'a TraceData,
    pub index: &'a Index,
}

impl<'a> Side<'a> {
    pub fn new(data: &'a TraceData, index: &'a Index) -> Side<'a> {
        Side { data, index }
    }

    fn service(&self, span: usize) -> &'a str {
        self.index.service_name(self.index.service_of[span])
    }

    fn operation(&self, span: usize) -> &'a str {
        self.data.spans[span].name.as_ref()
    }

    fn duration(&self, span: usize) -> u64 {
        self.data.spans[span].duration_nanos()
    }

    fn self_time(&self, span: usize) -> u64 {
        self.index.self_time[span]
    }
}

/// `new` against `old` in percent (positive: slower); `None` when `old` is zero and `new` is
/// not (no finite percentage), `Some(0.0)` when both are zero.
pub fn percent_change(old: f64, new: f64) -> Option<f64> {
    if old == 0.0 {
        return (new == 0.0).then_some(0.0);
    }
    Some((new - old) / old * 100.0)
}
