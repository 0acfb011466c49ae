//! Zipkin v2 JSON: lists of spans, as the Zipkin API and OpenTelemetry's Zipkin exporters use.
//!
//! [`write()`] appends one JSON list per line; [`read`] takes a list, several lists one per line,
//! a list of lists (traces, as the Zipkin API returns them) or span objects one per line.
//!
//! Mapping (OpenTelemetry's Zipkin exporter conventions where they exist):
//! - `traceId`: 32 lowercase hex digits written; 16 or 32 read. `id`, `parentId`: 16.
//! - `timestamp`, `duration`: microseconds; the start is truncated to whole microseconds and
//!   the duration is the difference of the truncated times, at least 1.
//! - `kind`: `CLIENT`, `SERVER`, `PRODUCER`, `CONSUMER`; absent for internal spans.
//! - `localEndpoint.serviceName` is the resource's `service.name`. Spans are grouped into
//!   resources by it (plus the resource tags below).
//! - Other resource attributes are written as tags (as the OpenTelemetry exporters do). On
//!   read, tags whose key starts with a resource prefix (`service.`, `telemetry.sdk.`,
//!   `telemetry.distro.`, `host.`, `os.`, `process.`, `container.`, `k8s.`, `cloud.`,
//!   `deployment.`, `device.`) go back to the resource.
//! - The scope is written as tags `otel.scope.name` / `otel.scope.version`; read from those
//!   or the older `otel.library.name` / `otel.library.version`.
//! - Status: error → tags `otel.status_code`=`ERROR` and `error`=message (`"true"` when the
//!   message is empty); ok → `otel.status_code`=`OK`. On read, `otel.status_description` also
//!   gives the message, and an `error` tag alone means an error. These tags are removed from
//!   the attributes.
//! - Events ↔ `annotations`: the value is the event name, or `"name":{attributes as JSON}`
//!   when the event has attributes (the Go exporter's `name: {…}` is read too).
//! - Endpoints ↔ attributes: `localEndpoint` ipv4/ipv6 and port ↔ `network.local.address` and
//!   `network.local.port`; `remoteEndpoint` serviceName, ipv4/ipv6 and port ↔ `peer.service`,
//!   `network.peer.address` and `network.peer.port` (ports as integers).
//! - `debug`, `shared` ↔ boolean attributes `zipkin.debug`, `zipkin.shared`.
//! - Shared spans (a SERVER half with `"shared": true` and the CLIENT half of the same call with
//!   the same `id`): the server half gets an id of its own derived from the shared one, which
//!   it keeps as attribute `zipkin.id`, and becomes the client's child; the children its
//!   service reported under the shared id follow it (see `shared.rs`). Ids are then unique
//!   within each trace, in every format written.
//!
//! - Tags of well-known OpenTelemetry integer attributes (`http.status_code`,
//!   `http.response.status_code`, `server.port`, `net.peer.port`, `process.pid`, … the list is
//!   `INT_KEYS` in `conventions.rs`) come back as integers when their text is exactly a decimal
//!   integer. No other tag is given a type: nothing in Zipkin says what it was.
//!
//! Lossy (Zipkin cannot say it): tag values are strings, so other typed attributes come back as
//! their text (`true`, `200`, `["a","b"]`, bytes as hex) and typed resource attributes as strings;
//! resource attributes without a resource prefix come back as span attributes; times finer than
//! a microsecond; links; trace state; flags (read spans are sampled, [`FLAG_SAMPLED`](crate::FLAG_SAMPLED)); scope
//! attributes; event attribute types beyond JSON's (bytes become hex text, a non-finite float
//! `null`); the order of attributes taken from endpoints (they come after the tags); an error
//! message that is exactly `true`.

mod annotation;
mod builder;
mod fields;
mod one_pass;
mod read;
#[cfg(test)]
mod reference;
mod shared;
#[cfg(test)]
mod tests;
mod write;

pub use read::read;
pub use write::write;

const PEER_SERVICE: &str = "peer.service";
const PEER_ADDRESS: &str = "network.peer.address";
const PEER_PORT: &str = "network.peer.port";
const LOCAL_ADDRESS: &str = "network.local.address";
const LOCAL_PORT: &str = "network.local.port";
const DEBUG: &str = "zipkin.debug";
const SHARED: &str = "zipkin.shared";
