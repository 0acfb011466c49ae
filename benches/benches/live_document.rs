//! What the live document's retention limit costs on the UI thread: evicting the oldest
//! tenth of a 500,000-span document (whole traces; the rest renumbered, the aggregate
//! folded), beside re-indexing what stays from scratch (what eviction did before: a full
//! `Index::build` plus the aggregate's layout).
//!
//! `cargo bench -p spindle-benches --bench live_document`

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use spindle_viewer::fixture;
use spindle_viewer::index::Index;
use spindle_viewer::layout::FlameLayout;
use spindle_viewer::load::Document;

const SPANS: usize = 500_000;

fn eviction(c: &mut Criterion) {
    let data = fixture::many_traces(SPANS / 10, 10);
    let mut group = c.benchmark_group("live_document_500k_spans");
    // Each iteration needs a fresh document (built untimed): few, flat samples.
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.warm_up_time(Duration::from_millis(200));
    group.measurement_time(Duration::from_secs(1));
    // Just over the limit: down to 90% of it, 50,000 spans (5,000 traces) evicted.
    group.bench_function("evict_oldest_tenth", |b| {
        b.iter_custom(|iters| {
            (0..iters)
                .map(|_| {
                    let mut doc = Document::from_data(data.clone());
                    let started = Instant::now();
                    black_box(doc.evict_oldest(SPANS - 1).spans);
                    started.elapsed()
                })
                .sum()
        })
    });
    let mut kept = Document::from_data(data.clone());
    kept.evict_oldest(SPANS - 1);
    group.bench_function("rebuild_what_stays", |b| {
        b.iter(|| {
            let index = Index::build(&kept.data);
            black_box(FlameLayout::aggregate(&index).extent)
        })
    });
    group.finish();
}

criterion_group!(benches, eviction);
criterion_main!(benches);
