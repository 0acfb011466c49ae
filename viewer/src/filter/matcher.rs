//! What a [`ListFilter`] keeps: the fields as typed, parsed once per pass step into a
//! [`Matcher`] that checks a trace's summary first and its spans only when it must.

use spindle_formats::{KeyValue, Span, Value};

use crate::analysis::repeats::has_n_plus_one;
use crate::analysis::service_map::has_call;
use crate::index::{Trace, contains_lowercase};
use crate::load::Document;

/// The filters above the list, as typed.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct ListFilter {
    /// Exact service name, empty for any.
    pub service: String,
    /// Substring of any span name in the trace (case-insensitive).
    pub operation: String,
    /// Duration bounds as typed: a number with an optional unit (ns, us, ms, s); ms by default.
    pub min_duration: String,
    pub max_duration: String,
    /// `key=value` (or just `key`) on any span or its resource.
    pub tag: String,
    pub errors_only: bool,
    /// Keep traces with at least one N+1 finding.
    pub n_plus_one: bool,
    /// Keep traces through a service or a call (the service map's click); not saved.
    #[serde(skip)]
    pub through: Option<Through>,
}

/// A service, or a call from one service to another, by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Through {
    Service(String),
    Call { from: String, to: String },
}

impl std::fmt::Display for Through {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Through::Service(s) => write!(f, "{s}"),
            Through::Call { from, to } => write!(f, "{from} -> {to}"),
        }
    }
}

/// Parses `1.5`, `1.5ms`, `200 us`, `2s`, `40ns` into nanoseconds (milliseconds by default).
pub fn parse_duration(text: &str) -> Option<u64> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: f64 = number.parse().ok()?;
    let scale = match unit.trim() {
        "" | "ms" => 1e6,
        "s" => 1e9,
        "us" | "µs" => 1e3,
        "ns" => 1.0,
        _ => return None,
    };
    Some((value * scale) as u64)
}

/// The filter, parsed once per pass step.
pub(super) struct Matcher<'a> {
    doc: &'a Document,
    /// `None`: any service; `Some(None)`: a service that is not loaded (nothing matches).
    service: Option<Option<u32>>,
    min: Option<u64>,
    max: Option<u64>,
    errors_only: bool,
    n_plus_one: bool,
    through: Option<Through>,
    /// Lower-case substring of a span name, empty for any.
    operation: String,
    tag: Option<TagQuery<'a>>,
    /// Per resource: whether its attributes satisfy the tag query.
    resource_tag: Vec<bool>,
}

/// `key=value` or just `key`.
#[derive(Debug, PartialEq)]
struct TagQuery<'a> {
    key: &'a str,
    value: Option<&'a str>,
    as_int: Option<i64>,
}

impl<'a> TagQuery<'a> {
    /// `key=value` or `key`, spaces around either trimmed; `None` when blank.
    fn parse(text: &'a str) -> Option<TagQuery<'a>> {
        let tag = text.trim();
        (!tag.is_empty()).then(|| {
            let (key, value) = match tag.split_once('=') {
                Some((k, v)) => (k.trim(), Some(v.trim())),
                None => (tag, None),
            };
            TagQuery {
                key,
                value,
                as_int: value.and_then(|v| v.parse().ok()),
            }
        })
    }

    fn matches(&self, attributes: &[KeyValue]) -> bool {
        attributes
            .iter()
            .any(|kv| kv.key.as_ref() == self.key && self.value_matches(&kv.value))
    }

    /// Compares without formatting strings, ints and bools (the common cases).
    fn value_matches(&self, value: &Value) -> bool {
        let Some(text) = self.value else {
            return true;
        };
        match value {
            Value::Str(s) => s.as_ref() == text,
            Value::I64(i) => self.as_int == Some(*i),
            Value::Bool(b) => text == if *b { "true" } else { "false" },
            other => other.to_string() == text,
        }
    }
}

impl<'a> Matcher<'a> {
    pub(super) fn new(doc: &'a Document, f: &'a ListFilter) -> Self {
        let service = (!f.service.is_empty()).then(|| {
            doc.index
                .services
                .iter()
                .position(|s| *s == f.service)
                .map(|s| s as u32)
        });
        let tag = TagQuery::parse(&f.tag);
        let resource_tag = match &tag {
            Some(q) => doc
                .data
                .resources
                .iter()
                .map(|r| q.matches(&r.attributes))
                .collect(),
            None => Vec::new(),
        };
        Matcher {
            doc,
            service,
            min: parse_duration(&f.min_duration),
            max: parse_duration(&f.max_duration),
            errors_only: f.errors_only,
            n_plus_one: f.n_plus_one,
            through: f.through.clone(),
            operation: f.operation.trim().to_lowercase(),
            tag,
            resource_tag,
        }
    }

    /// Cheap summary checks first, then the per-span ones.
    pub(super) fn keeps(&self, trace: &Trace) -> bool {
        let summary = self
            .service
            .is_none_or(|s| s.is_some_and(|s| trace.services.contains(&s)))
            && (!self.errors_only || trace.error_count > 0)
            && self.min.is_none_or(|m| trace.duration() >= m)
            && self.max.is_none_or(|m| trace.duration() <= m);
        summary
            && (self.operation.is_empty()
                || self.any_span(trace, |s| contains_lowercase(&s.name, &self.operation)))
            && self.tag.as_ref().is_none_or(|q| {
                self.any_span(trace, |s| {
                    self.resource_tag
                        .get(s.resource.0 as usize)
                        .copied()
                        .unwrap_or(false)
                        || q.matches(&s.attributes)
                })
            })
            && (!self.n_plus_one || has_n_plus_one(&self.doc.data, &self.doc.index, trace))
            && self
                .through
                .as_ref()
                .is_none_or(|t| self.goes_through(trace, t))
    }

    fn goes_through(&self, trace: &Trace, through: &Through) -> bool {
        let index = &self.doc.index;
        let id = |name: &str| {
            index
                .services
                .iter()
                .position(|s| s == name)
                .map(|s| s as u32)
        };
        match through {
            Through::Service(s) => id(s).is_some_and(|s| trace.services.contains(&s)),
            Through::Call { from, to } => match (id(from), id(to)) {
                (Some(a), Some(b)) => has_call(&self.doc.data, index, trace, a, b),
                _ => false,
            },
        }
    }

    fn any_span(&self, trace: &Trace, pred: impl Fn(&Span) -> bool) -> bool {
        trace
            .order
            .iter()
            .filter_map(|n| n.span())
            .any(|i| pred(&self.doc.data.spans[i]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture;

    #[test]
    fn durations_parse_with_and_without_units() {
        let cases: [(&str, Option<u64>); 14] = [
            ("1.5", Some(1_500_000)),
            ("1.5ms", Some(1_500_000)),
            (" 200 us ", Some(200_000)),
            ("3µs", Some(3_000)),
            ("2s", Some(2_000_000_000)),
            ("40ns", Some(40)),
            ("0", Some(0)),
            (".5s", Some(500_000_000)),
            ("", None),
            ("   ", None),
            ("ms", None),
            ("5 min", None),
            ("1.2.3", None),
            ("-1ms", None),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_duration(text), expected, "{text:?}");
        }
    }

    #[test]
    fn tag_queries_parse_key_and_optional_value() {
        assert_eq!(TagQuery::parse(""), None);
        assert_eq!(TagQuery::parse("  "), None);
        assert_eq!(
            TagQuery::parse(" db.system = postgresql "),
            Some(TagQuery {
                key: "db.system",
                value: Some("postgresql"),
                as_int: None
            })
        );
        assert_eq!(
            TagQuery::parse("n=7"),
            Some(TagQuery {
                key: "n",
                value: Some("7"),
                as_int: Some(7)
            })
        );
        assert_eq!(
            TagQuery::parse("peer"),
            Some(TagQuery {
                key: "peer",
                value: None,
                as_int: None
            })
        );
        // Only the first '=' splits: the value may hold more.
        let q = TagQuery::parse("q=a=b").expect("a query");
        assert_eq!((q.key, q.value), ("q", Some("a=b")));
    }

    #[test]
    fn tag_values_compare_by_type() {
        let attrs = [
            KeyValue::new("s", "text"),
            KeyValue::new("i", 42i64),
            KeyValue::new("b", true),
            KeyValue::new("f", 1.5f64),
        ];
        let hit = |q: &str| TagQuery::parse(q).expect("a query").matches(&attrs);
        for yes in ["s=text", "i=42", "b=true", "f=1.5", "s", "i", "f"] {
            assert!(hit(yes), "{yes}");
        }
        for no in [
            "s=Text",
            "i=41",
            "i=42.0",
            "b=false",
            "f=2",
            "missing",
            "missing=text",
        ] {
            assert!(!hit(no), "{no}");
        }
    }

    fn kept(doc: &Document, filter: ListFilter) -> Vec<String> {
        let matcher = Matcher::new(doc, &filter);
        let traces = doc.index.traces.iter();
        traces
            .filter(|t| matcher.keeps(t))
            .map(|t| t.label(&doc.index))
            .collect()
    }

    /// The default filter with one field set.
    fn with(set: impl FnOnce(&mut ListFilter)) -> ListFilter {
        let mut filter = ListFilter::default();
        set(&mut filter);
        filter
    }

    #[test]
    fn each_filter_field_narrows_the_shop() {
        let doc = Document::from_data(fixture::shop());
        let (checkout, products) = ("frontend: GET /checkout", "frontend: GET /products");
        assert_eq!(kept(&doc, ListFilter::default()), [checkout, products]);
        let cases: [(ListFilter, &[&str]); 9] = [
            (with(|f| f.errors_only = true), &[checkout]),
            (with(|f| f.service = "payments".into()), &[checkout]),
            // A service that is not loaded keeps nothing (rather than everything).
            (with(|f| f.service = "nowhere".into()), &[]),
            (with(|f| f.operation = "  CHARGE ".into()), &[checkout]),
            (with(|f| f.min_duration = "100ms".into()), &[checkout]),
            (with(|f| f.max_duration = "0.1s".into()), &[products]),
            // A bound that does not parse is no bound.
            (
                with(|f| f.max_duration = "soon".into()),
                &[checkout, products],
            ),
            (
                with(|f| f.tag = "host.name=db-1".into()),
                &[checkout, products],
            ),
            (with(|f| f.tag = "cart.items=3".into()), &[checkout]),
        ];
        for (filter, expected) in cases {
            assert_eq!(kept(&doc, filter.clone()), expected, "{filter:?}");
        }
    }
}
