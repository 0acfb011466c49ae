//! `RuleSampler`: a sampler chosen by span name, kind and attribute, first match first.

use spindle_formats::{SpanKind, Value};

use super::{Sampler, SamplingInput, SamplingResult, ShouldSample};

/// How a rule matches the span's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameMatch {
    /// The name is one of these.
    AnyOf(Vec<String>),
    /// The name starts with this.
    Prefix(String),
}

impl NameMatch {
    fn matches(&self, name: &str) -> bool {
        match self {
            NameMatch::AnyOf(names) => names.iter().any(|n| n == name),
            NameMatch::Prefix(prefix) => name.starts_with(prefix.as_str()),
        }
    }
}

/// A builder attribute that must equal one of some values. A text value also matches a
/// number or boolean attribute written the same way (`200` matches the integer 200).
#[derive(Debug, Clone, PartialEq)]
pub struct AttributeMatch {
    /// The attribute's key.
    pub key: String,
    /// The values it may have.
    pub any_of: Vec<Value>,
}

impl AttributeMatch {
    /// Matches when attribute `key` is one of `values`.
    pub fn any_of<V: Into<Value>>(
        key: impl Into<String>,
        values: impl IntoIterator<Item = V>,
    ) -> Self {
        AttributeMatch {
            key: key.into(),
            any_of: values.into_iter().map(Into::into).collect(),
        }
    }

    fn matches(&self, input: &SamplingInput<'_>) -> bool {
        let Some(value) = input.attribute(&self.key) else {
            return false;
        };
        self.any_of.iter().any(|want| same_value(want, value))
    }
}

/// Equal values, or a text value and a scalar written as that text.
fn same_value(want: &Value, got: &Value) -> bool {
    match (want, got) {
        (Value::Str(text), Value::I64(_) | Value::Bool(_) | Value::F64(_)) => {
            got.to_string() == text.as_ref()
        }
        _ => want == got,
    }
}

/// One rule: conditions (all must hold; none matches every span) and the sampler for the
/// spans that meet them.
#[derive(Debug, Clone)]
pub struct Rule {
    name: Option<NameMatch>,
    kind: Option<SpanKind>,
    attributes: Vec<AttributeMatch>,
    sampler: Sampler,
}

impl Rule {
    /// A rule matching every span, deciding with `sampler` (add conditions to narrow it).
    pub fn new(sampler: Sampler) -> Rule {
        Rule {
            name: None,
            kind: None,
            attributes: Vec::new(),
            sampler,
        }
    }

    /// A rule matching every span, keeping `ratio` of their traces (a
    /// [`ProbabilitySampler`](super::ProbabilitySampler); 0 drops them, 1 keeps them).
    pub fn ratio(ratio: f64) -> Rule {
        let sampler = match ratio {
            r if r >= 1.0 => Sampler::AlwaysOn,
            r if r > 0.0 => Sampler::probability(r),
            _ => Sampler::AlwaysOff,
        };
        Rule::new(sampler)
    }

    /// Only spans named one of `names`.
    pub fn name_any_of<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Rule {
        self.name = Some(NameMatch::AnyOf(
            names.into_iter().map(Into::into).collect(),
        ));
        self
    }

    /// Only spans whose name starts with `prefix`.
    pub fn name_prefix(mut self, prefix: impl Into<String>) -> Rule {
        self.name = Some(NameMatch::Prefix(prefix.into()));
        self
    }

    /// Only spans of `kind`.
    pub fn kind(mut self, kind: SpanKind) -> Rule {
        self.kind = Some(kind);
        self
    }

    /// Only spans whose builder attribute `key` is one of `values` (several calls: all hold).
    pub fn attribute_any_of<V: Into<Value>>(
        mut self,
        key: impl Into<String>,
        values: impl IntoIterator<Item = V>,
    ) -> Rule {
        self.attributes.push(AttributeMatch::any_of(key, values));
        self
    }

    /// The sampler that decides for matching spans.
    pub fn sampler(&self) -> &Sampler {
        &self.sampler
    }

    /// True if the span `input` describes meets every condition.
    pub fn matches(&self, input: &SamplingInput<'_>) -> bool {
        self.kind.is_none_or(|kind| kind == input.kind)
            && self.name.as_ref().is_none_or(|n| n.matches(input.name))
            && self.attributes.iter().all(|a| a.matches(input))
    }
}

/// Rules tried in order: the first that matches decides with its sampler; a span no rule
/// matches goes to the default sampler.
///
/// ```
/// use spindle::sampler::{Rule, RuleSampler, Sampler, SamplingInput, ShouldSample};
/// use spindle::{KeyValue, SpanKind, TraceId};
///
/// let rules = RuleSampler::new(Sampler::AlwaysOn)
///     .rule(Rule::ratio(0.0).attribute_any_of("url.path", ["/health", "/metrics"]))
///     .rule(Rule::ratio(0.1).kind(SpanKind::Server).name_prefix("GET /search"));
/// let health = [KeyValue::new("url.path", "/health")];
/// let input = SamplingInput::root(TraceId(1), "GET", SpanKind::Server).with_attributes(&health);
/// assert!(!rules.should_sample(&input).is_sampled());
/// let other = SamplingInput::root(TraceId(1), "GET /orders", SpanKind::Server);
/// assert!(rules.should_sample(&other).is_sampled());
/// ```
#[derive(Debug, Clone)]
pub struct RuleSampler {
    rules: Vec<Rule>,
    default: Sampler,
}

impl RuleSampler {
    /// No rules yet: every span goes to `default`.
    pub fn new(default: Sampler) -> RuleSampler {
        RuleSampler {
            rules: Vec::new(),
            default,
        }
    }

    /// Adds `rule` after the rules already there.
    pub fn rule(mut self, rule: Rule) -> RuleSampler {
        self.rules.push(rule);
        self
    }

    /// Adds `rules` after the rules already there.
    pub fn rules(mut self, rules: impl IntoIterator<Item = Rule>) -> RuleSampler {
        self.rules.extend(rules);
        self
    }

    /// The rules, in the order they are tried.
    pub fn rule_list(&self) -> &[Rule] {
        &self.rules
    }

    /// The sampler for spans no rule matches.
    pub fn default_sampler(&self) -> &Sampler {
        &self.default
    }

    /// The sampler that decides for `input`.
    fn pick(&self, input: &SamplingInput<'_>) -> &Sampler {
        self.rules
            .iter()
            .find(|rule| rule.matches(input))
            .map_or(&self.default, |rule| &rule.sampler)
    }
}

impl ShouldSample for RuleSampler {
    fn should_sample(&self, input: &SamplingInput<'_>) -> SamplingResult {
        self.pick(input).should_sample(input)
    }
}
