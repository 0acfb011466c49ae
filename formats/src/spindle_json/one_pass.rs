//! The common Spindle file read in one pass: documents with no problem in them.
//!
//! The careful read ([`super::read`]'s fallback) splits the input into raw documents, each
//! document's spans into raw spans, then parses each span: three passes over every byte, so that
//! a bad span can be located and skipped. A file with no bad span is parsed straight into the
//! model instead; anything unusual gives `None` and the careful read runs, so warnings and errors
//! are exactly the careful read's.

use serde::Deserialize;

use super::read::{DocumentWire, SpanWire, check_header, resources, scopes, span};
use crate::model::{Resource, Scope, Span, TraceData};

/// The spans of `bytes` if every document in it is sound; `None` when the careful read must
/// decide.
pub(super) fn read(bytes: &[u8]) -> Option<TraceData> {
    // Checked once here, not string by string while parsing.
    let text = std::str::from_utf8(bytes).ok()?;
    let mut data = TraceData::default();
    let mut documents = 0;
    for document in
        serde_json::Deserializer::from_str(text).into_iter::<DocumentWire<'_, Converted>>()
    {
        let batch = into_data(document.ok()?)?;
        documents += 1;
        // As the careful read merges: the first batch with anything in it is taken whole.
        if data.spans.is_empty() && data.resources.is_empty() && data.scopes.is_empty() {
            data = batch;
        } else {
            data.merge(batch);
        }
    }
    (documents > 0).then_some(data)
}

/// A span converted as soon as it is parsed (its resource and scope indexes are checked once the
/// document's lists are known); `None` when it has a problem.
struct Converted(Option<Span>);

impl<'de> Deserialize<'de> for Converted {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let wire = SpanWire::deserialize(deserializer)?;
        Ok(Converted(span(wire, (usize::MAX, usize::MAX)).ok()))
    }
}

/// A document's model, or `None` at its first problem.
fn into_data(document: DocumentWire<'_, Converted>) -> Option<TraceData> {
    check_header(document.format, document.version).ok()?;
    let mut data = TraceData {
        resources: resources(document.resources).ok()?,
        scopes: scopes(document.scopes).ok()?,
        spans: Vec::new(),
    };
    if !document.spans.is_empty() {
        if data.resources.is_empty() {
            data.resources.push(Resource::default());
        }
        if data.scopes.is_empty() {
            data.scopes.push(Scope::default());
        }
    }
    // Collected in place (the list's own memory becomes the model's: a document holding a
    // million spans is never in memory twice).
    let spans: Vec<Span> = document
        .spans
        .into_iter()
        .map(|c| c.0)
        .collect::<Option<_>>()?;
    let (resource_count, scope_count) = (data.resources.len(), data.scopes.len());
    let in_range = |span: &Span| {
        (span.resource.0 as usize) < resource_count && (span.scope.0 as usize) < scope_count
    };
    if !spans.iter().all(in_range) {
        return None;
    }
    data.spans = spans;
    Some(data)
}
