//! Makes N root + child pairs with one tracer, for profilers (callgrind counts instructions, so
//! its numbers do not depend on how busy the machine is):
//!
//! ```sh
//! cargo build --release -p spindle-benches --example pairs
//! SPINDLE_PAIRS_FLUSH_EVERY=1024 valgrind --tool=callgrind --separate-threads=yes \
//!     --toggle-collect='*pairs::counted*' target/release/examples/pairs spindle 100000
//! ```
//!
//! With `--toggle-collect` only the pairs themselves are counted (not start-up, flushes or
//! shutdown): the producer thread's total (the largest `callgrind.out.*-NN` file) divided by
//! N is the instructions per pair. `SPINDLE_PAIRS_FLUSH_EVERY` flushes the tracer every that
//! many pairs (outside the counted function): callgrind runs one thread at a time, so without
//! it the producer runs far ahead of the exporter, finds no reused record boxes and allocates,
//! which a producer with the exporter on another core does not.
//!
//! Tracers: `spindle`, `spindle-unsampled` (attributes through the builder, the benches'
//! workload), `spindle-set-attribute[-unsampled]`, `spindle-lazy[-unsampled]`, `fastrace`,
//! `fastrace-unsampled`, `opentelemetry_sdk`. A second number of threads (default 1) makes
//! that many producer threads, each making N pairs.

#[path = "../benches/common/mod.rs"]
mod common;

use common::*;

/// One pair, out of line so that callgrind can count inside it alone (`--toggle-collect`).
#[inline(never)]
fn counted(pair: &(dyn Fn() + Sync)) {
    pair();
}

/// Pairs between flushes (`SPINDLE_PAIRS_FLUSH_EVERY`; 0: no flush until the end).
fn flush_every() -> u64 {
    std::env::var("SPINDLE_PAIRS_FLUSH_EVERY")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let tracer = args.next().unwrap_or_else(|| "spindle".into());
    let pairs: u64 = args.next().and_then(|n| n.parse().ok()).unwrap_or(100_000);
    let threads: u64 = args.next().and_then(|n| n.parse().ok()).unwrap_or(1);
    let created = pairs * 2 * threads;
    let every = flush_every();
    let on_threads = |pair: &(dyn Fn() + Sync), flush: &(dyn Fn() + Sync)| {
        std::thread::scope(|scope| {
            for _ in 0..threads {
                scope.spawn(|| {
                    for i in 1..=pairs {
                        counted(pair);
                        if every > 0 && i % every == 0 {
                            flush();
                        }
                    }
                });
            }
        })
    };
    let spindle = |pair: fn(), sampled: bool| {
        let (guard, delivered) = spindle_init(sampled);
        let flush = || {
            let _ = guard.flush(std::time::Duration::from_secs(30));
        };
        on_threads(&pair, &flush);
        spindle_flush(&guard);
        delivered.get()
    };
    let delivered = match tracer.as_str() {
        "spindle" => spindle(spindle_pair, true),
        "spindle-unsampled" => spindle(spindle_pair, false),
        "spindle-set-attribute" => spindle(spindle_pair_set_attribute, true),
        "spindle-set-attribute-unsampled" => spindle(spindle_pair_set_attribute, false),
        "spindle-lazy" => spindle(spindle_pair_lazy, true),
        "spindle-lazy-unsampled" => spindle(spindle_pair_lazy, false),
        "fastrace" | "fastrace-unsampled" => {
            let delivered = fastrace_init();
            let sampled = tracer == "fastrace";
            on_threads(&|| fastrace_pair(sampled), &fastrace_flush);
            fastrace_flush();
            delivered.get()
        }
        "opentelemetry_sdk" => {
            use opentelemetry::trace::TracerProvider;
            let (provider, delivered) = otel_provider(true);
            let t = provider.tracer("bench");
            on_threads(&|| otel_pair(&t), &|| otel_flush(&provider));
            otel_flush(&provider);
            delivered.get()
        }
        other => {
            eprintln!("unknown tracer {other}");
            std::process::exit(2);
        }
    };
    println!("{tracer}: created {created} spans, delivered {delivered}");
}
