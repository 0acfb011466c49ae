//! W3C `tracestate`: vendor key-value pairs carried beside the trace id.

use std::sync::Arc;

/// An immutable, cheaply cloned list of `tracestate` entries (empty costs nothing).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TraceState {
    entries: Option<Arc<[(String, String)]>>,
}

impl TraceState {
    /// True when there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.as_ref().is_none_or(|e| e.is_empty())
    }

    /// The header value (`key=value,key=value`).
    pub fn header(&self) -> String {
        let entries = self.entries.as_deref().unwrap_or_default();
        entries
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(",")
    }
}
