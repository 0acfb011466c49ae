//! Makes N root + child pairs (two fields on the child) through the `tracing` registry alone
//! or through the registry with `SpindleLayer`, for instruction counts that do not depend on
//! machine load:
//!
//! ```sh
//! cargo build --release -p spindle-tracing --example bridge_pairs
//! valgrind --tool=callgrind target/release/examples/bridge_pairs registry 100000
//! valgrind --tool=callgrind target/release/examples/bridge_pairs layer 100000
//! ```
//!
//! Modes: `registry`, `layer`, `layer-no-location`, and `spindle` (the same pair through
//! Spindle's own API, no `tracing`).

use tracing_subscriber::layer::SubscriberExt;

fn pair() {
    let root = tracing::info_span!("root");
    let _entered = root.enter();
    let _child = tracing::info_span!("child", http.method = "GET", http.status_code = 200);
}

fn spindle_pair() {
    spindle::in_span("root", || {
        let mut child = spindle::Span::new("child");
        child.set_attribute("http.method", "GET");
        child.set_attribute("http.status_code", 200);
    });
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_else(|| "layer".to_owned());
    let count: u64 = args.next().and_then(|n| n.parse().ok()).unwrap_or(100_000);
    if mode == "spindle" {
        let tracer = spindle_tracer();
        (0..count).for_each(|_| spindle_pair());
        drop(tracer);
        return;
    }
    let (dispatch, tracer) = match mode.as_str() {
        "registry" => (tracing::Dispatch::new(tracing_subscriber::registry()), None),
        "layer" | "layer-no-location" => {
            let tracer = spindle_tracer();
            let layer = spindle_tracing::SpindleLayer::new().with_location(mode == "layer");
            let subscriber = tracing_subscriber::registry().with(layer);
            (tracing::Dispatch::new(subscriber), Some(tracer))
        }
        other => {
            eprintln!("unknown mode {other}: registry, layer, layer-no-location or spindle");
            std::process::exit(2);
        }
    };
    tracing::dispatcher::with_default(&dispatch, || (0..count).for_each(|_| pair()));
    drop(tracer);
}

/// A tracer sampling everything into an exporter that keeps the spans in memory.
fn spindle_tracer() -> spindle::TracerGuard {
    spindle::init(
        spindle::Config::new()
            .sampler(spindle::sampler::Sampler::AlwaysOn)
            .exporter(spindle::InMemoryExporter::default()),
    )
    .expect("spindle starts")
}
