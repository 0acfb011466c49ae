//! The pipeline under load: no span lost while flushes race four producers, no memory growth
//! without an exporter, overload for seconds then recovery with nothing but counted drops,
//! and a process that panics still gets its spans into the file through `flush_on_panic`.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use common::{rss_bytes, serial};
use spindle::{Config, ExportError, FileFormat, Span, SpanExporter};
use spindle_formats::SpanBatch;

const WAIT: Duration = Duration::from_secs(20);

/// Counts spans; sleeps per batch while `slow` is set.
#[derive(Debug, Clone, Default)]
struct CountingSink {
    spans: Arc<AtomicU64>,
    slow: Arc<AtomicBool>,
}

impl SpanExporter for CountingSink {
    fn export(&mut self, batch: SpanBatch<'_>) -> Result<(), ExportError> {
        if self.slow.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(20));
        }
        self.spans
            .fetch_add(batch.spans.len() as u64, Ordering::SeqCst);
        Ok(())
    }
}

/// `threads` producers making `spans` spans each, until done or `stop` is set.
fn produce(
    threads: usize,
    spans: usize,
    stop: Option<Arc<AtomicBool>>,
) -> Vec<std::thread::JoinHandle<()>> {
    (0..threads)
        .map(|_| {
            let stop = stop.clone();
            std::thread::spawn(move || {
                for i in 0..spans {
                    let mut span = Span::new("work");
                    span.set_attribute("i", i as i64);
                    drop(span);
                    if i % 1024 == 0 && stop.as_ref().is_some_and(|s| s.load(Ordering::Relaxed)) {
                        return;
                    }
                }
            })
        })
        .collect()
}

#[test]
fn no_span_is_lost_while_flushes_race_four_producers() {
    let _lock = serial();
    let sink = CountingSink::default();
    let tracer =
        spindle::init(Config::new().max_queue_size(1 << 21).exporter(sink.clone())).unwrap();
    let start = Instant::now();
    let producers = produce(4, 250_000, None);
    let flushers: Vec<_> = (0..2)
        .map(|_| {
            std::thread::spawn(|| {
                for _ in 0..10 {
                    spindle::flush(WAIT).unwrap();
                    std::thread::sleep(Duration::from_millis(5));
                }
            })
        })
        .collect();
    producers.into_iter().for_each(|p| p.join().unwrap());
    flushers.into_iter().for_each(|f| f.join().unwrap());
    tracer.flush(WAIT).unwrap();
    let stats = tracer.stats();
    eprintln!(
        "1M spans with racing flushes in {:?}: {stats:?}",
        start.elapsed()
    );
    assert_eq!(stats.spans_ended, 1_000_000);
    assert_eq!(stats.spans_exported + stats.dropped(), stats.spans_ended);
    assert_eq!(stats.dropped(), 0, "{stats:?}");
    assert_eq!(sink.spans.load(Ordering::SeqCst), 1_000_000);
}

#[test]
fn without_an_exporter_memory_does_not_grow() {
    let _lock = serial();
    // No exporter in code and none in the environment: spans are not recorded.
    let tracer = spindle::init(Config::new().service_name("no-exporter")).unwrap();
    let before = rss_bytes();
    for i in 0..1_000_000i64 {
        let mut span = Span::new("unrecorded");
        span.set_attribute("i", i);
    }
    let growth = rss_bytes() as i64 - before as i64;
    eprintln!(
        "1M spans without an exporter: RSS growth {} KiB",
        growth / 1024
    );
    assert!(growth < 8 << 20, "RSS grew {growth} bytes");
    assert_eq!(tracer.stats(), spindle::Stats::default());
}

#[test]
fn overload_for_seconds_then_recovery_with_only_counted_drops() {
    let _lock = serial();
    let sink = CountingSink::default();
    sink.slow.store(true, Ordering::SeqCst);
    let tracer = spindle::init(
        Config::new()
            .max_queue_size(1024)
            .max_export_batch_size(256)
            .scheduled_delay(Duration::from_millis(20))
            .exporter(sink.clone()),
    )
    .unwrap();
    let before = rss_bytes();
    let stop = Arc::new(AtomicBool::new(false));
    let producers = produce(2, 20_000_000, Some(stop.clone()));
    std::thread::sleep(Duration::from_secs(3));
    stop.store(true, Ordering::SeqCst);
    producers.into_iter().for_each(|p| p.join().unwrap());
    let growth = rss_bytes() as i64 - before as i64;
    sink.slow.store(false, Ordering::SeqCst);
    tracer.flush(WAIT).unwrap();
    let overloaded = tracer.stats();
    eprintln!(
        "3 s overload: RSS growth {} KiB, {overloaded:?}",
        growth / 1024
    );
    assert!(overloaded.dropped_queue_full > 0);
    assert_eq!(overloaded.dropped(), overloaded.dropped_queue_full);
    assert_eq!(
        overloaded.spans_exported + overloaded.dropped(),
        overloaded.spans_ended
    );
    assert_eq!(sink.spans.load(Ordering::SeqCst), overloaded.spans_exported);
    assert!(growth < 64 << 20, "RSS grew {growth} bytes");

    // Recovery: at a pace the exporter keeps up with, nothing more is dropped.
    for _ in 0..10 {
        produce(1, 500, None)
            .into_iter()
            .for_each(|p| p.join().unwrap());
        std::thread::sleep(Duration::from_millis(30));
    }
    tracer.flush(WAIT).unwrap();
    let recovered = tracer.stats();
    assert_eq!(recovered.dropped(), overloaded.dropped(), "{recovered:?}");
    assert_eq!(recovered.spans_exported, overloaded.spans_exported + 5_000);
}

/// Set in the child process: the path of the file the panicking child writes.
const CHILD_FILE: &str = "SPINDLE_E2E_PANIC_CHILD_FILE";

/// In the child process (run by the test below) records spans and panics; otherwise passes.
#[test]
fn child_records_spans_then_panics() {
    let Ok(path) = std::env::var(CHILD_FILE) else {
        return;
    };
    let _tracer = spindle::init(
        Config::new()
            .service_name("panicking")
            .export_to_file(path, FileFormat::Spindle),
    )
    .unwrap();
    spindle::flush_on_panic(Duration::from_secs(5));
    for i in 0..100 {
        let mut span = Span::new("before the crash");
        span.set_attribute("i", i);
    }
    let _open = Span::new("open at the crash").enter();
    panic!("the application crashes");
}

#[test]
fn a_panicking_process_still_writes_its_spans_through_flush_on_panic() {
    let path = std::env::temp_dir().join(format!("spindle-e2e-panic-{}.json", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "child_records_spans_then_panics",
            "--exact",
            "--test-threads=1",
        ])
        .env(CHILD_FILE, &path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!output.status.success(), "the child panics: {stdout}");
    assert!(stdout.contains("the application crashes"), "{stdout}");
    let loaded = spindle_formats::read_file(&path).unwrap();
    let names: Vec<_> = loaded.data.spans.iter().map(|s| s.name.as_ref()).collect();
    assert_eq!(
        names.iter().filter(|n| **n == "before the crash").count(),
        100
    );
    assert_eq!(
        loaded.data.service_name_of(&loaded.data.spans[0]),
        "panicking"
    );
    let _ = std::fs::remove_file(&path);
}
