//! Sampling decisions.
//!
//! A [`Sampler`] decides, when a span starts, whether it is recorded and exported. The
//! built-in samplers match the OpenTelemetry SDKs, including how a trace-id ratio is decided,
//! so services using either agree on which traces to keep.
//!
//! ```
//! use spindle::sampler::{ParentBased, Sampler, SamplingDecision, ShouldSample};
//! use spindle::TraceId;
//! use spindle_formats::{KeyValue, SpanKind};
//!
//! let sampler = Sampler::ParentBased(Box::new(ParentBased::new(Sampler::trace_id_ratio(0.5))));
//! let id = TraceId(0x0000_0000_0000_0001);
//! assert_eq!(sampler.should_sample(None, id, "GET /", SpanKind::Server), SamplingDecision::RecordAndSample);
//! ```

use std::fmt::Debug;
use std::sync::Arc;

use spindle_formats::{KeyValue, SpanKind};

use crate::id::TraceId;
use crate::span_context::SpanContext;

/// The environment variable naming the sampler.
pub const ENV_SAMPLER: &str = "OTEL_TRACES_SAMPLER";
/// The environment variable holding the sampler's argument (a ratio).
pub const ENV_SAMPLER_ARG: &str = "OTEL_TRACES_SAMPLER_ARG";

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
    fn from_bool(sampled: bool) -> Self {
        if sampled {
            Self::RecordAndSample
        } else {
            Self::Drop
        }
    }
}

/// Decides whether a new span is sampled. Called on every span start: keep it cheap.
pub trait ShouldSample: Send + Sync + Debug {
    /// The decision for a span named `name` of `kind` in trace `trace_id`, whose parent (if it
    /// has a valid one) is `parent`.
    fn should_sample(
        &self,
        parent: Option<&SpanContext>,
        trace_id: TraceId,
        name: &str,
        kind: SpanKind,
    ) -> SamplingDecision;

    /// The decision for a span that starts with `attributes` (those given to its builder, which
    /// OpenTelemetry's samplers see too). Override this to sample by attribute; the default
    /// ignores them and asks [`ShouldSample::should_sample`]. The attributes are borrowed from
    /// the builder: a sampler that does not look at them costs nothing for them, and a span
    /// that is not sampled never copies them.
    fn should_sample_with_attributes(
        &self,
        parent: Option<&SpanContext>,
        trace_id: TraceId,
        name: &str,
        kind: SpanKind,
        attributes: &[KeyValue],
    ) -> SamplingDecision {
        let _ = attributes;
        self.should_sample(parent, trace_id, name, kind)
    }
}

/// Samples a fixed fraction of traces, decided by the trace id alone: sampled when the low
/// 64 bits of the id are below `round(ratio * 2^64)`. A higher ratio keeps a superset of the
/// traces a lower one keeps.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TraceIdRatio {
    ratio: f64,
    /// Ids whose low 64 bits are below this are sampled (2^64 samples everything).
    threshold: u128,
}

impl TraceIdRatio {
    /// A ratio sampler; `ratio` is clamped to `[0, 1]` and NaN samples nothing.
    pub fn new(ratio: f64) -> Self {
        let ratio = if ratio.is_nan() {
            0.0
        } else {
            ratio.clamp(0.0, 1.0)
        };
        let threshold = if ratio >= 1.0 {
            1u128 << 64
        } else {
            // Below 1, ratio * 2^64 is at most 2^64 - 2^11: it fits a u64 exactly.
            u128::from((ratio * 2f64.powi(64)).round() as u64)
        };
        TraceIdRatio { ratio, threshold }
    }

    /// The (clamped) ratio.
    pub fn ratio(&self) -> f64 {
        self.ratio
    }

    /// The exclusive upper bound on the id's low 64 bits (2^64 when everything is sampled).
    pub fn bound(&self) -> u128 {
        self.threshold
    }

    /// True if `trace_id` is sampled.
    pub fn samples(&self, trace_id: TraceId) -> bool {
        u128::from(trace_id.low64()) < self.threshold
    }
}

/// Follows the parent's sampled flag, with a separate delegate for each kind of parent and a
/// root sampler for spans without one. Defaults match OpenTelemetry: sampled parents are
/// followed with `AlwaysOn`, unsampled ones with `AlwaysOff`.
#[derive(Debug, Clone)]
pub struct ParentBased {
    root: Sampler,
    remote_parent_sampled: Sampler,
    remote_parent_not_sampled: Sampler,
    local_parent_sampled: Sampler,
    local_parent_not_sampled: Sampler,
}

impl ParentBased {
    /// Parent-based sampling with `root` for spans without a parent and the default delegates.
    pub fn new(root: Sampler) -> Self {
        ParentBased {
            root,
            remote_parent_sampled: Sampler::AlwaysOn,
            remote_parent_not_sampled: Sampler::AlwaysOff,
            local_parent_sampled: Sampler::AlwaysOn,
            local_parent_not_sampled: Sampler::AlwaysOff,
        }
    }

    /// Uses `sampler` under a sampled remote parent.
    pub fn with_remote_parent_sampled(mut self, sampler: Sampler) -> Self {
        self.remote_parent_sampled = sampler;
        self
    }

    /// Uses `sampler` under an unsampled remote parent.
    pub fn with_remote_parent_not_sampled(mut self, sampler: Sampler) -> Self {
        self.remote_parent_not_sampled = sampler;
        self
    }

    /// Uses `sampler` under a sampled local parent.
    pub fn with_local_parent_sampled(mut self, sampler: Sampler) -> Self {
        self.local_parent_sampled = sampler;
        self
    }

    /// Uses `sampler` under an unsampled local parent.
    pub fn with_local_parent_not_sampled(mut self, sampler: Sampler) -> Self {
        self.local_parent_not_sampled = sampler;
        self
    }

    /// The sampler for spans without a parent.
    pub fn root(&self) -> &Sampler {
        &self.root
    }

    /// The sampler that decides for a span with this parent.
    fn delegate(&self, parent: Option<&SpanContext>) -> &Sampler {
        match parent.filter(|p| p.is_valid()) {
            None => &self.root,
            Some(p) => match (p.is_remote, p.is_sampled()) {
                (true, true) => &self.remote_parent_sampled,
                (true, false) => &self.remote_parent_not_sampled,
                (false, true) => &self.local_parent_sampled,
                (false, false) => &self.local_parent_not_sampled,
            },
        }
    }
}

impl ShouldSample for ParentBased {
    fn should_sample(
        &self,
        parent: Option<&SpanContext>,
        trace_id: TraceId,
        name: &str,
        kind: SpanKind,
    ) -> SamplingDecision {
        self.delegate(parent)
            .should_sample(parent, trace_id, name, kind)
    }

    fn should_sample_with_attributes(
        &self,
        parent: Option<&SpanContext>,
        trace_id: TraceId,
        name: &str,
        kind: SpanKind,
        attributes: &[KeyValue],
    ) -> SamplingDecision {
        self.delegate(parent)
            .should_sample_with_attributes(parent, trace_id, name, kind, attributes)
    }
}

/// A sampler: one of the built-in kinds or your own.
#[derive(Debug, Clone)]
pub enum Sampler {
    /// Samples everything.
    AlwaysOn,
    /// Samples nothing.
    AlwaysOff,
    /// Samples a fraction of traces by trace id.
    TraceIdRatio(TraceIdRatio),
    /// Follows the parent's decision.
    ParentBased(Box<ParentBased>),
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
    fn should_sample(
        &self,
        parent: Option<&SpanContext>,
        trace_id: TraceId,
        name: &str,
        kind: SpanKind,
    ) -> SamplingDecision {
        match self {
            Sampler::AlwaysOn => SamplingDecision::RecordAndSample,
            Sampler::AlwaysOff => SamplingDecision::Drop,
            Sampler::TraceIdRatio(ratio) => SamplingDecision::from_bool(ratio.samples(trace_id)),
            Sampler::ParentBased(pb) => pb.should_sample(parent, trace_id, name, kind),
            Sampler::Custom(custom) => custom.should_sample(parent, trace_id, name, kind),
        }
    }

    #[inline]
    fn should_sample_with_attributes(
        &self,
        parent: Option<&SpanContext>,
        trace_id: TraceId,
        name: &str,
        kind: SpanKind,
        attributes: &[KeyValue],
    ) -> SamplingDecision {
        match self {
            Sampler::AlwaysOn => SamplingDecision::RecordAndSample,
            Sampler::AlwaysOff => SamplingDecision::Drop,
            Sampler::TraceIdRatio(ratio) => SamplingDecision::from_bool(ratio.samples(trace_id)),
            Sampler::ParentBased(pb) => {
                pb.should_sample_with_attributes(parent, trace_id, name, kind, attributes)
            }
            Sampler::Custom(custom) => {
                custom.should_sample_with_attributes(parent, trace_id, name, kind, attributes)
            }
        }
    }
}

impl Sampler {
    /// A [`TraceIdRatio`] sampler (`ratio` clamped to `[0, 1]`).
    pub fn trace_id_ratio(ratio: f64) -> Sampler {
        Sampler::TraceIdRatio(TraceIdRatio::new(ratio))
    }

    /// A [`ParentBased`] sampler with default delegates and `root` for root spans.
    pub fn parent_based(root: Sampler) -> Sampler {
        Sampler::ParentBased(Box::new(ParentBased::new(root)))
    }

    /// The sampler configured by `OTEL_TRACES_SAMPLER` and `OTEL_TRACES_SAMPLER_ARG`; a
    /// configuration problem is reported on standard error and the default used instead.
    pub fn from_env() -> Sampler {
        let (sampler, warning) = Self::from_env_vars(|name| std::env::var(name).ok());
        if let Some(warning) = warning {
            eprintln!("spindle: {warning}");
        }
        sampler
    }

    /// The sampler configured by the variables `lookup` returns, and a warning if they were
    /// invalid. Names are case-insensitive; unset means `parentbased_always_on`; an unknown
    /// name falls back to that default, and a missing ratio to 1.0 (an invalid one to 1.0
    /// with a warning).
    ///
    /// ```
    /// use spindle::sampler::Sampler;
    /// let vars = |name: &str| match name {
    ///     "OTEL_TRACES_SAMPLER" => Some("traceidratio".to_string()),
    ///     "OTEL_TRACES_SAMPLER_ARG" => Some("0.25".to_string()),
    ///     _ => None,
    /// };
    /// let (sampler, warning) = Sampler::from_env_vars(vars);
    /// assert!(matches!(sampler, Sampler::TraceIdRatio(r) if r.ratio() == 0.25));
    /// assert!(warning.is_none());
    /// ```
    pub fn from_env_vars(lookup: impl Fn(&str) -> Option<String>) -> (Sampler, Option<String>) {
        let name = lookup(ENV_SAMPLER)
            .map(|n| n.trim().to_ascii_lowercase())
            .unwrap_or_default();
        let ratio = || parse_ratio(lookup(ENV_SAMPLER_ARG));
        match name.as_str() {
            "" | "parentbased_always_on" => (Sampler::default(), None),
            "always_on" => (Sampler::AlwaysOn, None),
            "always_off" => (Sampler::AlwaysOff, None),
            "parentbased_always_off" => (Sampler::parent_based(Sampler::AlwaysOff), None),
            "traceidratio" => map_first(ratio(), Sampler::trace_id_ratio),
            "parentbased_traceidratio" => map_first(ratio(), |r| {
                Sampler::parent_based(Sampler::trace_id_ratio(r))
            }),
            other => {
                let warning =
                    format!("unknown {ENV_SAMPLER} {other:?}; using parentbased_always_on");
                (Sampler::default(), Some(warning))
            }
        }
    }
}

/// Applies `f` to the first element of a pair.
fn map_first<A, B, W>((a, w): (A, W), f: impl FnOnce(A) -> B) -> (B, W) {
    (f(a), w)
}

/// The sampler argument as a ratio in `[0, 1]`: 1.0 when unset, 1.0 and a warning when invalid.
fn parse_ratio(arg: Option<String>) -> (f64, Option<String>) {
    let Some(text) = arg.map(|a| a.trim().to_string()).filter(|a| !a.is_empty()) else {
        return (1.0, None);
    };
    match text.parse::<f64>() {
        Ok(r) if (0.0..=1.0).contains(&r) => (r, None),
        _ => {
            let warning = format!("invalid {ENV_SAMPLER_ARG} {text:?} (want 0..=1); using 1.0");
            (1.0, Some(warning))
        }
    }
}
