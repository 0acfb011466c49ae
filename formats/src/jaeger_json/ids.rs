//! Jaeger's ids: hex, perhaps without leading zeros (`"f067aa0ba902b7"`). Any other text
//! (`"trace-123"`, `"span-1"`, as test fixtures and hand-written examples have) is read as an
//! id derived from it ([`crate::derived_id`]), so that the same text links everywhere in the
//! file.

use std::borrow::Cow;

use crate::context::Fault;
use crate::derived_id;
use crate::error::Problem;
use crate::model::{IdError, SpanId, TraceId};
use crate::text::borrowed;

/// The span attribute that keeps a trace id's text when the id was derived from it.
pub const TRACE_ID_TEXT: &str = "jaeger.traceID";
/// The span attribute that keeps a span id's text when the id was derived from it.
pub const SPAN_ID_TEXT: &str = "jaeger.spanID";

/// An id read from text: parsed as hex, or derived from the text (`derived`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Read<T> {
    pub id: T,
    pub derived: bool,
}

/// A trace id: up to 32 hex digits, or derived from other non-empty text.
pub(super) fn trace_id<'a>(text: &Cow<'a, str>, field: &str) -> Result<Read<TraceId>, Fault<'a>> {
    let parsed = if text.len() <= 32 {
        TraceId::from_hex(&format!("{text:0>32}"))
    } else {
        TraceId::from_hex(text)
    };
    match parsed {
        Ok(id) => Ok(Read { id, derived: false }),
        Err(error) => match derivable(text, error, 32) {
            Ok(()) => Ok(Read {
                id: derived_id::trace_id(text),
                derived: true,
            }),
            Err(error) => Err(Fault::new(field, borrowed(text), Problem::BadId(error))),
        },
    }
}

/// A span id: up to 16 hex digits, or derived from other non-empty text.
pub(super) fn span_id<'a>(text: &Cow<'a, str>, field: &str) -> Result<Read<SpanId>, Fault<'a>> {
    let parsed = if text.len() <= 16 {
        SpanId::from_hex(&format!("{text:0>16}"))
    } else {
        SpanId::from_hex(text)
    };
    match parsed {
        Ok(id) => Ok(Read { id, derived: false }),
        Err(error) => match derivable(text, error, 16) {
            Ok(()) => Ok(Read {
                id: derived_id::span_id(text),
                derived: true,
            }),
            Err(error) => Err(Fault::new(field, borrowed(text), Problem::BadId(error))),
        },
    }
}

/// Ok if an id may be derived from `text` (it is not hex, or too long to be an id); else the
/// error to give, about the text as written.
fn derivable(text: &str, error: IdError, width: usize) -> Result<(), IdError> {
    match error {
        _ if text.is_empty() => Err(IdError::Length {
            expected: if width == 32 { "1 to 32" } else { "1 to 16" },
            found: 0,
        }),
        IdError::Zero => Err(IdError::Zero),
        IdError::NotHex { .. } | IdError::Length { .. } => Ok(()),
    }
}

/// The warning, told once per file, that ids were derived: at the first such id.
pub(super) fn derived_fault<'a>(
    text: &Cow<'a, str>,
    field: &str,
    kept_as: &'static str,
) -> Fault<'a> {
    let found = text.to_string();
    Fault::new(field, borrowed(text), Problem::DerivedId { found, kept_as })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_ids_are_zero_padded_and_other_text_derived() {
        let read = |text: &str| trace_id(&text.into(), "t").ok();
        assert_eq!(
            read("abc"),
            Some(Read {
                id: TraceId(0xabc),
                derived: false
            })
        );
        assert_eq!(
            span_id(&"1".into(), "s").ok().map(|r| r.id),
            Some(SpanId(1))
        );
        let derived = read("trace-123");
        assert_eq!(derived.map(|r| r.derived), Some(true));
        assert_eq!(derived, read("trace-123"));
        assert_ne!(derived, read("trace-124"));
        assert_eq!(read(&"a".repeat(33)).map(|r| r.derived), Some(true));
        let fault = |text: &str| span_id(&text.into(), "s").err().map(|f| f.problem);
        assert_eq!(fault("0"), Some(Problem::BadId(IdError::Zero)));
        assert!(matches!(
            fault(""),
            Some(Problem::BadId(IdError::Length { found: 0, .. }))
        ));
    }
}
