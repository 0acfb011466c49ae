//! Why a trace is slow, computed from the index's trees (no egui here): the critical path
//! ([`critical_path`]), statistics by service, operation or attribute ([`stats`]), and
//! repeated sibling calls with N+1 findings ([`repeats`]); [`findings`] holds all three for the
//! selected trace, computed once when it is selected.
//!
//! What changed: [`compare`] merges two traces, or two sets of traces, by call path;
//! [`service_map`] draws services and the calls between them; [`clock_skew`] marks spans whose
//! clock looks off against their parent's and computes an adjustment beside the raw times.
//!
//! Every function reads a [`crate::index::Index`] and the [`spindle_formats::TraceData`] it was
//! built from; none builds a second tree.

pub mod clock_skew;
pub mod compare;
pub mod critical_path;
pub mod findings;
pub mod repeats;
pub mod service_map;
pub mod stats;

#[cfg(test)]
pub(crate) mod testing;
