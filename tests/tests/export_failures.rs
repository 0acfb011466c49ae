//! A collector that is down, hangs, or answers 500, 429 with `Retry-After`, or 400: the
//! application's span-end latency stays flat, memory stays bounded, drops and retries are
//! counted as the protocol rules say, and `shutdown(1s)` returns within about its timeout.
//! Every collector is a local server on 127.0.0.1 started by the test.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::{Duration, Instant};

use common::{Behaviour, Collector, percentile, refused_port, rss_bytes, serial, wait_until};
use spindle::{
    Config, OtlpHttpExporter, RetryPolicy, Span, SpanExporter, Stats, TraceError,
    ZipkinHttpExporter,
};

const ROUNDS: usize = 10;
const PER_ROUND: usize = 5_000;
const P99_LIMIT: Duration = Duration::from_millis(1);
const RSS_LIMIT: u64 = 64 << 20;

fn quick_retries() -> RetryPolicy {
    RetryPolicy {
        max_retries: 3,
        initial_backoff: Duration::from_millis(50),
        max_backoff: Duration::from_millis(200),
    }
}

/// What one run of the traced application measured.
struct Run {
    p99: Duration,
    rss_growth: i64,
    shutdown: Duration,
    shutdown_result: Result<(), TraceError>,
    stats: Stats,
    tracer: spindle::TracerGuard,
}

/// Bursts of spans with pauses between them, span end timed one by one, then `shutdown(1s)`.
fn run_app(name: &str, sink: impl SpanExporter + 'static, queue: usize, timeout: Duration) -> Run {
    let tracer = spindle::init(
        Config::new()
            .service_name("failures")
            .max_queue_size(queue)
            .max_export_batch_size(512)
            .scheduled_delay(Duration::from_millis(50))
            .export_timeout(timeout)
            .exporter(sink),
    )
    .unwrap();
    let mut latencies = Vec::with_capacity(ROUNDS * PER_ROUND);
    let rss_before = rss_bytes();
    for _ in 0..ROUNDS {
        for i in 0..PER_ROUND {
            let mut span = Span::new("request");
            span.set_attribute("i", i as i64);
            let start = Instant::now();
            drop(span);
            latencies.push(start.elapsed());
        }
        std::thread::sleep(Duration::from_millis(40));
    }
    let rss_growth = rss_bytes() as i64 - rss_before as i64;
    let start = Instant::now();
    let shutdown_result = tracer.shutdown(Duration::from_secs(1));
    let shutdown = start.elapsed();
    let p99 = percentile(&mut latencies, 99.0);
    let stats = tracer.stats();
    eprintln!(
        "{name:>14}: span end p99 {p99:?}, max {:?}, RSS growth {:.1} MiB, shutdown(1s) {:?} \
         -> {shutdown_result:?}; ended {} exported {} dropped {} (queue {}, failed {}), \
         errors {}, retries {}",
        latencies.last().copied().unwrap_or_default(),
        rss_growth as f64 / (1 << 20) as f64,
        shutdown,
        stats.spans_ended,
        stats.spans_exported,
        stats.dropped(),
        stats.dropped_queue_full,
        stats.dropped_export_failed,
        stats.export_errors,
        stats.retries,
    );
    assert!(p99 < P99_LIMIT, "{name}: span end p99 {p99:?}");
    assert!(
        rss_growth < RSS_LIMIT as i64,
        "{name}: RSS grew {rss_growth} bytes"
    );
    assert!(
        shutdown < Duration::from_secs(2),
        "{name}: shutdown took {shutdown:?}"
    );
    assert_eq!(stats.spans_ended, (ROUNDS * PER_ROUND) as u64);
    Run {
        p99,
        rss_growth,
        shutdown,
        shutdown_result,
        stats,
        tracer,
    }
}

/// Waits for the worker to finish what it holds; returns the settled counters.
fn settled(run: &Run) -> Stats {
    let accounted = |s: &Stats| s.spans_exported + s.dropped() == s.spans_ended;
    assert!(
        wait_until(Duration::from_secs(10), || accounted(&run.tracer.stats())),
        "{:?}",
        run.tracer.stats()
    );
    run.tracer.stats()
}

#[test]
fn a_healthy_collector_gets_every_span() {
    let _lock = serial();
    let collector = Collector::start(Behaviour::Answer(202, vec![]));
    let sink = ZipkinHttpExporter::new(&collector.base_url()).retry_policy(quick_retries());
    let run = run_app("healthy", sink, 1 << 16, Duration::from_secs(1));
    assert_eq!(run.shutdown_result, Ok(()));
    let stats = settled(&run);
    assert_eq!(stats.dropped(), 0, "{stats:?}");
    assert_eq!(stats.spans_exported, stats.spans_ended);
    assert_eq!((stats.export_errors, stats.retries), (0, 0));
    assert!(collector.request_count() > 0);
    let _ = (run.p99, run.rss_growth, run.shutdown);
}

#[test]
fn collector_down_connection_refused_is_retried_then_counted() {
    let _lock = serial();
    let url = format!("http://127.0.0.1:{}", refused_port());
    let sink = ZipkinHttpExporter::new(&url).retry_policy(quick_retries());
    let run = run_app("refused", sink, 4096, Duration::from_secs(1));
    let stats = settled(&run);
    assert_eq!(stats.spans_exported, 0);
    assert!(
        stats.export_errors > 0 && stats.dropped_export_failed > 0,
        "{stats:?}"
    );
    assert!(
        stats.retries > 0,
        "connection failures are retried: {stats:?}"
    );
    assert!(
        stats.retries <= 3 * stats.export_errors,
        "within the budget: {stats:?}"
    );
    assert!(stats.last_error.is_some());
}

#[test]
fn collector_hanging_does_not_hold_shutdown_past_its_timeout() {
    let _lock = serial();
    let collector = Collector::start(Behaviour::Hang);
    let sink = ZipkinHttpExporter::new(&collector.base_url()).retry_policy(quick_retries());
    let run = run_app("hanging", sink, 4096, Duration::from_secs(1));
    assert_eq!(
        run.shutdown_result,
        Err(TraceError::Timeout(Duration::from_secs(1)))
    );
    assert!(
        run.shutdown >= Duration::from_millis(900),
        "{:?}",
        run.shutdown
    );
    assert!(run.stats.dropped_queue_full > 0, "{:?}", run.stats);
    assert_eq!(
        run.stats.retries, 0,
        "a timed-out request leaves no time to retry"
    );
    assert!(collector.request_count() >= 1);
    // Spans ended now are counted, not lost, even though the worker is still stuck.
    Span::new("after shutdown").end();
    assert_eq!(run.tracer.stats().dropped_after_shutdown, 1);
}

#[test]
fn zipkin_retries_500_but_otlp_does_not() {
    let _lock = serial();
    let collector = Collector::start(Behaviour::Answer(500, vec![]));
    let sink = ZipkinHttpExporter::new(&collector.base_url()).retry_policy(quick_retries());
    let run = run_app("zipkin 500", sink, 4096, Duration::from_secs(1));
    let stats = settled(&run);
    assert_eq!(stats.spans_exported, 0);
    assert!(stats.retries > 0, "{stats:?}");
    assert_eq!(
        collector.request_count() as u64,
        stats.export_errors + stats.retries,
        "each export is one request plus its retries"
    );
    drop(collector);

    let collector = Collector::start(Behaviour::Answer(500, vec![]));
    let sink = OtlpHttpExporter::new(&collector.base_url()).retry_policy(quick_retries());
    let run = run_app("otlp 500", sink, 4096, Duration::from_secs(1));
    let stats = settled(&run);
    assert_eq!(stats.retries, 0, "OTLP does not retry 500: {stats:?}");
    assert_eq!(collector.request_count() as u64, stats.export_errors);
    assert!(stats.last_error.unwrap().contains("500"));
}

#[test]
fn a_429_is_retried_after_the_retry_after_it_names() {
    let _lock = serial();
    let collector = Collector::start(Behaviour::Answer(429, vec![("Retry-After", "1")]));
    let sink = OtlpHttpExporter::new(&collector.base_url()).retry_policy(quick_retries());
    let run = run_app("429", sink, 1024, Duration::from_millis(1500));
    assert!(run.stats.retries > 0, "{:?}", run.stats);
    let received = collector.received();
    let mut gaps = Vec::new();
    for (i, later) in received.iter().enumerate() {
        if let Some(earlier) = received[..i].iter().rev().find(|r| r.body == later.body) {
            gaps.push(later.at - earlier.at);
        }
    }
    assert!(!gaps.is_empty(), "some batch was sent twice");
    for gap in gaps {
        assert!(gap >= Duration::from_millis(950), "retried after {gap:?}");
    }
}

#[test]
fn a_400_is_never_retried() {
    let _lock = serial();
    let collector = Collector::start(Behaviour::Answer(400, vec![("Retry-After", "0")]));
    let sink = OtlpHttpExporter::new(&collector.base_url()).retry_policy(quick_retries());
    let run = run_app("400", sink, 4096, Duration::from_secs(1));
    let stats = settled(&run);
    assert_eq!(stats.retries, 0, "{stats:?}");
    assert_eq!(collector.request_count() as u64, stats.export_errors);
    assert_eq!(stats.spans_exported, 0);
    assert!(stats.last_error.unwrap().contains("HTTP 400"));
}
