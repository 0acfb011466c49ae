//! Makes N root + child pairs with one tracer, for profilers (callgrind counts instructions, so
//! its numbers do not depend on how busy the machine is):
//!
//! ```sh
//! cargo build --release -p spindle-benches --example pairs
//! valgrind --tool=callgrind --separate-threads=yes target/release/examples/pairs spindle 100000
//! ```
//!
//! Tracers: `spindle`, `spindle-unsampled` (attributes through the builder, the benches'
//! workload), `spindle-set-attribute[-unsampled]`, `spindle-lazy[-unsampled]`, `fastrace`,
//! `fastrace-unsampled`, `opentelemetry_sdk`. A second number of threads (default 1) makes
//! that many producer threads, each making N pairs.

#[path = "../benches/common/mod.rs"]
mod common;

use common::*;

fn main() {
    let mut args = std::env::args().skip(1);
    let tracer = args.next().unwrap_or_else(|| "spindle".into());
    let pairs: u64 = args.next().and_then(|n| n.parse().ok()).unwrap_or(100_000);
    let threads: u64 = args.next().and_then(|n| n.parse().ok()).unwrap_or(1);
    let created = pairs * 2 * threads;
    let on_threads = |pair: &(dyn Fn() + Sync)| {
        std::thread::scope(|scope| {
            for _ in 0..threads {
                scope.spawn(|| (0..pairs).for_each(|_| pair()));
            }
        })
    };
    let spindle = |pair: fn(), sampled: bool| {
        let (guard, delivered) = spindle_init(sampled);
        on_threads(&pair);
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
            on_threads(&|| fastrace_pair(sampled));
            fastrace_flush();
            delivered.get()
        }
        "opentelemetry_sdk" => {
            use opentelemetry::trace::TracerProvider;
            let (provider, delivered) = otel_provider(true);
            let t = provider.tracer("bench");
            on_threads(&|| otel_pair(&t));
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
