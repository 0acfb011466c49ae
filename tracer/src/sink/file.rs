//! A sink that appends batches to a file, one JSON document per line, through the codecs of
//! `spindle-formats`. A file that cannot be opened or written is an export error (counted in
//! the statistics); the application carries on and the next batch tries again.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::PathBuf;

use spindle_formats::SpanBatch;

use super::{ExportError, SpanExporter};

/// The file formats the tracer writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// Spindle JSON Lines (one versioned document per batch).
    Spindle,
    /// Zipkin v2 JSON (one list of spans per batch, one per line).
    Zipkin,
}

/// Writes batches to a file, replacing what the file held when the first batch arrives.
#[derive(Debug)]
pub struct FileExporter {
    path: PathBuf,
    format: FileFormat,
    /// `None` until the first batch opens the file.
    file: Option<File>,
    encoded: Vec<u8>,
}

impl FileExporter {
    /// A sink writing `format` to `path` (created or truncated on first use).
    pub fn new(path: impl Into<PathBuf>, format: FileFormat) -> FileExporter {
        FileExporter {
            path: path.into(),
            format,
            file: None,
            encoded: Vec::new(),
        }
    }

    fn io_error(&self, source: std::io::Error) -> ExportError {
        ExportError::Io {
            target: self.path.display().to_string(),
            source,
        }
    }

    /// The open file, opened (created or truncated) on first use.
    fn file(&mut self) -> Result<&mut File, ExportError> {
        let file = match self.file.take() {
            Some(file) => file,
            None => OpenOptions::new()
                .create(true)
                .write(true)
                .truncate(true)
                .open(&self.path)
                .map_err(|e| self.io_error(e))?,
        };
        Ok(self.file.insert(file))
    }
}

impl SpanExporter for FileExporter {
    fn export(&mut self, batch: SpanBatch<'_>) -> Result<(), ExportError> {
        self.encoded.clear();
        let encoded = match self.format {
            FileFormat::Spindle => spindle_formats::spindle_json::write(batch, &mut self.encoded),
            FileFormat::Zipkin => spindle_formats::zipkin::write(batch, &mut self.encoded),
        };
        encoded.map_err(|e| self.io_error(e))?;
        let encoded = std::mem::take(&mut self.encoded);
        let target = self.path.display().to_string();
        let written = self.file().and_then(|file| {
            file.write_all(&encoded)
                .map_err(|source| ExportError::Io { target, source })
        });
        self.encoded = encoded;
        written
    }

    fn flush(&mut self) -> Result<(), ExportError> {
        match &mut self.file {
            Some(file) => file.flush().map_err(|e| ExportError::Io {
                target: self.path.display().to_string(),
                source: e,
            }),
            None => Ok(()),
        }
    }
}
