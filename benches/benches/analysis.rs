//! Trace analysis speed targets (issue 14), on a generated 100,000-span trace
//! (`fixture::wide_trace`, fan-out 10):
//! - the critical path: target ≤ 50 ms;
//! - statistics by service then operation (self times come from the index);
//! - repeated siblings and N+1 findings;
//! - all three together, what opening a trace's analysis costs.
//!
//! `cargo bench -p spindle-benches --bench analysis`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use spindle_viewer::analysis::critical_path::CriticalPath;
use spindle_viewer::analysis::repeats;
use spindle_viewer::analysis::stats::{GroupBy, Grouping, Statistics};
use spindle_viewer::fixture;
use spindle_viewer::index::Index;

fn analysis(c: &mut Criterion) {
    let data = fixture::wide_trace(100_000, 10);
    let index = Index::build(&data);
    let trace = &index.traces[0];
    assert_eq!(trace.span_count, 100_000);
    let grouping = Grouping::by(GroupBy::Service).then(GroupBy::Operation);
    let mut group = c.benchmark_group("analysis_100k_spans");
    group.measurement_time(Duration::from_secs(5));
    group.bench_function("critical_path", |b| {
        b.iter(|| black_box(CriticalPath::of(&data, &index, trace)))
    });
    group.bench_function("statistics", |b| {
        b.iter(|| black_box(Statistics::of_trace(&data, &index, trace, &grouping)))
    });
    group.bench_function("repeats_and_n_plus_one", |b| {
        b.iter(|| {
            black_box(repeats::repeats(&data, &index, trace));
            black_box(repeats::n_plus_one(&data, &index, trace))
        })
    });
    group.bench_function("critical_path_and_statistics", |b| {
        b.iter(|| {
            black_box(CriticalPath::of(&data, &index, trace));
            black_box(Statistics::of_trace(&data, &index, trace, &grouping))
        })
    });
    group.finish();
}

criterion_group!(benches, analysis);
criterion_main!(benches);
