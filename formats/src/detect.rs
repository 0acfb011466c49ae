//! Telling trace formats apart by their content, never by file name.

use std::fmt;

use crate::scan::{TopKey, object_keys, skip_blank};

/// A trace file format this crate reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// Spindle's own JSON Lines format (see [`crate::spindle_json`]).
    Spindle,
    /// Zipkin v2 JSON: lists of spans (see [`crate::zipkin`]).
    Zipkin,
    /// OTLP/JSON: `{"resourceSpans":[…]}` documents (see [`crate::otlp_json`]).
    Otlp,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Spindle => "Spindle JSON",
            Format::Zipkin => "Zipkin v2 JSON",
            Format::Otlp => "OTLP/JSON",
        })
    }
}

/// How many bytes of the first object [`detect`] looks at for its keys.
const KEY_SCAN_LIMIT: usize = 64 * 1024;

/// Detects the format from the first JSON tokens (after whitespace and a byte order mark).
///
/// A Spindle document is an object with `"format":"spindle"`; Zipkin is a list whose first
/// item is an object (or a list of such lists), or a lone span object with `traceId` and `id`.
///
/// ```
/// use spindle_formats::{Format, detect};
/// assert_eq!(detect(br#"{"format":"spindle","version":1,"spans":[]}"#), Some(Format::Spindle));
/// assert_eq!(detect(b"\n [{\"traceId\":\"0af7651916cd43dd8448eb211c80319c\"}]"), Some(Format::Zipkin));
/// assert_eq!(detect(b"<html>"), None);
/// ```
pub fn detect(bytes: &[u8]) -> Option<Format> {
    let start = skip_blank(bytes, 0);
    match bytes.get(start)? {
        b'[' => detect_list(bytes, start),
        b'{' => detect_object(&object_keys(bytes, start, KEY_SCAN_LIMIT)),
        _ => None,
    }
}

fn detect_list(bytes: &[u8], start: usize) -> Option<Format> {
    let mut at = start;
    loop {
        at = skip_blank(bytes, at + 1);
        match bytes.get(at)? {
            b']' | b'{' => return Some(Format::Zipkin),
            b'[' => {}
            _ => return None,
        }
    }
}

fn detect_object(keys: &[TopKey]) -> Option<Format> {
    let has = |name: &str| keys.iter().any(|k| k.key == name);
    if has("format") {
        let spindle = keys
            .iter()
            .any(|k| k.string_value.as_deref() == Some("spindle"));
        return spindle.then_some(Format::Spindle);
    }
    if has("resourceSpans") {
        return Some(Format::Otlp);
    }
    (has("traceId") && has("id")).then_some(Format::Zipkin)
}

/// Describes how the input starts, for the error when [`detect`] finds nothing.
pub(crate) fn describe_start(bytes: &[u8]) -> String {
    let start = skip_blank(bytes, 0);
    match bytes.get(start) {
        Some(b'{') => {
            let keys = object_keys(bytes, start, KEY_SCAN_LIMIT);
            let format = keys.iter().find(|k| k.key == "format");
            if let Some(value) = format.and_then(|k| k.string_value.as_deref()) {
                return format!("a JSON object with \"format\":{value:?}");
            }
            let names: Vec<String> = keys
                .iter()
                .take(5)
                .map(|k| format!("{:?}", k.key))
                .collect();
            format!("a JSON object with keys {}", names.join(", "))
        }
        Some(b'[') => "a JSON list whose first item is not a span object".to_owned(),
        Some(_) => {
            let end = bytes.len().min(start + 40);
            let head = String::from_utf8_lossy(bytes.get(start..end).unwrap_or_default());
            format!("it starts with {:?}", head.trim_end())
        }
        None => "the input is empty".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_by_content() {
        assert_eq!(
            detect(b"\xEF\xBB\xBF  {\"version\":1,\"format\":\"spindle\"}"),
            Some(Format::Spindle)
        );
        assert_eq!(detect(b"[]"), Some(Format::Zipkin));
        assert_eq!(detect(b"[[{\"id\":\"1\"}]]"), Some(Format::Zipkin));
        assert_eq!(detect(br#"{"traceId":"a","id":"b"}"#), Some(Format::Zipkin));
        assert_eq!(detect(br#"{"resourceSpans":[]}"#), Some(Format::Otlp));
        assert_eq!(detect(b"   "), None);
        assert_eq!(detect(b"[1,2]"), None);
    }

    #[test]
    fn describes_what_was_seen() {
        assert_eq!(
            describe_start(br#"{"resourceSpans":[],"x":1}"#),
            r#"a JSON object with keys "resourceSpans", "x""#
        );
        assert_eq!(
            describe_start(b"hello world"),
            r#"it starts with "hello world""#
        );
    }
}
