//! W3C Trace Context: the `traceparent` and `tracestate` headers.
//!
//! Follows the current W3C Trace Context editor's draft (Level 2) exactly: an invalid
//! `traceparent` yields no context (the caller starts a new trace) and its `tracestate` is
//! dropped; an invalid `tracestate` is dropped whole while a valid `traceparent` is kept.
//! The trace flags are read as sent; a span started under them keeps the sampled decision
//! its sampler made and the `random` flag (0x02) as received, and a new trace sets `random`
//! (Spindle's trace ids are random in all 16 bytes).

use std::fmt;

use super::{Extractor, Injector, Propagator};
use crate::id::{SpanId, TraceId};
use crate::span_context::{SpanContext, TraceFlags};
use crate::trace_state::TraceState;

/// The `traceparent` header name.
pub const TRACEPARENT: &str = "traceparent";
/// The `tracestate` header name.
pub const TRACESTATE: &str = "tracestate";

/// Length of a version-00 `traceparent`, which every later version starts with.
const TRACEPARENT_LEN: usize = 55;

/// What was wrong with a `traceparent` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TraceparentError {
    /// Shorter than the 55 characters of version 00 (the length found).
    TooShort(usize),
    /// The version is not two lowercase hex digits.
    InvalidVersion,
    /// Version `ff`, which the specification forbids.
    ForbiddenVersion,
    /// A `-` was expected at this character offset.
    MissingDelimiter(usize),
    /// This field is not lowercase hex (upper case is invalid).
    NotLowerHex(Field),
    /// The trace id is all zeros.
    ZeroTraceId,
    /// The parent (span) id is all zeros.
    ZeroParentId,
    /// Version 00 followed by more data.
    TrailingData,
}

/// A `traceparent` field, for error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// The 32-digit trace id.
    TraceId,
    /// The 16-digit parent id.
    ParentId,
    /// The 2-digit trace flags.
    Flags,
}

impl fmt::Display for TraceparentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooShort(n) => write!(f, "traceparent has {n} characters, at least 55 needed"),
            Self::InvalidVersion => {
                write!(f, "traceparent version is not two lowercase hex digits")
            }
            Self::ForbiddenVersion => write!(f, "traceparent version ff is invalid"),
            Self::MissingDelimiter(at) => write!(f, "traceparent needs '-' at character {at}"),
            Self::NotLowerHex(field) => write!(f, "traceparent {field:?} is not lowercase hex"),
            Self::ZeroTraceId => write!(f, "traceparent trace id is all zeros"),
            Self::ZeroParentId => write!(f, "traceparent parent id is all zeros"),
            Self::TrailingData => write!(f, "traceparent version 00 has trailing data"),
        }
    }
}

impl std::error::Error for TraceparentError {}

/// Parses lowercase hex digits (at most 32) into a number; `None` on any other byte.
fn lower_hex(bytes: &[u8]) -> Option<u128> {
    bytes.iter().try_fold(0u128, |acc, &b| {
        let digit = match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'f' => b - b'a' + 10,
            _ => return None,
        };
        Some((acc << 4) | u128::from(digit))
    })
}

/// The lowercase-hex field at `range`, or the error naming it.
fn hex_field(
    bytes: &[u8],
    range: std::ops::Range<usize>,
    field: Field,
) -> Result<u128, TraceparentError> {
    lower_hex(&bytes[range]).ok_or(TraceparentError::NotLowerHex(field))
}

/// Checks the `-` delimiters of the version-00 layout.
fn check_delimiters(bytes: &[u8]) -> Result<(), TraceparentError> {
    match [2, 35, 52].into_iter().find(|&at| bytes[at] != b'-') {
        Some(at) => Err(TraceparentError::MissingDelimiter(at)),
        None => Ok(()),
    }
}

/// Parses and checks the version field (bytes 0..2).
fn check_version(bytes: &[u8]) -> Result<u8, TraceparentError> {
    match lower_hex(&bytes[..2]).ok_or(TraceparentError::InvalidVersion)? as u8 {
        0xff => Err(TraceparentError::ForbiddenVersion),
        v => Ok(v),
    }
}

/// Checks what follows the 55 characters of version 00: nothing for version 00, else a `-`.
fn check_rest(version: u8, bytes: &[u8]) -> Result<(), TraceparentError> {
    match bytes.get(TRACEPARENT_LEN) {
        None => Ok(()),
        Some(_) if version == 0 => Err(TraceparentError::TrailingData),
        Some(b'-') => Ok(()),
        Some(_) => Err(TraceparentError::MissingDelimiter(TRACEPARENT_LEN)),
    }
}

/// Parses a `traceparent` value. Surrounding spaces and tabs are ignored; versions above 00
/// are read by the version-00 layout and may carry more `-`-separated data.
///
/// ```
/// use spindle::propagation::w3c::{decode_traceparent, TraceparentError};
/// let (trace, span, flags) =
///     decode_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").unwrap();
/// assert_eq!(trace.to_string(), "4bf92f3577b34da6a3ce929d0e0e4736");
/// assert_eq!(span.to_string(), "00f067aa0ba902b7");
/// assert!(flags.is_sampled());
///
/// let upper = "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01";
/// assert!(matches!(decode_traceparent(upper), Err(TraceparentError::NotLowerHex(_))));
/// let future = "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-more";
/// assert!(decode_traceparent(future).is_ok());
/// let trailing = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-more";
/// assert_eq!(decode_traceparent(trailing), Err(TraceparentError::TrailingData));
/// ```
pub fn decode_traceparent(value: &str) -> Result<(TraceId, SpanId, TraceFlags), TraceparentError> {
    let bytes = value.trim_matches(|c| c == ' ' || c == '\t').as_bytes();
    if bytes.len() < TRACEPARENT_LEN {
        return Err(TraceparentError::TooShort(bytes.len()));
    }
    let version = check_version(bytes)?;
    check_delimiters(bytes)?;
    check_rest(version, bytes)?;
    let trace = hex_field(bytes, 3..35, Field::TraceId)?;
    let parent = hex_field(bytes, 36..52, Field::ParentId)? as u64;
    let flags = hex_field(bytes, 53..55, Field::Flags)? as u8;
    if trace == 0 {
        return Err(TraceparentError::ZeroTraceId);
    }
    if parent == 0 {
        return Err(TraceparentError::ZeroParentId);
    }
    Ok((TraceId(trace), SpanId(parent), TraceFlags(flags)))
}

/// Formats `cx` as a version-00 `traceparent`.
///
/// ```
/// use spindle::propagation::w3c::encode_traceparent;
/// use spindle::{SpanContext, SpanId, TraceFlags, TraceId};
/// let cx = SpanContext {
///     trace_id: TraceId(0xabc),
///     span_id: SpanId(0x12),
///     trace_flags: TraceFlags::SAMPLED,
///     ..SpanContext::default()
/// };
/// assert_eq!(encode_traceparent(&cx), "00-00000000000000000000000000000abc-0000000000000012-01");
/// ```
pub fn encode_traceparent(cx: &SpanContext) -> String {
    format!("00-{}-{}-{:02x}", cx.trace_id, cx.span_id, cx.trace_flags.0)
}

/// The W3C Trace Context propagator (`traceparent` and `tracestate`).
///
/// Injects nothing for an invalid context; extracts `None` from a missing, repeated or invalid
/// `traceparent`, and an empty trace state from an invalid `tracestate` (the context is kept).
///
/// ```
/// use spindle::propagation::w3c::{TRACEPARENT, TRACESTATE, TraceContextPropagator};
/// use spindle::propagation::Propagator;
///
/// let incoming = vec![
///     (TRACEPARENT.to_string(), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".to_string()),
///     (TRACESTATE.to_string(), "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE".to_string()),
/// ];
/// let cx = TraceContextPropagator.extract(&incoming).expect("a valid traceparent");
/// assert!(cx.is_remote && cx.is_sampled());
/// assert_eq!(cx.trace_state.get("congo"), Some("t61rcWkgMzE"));
///
/// let mut outgoing: Vec<(String, String)> = Vec::new();
/// TraceContextPropagator.inject(&cx, &mut outgoing);
/// assert_eq!(outgoing, incoming);
///
/// let broken = vec![(TRACEPARENT.to_string(), "00-00000000000000000000000000000000-00f067aa0ba902b7-01".to_string())];
/// assert!(TraceContextPropagator.extract(&broken).is_none(), "an all-zero trace id is invalid");
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct TraceContextPropagator;

impl TraceContextPropagator {
    /// The trace state from every `tracestate` line, or empty if absent or invalid.
    fn extract_state(extractor: &dyn Extractor) -> TraceState {
        TraceState::from_headers(extractor.get_all(TRACESTATE)).unwrap_or_default()
    }
}

impl Propagator for TraceContextPropagator {
    fn inject(&self, cx: &SpanContext, injector: &mut dyn Injector) {
        if !cx.is_valid() {
            return;
        }
        injector.set(TRACEPARENT, encode_traceparent(cx));
        let state = cx.trace_state.header_for_inject();
        if !state.is_empty() {
            injector.set(TRACESTATE, state);
        }
    }

    fn extract(&self, extractor: &dyn Extractor) -> Option<SpanContext> {
        let [traceparent] = extractor.get_all(TRACEPARENT)[..] else {
            return None;
        };
        let (trace_id, span_id, trace_flags) = decode_traceparent(traceparent).ok()?;
        let trace_state = Self::extract_state(extractor);
        Some(SpanContext {
            trace_id,
            span_id,
            trace_flags,
            trace_state,
            is_remote: true,
        })
    }

    fn fields(&self) -> &[&'static str] {
        &[TRACEPARENT, TRACESTATE]
    }
}
