//! Why a trace is slow, computed from the index's trees (no egui here): the critical path
//! ([`critical_path`]), statistics by service, operation or attribute ([`stats`]), and
//! repeated sibling calls with N+1 findings ([`repeats`]); [`findings`] holds all three for the
//! selected trace, computed once when it is selected.
//!
//! Every function reads a [`crate::index::Index`] and the [`spindle_formats::TraceData`] it was
//! built from; none builds a second tree.

pub mod critical_path;
pub mod findings;
pub mod repeats;
pub mod stats;

#[cfg(test)]
pub(crate) mod testing;
