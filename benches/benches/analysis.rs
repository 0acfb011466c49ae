//! Trace analysis speed targets (issue 14), on a generated 100,000-span trace
//! (`fixture::wide_trace`, fan-out 10):
//! - the critical path: target ≤ 50 ms;
//! - statistics by service then operation (self times come from the index);
//! - repeated siblings and N+1 findings;
//! - all three together, what opening a trace's analysis costs;
//! - comparing two 100,000-span traces by call path (issue 17): target ≤ 100 ms, same shape
//!   (fan-out 10 against 10) and different shapes (10 against 11: many added and removed);
//! - comparing two sets of 10,000 traces (`fixture::many_traces`, 10 and 12 spans a trace)
//!   by call path: target ≤ 2 s;
//! - the service map of those 10,000 traces;
//! - what the UI thread pays at a pick before the comparison moves to its worker: copying
//!   the traces' lean spans (`Copied::of`), for a 100,000-span trace and a 10,000-trace set.
//!
//! `cargo bench -p spindle-benches --bench analysis`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use spindle_viewer::analysis::compare::extract::Copied;
use spindle_viewer::analysis::compare::{SetComparison, Side, TraceComparison};
use spindle_viewer::analysis::critical_path::CriticalPath;
use spindle_viewer::analysis::repeats;
use spindle_viewer::analysis::service_map::ServiceMap;
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

fn compare(c: &mut Criterion) {
    let a = fixture::wide_trace(100_000, 10);
    let same = fixture::wide_trace(100_000, 10);
    let other = fixture::wide_trace(100_000, 11);
    let (ia, isame, iother) = (Index::build(&a), Index::build(&same), Index::build(&other));
    let side = |d, i| Side::new(d, i);
    let mut group = c.benchmark_group("compare_100k_span_traces");
    group.measurement_time(Duration::from_secs(5));
    group.bench_function("same_shape", |b| {
        b.iter(|| {
            black_box(TraceComparison::of(
                side(&a, &ia),
                &ia.traces[0],
                side(&same, &isame),
                &isame.traces[0],
            ))
        })
    });
    group.bench_function("different_shape", |b| {
        b.iter(|| {
            black_box(TraceComparison::of(
                side(&a, &ia),
                &ia.traces[0],
                side(&other, &iother),
                &iother.traces[0],
            ))
        })
    });
    group.finish();

    let set_a = fixture::many_traces(10_000, 10);
    let set_b = fixture::many_traces(10_000, 12);
    let (isa, isb) = (Index::build(&set_a), Index::build(&set_b));
    assert_eq!((isa.traces.len(), isb.traces.len()), (10_000, 10_000));
    let mut group = c.benchmark_group("compare_10k_trace_sets");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("by_call_path", |b| {
        b.iter(|| {
            black_box(SetComparison::of(
                side(&set_a, &isa),
                &isa.traces,
                side(&set_b, &isb),
                &isb.traces,
            ))
        })
    });
    group.bench_function("service_map", |b| {
        b.iter(|| black_box(ServiceMap::of_all(&set_a, &isa)))
    });
    group.finish();

    let mut group = c.benchmark_group("compare_copy_on_the_ui_thread");
    group.measurement_time(Duration::from_secs(5));
    group.bench_function("trace_of_100k_spans", |b| {
        b.iter(|| black_box(Copied::of(&a, [&ia.traces[0]])))
    });
    group.bench_function("set_of_10k_traces", |b| {
        b.iter(|| black_box(Copied::of(&set_a, &isa.traces)))
    });
    group.finish();
}

criterion_group!(benches, analysis, compare);
criterion_main!(benches);
