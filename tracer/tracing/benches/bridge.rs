//! The bridge's cost: a root `tracing` span entered and a child with two fields, through the
//! registry alone (no layer, nothing exported) and through the registry with `SpindleLayer`
//! recording into Spindle's pipeline (an exporter that discards), with and without code
//! locations; and, for reference, the same pair made with Spindle's own API (no `tracing`).
//! Issue 15's target: the layer at most 2x the registry alone.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use spindle::{Config, SpanBatch, SpanExporter, sampler::Sampler};
use spindle_tracing::SpindleLayer;
use tracing_subscriber::layer::SubscriberExt;

/// Accepts every batch and drops it.
#[derive(Debug)]
struct Discard;

impl SpanExporter for Discard {
    fn export(&mut self, batch: SpanBatch<'_>) -> Result<(), spindle::ExportError> {
        black_box(batch);
        Ok(())
    }
}

fn pair() {
    let root = tracing::info_span!("root");
    let _entered = root.enter();
    let _child = tracing::info_span!("child", http.method = "GET", http.status_code = 200);
}

/// The same pair through Spindle's own API.
fn spindle_pair() {
    spindle::in_span("root", || {
        let mut child = spindle::Span::new("child");
        child.set_attribute("http.method", "GET");
        child.set_attribute("http.status_code", 200);
    });
}

fn bridge(c: &mut Criterion) {
    let mut group = c.benchmark_group("bridge_pair");
    group.throughput(Throughput::Elements(2));
    let registry = tracing::Dispatch::new(tracing_subscriber::registry());
    tracing::dispatcher::with_default(&registry, || {
        group.bench_function("tracing_registry", |b| b.iter(pair));
    });
    let tracer = spindle::init(
        Config::new()
            .service_name("bench")
            .sampler(Sampler::AlwaysOn)
            .exporter(Discard),
    )
    .expect("spindle starts");
    group.bench_function("spindle_alone", |b| b.iter(spindle_pair));
    for (name, location) in [
        ("tracing_spindle_layer", true),
        ("tracing_spindle_layer_no_location", false),
    ] {
        let layer = SpindleLayer::new().with_location(location);
        let dispatch = tracing::Dispatch::new(tracing_subscriber::registry().with(layer));
        tracing::dispatcher::with_default(&dispatch, || {
            group.bench_function(name, |b| b.iter(pair));
        });
    }
    group.finish();
    tracer
        .flush(Duration::from_secs(30))
        .expect("spindle flushes");
    let stats = tracer.stats();
    eprintln!(
        "spindle stats: ended {}, exported {}, dropped {}",
        stats.spans_ended,
        stats.spans_exported,
        stats.dropped()
    );
}

criterion_group!(benches, bridge);
criterion_main!(benches);
