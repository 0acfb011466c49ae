//! Log correlation for the `log` crate (cargo feature `log`): a [`log::Log`] wrapper that
//! puts the current span's `trace_id=<32 hex> span_id=<16 hex>` (W3C lowercase hex) before
//! each message, the form `spindle-tracing`'s `with_trace_ids` gives `tracing` lines, and the
//! one Grafana/Loki derived fields (`trace_id=(\w+)`) and Jaeger's log links match.

use log::{LevelFilter, Log, Metadata, Record, SetLoggerError};

use crate::span_context::SpanContext;

/// Wraps a logger so that every record logged inside a span (a Spindle span, or a `tracing`
/// span through `spindle-tracing`'s layer) reaches it with its message prefixed by
/// `trace_id=… span_id=… `; records outside any span reach it unchanged. Level, target,
/// location and key-values are passed on as they were.
///
/// ```
/// # fn main() -> Result<(), log::SetLoggerError> {
/// # struct Stderr;
/// # impl log::Log for Stderr {
/// #     fn enabled(&self, _: &log::Metadata<'_>) -> bool { true }
/// #     fn log(&self, record: &log::Record<'_>) { eprintln!("{} {}", record.level(), record.args()); }
/// #     fn flush(&self) {}
/// # }
/// // Stderr: any logger (env_logger, simplelog, …)
/// spindle::TraceIdLogger::new(Stderr).install(log::LevelFilter::Info)?;
/// spindle::in_span("checkout", || log::info!("charging card"));
/// // INFO trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span_id=00f067aa0ba902b7 charging card
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct TraceIdLogger<L> {
    inner: L,
}

impl<L: Log> TraceIdLogger<L> {
    /// Wraps `inner`, which formats and writes the records.
    pub fn new(inner: L) -> Self {
        TraceIdLogger { inner }
    }

    /// Makes this the `log` crate's logger (once per process) and sets its maximum level.
    pub fn install(self, max_level: LevelFilter) -> Result<(), SetLoggerError>
    where
        L: 'static,
    {
        log::set_boxed_logger(Box::new(self))?;
        log::set_max_level(max_level);
        Ok(())
    }
}

impl<L: Log> Log for TraceIdLogger<L> {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        self.inner.enabled(metadata)
    }

    fn log(&self, record: &Record<'_>) {
        match crate::current::span_context().filter(SpanContext::is_valid) {
            Some(context) => self.inner.log(
                &record
                    .to_builder()
                    .args(format_args!(
                        "trace_id={} span_id={} {}",
                        context.trace_id,
                        context.span_id,
                        record.args()
                    ))
                    .build(),
            ),
            None => self.inner.log(record),
        }
    }

    fn flush(&self) {
        self.inner.flush();
    }
}
