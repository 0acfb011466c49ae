//! Span statistics grouped by service, operation or any attribute, with an optional second
//! level: count, total, average, min, max, the same for self time, and the share of the trace's
//! time; for one trace or for all loaded traces.
//!
//! Self time is the index's (`Index::self_time`): a span's duration minus the union of its
//! children's intervals clipped to the span, so overlapping children count once and a child
//! longer than its parent never makes it negative.

use std::borrow::Cow;
use std::collections::HashMap;

use spindle_formats::{TraceData, find_attribute};

use crate::index::{Index, Trace};

/// What spans are grouped by.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum GroupBy {
    Service,
    /// The span name.
    Operation,
    /// The value of an attribute of the span (or, failing that, of its resource).
    Attribute(String),
}

/// A first grouping and an optional second one inside each first-level group.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Grouping {
    pub first: GroupBy,
    pub second: Option<GroupBy>,
}

impl Grouping {
    pub fn by(first: GroupBy) -> Grouping {
        Grouping {
            first,
            second: None,
        }
    }

    pub fn then(self, second: GroupBy) -> Grouping {
        Grouping {
            second: Some(second),
            ..self
        }
    }
}

/// Durations of a set of spans, in nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Measure {
    pub count: u64,
    pub total: u64,
    pub min: u64,
    pub max: u64,
    pub self_total: u64,
    pub self_min: u64,
    pub self_max: u64,
}

impl Default for Measure {
    fn default() -> Measure {
        Measure {
            count: 0,
            total: 0,
            min: u64::MAX,
            max: 0,
            self_total: 0,
            self_min: u64::MAX,
            self_max: 0,
        }
    }
}

impl Measure {
    pub fn add(&mut self, duration: u64, self_time: u64) {
        self.count += 1;
        self.total = self.total.saturating_add(duration);
        self.min = self.min.min(duration);
        self.max = self.max.max(duration);
        self.self_total = self.self_total.saturating_add(self_time);
        self.self_min = self.self_min.min(self_time);
        self.self_max = self.self_max.max(self_time);
    }

    fn merge(&mut self, other: &Measure) {
        self.count += other.count;
        self.total = self.total.saturating_add(other.total);
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
        self.self_total = self.self_total.saturating_add(other.self_total);
        self.self_min = self.self_min.min(other.self_min);
        self.self_max = self.self_max.max(other.self_max);
    }

    pub fn average(&self) -> u64 {
        self.total.checked_div(self.count).unwrap_or(0)
    }

    pub fn self_average(&self) -> u64 {
        self.self_total.checked_div(self.count).unwrap_or(0)
    }
}

/// One group: its key (`None` for spans without the grouping attribute), its measure, and
/// its second-level groups (empty without a second grouping).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub key: Option<String>,
    pub measure: Measure,
    pub subgroups: Vec<Group>,
}

/// Statistics of a set of spans.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Statistics {
    /// Groups by total time, longest first (then by key).
    pub groups: Vec<Group>,
    /// The trace's duration, or the sum of all traces' durations: what shares are shares of.
    pub trace_time: u64,
}

impl Statistics {
    /// Statistics of one trace's spans.
    pub fn of_trace(data: &TraceData, index: &Index, trace: &Trace, grouping: &Grouping) -> Self {
        let spans = trace.order.iter().filter_map(|node| node.span());
        Statistics::of_spans(data, index, spans, trace.duration(), grouping)
    }

    /// Statistics of every loaded span.
    pub fn of_all(data: &TraceData, index: &Index, grouping: &Grouping) -> Self {
        let time = index.traces.iter().map(Trace::duration).sum();
        Statistics::of_spans(data, index, 0..data.spans.len(), time, grouping)
    }

    fn of_spans(
        data: &TraceData,
        index: &Index,
        spans: impl Iterator<Item = usize>,
        trace_time: u64,
        grouping: &Grouping,
    ) -> Self {
        let mut cells: HashMap<Cell<'_>, Measure> = HashMap::new();
        for i in spans {
            let first = key_of(data, index, i, &grouping.first);
            let second = grouping
                .second
                .as_ref()
                .and_then(|by| key_of(data, index, i, by));
            cells
                .entry((first, second))
                .or_default()
                .add(data.spans[i].duration_nanos(), index.self_time[i]);
        }
        let mut firsts: HashMap<Option<Cow<str>>, Group> = HashMap::new();
        for ((first, second), measure) in cells {
            let group = firsts.entry(first.clone()).or_insert_with(|| Group {
                key: first.map(Cow::into_owned),
                measure: Measure::default(),
                subgroups: Vec::new(),
            });
            group.measure.merge(&measure);
            if grouping.second.is_some() {
                group.subgroups.push(Group {
                    key: second.map(Cow::into_owned),
                    measure,
                    subgroups: Vec::new(),
                });
            }
        }
        let mut groups: Vec<Group> = firsts.into_values().collect();
        for group in &mut groups {
            sort_groups(&mut group.subgroups);
        }
        sort_groups(&mut groups);
        Statistics { groups, trace_time }
    }

    /// `time` as a fraction of the trace time (0 when the trace has no duration).
    pub fn share(&self, time: u64) -> f64 {
        if self.trace_time == 0 {
            0.0
        } else {
            time as f64 / self.trace_time as f64
        }
    }
}

/// The spans of `trace` in one group: first-level key `first`, and, when `second` is given,
/// second-level key `second` (keys as in [`Group::key`]). In tree order.
pub fn spans_in(
    data: &TraceData,
    index: &Index,
    trace: &Trace,
    grouping: &Grouping,
    first: Option<&str>,
    second: Option<Option<&str>>,
) -> Vec<u32> {
    let second_by = grouping.second.as_ref();
    (trace.order.iter().filter_map(|node| node.span()))
        .filter(|&i| key_of(data, index, i, &grouping.first).as_deref() == first)
        .filter(|&i| match (second, second_by) {
            (Some(want), Some(by)) => key_of(data, index, i, by).as_deref() == want,
            _ => true,
        })
        .map(|i| i as u32)
        .collect()
}

/// A (first-level key, second-level key) pair while counting.
type Cell<'a> = (Option<Cow<'a, str>>, Option<Cow<'a, str>>);

fn sort_groups(groups: &mut [Group]) {
    groups.sort_by(|a, b| {
        b.measure
            .total
            .cmp(&a.measure.total)
            .then_with(|| a.key.cmp(&b.key))
    });
}

fn key_of<'a>(
    data: &'a TraceData,
    index: &'a Index,
    i: usize,
    by: &GroupBy,
) -> Option<Cow<'a, str>> {
    let span = &data.spans[i];
    match by {
        GroupBy::Service => Some(Cow::Borrowed(index.service_name(index.service_of[i]))),
        GroupBy::Operation => Some(Cow::Borrowed(span.name.as_ref())),
        GroupBy::Attribute(key) => span
            .attribute(key)
            .or_else(|| find_attribute(&data.resource_of(span).attributes, key))
            .map(|value| match value.as_str() {
                Some(text) => Cow::Borrowed(text),
                None => Cow::Owned(value.to_string()),
            }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::testing::{at, call, data, indexed, span};
    use spindle_formats::{KeyValue, Span, SpanKind, TraceId};

    fn self_time(spans: Vec<Span>, id: u64) -> u64 {
        let (data, index) = indexed(spans);
        index.self_time[at(&data, id) as usize]
    }

    #[test]
    fn overlapping_children_count_once_in_self_time() {
        let spans = vec![
            span(1, None, 0, 100),
            span(2, Some(1), 10, 60),
            span(3, Some(1), 40, 80),
            span(4, Some(1), 20, 30),
        ];
        // Children cover 10..80 once: 70 of 100.
        assert_eq!(self_time(spans, 1), 30);
    }

    #[test]
    fn children_longer_than_the_parent_leave_self_time_at_zero_or_above() {
        let past_the_end = vec![span(1, None, 0, 100), span(2, Some(1), 50, 200)];
        assert_eq!(self_time(past_the_end.clone(), 1), 50);
        assert_eq!(self_time(past_the_end, 2), 150);
        let covering = vec![span(1, None, 10, 20), span(2, Some(1), 0, 100)];
        assert_eq!(self_time(covering, 1), 0);
    }

    #[test]
    fn a_child_starting_after_its_parent_ended_takes_no_self_time() {
        let spans = vec![
            span(1, None, 0, 100),
            span(2, Some(1), 150, 200),
            span(3, Some(1), 90, 95),
        ];
        assert_eq!(self_time(spans, 1), 95);
    }

    fn shop() -> TraceData {
        let db = |id, parent, t: (u64, u64), table: &str| {
            call(
                id,
                parent,
                t,
                1,
                "SELECT",
                SpanKind::Client,
                vec![KeyValue::new("db.table", table.to_string())],
            )
        };
        let mut spans = vec![
            span(1, None, 0, 100),
            db(2, 1, (10, 30), "orders"),
            db(3, 1, (30, 40), "orders"),
            db(4, 1, (50, 90), "items"),
            call(5, 1, (90, 95), 2, "get", SpanKind::Client, Vec::new()),
        ];
        // A second trace: one span of 50 on svc0.
        spans.push(Span {
            trace_id: TraceId(2),
            ..span(1, None, 200, 250)
        });
        data(spans)
    }

    #[test]
    fn groups_by_service_with_counts_totals_extremes_and_self_times() {
        let data = shop();
        let index = Index::build(&data);
        let trace = index.trace(TraceId(1)).expect("trace 1");
        let stats = Statistics::of_trace(&data, &index, trace, &Grouping::by(GroupBy::Service));
        let keys: Vec<_> = stats.groups.iter().map(|g| g.key.as_deref()).collect();
        assert_eq!(keys, [Some("svc0"), Some("svc1"), Some("svc2")]);
        let db = stats.groups[1].measure;
        assert_eq!(
            db,
            Measure {
                count: 3,
                total: 70,
                min: 10,
                max: 40,
                self_total: 70,
                self_min: 10,
                self_max: 40,
            }
        );
        assert_eq!(db.average(), 23);
        assert_eq!(stats.groups[0].measure.self_total, 100 - 75);
        assert_eq!(stats.trace_time, 100);
        assert!((stats.share(db.total) - 0.7).abs() < 1e-9);
    }

    #[test]
    fn a_second_level_splits_each_group_and_attributes_group_what_has_them() {
        let data = shop();
        let index = Index::build(&data);
        let trace = index.trace(TraceId(1)).expect("trace 1");
        let grouping = Grouping::by(GroupBy::Service).then(GroupBy::Attribute("db.table".into()));
        let stats = Statistics::of_trace(&data, &index, trace, &grouping);
        let db = &stats.groups[1];
        let tables: Vec<_> = db
            .subgroups
            .iter()
            .map(|g| (g.key.as_deref(), g.measure.count, g.measure.total))
            .collect();
        assert_eq!(tables, [(Some("items"), 1, 40), (Some("orders"), 2, 30)]);
        let by_table = Statistics::of_trace(
            &data,
            &index,
            trace,
            &Grouping::by(GroupBy::Attribute("db.table".into())),
        );
        let keys: Vec<_> = by_table.groups.iter().map(|g| g.key.as_deref()).collect();
        assert_eq!(
            keys,
            [None, Some("items"), Some("orders")],
            "None: root and get"
        );
        // Resource attributes group too.
        let by_name = Statistics::of_trace(
            &data,
            &index,
            trace,
            &Grouping::by(GroupBy::Attribute("service.name".into())),
        );
        assert_eq!(by_name.groups[0].key.as_deref(), Some("svc0"));
    }

    #[test]
    fn the_spans_of_a_group_are_those_its_measure_counts() {
        let data = shop();
        let index = Index::build(&data);
        let trace = index.trace(TraceId(1)).expect("trace 1");
        let grouping = Grouping::by(GroupBy::Service).then(GroupBy::Attribute("db.table".into()));
        let ids = |spans: Vec<u32>| -> Vec<u64> {
            spans
                .iter()
                .map(|&i| data.spans[i as usize].span_id.0)
                .collect()
        };
        let db = spans_in(&data, &index, trace, &grouping, Some("svc1"), None);
        assert_eq!(ids(db), [2, 3, 4]);
        let orders = spans_in(
            &data,
            &index,
            trace,
            &grouping,
            Some("svc1"),
            Some(Some("orders")),
        );
        assert_eq!(ids(orders), [2, 3]);
        let untabled = spans_in(&data, &index, trace, &grouping, Some("svc2"), Some(None));
        assert_eq!(ids(untabled), [5]);
        assert!(spans_in(&data, &index, trace, &grouping, Some("nowhere"), None).is_empty());
    }

    #[test]
    fn all_traces_sum_spans_and_trace_time() {
        let data = shop();
        let index = Index::build(&data);
        let stats = Statistics::of_all(&data, &index, &Grouping::by(GroupBy::Operation));
        assert_eq!(stats.trace_time, 150);
        let s1 = stats
            .groups
            .iter()
            .find(|g| g.key.as_deref() == Some("s1"))
            .expect("the roots");
        assert_eq!((s1.measure.count, s1.measure.total), (2, 150));
        assert_eq!((s1.measure.min, s1.measure.max), (50, 100));
        assert_eq!((s1.measure.self_min, s1.measure.self_max), (25, 50));
        assert_eq!(s1.measure.self_average(), 37);
        assert!((stats.share(s1.measure.total) - 1.0).abs() < 1e-9);
    }
}
