//! `ProbabilitySampler` against the OpenTelemetry specification's examples: thresholds in
//! `tracestate`, randomness from the trace id or `ot=rv:`, consistency across ratios.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use spindle::sampler::{ProbabilitySampler, Sampler, SamplingInput, ShouldSample};
use spindle::{SpanContext, SpanId, SpanKind, TraceFlags, TraceId, TraceState};

fn root(trace: u128) -> SamplingInput<'static> {
    SamplingInput::root(TraceId(trace), "op", SpanKind::Internal)
}

fn parent(trace: u128, state: &str) -> SpanContext {
    SpanContext {
        trace_id: TraceId(trace),
        span_id: SpanId(1),
        trace_flags: TraceFlags::SAMPLED.with_random(true),
        trace_state: TraceState::from_header(state).unwrap(),
        is_remote: true,
    }
}

#[test]
fn a_kept_root_carries_its_threshold_in_tracestate() {
    let sampler = Sampler::probability(0.25);
    // Randomness c0000000000000 is exactly the threshold for 25%: kept (R >= T).
    let result = sampler.should_sample(&root(0x00c0_0000_0000_0000));
    assert!(result.is_sampled());
    assert_eq!(result.trace_state.unwrap().header(), "ot=th:c");
    let below = sampler.should_sample(&root(0x00bf_ffff_ffff_ffff));
    assert!(!below.is_sampled());
    assert_eq!(below.trace_state, None, "nothing to erase");
}

#[test]
fn only_the_right_most_seven_bytes_of_the_trace_id_decide() {
    let sampler = Sampler::probability(0.5);
    for high in [0u128, 0x00ff_ffff_ffff_ffff_ffff << 56, 0x1234 << 100] {
        assert!(
            sampler
                .should_sample(&root(high | 0x0080_0000_0000_0000))
                .is_sampled()
        );
        assert!(
            !sampler
                .should_sample(&root(high | 0x007f_ffff_ffff_ffff))
                .is_sampled()
        );
    }
}

#[test]
fn the_explicit_randomness_value_wins_over_the_trace_id() {
    // The specification's example: rv 6e6d1a75832a2f is kept at 56.9% and above.
    let cx = parent(u128::MAX, "ot=rv:6e6d1a75832a2f");
    let input = root(0).with_parent(&cx);
    let kept = Sampler::probability(0.57).should_sample(&input);
    assert!(kept.is_sampled());
    let state = kept.trace_state.unwrap();
    assert!(
        state.get("ot").unwrap().contains("rv:6e6d1a75832a2f"),
        "rv kept: {state}"
    );
    assert!(
        !Sampler::probability(0.56)
            .should_sample(&input)
            .is_sampled()
    );
}

#[test]
fn other_vendors_entries_are_kept_and_ot_moves_to_the_front() {
    let cx = parent(u128::MAX, "congo=t61rcWkgMzE,ot=th:8");
    let result = Sampler::probability(0.1).should_sample(&root(0).with_parent(&cx));
    assert!(result.is_sampled());
    assert_eq!(
        result.trace_state.unwrap().header(),
        "ot=th:e666,congo=t61rcWkgMzE"
    );
}

#[test]
fn a_dropped_span_erases_an_inherited_threshold() {
    let cx = parent(0x0000_0000_0000_0001, "ot=th:8;rv:00000000000001,a=1");
    let result = Sampler::probability(0.5).should_sample(&root(0).with_parent(&cx));
    assert!(!result.is_sampled());
    assert_eq!(
        result.trace_state.unwrap().header(),
        "ot=rv:00000000000001,a=1"
    );
}

#[test]
fn parent_based_children_keep_the_roots_threshold() {
    let sampler = Sampler::parent_based(Sampler::probability(0.25));
    let cx = parent(0x00c0_0000_0000_0000, "ot=th:c");
    let result = sampler.should_sample(&root(0).with_parent(&cx));
    assert!(result.is_sampled());
    assert_eq!(
        result.trace_state, None,
        "the parent's trace state, unchanged"
    );
}

#[test]
fn spans_started_with_the_sampler_propagate_the_threshold() {
    let _tracer = spindle::init(spindle::Config::new().sampler(Sampler::probability(1.0)))
        .expect("tracer starts");
    let span = spindle::Span::root("kept");
    assert_eq!(span.context().trace_state.header(), "ot=th:0");
    let mut headers: Vec<(String, String)> = Vec::new();
    use spindle::propagation::Propagator;
    spindle::propagation::w3c::TraceContextPropagator.inject(span.context(), &mut headers);
    assert!(
        headers.contains(&("tracestate".into(), "ot=th:0".into())),
        "{headers:?}"
    );
}

proptest! {
    /// Consistency: a trace kept at one probability is kept at every higher one.
    #[test]
    fn a_higher_ratio_keeps_a_superset(trace in any::<u128>(), a in 0.0f64..=1.0, b in 0.0f64..=1.0) {
        let (low, high) = if a <= b { (a, b) } else { (b, a) };
        if ProbabilitySampler::new(low).should_sample(&root(trace)).is_sampled() {
            prop_assert!(ProbabilitySampler::new(high).should_sample(&root(trace)).is_sampled());
        }
    }

    /// The decision is exactly R >= T, R the trace id's low 56 bits.
    #[test]
    fn the_decision_is_randomness_at_least_threshold(trace in any::<u128>(), ratio in 0.0f64..=1.0) {
        let sampler = ProbabilitySampler::new(ratio);
        let want = sampler.threshold().is_some_and(|t| (trace & ((1 << 56) - 1)) as u64 >= t);
        prop_assert_eq!(sampler.should_sample(&root(trace)).is_sampled(), want);
    }

    /// The threshold stays close to the ratio asked for (4 significant digits).
    #[test]
    fn the_effective_probability_is_close_to_the_ratio(ratio in 0.0001f64..=1.0) {
        let effective = ProbabilitySampler::new(ratio).effective_probability();
        prop_assert!((effective - ratio).abs() <= ratio * 0.001, "{} vs {}", effective, ratio);
    }
}
