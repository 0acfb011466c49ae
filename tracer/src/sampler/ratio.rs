//! `TraceIdRatio`: OpenTelemetry's `TraceIdRatioBased`, kept for compatibility (prefer
//! [`ProbabilitySampler`](super::ProbabilitySampler), which other SDKs decide alike).

use crate::id::TraceId;

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
