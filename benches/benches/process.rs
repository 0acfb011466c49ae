//! Whole-process costs, each tracer alone in a child process (this binary runs itself again),
//! so that CPU time and peak memory belong to one tracer only:
//!
//! - `paced`: a steady load well below every tracer's capacity (`SPINDLE_BENCH_PACED_RATE`
//!   pairs of a root and a child per second, default 50,000, for `SPINDLE_BENCH_PACED_SECS`,
//!   default 3), each tracer's own Zipkin path (OpenTelemetry's Zipkin exporter for the peers)
//!   encoding every batch to Zipkin v2 JSON into a writer or HTTP client that discards. Reported: CPU
//!   time of the whole process (every thread: the application's, the exporter's, a peer's
//!   collector) per pair, less the CPU of the same paced loop with no tracer.
//! - `saturation`: one thread making pairs flat out for `SPINDLE_BENCH_SATURATION_SECS`
//!   (default 10) to a counting exporter, queues sized 65,536 spans where they can be sized.
//!   Reported: spans created, delivered (after up to 10 s of draining), drops the tracer
//!   counted, and peak RSS growth over the RSS after start-up.
//!
//! `cargo bench -p spindle-benches --bench process [-- paced|saturation|TRACER]`; results go to
//! `<target>/criterion/process/` for `benches/report.py`.

// OpenTelemetry deprecated its Zipkin exporter (in favour of OTLP) but ships it in 0.33: it is
// still the OpenTelemetry SDK's own way to Zipkin JSON, which is what is compared here.
#![allow(deprecated)]

mod common;

use std::io;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant, UNIX_EPOCH};

use common::{Delivered, criterion_dir, fastrace_pair, otel_pair, spindle_pair, tracing_pair};
use spindle_formats::SpanBatch;

/// The environment variable that makes this binary run one case as a child.
const CHILD: &str = "SPINDLE_PROCESS_CASE";
/// Queue size given to the tracers that can be sized, in the saturation runs.
const SATURATION_QUEUE: usize = 65_536;
const TRACERS: [&str; 5] = [
    "none",
    "spindle",
    "fastrace",
    "opentelemetry_sdk",
    "tracing_opentelemetry",
];

fn main() {
    if let Ok(case) = std::env::var(CHILD) {
        let (mode, tracer) = case.split_once(':').unwrap_or((&case, "spindle"));
        println!("{}", run_child(mode, tracer));
        // Skip destructors: a peer's shutdown may wait on a backlog that is not measured.
        std::process::exit(0);
    }
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let wanted = |mode: &str, tracer: &str| {
        filter.is_empty() || filter.iter().any(|f| f == mode || f == tracer)
    };
    for mode in ["paced", "saturation"] {
        for tracer in TRACERS {
            if (mode == "saturation" && tracer == "none") || !wanted(mode, tracer) {
                continue;
            }
            run_parent(mode, tracer);
        }
    }
}

/// Runs one case in a child process and keeps its JSON line.
fn run_parent(mode: &str, tracer: &str) {
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(e) => return eprintln!("process: cannot find this binary: {e}"),
    };
    let output = Command::new(exe)
        .env(CHILD, format!("{mode}:{tracer}"))
        .output();
    let line = match output {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).trim().to_owned(),
        Ok(out) => {
            return eprintln!(
                "process {mode}/{tracer} failed ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Err(e) => return eprintln!("process {mode}/{tracer}: cannot start: {e}"),
    };
    eprintln!("process {mode}/{tracer}: {line}");
    let dir = criterion_dir().join("process");
    let file = dir.join(format!("{mode}__{tracer}.json"));
    if let Err(e) = std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&file, line + "\n"))
    {
        eprintln!("cannot write {}: {e}", file.display());
    }
}

fn env_number(name: &str, default: f64) -> f64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

// ---------------------------------------------------------------------------------------------
// Children

/// A tracer installed in this process: how to make a pair, flush, and read its counts.
struct Installed {
    pair: Box<dyn Fn()>,
    flush: Box<dyn Fn() + Send>,
    delivered: Delivered,
    /// Drops the tracer itself counted (None: it does not count them).
    counted_drops: Box<dyn Fn() -> Option<u64>>,
}

fn run_child(mode: &str, tracer: &str) -> String {
    let zipkin = mode == "paced";
    let installed = install(tracer, zipkin);
    match mode {
        "paced" => paced(tracer, installed),
        _ => saturation(tracer, installed),
    }
}

fn paced(tracer: &str, installed: Installed) -> String {
    let rate = env_number("SPINDLE_BENCH_PACED_RATE", 50_000.0) as u64;
    let seconds = env_number("SPINDLE_BENCH_PACED_SECS", 3.0);
    let per_ms = (rate / 1000).max(1);
    let ticks = (seconds * 1000.0) as u32;
    let cpu_before = process_cpu_ns();
    let start = Instant::now();
    for tick in 1..=ticks {
        (0..per_ms).for_each(|_| (installed.pair)());
        let next = start + Duration::from_millis(u64::from(tick));
        if let Some(wait) = next.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
    }
    (installed.flush)();
    let cpu = process_cpu_ns() - cpu_before;
    let pairs = per_ms * u64::from(ticks);
    format!(
        "{{\"mode\":\"paced\",\"tracer\":\"{tracer}\",\"pairs\":{pairs},\"created\":{},\"delivered\":{},\"cpu_ns\":{cpu},\"seconds\":{:.3}}}",
        if tracer == "none" { 0 } else { pairs * 2 },
        installed.delivered.get(),
        start.elapsed().as_secs_f64()
    )
}

fn saturation(tracer: &str, installed: Installed) -> String {
    let seconds = env_number("SPINDLE_BENCH_SATURATION_SECS", 10.0);
    let rss_start = proc_status_kib("VmRSS");
    let start = Instant::now();
    let deadline = start + Duration::from_secs_f64(seconds);
    let mut pairs = 0u64;
    while Instant::now() < deadline {
        (0..64).for_each(|_| (installed.pair)());
        pairs += 64;
    }
    let produced_in = start.elapsed().as_secs_f64();
    // Drain for at most 10 s: a tracer that cannot catch up is not waited for.
    let flush = installed.flush;
    let (done, finished) = crossbeam_channel::bounded(1);
    std::thread::spawn(move || {
        flush();
        let _ = done.send(());
    });
    let _ = finished.recv_timeout(Duration::from_secs(10));
    let rss_peak = proc_status_kib("VmHWM");
    let created = pairs * 2;
    let counted = (installed.counted_drops)().map_or("null".into(), |n| n.to_string());
    format!(
        "{{\"mode\":\"saturation\",\"tracer\":\"{tracer}\",\"seconds\":{produced_in:.3},\"created\":{created},\"delivered\":{},\"counted_drops\":{counted},\"rss_start_kib\":{rss_start},\"rss_peak_kib\":{rss_peak}}}",
        installed.delivered.get()
    )
}

/// CPU time of every live thread of this process, in nanoseconds (from the scheduler's
/// per-thread accounting, which is exact, unlike the tick-based `utime`).
fn process_cpu_ns() -> u64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0;
    };
    tasks
        .filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("schedstat")).ok())
        .filter_map(|stat| stat.split_whitespace().next()?.parse::<u64>().ok())
        .sum()
}

/// A `/proc/self/status` field in KiB (`VmRSS`, `VmHWM`).
fn proc_status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

// ---------------------------------------------------------------------------------------------
// Tracers, each with an exporter that either counts, or encodes to Zipkin JSON and counts.

fn install(tracer: &str, zipkin: bool) -> Installed {
    let delivered = Delivered::default();
    let sink = Sink {
        delivered: delivered.clone(),
        zipkin,
    };
    match tracer {
        "spindle" => install_spindle(sink, delivered),
        "fastrace" => install_fastrace(sink, delivered),
        "opentelemetry_sdk" | "tracing_opentelemetry" => {
            install_otel(sink, delivered, tracer == "tracing_opentelemetry")
        }
        _ => Installed {
            pair: Box::new(|| {}),
            flush: Box::new(|| {}),
            delivered,
            counted_drops: Box::new(|| None),
        },
    }
}

/// Where the tracers' batches go: counted, and (if `zipkin`) encoded by the tracer's own
/// Zipkin path into a writer or HTTP client that discards.
#[derive(Debug, Clone)]
struct Sink {
    delivered: Delivered,
    zipkin: bool,
}

/// Spindle's Zipkin path: the same encoding its Zipkin file and HTTP sinks do.
impl spindle::SpanExporter for Sink {
    fn export(&mut self, batch: SpanBatch<'_>) -> Result<(), spindle::ExportError> {
        if self.zipkin {
            let _ = spindle_formats::write_zipkin(batch, &mut io::sink());
        }
        self.delivered.add(batch.spans.len());
        Ok(())
    }
}

fn install_spindle(sink: Sink, delivered: Delivered) -> Installed {
    let guard = spindle::init(
        spindle::Config::new()
            .exporter(sink)
            .max_queue_size(SATURATION_QUEUE),
    )
    .expect("spindle starts");
    let guard = Arc::new(guard);
    let (flushing, counting) = (guard.clone(), guard);
    Installed {
        pair: Box::new(spindle_pair),
        flush: Box::new(move || {
            let _ = flushing.flush(Duration::from_secs(30));
        }),
        delivered,
        counted_drops: Box::new(move || Some(counting.stats().dropped())),
    }
}

/// fastrace's reporter. Counting: adds up the records. Zipkin: what `fastrace-opentelemetry`
/// does (records to OpenTelemetry `SpanData`), then OpenTelemetry's Zipkin exporter.
struct FastraceReporter {
    delivered: Delivered,
    zipkin: Option<opentelemetry_zipkin::ZipkinExporter>,
}

impl fastrace::collector::Reporter for FastraceReporter {
    fn report(&mut self, spans: Vec<fastrace::collector::SpanRecord>) {
        self.delivered.add(spans.len());
        if let Some(exporter) = &self.zipkin {
            use opentelemetry_sdk::trace::SpanExporter;
            let batch = spans.into_iter().map(fastrace_span_data).collect();
            let _ = block_on(exporter.export(batch));
        }
    }
}

fn fastrace_span_data(
    record: fastrace::collector::SpanRecord,
) -> opentelemetry_sdk::trace::SpanData {
    use opentelemetry::trace::{SpanContext, SpanKind, Status, TraceFlags, TraceState};
    use opentelemetry::{InstrumentationScope, KeyValue as OtelKeyValue};
    let time = |nanos: u64| UNIX_EPOCH + Duration::from_nanos(nanos);
    opentelemetry_sdk::trace::SpanData {
        span_context: SpanContext::new(
            opentelemetry::trace::TraceId::from(record.trace_id.0),
            opentelemetry::trace::SpanId::from(record.span_id.0),
            TraceFlags::SAMPLED,
            false,
            TraceState::default(),
        ),
        parent_span_id: opentelemetry::trace::SpanId::from(record.parent_id.0),
        parent_span_is_remote: false,
        span_kind: SpanKind::Internal,
        name: record.name,
        start_time: time(record.begin_time_unix_ns),
        end_time: time(record.begin_time_unix_ns + record.duration_ns),
        attributes: record
            .properties
            .into_iter()
            .map(|(k, v)| OtelKeyValue::new(k, v))
            .collect(),
        dropped_attributes_count: 0,
        events: Default::default(),
        links: Default::default(),
        status: Status::Unset,
        instrumentation_scope: InstrumentationScope::builder("fastrace").build(),
    }
}

/// Polls a future that completes without waiting (the discarding HTTP client answers at once).
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut context = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
        std::thread::yield_now();
    }
}

fn install_fastrace(sink: Sink, delivered: Delivered) -> Installed {
    fastrace::set_reporter(
        FastraceReporter {
            delivered: sink.delivered.clone(),
            zipkin: sink.zipkin.then(otel_zipkin_exporter),
        },
        fastrace::collector::Config::default(),
    );
    Installed {
        pair: Box::new(|| fastrace_pair(true)),
        flush: Box::new(fastrace::flush),
        delivered,
        counted_drops: Box::new(|| None),
    }
}

/// An HTTP client that answers 202 to every request and drops the body, so OpenTelemetry's
/// Zipkin exporter does all its work (conversion, JSON, request) except the network.
#[derive(Debug)]
struct DiscardingClient;

#[async_trait::async_trait]
impl opentelemetry_http::HttpClient for DiscardingClient {
    async fn send_bytes(
        &self,
        request: http::Request<bytes::Bytes>,
    ) -> Result<http::Response<bytes::Bytes>, opentelemetry_http::HttpError> {
        std::hint::black_box(request.body().len());
        Ok(http::Response::builder()
            .status(202)
            .body(bytes::Bytes::new())?)
    }
}

fn otel_zipkin_exporter() -> opentelemetry_zipkin::ZipkinExporter {
    opentelemetry_zipkin::ZipkinExporter::builder()
        .with_http_client(DiscardingClient)
        .with_collector_endpoint("http://127.0.0.1:9411/api/v2/spans")
        .build()
        .expect("the Zipkin exporter builds")
}

/// The OpenTelemetry SDK's exporter: counts, then (Zipkin) hands the batch to OpenTelemetry's
/// Zipkin exporter.
#[derive(Debug)]
struct OtelExporter {
    delivered: Delivered,
    zipkin: Option<opentelemetry_zipkin::ZipkinExporter>,
}

impl opentelemetry_sdk::trace::SpanExporter for OtelExporter {
    async fn export(
        &self,
        batch: Vec<opentelemetry_sdk::trace::SpanData>,
    ) -> opentelemetry_sdk::error::OTelSdkResult {
        self.delivered.add(batch.len());
        match &self.zipkin {
            Some(exporter) => exporter.export(batch).await,
            None => Ok(()),
        }
    }
}

fn install_otel(sink: Sink, delivered: Delivered, through_tracing: bool) -> Installed {
    use opentelemetry::trace::TracerProvider;
    use opentelemetry_sdk::trace::{BatchConfigBuilder, BatchSpanProcessor, SdkTracerProvider};
    let exporter = OtelExporter {
        delivered: sink.delivered.clone(),
        zipkin: sink.zipkin.then(otel_zipkin_exporter),
    };
    let processor = BatchSpanProcessor::builder(exporter)
        .with_batch_config(
            BatchConfigBuilder::default()
                .with_max_queue_size(SATURATION_QUEUE)
                .build(),
        )
        .build();
    let provider = SdkTracerProvider::builder()
        .with_span_processor(processor)
        .build();
    let flushing = provider.clone();
    let flush = Box::new(move || {
        let _ = flushing.force_flush();
    });
    let pair: Box<dyn Fn()> = if through_tracing {
        use tracing_subscriber::layer::SubscriberExt;
        let layer = tracing_opentelemetry::layer().with_tracer(provider.tracer("bench"));
        let subscriber = tracing_subscriber::registry().with(layer);
        let _ = tracing::dispatcher::set_global_default(tracing::Dispatch::new(subscriber));
        Box::new(tracing_pair)
    } else {
        let tracer = provider.tracer("bench");
        Box::new(move || otel_pair(&tracer))
    };
    Installed {
        pair,
        flush,
        delivered,
        counted_drops: Box::new(|| None),
    }
}
