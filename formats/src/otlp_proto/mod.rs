//! OTLP protobuf: OpenTelemetry's protocol in its native encoding, as OTLP/HTTP
//! `application/x-protobuf` bodies and as files (`.binpb`, `.pb`, `.otlp`) of one
//! `ExportTraceServiceRequest` or `TracesData` message (the two are the same bytes).
//!
//! Every field of `opentelemetry/proto/trace/v1/trace.proto` and the common and resource
//! messages it uses is read with its declared field number and wire type. The wire format is
//! written by hand ([`wire`]) and decoded straight into the model, with no intermediate message
//! structs: one pass, one allocation per string, and every byte bounds-checked.
//!
//! Mapping (the same as [`crate::otlp_json`]):
//! - `trace_id` must be 16 bytes and `span_id` 8, not all zero; an empty (or all-zero)
//!   `parent_span_id` is no parent. Link ids alike.
//! - `kind` 0 (unspecified) and 1 read as internal; `status.code` 0 unset, 1 ok, 2 error (the
//!   message is kept for errors). Other numbers skip the span with a warning.
//! - `AnyValue`: every kind, arrays and key-value lists nested up to 100 deep; an empty
//!   `AnyValue` reads as `""`. `flags` and `trace_state` are kept (for links too), events and
//!   links with their attributes.
//! - `schema_url` of a `ResourceSpans` / `ScopeSpans` is kept on its resource / scope, every
//!   `dropped_*_count` on its message (a `uint32` varint, cut to 32 bits as protobuf's parsers
//!   do). Each is written only when not zero or empty.
//! - Spans are grouped by resource, then scope; a read merges equal resources and scopes.
//! - Unknown fields of every wire type (groups too) are skipped, so newer senders load. Not
//!   kept (the model has no place for it): the resource's `entity_refs` (skipped, not written).
//!
//! A problem names the byte offset and the field path, e.g.
//! `trace.binpb (byte 1234): resource_spans[0].scope_spans[1].spans[7].attributes[2].value:
//! invalid protobuf: truncated varint`; the spans decoded before it are kept.

mod decode;
mod fast;
mod read;
mod response;
mod status;
mod wire;
mod write;

pub(crate) use read::looks_like_request;
pub use read::read;
pub use response::{PartialSuccess, ResponseError, decode_response, encode_response};
pub use status::encode_status;
pub use write::{encode, write};
