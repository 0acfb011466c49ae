//! A sink that prints batches as Spindle JSON lines, to stdout or stderr.

use std::io::Write;

use spindle_formats::SpanBatch;

use super::{ExportError, SpanExporter};

/// Prints each batch as one Spindle JSON line (`OTEL_TRACES_EXPORTER=console`).
#[derive(Debug)]
pub struct ConsoleExporter {
    stderr: bool,
    buffer: Vec<u8>,
}

impl ConsoleExporter {
    /// Prints to standard output.
    pub fn stdout() -> ConsoleExporter {
        ConsoleExporter {
            stderr: false,
            buffer: Vec::new(),
        }
    }

    /// Prints to standard error.
    pub fn stderr() -> ConsoleExporter {
        ConsoleExporter {
            stderr: true,
            buffer: Vec::new(),
        }
    }
}

impl SpanExporter for ConsoleExporter {
    fn export(&mut self, batch: SpanBatch<'_>) -> Result<(), ExportError> {
        self.buffer.clear();
        let target = if self.stderr { "stderr" } else { "stdout" };
        let io = |source| ExportError::Io {
            target: target.into(),
            source,
        };
        spindle_formats::spindle_json::write(batch, &mut self.buffer).map_err(io)?;
        let written = match self.stderr {
            true => std::io::stderr().lock().write_all(&self.buffer),
            false => {
                let mut out = std::io::stdout().lock();
                out.write_all(&self.buffer).and_then(|()| out.flush())
            }
        };
        written.map_err(io)
    }
}
