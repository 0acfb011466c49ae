//! The first dropped span is reported once on stderr, by the exporter's thread. The warning
//! is checked in a child process (this test binary run again for the ignored test below), so
//! its stderr can be read whole.
#![allow(clippy::unwrap_used)]

use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use spindle::{Config, ExportError, Span, SpanBatch, SpanExporter};

const WARNING: &str =
    "spindle: dropping spans (queue full); further drops are counted in spindle::stats()";

/// Counts spans, slowly, so that the queue backs up.
#[derive(Debug, Clone, Default)]
struct SlowSink {
    spans: Arc<AtomicUsize>,
}

impl SpanExporter for SlowSink {
    fn export(&mut self, batch: SpanBatch<'_>) -> Result<(), ExportError> {
        std::thread::sleep(Duration::from_millis(20));
        self.spans.fetch_add(batch.spans.len(), Ordering::SeqCst);
        Ok(())
    }
}

#[test]
fn the_first_drop_is_reported_once_and_every_drop_is_counted() {
    let exe = std::env::current_exe().unwrap();
    let child = Command::new(exe)
        .args([
            "--exact",
            "overload_a_small_queue",
            "--ignored",
            "--nocapture",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&child.stdout);
    let stderr = String::from_utf8_lossy(&child.stderr);
    assert!(child.status.success(), "child failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("1 passed"), "the child test ran:\n{stdout}");
    assert_eq!(stderr.matches(WARNING).count(), 1, "stderr:\n{stderr}");
    assert_eq!(stderr.matches("spindle: dropping").count(), 1, "{stderr}");
}

/// Run by the test above in a child process: floods a small queue behind a slow sink.
#[test]
#[ignore = "run in a child process by the_first_drop_is_reported_once_and_every_drop_is_counted"]
fn overload_a_small_queue() {
    let sink = SlowSink::default();
    let config = Config::new()
        .max_queue_size(16)
        .max_export_batch_size(8)
        .exporter(sink.clone());
    let tracer = spindle::init(config).unwrap();
    for i in 0..20_000 {
        let mut span = Span::new("work");
        span.set_attribute("i", i);
    }
    tracer.shutdown(Duration::from_secs(30)).unwrap();
    let stats = tracer.stats();
    assert_eq!(stats.spans_ended, 20_000);
    assert!(stats.dropped_queue_full > 0, "{stats:?}");
    assert_eq!(stats.spans_exported + stats.dropped(), 20_000, "{stats:?}");
    assert_eq!(
        sink.spans.load(Ordering::SeqCst) as u64,
        stats.spans_exported
    );
}
