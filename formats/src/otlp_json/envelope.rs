//! The document around the resource spans: an `ExportTraceServiceRequest` (`resourceSpans`),
//! or what a backend's trace-by-id API answers with the same spans inside:
//!
//! - Tempo `GET /api/traces/{id}`: `{"batches":[ResourceSpans…]}`;
//! - Tempo v2 `GET /api/v2/traces/{id}`: `{"trace":{"resourceSpans":[…]}}`;
//! - Jaeger v3 `GET /api/v3/traces/{id}`: `{"result":{"resourceSpans":[…]}}`.

use serde::Deserialize;
use serde_json::value::RawValue;

use super::groups::ResourceSpansWire;

/// A request document or a backend's answer; `S` is how spans are parsed.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(expecting = "an OTLP ExportTraceServiceRequest object")]
pub(super) struct RequestWire<'a, S = &'a RawValue> {
    #[serde(borrow, default = "Vec::new")]
    resource_spans: Vec<ResourceSpansWire<'a, S>>,
    /// Tempo's name for `resourceSpans`.
    #[serde(borrow, default = "Vec::new")]
    batches: Vec<ResourceSpansWire<'a, S>>,
    /// Tempo v2's wrapper.
    #[serde(borrow, default = "none")]
    trace: Option<BodyWire<'a, S>>,
    /// Jaeger v3's wrapper.
    #[serde(borrow, default = "none")]
    result: Option<BodyWire<'a, S>>,
}

/// The trace inside a wrapper.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(expecting = "an object with resourceSpans")]
struct BodyWire<'a, S> {
    #[serde(borrow, default = "Vec::new")]
    resource_spans: Vec<ResourceSpansWire<'a, S>>,
    #[serde(borrow, default = "Vec::new")]
    batches: Vec<ResourceSpansWire<'a, S>>,
}

/// The resource spans of one document with the field path of each.
pub(super) type Groups<'a, S> = Vec<(String, ResourceSpansWire<'a, S>)>;

impl<'a, S> RequestWire<'a, S> {
    /// Every `ResourceSpans` of the document, in order, with its field path
    /// (`resourceSpans[0]`, `batches[2]`, `trace.resourceSpans[1]`, …).
    pub fn groups(self) -> Groups<'a, S> {
        let mut groups = Vec::new();
        push(&mut groups, "resourceSpans", self.resource_spans);
        push(&mut groups, "batches", self.batches);
        for (name, body) in [("trace", self.trace), ("result", self.result)] {
            if let Some(body) = body {
                push(
                    &mut groups,
                    &format!("{name}.resourceSpans"),
                    body.resource_spans,
                );
                push(&mut groups, &format!("{name}.batches"), body.batches);
            }
        }
        groups
    }
}

fn push<'a, S>(groups: &mut Groups<'a, S>, name: &str, list: Vec<ResourceSpansWire<'a, S>>) {
    groups.extend(
        list.into_iter()
            .enumerate()
            .map(|(r, group)| (format!("{name}[{r}]"), group)),
    );
}

/// No wrapper (a function, so that serde asks nothing of `S`).
fn none<T>() -> Option<T> {
    None
}
