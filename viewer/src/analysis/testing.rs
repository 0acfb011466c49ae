//! Hand-made traces for the analysis tests: spans by id, parent and time, one trace.

use spindle_formats::{
    KeyValue, Resource, ResourceIndex, Span, SpanId, SpanKind, TraceData, TraceId,
};

use crate::index::Index;

/// Span `id` of trace 1, named `s{id}`, on service `svc0`.
pub(crate) fn span(id: u64, parent: Option<u64>, start: u64, end: u64) -> Span {
    Span {
        trace_id: TraceId(1),
        span_id: SpanId(id),
        parent_span_id: parent.map(SpanId),
        name: format!("s{id}").into(),
        start_unix_nanos: start,
        end_unix_nanos: end,
        resource: ResourceIndex(0),
        ..Span::default()
    }
}

/// A call: a span with a name, a service (0..3), a kind and attributes.
pub(crate) fn call(
    id: u64,
    parent: u64,
    (start, end): (u64, u64),
    service: u32,
    name: &str,
    kind: SpanKind,
    attributes: Vec<KeyValue>,
) -> Span {
    Span {
        name: name.to_string().into(),
        kind,
        attributes,
        resource: ResourceIndex(service),
        ..span(id, Some(parent), start, end)
    }
}

/// Services `svc0`..`svc3`.
pub(crate) fn data(spans: Vec<Span>) -> TraceData {
    TraceData {
        resources: (0..4)
            .map(|k| Resource {
                attributes: vec![KeyValue::new("service.name", format!("svc{k}"))],
                ..Default::default()
            })
            .collect(),
        scopes: Vec::new(),
        spans,
    }
}

pub(crate) fn indexed(spans: Vec<Span>) -> (TraceData, Index) {
    let data = data(spans);
    let index = Index::build(&data);
    (data, index)
}

/// Index into `data.spans` of the span with id `id`.
pub(crate) fn at(data: &TraceData, id: u64) -> u32 {
    data.spans
        .iter()
        .position(|s| s.span_id == SpanId(id))
        .map_or(u32::MAX, |i| i as u32)
}
