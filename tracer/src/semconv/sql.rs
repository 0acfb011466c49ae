//! Removing the literals from SQL text, so that `db.query.text` holds the query's shape and
//! no data (the conventions' "Sanitization of `db.query.text`").
//!
//! One pass over the bytes (every character that matters to SQL is ASCII, so the text is only
//! ever cut at ASCII bytes and stays valid UTF-8), then one pass that collapses IN-lists.

/// The placeholder a literal becomes.
const PLACEHOLDER: char = '?';

/// `query` with every literal replaced by `?` and comments removed; `IN (?, ?, ?)` becomes
/// `IN (?)`.
///
/// - strings: `'…'` (a doubled `''` or a backslash escapes a quote, as in standard SQL and
///   MySQL), with the prefixes `X'…'`, `B'…'`, `E'…'`, `N'…'`; PostgreSQL's `$$…$$` and
///   `$tag$…$tag$`; an unterminated string hides the rest of the text;
/// - numbers: integers, decimals, exponents, hexadecimal `0x…`;
/// - booleans: `TRUE`, `FALSE`;
/// - comments: `-- …` to the end of the line, `/* … */`.
///
/// Identifiers stay, including quoted ones (`"Orders"`, `` `orders` ``), and so do
/// placeholders of parameterized queries (`?`, `$1`, `:name`, `@p`).
///
/// ```
/// use spindle::semconv::db::sanitize_sql;
/// assert_eq!(
///     sanitize_sql("SELECT * FROM orders WHERE id = 42 AND note = 'it''s me' -- who\n AND k IN (1, 2, 3)"),
///     "SELECT * FROM orders WHERE id = ? AND note = ? \n AND k IN (?)",
/// );
/// ```
pub fn sanitize_sql(query: &str) -> String {
    let mut out = String::with_capacity(query.len());
    let bytes = query.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        at = step(query, at, &mut out);
    }
    collapse_in_lists(&out)
}

/// Handles the token starting at byte `at`; returns where the next one starts.
fn step(query: &str, at: usize, out: &mut String) -> usize {
    let bytes = query.as_bytes();
    let next = bytes.get(at + 1).copied();
    match bytes[at] {
        b'\'' => {
            out.push(PLACEHOLDER);
            skip_string(bytes, at)
        }
        quote @ (b'"' | b'`') => copy_quoted_identifier(query, at, quote, out),
        b'-' if next == Some(b'-') => skip_line_comment(bytes, at),
        b'/' if next == Some(b'*') => skip_block_comment(bytes, at, out),
        b'$' => dollar(query, at, out),
        b'0'..=b'9' => {
            out.push(PLACEHOLDER);
            skip_number(bytes, at)
        }
        b'.' if next.is_some_and(|b| b.is_ascii_digit()) && !ends_in_word(out) => {
            out.push(PLACEHOLDER);
            skip_number(bytes, at)
        }
        b if is_word_start(b) => word(query, at, out),
        _ => {
            // ASCII punctuation or whitespace (non-ASCII bytes start words).
            out.push(char::from(bytes[at]));
            at + 1
        }
    }
}

fn is_word_start(byte: u8) -> bool {
    byte.is_ascii_alphabetic() || byte == b'_' || byte >= 0x80
}

fn is_word_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'$' || byte >= 0x80
}

fn ends_in_word(out: &str) -> bool {
    out.as_bytes().last().is_some_and(|&b| is_word_byte(b))
}

/// An identifier or keyword: copied, except the booleans and a string's prefix letter.
fn word(query: &str, at: usize, out: &mut String) -> usize {
    let bytes = query.as_bytes();
    let end = at + bytes[at..].iter().take_while(|&&b| is_word_byte(b)).count();
    let text = &query[at..end];
    let string_prefix = matches!(text, "x" | "X" | "b" | "B" | "e" | "E" | "n" | "N")
        && bytes.get(end) == Some(&b'\'');
    if string_prefix {
        // The string that follows becomes the placeholder.
    } else if text.eq_ignore_ascii_case("true") || text.eq_ignore_ascii_case("false") {
        out.push(PLACEHOLDER);
    } else {
        out.push_str(text);
    }
    end
}

/// Skips a `'…'` string starting at `at`; returns the byte after its closing quote (the end
/// of the text if it is not closed).
fn skip_string(bytes: &[u8], at: usize) -> usize {
    let mut i = at + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'\'' if bytes.get(i + 1) == Some(&b'\'') => i += 2,
            b'\'' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// Copies a `"…"` or `` `…` `` identifier (a doubled quote stays inside it).
fn copy_quoted_identifier(query: &str, at: usize, quote: u8, out: &mut String) -> usize {
    let bytes = query.as_bytes();
    let mut i = at + 1;
    let end = loop {
        match bytes.get(i) {
            None => break bytes.len(),
            Some(&b) if b == quote && bytes.get(i + 1) == Some(&quote) => i += 2,
            Some(&b) if b == quote => break i + 1,
            Some(_) => i += 1,
        }
    };
    out.push_str(&query[at..end]);
    end
}

/// Skips `-- …` up to (not including) the end of the line.
fn skip_line_comment(bytes: &[u8], at: usize) -> usize {
    bytes[at..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |offset| at + offset)
}

/// Skips `/* … */` (to the end of the text if it is not closed); a space keeps the tokens on
/// either side apart.
fn skip_block_comment(bytes: &[u8], at: usize, out: &mut String) -> usize {
    let end = bytes[at + 2..]
        .windows(2)
        .position(|pair| pair == b"*/")
        .map_or(bytes.len(), |offset| at + 2 + offset + 2);
    let before = out.as_bytes().last().copied();
    let after = bytes.get(end).copied();
    if before.is_some_and(|b| !b.is_ascii_whitespace())
        && after.is_some_and(|b| !b.is_ascii_whitespace())
    {
        out.push(' ');
    }
    end
}

/// A number starting at `at` (digits, a fraction, an exponent, or `0x` and hex digits), and
/// any letters glued to it; returns the byte after it.
fn skip_number(bytes: &[u8], at: usize) -> usize {
    let is_hex = bytes[at] == b'0'
        && matches!(bytes.get(at + 1), Some(b'x' | b'X'))
        && bytes.get(at + 2).is_some_and(u8::is_ascii_hexdigit);
    let mut i = if is_hex { at + 2 } else { at };
    let digits = |i: usize| i + bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
    if is_hex {
        i += bytes[i..]
            .iter()
            .take_while(|b| b.is_ascii_hexdigit())
            .count();
    } else {
        i = digits(i);
        if bytes.get(i) == Some(&b'.') {
            i = digits(i + 1);
        }
        if matches!(bytes.get(i), Some(b'e' | b'E')) {
            let sign = usize::from(matches!(bytes.get(i + 1), Some(b'+' | b'-')));
            if bytes.get(i + 1 + sign).is_some_and(u8::is_ascii_digit) {
                i = digits(i + 1 + sign);
            }
        }
    }
    // `12abc` is no identifier: it goes with the number.
    i + bytes[i..].iter().take_while(|&&b| is_word_byte(b)).count()
}

/// `$1` (a placeholder, kept), `$$…$$` or `$tag$…$tag$` (a string), or a lone `$`.
fn dollar(query: &str, at: usize, out: &mut String) -> usize {
    let bytes = query.as_bytes();
    let rest = &bytes[at + 1..];
    if rest.first().is_some_and(u8::is_ascii_digit) {
        let end = at + 1 + rest.iter().take_while(|b| b.is_ascii_digit()).count();
        out.push_str(&query[at..end]);
        return end;
    }
    let tag_len = rest
        .iter()
        .take_while(|&&b| b.is_ascii_alphanumeric() || b == b'_')
        .count();
    if rest.get(tag_len) != Some(&b'$') {
        out.push('$');
        return at + 1;
    }
    let tag = &bytes[at..at + tag_len + 2];
    let body = at + tag.len();
    out.push(PLACEHOLDER);
    bytes[body..]
        .windows(tag.len())
        .position(|window| window == tag)
        .map_or(bytes.len(), |offset| body + offset + tag.len())
}

/// `IN (?, ?, ?)` becomes `IN (?)` (any case, any spacing); other lists stay.
fn collapse_in_lists(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i + 1 < bytes.len() {
        let starts_word = i == 0 || !is_word_byte(bytes[i - 1]);
        let is_in = bytes[i..i + 2].eq_ignore_ascii_case(b"in")
            && bytes.get(i + 2).is_none_or(|&b| !is_word_byte(b));
        if !(starts_word && is_in) {
            i += 1;
            continue;
        }
        let open = i
            + 2
            + bytes[i + 2..]
                .iter()
                .take_while(|b| b.is_ascii_whitespace())
                .count();
        match placeholder_list_end(bytes, open) {
            Some(close) => {
                out.push_str(&text[copied..open]);
                out.push_str("(?)");
                copied = close + 1;
                i = close + 1;
            }
            None => i += 2,
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// If `(` at `open` starts a list of only placeholders, the index of its `)`.
fn placeholder_list_end(bytes: &[u8], open: usize) -> Option<usize> {
    if bytes.get(open) != Some(&b'(') {
        return None;
    }
    let inside = bytes[open + 1..]
        .iter()
        .take_while(|&&b| b == b'?' || b == b',' || b.is_ascii_whitespace())
        .count();
    let close = open + 1 + inside;
    let has_placeholder = bytes[open + 1..close].contains(&b'?');
    (bytes.get(close) == Some(&b')') && has_placeholder).then_some(close)
}

#[cfg(test)]
mod tests {
    use super::sanitize_sql;
    use proptest::prelude::*;

    #[test]
    fn literals_of_every_kind_become_placeholders() {
        let cases = [
            ("SELECT 1", "SELECT ?"),
            (
                "x = 3.14e-2 OR y = .5 OR z = 0xFF",
                "x = ? OR y = ? OR z = ?",
            ),
            ("a = 'o''brien' AND b = 'x\\'y'", "a = ? AND b = ?"),
            (
                "a = X'00ff' AND b = E'\\n' AND c = N'name'",
                "a = ? AND b = ? AND c = ?",
            ),
            ("f($$secret$$, $q$it's$q$)", "f(?, ?)"),
            (
                "WHERE active = TRUE AND gone = false",
                "WHERE active = ? AND gone = ?",
            ),
            ("SELECT /* user 7 */ name FROM t2", "SELECT  name FROM t2"),
            ("SELECT a/*x*/FROM t", "SELECT a FROM t"),
            ("id IN ( 1 , 2,3 ) AND k in ('a')", "id IN (?) AND k in (?)"),
            ("VALUES (1, 2)", "VALUES (?, ?)"),
            (
                "WHERE id = $1 AND name = :name",
                "WHERE id = $1 AND name = :name",
            ),
            (
                r#"SELECT "Order 1" FROM `t 2`"#,
                r#"SELECT "Order 1" FROM `t 2`"#,
            ),
            ("note = 'never closed 123", "note = ?"),
            ("a = 12abc", "a = ?"),
            ("price$ = 5", "price$ = ?"),
            ("café = 'ü'", "café = ?"),
        ];
        for (query, expected) in cases {
            assert_eq!(sanitize_sql(query), expected, "query: {query}");
        }
    }

    /// A literal and the text it must not leak.
    fn literal() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<u64>().prop_map(|n| n.to_string()),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(|f| format!("{:?}", f.abs())),
            any::<u32>().prop_map(|n| format!("0x{n:x}")),
            "[^\\\\]*".prop_map(|s| format!("'{}'", s.replace('\'', "''"))),
            "[a-z0-9 ]*".prop_map(|s| format!("$$ {s} $$")),
        ]
    }

    proptest! {
        #[test]
        fn never_panics(query in any::<String>()) {
            let _ = sanitize_sql(&query);
        }

        #[test]
        fn a_query_keeps_its_shape_and_loses_its_literals(
            a in literal(),
            b in literal(),
            list in proptest::collection::vec(literal(), 1..5),
        ) {
            let query = format!("SELECT name FROM users WHERE id = {a} AND note = {b} AND k IN ({})", list.join(", "));
            prop_assert_eq!(sanitize_sql(&query), "SELECT name FROM users WHERE id = ? AND note = ? AND k IN (?)");
        }

        /// Without quoted identifiers, nothing quoted survives and every digit left is part of
        /// a name (`t2`) or a placeholder (`$1`).
        #[test]
        fn no_quote_and_no_free_digit_survives(query in "[^\"`]*") {
            let out = sanitize_sql(&query);
            prop_assert!(!out.contains('\''), "{out:?}");
            for word in out.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '$' || !c.is_ascii())) {
                if word.bytes().any(|b| b.is_ascii_digit()) {
                    let first = word.as_bytes()[0];
                    prop_assert!(!first.is_ascii_digit(), "free digit in {word:?} of {out:?}");
                }
            }
        }
    }
}
