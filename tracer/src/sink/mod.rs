//! Where batches go: the `SpanExporter` trait and the built-in sinks.

mod console;
mod context;
mod file;
mod http;
mod memory;
mod otlp_http;
mod retry;
mod split;
mod zipkin_http;

use std::fmt;

use spindle_formats::SpanBatch;

pub use console::ConsoleExporter;
pub use context::ExportContext;
pub use file::{FileExporter, FileFormat};
pub use http::HttpError;
pub use memory::InMemoryExporter;
pub use otlp_http::OtlpHttpExporter;
pub use retry::RetryPolicy;
pub use zipkin_http::ZipkinHttpExporter;

/// Why a sink could not take a batch.
#[derive(Debug)]
pub enum ExportError {
    /// Reading or writing a file or socket failed.
    Io {
        /// The file or address (as the sink names it).
        target: String,
        /// What the operating system reported.
        source: std::io::Error,
    },
    /// An HTTP export failed after the retries its protocol allows.
    Http(HttpError),
    /// Anything else, described.
    Other(String),
}

impl fmt::Display for ExportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExportError::Io { target, source } => write!(f, "{target}: {source}"),
            ExportError::Http(error) => write!(f, "{error}"),
            ExportError::Other(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for ExportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ExportError::Io { source, .. } => Some(source),
            ExportError::Http(error) => Some(error),
            ExportError::Other(_) => None,
        }
    }
}

/// Equal if of the same kind about the same target (I/O errors compare by
/// [`kind`](std::io::Error::kind), as `std::io::Error` has no equality of its own).
impl PartialEq for ExportError {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (
                ExportError::Io { target, source },
                ExportError::Io {
                    target: other_target,
                    source: other_source,
                },
            ) => target == other_target && source.kind() == other_source.kind(),
            (ExportError::Http(a), ExportError::Http(b)) => a == b,
            (ExportError::Other(a), ExportError::Other(b)) => a == b,
            _ => false,
        }
    }
}

impl Eq for ExportError {}

impl From<HttpError> for ExportError {
    fn from(error: HttpError) -> Self {
        ExportError::Http(error)
    }
}

/// A destination for batches of spans. Runs on the exporter's background thread only; its
/// work never creates spans.
pub trait SpanExporter: Send + fmt::Debug {
    /// Called once by the pipeline before the first export: the export timeout in force and
    /// the counters a sink reports retries and oversized spans to.
    fn attach(&mut self, context: ExportContext) {
        let _ = context;
    }

    /// Writes one batch. The batch's spans all refer to resource 0 and scope 0.
    fn export(&mut self, batch: SpanBatch<'_>) -> Result<(), ExportError>;

    /// Makes everything exported so far durable or visible (called on flush).
    fn flush(&mut self) -> Result<(), ExportError> {
        Ok(())
    }

    /// Releases resources; called once when the tracer shuts down.
    fn shutdown(&mut self) {}
}
