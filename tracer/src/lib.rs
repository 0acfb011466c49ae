//! Spindle: a fast distributed tracer.
#![forbid(unsafe_code)]

pub mod id;
pub mod propagation;
pub mod sampler;
pub mod span_context;
pub mod trace_state;

pub use id::{SpanId, TraceId};
pub use span_context::{SpanContext, TraceFlags};
pub use trace_state::TraceState;
