//! Spans for the common kinds of work, named and attributed by today's stable OpenTelemetry
//! semantic conventions, with the conventions' status rules.
//!
//! Each family has a builder that starts a [`Span`] with the right kind, name and
//! attributes (given before start, so the sampler sees them):
//!
//! - [`http`]: server and client spans (`http.request.method`, `url.path`/`url.full`,
//!   `http.route`, `http.response.status_code`, `server.address`, `user_agent.original`); a
//!   server span is an error on 5xx, a client span on 4xx and 5xx.
//! - [`db`]: database client spans (`db.system.name`, `db.namespace`, `db.operation.name`,
//!   `db.query.text` with its literals removed by [`db::sanitize_sql`] unless the query is
//!   parameterized).
//! - [`cache`]: a cache lookup, its hit or miss.
//! - [`messaging`]: producer and consumer spans (`messaging.system`,
//!   `messaging.destination.name`, `messaging.operation.type`), and the context carried in a
//!   message's headers so that the consumer continues the producer's trace.
//! - [`exception`]: an error as an `exception` event (`exception.type`, `exception.message`),
//!   `error.type` and the error status.
//!
//! ```
//! use spindle::semconv::http;
//!
//! let mut span = http::server("GET", "/users/42").route("/users/{id}").start();
//! span.set_response_status(200);
//! ```

pub mod cache;
pub mod db;
pub mod exception;
pub mod http;
pub mod messaging;
mod sql;
mod url;

use spindle_formats::{KeyValue, SpanKind, Str};

use crate::span::Span;
use crate::span_context::SpanContext;

/// Starts a span with these attributes (seen by the sampler), under `parent` if one is given
/// (else the current span).
fn start(
    name: Str,
    kind: SpanKind,
    parent: Option<&SpanContext>,
    attributes: Vec<KeyValue>,
) -> Span {
    let mut builder = Span::builder(name).kind(kind);
    if let Some(parent) = parent {
        builder = builder.parent(parent);
    }
    for attribute in attributes {
        builder = builder.attribute(attribute.key, attribute.value);
    }
    builder.start()
}
