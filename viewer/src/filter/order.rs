//! The trace list's order as one comparison: the sort key, ties by trace index, all of it
//! reversed when descending (exactly a stable sort by key of the rows in trace order, then
//! reversed). One comparison serves the full sort and the merge of changed traces.

use std::cmp::Ordering;

use crate::index::{Index, Trace};

use super::SortBy;

/// Compares two traces as the list orders them.
pub(super) struct RowOrder<'a> {
    index: &'a Index,
    sort: SortBy,
    descending: bool,
}

impl<'a> RowOrder<'a> {
    pub(super) fn new(index: &'a Index, sort: SortBy, descending: bool) -> Self {
        RowOrder {
            index,
            sort,
            descending,
        }
    }

    /// Which of traces `a` and `b` comes first in the list.
    pub(super) fn cmp(&self, a: u32, b: u32) -> Ordering {
        let (ta, tb) = (
            &self.index.traces[a as usize],
            &self.index.traces[b as usize],
        );
        let by_key = match self.sort {
            SortBy::Start => ta.start.cmp(&tb.start),
            SortBy::Duration => ta.duration().cmp(&tb.duration()),
            SortBy::Spans => ta.span_count.cmp(&tb.span_count),
            SortBy::Errors => ta.error_count.cmp(&tb.error_count),
            SortBy::Name => self.label_bytes(ta).cmp(self.label_bytes(tb)),
        };
        let ascending = by_key.then(a.cmp(&b));
        if self.descending {
            ascending.reverse()
        } else {
            ascending
        }
    }

    /// The bytes of [`Trace::label`] without building the string.
    fn label_bytes(&self, trace: &'a Trace) -> impl Iterator<Item = u8> + 'a {
        let service = self.index.service_name(trace.root_service).bytes();
        service.chain(*b": ").chain(trace.root_name.bytes())
    }

    /// Merges two lists each in this order into one.
    pub(super) fn merge(&self, rows: Vec<u32>, new: Vec<u32>) -> Vec<u32> {
        let mut merged = Vec::with_capacity(rows.len() + new.len());
        let (mut a, mut b) = (rows.into_iter().peekable(), new.into_iter().peekable());
        while let (Some(&x), Some(&y)) = (a.peek(), b.peek()) {
            if self.cmp(y, x) == Ordering::Less {
                merged.push(y);
                b.next();
            } else {
                merged.push(x);
                a.next();
            }
        }
        merged.extend(a);
        merged.extend(b);
        merged
    }
}
