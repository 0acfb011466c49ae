//! Traces a small multi-threaded program, writes the spans as Spindle JSON and Zipkin JSON,
//! then reads both files back and prints what they hold.
//!
//! ```text
//! cargo run --example quickstart [OUTPUT_DIR]
//! ```
//!
//! To also send the spans to a collector, name it in the environment, e.g.
//! `OTEL_TRACES_EXPORTER=otlp OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318` (Jaeger,
//! Tempo, the OpenTelemetry Collector) or `OTEL_TRACES_EXPORTER=zipkin`.

use std::collections::HashMap;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::time::Duration;

use spindle::propagation::Propagator;
use spindle::propagation::w3c::TraceContextPropagator;
use spindle::{Config, Context, FileFormat, Instrument, Span, SpanKind, Status};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "spindle-demo".into()),
    );
    std::fs::create_dir_all(&dir)?;
    let spindle_file = dir.join("quickstart.spindle.json");
    let zipkin_file = dir.join("quickstart.zipkin.json");

    let tracer = spindle::init(
        Config::new()
            .service_name("quickstart")
            .service_version(env!("CARGO_PKG_VERSION"))
            .export_to_file(&spindle_file, FileFormat::Spindle)
            .export_to_file(&zipkin_file, FileFormat::Zipkin)
            // Plus whatever OTEL_TRACES_EXPORTER names (otlp, zipkin, console, ...).
            .exporters_from_env(),
    )?;

    for order in 1..=3 {
        handle_order(order);
    }

    // A collector that is down does not stop the demo: its failures are in the statistics.
    if let Err(error) = tracer.shutdown(Duration::from_secs(5)) {
        eprintln!("shutdown: {error}");
    }
    let stats = tracer.stats();
    println!(
        "recorded {} spans, exported {}, dropped {}",
        stats.spans_ended,
        stats.spans_exported,
        stats.dropped()
    );
    if let Some(error) = &stats.last_error {
        println!("last export error: {error}");
    }
    summarise(&spindle_file)?;
    summarise(&zipkin_file)?;
    Ok(())
}

/// A request handler: a server span with work on two threads and a call to another service.
fn handle_order(order: i64) {
    let root = Span::builder("POST /orders")
        .kind(SpanKind::Server)
        .attribute("order.id", order);
    let _request = root.start().enter();
    spindle::current::set_attribute("http.request.method", "POST");

    let context = Context::current();
    let pricing = std::thread::spawn(move || {
        let _attached = context.attach();
        spindle::in_span("price items", || {
            spindle::current::set_attribute("items", 3);
            std::thread::sleep(Duration::from_millis(2));
        });
    });
    spindle::in_span("check stock", || {
        std::thread::sleep(Duration::from_millis(1))
    });
    let _ = pricing.join();

    call_payment_service(order);
    let mut reply = Span::new("render reply");
    if order == 3
        && let Err(error) = "three hundred".parse::<u8>()
    {
        reply.record_error(&error);
    }
}

/// The client side injects the context into headers; the "payment service" extracts it.
fn call_payment_service(order: i64) {
    let client = Span::builder("POST payment")
        .kind(SpanKind::Client)
        .start()
        .enter();
    let mut headers: HashMap<String, String> = HashMap::new();
    TraceContextPropagator.inject(&client.context(), &mut headers);

    // What the payment service does with the incoming request:
    let parent = TraceContextPropagator.extract(&headers).unwrap_or_default();
    let server = Span::builder("charge card")
        .kind(SpanKind::Server)
        .parent(&parent)
        .start();
    let charge = async move {
        spindle::current::set_attribute("payment.amount_cents", 1299 * order);
        spindle::current::set_status(Status::Ok);
    };
    block_on(charge.in_span(server));
}

/// A minimal executor for the example's one future.
fn block_on<F: Future>(future: F) -> F::Output {
    let waker = std::task::Waker::noop();
    let mut cx = std::task::Context::from_waker(waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let std::task::Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

/// Opens a trace file the way the viewer does and prints a summary.
fn summarise(path: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let loaded = spindle_formats::read_file(path)?;
    let data = &loaded.data;
    let traces: std::collections::HashSet<_> = data.spans.iter().map(|s| s.trace_id).collect();
    let errors = data.spans.iter().filter(|s| s.status.is_error()).count();
    println!(
        "{}: {:?}, {} spans in {} traces, {} with errors, {} warnings",
        path.display(),
        loaded.format,
        data.spans.len(),
        traces.len(),
        errors,
        loaded.warnings.len()
    );
    Ok(())
}
