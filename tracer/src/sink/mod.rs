//! Where batches go: the `SpanExporter` trait and the built-in sinks.

mod file;
mod memory;

use std::fmt;

use spindle_formats::TraceData;

pub use file::{FileExporter, FileFormat};
pub use memory::InMemoryExporter;

/// Why a sink could not take a batch.
#[derive(Debug)]
pub enum ExportError {
    /// Reading or writing a file or socket failed.
    Io {
        target: String,
        source: std::io::Error,
    },
    /// Anything else, described.
    Other(String),
}

impl fmt::Display for ExportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExportError::Io { target, source } => write!(f, "{target}: {source}"),
            ExportError::Other(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for ExportError {}

/// A destination for batches of spans. Runs on the exporter's background thread only; its
/// work never creates spans.
pub trait SpanExporter: Send + fmt::Debug {
    /// Writes one batch. The batch's spans all refer to resource 0 and scope 0.
    fn export(&mut self, batch: &TraceData) -> Result<(), ExportError>;

    /// Makes everything exported so far durable or visible (called on flush).
    fn flush(&mut self) -> Result<(), ExportError> {
        Ok(())
    }

    /// Releases resources; called once when the tracer shuts down.
    fn shutdown(&mut self) {}
}
