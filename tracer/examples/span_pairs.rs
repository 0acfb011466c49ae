//! The callgrind subject for the cost of starting and ending spans: `N` root spans, each with
//! one child (a server span with two builder attributes, the child plain), exported to a sink
//! that discards them.
//!
//! ```text
//! cargo build --release --example span_pairs
//! valgrind --tool=callgrind --toggle-collect='span_pairs::run_pairs' target/release/examples/span_pairs 1000
//! valgrind --tool=callgrind --toggle-collect='span_pairs::run_pairs' target/release/examples/span_pairs 11000
//! ```
//!
//! The difference of the two totals over 10,000 is the instructions per root+child pair on
//! the application thread (the loop alone: start-up, the flush's wait and the exporter's
//! thread are left out, so the count repeats exactly). `SPINDLE_SAMPLING_RULES` and `OTEL_TRACES_SAMPLER`
//! choose the sampler as they do for any service.

use spindle::{Config, ExportError, Span, SpanBatch, SpanExporter, SpanKind};

/// Takes batches and forgets them.
#[derive(Debug)]
struct Discard;

impl SpanExporter for Discard {
    fn export(&mut self, batch: SpanBatch<'_>) -> Result<(), ExportError> {
        std::hint::black_box(batch.spans.len());
        Ok(())
    }
}

fn main() {
    let pairs: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(1000);
    let tracer = spindle::init(Config::new().service_name("span-pairs").exporter(Discard))
        .expect("tracer starts");
    run_pairs(pairs);
    let _ = tracer.flush(std::time::Duration::from_secs(5));
}

/// The measured loop.
#[inline(never)]
fn run_pairs(pairs: usize) {
    for i in 0..pairs {
        let root = Span::builder("GET /orders")
            .kind(SpanKind::Server)
            .attribute("url.path", "/orders")
            .attribute("http.request.method", "GET")
            .start()
            .enter();
        let child = Span::new("load order");
        std::hint::black_box((&root, &child, i));
    }
}
