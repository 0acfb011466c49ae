//! Jaeger JSON, as Jaeger's query API (`/api/traces/…`) returns it and the Jaeger UI downloads
//! it: `{"data":[{"traceID":…,"spans":[…],"processes":{…}}]}`. Read only.
//!
//! Also read: a bare trace object (`{"traceID":…,"spans":[…],"processes":{…}}`), JSON Lines of
//! either, and an inline `process` object on a span instead of a `processID`.
//!
//! Mapping (as OpenTelemetry's Jaeger translator does it):
//! - `traceID` (up to 32 hex digits; shorter ids are zero-padded), `spanID` (up to 16).
//! - `references`: the first `CHILD_OF` in the same trace is the parent; with no `CHILD_OF`,
//!   the first `FOLLOWS_FROM` in the same trace is. Every other reference is a link with the
//!   attribute `opentracing.ref_type` = `child_of` or `follows_from`.
//! - `startTime`, `duration`: microseconds. `flags`: kept as the span's flags.
//! - `tags`: typed by `type` — `string`, `bool`, `int64` (a number, or a decimal string as
//!   Jaeger writes integers beyond JavaScript's safe range), `float64`, `binary` (base64); either
//!   case. A tag without a `type` takes its JSON type.
//! - The tag `span.kind` is the kind; `otel.status_code`, `otel.status_description` and
//!   `error` are the status; `otel.scope.name` / `otel.scope.version` (or the older
//!   `otel.library.*`) the scope. These tags are not kept as attributes.
//! - `logs` are events: the `event` field is the name, the other fields its attributes.
//! - `processes` are resources: `serviceName` is `service.name`, then the process tags.
//!
//! Not read: Jaeger's protobuf-JSON (`api_v2`, base64 ids and RFC 3339 times), span
//! `warnings`.

mod read;
mod tags;

pub use read::read;

/// The link attribute naming the OpenTracing reference type.
const REF_TYPE: &str = "opentracing.ref_type";
