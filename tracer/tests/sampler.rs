//! Samplers: the trace-id ratio rule, parent-based delegation, configuration from env vars.
#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};

use proptest::prelude::*;
use spindle::sampler::{
    ParentBased, Sampler, SamplingDecision, SamplingInput, SamplingResult, ShouldSample,
    TraceIdRatio,
};
use spindle::{SpanContext, SpanId, TraceFlags, TraceId};
use spindle_formats::SpanKind;

fn decide(sampler: &Sampler, parent: Option<&SpanContext>, id: u128) -> SamplingDecision {
    let mut input = SamplingInput::root(TraceId(id), "span", SpanKind::Internal);
    input.parent = parent;
    sampler.should_sample(&input).decision
}

fn sampled(sampler: &Sampler, id: u128) -> bool {
    decide(sampler, None, id).is_sampled()
}

const TWO_64: f64 = 18_446_744_073_709_551_616.0;

/// The OpenTelemetry rule computed independently: `None` means "sample everything".
fn expected_bound(ratio: f64) -> Option<u64> {
    if ratio >= 1.0 {
        return None;
    }
    let two_64 = 18_446_744_073_709_551_616.0_f64;
    Some(if ratio > 0.0 {
        (ratio * two_64).round() as u64
    } else {
        0
    })
}

fn otel_rule(ratio: f64, id: u128) -> bool {
    expected_bound(ratio).is_none_or(|bound| (id as u64) < bound)
}

// ------------------------------------------------------------------ ratio

#[test]
fn ratio_bounds_match_hand_computed_values() {
    let cases: &[(f64, Option<u64>)] = &[
        (0.0, Some(0)),
        (0.25, Some(0x4000_0000_0000_0000)),
        (0.5, Some(0x8000_0000_0000_0000)),
        (0.75, Some(0xc000_0000_0000_0000)),
        // 0.1 is 3602879701896397 / 2^55 exactly in f64, so the bound is exact too.
        (0.1, Some(3_602_879_701_896_397 << 9)),
        // Ratios below 2^-11 give fractional products, which are rounded (half away from 0).
        (2.5 / TWO_64, Some(3)),
        (2.4 / TWO_64, Some(2)),
        (0.5 / TWO_64, Some(1)),
        (0.4 / TWO_64, Some(0)),
        (1.0, None),
    ];
    for &(ratio, bound) in cases {
        assert_eq!(expected_bound(ratio), bound, "{ratio}");
        let want = bound.map_or(1u128 << 64, u128::from);
        assert_eq!(TraceIdRatio::new(ratio).bound(), want, "{ratio}");
    }
}

#[test]
fn ratio_agrees_with_opentelemetry_rule_on_edge_ids() {
    let highs = [
        0u128,
        u128::from(u64::MAX) << 64,
        0x0123_4567_89ab_cdef << 64,
    ];
    for ratio in [0.0, 0.25, 0.5, 1.0, 0.1, 0.999, 2.5 / TWO_64, 0.4 / TWO_64] {
        let sampler = Sampler::trace_id_ratio(ratio);
        let bound = expected_bound(ratio).unwrap_or(u64::MAX);
        let lows = [
            0,
            1,
            bound.saturating_sub(1),
            bound,
            bound.saturating_add(1),
            u64::MAX,
        ];
        for high in highs {
            for low in lows {
                let id = high | u128::from(low);
                assert_eq!(
                    sampled(&sampler, id),
                    otel_rule(ratio, id),
                    "ratio {ratio} id {id:032x}"
                );
            }
        }
    }
}

#[test]
fn ratio_edge_table() {
    let top = u128::from(u64::MAX) << 64;
    let cases: &[(f64, u128, bool)] = &[
        (0.0, 1, false),
        (0.0, top, false),
        (0.25, 0x3fff_ffff_ffff_ffff, true),
        (0.25, 0x4000_0000_0000_0000, false),
        (0.25, top | 0x3fff_ffff_ffff_ffff, true),
        (0.5, 0x7fff_ffff_ffff_ffff, true),
        (0.5, 0x8000_0000_0000_0000, false),
        (0.5, top | 0x8000_0000_0000_0000, false),
        (1.0, u128::from(u64::MAX), true),
        (1.0, u128::MAX, true),
    ];
    for &(ratio, id, want) in cases {
        assert_eq!(
            sampled(&Sampler::trace_id_ratio(ratio), id),
            want,
            "{ratio} {id:032x}"
        );
    }
}

#[test]
fn ratio_out_of_range_is_clamped() {
    for (ratio, always) in [
        (-0.5, false),
        (f64::NAN, false),
        (f64::NEG_INFINITY, false),
        (1.5, true),
        (f64::INFINITY, true),
    ] {
        let sampler = TraceIdRatio::new(ratio);
        assert_eq!(sampler.samples(TraceId(u128::MAX)), always, "{ratio}");
        assert_eq!(sampler.samples(TraceId(1)), always, "{ratio}");
        assert_eq!(sampler.ratio(), if always { 1.0 } else { 0.0 }, "{ratio}");
    }
}

#[test]
fn ratio_is_deterministic() {
    let a = Sampler::trace_id_ratio(0.3);
    let b = Sampler::trace_id_ratio(0.3);
    let mut seen = [0usize; 2];
    for _ in 0..2000 {
        let id = spindle::Span::root("id source").context().trace_id;
        let first = decide(&a, None, id.0);
        assert_eq!(first, decide(&a, None, id.0));
        assert_eq!(first, decide(&b, None, id.0));
        seen[usize::from(first.is_sampled())] += 1;
    }
    // Roughly 30% of random ids (a loose bound: the test only guards against "all or nothing").
    assert!((400..800).contains(&seen[1]), "{seen:?}");
}

proptest! {
    #[test]
    fn higher_ratio_samples_a_superset(id in any::<u128>(), r1 in 0.0f64..=1.0, r2 in 0.0f64..=1.0) {
        let (lo, hi) = if r1 <= r2 { (r1, r2) } else { (r2, r1) };
        if sampled(&Sampler::trace_id_ratio(lo), id) {
            prop_assert!(sampled(&Sampler::trace_id_ratio(hi), id));
        }
        prop_assert_eq!(sampled(&Sampler::trace_id_ratio(r1), id), otel_rule(r1, id));
    }

    #[test]
    fn only_low_bits_matter(low in any::<u64>(), h1 in any::<u64>(), h2 in any::<u64>(), r in 0.0f64..=1.0) {
        let s = Sampler::trace_id_ratio(r);
        let a = (u128::from(h1) << 64) | u128::from(low);
        let b = (u128::from(h2) << 64) | u128::from(low);
        prop_assert_eq!(sampled(&s, a), sampled(&s, b));
    }
}

// ------------------------------------------------------------ parent based

/// A sampler that logs its tag and drops.
#[derive(Debug)]
struct Tagged {
    tag: &'static str,
    log: Arc<Mutex<Vec<&'static str>>>,
}

impl ShouldSample for Tagged {
    fn should_sample(&self, _: &SamplingInput<'_>) -> SamplingResult {
        self.log.lock().unwrap().push(self.tag);
        SamplingDecision::Drop.into()
    }
}

fn parent(remote: bool, sampled: bool) -> SpanContext {
    SpanContext {
        trace_id: TraceId(5),
        span_id: SpanId(6),
        trace_flags: TraceFlags::NONE.with_sampled(sampled),
        is_remote: remote,
        ..SpanContext::default()
    }
}

#[test]
fn parent_based_picks_the_right_delegate() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let tagged = |tag| {
        Sampler::Custom(Arc::new(Tagged {
            tag,
            log: log.clone(),
        }))
    };
    let sampler = Sampler::ParentBased(Box::new(
        ParentBased::new(tagged("root"))
            .with_remote_parent_sampled(tagged("remote_sampled"))
            .with_remote_parent_not_sampled(tagged("remote_not_sampled"))
            .with_local_parent_sampled(tagged("local_sampled"))
            .with_local_parent_not_sampled(tagged("local_not_sampled")),
    ));
    let invalid = SpanContext {
        is_remote: true,
        trace_flags: TraceFlags::SAMPLED,
        ..SpanContext::default()
    };
    let cases = [
        (Some(parent(true, true)), "remote_sampled"),
        (Some(parent(true, false)), "remote_not_sampled"),
        (Some(parent(false, true)), "local_sampled"),
        (Some(parent(false, false)), "local_not_sampled"),
        (None, "root"),
        (Some(invalid), "root"),
    ];
    for (cx, tag) in cases {
        log.lock().unwrap().clear();
        assert_eq!(decide(&sampler, cx.as_ref(), 1), SamplingDecision::Drop);
        assert_eq!(*log.lock().unwrap(), [tag], "{cx:?}");
    }
}

#[test]
fn parent_based_defaults_follow_the_parent() {
    use SamplingDecision::{Drop, RecordAndSample};
    for (root, root_decision) in [
        (Sampler::AlwaysOn, RecordAndSample),
        (Sampler::AlwaysOff, Drop),
    ] {
        let sampler = Sampler::parent_based(root);
        let cases = [
            (Some(parent(true, true)), RecordAndSample),
            (Some(parent(true, false)), Drop),
            (Some(parent(false, true)), RecordAndSample),
            (Some(parent(false, false)), Drop),
            (None, root_decision),
        ];
        for (cx, want) in cases {
            assert_eq!(
                decide(&sampler, cx.as_ref(), u128::MAX),
                want,
                "{sampler:?} {cx:?}"
            );
        }
    }
}

#[test]
fn parent_based_ratio_root_applies_only_to_roots() {
    let sampler = Sampler::parent_based(Sampler::trace_id_ratio(0.0));
    assert_eq!(decide(&sampler, None, 1), SamplingDecision::Drop);
    assert_eq!(
        decide(&sampler, Some(&parent(true, true)), 1),
        SamplingDecision::RecordAndSample
    );
}

#[test]
fn custom_sampler_sees_the_arguments() {
    #[derive(Debug)]
    struct OnlyServers;
    impl ShouldSample for OnlyServers {
        fn should_sample(&self, input: &SamplingInput<'_>) -> SamplingResult {
            let keep = input.parent.is_none()
                && input.trace_id == TraceId(9)
                && input.name == "GET /"
                && input.kind == SpanKind::Server
                && input.attribute("http.request.method") == Some(&"GET".into());
            keep.into()
        }
    }
    let sampler = Sampler::Custom(Arc::new(OnlyServers));
    let get = [spindle::KeyValue::new("http.request.method", "GET")];
    let server = SamplingInput::root(TraceId(9), "GET /", SpanKind::Server);
    assert!(
        sampler
            .should_sample(&server.with_attributes(&get))
            .is_sampled()
    );
    assert!(!sampler.should_sample(&server).is_sampled(), "no attribute");
    let client = SamplingInput::root(TraceId(9), "GET /", SpanKind::Client);
    assert!(
        !sampler
            .should_sample(&client.with_attributes(&get))
            .is_sampled()
    );
}

#[test]
fn simple_samplers_and_traits() {
    fn assert_traits<T: Clone + std::fmt::Debug + Send + Sync + 'static>() {}
    assert_traits::<Sampler>();
    assert!(sampled(&Sampler::AlwaysOn, 0));
    assert!(!sampled(&Sampler::AlwaysOff, u128::MAX));
    assert!(
        matches!(Sampler::default(), Sampler::ParentBased(pb) if matches!(pb.root(), Sampler::AlwaysOn))
    );
}

// -------------------------------------------------------------------- env

fn describe(sampler: &Sampler) -> String {
    match sampler {
        Sampler::AlwaysOn => "always_on".into(),
        Sampler::AlwaysOff => "always_off".into(),
        Sampler::TraceIdRatio(r) => format!("ratio({})", r.ratio()),
        Sampler::Probability(p) => format!("probability({})", p.ratio()),
        Sampler::Rules(rules) => format!(
            "rules({}, {})",
            rules.rule_list().len(),
            describe(rules.default_sampler())
        ),
        Sampler::ParentBased(pb) => format!("parentbased({})", describe(pb.root())),
        Sampler::Custom(_) => "custom".into(),
    }
}

#[test]
fn env_table() {
    let cases: &[(Option<&str>, Option<&str>, &str, bool)] = &[
        (None, None, "parentbased(always_on)", false),
        (Some(""), None, "parentbased(always_on)", false),
        (
            Some("parentbased_always_on"),
            None,
            "parentbased(always_on)",
            false,
        ),
        (Some("always_on"), None, "always_on", false),
        (Some("always_on"), Some("0.5"), "always_on", false),
        (Some("ALWAYS_OFF"), None, "always_off", false),
        (Some(" always_off\t"), None, "always_off", false),
        (
            Some("parentbased_always_off"),
            None,
            "parentbased(always_off)",
            false,
        ),
        (Some("traceidratio"), None, "ratio(1)", false),
        (Some("traceidratio"), Some(""), "ratio(1)", false),
        (Some("traceidratio"), Some("0.25"), "ratio(0.25)", false),
        (Some("traceidratio"), Some(" 0.75 "), "ratio(0.75)", false),
        (Some("traceidratio"), Some("0"), "ratio(0)", false),
        (Some("traceidratio"), Some("1"), "ratio(1)", false),
        (Some("traceidratio"), Some("1.5"), "ratio(1)", true),
        (Some("traceidratio"), Some("-0.1"), "ratio(1)", true),
        (Some("traceidratio"), Some("abc"), "ratio(1)", true),
        (Some("traceidratio"), Some("NaN"), "ratio(1)", true),
        (
            Some("parentbased_traceidratio"),
            Some("0.5"),
            "parentbased(ratio(0.5))",
            false,
        ),
        (
            Some("parentbased_traceidratio"),
            None,
            "parentbased(ratio(1))",
            false,
        ),
        (
            Some("parentbased_traceidratio"),
            Some("x"),
            "parentbased(ratio(1))",
            true,
        ),
        (Some("probability"), Some("0.5"), "probability(0.5)", false),
        (
            Some("parentbased_probability"),
            Some("0.1"),
            "parentbased(probability(0.1))",
            false,
        ),
        (Some("probability"), Some("2"), "probability(1)", true),
        (Some("jaeger_remote"), None, "parentbased(always_on)", true),
        (Some("bogus"), Some("0.5"), "parentbased(always_on)", true),
    ];
    for &(name, arg, want, warns) in cases {
        let lookup = |var: &str| match var {
            "OTEL_TRACES_SAMPLER" => name.map(String::from),
            "OTEL_TRACES_SAMPLER_ARG" => arg.map(String::from),
            _ => None,
        };
        let (sampler, warnings) = Sampler::from_env_vars(lookup);
        assert_eq!(describe(&sampler), want, "{name:?} {arg:?}");
        assert_eq!(
            !warnings.is_empty(),
            warns,
            "{name:?} {arg:?}: {warnings:?}"
        );
    }
}

#[test]
fn from_env_reads_the_process_environment_without_panicking() {
    let _ = Sampler::from_env();
}
