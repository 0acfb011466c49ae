//! Traces copied out of a document so they can be compared on another thread: the spans'
//! names, ids, times, kinds and resources (no attributes, events or links), taken in one pass
//! on the caller's thread; the index over them is built on the worker ([`Copied::index`]).
//! Span `k` of the copy is span `origin[k]` of the document, so results can point back.

use spindle_formats::{Span, TraceData};

use crate::index::{Index, Node, Trace};

use super::{SetComparison, Side, TraceComparison};

/// The copied spans, not yet indexed.
#[derive(Debug, Clone, Default)]
pub struct Copied {
    data: TraceData,
    origin: Vec<u32>,
}

/// The copied spans with their own index, and the way back to the document's spans.
#[derive(Debug, Default)]
pub struct Extract {
    /// The copied spans.
    pub data: TraceData,
    /// Their index (the traces in the order first copied).
    pub index: Index,
    origin: Vec<u32>,
}

impl Copied {
    /// Copies `traces` of `data` (their spans in each trace's start order).
    pub fn of<'t>(data: &TraceData, traces: impl IntoIterator<Item = &'t Trace>) -> Copied {
        let mut copied = Copied {
            data: TraceData {
                resources: data.resources.clone(),
                scopes: Vec::new(),
                spans: Vec::new(),
            },
            origin: Vec::new(),
        };
        for trace in traces {
            copied.data.spans.reserve(trace.spans.len());
            copied.origin.reserve(trace.spans.len());
            for &i in &trace.spans {
                if let Some(span) = data.spans.get(i as usize) {
                    copied.data.spans.push(lean(span));
                    copied.origin.push(i);
                }
            }
        }
        copied
    }

    /// How many spans were copied.
    pub fn len(&self) -> usize {
        self.data.spans.len()
    }

    /// True when no span was copied.
    pub fn is_empty(&self) -> bool {
        self.data.spans.is_empty()
    }

    /// Indexes the copy (the slow part: meant for the worker thread).
    pub fn index(self) -> Extract {
        let index = Index::build(&self.data);
        Extract {
            data: self.data,
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

/// What the index and the comparison read of a span; the rest stays behind.
fn lean(span: &Span) -> Span {
    Span {
        trace_id: span.trace_id,
        span_id: span.span_id,
        parent_span_id: span.parent_span_id,
        name: span.name.clone(),
        kind: span.kind,
        start_unix_nanos: span.start_unix_nanos,
        end_unix_nanos: span.end_unix_nanos,
        resource: span.resource,
        ..Span::default()
    }
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
        assert!(copied.data.spans.iter().all(|s| s.attributes.is_empty()));
        assert!(data.spans.iter().any(|s| !s.attributes.is_empty()));
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
