//! Writing a [`SpanBatch`] as one `ExportTraceServiceRequest`, straight from the model.
//!
//! Protobuf puts each nested message's length before it, so sizes come first: every span's
//! size is computed once (and kept), the group sizes are sums of those, then the bytes are
//! written into a buffer reserved to the exact total. Fields at their default value (empty
//! strings, zero times, flags and counts, unset status) are left out, as protobuf encoders do;
//! a span's ids, kind and each attribute's value are always written. Fields are in
//! field-number order except `schema_url`, written right after the resource or scope it
//! belongs to, before the spans (parsers take fields in any order), so that a file cut inside
//! the spans keeps it.

use std::io::Write;

use super::wire::{
    FIXED64, VARINT, len_field_len, put_bytes, put_fixed32, put_fixed64, put_message_header,
    put_tag, put_varint, put_varint_field, tag_len, varint_len,
};
use crate::batch::SpanBatch;
use crate::model::{EMPTY_RESOURCE, EMPTY_SCOPE};
use crate::model::{Event, KeyValue, Link, Resource, Scope, Span, SpanKind, Status, Value};

/// Writes `data` as one OTLP protobuf `ExportTraceServiceRequest` (the body of an OTLP/HTTP
/// `application/x-protobuf` request; the same bytes are a `TracesData` message).
///
/// Spans are grouped by resource, then by scope (stably), as in [`crate::otlp_json::write`].
pub fn write<'a>(data: impl Into<SpanBatch<'a>>, out: &mut impl Write) -> std::io::Result<()> {
    let mut bytes = Vec::new();
    encode(data, &mut bytes);
    out.write_all(&bytes)
}

/// Appends `data` as one `ExportTraceServiceRequest` to `out` (see [`write`]), for callers that
/// reuse a buffer.
pub fn encode<'a>(data: impl Into<SpanBatch<'a>>, out: &mut Vec<u8>) {
    let data = data.into();
    let mut spans: Vec<&Span> = data.spans.iter().collect();
    spans.sort_by_key(|span| (span.resource, span.scope));
    let sizes: Vec<usize> = spans.iter().map(|span| span_len(span)).collect();
    let groups = resource_groups(data, &spans, &sizes);
    let total: usize = groups.iter().map(|g| len_field_len(1, g.len)).sum();
    out.reserve(total);
    for group in &groups {
        put_message_header(out, 1, group.len);
        let resource_len = resource_len(group.resource);
        put_message_header(out, 1, resource_len);
        put_attributes(out, 1, &group.resource.attributes);
        put_count(out, 2, group.resource.dropped_attributes_count);
        put_str(out, 3, &group.resource.schema_url);
        for scope in &group.scopes {
            put_message_header(out, 2, scope.len);
            put_message_header(out, 1, scope_len(scope.scope));
            put_scope(out, scope.scope);
            put_str(out, 3, &scope.scope.schema_url);
            for (span, &size) in scope.spans.iter().zip(scope.sizes) {
                put_message_header(out, 2, size);
                put_span(out, span);
            }
        }
    }
}

/// A `ResourceSpans` to write: its resource, its scope groups and its body size.
struct ResourceGroup<'a> {
    resource: &'a Resource,
    scopes: Vec<ScopeGroup<'a>>,
    len: usize,
}

/// A `ScopeSpans` to write: its scope, its spans and their sizes, and its body size.
struct ScopeGroup<'a> {
    scope: &'a Scope,
    spans: &'a [&'a Span],
    sizes: &'a [usize],
    len: usize,
}

fn resource_groups<'a>(
    data: SpanBatch<'a>,
    spans: &'a [&'a Span],
    sizes: &'a [usize],
) -> Vec<ResourceGroup<'a>> {
    let mut groups = Vec::new();
    let mut at = 0;
    for chunk in spans.chunk_by(|a, b| a.resource == b.resource) {
        let resource = chunk
            .first()
            .map_or(&EMPTY_RESOURCE, |span| data.resource_of(span));
        let mut scopes = Vec::new();
        for part in chunk.chunk_by(|a, b| a.scope == b.scope) {
            let part_sizes = sizes.get(at..at + part.len()).unwrap_or_default();
            at += part.len();
            let scope = part
                .first()
                .map_or(&EMPTY_SCOPE, |span| data.scope_of(span));
            let len = len_field_len(1, scope_len(scope))
                + part_sizes
                    .iter()
                    .map(|&s| len_field_len(2, s))
                    .sum::<usize>()
                + str_len(3, &scope.schema_url);
            scopes.push(ScopeGroup {
                scope,
                spans: part,
                sizes: part_sizes,
                len,
            });
        }
        let len = len_field_len(1, resource_len(resource))
            + scopes
                .iter()
                .map(|s| len_field_len(2, s.len))
                .sum::<usize>()
            + str_len(3, &resource.schema_url);
        groups.push(ResourceGroup {
            resource,
            scopes,
            len,
        });
    }
    groups
}

// ---------------------------------------------------------------------------------------------
// Sizes

/// A string or bytes field, left out when empty.
fn str_len(field: u32, text: &str) -> usize {
    if text.is_empty() {
        0
    } else {
        len_field_len(field, text.len())
    }
}

/// A `uint32` field, left out when zero.
fn count_len(field: u32, count: u32) -> usize {
    if count == 0 {
        0
    } else {
        tag_len(field) + varint_len(u64::from(count))
    }
}

fn attributes_len(field: u32, attributes: &[KeyValue]) -> usize {
    attributes
        .iter()
        .map(|kv| len_field_len(field, key_value_len(kv)))
        .sum()
}

fn key_value_len(kv: &KeyValue) -> usize {
    str_len(1, &kv.key) + len_field_len(2, any_value_len(&kv.value))
}

fn any_value_len(value: &Value) -> usize {
    match value {
        Value::Str(s) => len_field_len(1, s.len()),
        Value::Bool(_) => 2,
        Value::I64(i) => 1 + varint_len(*i as u64),
        Value::F64(_) => 9,
        Value::Bytes(bytes) => len_field_len(7, bytes.len()),
        Value::Array(items) => len_field_len(5, array_len(items)),
        Value::Map(entries) => len_field_len(6, attributes_len(1, entries)),
    }
}

fn array_len(items: &[Value]) -> usize {
    items
        .iter()
        .map(|v| len_field_len(1, any_value_len(v)))
        .sum()
}

fn resource_len(resource: &Resource) -> usize {
    attributes_len(1, &resource.attributes) + count_len(2, resource.dropped_attributes_count)
}

fn scope_len(scope: &Scope) -> usize {
    str_len(1, &scope.name)
        + str_len(2, &scope.version)
        + attributes_len(3, &scope.attributes)
        + count_len(4, scope.dropped_attributes_count)
}

/// A `fixed64` field, left out when zero.
fn fixed64_len(field: u32, value: u64) -> usize {
    if value == 0 { 0 } else { tag_len(field) + 8 }
}

fn span_len(span: &Span) -> usize {
    let parent = if span.parent_span_id.is_some() { 10 } else { 0 };
    let flags = if span.flags != 0 { 6 } else { 0 };
    18 + 10
        + str_len(3, &span.trace_state)
        + parent
        + str_len(5, &span.name)
        + 2
        + fixed64_len(7, span.start_unix_nanos)
        + fixed64_len(8, span.end_unix_nanos)
        + attributes_len(9, &span.attributes)
        + count_len(10, span.dropped_attributes_count)
        + count_len(12, span.dropped_events_count)
        + count_len(14, span.dropped_links_count)
        + span
            .events
            .iter()
            .map(|e| len_field_len(11, event_len(e)))
            .sum::<usize>()
        + span
            .links
            .iter()
            .map(|l| len_field_len(13, link_len(l)))
            .sum::<usize>()
        + status_field_len(&span.status)
        + flags
}

fn event_len(event: &Event) -> usize {
    fixed64_len(1, event.time_unix_nanos)
        + str_len(2, &event.name)
        + attributes_len(3, &event.attributes)
        + count_len(4, event.dropped_attributes_count)
}

fn link_len(link: &Link) -> usize {
    let flags = if link.flags != 0 { 5 } else { 0 };
    18 + 10
        + str_len(3, &link.trace_state)
        + attributes_len(4, &link.attributes)
        + count_len(5, link.dropped_attributes_count)
        + flags
}

fn status_len(status: &Status) -> usize {
    match status {
        Status::Unset => 0,
        Status::Ok => 2,
        Status::Error { message } => str_len(2, message) + 2,
    }
}

fn status_field_len(status: &Status) -> usize {
    match status {
        Status::Unset => 0,
        status => len_field_len(15, status_len(status)),
    }
}

// ---------------------------------------------------------------------------------------------
// Bytes

fn put_str(out: &mut Vec<u8>, field: u32, text: &str) {
    if !text.is_empty() {
        put_bytes(out, field, text.as_bytes());
    }
}

fn put_count(out: &mut Vec<u8>, field: u32, count: u32) {
    if count != 0 {
        put_varint_field(out, field, u64::from(count));
    }
}

fn put_fixed64_nonzero(out: &mut Vec<u8>, field: u32, value: u64) {
    if value != 0 {
        put_fixed64(out, field, value);
    }
}

fn put_attributes(out: &mut Vec<u8>, field: u32, attributes: &[KeyValue]) {
    for kv in attributes {
        put_message_header(out, field, key_value_len(kv));
        put_str(out, 1, &kv.key);
        put_message_header(out, 2, any_value_len(&kv.value));
        put_any_value(out, &kv.value);
    }
}

fn put_any_value(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Str(s) => put_bytes(out, 1, s.as_bytes()),
        Value::Bool(b) => put_varint_field(out, 2, u64::from(*b)),
        Value::I64(i) => put_varint_field(out, 3, *i as u64),
        Value::F64(x) => {
            put_tag(out, 4, FIXED64);
            out.extend_from_slice(&x.to_bits().to_le_bytes());
        }
        Value::Bytes(bytes) => put_bytes(out, 7, bytes),
        Value::Array(items) => {
            put_message_header(out, 5, array_len(items));
            for item in items {
                put_message_header(out, 1, any_value_len(item));
                put_any_value(out, item);
            }
        }
        Value::Map(entries) => {
            put_message_header(out, 6, attributes_len(1, entries));
            put_attributes(out, 1, entries);
        }
    }
}

fn put_scope(out: &mut Vec<u8>, scope: &Scope) {
    put_str(out, 1, &scope.name);
    put_str(out, 2, &scope.version);
    put_attributes(out, 3, &scope.attributes);
    put_count(out, 4, scope.dropped_attributes_count);
}

/// The OTLP `SpanKind` number.
fn kind_number(kind: SpanKind) -> u64 {
    match kind {
        SpanKind::Internal => 1,
        SpanKind::Server => 2,
        SpanKind::Client => 3,
        SpanKind::Producer => 4,
        SpanKind::Consumer => 5,
    }
}

pub(super) fn put_span(out: &mut Vec<u8>, span: &Span) {
    put_bytes(out, 1, &span.trace_id.to_bytes());
    put_bytes(out, 2, &span.span_id.to_bytes());
    put_str(out, 3, &span.trace_state);
    if let Some(parent) = span.parent_span_id {
        put_bytes(out, 4, &parent.to_bytes());
    }
    put_str(out, 5, &span.name);
    put_varint_field(out, 6, kind_number(span.kind));
    put_fixed64_nonzero(out, 7, span.start_unix_nanos);
    put_fixed64_nonzero(out, 8, span.end_unix_nanos);
    put_attributes(out, 9, &span.attributes);
    put_count(out, 10, span.dropped_attributes_count);
    for event in &span.events {
        put_message_header(out, 11, event_len(event));
        put_fixed64_nonzero(out, 1, event.time_unix_nanos);
        put_str(out, 2, &event.name);
        put_attributes(out, 3, &event.attributes);
        put_count(out, 4, event.dropped_attributes_count);
    }
    put_count(out, 12, span.dropped_events_count);
    for link in &span.links {
        put_message_header(out, 13, link_len(link));
        put_bytes(out, 1, &link.trace_id.to_bytes());
        put_bytes(out, 2, &link.span_id.to_bytes());
        put_str(out, 3, &link.trace_state);
        put_attributes(out, 4, &link.attributes);
        put_count(out, 5, link.dropped_attributes_count);
        if link.flags != 0 {
            put_fixed32(out, 6, link.flags);
        }
    }
    put_count(out, 14, span.dropped_links_count);
    put_status(out, &span.status);
    if span.flags != 0 {
        put_fixed32(out, 16, span.flags);
    }
}

fn put_status(out: &mut Vec<u8>, status: &Status) {
    let code = match status {
        Status::Unset => return,
        Status::Ok => 1,
        Status::Error { .. } => 2,
    };
    put_message_header(out, 15, status_len(status));
    if let Status::Error { message } = status {
        put_str(out, 2, message);
    }
    put_tag(out, 3, VARINT);
    put_varint(out, code);
}
