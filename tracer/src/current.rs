//! The current span of this thread: read its ids (for log correlation) and add to it.
//!
//! ```
//! spindle::in_span("handle request", || {
//!     spindle::current::set_attribute("user.id", 42);
//!     spindle::current::add_event("cache miss", vec![]);
//!     let ids = spindle::current::trace_id().map(|id| id.to_string());
//!     assert_eq!(ids.map(|s| s.len()), Some(32));
//! });
//! ```

use spindle_formats::{KeyValue, Status, Str, Value};

use crate::context::{current_span_context, with_span};
use crate::id::{SpanId, TraceId};
use crate::span_context::SpanContext;

/// The current span's context (or attached context), if any.
pub fn span_context() -> Option<SpanContext> {
    current_span_context()
}

/// The current trace id, for log correlation.
pub fn trace_id() -> Option<TraceId> {
    current_span_context().map(|c| c.trace_id)
}

/// The current span id, for log correlation.
pub fn span_id() -> Option<SpanId> {
    current_span_context().map(|c| c.span_id)
}

/// Sets an attribute on the current span (no-op without one).
pub fn set_attribute(key: impl Into<Str>, value: impl Into<Value>) {
    with_span(None, |span| span.set_attribute(key, value));
}

/// Adds attributes computed by `f` (run only if the current span is sampled).
pub fn with_attributes<I: IntoIterator<Item = KeyValue>>(f: impl FnOnce() -> I) {
    with_span(None, |span| span.with_attributes(f));
}

/// Adds an event to the current span.
pub fn add_event(name: impl Into<Str>, attributes: Vec<KeyValue>) {
    with_span(None, |span| span.add_event(name, attributes));
}

/// Sets the status of the current span.
pub fn set_status(status: Status) {
    with_span(None, |span| span.set_status(status));
}

/// Records an error on the current span (see [`crate::Span::record_error`]).
pub fn record_error<E: std::error::Error + ?Sized>(error: &E) {
    with_span(None, |span| span.record_error(error));
}
