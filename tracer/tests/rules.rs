//! Rule sampling: rules by name, kind and attribute, first match wins, the default for the
//! rest; `SPINDLE_SAMPLING_RULES` read with located errors and never a panic.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use spindle::sampler::{Rule, RuleSampler, Sampler, SamplingInput, ShouldSample};
use spindle::{KeyValue, SpanContext, SpanId, SpanKind, TraceFlags, TraceId};

/// A trace id every ratio above 0 keeps (randomness all ones).
const KEPT_BY_ANY_RATIO: u128 = u128::MAX;

fn decide(sampler: &RuleSampler, name: &str, kind: SpanKind, attributes: &[KeyValue]) -> bool {
    let input = SamplingInput::root(TraceId(KEPT_BY_ANY_RATIO), name, kind);
    sampler
        .should_sample(&input.with_attributes(attributes))
        .is_sampled()
}

fn path(p: &'static str) -> [KeyValue; 1] {
    [KeyValue::new("url.path", p)]
}

#[test]
fn health_checks_are_dropped_and_the_rest_goes_to_the_default() {
    let rules =
        RuleSampler::parse("attr.url.path=/health|/metrics -> drop", Sampler::AlwaysOn).unwrap();
    assert!(!decide(&rules, "GET", SpanKind::Server, &path("/health")));
    assert!(!decide(&rules, "GET", SpanKind::Server, &path("/metrics")));
    assert!(decide(&rules, "GET", SpanKind::Server, &path("/orders")));
    assert!(
        decide(&rules, "GET", SpanKind::Server, &[]),
        "no attribute: default"
    );
}

#[test]
fn the_first_matching_rule_wins() {
    let rules = RuleSampler::new(Sampler::AlwaysOff)
        .rule(Rule::ratio(1.0).name_any_of(["GET /vip"]))
        .rule(Rule::ratio(0.0).name_prefix("GET /"))
        .rule(Rule::ratio(1.0).kind(SpanKind::Server));
    assert!(decide(&rules, "GET /vip", SpanKind::Server, &[]));
    assert!(!decide(&rules, "GET /other", SpanKind::Server, &[]));
    assert!(decide(&rules, "POST /x", SpanKind::Server, &[]));
    assert!(!decide(&rules, "POST /x", SpanKind::Client, &[]), "default");
}

#[test]
fn every_condition_of_a_rule_must_hold() {
    let rules = RuleSampler::parse(
        "kind=server, name^=GET /api, attr.http.request.method=GET -> drop",
        Sampler::AlwaysOn,
    )
    .unwrap();
    let get = [KeyValue::new("http.request.method", "GET")];
    assert!(!decide(&rules, "GET /api/users", SpanKind::Server, &get));
    assert!(decide(&rules, "GET /api/users", SpanKind::Client, &get));
    assert!(decide(&rules, "GET /web", SpanKind::Server, &get));
    assert!(decide(&rules, "GET /api/users", SpanKind::Server, &[]));
}

#[test]
fn each_rule_has_its_own_ratio() {
    let rules = RuleSampler::parse("name=a -> 0.5; * -> 0.01", Sampler::AlwaysOff).unwrap();
    let mut kept = [0u32; 2];
    for i in 0..4000u128 {
        // Randomness spread evenly over the 56 bits.
        let trace = TraceId(u128::from(
            (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 8,
        ));
        for (slot, name) in ["a", "b"].into_iter().enumerate() {
            let input = SamplingInput::root(trace, name, SpanKind::Internal);
            kept[slot] += u32::from(rules.should_sample(&input).is_sampled());
        }
    }
    assert!((1900..2100).contains(&kept[0]), "{kept:?}");
    assert!((20..60).contains(&kept[1]), "{kept:?}");
}

#[test]
fn a_text_value_matches_numbers_written_the_same_way() {
    let rules = RuleSampler::parse(
        "attr.http.response.status_code=404|500 -> drop",
        Sampler::AlwaysOn,
    )
    .unwrap();
    let code = |c: i64| [KeyValue::new("http.response.status_code", c)];
    assert!(!decide(&rules, "x", SpanKind::Server, &code(404)));
    assert!(decide(&rules, "x", SpanKind::Server, &code(200)));
}

#[test]
fn quoted_values_hold_separators() {
    let rules = RuleSampler::parse(
        r#"name="a, b; c|d -> e" | "q\"x\\" -> drop"#,
        Sampler::AlwaysOn,
    )
    .unwrap();
    assert!(!decide(&rules, "a, b; c|d -> e", SpanKind::Internal, &[]));
    assert!(!decide(&rules, r#"q"x\"#, SpanKind::Internal, &[]));
    assert!(decide(&rules, "a", SpanKind::Internal, &[]));
}

#[test]
fn empty_rules_and_spaces_are_fine() {
    for text in ["", " ; ;", "name=a->drop;", "  name = a  ->  drop  ;  "] {
        assert!(
            RuleSampler::parse(text, Sampler::AlwaysOn).is_ok(),
            "{text:?}"
        );
    }
    let rules = RuleSampler::parse("  name = GET /x  ->  drop  ", Sampler::AlwaysOn).unwrap();
    assert!(
        !decide(&rules, "GET /x", SpanKind::Internal, &[]),
        "value trimmed"
    );
}

#[test]
fn errors_name_the_rule_and_the_character() {
    let cases: &[(&str, usize, usize, &str)] = &[
        ("name=a -> 2", 1, 11, "ratio \"2\""),
        (
            "name=a -> drop; nme=b -> drop",
            2,
            17,
            "unknown field \"nme\"",
        ),
        (
            "name=a -> drop; kind=server -> 0.5; kind=sever -> 1",
            3,
            42,
            "unknown kind \"sever\"",
        ),
        ("name=a", 1, 7, "expected ',' or '->'"),
        ("attr.k^=v -> drop", 1, 1, "'^=' (prefix) is for name only"),
        ("name= -> drop", 1, 7, "expected a value"),
        ("name=\"abc -> drop", 1, 6, "unclosed"),
        ("name=\"a\\n\" -> drop", 1, 8, "escapes"),
        ("name -> drop", 1, 6, "expected '=' or '^='"),
        ("attr.=v -> drop", 1, 1, "unknown field"),
        ("name=a -> drop name=b -> drop", 1, 11, "ratio"),
        ("é=1 -> drop; name=a -> x", 1, 1, "unknown field \"é\""),
        ("name=é -> drop; name=a -> x", 2, 27, "ratio \"x\""),
    ];
    for &(text, rule, column, says) in cases {
        let error = RuleSampler::parse(text, Sampler::AlwaysOn).unwrap_err();
        assert_eq!(
            (error.rule, error.column),
            (rule, column),
            "{text:?}: {error}"
        );
        assert!(error.problem.contains(says), "{text:?}: {error}");
        assert!(
            error
                .to_string()
                .starts_with("SPINDLE_SAMPLING_RULES: rule "),
            "{error}"
        );
    }
}

#[test]
fn the_environment_puts_rules_in_front_of_the_root_sampler() {
    let vars = |name: &str| match name {
        "SPINDLE_SAMPLING_RULES" => Some("attr.url.path=/health -> drop".to_string()),
        _ => None,
    };
    let (sampler, warnings) = Sampler::from_env_vars(vars);
    assert!(warnings.is_empty(), "{warnings:?}");
    let health = path("/health");
    let root = SamplingInput::root(TraceId(1), "GET", SpanKind::Server).with_attributes(&health);
    assert!(
        !sampler.should_sample(&root).is_sampled(),
        "a root health check is dropped"
    );
    let parent = SpanContext {
        trace_id: TraceId(1),
        span_id: SpanId(2),
        trace_flags: TraceFlags::SAMPLED,
        is_remote: true,
        ..SpanContext::default()
    };
    let child = root.with_parent(&parent);
    assert!(
        sampler.should_sample(&child).is_sampled(),
        "under a sampled parent: followed"
    );
}

#[test]
fn unreadable_rules_in_the_environment_are_ignored_with_a_located_warning() {
    let vars = |name: &str| match name {
        "SPINDLE_SAMPLING_RULES" => Some("name=a -> drop; kind=x -> drop".to_string()),
        "OTEL_TRACES_SAMPLER" => Some("always_on".to_string()),
        _ => None,
    };
    let (sampler, warnings) = Sampler::from_env_vars(vars);
    assert!(matches!(sampler, Sampler::AlwaysOn));
    assert_eq!(warnings.len(), 1);
    assert!(warnings[0].contains("rule 2, character 22"), "{warnings:?}");
}

proptest! {
    #[test]
    fn the_parser_never_panics_on_any_text(text in any::<String>()) {
        let _ = RuleSampler::parse(&text, Sampler::AlwaysOn);
    }

    #[test]
    fn the_parser_never_panics_on_rule_like_text(text in r#"[a-z.=^|,;"\\ *>é-]{0,40}"#) {
        if let Err(error) = RuleSampler::parse(&text, Sampler::AlwaysOn) {
            prop_assert!(error.column >= 1 && error.column <= text.chars().count() + 1);
            prop_assert!(error.rule >= 1);
        }
    }

    #[test]
    fn a_written_rule_reads_back(name in "[ -~]{1,20}", ratio in 0.0f64..=1.0) {
        let quoted = name.replace('\\', "\\\\").replace('"', "\\\"");
        let text = format!("name=\"{quoted}\" -> {ratio}");
        let rules = RuleSampler::parse(&text, Sampler::AlwaysOff).unwrap();
        prop_assert_eq!(rules.rule_list().len(), 1);
        let input = SamplingInput::root(TraceId(KEPT_BY_ANY_RATIO), &name, SpanKind::Internal);
        prop_assert!(rules.rule_list()[0].matches(&input));
    }
}

#[test]
fn the_readme_error_example_says_what_the_readme_says() {
    let vars = |name: &str| match name {
        "SPINDLE_SAMPLING_RULES" => Some("name=a -> drop; kind=server -> 2".to_string()),
        _ => None,
    };
    let (_, warnings) = Sampler::from_env_vars(vars);
    assert_eq!(
        warnings,
        [
            "SPINDLE_SAMPLING_RULES: rule 2, character 32: ratio \"2\" is not 0 to 1, drop or keep; \
             the rules are ignored"
        ]
    );
}
