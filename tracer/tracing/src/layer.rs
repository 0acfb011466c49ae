//! `SpindleLayer`: each `tracing` span becomes a Spindle span, started when the `tracing`
//! span is created and ended when it closes, its state kept in the registry's extensions of
//! that span (no lock shared between spans).

use std::borrow::Cow;

use spindle::{KeyValue, SpanContext, SpanKind, Status, Value};
use tracing_core::span::{Attributes, Id, Record};
use tracing_core::{Event, Metadata, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::registry::{LookupSpan, SpanRef};

use crate::enter;
use crate::event::span_event;
use crate::fields::{OtelFields, OtelOnly, SpanFields, push};

/// A `tracing_subscriber` layer that sends `tracing` spans and events through Spindle.
///
/// ```
/// use tracing_subscriber::layer::SubscriberExt;
/// let subscriber = tracing_subscriber::registry().with(spindle_tracing::SpindleLayer::new());
/// tracing_core::dispatcher::with_default(&subscriber.into(), || {
///     // tracing spans here are Spindle spans, exported by the tracer `spindle::init` installed.
/// });
/// ```
///
/// Attributes every span gets: `level` (`TRACE` … `ERROR`) and `target` (the `tracing`
/// target, by default the module path), and with [`SpindleLayer::with_location`] (on by
/// default) `code.file.path`, `code.module.name` and `code.line.number`: the keys
/// tracing-opentelemetry uses. Fields become typed attributes (`i64`, `u64` as an integer
/// when it fits, `f64`, `bool`, text; `Debug` values as their `Debug` text); an error field
/// records its text, `<field>.chain` (its sources) and `exception.message`.
///
/// Special fields, read as tracing-opentelemetry reads them: `otel.name` renames the span,
/// `otel.kind` (`server`, `client`, `producer`, `consumer`, `internal`) sets its kind when
/// given at creation (a kind recorded later is ignored: Spindle samples with the kind at
/// start), `otel.status_code` (`ok` or `error`) and `otel.status_description` set its status.
#[derive(Debug, Clone, Copy)]
pub struct SpindleLayer {
    location: Location,
}

/// Whether code locations are recorded.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Location(bool);

impl Location {
    /// Adds the code location of `meta` to `attributes` if enabled.
    pub(crate) fn add(self, attributes: &mut Vec<KeyValue>, meta: &'static Metadata<'static>) {
        if self.0 {
            each_location(meta, |key, value| push(attributes, key, value));
        }
    }
}

/// The code location of `meta` (static text: nothing is copied).
fn each_location(meta: &'static Metadata<'static>, mut add: impl FnMut(&'static str, Value)) {
    if let Some(file) = meta.file() {
        add("code.file.path", Value::from(file));
    }
    if let Some(module) = meta.module_path() {
        add("code.module.name", Value::from(module));
    }
    if let Some(line) = meta.line() {
        add("code.line.number", Value::from(line));
    }
}

impl Default for SpindleLayer {
    fn default() -> Self {
        SpindleLayer::new()
    }
}

impl SpindleLayer {
    /// A layer recording code locations.
    pub fn new() -> SpindleLayer {
        SpindleLayer {
            location: Location(true),
        }
    }

    /// Whether spans and events record `code.file.path`, `code.module.name` and
    /// `code.line.number` (default: yes).
    pub fn with_location(self, location: bool) -> SpindleLayer {
        SpindleLayer {
            location: Location(location),
        }
    }

    fn start_span<S>(&self, attrs: &Attributes<'_>, ctx: &Context<'_, S>) -> spindle::Span
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
    {
        let meta = attrs.metadata();
        let mut otel = OtelFields::default();
        if meta.fields().iter().any(|f| f.name().starts_with("otel.")) {
            let mut visitor = OtelOnly(otel);
            attrs.record(&mut visitor);
            otel = visitor.0;
        }
        let name = otel
            .name
            .take()
            .map_or(Cow::Borrowed(meta.name()), Cow::Owned);
        let builder = spindle::Span::builder(name).kind(otel.kind.unwrap_or(SpanKind::Internal));
        // A contextual span's parent is Spindle's current span: entered `tracing` spans are
        // on Spindle's stack too, so whichever of the two was entered last is the parent.
        let builder = match attrs.parent() {
            _ if attrs.is_root() => builder.root(),
            Some(parent) => match ctx.span(parent).and_then(|p| nearest_context(&p)) {
                Some(parent) => builder.parent(&parent),
                None => builder,
            },
            None => builder,
        };
        let mut span = builder.start();
        if span.is_recording() {
            span.set_attribute("level", meta.level().as_str());
            span.set_attribute("target", meta.target());
            if self.location.0 {
                each_location(meta, |key, value| span.set_attribute(key, value));
            }
            let mut fields = SpanFields {
                span: &mut span,
                otel,
            };
            attrs.record(&mut fields);
            if let Some(status) = fields.otel.status() {
                span.set_status(status);
            }
        }
        span
    }
}

/// What the layer keeps in a `tracing` span's extensions.
#[derive(Debug)]
pub(crate) struct SpanData {
    span: spindle::Span,
    /// Set once an event has made the status an error.
    error_status: bool,
}

/// The Spindle context of `span`, if the layer saw it.
pub(crate) fn span_context<S>(span: &SpanRef<'_, S>) -> Option<SpanContext>
where
    S: for<'a> LookupSpan<'a>,
{
    let extensions = span.extensions();
    extensions
        .get::<SpanData>()
        .map(|data| data.span.context().clone())
}

/// The Spindle context of `span` or of its nearest ancestor the layer saw.
fn nearest_context<S>(span: &SpanRef<'_, S>) -> Option<SpanContext>
where
    S: for<'a> LookupSpan<'a>,
{
    span.scope().find_map(|s| span_context(&s))
}

impl<S> Layer<S> for SpindleLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let span = self.start_span(attrs, &ctx);
        if let Some(entry) = ctx.span(id) {
            entry.extensions_mut().insert(SpanData {
                span,
                error_status: false,
            });
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let Some(entry) = ctx.span(id) else { return };
        let mut extensions = entry.extensions_mut();
        let Some(data) = extensions.get_mut::<SpanData>() else {
            return;
        };
        let mut fields = SpanFields {
            span: &mut data.span,
            otel: OtelFields::default(),
        };
        values.record(&mut fields);
        let mut otel = fields.otel;
        if let Some(name) = otel.name.take() {
            data.span.update_name(name);
        }
        if let Some(status) = otel.status() {
            data.span.set_status(status);
        }
    }

    fn on_follows_from(&self, id: &Id, follows: &Id, ctx: Context<'_, S>) {
        let Some(linked) = ctx.span(follows).and_then(|s| span_context(&s)) else {
            return;
        };
        if let Some(entry) = ctx.span(id)
            && let Some(data) = entry.extensions_mut().get_mut::<SpanData>()
        {
            data.span.add_link(&linked, Vec::new());
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let target = match event.parent() {
            Some(parent) => ctx.span(parent),
            None if event.is_contextual() => ctx.lookup_current(),
            None => return,
        };
        let Some(target) = target else {
            // No `tracing` span: the event belongs to Spindle's current span, if any.
            return add_to_current(span_event(event, self.location));
        };
        let mut extensions = target.extensions_mut();
        let Some(data) = extensions.get_mut::<SpanData>() else {
            return;
        };
        if event.is_contextual() {
            let current = spindle::current::span_id();
            if current.is_some_and(|id| id != data.span.context().span_id) {
                // A Spindle span entered inside the `tracing` span is the innermost.
                drop(extensions);
                return add_to_current(span_event(event, self.location));
            }
        }
        if !data.span.is_recording() {
            return;
        }
        let span_event = span_event(event, self.location);
        data.span.add_event(span_event.name, span_event.attributes);
        if let Some(message) = span_event.error {
            data.span.set_status(Status::Error {
                message: message.into(),
            });
            data.error_status = true;
        } else if span_event.error_level && !data.error_status {
            data.span.set_status(Status::Error { message: "".into() });
            data.error_status = true;
        }
    }

    fn on_enter(&self, id: &Id, ctx: Context<'_, S>) {
        if let Some(context) = ctx.span(id).and_then(|s| span_context(&s)) {
            enter::enter(id, context);
        }
    }

    fn on_exit(&self, id: &Id, _ctx: Context<'_, S>) {
        enter::exit(id);
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        let data = ctx
            .span(&id)
            .and_then(|entry| entry.extensions_mut().remove::<SpanData>());
        // The Spindle span ends here, after the extensions are no longer borrowed.
        drop(data);
    }
}

/// Adds an event to Spindle's current span (a Spindle span with no `tracing` span inside).
fn add_to_current(span_event: crate::event::SpanEvent) {
    spindle::current::add_event(span_event.name, span_event.attributes);
    if let Some(message) = span_event.error {
        spindle::current::set_status(Status::Error {
            message: message.into(),
        });
    }
}
