//! The identity of a span as it travels: ids, trace flags, trace state, and whether it came
//! from another process.

use crate::id::{SpanId, TraceId};
use crate::trace_state::TraceState;

/// W3C trace flags (one byte; bit 0 is "sampled").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TraceFlags(pub u8);

impl TraceFlags {
    /// No flags: not sampled.
    pub const NONE: TraceFlags = TraceFlags(0);
    /// The sampled flag.
    pub const SAMPLED: TraceFlags = TraceFlags(1);

    /// True if the sampled bit is set.
    pub fn is_sampled(self) -> bool {
        self.0 & 1 == 1
    }

    /// These flags with the sampled bit set or cleared.
    pub fn with_sampled(self, sampled: bool) -> Self {
        TraceFlags(if sampled { self.0 | 1 } else { self.0 & !1 })
    }
}

/// What identifies a span to its children and to other services.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SpanContext {
    /// The trace the span belongs to.
    pub trace_id: TraceId,
    /// The span itself (the parent id its children record).
    pub span_id: SpanId,
    /// W3C trace flags (only the sampled bit is defined).
    pub trace_flags: TraceFlags,
    /// Vendor entries carried with the context (`tracestate`).
    pub trace_state: TraceState,
    /// True when the context was extracted from an incoming request.
    pub is_remote: bool,
}

impl SpanContext {
    /// A context with valid (non-zero) trace and span ids.
    pub fn is_valid(&self) -> bool {
        self.trace_id.is_valid() && self.span_id.is_valid()
    }

    /// True if the span is sampled (its spans are recorded and exported).
    pub fn is_sampled(&self) -> bool {
        self.trace_flags.is_sampled()
    }
}
