//! A sink that keeps spans in memory: for tests of instrumented code.

use std::sync::Arc;

use parking_lot::Mutex;
use spindle_formats::{Resource, Span, SpanBatch, TraceData};

use super::{ExportError, SpanExporter};

/// Collects exported spans; clones share the same storage.
///
/// ```
/// let memory = spindle::InMemoryExporter::default();
/// let tracer = spindle::init(spindle::Config::new().exporter(memory.clone())).unwrap();
/// spindle::in_span("work", || {});
/// tracer.flush(std::time::Duration::from_secs(5)).unwrap();
/// assert_eq!(memory.spans()[0].name, "work");
/// ```
#[derive(Debug, Clone, Default)]
pub struct InMemoryExporter {
    data: Arc<Mutex<TraceData>>,
}

impl InMemoryExporter {
    /// Every span exported so far.
    pub fn spans(&self) -> Vec<Span> {
        self.data.lock().spans.clone()
    }

    /// The resource the spans were exported with, if any were.
    pub fn resource(&self) -> Option<Resource> {
        self.data.lock().resources.first().cloned()
    }

    /// Forgets what was exported.
    pub fn clear(&self) {
        self.data.lock().spans.clear();
    }
}

impl SpanExporter for InMemoryExporter {
    fn export(&mut self, batch: SpanBatch<'_>) -> Result<(), ExportError> {
        self.data.lock().merge(batch.to_trace_data());
        Ok(())
    }
}
