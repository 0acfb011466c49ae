//! The common Spindle file read in one pass: documents with no problem in them.
//!
//! The careful read ([`super::read`]'s fallback) splits the input into raw documents, each
//! document's spans into raw spans, then parses each span: three passes over every byte, so that
//! a bad span can be located and skipped. A file with no bad span is parsed straight into the
//! model instead; anything unusual gives `None` and the careful read runs, so warnings and errors
//! are exactly the careful read's.

use serde::Deserialize;
use serde_json::value::RawValue;

use super::read::{SpanWire, check_header, resources, scopes, span};
use super::value::ValueWire;
use crate::model::{Resource, Scope, Span, TraceData};
use crate::otlp_shape::{ResourceWire, ScopeWire};

/// The spans of `bytes` if every document in it is sound; `None` when the careful read must
/// decide.
pub(super) fn read(bytes: &[u8]) -> Option<TraceData> {
    // Checked once here, not string by string while parsing.
    let text = std::str::from_utf8(bytes).ok()?;
    let mut data = TraceData::default();
    let mut documents = 0;
    for document in serde_json::Deserializer::from_str(text).into_iter::<DocumentWire<'_>>() {
        let batch = document.ok()?.into_data()?;
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

#[derive(Deserialize)]
struct DocumentWire<'a> {
    #[serde(borrow, default)]
    format: Option<&'a RawValue>,
    #[serde(borrow, default)]
    version: Option<&'a RawValue>,
    #[serde(borrow, default)]
    resources: Vec<ResourceWire<'a, ValueWire<'a>>>,
    #[serde(borrow, default)]
    scopes: Vec<ScopeWire<'a, ValueWire<'a>>>,
    #[serde(default)]
    spans: Vec<Converted>,
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

impl DocumentWire<'_> {
    fn into_data(self) -> Option<TraceData> {
        check_header(self.format, self.version).ok()?;
        let mut data = TraceData {
            resources: resources(self.resources).ok()?,
            scopes: scopes(self.scopes).ok()?,
            spans: Vec::new(),
        };
        if !self.spans.is_empty() {
            if data.resources.is_empty() {
                data.resources.push(Resource::default());
            }
            if data.scopes.is_empty() {
                data.scopes.push(Scope::default());
            }
        }
        // Collected in place (the list's own memory becomes the model's: a document holding a
        // million spans is never in memory twice).
        let spans: Vec<Span> = self.spans.into_iter().map(|c| c.0).collect::<Option<_>>()?;
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
}
