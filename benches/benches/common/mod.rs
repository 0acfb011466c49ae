//! The tracers under test, each wired to an exporter that counts and discards, and the one
//! workload they all run: a root span made current and one child of it, each with two
//! attributes given when the span is built (`http.method = "GET"`, `http.status_code = 200`),
//! the way a new user of each tracer writes it.
//!
//! Every tracer goes through its real pipeline (thread buffers, queues, background thread,
//! exporter call); only the final destination is a counter.
#![allow(dead_code)] // each bench binary uses a different part of this module

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

pub mod rounds;

/// Queue capacity (in spans) given to every tracer that has one to configure.
pub const QUEUE_SPANS: usize = 1 << 18;

/// A shared count of spans that reached an exporter.
#[derive(Debug, Clone, Default)]
pub struct Delivered(pub Arc<AtomicU64>);

impl Delivered {
    pub fn add(&self, n: usize) {
        self.0.fetch_add(n as u64, Relaxed);
    }
    pub fn get(&self) -> u64 {
        self.0.load(Relaxed)
    }
}

// ---------------------------------------------------------------------------------------------
// Spindle

#[derive(Debug)]
struct SpindleCounter(Delivered);

impl spindle::SpanExporter for SpindleCounter {
    fn export(
        &mut self,
        batch: spindle_formats::SpanBatch<'_>,
    ) -> Result<(), spindle::ExportError> {
        self.0.add(batch.spans.len());
        Ok(())
    }
}

/// Spindle with a counting exporter; `sampled == false` installs the `AlwaysOff` sampler.
pub fn spindle_init(sampled: bool) -> (spindle::TracerGuard, Delivered) {
    let delivered = Delivered::default();
    let sampler = match sampled {
        true => spindle::sampler::Sampler::AlwaysOn,
        false => spindle::sampler::Sampler::AlwaysOff,
    };
    let guard = spindle::init(
        spindle::Config::new()
            .exporter(SpindleCounter(delivered.clone()))
            .sampler(sampler)
            .max_queue_size(QUEUE_SPANS),
    )
    .expect("spindle starts");
    (guard, delivered)
}

/// The pair, attributes through the builder (`Span::builder(..).attribute(..)`).
#[inline]
pub fn spindle_pair() {
    use spindle::Span;
    let _root = Span::builder("root")
        .attribute("http.method", "GET")
        .attribute("http.status_code", 200)
        .start()
        .enter();
    let _child = Span::builder("child")
        .attribute("http.method", "GET")
        .attribute("http.status_code", 200)
        .start();
}

/// The pair, attributes set on the started spans (`set_attribute`).
#[inline]
pub fn spindle_pair_set_attribute() {
    let root = spindle::Span::new("root").enter();
    root.set_attribute("http.method", "GET");
    root.set_attribute("http.status_code", 200);
    let mut child = spindle::Span::new("child");
    child.set_attribute("http.method", "GET");
    child.set_attribute("http.status_code", 200);
}

/// The pair, attributes computed by a closure that runs only if the span is sampled
/// (`with_attributes`, fastrace's lazy properties).
#[inline]
pub fn spindle_pair_lazy() {
    use spindle::{KeyValue, Span};
    let attributes = || {
        [
            KeyValue::new("http.method", "GET"),
            KeyValue::new("http.status_code", 200),
        ]
    };
    let mut root = Span::new("root");
    root.with_attributes(attributes);
    let _root = root.enter();
    let mut child = Span::new("child");
    child.with_attributes(attributes);
}

/// Spindle's flush: everything ended so far reaches the exporter.
pub fn spindle_flush(guard: &spindle::TracerGuard) {
    guard
        .flush(Duration::from_secs(30))
        .expect("spindle flushes");
    let stats = guard.stats();
    eprintln!(
        "spindle stats: ended {}, exported {}, dropped {} (queue full {})",
        stats.spans_ended,
        stats.spans_exported,
        stats.dropped(),
        stats.dropped_queue_full
    );
}

// ---------------------------------------------------------------------------------------------
// fastrace

struct FastraceCounter(Delivered);

impl fastrace::collector::Reporter for FastraceCounter {
    fn report(&mut self, spans: Vec<fastrace::collector::SpanRecord>) {
        self.0.add(spans.len());
    }
}

/// fastrace's reporter is process-global: install it once and read deltas of the count.
pub fn fastrace_init() -> Delivered {
    static DELIVERED: std::sync::OnceLock<Delivered> = std::sync::OnceLock::new();
    DELIVERED
        .get_or_init(|| {
            let delivered = Delivered::default();
            fastrace::set_reporter(
                FastraceCounter(delivered.clone()),
                fastrace::collector::Config::default(),
            );
            delivered
        })
        .clone()
}

#[inline]
pub fn fastrace_pair(sampled: bool) {
    use fastrace::prelude::*;
    let root = Span::root("root", SpanContext::random().sampled(sampled))
        .with_properties(|| [("http.method", "GET"), ("http.status_code", "200")]);
    let _parent = root.set_local_parent();
    let _child = LocalSpan::enter_with_local_parent("child")
        .with_properties(|| [("http.method", "GET"), ("http.status_code", "200")]);
}

pub fn fastrace_flush() {
    fastrace::flush();
}

// ---------------------------------------------------------------------------------------------
// OpenTelemetry SDK

#[derive(Debug)]
struct OtelCounter(Delivered);

impl opentelemetry_sdk::trace::SpanExporter for OtelCounter {
    fn export(
        &self,
        batch: Vec<opentelemetry_sdk::trace::SpanData>,
    ) -> impl Future<Output = opentelemetry_sdk::error::OTelSdkResult> + Send {
        self.0.add(batch.len());
        std::future::ready(Ok(()))
    }
}

/// A tracer provider with the batch span processor (queue `QUEUE_SPANS`, default batch size
/// 512) and `AlwaysOn` or `AlwaysOff`.
pub fn otel_provider(sampled: bool) -> (opentelemetry_sdk::trace::SdkTracerProvider, Delivered) {
    use opentelemetry_sdk::trace::{BatchConfigBuilder, BatchSpanProcessor, Sampler};
    let delivered = Delivered::default();
    let processor = BatchSpanProcessor::builder(OtelCounter(delivered.clone()))
        .with_batch_config(
            BatchConfigBuilder::default()
                .with_max_queue_size(QUEUE_SPANS)
                .build(),
        )
        .build();
    let provider = opentelemetry_sdk::trace::SdkTracerProvider::builder()
        .with_span_processor(processor)
        .with_sampler(if sampled {
            Sampler::AlwaysOn
        } else {
            Sampler::AlwaysOff
        })
        .build();
    (provider, delivered)
}

/// The pair, attributes through the span builder (`span_builder(..).with_attributes(..)`), the
/// root made current with `mark_span_as_active`.
#[inline]
pub fn otel_pair(tracer: &opentelemetry_sdk::trace::SdkTracer) {
    use opentelemetry::KeyValue;
    use opentelemetry::trace::{Tracer, mark_span_as_active};
    let attributes = || {
        [
            KeyValue::new("http.method", "GET"),
            KeyValue::new("http.status_code", 200),
        ]
    };
    let root = tracer
        .span_builder("root")
        .with_attributes(attributes())
        .start(tracer);
    let _root = mark_span_as_active(root);
    let _child = tracer
        .span_builder("child")
        .with_attributes(attributes())
        .start(tracer);
}

pub fn otel_flush(provider: &opentelemetry_sdk::trace::SdkTracerProvider) {
    provider.force_flush().expect("otel flushes");
}

// ---------------------------------------------------------------------------------------------
// tracing

/// A layer that counts closed spans: the "exporter" of plain `tracing` + registry.
struct CloseCounter(Delivered);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for CloseCounter {
    fn on_close(&self, _id: tracing::span::Id, _cx: tracing_subscriber::layer::Context<'_, S>) {
        self.0.add(1);
    }
}

/// `tracing` + registry + a layer counting closed spans.
pub fn tracing_registry() -> (tracing::Dispatch, Delivered) {
    use tracing_subscriber::layer::SubscriberExt;
    let delivered = Delivered::default();
    let subscriber = tracing_subscriber::registry().with(CloseCounter(delivered.clone()));
    (tracing::Dispatch::new(subscriber), delivered)
}

/// `tracing` + registry + `tracing-opentelemetry` over an SDK provider like [`otel_provider`].
pub fn tracing_otel(
    sampled: bool,
) -> (
    tracing::Dispatch,
    opentelemetry_sdk::trace::SdkTracerProvider,
    Delivered,
) {
    use opentelemetry::trace::TracerProvider;
    use tracing_subscriber::layer::SubscriberExt;
    let (provider, delivered) = otel_provider(sampled);
    let layer = tracing_opentelemetry::layer().with_tracer(provider.tracer("bench"));
    let subscriber = tracing_subscriber::registry().with(layer);
    (tracing::Dispatch::new(subscriber), provider, delivered)
}

#[inline]
pub fn tracing_pair() {
    let root = tracing::info_span!("root", http.method = "GET", http.status_code = 200);
    let _entered = root.enter();
    let _child = tracing::info_span!("child", http.method = "GET", http.status_code = 200);
}

// ---------------------------------------------------------------------------------------------

/// Prints what a benchmark created and what reached its exporter.
pub fn report_delivery(name: &str, created: u64, delivered: u64) {
    let fraction = if created == 0 {
        1.0
    } else {
        delivered as f64 / created as f64
    };
    eprintln!(
        "delivery {name}: created {created} spans, delivered {delivered} ({:.2}%)",
        fraction * 100.0
    );
    if created == 0 && delivered == 0 {
        return; // filtered out of this run: keep the last real record
    }
    let dir = criterion_dir().join("delivery");
    let file = dir.join(format!("{}.json", name.replace('/', "__")));
    let json = format!("{{\"name\":\"{name}\",\"created\":{created},\"delivered\":{delivered}}}\n");
    if let Err(e) = std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&file, json)) {
        eprintln!("cannot write {}: {e}", file.display());
    }
}

/// Where criterion writes (`$CARGO_TARGET_DIR/criterion`, else the workspace's target).
pub fn criterion_dir() -> std::path::PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    target.join("criterion")
}
