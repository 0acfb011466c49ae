//! What went wrong while reading a trace file, and where.
//!
//! A [`ReadError`] stops reading; a [`Warning`] is a problem a lenient read skipped past. Both
//! name the source, the place in it, the field and the problem, and display as one sentence:
//!
//! ```text
//! trace.json:4:17 (byte 211): spans[3].traceId: expected 32 (or 16) hex digits, found 5 characters
//! ```

use std::fmt;

use crate::model::IdError;

/// A place in the input: 1-based line and column (the column counted in bytes, as serde_json
/// counts it), and the 0-based byte offset. Binary inputs (protobuf) have no lines: their
/// line and column are 0 and only the byte is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    /// The line, from 1.
    pub line: usize,
    /// The column in bytes, from 1.
    pub column: usize,
    /// The byte offset, from 0.
    pub byte: usize,
}

/// What was wrong.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Problem {
    /// The file could not be read.
    Io {
        /// The operating system's words.
        message: String,
    },
    /// The input is empty or only whitespace.
    Empty,
    /// The content matches no supported format; `seen` describes how it starts.
    UnknownFormat {
        /// How the input starts, in words.
        seen: String,
    },
    /// The content is in a format this build writes but does not read.
    WriteOnly {
        /// The format's name.
        format: String,
    },
    /// The text is not valid JSON.
    Syntax {
        /// The JSON parser's words.
        message: String,
    },
    /// The input ends in the middle of a JSON value (a cut-off file).
    Truncated,
    /// A JSON value has the wrong type or a required field is missing.
    Invalid {
        /// What was expected and found.
        message: String,
    },
    /// A trace or span id is malformed.
    BadId(IdError),
    /// A span kind no format defines.
    UnknownKind {
        /// The kind as written.
        found: String,
    },
    /// A Spindle document without `"format":"spindle"`.
    NotSpindle {
        /// The `format` value as written, or that there is none.
        found: String,
    },
    /// A Spindle document of a version this build cannot read.
    UnsupportedVersion {
        /// The `version` value as written.
        found: String,
    },
    /// A span refers to a resource or scope the document does not have.
    BadReference {
        /// `resource` or `scope`.
        what: &'static str,
        /// The index the span gives.
        index: u32,
        /// How many the document has.
        count: usize,
    },
    /// A value is well-typed JSON but not a valid value of its field.
    BadValue {
        /// What is wrong with the value.
        message: String,
    },
    /// The bytes are not valid protobuf (a bad varint, tag or length).
    Protobuf {
        /// What is wrong with the bytes.
        message: String,
    },
    /// More problems than are listed one by one.
    MoreProblems {
        /// How many were not listed.
        count: usize,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Io { message } => write!(f, "cannot read the file: {message}"),
            Problem::Empty => f.write_str("the input is empty"),
            Problem::UnknownFormat { seen } => write!(
                f,
                "not a trace format this build reads (Spindle JSON, Zipkin v2 JSON, OTLP/JSON, \
                 OTLP/protobuf or Jaeger JSON): {seen}"
            ),
            Problem::WriteOnly { format } => write!(
                f,
                "{format} files are written by this build, not read (open them in Perfetto UI \
                 or chrome://tracing)"
            ),
            Problem::Syntax { message } => write!(f, "invalid JSON: {message}"),
            Problem::Truncated => f.write_str("the input ends in the middle of a JSON value"),
            Problem::Invalid { message } => f.write_str(message),
            Problem::BadId(error) => write!(f, "{error}"),
            Problem::UnknownKind { found } => write!(f, "unknown span kind {found:?}"),
            Problem::NotSpindle { found } => {
                write!(f, "expected \"format\":\"spindle\", found {found}")
            }
            Problem::UnsupportedVersion { found } => write!(
                f,
                "Spindle JSON version {found} is not supported (this build reads version 1)"
            ),
            Problem::BadReference { what, index, count } => {
                write!(
                    f,
                    "{what} {index} does not exist (the document has {count})"
                )
            }
            Problem::BadValue { message } => f.write_str(message),
            Problem::Protobuf { message } => write!(f, "invalid protobuf: {message}"),
            Problem::MoreProblems { count } => write!(f, "{count} more problems were not listed"),
        }
    }
}

/// Writes `source:line:column (byte N): path: problem`, leaving out what is unknown.
fn write_diagnostic(
    f: &mut fmt::Formatter<'_>,
    source: &str,
    location: Option<Location>,
    path: &str,
    problem: &Problem,
) -> fmt::Result {
    f.write_str(source)?;
    match location {
        Some(at) if at.line == 0 => write!(f, " (byte {})", at.byte)?,
        Some(at) => write!(f, ":{}:{} (byte {})", at.line, at.column, at.byte)?,
        None => {}
    }
    f.write_str(": ")?;
    if !path.is_empty() {
        write!(f, "{path}: ")?;
    }
    write!(f, "{problem}")
}

/// Reading failed. Nothing was loaded.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadError {
    /// The name the caller gave the input, usually its file name.
    pub source: String,
    /// Where the problem is, when it is at a place in the input.
    pub location: Option<Location>,
    /// The field, e.g. `spans[3].traceId`; empty when the problem is not in one field.
    pub path: String,
    /// What is wrong.
    pub problem: Problem,
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_diagnostic(f, &self.source, self.location, &self.path, &self.problem)
    }
}

impl std::error::Error for ReadError {}

/// A problem a lenient read skipped past (usually one span that was left out).
#[derive(Debug, Clone, PartialEq)]
pub struct Warning {
    /// The name the caller gave the input, usually its file name.
    pub source: String,
    /// Where the problem is, when it is at a place in the input.
    pub location: Option<Location>,
    /// The field, e.g. `spans[3].traceId`; empty when the problem is not in one field.
    pub path: String,
    /// What is wrong.
    pub problem: Problem,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_diagnostic(f, &self.source, self.location, &self.path, &self.problem)
    }
}

impl From<Warning> for ReadError {
    fn from(w: Warning) -> Self {
        ReadError {
            source: w.source,
            location: w.location,
            path: w.path,
            problem: w.problem,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_as_one_sentence() {
        let error = ReadError {
            source: "trace.json".into(),
            location: Some(Location {
                line: 4,
                column: 17,
                byte: 211,
            }),
            path: "spans[3].traceId".into(),
            problem: Problem::BadId(IdError::Length {
                expected: "32 (or 16)",
                found: 5,
            }),
        };
        assert_eq!(
            error.to_string(),
            "trace.json:4:17 (byte 211): spans[3].traceId: expected 32 (or 16) hex digits, \
             found 5 characters"
        );
    }

    #[test]
    fn leaves_out_unknown_location_and_path() {
        let error = ReadError {
            source: "t.json".into(),
            location: None,
            path: String::new(),
            problem: Problem::Empty,
        };
        assert_eq!(error.to_string(), "t.json: the input is empty");
    }
}
