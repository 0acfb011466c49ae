//! The identity of a span as it travels: ids, trace flags, trace state, and whether it came
//! from another process.

use crate::id::{SpanId, TraceId};
use crate::trace_state::TraceState;

/// W3C trace flags (one byte): bit 0 is "sampled", bit 1 "random" (W3C Trace Context Level 2:
/// at least the right-most 7 bytes of the trace id are random). Other bits are reserved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TraceFlags(pub u8);

impl TraceFlags {
    /// No flags: not sampled.
    pub const NONE: TraceFlags = TraceFlags(0);
    /// The sampled flag.
    pub const SAMPLED: TraceFlags = TraceFlags(1);
    /// The random trace id flag (Level 2): the trace id's right-most 7 bytes are random.
    /// Spindle sets it on every trace id it generates and keeps it on a trace it continues.
    pub const RANDOM: TraceFlags = TraceFlags(2);

    /// True if the sampled bit is set.
    pub fn is_sampled(self) -> bool {
        self.0 & Self::SAMPLED.0 != 0
    }

    /// True if the random bit is set.
    pub fn is_random(self) -> bool {
        self.0 & Self::RANDOM.0 != 0
    }

    /// These flags with the sampled bit set or cleared.
    pub fn with_sampled(self, sampled: bool) -> Self {
        self.with_bit(Self::SAMPLED, sampled)
    }

    /// These flags with the random bit set or cleared.
    pub fn with_random(self, random: bool) -> Self {
        self.with_bit(Self::RANDOM, random)
    }

    fn with_bit(self, bit: TraceFlags, on: bool) -> Self {
        TraceFlags(if on { self.0 | bit.0 } else { self.0 & !bit.0 })
    }
}

/// What identifies a span to its children and to other services.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SpanContext {
    /// The trace the span belongs to.
    pub trace_id: TraceId,
    /// The span itself (the parent id its children record).
    pub span_id: SpanId,
    /// W3C trace flags (sampled and random).
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
