//! Spindle: a fast distributed tracer.
//!
//! ```no_run
//! use spindle::{Config, FileFormat, Span};
//!
//! let tracer = spindle::init(
//!     Config::new().service_name("checkout").export_to_file("trace.json", FileFormat::Spindle),
//! )
//! .expect("tracer starts");
//! spindle::in_span("handle order", || {
//!     let mut span = Span::new("charge card");
//!     span.set_attribute("amount.cents", 1299);
//! });
//! tracer.shutdown(std::time::Duration::from_secs(5)).expect("spans written");
//! ```
//!
//! Every item has one path: the crate root, or one of the four modules whose grouping helps
//! a reader, [`current`] (the current span), [`propagation`] (headers across processes),
//! [`sampler`] (which traces to keep) and [`semconv`] (spans by OpenTelemetry's semantic
//! conventions: HTTP, database, cache, messaging, errors).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod clock;
mod config;
mod context;
pub mod current;
mod error;
mod id;
mod instrument;
#[cfg(feature = "log")]
mod log_ids;
mod pipeline;
pub mod propagation;
mod resource;
pub mod sampler;
pub mod semconv;
mod sink;
mod span;
mod span_builder;
mod span_context;
mod trace_state;
mod tracer;

use std::sync::Arc;
use std::time::Duration;

pub use config::{BatchConfig, Config};
pub use context::{Context, ContextGuard, EnteredSpan};
pub use error::TraceError;
pub use instrument::{Instrument, Instrumented};
#[cfg(feature = "log")]
pub use log_ids::TraceIdLogger;
pub use pipeline::Stats;
pub use sink::{
    ConsoleExporter, ExportContext, ExportError, FileExporter, FileFormat, HttpError,
    InMemoryExporter, OtlpHttpExporter, OtlpProtocol, RetryPolicy, SpanExporter,
    UnsupportedProtocol, ZipkinHttpExporter,
};
pub use span::Span;
pub use span_builder::SpanBuilder;
pub use span_context::{SpanContext, TraceFlags};
pub use spindle_formats::{KeyValue, SpanBatch, SpanId, SpanKind, Status, TraceId, Value};
pub use spindle_macros::trace;
pub use trace_state::{TraceState, TraceStateError};

use pipeline::Pipeline;
use sampler::Sampler;
use tracer::Tracer;

/// Installs a tracer built from `config`, the environment and defaults, and starts its
/// exporter thread. Keep the returned guard: dropping it flushes and shuts down the tracer.
/// A later `init` replaces the tracer for new spans.
pub fn init(mut config: Config) -> Result<TracerGuard, TraceError> {
    let env = |name: &str| std::env::var(name).ok();
    let (resource, resource_warning) = resource::build_resource(&config.resource, env);
    let (batch, mut warnings) = config.batch_config(env);
    warnings.extend(resource_warning);
    let (exporters, exporter_warnings) = config.take_exporters(env);
    warnings.extend(exporter_warnings);
    for warning in &warnings {
        eprintln!("spindle: {warning}");
    }
    let sampler = config.sampler.unwrap_or_else(Sampler::from_env);
    let pipeline = match exporters.is_empty() {
        true => None,
        false => Some(Pipeline::start(
            &batch,
            config.tail_sampling.take(),
            resource,
            exporters,
            tracer::suppress_this_thread,
        )?),
    };
    tracer::install(Arc::new(Tracer {
        sampler,
        pipeline: pipeline.clone(),
    }));
    Ok(TracerGuard {
        pipeline,
        shutdown_timeout: batch.export_timeout,
    })
}

/// Keeps the tracer running; flushes and shuts it down when dropped.
#[derive(Debug)]
#[must_use = "dropping the guard shuts the tracer down"]
pub struct TracerGuard {
    pipeline: Option<Arc<Pipeline>>,
    shutdown_timeout: Duration,
}

impl TracerGuard {
    /// Exports every span ended before this call; waits at most `timeout`.
    pub fn flush(&self, timeout: Duration) -> Result<(), TraceError> {
        self.pipeline.as_ref().map_or(Ok(()), |p| p.flush(timeout))
    }

    /// Flushes, then stops the exporter; later spans are dropped and counted.
    pub fn shutdown(&self, timeout: Duration) -> Result<(), TraceError> {
        self.pipeline
            .as_ref()
            .map_or(Ok(()), |p| p.shutdown(timeout))
    }

    /// The exporter's counters.
    pub fn stats(&self) -> Stats {
        self.pipeline
            .as_ref()
            .map(|p| p.stats())
            .unwrap_or_default()
    }
}

impl Drop for TracerGuard {
    fn drop(&mut self) {
        // Already shut down is fine; other failures are in the statistics.
        let _ = self.shutdown(self.shutdown_timeout);
    }
}

fn installed_pipeline() -> Result<Arc<Pipeline>, TraceError> {
    tracer::installed()
        .and_then(|t| t.pipeline.clone())
        .ok_or(TraceError::NotInitialized)
}

/// Exports every span ended before this call through the installed tracer.
pub fn flush(timeout: Duration) -> Result<(), TraceError> {
    installed_pipeline()?.flush(timeout)
}

/// Flushes and stops the installed tracer.
pub fn shutdown(timeout: Duration) -> Result<(), TraceError> {
    installed_pipeline()?.shutdown(timeout)
}

/// The installed tracer's counters (zero if none is installed).
pub fn stats() -> Stats {
    installed_pipeline().map(|p| p.stats()).unwrap_or_default()
}

/// Runs `f` inside a new span named `name` (a child of the current span).
///
/// ```
/// let answer = spindle::in_span("compute", || 6 * 7);
/// assert_eq!(answer, 42);
/// ```
pub fn in_span<R>(name: impl Into<spindle_formats::Str>, f: impl FnOnce() -> R) -> R {
    let _span = Span::new(name).enter();
    f()
}

/// Makes a panic flush the installed tracer (within `timeout`) before the previous panic
/// hook runs, so spans recorded before a crash reach the file or collector.
pub fn flush_on_panic(timeout: Duration) {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = flush(timeout);
        previous(info);
    }));
}
