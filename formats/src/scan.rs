//! A tiny JSON token scanner for the slow paths: naming the field at an error offset, and
//! peeking at the first keys of a document to detect its format. It never builds a tree.

/// One open container on the way to an offset.
enum Frame {
    Object {
        key: Option<String>,
        expect_key: bool,
    },
    Array {
        index: usize,
    },
}

/// Returns the end of the string starting at the quote at `start` (the index after the
/// closing quote, or the text length if it never closes).
pub(crate) fn string_end(text: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while let Some(&byte) = text.get(i) {
        match byte {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    text.len()
}

/// The contents of the string whose opening quote is at `start` and that ends at `end`.
fn string_text(text: &[u8], start: usize, end: usize) -> String {
    let inner = text
        .get(start + 1..end.saturating_sub(1))
        .unwrap_or_default();
    String::from_utf8_lossy(inner).into_owned()
}

/// The field path (`spans[3].traceId`) of the value that `offset` lies in or just after.
pub(crate) fn path_at(text: &[u8], offset: usize) -> String {
    let text = text.get(..offset).unwrap_or(text);
    let mut frames: Vec<Frame> = Vec::new();
    let mut i = 0;
    while let Some(&byte) = text.get(i) {
        match byte {
            b'"' => {
                let end = string_end(text, i);
                if let Some(Frame::Object {
                    key,
                    expect_key: true,
                }) = frames.last_mut()
                {
                    *key = Some(string_text(text, i, end));
                }
                i = end;
                continue;
            }
            b'{' => frames.push(Frame::Object {
                key: None,
                expect_key: true,
            }),
            b'[' => frames.push(Frame::Array { index: 0 }),
            b'}' | b']' => {
                frames.pop();
            }
            b',' => match frames.last_mut() {
                Some(Frame::Array { index }) => *index += 1,
                Some(Frame::Object { key, expect_key }) => {
                    *key = None;
                    *expect_key = true;
                }
                None => {}
            },
            b':' => {
                if let Some(Frame::Object { expect_key, .. }) = frames.last_mut() {
                    *expect_key = false;
                }
            }
            _ => {}
        }
        i += 1;
    }
    render_path(&frames)
}

fn render_path(frames: &[Frame]) -> String {
    let mut path = String::new();
    for frame in frames {
        match frame {
            Frame::Object { key: Some(key), .. } => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
            }
            Frame::Object { key: None, .. } => {}
            Frame::Array { index } => path.push_str(&format!("[{index}]")),
        }
    }
    path
}

/// Joins a prefix such as `spans[3]` and a relative path such as `events[0].name`.
pub(crate) fn join_path(prefix: &str, rest: &str) -> String {
    match (prefix.is_empty(), rest.is_empty() || rest.starts_with('[')) {
        (true, _) => rest.to_owned(),
        (false, true) => format!("{prefix}{rest}"),
        (false, false) => format!("{prefix}.{rest}"),
    }
}

/// Skips a UTF-8 byte order mark and JSON whitespace; returns the index of the first token.
pub(crate) fn skip_blank(text: &[u8], from: usize) -> usize {
    let mut i = from;
    if text.get(i..i + 3) == Some(b"\xEF\xBB\xBF".as_slice()) {
        i += 3;
    }
    while matches!(text.get(i), Some(b' ' | b'\t' | b'\r' | b'\n')) {
        i += 1;
    }
    i
}

/// A key of the first object, with its value when that value is a string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TopKey {
    pub key: String,
    pub string_value: Option<String>,
}

/// The keys of the object starting at `start`, read from at most `limit` bytes.
pub(crate) fn object_keys(text: &[u8], start: usize, limit: usize) -> Vec<TopKey> {
    let text = text.get(..start.saturating_add(limit)).unwrap_or(text);
    let mut keys = Vec::new();
    let mut depth = 0usize;
    let mut expect_key = false;
    let mut after_colon = false;
    let mut i = start;
    while let Some(&byte) = text.get(i) {
        match byte {
            b'"' => {
                let end = string_end(text, i);
                if depth == 1 && expect_key {
                    keys.push(TopKey {
                        key: string_text(text, i, end),
                        string_value: None,
                    });
                    expect_key = false;
                } else if depth == 1 && after_colon {
                    if let Some(last) = keys.last_mut() {
                        last.string_value = Some(string_text(text, i, end));
                    }
                }
                after_colon = false;
                i = end;
                continue;
            }
            b'{' | b'[' => {
                depth += 1;
                after_colon = false;
            }
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    break;
                }
            }
            b',' => expect_key = depth == 1,
            b':' => after_colon = depth == 1,
            b' ' | b'\t' | b'\r' | b'\n' => {}
            _ => after_colon = false,
        }
        if byte == b'{' && depth == 1 {
            expect_key = true;
        }
        i += 1;
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_field_at_an_offset() {
        let text = br#"{"spans":[{"a":1},{"traceId":"abc","x":[1,2]}]}"#;
        let at = |needle: &str| {
            let found = String::from_utf8_lossy(text).find(needle).unwrap_or(0);
            path_at(text, found + needle.len())
        };
        assert_eq!(at(r#""traceId":"ab"#), "spans[1].traceId");
        assert_eq!(at(r#""x":[1,2"#), "spans[1].x[1]");
        assert_eq!(at(r#"{"a":1"#), "spans[0].a");
    }

    #[test]
    fn lists_first_object_keys() {
        let text = br#" {"format":"spindle","version":1,"spans":[{"inner":"x"}],"z":"y"}"#;
        let keys = object_keys(text, 1, 1000);
        let names: Vec<&str> = keys.iter().map(|k| k.key.as_str()).collect();
        assert_eq!(names, ["format", "version", "spans", "z"]);
        assert_eq!(keys[0].string_value.as_deref(), Some("spindle"));
        assert_eq!(keys[1].string_value, None);
    }

    #[test]
    fn joins_paths() {
        assert_eq!(join_path("spans[3]", "name"), "spans[3].name");
        assert_eq!(join_path("[3]", ""), "[3]");
        assert_eq!(join_path("", "a"), "a");
    }
}
