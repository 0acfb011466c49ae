//! A borrowed view of spans to write, with the resources and scopes they refer to: what every
//! writer takes. A [`TraceData`] lends one (`(&data).into()`), and so does the tracer's export
//! pipeline over the boxed records it hands to sinks without copying them.

use std::ops::Range;

use crate::model::{Resource, Scope, Span, TraceData, resource_at, scope_at};

/// Spans to write and what they refer to. Cheap to copy: three borrowed slices.
///
/// ```
/// use spindle_formats::{Span, SpanBatch, TraceData};
/// let data = TraceData { spans: vec![Span::default(); 3], ..Default::default() };
/// let batch = SpanBatch::from(&data);
/// assert_eq!(batch.spans.len(), 3);
/// assert_eq!(batch.part(1..3).spans.len(), 2);
/// assert_eq!(batch.to_trace_data(), data);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct SpanBatch<'a> {
    /// The resources spans refer to by index.
    pub resources: &'a [Resource],
    /// The scopes spans refer to by index.
    pub scopes: &'a [Scope],
    /// The spans to write.
    pub spans: Spans<'a>,
}

/// The spans of a batch, as a plain slice or as a slice of boxes.
#[derive(Debug, Clone, Copy)]
pub enum Spans<'a> {
    /// Spans stored inline, as in [`TraceData::spans`].
    Plain(&'a [Span]),
    /// Boxed spans, as the tracer's pipeline hands them over.
    Boxed(&'a [Box<Span>]),
}

impl<'a> SpanBatch<'a> {
    /// The resource a span refers to (an empty one if the index is out of range).
    pub fn resource_of(&self, span: &Span) -> &'a Resource {
        resource_at(self.resources, span.resource)
    }

    /// The scope a span refers to (an empty one if the index is out of range).
    pub fn scope_of(&self, span: &Span) -> &'a Scope {
        scope_at(self.scopes, span.scope)
    }

    /// The same batch with only the spans in `range` (clamped to the spans there are).
    pub fn part(&self, range: Range<usize>) -> SpanBatch<'a> {
        SpanBatch {
            spans: self.spans.part(range),
            ..*self
        }
    }

    /// An owned copy.
    pub fn to_trace_data(&self) -> TraceData {
        TraceData {
            resources: self.resources.to_vec(),
            scopes: self.scopes.to_vec(),
            spans: self.spans.iter().cloned().collect(),
        }
    }
}

impl<'a> From<&'a TraceData> for SpanBatch<'a> {
    fn from(data: &'a TraceData) -> Self {
        SpanBatch {
            resources: &data.resources,
            scopes: &data.scopes,
            spans: Spans::Plain(&data.spans),
        }
    }
}

impl<'a> Spans<'a> {
    /// How many spans there are.
    pub fn len(&self) -> usize {
        match self {
            Spans::Plain(spans) => spans.len(),
            Spans::Boxed(spans) => spans.len(),
        }
    }

    /// True when there are no spans.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The span at `index`, if there is one.
    pub fn get(&self, index: usize) -> Option<&'a Span> {
        match self {
            Spans::Plain(spans) => spans.get(index),
            Spans::Boxed(spans) => spans.get(index).map(|span| &**span),
        }
    }

    /// The spans, in order.
    pub fn iter(&self) -> SpansIter<'a> {
        match *self {
            Spans::Plain(spans) => SpansIter::Plain(spans.iter()),
            Spans::Boxed(spans) => SpansIter::Boxed(spans.iter()),
        }
    }

    /// The spans in `range` (clamped to the spans there are).
    pub fn part(&self, range: Range<usize>) -> Spans<'a> {
        let end = range.end.min(self.len());
        let start = range.start.min(end);
        match *self {
            Spans::Plain(spans) => Spans::Plain(&spans[start..end]),
            Spans::Boxed(spans) => Spans::Boxed(&spans[start..end]),
        }
    }
}

impl<'a> IntoIterator for Spans<'a> {
    type Item = &'a Span;
    type IntoIter = SpansIter<'a>;

    fn into_iter(self) -> SpansIter<'a> {
        self.iter()
    }
}

/// Iterator over the spans of a [`Spans`].
#[derive(Debug, Clone)]
pub enum SpansIter<'a> {
    /// Over [`Spans::Plain`].
    Plain(std::slice::Iter<'a, Span>),
    /// Over [`Spans::Boxed`].
    Boxed(std::slice::Iter<'a, Box<Span>>),
}

impl<'a> Iterator for SpansIter<'a> {
    type Item = &'a Span;

    #[inline]
    fn next(&mut self) -> Option<&'a Span> {
        match self {
            SpansIter::Plain(spans) => spans.next(),
            SpansIter::Boxed(spans) => spans.next().map(|span| &**span),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            SpansIter::Plain(spans) => spans.size_hint(),
            SpansIter::Boxed(spans) => spans.size_hint(),
        }
    }
}

impl ExactSizeIterator for SpansIter<'_> {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SpanId;

    fn spans(n: u64) -> Vec<Span> {
        (0..n)
            .map(|i| Span {
                span_id: SpanId(i + 1),
                ..Span::default()
            })
            .collect()
    }

    #[test]
    fn boxed_and_plain_spans_read_the_same() {
        let plain = spans(5);
        let boxed: Vec<Box<Span>> = plain.iter().cloned().map(Box::new).collect();
        let (a, b) = (Spans::Plain(&plain), Spans::Boxed(&boxed));
        assert!(a.iter().eq(b.iter()));
        assert_eq!(a.iter().len(), 5);
        assert_eq!(b.get(4).map(|s| s.span_id), Some(SpanId(5)));
        assert!(b.get(5).is_none());
        let ids = |s: Spans<'_>| s.iter().map(|s| s.span_id.0).collect::<Vec<_>>();
        assert_eq!(ids(b.part(1..3)), [2, 3]);
        assert_eq!(ids(b.part(4..9)), [5]);
        assert!(a.part(7..9).is_empty());
    }

    #[test]
    fn out_of_range_indices_get_empty_resource_and_scope() {
        let mut data = TraceData {
            spans: spans(1),
            ..TraceData::default()
        };
        data.spans[0].resource.0 = 3;
        let batch = SpanBatch::from(&data);
        assert!(batch.resource_of(&data.spans[0]).attributes.is_empty());
        assert_eq!(batch.scope_of(&data.spans[0]).name, "");
    }
}
