//! `ProbabilitySampler`: consistent probability sampling as the OpenTelemetry specification
//! defines it ("TraceState: Probability Sampling" and the SDK's `ProbabilitySampler`).
//!
//! A ratio becomes a 56-bit rejection threshold `T` (rounded to 4 significant hex digits, as
//! the specification recommends and computes); a span is sampled when its trace's 56-bit
//! randomness `R` (the explicit `ot=rv:` value if the trace state has one, else the trace
//! id's right-most 7 bytes) is at least `T`. A sampled span records `T` in its trace state as
//! `ot=th:...`, which children and downstream services (and collectors) read as the
//! trace's sampling probability. Every SDK that implements the specification decides the
//! same for the same trace id and ratio.

use super::otel_state;
use super::{SamplingDecision, SamplingInput, SamplingResult};
use crate::trace_state::TraceState;

/// 2^56: the number of distinct 56-bit randomness values.
const MAX_ADJUSTED_COUNT: f64 = 72_057_594_037_927_936.0;
/// The right-most 56 bits of a trace id.
const RANDOMNESS_MASK: u128 = (1 << 56) - 1;
/// Significant hex digits of a threshold made from a ratio (the specification's advice).
pub(crate) const DEFAULT_PRECISION: u32 = 4;
/// The 52-bit significand of an `f64`: 13 hex digits.
const SIGNIFICAND_DIGITS: u32 = 13;

/// Samples a fraction of traces, consistently with every OpenTelemetry SDK that implements
/// the specification's `ProbabilitySampler`.
///
/// ```
/// use spindle::sampler::ProbabilitySampler;
/// // The specification's table: 1 in 10 is the threshold e666, 1 in 100 fd70a.
/// assert_eq!(ProbabilitySampler::new(0.1).threshold_text().as_deref(), Some("e666"));
/// assert_eq!(ProbabilitySampler::new(0.01).threshold_text().as_deref(), Some("fd70a"));
/// assert_eq!(ProbabilitySampler::new(1.0).threshold_text().as_deref(), Some("0"));
/// assert_eq!(ProbabilitySampler::new(0.0).threshold(), None, "0 samples nothing");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ProbabilitySampler {
    ratio: f64,
    /// The rejection threshold; `None` for ratio 0 (nothing is sampled).
    threshold: Option<u64>,
    /// `ot=th:...` alone, made once: the trace state of every kept span whose parent had
    /// none (a root, most often), shared rather than built per span.
    own_state: TraceState,
}

impl ProbabilitySampler {
    /// A sampler keeping `ratio` of traces: clamped to `[0, 1]` (NaN is 0), and a ratio
    /// between 0 and 2^-56 (the smallest the specification defines) raised to 2^-56.
    pub fn new(ratio: f64) -> Self {
        Self::with_precision(ratio, DEFAULT_PRECISION)
    }

    /// As [`new`](Self::new) with the threshold rounded to `precision` significant hex
    /// digits (1 to 12; the specification's default is 4).
    pub fn with_precision(ratio: f64, precision: u32) -> Self {
        let ratio = if ratio.is_nan() {
            0.0
        } else {
            ratio.clamp(0.0, 1.0)
        };
        let threshold = (ratio > 0.0).then(|| {
            let ratio = ratio.max(1.0 / MAX_ADJUSTED_COUNT);
            probability_to_threshold(ratio, precision.clamp(1, 12))
        });
        let own_state = otel_state::with_threshold(&TraceState::EMPTY, threshold);
        ProbabilitySampler {
            ratio,
            threshold,
            own_state,
        }
    }

    /// The ratio asked for (clamped).
    pub fn ratio(&self) -> f64 {
        self.ratio
    }

    /// The 56-bit rejection threshold (`None`: nothing is sampled).
    pub fn threshold(&self) -> Option<u64> {
        self.threshold
    }

    /// The threshold as it appears in `ot=th:...`.
    pub fn threshold_text(&self) -> Option<String> {
        self.threshold.map(otel_state::threshold_text)
    }

    /// The probability the threshold stands for (what the ratio became when rounded).
    pub fn effective_probability(&self) -> f64 {
        self.threshold.map_or(0.0, |t| {
            (MAX_ADJUSTED_COUNT - t as f64) / MAX_ADJUSTED_COUNT
        })
    }

    /// The decision for `input`, with the trace state's `th` set (sampled) or erased (not).
    pub fn should_sample(&self, input: &SamplingInput<'_>) -> SamplingResult {
        let state = input.trace_state();
        let sampled = self.threshold.filter(|&t| randomness(input) >= t);
        let decision = SamplingDecision::from_bool(sampled.is_some());
        let trace_state = match (state.is_empty(), sampled) {
            (true, Some(_)) => Some(self.own_state.clone()),
            (true, None) => None,
            (false, _) => (otel_state::threshold(state) != sampled)
                .then(|| otel_state::with_threshold(state, sampled)),
        };
        SamplingResult {
            decision,
            trace_state,
        }
    }
}

/// The trace's 56-bit randomness: the explicit `rv` value, else the trace id's right-most 7
/// bytes (presumed random, as the specification says, whether or not the flag says so).
fn randomness(input: &SamplingInput<'_>) -> u64 {
    otel_state::randomness(input.trace_state())
        .unwrap_or((input.trace_id.0 & RANDOMNESS_MASK) as u64)
}

/// The specification's `ProbabilityToThresholdWithPrecision` for `probability` in
/// `[2^-56, 1]`: the rejection probability's hex digits, rounded to `precision` significant
/// digits (more for probabilities near zero, whose thresholds start with `f`s).
fn probability_to_threshold(probability: f64, precision: u32) -> u64 {
    if probability >= 1.0 {
        return 0;
    }
    // frexp's exponent: probability = m * 2^exponent with m in [0.5, 1), at most 0 here.
    let exponent = ((probability.to_bits() >> 52) & 0x7ff) as i64 - 1022;
    let extra = (-exponent / 4) as u32;
    let precision = (precision + extra).clamp(1, 12);
    // 1 + rejection probability, in [1, 2), plus half of the last digit kept.
    let rejection = 2.0 - probability + 0.5 * 2f64.powi(-4 * precision as i32);
    let significand = if rejection >= 2.0 {
        (1u64 << 52) - 1
    } else {
        rejection.to_bits() & ((1u64 << 52) - 1)
    };
    let kept = significand >> (4 * (SIGNIFICAND_DIGITS - precision));
    kept << (4 * (SIGNIFICAND_DIGITS + 1 - precision))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// The specification's table of 1-in-N thresholds at precisions 3, 4 and 5.
    #[test]
    fn thresholds_match_the_specification_table() {
        let table: [(f64, [&str; 3]); 13] = [
            (1.0, ["0", "0", "0"]),
            (0.5, ["8", "8", "8"]),
            (1.0 / 3.0, ["aab", "aaab", "aaaab"]),
            (0.25, ["c", "c", "c"]),
            (0.2, ["ccd", "cccd", "ccccd"]),
            (0.125, ["e", "e", "e"]),
            (0.1, ["e66", "e666", "e6666"]),
            (0.0625, ["f", "f", "f"]),
            (0.01, ["fd71", "fd70a", "fd70a4"]),
            (0.001, ["ffbe7", "ffbe77", "ffbe76d"]),
            (0.0001, ["fff972", "fff9724", "fff97247"]),
            (0.00001, ["ffff584", "ffff583a", "ffff583a5"]),
            (0.000001, ["ffffef4", "ffffef39", "ffffef391"]),
        ];
        for (probability, texts) in table {
            for (precision, want) in (3..=5).zip(texts) {
                let sampler = ProbabilitySampler::with_precision(probability, precision);
                let got = sampler.threshold_text().unwrap();
                assert_eq!(got, want, "p={probability} precision={precision}");
            }
        }
    }

    #[test]
    fn the_one_percent_example_is_fd70a4_at_five_digits() {
        let sampler = ProbabilitySampler::with_precision(0.01, 5);
        assert_eq!(sampler.threshold(), Some(0x00fd_70a4_0000_0000));
        let effective = ProbabilitySampler::new(0.25).effective_probability();
        assert_eq!(effective, 0.25);
    }

    #[test]
    fn tiny_ratios_are_raised_to_the_smallest_probability() {
        let smallest = ProbabilitySampler::new(1e-30);
        assert_eq!(smallest.threshold_text().as_deref(), Some("ffffffffffff"));
        assert_eq!(ProbabilitySampler::new(f64::NAN).threshold(), None);
        assert_eq!(ProbabilitySampler::new(-1.0).threshold(), None);
        assert_eq!(ProbabilitySampler::new(7.0).threshold(), Some(0));
    }
}
