//! The tracer as an instrumented program sees it: nesting, context across threads and
//! `.await`, errors, statistics, flush and shutdown.
#![allow(clippy::unwrap_used)]

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context as TaskContext, Poll, Wake, Waker};
use std::time::Duration;

use spindle::sampler::Sampler;
use spindle::{
    Config, Context, ExportError, InMemoryExporter, Instrument, KeyValue, Span, SpanExporter,
    Status, TraceError, TraceState, TracerGuard, Value,
};
use spindle_formats::SpanBatch;

const WAIT: Duration = Duration::from_secs(10);

/// The tracer is process-wide: tests take turns.
fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

fn memory_tracer() -> (MutexGuard<'static, ()>, TracerGuard, InMemoryExporter) {
    let lock = serial();
    let memory = InMemoryExporter::default();
    let tracer = spindle::init(
        Config::new()
            .service_name("core-test")
            .exporter(memory.clone()),
    )
    .unwrap();
    (lock, tracer, memory)
}

fn by_name<'a>(spans: &'a [spindle_formats::Span], name: &str) -> &'a spindle_formats::Span {
    spans
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no span named {name}"))
}

#[test]
fn children_pick_up_the_current_span_as_parent() {
    let (_lock, tracer, memory) = memory_tracer();
    spindle::in_span("request", || {
        spindle::current::set_attribute("user.id", 7);
        let mut query = Span::new("query");
        query.set_attribute("db.rows", 3);
        drop(query);
        spindle::in_span("render", || {
            spindle::current::add_event("template loaded", vec![])
        });
    });
    Span::new("after").end();
    tracer.flush(WAIT).unwrap();
    let spans = memory.spans();
    let (request, query, render) = (
        by_name(&spans, "request"),
        by_name(&spans, "query"),
        by_name(&spans, "render"),
    );
    assert_eq!(request.parent_span_id, None);
    assert_eq!(query.parent_span_id, Some(request.span_id));
    assert_eq!(render.parent_span_id, Some(request.span_id));
    assert_eq!(query.trace_id, request.trace_id);
    assert_eq!(request.attribute("user.id"), Some(&Value::I64(7)));
    assert_eq!(query.attribute("db.rows"), Some(&Value::I64(3)));
    assert_eq!(render.events[0].name, "template loaded");
    assert!(request.start_unix_nanos <= query.start_unix_nanos);
    assert!(query.end_unix_nanos <= request.end_unix_nanos);
    assert_eq!(
        by_name(&spans, "after").parent_span_id,
        None,
        "nothing is current after the guard"
    );
    assert_eq!(memory.resource().unwrap().service_name(), Some("core-test"));
}

#[test]
fn a_context_sent_to_another_thread_parents_spans_there() {
    let (_lock, tracer, memory) = memory_tracer();
    let parent = Span::new("parent").enter();
    let context = Context::current();
    std::thread::spawn(move || {
        let _attached = context.attach();
        Span::new("on worker thread").end();
    })
    .join()
    .unwrap();
    let parent_id = parent.context().span_id;
    drop(parent);
    tracer.flush(WAIT).unwrap();
    let spans = memory.spans();
    assert_eq!(
        by_name(&spans, "on worker thread").parent_span_id,
        Some(parent_id)
    );
}

/// A future that is pending once (waking itself), then ready: a real suspension point.
struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

struct CountingWaker(AtomicUsize);

impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// Polls a future to completion, checking between polls that no span leaks into the thread.
fn block_on<F: Future>(future: F) -> F::Output {
    let waker = Waker::from(Arc::new(CountingWaker(AtomicUsize::new(0))));
    let mut cx = TaskContext::from_waker(&waker);
    let mut future = Box::pin(future);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        assert_eq!(
            spindle::current::span_id(),
            None,
            "span leaked out of the poll"
        );
    }
}

#[test]
fn a_span_stays_current_across_await_points() {
    let (_lock, tracer, memory) = memory_tracer();
    async fn handler() -> u32 {
        YieldOnce(false).await;
        spindle::current::set_attribute("after.await", true);
        async { Span::new("inner").end() }.await;
        YieldOnce(false).await;
        1
    }
    assert_eq!(block_on(handler().in_span(Span::new("handler"))), 1);
    tracer.flush(WAIT).unwrap();
    let spans = memory.spans();
    let handler = by_name(&spans, "handler");
    assert_eq!(handler.attribute("after.await"), Some(&Value::Bool(true)));
    assert_eq!(
        by_name(&spans, "inner").parent_span_id,
        Some(handler.span_id)
    );
}

#[derive(Debug)]
struct Outer(std::num::ParseIntError);

impl std::fmt::Display for Outer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "bad config")
    }
}

impl std::error::Error for Outer {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

#[test]
fn record_error_adds_an_exception_event_and_sets_error_status() {
    let (_lock, tracer, memory) = memory_tracer();
    let mut span = Span::new("load");
    let error = Outer("x".parse::<i32>().unwrap_err());
    span.record_error(&error);
    span.end();
    let mut ok = Span::new("ok then error");
    ok.set_status(Status::Ok);
    ok.set_status(Status::Error {
        message: "late".into(),
    });
    ok.end();
    tracer.flush(WAIT).unwrap();
    let spans = memory.spans();
    let load = by_name(&spans, "load");
    assert_eq!(
        load.status,
        Status::Error {
            message: "bad config".into()
        }
    );
    let event = &load.events[0];
    assert_eq!(event.name, "exception");
    let attr = |key: &str| spindle_formats::find_attribute(&event.attributes, key).cloned();
    assert_eq!(attr("exception.message"), Some(Value::from("bad config")));
    assert_eq!(attr("exception.type"), Some(Value::from("core::Outer")));
    assert_eq!(
        attr("exception.causes"),
        Some(Value::from(vec!["invalid digit found in string"]))
    );
    assert_eq!(
        by_name(&spans, "ok then error").status,
        Status::Ok,
        "Ok is final"
    );
}

#[test]
fn unsampled_spans_propagate_but_record_nothing_and_skip_lazy_work() {
    let _lock = serial();
    let memory = InMemoryExporter::default();
    let config = Config::new()
        .sampler(Sampler::AlwaysOff)
        .exporter(memory.clone());
    let tracer = spindle::init(config).unwrap();
    let evaluated = AtomicUsize::new(0);
    let mut span = Span::new("skipped");
    span.with_attributes(|| {
        evaluated.fetch_add(1, Ordering::SeqCst);
        vec![KeyValue::new("costly", "x")]
    });
    assert!(span.context().is_valid());
    assert!(!span.context().is_sampled());
    assert!(!span.is_recording());
    span.end();
    tracer.flush(WAIT).unwrap();
    assert_eq!(evaluated.load(Ordering::SeqCst), 0);
    assert!(memory.spans().is_empty());
    assert_eq!(tracer.stats().spans_started, 0);
}

#[test]
fn spans_of_idle_and_exited_threads_are_exported_by_flush() {
    let (_lock, tracer, memory) = memory_tracer();
    std::thread::spawn(|| Span::new("from exited thread").end())
        .join()
        .unwrap();
    let (ready, wait_ready) = std::sync::mpsc::channel();
    let (release, wait_release) = std::sync::mpsc::channel::<()>();
    let idle = std::thread::spawn(move || {
        Span::new("from idle thread").end();
        ready.send(()).unwrap();
        wait_release.recv().unwrap();
    });
    wait_ready.recv().unwrap();
    tracer.flush(WAIT).unwrap();
    let names: Vec<_> = memory.spans().iter().map(|s| s.name.to_string()).collect();
    assert!(
        names.contains(&"from exited thread".to_string()),
        "{names:?}"
    );
    assert!(names.contains(&"from idle thread".to_string()), "{names:?}");
    release.send(()).unwrap();
    idle.join().unwrap();
}

#[test]
fn shutdown_is_idempotent_and_later_spans_are_counted_as_dropped() {
    let (_lock, tracer, memory) = memory_tracer();
    Span::new("before").end();
    tracer.shutdown(WAIT).unwrap();
    assert_eq!(tracer.shutdown(WAIT), Err(TraceError::AlreadyShutdown));
    Span::new("after").end();
    let stats = tracer.stats();
    assert_eq!(memory.spans().len(), 1);
    assert_eq!(stats.spans_exported, 1);
    assert_eq!(stats.dropped_after_shutdown, 1);
    assert_eq!(stats.spans_ended, 2);
}

/// Counts spans; optionally slow, to back the queue up.
#[derive(Debug, Clone, Default)]
struct CountingSink {
    spans: Arc<AtomicUsize>,
    delay: Duration,
}

impl SpanExporter for CountingSink {
    fn export(&mut self, batch: SpanBatch<'_>) -> Result<(), ExportError> {
        std::thread::sleep(self.delay);
        self.spans.fetch_add(batch.spans.len(), Ordering::SeqCst);
        Ok(())
    }
}

fn produce(threads: usize, spans_per_thread: usize) {
    let workers: Vec<_> = (0..threads)
        .map(|_| {
            std::thread::spawn(move || {
                for i in 0..spans_per_thread {
                    let mut span = Span::new("work");
                    span.set_attribute("i", i as i64);
                }
            })
        })
        .collect();
    for _ in 0..5 {
        let _ = spindle::flush(WAIT);
    }
    workers.into_iter().for_each(|w| w.join().unwrap());
}

#[test]
fn no_span_is_lost_while_flushes_race_the_producers() {
    let _lock = serial();
    let sink = CountingSink::default();
    let config = Config::new().max_queue_size(1 << 20).exporter(sink.clone());
    let tracer = spindle::init(config).unwrap();
    produce(4, 50_000);
    tracer.flush(WAIT).unwrap();
    let stats = tracer.stats();
    assert_eq!(stats.spans_ended, 200_000);
    assert_eq!(stats.spans_started, 200_000);
    assert_eq!(stats.dropped(), 0, "{stats:?}");
    assert_eq!(stats.spans_exported, 200_000);
    assert_eq!(sink.spans.load(Ordering::SeqCst), 200_000);
}

#[test]
fn a_full_queue_drops_and_counts_instead_of_blocking() {
    let _lock = serial();
    let sink = CountingSink {
        delay: Duration::from_millis(20),
        ..Default::default()
    };
    let config = Config::new()
        .max_queue_size(256)
        .max_export_batch_size(64)
        .exporter(sink.clone());
    let tracer = spindle::init(config).unwrap();
    produce(2, 20_000);
    tracer.flush(Duration::from_secs(30)).unwrap();
    let stats = tracer.stats();
    assert_eq!(stats.spans_ended, 40_000);
    assert!(stats.dropped_queue_full > 0, "{stats:?}");
    assert_eq!(
        stats.spans_exported + stats.dropped(),
        stats.spans_ended,
        "{stats:?}"
    );
    assert_eq!(
        sink.spans.load(Ordering::SeqCst) as u64,
        stats.spans_exported
    );
}

/// Record boxes go back to the application threads after export: a span recorded in a reused
/// box must carry nothing of the span that used the box before.
#[test]
fn spans_recorded_in_reused_records_carry_nothing_of_earlier_spans() {
    let (_lock, tracer, memory) = memory_tracer();
    let rounds = 4;
    let per_round = 1000;
    for round in 0..rounds {
        for i in 0..per_round {
            let parent = Span::root(format!("r{round}-{i}")).enter();
            let mut span = if round % 2 == 0 {
                let mut remote = parent.context();
                remote.trace_state = TraceState::from_header("k=v").unwrap();
                Span::builder("plain").parent(&remote).start()
            } else {
                Span::new("plain")
            };
            if round % 2 == 0 {
                let linked = parent.context();
                span.add_link(&linked, vec![KeyValue::new("l", 1)]);
                span.set_attribute("round", round as i64);
                span.set_attribute("i", i as i64);
                span.add_event("odd", vec![KeyValue::new("k", "v")]);
                span.set_status(Status::Error {
                    message: "failed".into(),
                });
            }
            drop(span);
            drop(parent);
        }
        tracer.flush(WAIT).unwrap();
    }
    let spans = memory.spans();
    assert_eq!(spans.len(), rounds * per_round * 2);
    for span in spans.iter().filter(|s| s.name == "plain") {
        assert!(span.parent_span_id.is_some());
        match span.attributes.first() {
            None => {
                assert!(span.events.is_empty(), "{span:?}");
                assert!(span.links.is_empty(), "{span:?}");
                assert_eq!(span.status, Status::Unset, "{span:?}");
                assert_eq!(span.trace_state, "", "{span:?}");
            }
            Some(first) => {
                assert_eq!(span.attributes.len(), 2, "{span:?}");
                assert_eq!(first.key, "round");
                assert_eq!(span.events.len(), 1, "{span:?}");
                assert_eq!(span.links.len(), 1, "{span:?}");
                assert_eq!(span.trace_state, "k=v", "{span:?}");
            }
        }
    }
    let with_attributes = spans.iter().filter(|s| !s.attributes.is_empty()).count();
    assert_eq!(with_attributes, rounds / 2 * per_round);
    assert!(
        spans
            .iter()
            .all(|s| s.name != "plain" || s.end_unix_nanos >= s.start_unix_nanos)
    );
    assert_eq!(tracer.stats().dropped(), 0);
}

#[derive(Debug, Clone, Default)]
struct BatchSizes(Arc<Mutex<Vec<usize>>>);

impl SpanExporter for BatchSizes {
    fn export(&mut self, batch: SpanBatch<'_>) -> Result<(), ExportError> {
        self.0.lock().unwrap().push(batch.spans.len());
        Ok(())
    }
}

#[test]
fn batches_never_exceed_the_configured_size() {
    let _lock = serial();
    let sizes = BatchSizes::default();
    let tracer = spindle::init(
        Config::new()
            .max_export_batch_size(100)
            .exporter(sizes.clone()),
    )
    .unwrap();
    for i in 0..1050 {
        Span::new(format!("s{i}")).end();
    }
    tracer.flush(WAIT).unwrap();
    let sizes = sizes.0.lock().unwrap().clone();
    assert_eq!(sizes.iter().sum::<usize>(), 1050, "{sizes:?}");
    assert!(sizes.iter().all(|&n| n <= 100), "{sizes:?}");
    assert!(
        sizes.iter().filter(|&&n| n == 100).count() >= 10,
        "{sizes:?}"
    );
}

/// Keeps every exported span; slow, so that the queue overflows.
#[derive(Debug, Clone, Default)]
struct SlowMemory(Arc<Mutex<Vec<spindle_formats::Span>>>);

impl SpanExporter for SlowMemory {
    fn export(&mut self, batch: SpanBatch<'_>) -> Result<(), ExportError> {
        std::thread::sleep(Duration::from_millis(5));
        self.0.lock().unwrap().extend(batch.spans.iter().cloned());
        Ok(())
    }
}

/// Dropped chunks give their boxes back to the thread for reuse: spans recorded in them after
/// an overload carry exactly their own attributes.
#[test]
fn spans_recorded_after_an_overload_carry_only_their_own_attributes() {
    let _lock = serial();
    let memory = SlowMemory::default();
    let config = Config::new()
        .max_queue_size(128)
        .max_export_batch_size(64)
        .exporter(memory.clone());
    let tracer = spindle::init(config).unwrap();
    for i in 0..20_000i64 {
        let mut span = Span::new(format!("{i}"));
        if i % 2 == 0 {
            span.set_attribute("i", i);
        }
    }
    tracer.flush(Duration::from_secs(30)).unwrap();
    let stats = tracer.stats();
    assert!(stats.dropped_queue_full > 0, "{stats:?}");
    let spans = memory.0.lock().unwrap().clone();
    assert_eq!(spans.len() as u64, stats.spans_exported);
    for span in &spans {
        let i: i64 = span.name.parse().unwrap();
        if i % 2 == 0 {
            assert_eq!(span.attributes, vec![KeyValue::new("i", i)], "{span:?}");
        } else {
            assert!(span.attributes.is_empty(), "{span:?}");
        }
        assert!(span.events.is_empty() && span.parent_span_id.is_none());
    }
}

/// A queue smaller than the hand-off chunk still takes spans: chunks shrink to fit it.
#[test]
fn a_small_queue_still_delivers() {
    let _lock = serial();
    let sink = CountingSink::default();
    let tracer = spindle::init(Config::new().max_queue_size(16).exporter(sink.clone())).unwrap();
    for i in 0..1000 {
        Span::new("small").end();
        if i % 4 == 3 {
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    tracer.flush(WAIT).unwrap();
    let stats = tracer.stats();
    let exported = sink.spans.load(Ordering::SeqCst) as u64;
    assert_eq!(exported + stats.dropped(), 1000, "{stats:?}");
    assert!(
        exported >= 500,
        "only {exported} of 1000 exported: {stats:?}"
    );
}

/// A link carries the linked span's W3C flags and whether it is remote, as OTLP's
/// `Link.flags` defines them.
#[test]
fn links_carry_the_linked_spans_flags_and_remoteness() {
    let (_lock, tracer, memory) = memory_tracer();
    let local = Span::root("local");
    let mut remote = local.context().clone();
    remote.is_remote = true;
    remote.trace_flags = spindle::TraceFlags::NONE;
    let mut span = Span::root("linking");
    span.add_link(local.context(), Vec::new());
    span.add_link(&remote, Vec::new());
    drop(span);
    drop(local);
    tracer.flush(WAIT).unwrap();
    let spans = memory.spans();
    let linking = spans.iter().find(|s| s.name == "linking").unwrap();
    let flags: Vec<u32> = linking.links.iter().map(|l| l.flags).collect();
    // Sampled and random (a trace id Spindle made) for the local one; none for the other.
    assert_eq!(flags, [0x103, 0x300]);
}
