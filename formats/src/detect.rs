//! Telling trace formats apart by their content, never by file name.

use std::fmt;

use crate::otlp_proto::looks_like_request;
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
    /// OTLP protobuf: an `ExportTraceServiceRequest` or `TracesData` message (see
    /// [`crate::otlp_proto`]).
    OtlpProto,
    /// Jaeger JSON as the query API and UI give it (see [`crate::jaeger_json`]); read only.
    Jaeger,
    /// Chrome Trace Event JSON (see [`crate::chrome`]): written for Perfetto UI and
    /// chrome://tracing, not read. [`detect`] names it so that [`crate::read`] can say so.
    Chrome,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Spindle => "Spindle JSON",
            Format::Zipkin => "Zipkin v2 JSON",
            Format::Otlp => "OTLP/JSON",
            Format::OtlpProto => "OTLP/protobuf",
            Format::Jaeger => "Jaeger JSON",
            Format::Chrome => "Chrome Trace Event JSON",
        })
    }
}

/// How many bytes of the first object [`detect`] looks at for its keys.
const KEY_SCAN_LIMIT: usize = 64 * 1024;

/// Detects the format from the first JSON tokens (after whitespace and a byte order mark).
///
/// A Spindle document is an object with `"format":"spindle"`; OTLP an object with
/// `resourceSpans`; Jaeger an object with `data` that is a query API response (it has `errors`
/// or `total`, or a `traceID` key soon after) or a bare trace with `traceID` and `spans`;
/// Chrome an object with `traceEvents` or a list whose first item has `ph`; Zipkin is a list
/// whose first item is an object (or a list of such lists), or a lone span object with
/// `traceId` and `id`. OTLP protobuf (an `ExportTraceServiceRequest` or `TracesData`) starts
/// with its first `resource_spans` field, whose start must be well-formed protobuf.
///
/// ```
/// use spindle_formats::{Format, detect};
/// assert_eq!(detect(br#"{"format":"spindle","version":1,"spans":[]}"#), Some(Format::Spindle));
/// assert_eq!(detect(b"\n [{\"traceId\":\"0af7651916cd43dd8448eb211c80319c\"}]"), Some(Format::Zipkin));
/// assert_eq!(detect(br#"{"resourceSpans":[]}"#), Some(Format::Otlp));
/// assert_eq!(detect(br#"{"data":[{"traceID":"1","spans":[]}]}"#), Some(Format::Jaeger));
/// assert_eq!(detect(br#"{"traceEvents":[]}"#), Some(Format::Chrome));
/// assert_eq!(detect(b"<html>"), None);
/// assert_eq!(detect(b"\x0a\x02\x0a\x00"), Some(Format::OtlpProto));
/// ```
pub fn detect(bytes: &[u8]) -> Option<Format> {
    // A request starts with 0x0a (a newline) then its length: JSON first unless that length
    // byte cannot start JSON, then protobuf.
    let json_first = !matches!(bytes, [0x0a, second, ..] if !b" \t\r\n{[".contains(second));
    let proto = || looks_like_request(bytes).then_some(Format::OtlpProto);
    if json_first {
        detect_json(bytes).or_else(proto)
    } else {
        proto().or_else(|| detect_json(bytes))
    }
}

fn detect_json(bytes: &[u8]) -> Option<Format> {
    let start = skip_blank(bytes, 0);
    match bytes.get(start)? {
        b'[' => detect_list(bytes, start),
        b'{' => detect_object(bytes, &object_keys(bytes, start, KEY_SCAN_LIMIT)),
        _ => None,
    }
}

fn detect_list(bytes: &[u8], start: usize) -> Option<Format> {
    let mut at = start;
    loop {
        at = skip_blank(bytes, at + 1);
        match bytes.get(at)? {
            b'{' => return Some(detect_list_item(&object_keys(bytes, at, KEY_SCAN_LIMIT))),
            b']' => return Some(Format::Zipkin),
            b'[' => {}
            _ => return None,
        }
    }
}

/// A list of Chrome trace events, or else of Zipkin spans.
fn detect_list_item(keys: &[TopKey]) -> Format {
    let has = |name: &str| keys.iter().any(|k| k.key == name);
    if has("ph") && !has("traceId") {
        Format::Chrome
    } else {
        Format::Zipkin
    }
}

fn detect_object(bytes: &[u8], keys: &[TopKey]) -> Option<Format> {
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
    if has("traceEvents") {
        return Some(Format::Chrome);
    }
    let jaeger_response =
        has("data") && (has("errors") || has("total") || mentions_trace_id(bytes));
    if jaeger_response || (has("traceID") && has("spans")) {
        return Some(Format::Jaeger);
    }
    (has("traceId") && has("id")).then_some(Format::Zipkin)
}

/// True if Jaeger's `"traceID"` key appears in the first bytes.
fn mentions_trace_id(bytes: &[u8]) -> bool {
    let head = bytes.get(..KEY_SCAN_LIMIT).unwrap_or(bytes);
    head.windows(9).any(|w| w == b"\"traceID\"")
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
        assert_eq!(detect(br#"{"data":[],"total":0}"#), Some(Format::Jaeger));
        assert_eq!(
            detect(br#"{"data":null,"errors":[]}"#),
            Some(Format::Jaeger)
        );
        assert_eq!(
            detect(br#"{"traceID":"a","spans":[],"processes":{}}"#),
            Some(Format::Jaeger)
        );
        assert_eq!(detect(br#"{"data":[1]}"#), None);
        assert_eq!(
            detect(br#"[{"name":"a","ph":"X","ts":1}]"#),
            Some(Format::Chrome)
        );
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
