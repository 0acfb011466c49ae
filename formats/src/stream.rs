//! Splitting an input into its top-level JSON values: one document, or JSON Lines of them.
//!
//! A value that is not valid JSON (say, a line cut off when the writer crashed) is a problem;
//! a lenient read records it and carries on at the next line that starts a value.

use serde_json::Deserializer;
use serde_json::value::RawValue;

use crate::context::{ReadContext, classify, offset_in};
use crate::detect::Format;
use crate::error::ReadError;
use crate::loaded::{Loaded, ReadOptions};
use crate::model::TraceData;
use crate::scan::{path_at, skip_blank};

/// A codec's whole read: every top-level value of `bytes` given to `visit` with the state it
/// builds (see [`for_each_value`]), then the model `into_data` makes of that state, in `format`,
/// with the warnings.
pub(crate) fn read_all<'a, S: Default>(
    (bytes, source, options): (&'a [u8], &'a str, ReadOptions),
    format: Format,
    mut visit: impl FnMut(&mut ReadContext<'a>, &'a RawValue, &mut S) -> Result<bool, ReadError>,
    into_data: impl FnOnce(S) -> TraceData,
) -> Result<Loaded, ReadError> {
    let mut context = ReadContext::new(bytes, source, options.strict);
    let mut state = S::default();
    for_each_value(&mut context, |context, raw| visit(context, raw, &mut state))?;
    Ok(Loaded {
        format,
        data: into_data(state),
        warnings: context.into_warnings(),
    })
}

/// Calls `visit` with every top-level value in the input, in order.
///
/// `visit` says whether it used the value (false: it reported a problem and skipped it).
/// Fails on the first invalid value when strict, and, with the first problem, when no value at
/// all could be used.
pub(crate) fn for_each_value<'a>(
    context: &mut ReadContext<'a>,
    mut visit: impl FnMut(&mut ReadContext<'a>, &'a RawValue) -> Result<bool, ReadError>,
) -> Result<(), ReadError> {
    let input = context.input;
    let mut start = 0;
    let mut read_any = false;
    while let Some(rest) = input.get(start..) {
        let mut stream = Deserializer::from_slice(rest).into_iter::<&RawValue>();
        let failure = loop {
            let value_start = stream.byte_offset();
            match stream.next() {
                None => break None,
                Some(Ok(raw)) => read_any |= visit(context, raw)?,
                Some(Err(error)) => break Some((error, value_start)),
            }
        };
        let Some((error, value_start)) = failure else {
            break;
        };
        let at = match error.classify() {
            serde_json::error::Category::Eof => input.len(),
            _ => start + offset_in(rest, error.line(), error.column()),
        };
        let value_text = input.get(start + value_start..at).unwrap_or_default();
        let path = path_at(value_text, value_text.len());
        let warning = context.warning(Some(at), path, classify(&error));
        context.report(warning)?;
        match next_value_line(input, skip_blank(input, start + value_start)) {
            Some(next) => start = next,
            None => break,
        }
    }
    match context.first_warning() {
        Some(problem) if !read_any => Err(problem.clone().into()),
        _ => Ok(()),
    }
}

/// The start of the first line after `offset` that begins with `{` or `[`.
fn next_value_line(input: &[u8], offset: usize) -> Option<usize> {
    let mut at = offset;
    loop {
        let newline = input.get(at..)?.iter().position(|b| *b == b'\n')?;
        at += newline + 1;
        if matches!(input.get(at), Some(b'{' | b'[')) {
            return Some(at);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(input: &str, strict: bool) -> Result<(Vec<String>, usize), ReadError> {
        let mut context = ReadContext::new(input.as_bytes(), "t", strict);
        let mut seen = Vec::new();
        for_each_value(&mut context, |_, raw| {
            seen.push(raw.get().to_owned());
            Ok(true)
        })?;
        Ok((seen, context.into_warnings().len()))
    }

    #[test]
    fn reads_json_lines_and_skips_a_broken_line_when_lenient() {
        let (seen, warnings) = values("{\"a\":1}\n{\"b\":\n{\"c\":3}\n", false).unwrap_or_default();
        assert_eq!(seen, [r#"{"a":1}"#, r#"{"c":3}"#]);
        assert_eq!(warnings, 1);
        assert!(values("{\"a\":1}\n{\"b\":\n{\"c\":3}\n", true).is_err());
    }

    #[test]
    fn fails_when_nothing_could_be_read() {
        let error = values("{\"a\":", false).err().map(|e| e.to_string());
        assert_eq!(
            error.as_deref(),
            Some("t:1:6 (byte 5): a: the input ends in the middle of a JSON value")
        );
    }
}
