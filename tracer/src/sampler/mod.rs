//! Sampling decisions.
//!
//! A [`Sampler`] decides, when a span starts, whether it is recorded and exported. It sees
//! what OpenTelemetry's samplers see ([`SamplingInput`]: parent, trace id, name, kind and the
//! builder's attributes) and answers a [`SamplingResult`] (the decision, and the trace state
//! if it changes it). The built-in samplers match the OpenTelemetry SDKs: [`ProbabilitySampler`]
//! decides as every SDK that implements the current specification does (threshold in
//! `tracestate` as `ot=th:...`), [`TraceIdRatio`] stays for compatibility, and
//! [`RuleSampler`] picks a sampler by span name, kind and attribute. [`TailSampling`] keeps
//! errors and slow traces after the fact, on the exporter's thread.
//!
//! ```
//! use spindle::sampler::{ParentBased, Sampler, SamplingInput, ShouldSample};
//! use spindle::{SpanKind, TraceId};
//!
//! let sampler = Sampler::parent_based(Sampler::probability(0.5));
//! let input = SamplingInput::root(TraceId(0xff << 48), "GET /", SpanKind::Server);
//! let result = sampler.should_sample(&input);
//! assert!(result.is_sampled());
//! assert_eq!(result.trace_state.unwrap().header(), "ot=th:8");
//! ```

mod env;
mod input;
mod otel_state;
mod parent_based;
mod probability;
mod ratio;
mod rules;
mod rules_env;
mod tail;

use std::fmt::Debug;
use std::sync::Arc;

pub use input::{SamplingDecision, SamplingInput, SamplingResult};
pub use parent_based::ParentBased;
pub use probability::ProbabilitySampler;
pub use ratio::TraceIdRatio;
pub use rules::{AttributeMatch, NameMatch, Rule, RuleSampler};
pub use rules_env::{ENV_SAMPLING_RULES, RulesError};
pub use tail::TailSampling;

/// The environment variable naming the sampler.
pub const ENV_SAMPLER: &str = "OTEL_TRACES_SAMPLER";
/// The environment variable holding the sampler's argument (a ratio).
pub const ENV_SAMPLER_ARG: &str = "OTEL_TRACES_SAMPLER_ARG";

/// Decides whether a new span is sampled. Called on every span start: keep it cheap.
pub trait ShouldSample: Send + Sync + Debug {
    /// The decision for the span `input` describes. A sampler that does not change the
    /// trace state answers a decision (`SamplingDecision::Drop.into()`, `true.into()`).
    fn should_sample(&self, input: &SamplingInput<'_>) -> SamplingResult;
}

/// A sampler: one of the built-in kinds or your own.
#[derive(Debug, Clone)]
pub enum Sampler {
    /// Samples everything.
    AlwaysOn,
    /// Samples nothing.
    AlwaysOff,
    /// Samples a fraction of traces by trace id (OpenTelemetry's `TraceIdRatioBased`).
    TraceIdRatio(TraceIdRatio),
    /// Samples a fraction of traces as the OpenTelemetry specification's `ProbabilitySampler`.
    Probability(ProbabilitySampler),
    /// Follows the parent's decision.
    ParentBased(Box<ParentBased>),
    /// Picks a sampler by span name, kind and attribute.
    Rules(Arc<RuleSampler>),
    /// A user-supplied sampler.
    Custom(Arc<dyn ShouldSample>),
}

impl Default for Sampler {
    /// `parentbased_always_on`, the OpenTelemetry default.
    fn default() -> Self {
        Sampler::parent_based(Sampler::AlwaysOn)
    }
}

impl ShouldSample for Sampler {
    #[inline]
    fn should_sample(&self, input: &SamplingInput<'_>) -> SamplingResult {
        match self {
            Sampler::AlwaysOn => SamplingResult::SAMPLE,
            Sampler::AlwaysOff => SamplingResult::DROP,
            Sampler::TraceIdRatio(ratio) => ratio.samples(input.trace_id).into(),
            Sampler::Probability(probability) => probability.should_sample(input),
            Sampler::ParentBased(pb) => pb.should_sample(input),
            Sampler::Rules(rules) => rules.should_sample(input),
            Sampler::Custom(custom) => custom.should_sample(input),
        }
    }
}

impl Sampler {
    /// A [`TraceIdRatio`] sampler (`ratio` clamped to `[0, 1]`).
    pub fn trace_id_ratio(ratio: f64) -> Sampler {
        Sampler::TraceIdRatio(TraceIdRatio::new(ratio))
    }

    /// A [`ProbabilitySampler`] (`ratio` clamped to `[0, 1]`; 0 samples nothing).
    pub fn probability(ratio: f64) -> Sampler {
        Sampler::Probability(ProbabilitySampler::new(ratio))
    }

    /// A [`ParentBased`] sampler with default delegates and `root` for root spans.
    pub fn parent_based(root: Sampler) -> Sampler {
        Sampler::ParentBased(Box::new(ParentBased::new(root)))
    }
}
