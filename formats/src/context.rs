//! State shared by the readers: the input, the warnings so far, and turning byte offsets and
//! parser errors into located [`ReadError`]s and [`Warning`]s.

use serde::Deserialize;
use serde_json::error::Category;
use serde_json::value::RawValue;

use std::borrow::Cow;

use crate::error::{Location, Problem, ReadError, Warning};
use crate::model::{SpanId, TraceId};
use crate::scan::{join_path, path_at};
use crate::text::borrowed;

/// How many warnings are listed one by one; the rest are counted.
const MAX_LISTED_WARNINGS: usize = 1000;

/// One read in progress.
#[derive(Debug)]
pub(crate) struct ReadContext<'a> {
    pub input: &'a [u8],
    source: &'a str,
    strict: bool,
    warnings: Vec<Warning>,
    unlisted: usize,
    /// Byte offsets of every `\n`, built on the first located problem.
    newlines: Option<Vec<usize>>,
}

impl<'a> ReadContext<'a> {
    pub fn new(input: &'a [u8], source: &'a str, strict: bool) -> Self {
        ReadContext {
            input,
            source,
            strict,
            warnings: Vec::new(),
            unlisted: 0,
            newlines: None,
        }
    }

    /// The line, column and byte of an offset into the input (in O(log lines) time, so that
    /// many warnings in one huge JSON line stay cheap).
    pub fn locate(&mut self, byte: usize) -> Location {
        let input = self.input;
        let byte = byte.min(input.len());
        let newlines = self.newlines.get_or_insert_with(|| {
            input
                .iter()
                .enumerate()
                .filter(|(_, b)| **b == b'\n')
                .map(|(i, _)| i)
                .collect()
        });
        let line_index = newlines.partition_point(|&n| n < byte);
        let line_start = match line_index {
            0 => 0,
            i => newlines.get(i - 1).map_or(0, |n| n + 1),
        };
        let prefix = input.get(line_start..byte).unwrap_or_default();
        let column = String::from_utf8_lossy(prefix).chars().count() + 1;
        Location {
            line: line_index + 1,
            column,
            byte,
        }
    }

    /// A problem at a byte offset (or nowhere in particular), as a warning.
    pub fn warning(&mut self, byte: Option<usize>, path: String, problem: Problem) -> Warning {
        let location = byte.map(|b| self.locate(b));
        Warning {
            source: self.source.to_owned(),
            location,
            path,
            problem,
        }
    }

    /// A problem at a byte offset of a binary input, which has no lines (see [`Location`]).
    pub fn binary_warning(&self, byte: usize, path: String, problem: Problem) -> Warning {
        Warning {
            source: self.source.to_owned(),
            location: Some(Location {
                line: 0,
                column: 0,
                byte: byte.min(self.input.len()),
            }),
            path,
            problem,
        }
    }

    /// A problem that stops reading.
    pub fn error(&mut self, byte: Option<usize>, path: String, problem: Problem) -> ReadError {
        self.warning(byte, path, problem).into()
    }

    /// Records a problem: the error in strict mode, a warning to read on past otherwise.
    pub fn report(&mut self, warning: Warning) -> Result<(), ReadError> {
        if self.strict {
            return Err(warning.into());
        }
        if self.warnings.len() < MAX_LISTED_WARNINGS {
            self.warnings.push(warning);
        } else {
            self.unlisted += 1;
        }
        Ok(())
    }

    /// Reports a fault, located at its `near` text or else at the start of `fallback`.
    pub fn report_fault(&mut self, fault: Fault<'_>, fallback: &str) -> Result<(), ReadError> {
        let at = fault
            .near
            .and_then(|t| self.offset_of(t))
            .or_else(|| self.offset_of(fallback));
        let warning = self.warning(at, fault.path, fault.problem);
        self.report(warning)
    }

    /// The first warning recorded.
    pub fn first_warning(&self) -> Option<&Warning> {
        self.warnings.first()
    }

    /// The warnings recorded, with a last one counting those not listed.
    pub fn into_warnings(mut self) -> Vec<Warning> {
        if self.unlisted > 0 {
            let count = self.unlisted;
            let more = self.warning(None, String::new(), Problem::MoreProblems { count });
            self.warnings.push(more);
        }
        self.warnings
    }

    /// The byte offset of `text` if it is a slice of the input (borrowed while parsing).
    pub fn offset_of(&self, text: &str) -> Option<usize> {
        let start = self.input.as_ptr() as usize;
        let at = text.as_ptr() as usize;
        (at >= start && at + text.len() <= start + self.input.len()).then(|| at - start)
    }

    /// Parses `raw` as a `T`. When it is not one, the problem is reported (located, under the
    /// field path `path()`, built only then) and the answer is `Ok(None)`; strict: the error.
    #[inline]
    pub fn parse<T: Deserialize<'a>>(
        &mut self,
        raw: &'a RawValue,
        path: impl FnOnce() -> String,
    ) -> Result<Option<T>, ReadError> {
        match serde_json::from_str::<T>(raw.get()) {
            Ok(value) => Ok(Some(value)),
            Err(error) => self.report_json(&error, raw, &path()).map(|()| None),
        }
    }

    /// Reports a serde_json error from parsing `raw` (whose field path is `path`), located in
    /// the input.
    pub fn report_json(
        &mut self,
        error: &serde_json::Error,
        raw: &RawValue,
        path: &str,
    ) -> Result<(), ReadError> {
        let warning = self.json_problem(error, raw.get(), path);
        self.report(warning)
    }

    /// Turns a serde_json error from parsing `text` (a slice of the input, whose field path
    /// is `prefix`) into a located, named warning.
    fn json_problem(&mut self, error: &serde_json::Error, text: &str, prefix: &str) -> Warning {
        let base = self.offset_of(text).unwrap_or(0);
        let local = offset_in(text.as_bytes(), error.line(), error.column());
        let path = join_path(prefix, &path_at(text.as_bytes(), local));
        let problem = classify(error);
        self.warning(Some(base + local), path, problem)
    }
}

/// A problem found after parsing: the field path (relative to the span or document), some
/// text borrowed from the input near it (to locate it), and what is wrong.
pub(crate) struct Fault<'a> {
    pub path: String,
    pub near: Option<&'a str>,
    pub problem: Problem,
}

impl<'a> Fault<'a> {
    pub fn new(path: impl Into<String>, near: Option<&'a str>, problem: Problem) -> Self {
        Fault {
            path: path.into(),
            near,
            problem,
        }
    }

    pub fn bad_value(path: impl Into<String>, message: impl Into<String>) -> Self {
        Fault::new(
            path,
            None,
            Problem::BadValue {
                message: message.into(),
            },
        )
    }

    /// Puts this fault under a parent path such as `spans[3]`.
    pub fn within(mut self, parent: &str) -> Self {
        self.path = join_path(parent, &self.path);
        self
    }
}

pub(crate) fn parse_trace_id<'a>(text: &Cow<'a, str>, field: &str) -> Result<TraceId, Fault<'a>> {
    TraceId::from_hex(text).map_err(|e| Fault::new(field, borrowed(text), Problem::BadId(e)))
}

pub(crate) fn parse_span_id<'a>(text: &Cow<'a, str>, field: &str) -> Result<SpanId, Fault<'a>> {
    SpanId::from_hex(text).map_err(|e| Fault::new(field, borrowed(text), Problem::BadId(e)))
}

/// The problem a serde_json error stands for, its text without the position suffix.
pub(crate) fn classify(error: &serde_json::Error) -> Problem {
    let text = error.to_string();
    let message = match text.rfind(" at line ") {
        Some(cut) => text.get(..cut).unwrap_or(&text).to_owned(),
        None => text,
    };
    match error.classify() {
        Category::Eof => Problem::Truncated,
        Category::Syntax => Problem::Syntax { message },
        Category::Data => Problem::Invalid { message },
        Category::Io => Problem::Io { message },
    }
}

/// The byte offset of serde_json's 1-based line and column (column counted in bytes).
pub(crate) fn offset_in(text: &[u8], line: usize, column: usize) -> usize {
    let line_start: usize = if line <= 1 {
        0
    } else {
        let mut newlines = text.iter().enumerate().filter(|(_, b)| **b == b'\n');
        newlines.nth(line - 2).map_or(text.len(), |(i, _)| i + 1)
    };
    (line_start + column.saturating_sub(1)).min(text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_offsets_in_lines_and_byte_columns() {
        let input = "ab\nçd\nef".as_bytes();
        let mut context = ReadContext::new(input, "x", false);
        assert_eq!(
            context.locate(0),
            Location {
                line: 1,
                column: 1,
                byte: 0
            }
        );
        assert_eq!(
            context.locate(5),
            Location {
                line: 2,
                column: 2,
                byte: 5
            }
        );
        assert_eq!(
            context.locate(7),
            Location {
                line: 3,
                column: 1,
                byte: 7
            }
        );
        assert_eq!(context.locate(100).line, 3);
    }

    #[test]
    fn converts_line_and_column_to_offsets() {
        assert_eq!(offset_in(b"ab\ncd", 2, 2), 4);
        assert_eq!(offset_in(b"ab\ncd", 1, 0), 0);
        assert_eq!(offset_in(b"ab", 9, 9), 2);
    }
}
