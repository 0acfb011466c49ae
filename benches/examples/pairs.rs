//! Makes N root + child pairs with one tracer, for profilers (callgrind counts instructions, so
//! its numbers do not depend on how busy the machine is):
//!
//! ```sh
//! cargo build --release -p spindle-benches --example pairs
//! valgrind --tool=callgrind --separate-threads=yes target/release/examples/pairs spindle 100000
//! ```
//!
//! Tracers: `spindle`, `spindle-unsampled`, `fastrace`, `fastrace-unsampled`, `opentelemetry_sdk`.

#[path = "../benches/common/mod.rs"]
mod common;

use common::*;

fn main() {
    let mut args = std::env::args().skip(1);
    let tracer = args.next().unwrap_or_else(|| "spindle".into());
    let pairs: u64 = args.next().and_then(|n| n.parse().ok()).unwrap_or(100_000);
    let created = pairs * 2;
    let delivered = match tracer.as_str() {
        "spindle" | "spindle-unsampled" => {
            let (guard, delivered) = spindle_init(tracer == "spindle");
            (0..pairs).for_each(|_| spindle_pair());
            spindle_flush(&guard);
            delivered.get()
        }
        "fastrace" | "fastrace-unsampled" => {
            let delivered = fastrace_init();
            let sampled = tracer == "fastrace";
            (0..pairs).for_each(|_| fastrace_pair(sampled));
            fastrace_flush();
            delivered.get()
        }
        "opentelemetry_sdk" => {
            use opentelemetry::trace::TracerProvider;
            let (provider, delivered) = otel_provider(true);
            let t = provider.tracer("bench");
            (0..pairs).for_each(|_| otel_pair(&t));
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
