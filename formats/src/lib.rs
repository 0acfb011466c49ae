//! `spindle-formats`: the one trace data model and every trace file codec.
//!
//! The tracer writes through these codecs and the viewer reads through them; no other crate
//! parses or writes a trace format.
//!
//! - [`read`] / [`read_file`]: any supported format, detected from the content ([`detect()`]),
//!   plain or gzip-compressed.
//! - [`spindle_json`]: Spindle's own versioned JSON Lines format ([`write_spindle_json`]).
//! - [`zipkin`]: Zipkin v2 JSON ([`write_zipkin`]).
//! - [`otlp_json`]: OTLP/JSON, as OTLP/HTTP bodies and the collector's file exporter
//!   ([`write_otlp_json`]).
//! - [`otlp_proto`]: OTLP protobuf, as OTLP/HTTP bodies and `.binpb` files
//!   ([`write_otlp_proto`]).
//! - [`jaeger_json`]: Jaeger's query API / UI JSON (read only).
//! - [`chrome`]: Chrome Trace Event JSON for Perfetto UI and chrome://tracing
//!   ([`write_chrome`], write only).
//!
//! The `spindle-convert` binary converts between these formats and summarizes files.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[cfg(test)]
mod arbitrary;
mod base64;
pub mod batch;
pub mod chrome;
mod context;
mod conventions;
mod cut;
mod derived_id;
pub mod detect;
pub mod error;
mod gzip;
mod hex;
pub mod jaeger_json;
mod json_out;
mod known_keys;
mod loaded;
pub mod model;
mod num;
pub mod otlp_json;
pub mod otlp_proto;
mod otlp_shape;
mod plain_json;
mod read;
mod scan;
pub mod spindle_json;
mod stream;
mod text;
pub mod time;
pub mod zipkin;

pub use batch::{SpanBatch, Spans};
pub use chrome::write as write_chrome;
pub use detect::{Format, detect};
pub use error::{Location, Problem, ReadError, Warning};
pub use loaded::{Loaded, ReadOptions};
pub use model::*;
pub use otlp_json::write as write_otlp_json;
pub use otlp_proto::write as write_otlp_proto;
pub use read::{read, read_file, read_file_with};
pub use spindle_json::write as write_spindle_json;
pub use zipkin::write as write_zipkin;
