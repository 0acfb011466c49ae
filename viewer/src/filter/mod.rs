//! The trace-list filter engine: which traces a [`ListFilter`] keeps, in [`SortBy`] order,
//! computed in passes that can be spread over frames ([`FilteredTraces::advance`]) so a
//! filter over 17,000 traces never stalls one. No egui here; the list view draws the result.

mod matcher;
mod order;

use std::time::{Duration, Instant};

use crate::index::{Index, TraceMap};
use crate::load::Document;

use matcher::Matcher;
pub use matcher::{ListFilter, Through, parse_duration};
use order::RowOrder;

/// Sort key of the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum SortBy {
    #[default]
    Start,
    Duration,
    Spans,
    Errors,
    Name,
}

/// The traces a filter keeps, sorted, and the pass that brings them up to date.
#[derive(Debug, Clone)]
pub struct FilteredTraces {
    pub filter: ListFilter,
    pub sort: SortBy,
    pub descending: bool,
    /// Trace indices in display order from the last finished pass.
    rows: Vec<u32>,
    /// The filter pass under way; `None` once `rows` is up to date.
    pass: Option<Pass>,
}

impl Default for FilteredTraces {
    /// Unfiltered, by start time, with a pass pending.
    fn default() -> Self {
        FilteredTraces {
            filter: ListFilter::default(),
            sort: SortBy::default(),
            descending: false,
            rows: Vec::new(),
            pass: Some(Pass::default()),
        }
    }
}

/// A filter pass spread over frames: traces before `next` have been checked.
#[derive(Debug, Clone, Default)]
struct Pass {
    next: usize,
    kept: Vec<u32>,
}

/// Traces checked between two looks at the clock.
const CHUNK: usize = 64;

impl FilteredTraces {
    /// The traces `filter` keeps in this order, with a pass pending.
    pub fn new(filter: ListFilter, sort: SortBy, descending: bool) -> Self {
        FilteredTraces {
            filter,
            sort,
            descending,
            ..FilteredTraces::default()
        }
    }

    /// Starts a new filter pass (after a load or a filter change); the old rows stay
    /// available until it is done.
    pub fn invalidate(&mut self) {
        self.pass = Some(Pass::default());
    }

    /// Brings the rows up to date after `changed` traces (ascending) gained spans or were
    /// added: only those are checked again and merged into the sorted rows, so the cost is
    /// one linear pass over the rows plus sorting the changed ones, never a re-sort of all.
    /// A pass under way starts over instead (it may have checked them already).
    pub fn traces_changed(&mut self, doc: &Document, changed: &[u32]) {
        if self.pass.is_some() {
            self.invalidate();
            return;
        }
        let is_changed = |t: &u32| changed.binary_search(t).is_ok();
        self.rows.retain(|t| !is_changed(t));
        let matcher = Matcher::new(doc, &self.filter);
        let traces = &doc.index.traces;
        let mut kept: Vec<u32> = changed
            .iter()
            .copied()
            .filter(|&t| matcher.keeps(&traces[t as usize]))
            .collect();
        let order = RowOrder::new(&doc.index, self.sort, self.descending);
        kept.sort_unstable_by(|&a, &b| order.cmp(a, b));
        self.rows = order.merge(std::mem::take(&mut self.rows), kept);
    }

    /// Old traces were evicted: their rows go, the others are renumbered (their order stays,
    /// as a trace's summary did not change). A pass under way starts over.
    pub fn traces_evicted(&mut self, map: &TraceMap) {
        if self.pass.is_some() {
            self.invalidate();
            return;
        }
        self.rows = self
            .rows
            .iter()
            .filter_map(|&t| map.get(t as usize))
            .collect();
    }

    /// Trace indices in display order, finishing any pass first.
    pub fn rows(&mut self, doc: &Document) -> &[u32] {
        while !self.advance(doc, None) {}
        &self.rows
    }

    /// The rows of the last finished pass (what the list shows while a pass runs).
    pub fn shown(&self) -> &[u32] {
        &self.rows
    }

    /// How far the running pass is (0..1), `None` when the rows are up to date.
    pub fn progress(&self, doc: &Document) -> Option<f32> {
        let total = doc.index.traces.len().max(1);
        self.pass.as_ref().map(|p| p.next as f32 / total as f32)
    }

    /// Continues the filter pass for about `budget` (all of it when `None`); true when the
    /// rows are up to date.
    pub fn advance(&mut self, doc: &Document, budget: Option<Duration>) -> bool {
        let Some(mut pass) = self.pass.take() else {
            return true;
        };
        let started = Instant::now();
        let matcher = Matcher::new(doc, &self.filter);
        let traces = &doc.index.traces;
        while pass.next < traces.len() {
            let end = (pass.next + CHUNK).min(traces.len());
            let kept = (pass.next..end).filter(|&t| matcher.keeps(&traces[t]));
            pass.kept.extend(kept.map(|t| t as u32));
            pass.next = end;
            if budget.is_some_and(|b| started.elapsed() >= b) {
                break;
            }
        }
        if pass.next < traces.len() {
            self.pass = Some(pass);
            return false;
        }
        self.rows = pass.kept;
        self.sort_rows(&doc.index);
        true
    }

    fn sort_rows(&mut self, index: &Index) {
        let order = RowOrder::new(index, self.sort, self.descending);
        self.rows.sort_unstable_by(|&a, &b| order.cmp(a, b));
    }
}

#[cfg(test)]
mod tests {
    use spindle_formats::KeyValue;

    use super::*;
    use crate::fixture;

    #[test]
    fn sorting_and_direction() {
        let doc = Document::from_data(fixture::shop());
        let labels = |sort, descending| {
            let mut traces = FilteredTraces::new(ListFilter::default(), sort, descending);
            let rows = traces.rows(&doc).to_vec();
            rows.iter()
                .map(|&t| doc.index.traces[t as usize].span_count)
                .collect::<Vec<_>>()
        };
        assert_eq!(labels(SortBy::Spans, false), [3, 7]);
        assert_eq!(labels(SortBy::Spans, true), [7, 3]);
        assert_eq!(labels(SortBy::Duration, true), [7, 3]);
        assert_eq!(labels(SortBy::Errors, false), [3, 7]);
    }

    /// The filter as a plain full pass that formats every value: the reference.
    fn naive(doc: &Document, f: &ListFilter) -> Vec<u32> {
        let (key, value) = match f.tag.split_once('=') {
            Some((k, v)) => (k.trim(), Some(v.trim())),
            None => (f.tag.trim(), None),
        };
        let has = |attrs: &[KeyValue]| {
            attrs
                .iter()
                .any(|kv| kv.key.as_ref() == key && value.is_none_or(|v| kv.value.to_string() == v))
        };
        let op = f.operation.to_lowercase();
        let mut rows: Vec<u32> = (0..doc.index.traces.len() as u32)
            .filter(|&t| {
                let trace = &doc.index.traces[t as usize];
                let spans = || trace.order.iter().filter_map(|n| n.span());
                (f.service.is_empty()
                    || trace
                        .services
                        .iter()
                        .any(|&s| doc.index.service_name(s) == f.service))
                    && parse_duration(&f.min_duration).is_none_or(|m| trace.duration() >= m)
                    && (op.is_empty()
                        || spans().any(|i| doc.data.spans[i].name.to_lowercase().contains(&op)))
                    && (key.is_empty()
                        || spans().any(|i| {
                            let s = &doc.data.spans[i];
                            has(&s.attributes) || has(&doc.data.resource_of(s).attributes)
                        }))
            })
            .collect();
        rows.sort_by_key(|&t| doc.index.traces[t as usize].start);
        rows
    }

    #[test]
    fn incremental_pass_equals_full_pass() {
        let doc = Document::from_data(fixture::many_traces(600, 20));
        let filters = [
            ListFilter::default(),
            ListFilter {
                tag: "peer=cart".into(),
                ..ListFilter::default()
            },
            ListFilter {
                tag: "n=7".into(),
                operation: "PUB".into(),
                ..ListFilter::default()
            },
            ListFilter {
                tag: "host.name=db-1".into(),
                service: "db".into(),
                min_duration: "1ms".into(),
                ..ListFilter::default()
            },
            ListFilter {
                tag: "n=9999".into(),
                ..ListFilter::default()
            },
        ];
        for filter in filters {
            let mut full = FilteredTraces {
                filter: filter.clone(),
                ..FilteredTraces::default()
            };
            full.invalidate();
            let expected = full.rows(&doc).to_vec();
            assert_eq!(expected, naive(&doc, &filter), "{filter:?}");
            let mut stepped = full.clone();
            stepped.invalidate();
            let mut frames = 1;
            while !stepped.advance(&doc, Some(Duration::ZERO)) {
                assert!(stepped.progress(&doc).is_some_and(|p| p < 1.0));
                frames += 1;
            }
            assert!(frames >= 600 / CHUNK, "{frames} frames");
            assert_eq!(stepped.rows, expected, "{filter:?}");
            assert_eq!(stepped.progress(&doc), None);
        }
    }
}
