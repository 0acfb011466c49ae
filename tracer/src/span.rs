//! `Span`: one timed operation, its events, links, status and `record_error` (its builder is
//! in `span_builder.rs`).
//!
//! A span that is not sampled carries only its context (for propagation): setting attributes
//! on it does nothing, and the closure-taking methods never run their closures.

use std::error::Error;

use spindle_formats::{self as model, Event, KeyValue, Link, SpanKind, Status, Str, Value};

use crate::clock::now_unix_nanos;
use crate::context::{self, EnteredSpan};
use crate::id::{new_span_id, new_trace_id};
use crate::pipeline::RecordBox;
use crate::sampler::SamplingInput;
use crate::span_builder::SpanBuilder;
use crate::span_context::{SpanContext, TraceFlags};
use crate::tracer;

/// One timed operation. Ends (and is handed to the exporter) when dropped or on [`Span::end`].
///
/// ```
/// let mut span = spindle::Span::new("load config");
/// span.set_attribute("config.entries", 12);
/// span.with_attributes(|| vec![spindle::KeyValue::new("expensive", format!("{:?}", 1..4))]);
/// span.end();
/// ```
#[derive(Debug)]
pub struct Span {
    context: SpanContext,
    /// The recorded data, boxed so that moving a span moves a pointer; the box comes from
    /// this thread's spare boxes and goes back there when the span ends (no allocation).
    record: Option<RecordBox>,
}

/// Starts a span under `parent` (none: a new trace): its ids, the sampling decision (which
/// sees the builder's `attributes`) and, if it is recorded, its record.
#[inline]
pub(crate) fn start_span(
    name: Str,
    kind: SpanKind,
    parent: Option<SpanContext>,
    start: Option<u64>,
    attributes: &[KeyValue],
) -> Span {
    let trace_id = parent.as_ref().map_or_else(new_trace_id, |p| p.trace_id);
    let sampling = tracer::sample(&SamplingInput {
        parent: parent.as_ref(),
        trace_id,
        name: &name,
        kind,
        attributes,
    });
    // Sampled and random are the defined flags (W3C Level 2); reserved bits are not passed
    // on. A new trace id is random (its right-most 7 bytes too); a continued trace keeps
    // whatever its parent said.
    let random = parent.as_ref().is_none_or(|p| p.trace_flags.is_random());
    let trace_flags = TraceFlags::NONE
        .with_sampled(sampling.sampled)
        .with_random(random);
    let span_id = new_span_id();
    let record = sampling.record.map(|mut record| {
        // A spare record is in its default state (its attribute vector may have capacity):
        // set only what differs.
        record.trace_id = trace_id;
        record.span_id = span_id;
        record.parent_span_id = parent.as_ref().map(|p| p.span_id);
        record.name = name;
        record.kind = kind;
        record.start_unix_nanos = start.unwrap_or_else(now_unix_nanos);
        record.flags = record_flags(trace_flags, parent.as_ref());
        record
    });
    let mut record = record;
    // The sampler's trace state if it chose one, else the parent's (moved, not cloned).
    let inherited = parent.map(|parent| parent.trace_state);
    let trace_state = match sampling.trace_state {
        Some(chosen) => chosen,
        None => inherited.unwrap_or_default(),
    };
    if let Some(record) = &mut record
        && !trace_state.is_empty()
    {
        record.trace_state = trace_state.header().into();
    }
    Span {
        context: SpanContext {
            trace_id,
            span_id,
            trace_flags,
            trace_state,
            is_remote: false,
        },
        record,
    }
}

/// Hands the record to the pipeline (its box comes back, emptied, for a later span).
#[inline(never)]
fn finish(mut record: RecordBox, end_unix_nanos: u64) {
    record.end_unix_nanos = end_unix_nanos.max(record.start_unix_nanos);
    tracer::submit(record);
}

pub(crate) fn trace_state_text(context: &SpanContext) -> Str {
    if context.trace_state.is_empty() {
        Str::default()
    } else {
        context.trace_state.header().into()
    }
}

/// A link's flags as OTLP defines them: the linked span's W3C flags in the low byte, plus
/// whether that span is remote.
pub(crate) fn link_flags(context: &SpanContext) -> u32 {
    let remote = if context.is_remote {
        model::FLAG_HAS_IS_REMOTE | model::FLAG_IS_REMOTE
    } else {
        model::FLAG_HAS_IS_REMOTE
    };
    u32::from(context.trace_flags.0) | remote
}

/// W3C flags in the low byte, plus OTLP's "parent is remote" bits.
fn record_flags(flags: TraceFlags, parent: Option<&SpanContext>) -> u32 {
    let remote = match parent {
        Some(p) if p.is_remote => model::FLAG_HAS_IS_REMOTE | model::FLAG_IS_REMOTE,
        _ => model::FLAG_HAS_IS_REMOTE,
    };
    u32::from(flags.0) | remote
}

impl Span {
    /// Starts a span named `name`, a child of the current span (or a new trace if none).
    pub fn new(name: impl Into<Str>) -> Span {
        start_span(
            name.into(),
            SpanKind::Internal,
            context::current_span_context(),
            None,
            &[],
        )
    }

    /// Starts a new trace, ignoring any current span.
    pub fn root(name: impl Into<Str>) -> Span {
        start_span(name.into(), SpanKind::Internal, None, None, &[])
    }

    /// A span that records nothing and has no valid context.
    pub fn noop() -> Span {
        Span {
            context: SpanContext::default(),
            record: None,
        }
    }

    /// Configures a span before starting it.
    #[inline]
    pub fn builder(name: impl Into<Str>) -> SpanBuilder {
        SpanBuilder::new(name.into())
    }

    /// The span's identity, for children and for propagation to other services.
    pub fn context(&self) -> &SpanContext {
        &self.context
    }

    /// The record of a sampled span (none if the span is not recorded).
    #[inline]
    pub(crate) fn record_mut(&mut self) -> Option<&mut RecordBox> {
        self.record.as_mut()
    }

    /// True if the span is sampled: its data is recorded and exported.
    pub fn is_recording(&self) -> bool {
        self.record.is_some()
    }

    /// Makes this span the current span of this thread until the returned guard is dropped;
    /// the span ends then.
    pub fn enter(self) -> EnteredSpan {
        EnteredSpan::enter(self)
    }

    /// Sets an attribute (replacing an earlier value of the same key).
    pub fn set_attribute(&mut self, key: impl Into<Str>, value: impl Into<Value>) {
        if let Some(record) = &mut self.record {
            set_attribute(&mut record.attributes, KeyValue::new(key, value));
        }
    }

    /// Adds attributes computed by `f`, which runs only if the span is sampled.
    pub fn with_attributes<I: IntoIterator<Item = KeyValue>>(&mut self, f: impl FnOnce() -> I) {
        if let Some(record) = &mut self.record {
            for kv in f() {
                set_attribute(&mut record.attributes, kv);
            }
        }
    }

    /// Adds an event that happened now.
    pub fn add_event(&mut self, name: impl Into<Str>, attributes: Vec<KeyValue>) {
        if let Some(record) = &mut self.record {
            let time_unix_nanos = now_unix_nanos();
            record.events.push(Event {
                time_unix_nanos,
                name: name.into(),
                attributes,
                dropped_attributes_count: 0,
            });
        }
    }

    /// Adds an event whose attributes are computed by `f` only if the span is sampled.
    pub fn add_event_with<I: IntoIterator<Item = KeyValue>>(
        &mut self,
        name: impl Into<Str>,
        f: impl FnOnce() -> I,
    ) {
        if self.record.is_some() {
            self.add_event(name, f().into_iter().collect());
        }
    }

    /// Adds a link to another span (for example the message that a consumer processes).
    pub fn add_link(&mut self, context: &SpanContext, attributes: Vec<KeyValue>) {
        if let Some(record) = &mut self.record {
            record.links.push(Link {
                trace_id: context.trace_id,
                span_id: context.span_id,
                trace_state: trace_state_text(context),
                attributes,
                dropped_attributes_count: 0,
                flags: link_flags(context),
            });
        }
    }

    /// Sets the status. `Ok` is final: a later `Error` does not replace it, as OpenTelemetry
    /// specifies; `Unset` never replaces anything.
    pub fn set_status(&mut self, status: Status) {
        if let Some(record) = &mut self.record {
            match (&record.status, &status) {
                (Status::Ok, _) | (_, Status::Unset) => {}
                _ => record.status = status,
            }
        }
    }

    /// Renames the span (for example once a router has matched the route).
    pub fn update_name(&mut self, name: impl Into<Str>) {
        if let Some(record) = &mut self.record {
            record.name = name.into();
        }
    }

    /// Records an error: an `exception` event with `exception.type` (when the type is known),
    /// `exception.message` and the chain of causes, and sets the status to error.
    ///
    /// ```
    /// let mut span = spindle::Span::new("parse");
    /// let err = "x".parse::<i32>().unwrap_err();
    /// span.record_error(&err);
    /// ```
    pub fn record_error<E: Error + ?Sized>(&mut self, error: &E) {
        if self.record.is_none() {
            return;
        }
        let message = error.to_string();
        let attributes = exception_attributes(error, &message);
        self.add_event("exception", attributes);
        self.set_status(Status::Error {
            message: message.into(),
        });
    }

    /// Ends the span now.
    pub fn end(self) {
        drop(self);
    }

    /// Ends the span at the given Unix time in nanoseconds.
    pub fn end_at(mut self, unix_nanos: u64) {
        if let Some(record) = self.record.take() {
            finish(record, unix_nanos);
        }
    }
}

fn exception_attributes<E: Error + ?Sized>(error: &E, message: &str) -> Vec<KeyValue> {
    let mut attributes = Vec::with_capacity(3);
    let type_name = std::any::type_name::<E>();
    if !type_name.starts_with("dyn ") {
        attributes.push(KeyValue::new("exception.type", type_name));
    }
    attributes.push(KeyValue::new("exception.message", message.to_owned()));
    let mut causes = Vec::new();
    let mut source = error.source();
    while let Some(cause) = source {
        causes.push(cause.to_string());
        source = cause.source();
    }
    if !causes.is_empty() {
        attributes.push(KeyValue::new("exception.causes", causes));
    }
    attributes
}

/// Replaces the value of an existing key or appends a new one.
pub(crate) fn set_attribute(attributes: &mut Vec<KeyValue>, kv: KeyValue) {
    match attributes
        .iter_mut()
        .find(|existing| existing.key == kv.key)
    {
        Some(existing) => existing.value = kv.value,
        None => attributes.push(kv),
    }
}

impl Drop for Span {
    #[inline]
    fn drop(&mut self) {
        if let Some(record) = self.record.take() {
            finish(record, now_unix_nanos());
        }
    }
}
