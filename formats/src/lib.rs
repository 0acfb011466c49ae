//! `spindle-formats`: the one trace data model and every trace file codec.
//!
//! The tracer writes through these codecs and the viewer reads through them; no other crate
//! parses or writes a trace format.
#![forbid(unsafe_code)]

pub mod model;

pub use model::*;
pub mod spindle_json;
pub mod zipkin;
