//! Sampling decisions. (Temporary minimal version; the full samplers land separately.)

use crate::id::TraceId;
use crate::span_context::SpanContext;
use spindle_formats::SpanKind;

/// Whether a new span is recorded and exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SamplingDecision {
    Drop,
    RecordAndSample,
}

/// Decides whether a new span is sampled.
pub trait ShouldSample: Send + Sync + std::fmt::Debug {
    fn should_sample(
        &self,
        parent: Option<&SpanContext>,
        trace_id: TraceId,
        name: &str,
        kind: SpanKind,
    ) -> SamplingDecision;
}

/// The built-in samplers.
#[derive(Debug, Clone)]
pub enum Sampler {
    AlwaysOn,
    AlwaysOff,
}

impl Default for Sampler {
    fn default() -> Self {
        Sampler::AlwaysOn
    }
}

impl Sampler {
    pub fn from_env() -> Sampler {
        Sampler::AlwaysOn
    }
}

impl ShouldSample for Sampler {
    fn should_sample(
        &self,
        parent: Option<&SpanContext>,
        _: TraceId,
        _: &str,
        _: SpanKind,
    ) -> SamplingDecision {
        match (self, parent) {
            (_, Some(p)) if !p.is_sampled() => SamplingDecision::Drop,
            (Sampler::AlwaysOn, _) => SamplingDecision::RecordAndSample,
            (Sampler::AlwaysOff, _) => SamplingDecision::Drop,
        }
    }
}
