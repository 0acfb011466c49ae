//! A JSON value cut short (a process killed while writing, a download cut off): the longest
//! prefix that ends right after a complete span, closed, so that every span before the cut
//! still loads.
//!
//! The span lists are found by shape, the same in every JSON format: the top-level list
//! (Zipkin), the lists inside it (Zipkin's list of traces), and every array under a `"spans"`
//! key (OTLP/JSON, Spindle JSON, Jaeger). The prefix is cut after an element of one of them,
//! never inside a span, so no span loads half-read.

use crate::scan::string_end;

/// A container open at some point of the text.
enum Open {
    Object {
        /// The last key read is `"spans"`.
        spans_key: bool,
        expect_key: bool,
    },
    Array {
        /// Its elements are spans (or lists of them).
        spans: bool,
    },
}

/// `text` (one JSON value, cut short) up to the end of its last complete span, with the
/// brackets that close it; `None` if no span in it is complete.
pub(crate) fn close_after_last_span(text: &[u8]) -> Option<Vec<u8>> {
    let mut stack: Vec<Open> = Vec::new();
    let mut cut: Option<usize> = None;
    let mut closers = Vec::new();
    let mut i = 0;
    while let Some(&byte) = text.get(i) {
        match byte {
            b'"' => {
                let end = string_end(text, i);
                if let Some(Open::Object {
                    spans_key,
                    expect_key: true,
                }) = stack.last_mut()
                {
                    *spans_key = text.get(i + 1..end.saturating_sub(1)) == Some(b"spans");
                }
                i = end;
                continue;
            }
            b'{' => stack.push(Open::Object {
                spans_key: false,
                expect_key: true,
            }),
            b'[' => {
                let spans = match stack.last() {
                    None => true,
                    Some(Open::Array { .. }) => stack.len() == 1,
                    Some(Open::Object { spans_key, .. }) => *spans_key,
                };
                stack.push(Open::Array { spans });
            }
            b'}' | b']' => {
                stack.pop();
                if let Some(Open::Array { spans: true }) = stack.last() {
                    cut = Some(i + 1);
                    closers.clear();
                    closers.extend(stack.iter().rev().map(|open| match open {
                        Open::Object { .. } => b'}',
                        Open::Array { .. } => b']',
                    }));
                }
            }
            b',' | b':' => {
                if let Some(Open::Object { expect_key, .. }) = stack.last_mut() {
                    *expect_key = byte == b',';
                }
            }
            _ => {}
        }
        i += 1;
    }
    let mut closed = text.get(..cut?)?.to_vec();
    closed.extend_from_slice(&closers);
    Some(closed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(text: &str) -> Option<String> {
        close_after_last_span(text.as_bytes()).map(|b| String::from_utf8_lossy(&b).into_owned())
    }

    #[test]
    fn cuts_after_the_last_complete_span_and_closes() {
        assert_eq!(
            close(r#"[{"id":"1","tags":{"a":"}"}},{"id":"2","tags":{"b"#).as_deref(),
            Some(r#"[{"id":"1","tags":{"a":"}"}}]"#)
        );
        assert_eq!(
            close(r#"[[{"a":1}],[{"b":2},{"c"#).as_deref(),
            Some(r#"[[{"a":1}],[{"b":2}]]"#)
        );
        let otlp = r#"{"resourceSpans":[{"resource":{"attributes":[{"key":"k"}]},"scopeSpans":[{"spans":[{"name":"a","events":[{"x":1}]},{"name":"b","#;
        assert_eq!(
            close(otlp).as_deref(),
            Some(
                r#"{"resourceSpans":[{"resource":{"attributes":[{"key":"k"}]},"scopeSpans":[{"spans":[{"name":"a","events":[{"x":1}]}]}]}]}"#
            )
        );
        assert_eq!(
            close(r#"{"resourceSpans":[{"resource":{"attributes":[{"key":"k"}]},"#),
            None
        );
        assert_eq!(close(r#"{"spans":"spans","x":[{"a":1}"#), None);
        assert_eq!(close(r#"[{"id":"1"#), None);
    }
}
