//! Zipkin B3 propagation: the single `b3` header or the `X-B3-*` headers.
//!
//! Extraction accepts either encoding (the single header wins when it yields a context).
//! A debug decision (`d`, or `X-B3-Flags: 1`) is read as sampled; [`SpanContext`] has no
//! separate debug flag, so it is not re-sent as debug.
//!
//! ```
//! use std::collections::HashMap;
//! use spindle::propagation::{Propagator, b3::B3Propagator};
//!
//! let mut headers = HashMap::new();
//! headers.insert("B3".to_string(), "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-d".to_string());
//! let cx = B3Propagator::default().extract(&headers).unwrap();
//! assert!(cx.is_sampled() && cx.is_remote);
//! assert_eq!(cx.span_id.to_string(), "e457b5a2e4d86bd1");
//! ```

use super::{Extractor, Injector, Propagator};
use crate::id::{SpanId, TraceId};
use crate::span_context::{SpanContext, TraceFlags};

/// The single-header name.
pub const B3: &str = "b3";
/// Multi-header trace id.
pub const TRACE_ID: &str = "X-B3-TraceId";
/// Multi-header span id.
pub const SPAN_ID: &str = "X-B3-SpanId";
/// Multi-header parent span id.
pub const PARENT_SPAN_ID: &str = "X-B3-ParentSpanId";
/// Multi-header sampling decision.
pub const SAMPLED: &str = "X-B3-Sampled";
/// Multi-header debug flag.
pub const FLAGS: &str = "X-B3-Flags";

const SINGLE_FIELDS: &[&str] = &[B3];
const MULTI_FIELDS: &[&str] = &[TRACE_ID, SPAN_ID, SAMPLED];
const BOTH_FIELDS: &[&str] = &[B3, TRACE_ID, SPAN_ID, SAMPLED];

/// Which headers [`B3Propagator`] writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum B3Encoding {
    /// One `b3: {trace}-{span}-{sampled}` header (the OpenTelemetry default).
    #[default]
    SingleHeader,
    /// `X-B3-TraceId`, `X-B3-SpanId` and `X-B3-Sampled`.
    MultipleHeaders,
    /// Both of the above.
    SingleAndMultipleHeaders,
}

/// The Zipkin B3 propagator.
#[derive(Debug, Clone, Copy, Default)]
pub struct B3Propagator {
    encoding: B3Encoding,
}

impl B3Propagator {
    /// A propagator that injects with `encoding` (extraction accepts every encoding).
    pub fn new(encoding: B3Encoding) -> Self {
        B3Propagator { encoding }
    }

    /// The encoding used on inject.
    pub fn encoding(&self) -> B3Encoding {
        self.encoding
    }
}

/// A B3 sampling state: `Some(sampled)` or `None` when the decision is deferred.
type Sampling = Option<bool>;

/// Reads a trace id of 16 or 32 hex digits.
fn trace_id(text: &str) -> Option<TraceId> {
    TraceId::from_hex(text).ok()
}

/// Reads a span id of 16 hex digits.
fn span_id(text: &str) -> Option<SpanId> {
    SpanId::from_hex(text).ok()
}

/// A remote context, sampled when `sampling` says so (deferred counts as not sampled).
fn context(trace_id: TraceId, span_id: SpanId, sampling: Sampling) -> SpanContext {
    let trace_flags = TraceFlags::NONE.with_sampled(sampling == Some(true));
    SpanContext {
        trace_id,
        span_id,
        trace_flags,
        is_remote: true,
        ..SpanContext::default()
    }
}

/// Parses the single `b3` header; sampling-only values (`0`, `1`, `d`) carry no ids.
fn extract_single(value: &str) -> Option<SpanContext> {
    let mut parts = value.trim().split('-');
    let trace = trace_id(parts.next()?)?;
    let span = span_id(parts.next()?)?;
    let sampling = match parts.next() {
        None => None,
        Some("1" | "d") => Some(true),
        Some("0") => Some(false),
        Some(_) => return None,
    };
    if let Some(parent) = parts.next() {
        span_id(parent)?;
    }
    match parts.next() {
        Some(_) => None,
        None => Some(context(trace, span, sampling)),
    }
}

/// The multi-header sampling state; `Err` when a value is not understood.
fn multi_sampling(extractor: &dyn Extractor) -> Result<Sampling, ()> {
    match extractor.get(FLAGS).map(str::trim) {
        None | Some("0") => {}
        Some("1") => return Ok(Some(true)),
        Some(_) => return Err(()),
    }
    match extractor.get(SAMPLED).map(str::trim) {
        None => Ok(None),
        Some(v) if v == "1" || v.eq_ignore_ascii_case("true") => Ok(Some(true)),
        Some(v) if v == "0" || v.eq_ignore_ascii_case("false") => Ok(Some(false)),
        Some(_) => Err(()),
    }
}

/// Parses the `X-B3-*` headers.
fn extract_multi(extractor: &dyn Extractor) -> Option<SpanContext> {
    let trace = trace_id(extractor.get(TRACE_ID)?.trim())?;
    let span = span_id(extractor.get(SPAN_ID)?.trim())?;
    if let Some(parent) = extractor.get(PARENT_SPAN_ID) {
        span_id(parent.trim())?;
    }
    let sampling = multi_sampling(extractor).ok()?;
    Some(context(trace, span, sampling))
}

/// `1` or `0` for a context's sampled flag.
fn sampled_digit(cx: &SpanContext) -> &'static str {
    if cx.is_sampled() { "1" } else { "0" }
}

impl Propagator for B3Propagator {
    fn inject(&self, cx: &SpanContext, injector: &mut dyn Injector) {
        if !cx.is_valid() {
            return;
        }
        if self.encoding != B3Encoding::MultipleHeaders {
            let value = format!("{}-{}-{}", cx.trace_id, cx.span_id, sampled_digit(cx));
            injector.set(B3, value);
        }
        if self.encoding != B3Encoding::SingleHeader {
            injector.set(TRACE_ID, cx.trace_id.to_string());
            injector.set(SPAN_ID, cx.span_id.to_string());
            injector.set(SAMPLED, sampled_digit(cx).to_string());
        }
    }

    fn extract(&self, extractor: &dyn Extractor) -> Option<SpanContext> {
        extractor
            .get(B3)
            .and_then(extract_single)
            .or_else(|| extract_multi(extractor))
    }

    fn fields(&self) -> &[&'static str] {
        match self.encoding {
            B3Encoding::SingleHeader => SINGLE_FIELDS,
            B3Encoding::MultipleHeaders => MULTI_FIELDS,
            B3Encoding::SingleAndMultipleHeaders => BOTH_FIELDS,
        }
    }
}
