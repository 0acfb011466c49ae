//! The `tracing` bridge: code instrumented with the `tracing` crate (and the libraries that
//! emit `tracing` spans) reports through Spindle's own pipeline, in one tree with Spindle's
//! spans, and `tracing_subscriber::fmt` lines carry the trace and span ids.
//!
//! ```
//! use tracing_subscriber::layer::SubscriberExt;
//! let subscriber = tracing_subscriber::registry()
//!     .with(spindle_tracing::SpindleLayer::new())
//!     .with(tracing_subscriber::fmt::layer()
//!         .event_format(spindle_tracing::with_trace_ids(tracing_subscriber::fmt::format())));
//! # let _ = subscriber;
//! // tracing::subscriber::set_global_default(subscriber)?;
//! ```
//!
//! One tree, both ways: a `tracing` span with no `tracing` parent is a child of the current
//! Spindle span, and while a `tracing` span is entered (also inside an `.instrument()`
//! future's poll) its Spindle context is current on Spindle's per-thread stack, so
//! `spindle::Span::new` and `spindle::Context::current()` see it. `spindle::current::*`
//! setters reach Spindle spans only; record on a `tracing` span with `Span::record`.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod enter;
mod event;
mod fields;
mod layer;
mod log_ids;

pub use layer::SpindleLayer;
pub use log_ids::{WithTraceIds, with_trace_ids};
