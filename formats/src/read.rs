//! Reading any supported trace file: detect the format, then read it.

use std::path::Path;

use crate::context::ReadContext;
use crate::detect::{Format, describe_start, detect};
use crate::error::{Problem, ReadError};
use crate::loaded::{Loaded, ReadOptions};
use crate::{jaeger_json, otlp_json, otlp_proto, spindle_json, zipkin};

/// Reads a trace in any supported format, detected from the content.
///
/// `source` names the input in errors and warnings (usually the file name).
///
/// ```
/// use spindle_formats::{Format, ReadOptions, read};
/// let zipkin = br#"[{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","id":"00f067aa0ba902b7",
///   "name":"get /","timestamp":1700000000000000,"duration":250,
///   "localEndpoint":{"serviceName":"shop"}}]"#;
/// let loaded = read(zipkin, "spans.json", ReadOptions::default()).unwrap();
/// assert_eq!(loaded.format, Format::Zipkin);
/// assert_eq!(loaded.data.service_name_of(&loaded.data.spans[0]), "shop");
///
/// let error = read(b"<html>", "page.html", ReadOptions::default()).unwrap_err();
/// assert!(error.to_string().starts_with("page.html:1:1 (byte 0): not a trace format"));
/// ```
pub fn read(bytes: &[u8], source: &str, options: ReadOptions) -> Result<Loaded, ReadError> {
    match detect(bytes) {
        Some(Format::Spindle) => spindle_json::read(bytes, source, options),
        Some(Format::Zipkin) => zipkin::read(bytes, source, options),
        Some(Format::Otlp) => otlp_json::read(bytes, source, options),
        Some(Format::OtlpProto) => otlp_proto::read(bytes, source, options),
        Some(Format::Jaeger) => jaeger_json::read(bytes, source, options),
        Some(format @ Format::Chrome) => Err(write_only(bytes, source, format)),
        None => Err(unknown_format(bytes, source)),
    }
}

fn write_only(bytes: &[u8], source: &str, format: Format) -> ReadError {
    let mut context = ReadContext::new(bytes, source, true);
    let start = crate::scan::skip_blank(bytes, 0);
    let format = format.to_string();
    context.error(Some(start), String::new(), Problem::WriteOnly { format })
}

fn unknown_format(bytes: &[u8], source: &str) -> ReadError {
    let mut context = ReadContext::new(bytes, source, true);
    let start = crate::scan::skip_blank(bytes, 0);
    if start >= bytes.len() {
        return context.error(None, String::new(), Problem::Empty);
    }
    let seen = describe_start(bytes);
    context.error(Some(start), String::new(), Problem::UnknownFormat { seen })
}

/// Reads a trace file leniently (see [`read`]); I/O errors name the file.
///
/// ```no_run
/// let loaded = spindle_formats::read_file("trace.jsonl")?;
/// println!("{} spans, {} warnings", loaded.data.spans.len(), loaded.warnings.len());
/// # Ok::<(), spindle_formats::ReadError>(())
/// ```
pub fn read_file(path: impl AsRef<Path>) -> Result<Loaded, ReadError> {
    read_file_with(path, ReadOptions::default())
}

/// Reads a trace file with the given options (see [`read`]).
pub fn read_file_with(path: impl AsRef<Path>, options: ReadOptions) -> Result<Loaded, ReadError> {
    let path = path.as_ref();
    let source = path.display().to_string();
    match std::fs::read(path) {
        Ok(bytes) => read(&bytes, &source, options),
        Err(error) => Err(ReadError {
            source,
            location: None,
            path: String::new(),
            problem: Problem::Io {
                message: error.to_string(),
            },
        }),
    }
}
