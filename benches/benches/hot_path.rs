//! The hot path, side by side in one run: a root span plus one child, two attributes on each
//! given when the span is built, started and ended, through each tracer's real pipeline to a
//! counting exporter; the same unsampled; fastrace's own shape (1 root + 99 children); the
//! physical floor; and W3C context propagation.
//!
//! Each tracer runs in a process of its own (this binary runs itself again, see
//! `common/rounds.rs`), three rounds in rotated order, then the sampled pair again with one
//! CPU-bound thread per core competing. `cargo bench -p spindle-benches --bench hot_path
//! [-- spindle fastrace ...]`.

mod common;

use std::cell::RefCell;
use std::collections::HashMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use common::rounds::{self, Plan};
use common::*;
use criterion::{Criterion, Throughput};

/// One child process per case; the floor is a case of its own.
const PLAN: Plan = Plan {
    bench: "hot_path",
    cases: &[
        "floor",
        "spindle",
        "fastrace",
        "opentelemetry_sdk",
        "tracing_registry",
        "tracing_opentelemetry",
    ],
    loaded_cases: &["spindle", "fastrace", "opentelemetry_sdk"],
    loaded_groups: "pair_sampled",
};

/// Runs `f` `iters` times and returns the time taken; counts `spans_per_iter` per iteration.
fn timed(iters: u64, created: &mut u64, spans_per_iter: u64, mut f: impl FnMut()) -> Duration {
    *created += iters * spans_per_iter;
    let start = Instant::now();
    for _ in 0..iters {
        f();
    }
    start.elapsed()
}

/// Spindle's pair in each way of giving attributes: the builder (the workload every tracer
/// runs), `set_attribute` after start, and a closure run only when sampled.
const SPINDLE_PAIRS: [(&str, fn()); 3] = [
    ("spindle", spindle_pair),
    ("spindle_set_attribute", spindle_pair_set_attribute),
    ("spindle_lazy", spindle_pair_lazy),
];

fn pair(c: &mut Criterion, case: &str, sampled: bool) {
    let group_name = if sampled {
        "pair_sampled"
    } else {
        "pair_unsampled"
    };
    if !rounds::wants_group(group_name) {
        return;
    }
    let mut group = c.benchmark_group(group_name);
    group.throughput(Throughput::Elements(2));
    // Spans a recording tracer must deliver: all of them when sampled, none otherwise.
    let per_iter = if sampled { 2 } else { 0 };

    if case == "spindle" {
        let (guard, delivered) = spindle_init(sampled);
        for (name, make_pair) in SPINDLE_PAIRS {
            let before = delivered.get();
            let mut created = 0;
            group.bench_function(name, |b| {
                b.iter_custom(|iters| timed(iters, &mut created, per_iter, make_pair))
            });
            spindle_flush(&guard);
            let got = delivered.get() - before;
            report_delivery(&format!("{group_name}/{name}"), created, got);
        }
    }
    if case == "fastrace" {
        let delivered = fastrace_init();
        let before = delivered.get();
        let mut created = 0;
        group.bench_function("fastrace", |b| {
            b.iter_custom(|iters| timed(iters, &mut created, per_iter, || fastrace_pair(sampled)))
        });
        fastrace_flush();
        let got = delivered.get() - before;
        report_delivery(&format!("{group_name}/fastrace"), created, got);
    }
    if case == "opentelemetry_sdk" {
        use opentelemetry::trace::TracerProvider;
        let (provider, delivered) = otel_provider(sampled);
        let tracer = provider.tracer("bench");
        let mut created = 0;
        group.bench_function("opentelemetry_sdk", |b| {
            b.iter_custom(|iters| timed(iters, &mut created, per_iter, || otel_pair(&tracer)))
        });
        otel_flush(&provider);
        let name = format!("{group_name}/opentelemetry_sdk");
        report_delivery(&name, created, delivered.get());
        let _ = provider.shutdown();
    }
    if sampled && case == "tracing_registry" {
        // Plain tracing has no sampler: only the sampled case applies.
        let (dispatch, delivered) = tracing_registry();
        let mut created = 0;
        tracing::dispatcher::with_default(&dispatch, || {
            group.bench_function("tracing_registry", |b| {
                b.iter_custom(|iters| timed(iters, &mut created, 2, tracing_pair))
            });
        });
        report_delivery(
            &format!("{group_name}/tracing_registry"),
            created,
            delivered.get(),
        );
    }
    if case == "tracing_opentelemetry" {
        let (dispatch, provider, delivered) = tracing_otel(sampled);
        let mut created = 0;
        tracing::dispatcher::with_default(&dispatch, || {
            group.bench_function("tracing_opentelemetry", |b| {
                b.iter_custom(|iters| timed(iters, &mut created, per_iter, tracing_pair))
            });
        });
        otel_flush(&provider);
        let name = format!("{group_name}/tracing_opentelemetry");
        report_delivery(&name, created, delivered.get());
        let _ = provider.shutdown();
    }
    group.finish();
}

/// Pushes `pushes_per_iter` values per iteration into a bounded crossbeam channel, timing
/// only the pushes (the channel is drained between chunks, outside the timer), plus `extra`.
fn with_channel(iters: u64, pushes_per_iter: u64, mut extra: impl FnMut()) -> Duration {
    const CHUNK: u64 = 1024;
    let (tx, rx) = crossbeam_channel::bounded::<u64>((CHUNK * pushes_per_iter.max(1)) as usize);
    let mut total = Duration::ZERO;
    let mut left = iters;
    while left > 0 {
        let n = left.min(CHUNK);
        let start = Instant::now();
        for i in 0..n {
            extra();
            for _ in 0..pushes_per_iter {
                let _ = tx.try_send(black_box(i));
            }
        }
        total += start.elapsed();
        rx.try_iter().for_each(drop);
        left -= n;
    }
    total
}

thread_local! {
    /// The floor's per-thread buffer: what a span end at least does is push onto one.
    static PUSHED: RefCell<Vec<[u64; 4]>> = RefCell::new(Vec::with_capacity(2048));
}

/// The physical floor of a pair of spans: 4 TSC reads (start and end of each), one random
/// u128 (the trace id), two random span ids, two pushes onto a thread-local buffer (emptied
/// every 1024 pairs, outside the timer).
fn tsc_floor(iters: u64, clock: &quanta::Clock) -> Duration {
    let mut total = Duration::ZERO;
    let mut left = iters;
    while left > 0 {
        let n = left.min(1024);
        let start = Instant::now();
        for _ in 0..n {
            let trace_id = black_box(rand::random::<u128>());
            let (root_id, child_id) = (rand::random::<u64>(), rand::random::<u64>());
            let (root_start, child_start) = (clock.raw(), clock.raw());
            let (child_end, root_end) = (clock.raw(), clock.raw());
            PUSHED.with(|pushed| {
                let mut pushed = pushed.borrow_mut();
                pushed.push([trace_id as u64, child_id, child_start, child_end]);
                pushed.push([trace_id as u64, root_id, root_start, root_end]);
            });
        }
        total += start.elapsed();
        PUSHED.with(|pushed| black_box(pushed.borrow_mut()).clear());
        left -= n;
    }
    total
}

fn floor(c: &mut Criterion, case: &str) {
    if case != "floor" || !rounds::wants_group("floor") {
        return;
    }
    let mut group = c.benchmark_group("floor");
    let clock = quanta::Clock::new();
    group.bench_function("pair_floor_tsc", |b| {
        b.iter_custom(|iters| tsc_floor(iters, &clock))
    });
    group.bench_function("instant_now_x2", |b| {
        b.iter(|| (black_box(Instant::now()), black_box(Instant::now())))
    });
    group.bench_function("random_u64", |b| {
        b.iter(|| black_box(rand::random::<u64>()))
    });
    group.bench_function("channel_push", |b| {
        b.iter_custom(|iters| with_channel(iters, 1, || {}))
    });
    // What a pair of spans needs at least: 4 clock reads, a 128-bit trace id's worth of
    // randomness, and a hand-off of each span.
    group.bench_function("pair_floor", |b| {
        b.iter_custom(|iters| {
            with_channel(iters, 2, || {
                for _ in 0..4 {
                    black_box(Instant::now());
                }
                black_box(rand::random::<u64>());
                black_box(rand::random::<u64>());
            })
        })
    });
    group.finish();
}

/// fastrace's own benchmark shape: one root and 99 children, no attributes.
fn wide(c: &mut Criterion, case: &str) {
    let peers = ["spindle", "fastrace", "opentelemetry_sdk"];
    if !rounds::wants_group("root_99_children") || !peers.contains(&case) {
        return;
    }
    let mut group = c.benchmark_group("root_99_children");
    group.throughput(Throughput::Elements(100));
    if case == "spindle" {
        let (guard, delivered) = spindle_init(true);
        let mut created = 0;
        group.bench_function("spindle", |b| {
            b.iter_custom(|iters| {
                timed(iters, &mut created, 100, || {
                    spindle::in_span("root", || {
                        for _ in 0..99 {
                            drop(spindle::Span::new("child"));
                        }
                    })
                })
            })
        });
        spindle_flush(&guard);
        report_delivery("root_99_children/spindle", created, delivered.get());
    }
    if case == "fastrace" {
        use fastrace::prelude::*;
        let delivered = fastrace_init();
        let before = delivered.get();
        let mut created = 0;
        group.bench_function("fastrace", |b| {
            b.iter_custom(|iters| {
                timed(iters, &mut created, 100, || {
                    let root = Span::root("root", SpanContext::random());
                    let _parent = root.set_local_parent();
                    for _ in 0..99 {
                        drop(LocalSpan::enter_with_local_parent("child"));
                    }
                })
            })
        });
        fastrace_flush();
        let got = delivered.get() - before;
        report_delivery("root_99_children/fastrace", created, got);
    }
    if case == "opentelemetry_sdk" {
        use opentelemetry::trace::{Tracer, TracerProvider};
        let (provider, delivered) = otel_provider(true);
        let tracer = provider.tracer("bench");
        let mut created = 0;
        group.bench_function("opentelemetry_sdk", |b| {
            b.iter_custom(|iters| {
                timed(iters, &mut created, 100, || {
                    tracer.in_span("root", |_cx| {
                        for _ in 0..99 {
                            drop(tracer.start("child"));
                        }
                    })
                })
            })
        });
        otel_flush(&provider);
        report_delivery(
            "root_99_children/opentelemetry_sdk",
            created,
            delivered.get(),
        );
        let _ = provider.shutdown();
    }
    group.finish();
}

const TRACEPARENT: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
const TRACESTATE: &str = "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7";

/// Inject then extract `traceparent` and `tracestate` through a `HashMap<String, String>`.
fn propagation(c: &mut Criterion, case: &str) {
    if !rounds::wants_group("propagation") || !matches!(case, "spindle" | "opentelemetry_sdk") {
        return;
    }
    let mut group = c.benchmark_group("propagation");
    if case == "spindle" {
        use spindle::propagation::Propagator;
        let propagator = spindle::propagation::w3c::TraceContextPropagator;
        let headers = HashMap::from([
            ("traceparent".to_owned(), TRACEPARENT.to_owned()),
            ("tracestate".to_owned(), TRACESTATE.to_owned()),
        ]);
        let cx = propagator.extract(&headers).expect("valid headers");
        group.bench_function("spindle", |b| {
            b.iter(|| {
                let mut out: HashMap<String, String> = HashMap::with_capacity(2);
                propagator.inject(black_box(&cx), &mut out);
                black_box(propagator.extract(&out))
            })
        });
    }
    if case == "opentelemetry_sdk" {
        use opentelemetry::propagation::TextMapPropagator;
        let propagator = opentelemetry_sdk::propagation::TraceContextPropagator::new();
        let headers = HashMap::from([
            ("traceparent".to_owned(), TRACEPARENT.to_owned()),
            ("tracestate".to_owned(), TRACESTATE.to_owned()),
        ]);
        let cx = propagator.extract(&headers);
        group.bench_function("opentelemetry_sdk", |b| {
            b.iter(|| {
                let mut out: HashMap<String, String> = HashMap::with_capacity(2);
                propagator.inject_context(black_box(&cx), &mut out);
                black_box(propagator.extract(&out))
            })
        });
    }
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(50)
}

fn main() {
    let Some(case) = rounds::child_case() else {
        return rounds::drive(PLAN);
    };
    let mut c = config().configure_from_args();
    floor(&mut c, &case);
    pair(&mut c, &case, true);
    pair(&mut c, &case, false);
    wide(&mut c, &case);
    propagation(&mut c, &case);
    c.final_summary();
}
