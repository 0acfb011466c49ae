//! Spindle JSON: Spindle's own trace format, lossless for the whole
//! [`TraceData`](crate::TraceData) model.
//!
//! A file is JSON Lines: one document per line, each a batch the tracer appended. A reader
//! also accepts one document pretty-printed. Documents are versioned; this is **version 1**.
//!
//! ```json
//! {"format":"spindle","version":1,
//!  "resources":[{"attributes":[{"key":"service.name","str":"checkout"}]}],
//!  "scopes":[{"name":"spindle","version":"0.1.0"}],
//!  "spans":[{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7",
//!            "name":"GET /cart","kind":"server","startUnixNanos":1700000000000000000,
//!            "endUnixNanos":1700000000250000000,"resource":0,"scope":0}]}
//! ```
//!
//! Fields (those marked optional are left out when they hold their default):
//! - `format`: always `"spindle"`; `version`: always `1` here. Readers refuse other versions.
//! - `resources`: list of `{"attributes":[…], "droppedAttributesCount":…, "schemaUrl":…}`;
//!   `scopes`: list of `{"name":…, "version":…, "attributes":[…], "droppedAttributesCount":…,
//!   "schemaUrl":…}` (all but `attributes` of a resource and `name` of a scope optional).
//!   `schemaUrl` is the OpenTelemetry schema the attributes follow (OTLP keeps it beside the
//!   resource or scope); `droppedAttributesCount` how many attributes the sender dropped.
//! - `spans`: list of objects with
//!   - `traceId` (32 lowercase hex digits), `spanId` (16), `parentSpanId` (16, optional);
//!   - `name`; `kind`: `internal`, `server`, `client`, `producer` or `consumer`;
//!   - `startUnixNanos`, `endUnixNanos`: integers, nanoseconds since the Unix epoch;
//!   - `attributes`, `events`, `links` (lists, optional);
//!     an event is `{"timeUnixNanos":…, "name":…, "attributes":[…], "droppedAttributesCount":…}`,
//!     a link `{"traceId":…, "spanId":…, "traceState":…, "attributes":[…],
//!     "droppedAttributesCount":…, "flags":…}` (a link's `flags` as a span's);
//!   - `droppedAttributesCount`, `droppedEventsCount`, `droppedLinksCount` (optional): how
//!     many the sender dropped, as in OTLP;
//!   - `status` (optional): `{"code":"ok"}` or `{"code":"error","message":…}`;
//!   - `flags` (optional): W3C trace flags in the low byte, OTLP's flag bits above;
//!   - `traceState` (optional): the W3C `tracestate` text;
//!   - `resource`, `scope`: indexes into this document's `resources` and `scopes`.
//! - An attribute is `{"key":…, TYPE: VALUE}` with exactly one TYPE of
//!   `str` (string), `bool`, `i64` (integer), `f64` (number, or the strings `"NaN"`,
//!   `"Infinity"`, `"-Infinity"`), `bytes` (lowercase hex string), `array` (list of
//!   `{TYPE: VALUE}` objects) or `map` (list of attributes). Example:
//!   `{"key":"retry","array":[{"i64":1},{"str":"two"}]}`.
//!
//! Every count and `schemaUrl` is optional (added within version 1; absent is zero or empty).
//! Unknown fields are ignored, so version 1 readers can load documents that add fields.

mod one_pass;
mod read;
#[cfg(test)]
mod tests;
mod value;
mod write;

/// Spindle JSON's own time, status, id and attribute encodings of the shapes it shares with
/// OTLP/JSON (see `crate::otlp_shape`).
#[derive(Debug, Clone, Copy)]
struct Encoding;

pub use read::read;
pub use write::write;

/// The document version this build writes and reads.
pub const VERSION: u64 = 1;
