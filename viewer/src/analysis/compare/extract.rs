//! Traces copied out of a document so they can be compared on another thread. The caller's
//! thread (the UI's) takes only what the comparison reads, in one pass with no allocation per
//! span: ids, parent, kind, times and resource as plain values, and every name appended to
//! one text buffer. The worker makes spans of them and builds their index
//! ([`Copied::index`]). Span `k` of the copy is span `origin[k]` of the document, so results
//! can point back.

use std::ops::Range;

use spindle_formats::{Resource, ResourceIndex, Span, SpanId, SpanKind, TraceData, TraceId};

use crate::index::{Index, Node, Trace};

use super::{SetComparison, Side, TraceComparison};

/// What is copied of one span: plain values, and where its name is in [`Copied::names`].
#[derive(Debug, Clone)]
struct LeanSpan {
    trace_id: TraceId,
    span_id: SpanId,
    parent_span_id: Option<SpanId>,
    kind: SpanKind,
    start: u64,
    end: u64,
    resource: ResourceIndex,
    name: Range<u32>,
}

/// The copied spans, not yet indexed.
#[derive(Debug, Clone, Default)]
pub struct Copied {
    resources: Vec<Resource>,
    spans: Vec<LeanSpan>,
    /// Every span's name, one after another.
    names: String,
    origin: Vec<u32>,
}

/// The copied spans with their own index, and the way back to the document's spans.
#[derive(Debug, Default)]
pub struct Extract {
    /// The copied spans (no attributes, events or links).
    pub data: TraceData,
    /// Their index.
    pub index: Index,
    origin: Vec<u32>,
}

impl Copied {
    /// Copies `traces` of `data` (their spans in each trace's start order).
    pub fn of<'t>(data: &TraceData, traces: impl IntoIterator<Item = &'t Trace>) -> Copied {
        let traces: Vec<&Trace> = traces.into_iter().collect();
        let n = traces.iter().map(|t| t.spans.len()).sum();
        let mut copied = Copied {
            resources: data.resources.clone(),
            spans: Vec::with_capacity(n),
            names: String::with_capacity(n * 16),
            origin: Vec::with_capacity(n),
        };
        for trace in traces {
            for &i in &trace.spans {
                if let Some(span) = data.spans.get(i as usize) {
                    copied.push(span);
                    copied.origin.push(i);
                }
            }
        }
        copied
    }

    fn push(&mut self, span: &Span) {
        let from = self.names.len() as u32;
        self.names.push_str(&span.name);
        self.spans.push(LeanSpan {
            trace_id: span.trace_id,
            span_id: span.span_id,
            parent_span_id: span.parent_span_id,
            kind: span.kind,
            start: span.start_unix_nanos,
            end: span.end_unix_nanos,
            resource: span.resource,
            name: from..self.names.len() as u32,
        });
    }

    /// How many spans were copied.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// True when no span was copied.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Makes spans of the copy and indexes them (the slow part: meant for the worker).
    pub fn index(self) -> Extract {
        let names = &self.names;
        let spans = self.spans.iter().map(|s| Span {
            trace_id: s.trace_id,
            span_id: s.span_id,
            parent_span_id: s.parent_span_id,
            name: names
                .get(s.name.start as usize..s.name.end as usize)
                .unwrap_or_default()
                .to_string()
                .into(),
            kind: s.kind,
            start_unix_nanos: s.start,
            end_unix_nanos: s.end,
            resource: s.resource,
            ..Span::default()
        });
        let data = TraceData {
            spans: spans.collect(),
            resources: self.resources,
            scopes: Vec::new(),
        };
        let index = Index::build(&data);
        Extract {
            data,
            index,
            origin: self.origin,
        }
    }
}

impl Extract {
    /// The document's node for a node of the copy (the placeholder stays the placeholder).
    pub fn origin(&self, node: Node) -> Node {
        match node.span() {
            Some(k) => self.origin.get(k).map_or(node, |&i| Node(i)),
            None => node,
        }
    }
}

/// Trace A (the first copied trace of `a`) against trace B (of `b`), merged by call path, the
/// nodes pointing at the documents' spans; `None` when a side has no trace. Worker thread.
pub fn compare_traces(a: Copied, b: Copied) -> Option<TraceComparison> {
    let (a, b) = (a.index(), b.index());
    let (ta, tb) = (a.index.traces.first()?, b.index.traces.first()?);
    let mut c = TraceComparison::of(
        Side::new(&a.data, &a.index),
        ta,
        Side::new(&b.data, &b.index),
        tb,
    );
    for node in &mut c.nodes {
        node.a = node.a.map(|n| a.origin(n));
        node.b = node.b.map(|n| b.origin(n));
    }
    Some(c)
}

/// The copied traces of `a` against those of `b`, by call path. Worker thread.
pub fn compare_sets(a: Copied, b: Copied) -> SetComparison {
    let (a, b) = (a.index(), b.index());
    SetComparison::of(
        Side::new(&a.data, &a.index),
        &a.index.traces,
        Side::new(&b.data, &b.index),
        &b.index.traces,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture;
    use spindle_formats::TraceId;

    /// The orders trace again as another trace, without the cache lookup, render slower.
    fn slower(mut data: TraceData) -> TraceData {
        data.spans.retain(|s| s.name.as_ref() != "cache.get");
        for span in &mut data.spans {
            span.trace_id = TraceId(0x0e0e_0002);
            if span.name.as_ref() == "render" {
                span.end_unix_nanos += 20_000_000;
            }
        }
        data
    }

    #[test]
    fn compared_copies_match_the_documents_comparison_and_point_at_its_spans() {
        let mut data = fixture::n_plus_one();
        let b = slower(fixture::n_plus_one());
        data.spans.extend(b.spans);
        let index = Index::build(&data);
        assert_eq!(index.traces.len(), 2);
        let side = Side::new(&data, &index);
        let (ta, tb) = (&index.traces[0], &index.traces[1]);
        let direct = TraceComparison::of(side, ta, side, tb);
        let copied = compare_traces(Copied::of(&data, [ta]), Copied::of(&data, [tb]))
            .expect("both traces have spans");
        assert_eq!(copied.keys, direct.keys);
        assert_eq!(
            copied.nodes, direct.nodes,
            "nodes point at the document's spans"
        );
        assert_eq!(copied.counts(), (9, 0, 1));
        let removed = copied
            .nodes
            .iter()
            .find(|n| n.b.is_none())
            .expect("removed");
        let span = removed.a.and_then(|n| n.span()).expect("a span of A");
        assert_eq!(data.spans[span].name.as_ref(), "cache.get");
    }

    #[test]
    fn a_copy_leaves_attributes_behind_and_an_empty_side_compares_to_nothing() {
        let data = fixture::n_plus_one();
        let index = Index::build(&data);
        let copied = Copied::of(&data, &index.traces);
        assert_eq!(copied.len(), data.spans.len());
        let extract = copied.clone().index();
        assert!(extract.data.spans.iter().all(|s| s.attributes.is_empty()));
        assert!(data.spans.iter().any(|s| !s.attributes.is_empty()));
        let names = |d: &TraceData| {
            let mut names: Vec<String> = d.spans.iter().map(|s| s.name.to_string()).collect();
            names.sort();
            names
        };
        assert_eq!(names(&extract.data), names(&data));
        let empty = Copied::of(&data, std::iter::empty());
        assert!(empty.is_empty());
        assert!(compare_traces(copied, empty).is_none());
    }

    #[test]
    fn two_files_compare_as_sets_like_their_documents() {
        let (a, b) = (fixture::many_traces(20, 10), fixture::many_traces(30, 12));
        let (ia, ib) = (Index::build(&a), Index::build(&b));
        let direct = SetComparison::of(
            Side::new(&a, &ia),
            &ia.traces,
            Side::new(&b, &ib),
            &ib.traces,
        );
        let copied = compare_sets(Copied::of(&a, &ia.traces), Copied::of(&b, &ib.traces));
        assert_eq!((copied.a.traces, copied.b.traces), (20, 30));
        assert_eq!((copied.a.spans, copied.b.spans), (200, 360));
        assert_eq!(copied.a, direct.a);
        assert_eq!(copied.b, direct.b);
        assert_eq!(copied.keys, direct.keys);
        assert_eq!(copied.paths, direct.paths);
    }
}
