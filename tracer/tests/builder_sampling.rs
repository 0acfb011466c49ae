//! What a sampler sees of a span built with attributes, what a sampled span records of them,
//! and spans reaching the exporter without a flush while producers keep going and after they
//! pause (the worker's wake-ups).
#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use spindle::sampler::{ParentBased, Sampler, SamplingInput, SamplingResult, ShouldSample};
use spindle::{Config, InMemoryExporter, KeyValue, Span, SpanKind, Value};

const WAIT: Duration = Duration::from_secs(10);

/// The tracer is process-wide: tests take turns.
fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// Drops health checks (by their `http.route` attribute) and notes every attribute list it saw.
#[derive(Debug, Default)]
struct NoHealthChecks {
    seen: Mutex<Vec<Vec<KeyValue>>>,
}

impl ShouldSample for NoHealthChecks {
    fn should_sample(&self, input: &SamplingInput<'_>) -> SamplingResult {
        let attributes = input.attributes;
        self.seen.lock().unwrap().push(attributes.to_vec());
        let health = input.attribute("http.route") == Some(&Value::from("/health"));
        (!health).into()
    }
}

#[test]
fn a_sampler_decides_on_the_builders_attributes_and_sampled_spans_record_them() {
    let _lock = serial();
    let memory = InMemoryExporter::default();
    let sampler = Arc::new(NoHealthChecks::default());
    // Behind a parent-based sampler: the root delegate sees the attributes too.
    let config = Config::new()
        .sampler(Sampler::ParentBased(Box::new(ParentBased::new(
            Sampler::Custom(sampler.clone()),
        ))))
        .exporter(memory.clone());
    let tracer = spindle::init(config).unwrap();
    let health = Span::builder("GET /health")
        .attribute("http.route", "/health")
        .start();
    assert!(!health.is_recording());
    assert!(
        health.context().is_valid(),
        "an unsampled span still propagates"
    );
    health.end();
    let users = Span::builder("GET /users")
        .kind(SpanKind::Server)
        .attribute("http.route", "/users")
        .attribute("http.response.status_code", 200)
        .start();
    assert!(users.is_recording());
    users.end();
    tracer.flush(WAIT).unwrap();

    let seen = sampler.seen.lock().unwrap().clone();
    assert_eq!(
        seen,
        [
            vec![KeyValue::new("http.route", "/health")],
            vec![
                KeyValue::new("http.route", "/users"),
                KeyValue::new("http.response.status_code", 200)
            ],
        ]
    );
    let spans = memory.spans();
    let names: Vec<_> = spans.iter().map(|s| s.name.to_string()).collect();
    assert_eq!(names, ["GET /users"]);
    assert_eq!(
        spans[0].attributes,
        [
            KeyValue::new("http.route", "/users"),
            KeyValue::new("http.response.status_code", 200)
        ]
    );
}

#[test]
fn a_builder_with_more_attributes_than_it_holds_in_place_records_all_in_order() {
    let _lock = serial();
    let memory = InMemoryExporter::default();
    let tracer = spindle::init(Config::new().exporter(memory.clone())).unwrap();
    let mut builder = Span::builder("many");
    for i in 0..9 {
        builder = builder.attribute(format!("key.{i}"), i);
    }
    let mut span = builder.start();
    span.set_attribute("key.3", "replaced after start");
    span.end();
    tracer.flush(WAIT).unwrap();
    let spans = memory.spans();
    let mut want: Vec<_> = (0..9)
        .map(|i| KeyValue::new(format!("key.{i}"), i))
        .collect();
    want[3] = KeyValue::new("key.3", "replaced after start");
    assert_eq!(spans[0].attributes, want);
}

/// Waits until the exporter holds `n` spans (no flush), or `WAIT` passes.
fn wait_for(memory: &InMemoryExporter, n: usize) -> usize {
    let deadline = Instant::now() + WAIT;
    loop {
        let got = memory.spans().len();
        if got >= n || Instant::now() > deadline {
            return got;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn full_batches_reach_the_exporter_without_a_flush_during_and_after_pauses() {
    let _lock = serial();
    let memory = InMemoryExporter::default();
    let config = Config::new()
        .max_queue_size(1 << 14)
        .max_export_batch_size(64)
        .scheduled_delay(Duration::from_secs(60))
        .exporter(memory.clone());
    let tracer = spindle::init(config).unwrap();
    let mut expected = 0;
    // Bursts with pauses between them: the worker goes from sleeping to polling and back.
    for burst in 0..4 {
        let producers: Vec<_> = (0..2)
            .map(|_| {
                std::thread::spawn(|| {
                    for _ in 0..4096 {
                        Span::builder("burst").attribute("n", 1).start().end();
                    }
                })
            })
            .collect();
        producers.into_iter().for_each(|p| p.join().unwrap());
        expected += 2 * 4096;
        // Each thread hands off whole chunks; at most a chunk per thread and a batch wait.
        let got = wait_for(&memory, expected - 2 * 256 - 64);
        assert!(
            got >= expected - 2 * 256 - 64,
            "burst {burst}: {got} of {expected} exported without a flush"
        );
        std::thread::sleep(Duration::from_millis(150 * burst));
    }
    tracer.flush(WAIT).unwrap();
    assert_eq!(memory.spans().len(), expected);
    assert_eq!(tracer.stats().dropped(), 0);
}
