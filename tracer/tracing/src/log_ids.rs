//! Log correlation: `tracing_subscriber::fmt` lines that start with the current span's
//! `trace_id=<32 hex> span_id=<16 hex>` (W3C lowercase hex), the form Grafana/Loki derived
//! fields match with a regex such as `trace_id=(\w+)`.

use std::fmt;

use spindle::SpanContext;
use tracing_core::{Event, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

use crate::layer::span_context;

/// Wraps a `tracing_subscriber::fmt` event format so that each line inside a span starts
/// with its ids (lines outside any span are unchanged). The one-line addition:
///
/// ```
/// use tracing_subscriber::layer::SubscriberExt;
/// let subscriber = tracing_subscriber::registry()
///     .with(spindle_tracing::SpindleLayer::new())
///     .with(tracing_subscriber::fmt::layer()
///         .event_format(spindle_tracing::with_trace_ids(tracing_subscriber::fmt::format())));
/// # let _ = subscriber;
/// ```
///
/// The ids are those of the event's explicit parent if it has one, otherwise of Spindle's
/// current span: an entered `tracing` span (through [`crate::SpindleLayer`]) or a Spindle
/// span entered with `spindle::Span::enter`, whichever is innermost.
pub fn with_trace_ids<F>(format: F) -> WithTraceIds<F> {
    WithTraceIds { inner: format }
}

/// An event format that puts `trace_id=… span_id=…` before each line (see [`with_trace_ids`]).
#[derive(Debug, Clone)]
pub struct WithTraceIds<F> {
    inner: F,
}

impl<S, N, F> FormatEvent<S, N> for WithTraceIds<F>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
    F: FormatEvent<S, N>,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let context = match event.parent() {
            Some(parent) => ctx
                .span(parent)
                .and_then(|span| span.scope().find_map(|s| span_context(&s))),
            None if event.is_contextual() => spindle::current::span_context(),
            None => None,
        };
        if let Some(context) = context.filter(SpanContext::is_valid) {
            write!(
                writer,
                "trace_id={} span_id={} ",
                context.trace_id, context.span_id
            )?;
        }
        self.inner.format_event(ctx, writer, event)
    }
}
