//! What a sampler sees of a span about to start, and what it answers.

use spindle_formats::{KeyValue, SpanKind, Value};

use crate::id::TraceId;
use crate::span_context::SpanContext;
use crate::trace_state::TraceState;

/// What a sampler sees when a span starts: what OpenTelemetry's samplers see (the parent,
/// the trace id, the name, the kind and the attributes given to the builder). Borrowed from
/// the span being started: building one costs nothing.
///
/// ```
/// use spindle::sampler::SamplingInput;
/// use spindle::{KeyValue, SpanKind, TraceId};
///
/// let attributes = [KeyValue::new("url.path", "/health")];
/// let input = SamplingInput::root(TraceId(7), "GET /health", SpanKind::Server).with_attributes(&attributes);
/// assert_eq!(input.attribute("url.path"), Some(&"/health".into()));
/// assert!(input.parent.is_none() && input.trace_id_is_random());
/// ```
#[derive(Debug, Clone, Copy)]
pub struct SamplingInput<'a> {
    /// The parent's context, if the span has a valid parent (none for a new trace).
    pub parent: Option<&'a SpanContext>,
    /// The trace the span belongs to (the parent's, or a new one).
    pub trace_id: TraceId,
    /// The span's name.
    pub name: &'a str,
    /// The span's kind.
    pub kind: SpanKind,
    /// The attributes given to the span's builder (empty for `Span::new`).
    pub attributes: &'a [KeyValue],
}

impl<'a> SamplingInput<'a> {
    /// The input for a root span (a new trace) without attributes.
    pub fn root(trace_id: TraceId, name: &'a str, kind: SpanKind) -> Self {
        SamplingInput {
            parent: None,
            trace_id,
            name,
            kind,
            attributes: &[],
        }
    }

    /// This input under `parent` (an invalid parent counts as none), in the parent's trace.
    pub fn with_parent(mut self, parent: &'a SpanContext) -> Self {
        if parent.is_valid() {
            self.parent = Some(parent);
            self.trace_id = parent.trace_id;
        }
        self
    }

    /// This input with the builder's `attributes`.
    pub fn with_attributes(mut self, attributes: &'a [KeyValue]) -> Self {
        self.attributes = attributes;
        self
    }

    /// The first builder attribute named `key`.
    pub fn attribute(&self, key: &str) -> Option<&'a Value> {
        let attributes: &'a [KeyValue] = self.attributes;
        attributes
            .iter()
            .find(|kv| kv.key == key)
            .map(|kv| &kv.value)
    }

    /// The trace state the span inherits (its parent's; empty for a new trace).
    pub fn trace_state(&self) -> &'a TraceState {
        self.parent.map_or(&TraceState::EMPTY, |p| &p.trace_state)
    }

    /// True when the trace id's right-most 7 bytes are random: a trace id Spindle makes, or a
    /// parent whose W3C `random` flag is set.
    pub fn trace_id_is_random(&self) -> bool {
        self.parent.is_none_or(|p| p.trace_flags.is_random())
    }
}

/// Whether a span is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SamplingDecision {
    /// Neither recorded nor exported.
    Drop,
    /// Recorded, exported, and marked sampled for children.
    RecordAndSample,
}

impl SamplingDecision {
    /// True for [`SamplingDecision::RecordAndSample`].
    pub fn is_sampled(self) -> bool {
        self == SamplingDecision::RecordAndSample
    }

    /// `RecordAndSample` when `sampled`, else `Drop`.
    pub fn from_bool(sampled: bool) -> Self {
        if sampled {
            Self::RecordAndSample
        } else {
            Self::Drop
        }
    }
}

/// A sampler's answer: the decision, and the trace state the new span carries if the sampler
/// changes it (a probability sampler records its threshold there).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SamplingResult {
    /// Whether the span is kept.
    pub decision: SamplingDecision,
    /// The new span's trace state; `None` keeps the parent's (empty for a new trace).
    pub trace_state: Option<TraceState>,
}

impl SamplingResult {
    /// Sampled, trace state unchanged.
    pub const SAMPLE: SamplingResult = SamplingResult {
        decision: SamplingDecision::RecordAndSample,
        trace_state: None,
    };
    /// Dropped, trace state unchanged.
    pub const DROP: SamplingResult = SamplingResult {
        decision: SamplingDecision::Drop,
        trace_state: None,
    };

    /// True if the span is kept.
    pub fn is_sampled(&self) -> bool {
        self.decision.is_sampled()
    }
}

impl From<SamplingDecision> for SamplingResult {
    /// The decision with the trace state unchanged.
    fn from(decision: SamplingDecision) -> Self {
        SamplingResult {
            decision,
            trace_state: None,
        }
    }
}

impl From<bool> for SamplingResult {
    /// Sampled when `true`, trace state unchanged.
    fn from(sampled: bool) -> Self {
        SamplingDecision::from_bool(sampled).into()
    }
}
