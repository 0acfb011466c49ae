//! The sampler the environment configures: `OTEL_TRACES_SAMPLER`, `OTEL_TRACES_SAMPLER_ARG`
//! and `SPINDLE_SAMPLING_RULES`.

use super::{ENV_SAMPLER, ENV_SAMPLER_ARG, ENV_SAMPLING_RULES, ParentBased, RuleSampler, Sampler};

impl Sampler {
    /// The sampler the environment configures (see [`Sampler::from_env_vars`]); problems are
    /// reported on standard error and the defaults used instead.
    pub fn from_env() -> Sampler {
        let (sampler, warnings) = Self::from_env_vars(|name| std::env::var(name).ok());
        for warning in warnings {
            eprintln!("spindle: {warning}");
        }
        sampler
    }

    /// The sampler configured by the variables `lookup` returns, and warnings for what was
    /// invalid. `OTEL_TRACES_SAMPLER` names are case-insensitive; unset means
    /// `parentbased_always_on`; an unknown name falls back to that default, and a missing
    /// ratio to 1.0 (an invalid one to 1.0 with a warning). Besides OpenTelemetry's names,
    /// `probability` and `parentbased_probability` name the [`ProbabilitySampler`](super::ProbabilitySampler).
    ///
    /// `SPINDLE_SAMPLING_RULES` (see [`RuleSampler::parse`]) puts rules in front of the
    /// sampler that makes the trace's own decision: for a parent-based sampler, its root
    /// sampler (spans that start a trace); otherwise the sampler itself. Rules that cannot
    /// be read are ignored with a warning saying which rule and which character.
    ///
    /// ```
    /// use spindle::sampler::Sampler;
    /// let vars = |name: &str| match name {
    ///     "OTEL_TRACES_SAMPLER" => Some("traceidratio".to_string()),
    ///     "OTEL_TRACES_SAMPLER_ARG" => Some("0.25".to_string()),
    ///     _ => None,
    /// };
    /// let (sampler, warnings) = Sampler::from_env_vars(vars);
    /// assert!(matches!(sampler, Sampler::TraceIdRatio(r) if r.ratio() == 0.25));
    /// assert!(warnings.is_empty());
    /// ```
    pub fn from_env_vars(lookup: impl Fn(&str) -> Option<String>) -> (Sampler, Vec<String>) {
        let (sampler, mut warnings) = named_sampler(&lookup);
        let rules = lookup(ENV_SAMPLING_RULES).filter(|r| !r.trim().is_empty());
        let Some(rules) = rules else {
            return (sampler, warnings);
        };
        match with_rules(sampler.clone(), &rules) {
            Ok(sampler) => (sampler, warnings),
            Err(error) => {
                warnings.push(format!("{error}; the rules are ignored"));
                (sampler, warnings)
            }
        }
    }
}

/// `sampler` with `rules` in front of the sampler that makes the trace's own decision.
fn with_rules(sampler: Sampler, rules: &str) -> Result<Sampler, super::RulesError> {
    match sampler {
        Sampler::ParentBased(parent_based) => {
            let root = RuleSampler::parse(rules, parent_based.root().clone())?;
            let parent_based: ParentBased = (*parent_based).with_root(Sampler::Rules(root.into()));
            Ok(Sampler::ParentBased(Box::new(parent_based)))
        }
        other => Ok(Sampler::Rules(RuleSampler::parse(rules, other)?.into())),
    }
}

/// The sampler `OTEL_TRACES_SAMPLER` and its argument name.
fn named_sampler(lookup: &impl Fn(&str) -> Option<String>) -> (Sampler, Vec<String>) {
    let name = lookup(ENV_SAMPLER)
        .map(|n| n.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let ratio = || parse_ratio(lookup(ENV_SAMPLER_ARG));
    match name.as_str() {
        "" | "parentbased_always_on" => (Sampler::default(), Vec::new()),
        "always_on" => (Sampler::AlwaysOn, Vec::new()),
        "always_off" => (Sampler::AlwaysOff, Vec::new()),
        "parentbased_always_off" => (Sampler::parent_based(Sampler::AlwaysOff), Vec::new()),
        "traceidratio" => map_first(ratio(), Sampler::trace_id_ratio),
        "parentbased_traceidratio" => map_first(ratio(), |r| {
            Sampler::parent_based(Sampler::trace_id_ratio(r))
        }),
        "probability" => map_first(ratio(), Sampler::probability),
        "parentbased_probability" => {
            map_first(ratio(), |r| Sampler::parent_based(Sampler::probability(r)))
        }
        other => {
            let warning = format!("unknown {ENV_SAMPLER} {other:?}; using parentbased_always_on");
            (Sampler::default(), vec![warning])
        }
    }
}

/// Applies `f` to the first element of a pair.
fn map_first<A, B, W>((a, w): (A, W), f: impl FnOnce(A) -> B) -> (B, W) {
    (f(a), w)
}

/// The sampler argument as a ratio in `[0, 1]`: 1.0 when unset, 1.0 and a warning when invalid.
fn parse_ratio(arg: Option<String>) -> (f64, Vec<String>) {
    let Some(text) = arg.map(|a| a.trim().to_string()).filter(|a| !a.is_empty()) else {
        return (1.0, Vec::new());
    };
    match text.parse::<f64>() {
        Ok(r) if (0.0..=1.0).contains(&r) => (r, Vec::new()),
        _ => {
            let warning = format!("invalid {ENV_SAMPLER_ARG} {text:?} (want 0..=1); using 1.0");
            (1.0, vec![warning])
        }
    }
}
