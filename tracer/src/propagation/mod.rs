//! Context propagation across process boundaries.
//!
//! A [`Propagator`] writes a [`SpanContext`] into outgoing headers through an [`Injector`] and
//! reads one from incoming headers through an [`Extractor`]. Header names are compared without
//! regard to ASCII case, as HTTP requires.
//!
//! ```
//! use std::collections::HashMap;
//! use spindle::propagation::{Propagator, w3c::TraceContextPropagator};
//! use spindle::{SpanContext, SpanId, TraceFlags, TraceId};
//!
//! let cx = SpanContext {
//!     trace_id: TraceId(0x4bf92f3577b34da6a3ce929d0e0e4736),
//!     span_id: SpanId(0x00f067aa0ba902b7),
//!     trace_flags: TraceFlags::SAMPLED,
//!     ..SpanContext::default()
//! };
//! let mut headers: HashMap<String, String> = HashMap::new();
//! TraceContextPropagator.inject(&cx, &mut headers);
//! assert_eq!(headers["traceparent"], "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
//! let back = TraceContextPropagator.extract(&headers).unwrap();
//! assert_eq!((back.trace_id, back.span_id, back.is_remote), (cx.trace_id, cx.span_id, true));
//! ```

use std::collections::HashMap;
use std::fmt::Debug;

use crate::span_context::SpanContext;

pub mod b3;
pub mod w3c;

/// Somewhere to write outgoing headers (a request's header map, a message's metadata).
pub trait Injector {
    /// Sets header `key` to `value`, replacing any earlier value.
    fn set(&mut self, key: &str, value: String);
}

/// Somewhere to read incoming headers from. Lookups ignore ASCII case.
pub trait Extractor {
    /// The first value of header `key`.
    fn get(&self, key: &str) -> Option<&str>;

    /// Every value of header `key`, in order (a header may be sent more than once).
    fn get_all(&self, key: &str) -> Vec<&str> {
        self.get(key).into_iter().collect()
    }

    /// All header names present.
    fn keys(&self) -> Vec<&str>;
}

/// A map with lowercase keys, as [`Injector::set`] stores them; lookups of keys stored with
/// other cases still succeed (by a scan).
impl Injector for HashMap<String, String> {
    fn set(&mut self, key: &str, value: String) {
        self.insert(key.to_ascii_lowercase(), value);
    }
}

impl Extractor for HashMap<String, String> {
    fn get(&self, key: &str) -> Option<&str> {
        let lower = key.to_ascii_lowercase();
        match HashMap::get(self, &lower) {
            Some(value) => Some(value),
            None => self
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| v.as_str()),
        }
    }

    fn keys(&self) -> Vec<&str> {
        HashMap::keys(self).map(String::as_str).collect()
    }
}

/// A header list in which a name may repeat, as on the wire.
impl Injector for Vec<(String, String)> {
    fn set(&mut self, key: &str, value: String) {
        self.retain(|(k, _)| !k.eq_ignore_ascii_case(key));
        self.push((key.to_string(), value));
    }
}

impl Extractor for Vec<(String, String)> {
    fn get(&self, key: &str) -> Option<&str> {
        self.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    }

    fn get_all(&self, key: &str) -> Vec<&str> {
        let matching = self.iter().filter(|(k, _)| k.eq_ignore_ascii_case(key));
        matching.map(|(_, v)| v.as_str()).collect()
    }

    fn keys(&self) -> Vec<&str> {
        self.iter().map(|(k, _)| k.as_str()).collect()
    }
}

/// Writes and reads span contexts in one header format.
pub trait Propagator: Send + Sync + Debug {
    /// Writes `cx` into the outgoing headers (nothing if `cx` is invalid).
    fn inject(&self, cx: &SpanContext, injector: &mut dyn Injector);

    /// Reads a remote context (`is_remote` set), or `None` if absent or invalid.
    fn extract(&self, extractor: &dyn Extractor) -> Option<SpanContext>;

    /// The header names this propagator writes.
    fn fields(&self) -> &[&'static str];
}

/// Several propagators as one: inject writes every format, extract takes the first success.
#[derive(Debug, Default)]
pub struct CompositePropagator {
    propagators: Vec<Box<dyn Propagator>>,
    fields: Vec<&'static str>,
}

impl CompositePropagator {
    /// Combines `propagators`; extraction tries them in this order.
    pub fn new(propagators: Vec<Box<dyn Propagator>>) -> Self {
        let mut fields: Vec<&'static str> = Vec::new();
        for field in propagators.iter().flat_map(|p| p.fields().iter()) {
            if !fields.contains(field) {
                fields.push(field);
            }
        }
        CompositePropagator {
            propagators,
            fields,
        }
    }
}

impl Propagator for CompositePropagator {
    fn inject(&self, cx: &SpanContext, injector: &mut dyn Injector) {
        for propagator in &self.propagators {
            propagator.inject(cx, injector);
        }
    }

    fn extract(&self, extractor: &dyn Extractor) -> Option<SpanContext> {
        self.propagators.iter().find_map(|p| p.extract(extractor))
    }

    fn fields(&self) -> &[&'static str] {
        &self.fields
    }
}
