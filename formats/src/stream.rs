//! Splitting an input into its top-level JSON values: one document, or JSON Lines of them.
//!
//! A value that is not valid JSON (say, a line broken when the writer crashed) is a problem;
//! a lenient read records it and carries on at the next line that starts a value. A last value
//! cut short by the end of the input keeps its complete spans.

use serde_json::Deserializer;
use serde_json::value::RawValue;

use crate::context::{ReadContext, classify, offset_in};
use crate::cut::close_after_last_span;
use crate::detect::Format;
use crate::error::{Problem, ReadError, Warning};
use crate::loaded::{Loaded, ReadOptions};
use crate::model::TraceData;
use crate::scan::{path_at, skip_blank};

/// A codec's whole read: every top-level value of `bytes` given to `visit` with the state it
/// builds (see [`for_each_value`]), then the model `into_data` makes of that state, in `format`,
/// with the warnings.
///
/// An input cut short (a lenient read only) is read again closed after its last complete span
/// (see [`crate::cut`]), so that every span before the cut loads; one warning says where the
/// input ends.
pub(crate) fn read_all<S: Default>(
    (bytes, source, options): (&[u8], &str, ReadOptions),
    format: Format,
    mut visit: impl for<'b> FnMut(&mut ReadContext<'b>, &'b RawValue, &mut S) -> Result<bool, ReadError>,
    into_data: impl FnOnce(S) -> TraceData,
) -> Result<Loaded, ReadError> {
    let mut context = ReadContext::new(bytes, source, options.strict);
    let mut state = S::default();
    let cut = for_each_value(&mut context, |context, raw| visit(context, raw, &mut state))?;
    if let Some(cut) = cut {
        let tail = bytes.get(cut.value_start..).unwrap_or_default();
        if let Some(closed_tail) = close_after_last_span(tail) {
            let mut closed = bytes.get(..cut.value_start).unwrap_or_default().to_vec();
            closed.extend_from_slice(&closed_tail);
            let mut again = ReadContext::new(&closed, source, false);
            let mut state = S::default();
            for_each_value(&mut again, |context, raw| visit(context, raw, &mut state))?;
            again.report(cut.warning)?;
            return Ok(loaded(format, into_data(state), again));
        }
        let nothing_before = !cut.read_any && context.first_warning().is_none();
        if nothing_before {
            return Err(cut.warning.into());
        }
        context.report(cut.warning)?;
    }
    Ok(loaded(format, into_data(state), context))
}

fn loaded(format: Format, data: TraceData, context: ReadContext<'_>) -> Loaded {
    Loaded {
        format,
        data,
        warnings: context.into_warnings(),
    }
}

/// A lenient read's last value, cut short by the end of the input.
pub(crate) struct Cut {
    /// Where the value starts.
    value_start: usize,
    /// Says where the input ends.
    warning: Warning,
    /// A value before it was used.
    read_any: bool,
}

/// Calls `visit` with every top-level value in the input, in order.
///
/// `visit` says whether it used the value (false: it reported a problem and skipped it).
/// Fails on the first invalid value when strict, and, with the first problem, when no value at
/// all could be used. In a lenient read, a last value that the end of the input cuts short (no
/// line after it starts a value) is not reported but returned (see [`read_all`]).
pub(crate) fn for_each_value<'a>(
    context: &mut ReadContext<'a>,
    mut visit: impl FnMut(&mut ReadContext<'a>, &'a RawValue) -> Result<bool, ReadError>,
) -> Result<Option<Cut>, ReadError> {
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
        let mut at = start + offset_in(rest, error.line(), error.column());
        // The end of the input, or a syntax error at its last byte (`"x":0.`, `tru`): cut.
        let cut = error.classify() == serde_json::error::Category::Eof || at + 1 >= input.len();
        let mut problem = classify(&error);
        if cut {
            at = input.len();
            problem = Problem::Truncated;
        }
        let value_start = skip_blank(input, start + value_start);
        let value_text = input.get(value_start..at).unwrap_or_default();
        let path = path_at(value_text, value_text.len());
        let next = next_value_line(input, value_start);
        if cut && next.is_none() && !context.is_strict() {
            let warning = context.warning(Some(at), path, problem);
            return Ok(Some(Cut {
                value_start,
                warning,
                read_any,
            }));
        }
        let warning = context.warning(Some(at), path, problem);
        context.report(warning)?;
        match next {
            Some(next) => start = next,
            None => break,
        }
    }
    match context.first_warning() {
        Some(problem) if !read_any => Err(problem.clone().into()),
        _ => Ok(None),
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
        let error = values("{\"a\":1", true).err().map(|e| e.to_string());
        assert_eq!(
            error.as_deref(),
            Some("t:1:7 (byte 6): a: the input ends in the middle of a JSON value")
        );
        let error = values("{\"a\" 1}\n", false).err().map(|e| e.to_string());
        let error = error.unwrap_or_default();
        assert!(
            error.starts_with("t:1:6 (byte 5): a: invalid JSON"),
            "{error}"
        );
    }

    #[test]
    fn a_lenient_read_returns_a_last_value_cut_short() {
        let mut context = ReadContext::new(b"{\"a\":1}\n{\"b\":[", "t", false);
        let cut = for_each_value(&mut context, |_, _| Ok(true)).ok().flatten();
        assert_eq!(cut.as_ref().map(|c| c.value_start), Some(8));
        assert_eq!(cut.map(|c| c.read_any), Some(true));
        assert!(context.into_warnings().is_empty());
    }
}
