//! Errors the tracer reports to its caller.

use std::fmt;
use std::time::Duration;

use crate::sink::ExportError;

/// Why `init`, `flush` or `shutdown` did not succeed.
#[derive(Debug, PartialEq, Eq)]
pub enum TraceError {
    /// The operation did not finish within its timeout.
    Timeout(Duration),
    /// The tracer was already shut down.
    AlreadyShutdown,
    /// No tracer is installed (`spindle::init` was not called).
    NotInitialized,
    /// A sink failed to export (the last failure if several did).
    Export(ExportError),
    /// Something else, described.
    Other(String),
}

impl fmt::Display for TraceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TraceError::Timeout(t) => write!(f, "timed out after {t:?}"),
            TraceError::AlreadyShutdown => write!(f, "the tracer is already shut down"),
            TraceError::NotInitialized => write!(f, "no tracer is installed (call spindle::init)"),
            TraceError::Export(e) => write!(f, "export failed: {e}"),
            TraceError::Other(e) => f.write_str(e),
        }
    }
}

impl std::error::Error for TraceError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            TraceError::Export(error) => Some(error),
            _ => None,
        }
    }
}

impl From<ExportError> for TraceError {
    fn from(error: ExportError) -> Self {
        TraceError::Export(error)
    }
}
