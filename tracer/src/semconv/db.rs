//! Database client spans (OpenTelemetry's stable database conventions).
//!
//! The span is named `{db.query.summary}` if one is given; otherwise `{db.operation.name}
//! {target}` (`SELECT shop.orders`), where the target is the collection, else the stored
//! procedure, else the namespace, else `server.address:server.port`; `{target}` alone without
//! an operation; `{db.system.name}` without either. Query text given with
//! [`DbSpanBuilder::query`] is recorded without its literals ([`sanitize_sql`]); text of a
//! parameterized query ([`DbSpanBuilder::parameterized_query`]) is recorded as it is, as the
//! conventions ask.
//!
//! ```
//! use spindle::semconv::db;
//!
//! let mut span = db::client("postgresql")
//!     .namespace("shop")
//!     .operation("SELECT")
//!     .collection("shop.orders")
//!     .query("SELECT * FROM shop.orders WHERE id = 42")   // recorded as `… WHERE id = ?`
//!     .start();
//! // on failure, with the database's code:
//! db::record_error_code(&mut span, "08P01");
//! ```

use spindle_formats::{KeyValue, SpanKind, Status, Str, Value};

pub use super::sql::sanitize_sql;
use crate::span::Span;

/// Starts a database client span for the system `system` (`db.system.name`: `postgresql`,
/// `mysql`, `sqlite`, `redis`, `mongodb`, …).
pub fn client(system: impl Into<Str>) -> DbSpanBuilder {
    DbSpanBuilder {
        system: system.into(),
        operation: None,
        collection: None,
        stored_procedure: None,
        namespace: None,
        server: None,
        summary: None,
        unsanitized_query: None,
        kind: SpanKind::Client,
        attributes: Vec::with_capacity(6),
    }
}

/// Records a failed operation: `db.response.status_code` and `error.type` (the code), and the
/// error status.
pub fn record_error_code(span: &mut Span, code: impl Into<Str>) {
    let code = code.into();
    span.set_attribute("db.response.status_code", code.clone());
    span.set_attribute("error.type", code);
    span.set_status(Status::Error {
        message: Str::default(),
    });
}

/// A database span before it starts (see [`client`]).
#[derive(Debug)]
#[must_use = "a builder does nothing until start() is called"]
pub struct DbSpanBuilder {
    system: Str,
    operation: Option<Str>,
    collection: Option<Str>,
    stored_procedure: Option<Str>,
    namespace: Option<Str>,
    server: Option<(Str, Option<u16>)>,
    summary: Option<Str>,
    unsanitized_query: Option<Str>,
    kind: SpanKind,
    attributes: Vec<KeyValue>,
}

impl DbSpanBuilder {
    /// `db.namespace`: the database (components from general to specific, joined by `|`).
    pub fn namespace(mut self, namespace: impl Into<Str>) -> Self {
        self.namespace = Some(namespace.into());
        self
    }

    /// `db.operation.name`: `SELECT`, `INSERT`, `findAndModify`, `HGET`.
    pub fn operation(mut self, operation: impl Into<Str>) -> Self {
        self.operation = Some(operation.into());
        self
    }

    /// `db.collection.name`: the table or collection (`public.users`).
    pub fn collection(mut self, collection: impl Into<Str>) -> Self {
        self.collection = Some(collection.into());
        self
    }

    /// `db.stored_procedure.name`.
    pub fn stored_procedure(mut self, procedure: impl Into<Str>) -> Self {
        self.stored_procedure = Some(procedure.into());
        self
    }

    /// `db.query.summary` (`SELECT orders JOIN users`): low-cardinality, and the span's name.
    pub fn query_summary(mut self, summary: impl Into<Str>) -> Self {
        self.summary = Some(summary.into());
        self
    }

    /// `db.query.text` from SQL with literals in it: recorded with every literal replaced by
    /// `?` ([`sanitize_sql`]). The text is sanitized only if the span is sampled (so the
    /// sampler does not see it).
    pub fn query(mut self, sql: impl Into<Str>) -> Self {
        self.unsanitized_query = Some(sql.into());
        self
    }

    /// `db.query.text` of a parameterized query (`… WHERE id = $1`): recorded as it is.
    pub fn parameterized_query(mut self, text: impl Into<Str>) -> Self {
        self.attributes
            .push(KeyValue::new("db.query.text", text.into()));
        self
    }

    /// `server.address`, and `server.port` if it is not the system's default.
    pub fn server(mut self, address: impl Into<Str>, port: Option<u16>) -> Self {
        self.server = Some((address.into(), port));
        self
    }

    /// `db.operation.batch.size`: the number of operations in a batch.
    pub fn batch_size(mut self, size: u32) -> Self {
        let size = i64::from(size);
        self.attributes
            .push(KeyValue::new("db.operation.batch.size", size));
        self
    }

    /// Kind internal instead of client, for an in-process database (SQLite, an embedded store).
    pub fn in_process(mut self) -> Self {
        self.kind = SpanKind::Internal;
        self
    }

    /// Any other attribute (seen by the sampler).
    pub fn attribute(mut self, key: impl Into<Str>, value: impl Into<Value>) -> Self {
        self.attributes.push(KeyValue::new(key, value));
        self
    }

    /// The span name by the conventions' order of preference.
    fn name(&self) -> Str {
        if let Some(summary) = &self.summary {
            return summary.clone();
        }
        let server_target = self.server.as_ref().map(|(address, port)| match port {
            Some(port) => format!("{address}:{port}"),
            None => address.to_string(),
        });
        let target = (self.collection.as_deref())
            .or(self.stored_procedure.as_deref())
            .or(self.namespace.as_deref())
            .or(server_target.as_deref());
        match (&self.operation, target) {
            (Some(operation), Some(target)) => format!("{operation} {target}").into(),
            (Some(operation), None) => operation.clone(),
            (None, Some(target)) => target.to_owned().into(),
            (None, None) => self.system.clone(),
        }
    }

    /// Starts the span, a child of the current span.
    pub fn start(self) -> Span {
        let name = self.name();
        let DbSpanBuilder {
            system,
            operation,
            collection,
            stored_procedure,
            namespace,
            server,
            summary,
            unsanitized_query,
            kind,
            mut attributes,
        } = self;
        let mut named = vec![KeyValue::new("db.system.name", system)];
        let optional = [
            ("db.namespace", namespace),
            ("db.operation.name", operation),
            ("db.collection.name", collection),
            ("db.stored_procedure.name", stored_procedure),
            ("db.query.summary", summary),
        ];
        for (key, value) in optional {
            named.extend(value.map(|value| KeyValue::new(key, value)));
        }
        if let Some((address, port)) = server {
            named.push(KeyValue::new("server.address", address));
            named.extend(port.map(|port| KeyValue::new("server.port", i64::from(port))));
        }
        named.append(&mut attributes);
        let mut span = super::start(name, kind, None, named);
        if let Some(sql) = unsanitized_query {
            span.with_attributes(|| [KeyValue::new("db.query.text", sanitize_sql(&sql))]);
        }
        span
    }
}
