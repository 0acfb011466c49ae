//! W3C `tracestate`: vendor key-value pairs carried beside the trace id.

use std::sync::Arc;

/// An immutable, cheaply cloned list of `tracestate` entries (empty costs nothing).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TraceState {
    entries: Option<Arc<[(String, String)]>>,
}
