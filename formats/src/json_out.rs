//! Hand-written JSON output into a byte buffer, for writers on the exporter's hot path: strings
//! escaped exactly as `serde_json` escapes them, and integers without `format!`.

/// For each byte, what follows the `\` that escapes it (`u` for `\u00XX`), or 0 if it needs none.
const ESCAPE: [u8; 256] = escape_table();

const fn escape_table() -> [u8; 256] {
    let mut table = [0u8; 256];
    let mut byte = 0;
    while byte < 0x20 {
        table[byte] = b'u';
        byte += 1;
    }
    table[0x08] = b'b';
    table[0x09] = b't';
    table[0x0a] = b'n';
    table[0x0c] = b'f';
    table[0x0d] = b'r';
    table[b'"' as usize] = b'"';
    table[b'\\' as usize] = b'\\';
    table
}

const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

/// Appends `text` as a quoted JSON string.
pub(crate) fn string(out: &mut Vec<u8>, text: &str) {
    out.push(b'"');
    escaped(out, text.as_bytes());
    out.push(b'"');
}

/// Appends UTF-8 `bytes` escaped for the inside of a JSON string: `"`, `\` and control
/// characters escaped, everything else (non-ASCII too) copied as is, clean runs in one copy.
pub(crate) fn escaped(out: &mut Vec<u8>, bytes: &[u8]) {
    let mut clean_from = 0;
    while let Some(at) = next_escape(bytes, clean_from) {
        out.extend_from_slice(bytes.get(clean_from..at).unwrap_or_default());
        if let Some(byte) = bytes.get(at) {
            escape_byte(out, *byte);
        }
        clean_from = at + 1;
    }
    out.extend_from_slice(bytes.get(clean_from..).unwrap_or_default());
}

/// The index of the first byte at or after `from` that needs an escape.
fn next_escape(bytes: &[u8], from: usize) -> Option<usize> {
    let rest = bytes.get(from..)?;
    let mut clean = 0;
    for chunk in rest.chunks_exact(8) {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
        if word_needs_escape(word) {
            break;
        }
        clean += 8;
    }
    let tail = rest.get(clean..)?;
    let position = tail.iter().position(|b| ESCAPE[usize::from(*b)] != 0)?;
    Some(from + clean + position)
}

/// True if any of the eight bytes is a control character, `"` or `\`.
fn word_needs_escape(word: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let below_space = word.wrapping_sub(ONES * 0x20) & !word;
    let quote = word ^ (ONES * u64::from(b'"'));
    let backslash = word ^ (ONES * u64::from(b'\\'));
    let zero_in = |w: u64| w.wrapping_sub(ONES) & !w;
    (below_space | zero_in(quote) | zero_in(backslash)) & HIGHS != 0
}

fn escape_byte(out: &mut Vec<u8>, byte: u8) {
    match ESCAPE[usize::from(byte)] {
        0 => out.push(byte),
        b'u' => out.extend_from_slice(&[
            b'\\',
            b'u',
            b'0',
            b'0',
            HEX_DIGITS[usize::from(byte >> 4)],
            HEX_DIGITS[usize::from(byte & 0xf)],
        ]),
        short => out.extend_from_slice(&[b'\\', short]),
    }
}

/// Two ASCII digits for each number below 100.
const DIGIT_PAIRS: [u8; 200] = digit_pairs();

const fn digit_pairs() -> [u8; 200] {
    let mut table = [0u8; 200];
    let mut n = 0;
    while n < 100 {
        table[2 * n] = b'0' + (n / 10) as u8;
        table[2 * n + 1] = b'0' + (n % 10) as u8;
        n += 1;
    }
    table
}

/// Appends `n` in decimal.
pub(crate) fn u64(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    while n >= 100 {
        let pair = (n % 100) as usize * 2;
        n /= 100;
        start -= 2;
        digits[start..start + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    }
    if n >= 10 {
        let pair = n as usize * 2;
        start -= 2;
        digits[start..start + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    } else {
        start -= 1;
        digits[start] = b'0' + n as u8;
    }
    out.extend_from_slice(&digits[start..]);
}

/// Appends `n` in decimal, with a `-` if negative.
pub(crate) fn i64(out: &mut Vec<u8>, n: i64) {
    if n < 0 {
        out.push(b'-');
    }
    u64(out, n.unsigned_abs());
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn with(write: impl FnOnce(&mut Vec<u8>)) -> String {
        let mut out = Vec::new();
        write(&mut out);
        String::from_utf8(out).unwrap_or_default()
    }

    #[test]
    fn escapes_as_serde_json_does() {
        let text = "a\"b\\c\u{0}\u{1f}\u{8}\u{c}\n\r\t\u{7f}é😀 long clean run of text\"";
        let expected = serde_json::to_string(text).unwrap_or_default();
        assert_eq!(with(|out| string(out, text)), expected);
    }

    #[test]
    fn formats_integer_edges() {
        for n in [0, 9, 10, 99, 100, 101, 999, 1000, 12345, u64::MAX] {
            assert_eq!(with(|out| u64(out, n)), n.to_string());
        }
        for n in [i64::MIN, -1, 0, i64::MAX] {
            assert_eq!(with(|out| i64(out, n)), n.to_string());
        }
    }

    proptest! {
        #[test]
        fn any_string_escapes_as_serde_json_does(text in any::<String>()) {
            let expected = serde_json::to_string(&text).unwrap_or_default();
            prop_assert_eq!(with(|out| string(out, &text)), expected);
        }

        #[test]
        fn json_looking_strings_escape_as_serde_json_does(
            text in "[\"\\\\\u{0}-\u{1f}a-z\u{7f}-\u{ff}]{0,40}"
        ) {
            let expected = serde_json::to_string(&text).unwrap_or_default();
            prop_assert_eq!(with(|out| string(out, &text)), expected);
        }

        #[test]
        fn any_integer_formats_as_display(n in any::<i64>(), m in any::<u64>()) {
            prop_assert_eq!(with(|out| i64(out, n)), n.to_string());
            prop_assert_eq!(with(|out| u64(out, m)), m.to_string());
        }
    }
}
