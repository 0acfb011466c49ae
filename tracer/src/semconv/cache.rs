//! Cache lookups: a database-style span (`db.system.name`, `db.operation.name`,
//! `db.namespace`; named `{operation} {namespace}`) that says whether the lookup hit.
//!
//! OpenTelemetry defines no cache attributes; the hit or miss is the boolean `cache.hit`, the
//! name Sentry's conventions use, and the key (opt-in: keys may be personal data) is
//! `cache.key`.
//!
//! ```
//! use spindle::semconv::cache;
//!
//! let mut lookup = cache::lookup("redis", "GET").namespace("sessions").start();
//! let found: Option<String> = None;                 // the cache's answer
//! lookup.record_hit(found.is_some());               // cache.hit = false
//! ```

use std::ops::{Deref, DerefMut};

use spindle_formats::{KeyValue, SpanKind, Str, Value};

use crate::span::Span;

/// Starts a span for a lookup of `operation` (`GET`, `HGET`, `get`) in a cache of the system
/// `system` (`redis`, `memcached`, or the in-process cache's name with
/// [`CacheSpanBuilder::in_process`]).
pub fn lookup(system: impl Into<Str>, operation: impl Into<Str>) -> CacheSpanBuilder {
    CacheSpanBuilder {
        system: system.into(),
        operation: operation.into(),
        namespace: None,
        kind: SpanKind::Client,
        attributes: Vec::new(),
    }
}

/// A cache lookup before it starts (see [`lookup`]).
#[derive(Debug)]
#[must_use = "a builder does nothing until start() is called"]
pub struct CacheSpanBuilder {
    system: Str,
    operation: Str,
    namespace: Option<Str>,
    kind: SpanKind,
    attributes: Vec<KeyValue>,
}

impl CacheSpanBuilder {
    /// `db.namespace`: which cache (a Redis database index, a cache's name); in the span's
    /// name.
    pub fn namespace(mut self, namespace: impl Into<Str>) -> Self {
        self.namespace = Some(namespace.into());
        self
    }

    /// `cache.key`: the key looked up (opt-in; keys may be high-cardinality or personal).
    pub fn key(mut self, key: impl Into<Str>) -> Self {
        self.attributes.push(KeyValue::new("cache.key", key.into()));
        self
    }

    /// Kind internal instead of client: a cache in this process.
    pub fn in_process(mut self) -> Self {
        self.kind = SpanKind::Internal;
        self
    }

    /// Any other attribute (seen by the sampler).
    pub fn attribute(mut self, key: impl Into<Str>, value: impl Into<Value>) -> Self {
        self.attributes.push(KeyValue::new(key, value));
        self
    }

    /// Starts the span, a child of the current span.
    pub fn start(self) -> CacheSpan {
        let name: Str = match &self.namespace {
            Some(namespace) => format!("{} {namespace}", self.operation).into(),
            None => self.operation.clone(),
        };
        let mut attributes = vec![
            KeyValue::new("db.system.name", self.system),
            KeyValue::new("db.operation.name", self.operation),
        ];
        attributes.extend(self.namespace.map(|ns| KeyValue::new("db.namespace", ns)));
        attributes.extend(self.attributes);
        CacheSpan {
            span: super::start(name, self.kind, None, attributes),
        }
    }
}

/// A started cache lookup: a [`Span`] (through `Deref`) that records the hit or miss.
#[derive(Debug)]
pub struct CacheSpan {
    span: Span,
}

impl CacheSpan {
    /// Records whether the lookup found the key (`cache.hit`). A miss is no error.
    pub fn record_hit(&mut self, hit: bool) {
        self.span.set_attribute("cache.hit", hit);
    }

    /// The span itself.
    pub fn into_span(self) -> Span {
        self.span
    }
}

impl Deref for CacheSpan {
    type Target = Span;

    fn deref(&self) -> &Span {
        &self.span
    }
}

impl DerefMut for CacheSpan {
    fn deref_mut(&mut self) -> &mut Span {
        &mut self.span
    }
}
