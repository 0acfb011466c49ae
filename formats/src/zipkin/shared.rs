//! Zipkin's shared spans: the CLIENT and SERVER halves of one call reported with the same `id`,
//! the server half marked `"shared": true` (as Brave and other B3 instrumentations send when
//! the server joins the client's span instead of starting a child).
//!
//! The model wants one span per id, so, as Jaeger reads them but keeping the tree right:
//! - the server half gets an id of its own, derived from the shared id (FNV-1a of
//!   `"{id}/server"`, see `crate::derived_id`; `"{id}/server/2"`, … should that be taken in the
//!   trace), becomes the client half's child, and keeps the shared id as attribute
//!   [`ZIPKIN_ID`] (16 hex digits) next to `zipkin.shared`;
//! - the spans whose `parentId` is the shared id and whose `localEndpoint` service is the server
//!   half's follow it: they were reported by the server (a service that calls itself cannot be
//!   told apart, and its children of the id all follow the server half).
//!
//! A shared span without a client half in the same trace keeps its id. Written again, in any
//! format, the ids are unique within their trace, and reading that Zipkin output gives the same
//! spans (the server half no longer shares its id).

use std::collections::{HashMap, HashSet};

use super::SHARED;
use crate::derived_id;
use crate::hex::span_id_hex;
use crate::model::{KeyValue, SpanId, TraceData, TraceId, Value};

/// The attribute that keeps a server half's shared Zipkin id.
pub(super) const ZIPKIN_ID: &str = "zipkin.id";

/// Gives every server half that shares its id with a client half an id of its own (see the
/// module's description).
pub(super) fn separate_halves(data: &mut TraceData) {
    let marked: Vec<usize> = (0..data.spans.len())
        .filter(|&i| data.spans[i].attribute(SHARED) == Some(&Value::Bool(true)))
        .collect();
    if marked.is_empty() {
        return;
    }
    let traces: HashSet<TraceId> = marked.iter().map(|&i| data.spans[i].trace_id).collect();
    let marked_set: HashSet<usize> = marked.iter().copied().collect();
    let mut in_use = HashSet::new();
    let mut clients = HashSet::new();
    for (i, span) in data.spans.iter().enumerate() {
        if traces.contains(&span.trace_id) {
            in_use.insert((span.trace_id, span.span_id));
            if !marked_set.contains(&i) {
                clients.insert((span.trace_id, span.span_id));
            }
        }
    }
    // (trace, shared id, server service) -> the server half's new id.
    let mut moved: HashMap<(TraceId, SpanId, String), SpanId> = HashMap::new();
    let mut split = HashSet::new();
    for i in marked {
        let (trace, shared) = (data.spans[i].trace_id, data.spans[i].span_id);
        if !clients.contains(&(trace, shared)) {
            continue;
        }
        let own = fresh_id(trace, shared, &in_use);
        in_use.insert((trace, own));
        let service = data.service_name_of(&data.spans[i]).to_owned();
        moved.entry((trace, shared, service)).or_insert(own);
        let span = &mut data.spans[i];
        span.span_id = own;
        span.parent_span_id = Some(shared);
        span.attributes.push(KeyValue::new(
            ZIPKIN_ID,
            span_id_hex(shared).as_str().to_owned(),
        ));
        split.insert(i);
    }
    reparent_server_children(data, &moved, &split);
}

/// An id for the server half of `shared`, not yet used in the trace.
fn fresh_id(trace: TraceId, shared: SpanId, in_use: &HashSet<(TraceId, SpanId)>) -> SpanId {
    let base = format!("{}/server", span_id_hex(shared).as_str());
    let mut id = derived_id::span_id(&base);
    let mut round = 1;
    while in_use.contains(&(trace, id)) {
        round += 1;
        id = derived_id::span_id(&format!("{base}/{round}"));
    }
    id
}

/// Moves the children the server's service reported under the shared id to the server half.
fn reparent_server_children(
    data: &mut TraceData,
    moved: &HashMap<(TraceId, SpanId, String), SpanId>,
    split: &HashSet<usize>,
) {
    if moved.is_empty() {
        return;
    }
    let shared: HashSet<(TraceId, SpanId)> = moved.keys().map(|(t, s, _)| (*t, *s)).collect();
    for i in 0..data.spans.len() {
        let span = &data.spans[i];
        let Some(parent) = span.parent_span_id else {
            continue;
        };
        if split.contains(&i) || !shared.contains(&(span.trace_id, parent)) {
            continue;
        }
        let key = (span.trace_id, parent, data.service_name_of(span).to_owned());
        if let Some(&own) = moved.get(&key) {
            data.spans[i].parent_span_id = Some(own);
        }
    }
}
