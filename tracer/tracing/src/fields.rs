//! A `tracing` span's fields as Spindle attributes, and the `otel.*` fields that
//! tracing-opentelemetry reads (`otel.name`, `otel.kind`, `otel.status_code`,
//! `otel.status_description`).

use std::fmt;

use spindle::{KeyValue, SpanKind, Status, Value};
use tracing_core::field::{Field, Visit};

/// The field that renames the span.
pub(crate) const NAME_FIELD: &str = "otel.name";
/// The field that sets the span's kind (read when the span is created).
pub(crate) const KIND_FIELD: &str = "otel.kind";
/// The field that sets the span's status (`ok` or `error`, any case).
pub(crate) const STATUS_CODE_FIELD: &str = "otel.status_code";
/// The field that gives an error status its message.
pub(crate) const STATUS_DESCRIPTION_FIELD: &str = "otel.status_description";

/// A value as Spindle stores it: integers that fit `i64` as integers, larger `u64` as text
/// (as tracing-opentelemetry does).
pub(crate) fn u64_value(value: u64) -> Value {
    i64::try_from(value).map_or_else(|_| Value::from(value.to_string()), Value::I64)
}

/// The kind an `otel.kind` value names (case-insensitive), if any.
pub(crate) fn parse_kind(text: &str) -> Option<SpanKind> {
    [
        ("server", SpanKind::Server),
        ("client", SpanKind::Client),
        ("producer", SpanKind::Producer),
        ("consumer", SpanKind::Consumer),
        ("internal", SpanKind::Internal),
    ]
    .into_iter()
    .find_map(|(name, kind)| text.eq_ignore_ascii_case(name).then_some(kind))
}

/// What the `otel.*` fields of one `new_span` or `record` say.
#[derive(Debug, Default)]
pub(crate) struct OtelFields {
    pub name: Option<String>,
    pub kind: Option<SpanKind>,
    status_code: Option<String>,
    status_description: Option<String>,
}

impl OtelFields {
    /// Takes an `otel.*` field's text; false if `name` is no such field.
    fn take(&mut self, name: &str, text: impl FnOnce() -> String) -> bool {
        match name {
            NAME_FIELD => self.name = Some(text()),
            KIND_FIELD => self.kind = parse_kind(&text()),
            STATUS_CODE_FIELD => self.status_code = Some(text()),
            STATUS_DESCRIPTION_FIELD => self.status_description = Some(text()),
            _ => return false,
        }
        true
    }

    /// The status the fields set (`ok` or `error`; anything else sets none).
    pub fn status(&mut self) -> Option<Status> {
        let code = self.status_code.take()?;
        if code.eq_ignore_ascii_case("ok") {
            Some(Status::Ok)
        } else if code.eq_ignore_ascii_case("error") {
            let message = self.status_description.take().unwrap_or_default();
            Some(Status::Error {
                message: message.into(),
            })
        } else {
            None
        }
    }
}

/// Visits a span's fields: `otel.*` into [`OtelFields`], the rest into attributes.
pub(crate) struct SpanFields<'a> {
    pub span: &'a mut spindle::Span,
    pub otel: OtelFields,
}

impl SpanFields<'_> {
    fn set(&mut self, field: &Field, value: Value) {
        self.span.set_attribute(field.name(), value);
    }
}

impl Visit for SpanFields<'_> {
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.set(field, Value::I64(value));
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.set(field, u64_value(value));
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        self.set(field, Value::F64(value));
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.set(field, Value::Bool(value));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if !self.otel.take(field.name(), || value.to_owned()) {
            self.set(field, Value::from(value.to_owned()));
        }
    }

    /// An error field: its text under the field's name, its causes under `<name>.chain`,
    /// and `exception.message`, as tracing-opentelemetry records them.
    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        let message = value.to_string();
        let chain = causes(value);
        self.span
            .set_attribute("exception.message", message.clone());
        if !chain.is_empty() {
            let key = format!("{}.chain", field.name());
            self.span.set_attribute(key, chain);
        }
        self.set(field, Value::from(message));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if !self.otel.take(field.name(), || format!("{value:?}")) {
            self.set(field, Value::from(format!("{value:?}")));
        }
    }
}

/// Reads only the `otel.*` fields (before the span starts, so the sampler sees its name and
/// kind).
pub(crate) struct OtelOnly(pub OtelFields);

impl Visit for OtelOnly {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.take(field.name(), || value.to_owned());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name().starts_with("otel.") {
            self.0.take(field.name(), || format!("{value:?}"));
        }
    }
}

/// The messages of an error's sources, outermost first.
pub(crate) fn causes(error: &(dyn std::error::Error + 'static)) -> Vec<String> {
    let mut chain = Vec::new();
    let mut source = error.source();
    while let Some(cause) = source {
        chain.push(cause.to_string());
        source = cause.source();
    }
    chain
}

/// Adds `key = value` to `attributes`.
pub(crate) fn push(attributes: &mut Vec<KeyValue>, key: &'static str, value: Value) {
    attributes.push(KeyValue::new(key, value));
}
