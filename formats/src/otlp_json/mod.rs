//! OTLP/JSON: OpenTelemetry's protocol in protobuf's JSON mapping, as OTLP/HTTP JSON bodies
//! and the collector's file exporter (JSON Lines, one `ExportTraceServiceRequest` per line).
//!
//! Also read: what trace backends answer for one trace, the same spans in an envelope —
//! Grafana Tempo's `GET /api/traces/{id}` (`{"batches":[…]}`, the resource spans under another
//! name), Tempo's `GET /api/v2/traces/{id}` (`{"trace":{"resourceSpans":[…]}}`) and Jaeger's
//! `GET /api/v3/traces/{id}` (`{"result":{"resourceSpans":[…]}}`).
//!
//! ```json
//! {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"shop"}}]},
//!   "scopeSpans":[{"scope":{"name":"spindle","version":"0.1.0"},
//!     "spans":[{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7",
//!       "name":"GET /cart","kind":2,"startTimeUnixNano":"1700000000000000000",
//!       "endTimeUnixNano":"1700000000250000000","status":{"code":1}}]}]}]}
//! ```
//!
//! Mapping (the OTLP/JSON rules):
//! - Keys are lowerCamelCase. `traceId` (32 hex digits), `spanId`, `parentSpanId` (16) are
//!   written lowercase and read in either case; an empty or absent `parentSpanId` is no parent.
//!   Ids in base64 (24 or 12 characters with `=` padding, as protobuf's generic JSON printers
//!   such as Python's `MessageToJson` write them) are read too.
//! - `kind` is an integer (`SPAN_KIND_INTERNAL`=1, `SERVER`=2, `CLIENT`=3, `PRODUCER`=4,
//!   `CONSUMER`=5; 0, unspecified, reads as internal); `status.code` too (`UNSET`=0, `OK`=1,
//!   `ERROR`=2). Both are also read as their enum names (`"SPAN_KIND_SERVER"`).
//! - 64-bit integers (`startTimeUnixNano`, `endTimeUnixNano`, `timeUnixNano`, `intValue`) are
//!   written as decimal strings and read from strings or numbers (the JavaScript exporter
//!   writes numbers).
//! - `AnyValue`: `stringValue`, `boolValue`, `intValue`, `doubleValue` (non-finite values as
//!   `"NaN"`, `"Infinity"`, `"-Infinity"`), `bytesValue` (base64), `arrayValue{values}`,
//!   `kvlistValue{values}`. An empty `AnyValue` (`{}` or no `value`) reads as `""`.
//! - `flags` (W3C flags plus OTLP's is-remote bits, e.g. 257 from the JavaScript exporter) and
//!   `traceState` are kept, for spans and links; events and links with their attributes.
//! - `schemaUrl` of a `resourceSpans` / `scopeSpans` is kept on its resource / scope;
//!   `droppedAttributesCount` (resource, scope, span, event, link), `droppedEventsCount` and
//!   `droppedLinksCount` (span) are kept. Counts are read from numbers or decimal strings
//!   (`null` is zero); each is written, as a number, only when not zero, and `schemaUrl` only
//!   when not empty (before the spans, so that a cut file keeps it).
//! - Spans are grouped by resource, then by scope. A read merges equal resources and scopes.
//! - Unknown fields are ignored. The pre-1.0 names `instrumentationLibrarySpans` /
//!   `instrumentationLibrary` are read too.

mod any_value;
mod envelope;
mod groups;
mod read;
mod response;
#[cfg(test)]
mod tests;
mod write;

/// OTLP/JSON's own time, status, id and attribute encodings of the shapes it shares with
/// Spindle JSON (see `crate::otlp_shape`).
#[derive(Debug, Clone, Copy)]
struct Encoding;

pub use read::read;
pub use response::{decode_response, encode_response};
pub use write::write;
