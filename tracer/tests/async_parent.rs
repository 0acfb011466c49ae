//! A traced `async fn` keeps its caller as parent, whoever polls it: spawned on a tokio
//! multi-thread runtime, joined with others, or moved to another thread before its first
//! poll. `Instrument::in_current_span` does the same for plain futures.
#![allow(clippy::unwrap_used)]

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};
use std::thread::ThreadId;
use std::time::Duration;

use spindle::sampler::Sampler;
use spindle::{Config, InMemoryExporter, Instrument};
use spindle_formats::Span;

// ---------------------------------------------------------------------------------------
// Harness: the tracer is process-global, so tests take turns.

fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Runs `f` with a fresh tracer keeping every span and returns what it exported.
fn capture<R>(f: impl FnOnce() -> R) -> (R, Vec<Span>) {
    let _serial = serial();
    let memory = InMemoryExporter::default();
    let config = Config::new()
        .sampler(Sampler::AlwaysOn)
        .exporter(memory.clone());
    let tracer = spindle::init(config).unwrap();
    let result = f();
    tracer.flush(Duration::from_secs(5)).unwrap();
    drop(tracer);
    (result, memory.spans())
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap()
}

fn all_named<'a>(spans: &'a [Span], name: &str) -> Vec<&'a Span> {
    spans.iter().filter(|s| s.name == name).collect()
}

fn named<'a>(spans: &'a [Span], name: &str) -> &'a Span {
    let matching = all_named(spans, name);
    assert_eq!(matching.len(), 1, "expected one span named {name:?}");
    matching[0]
}

fn assert_child_of(child: &Span, parent: &Span) {
    assert_eq!(
        child.trace_id, parent.trace_id,
        "{} left the trace",
        child.name
    );
    assert_eq!(
        child.parent_span_id,
        Some(parent.span_id),
        "{} is not a child of {}",
        child.name,
        parent.name
    );
}

/// Polls `future` to completion on this thread (no runtime), parking between polls.
fn poll_here<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        std::thread::park_timeout(Duration::from_millis(10));
    }
}

struct Unpark(std::thread::Thread);

impl std::task::Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}

// ---------------------------------------------------------------------------------------
// Traced functions.

#[spindle::trace(attrs(id))]
async fn fetch(id: i64) -> (i64, ThreadId) {
    tokio::task::yield_now().await;
    let rows = query(id).await;
    (rows, std::thread::current().id())
}

#[spindle::trace]
async fn query(id: i64) -> i64 {
    tokio::task::yield_now().await;
    id * 10
}

#[spindle::trace]
async fn request_spawning(ids: Vec<i64>) -> Vec<(i64, ThreadId)> {
    let handles: Vec<_> = ids.into_iter().map(|id| tokio::spawn(fetch(id))).collect();
    let mut results = Vec::new();
    for handle in handles {
        results.push(handle.await.unwrap());
    }
    results
}

#[spindle::trace]
async fn request_joining() -> [i64; 3] {
    let (a, b, c) = tokio::join!(fetch(1), fetch(2), fetch(3));
    [a.0, b.0, c.0]
}

/// Spawns a plain async block, with or without `in_current_span`.
#[spindle::trace(attrs(in_current_span))]
async fn request_spawning_plain(in_current_span: bool) -> bool {
    let work = async {
        let span = spindle::Span::new("plain work");
        span.context().is_valid()
    };
    let handle = match in_current_span {
        true => tokio::spawn(work.in_current_span()),
        false => tokio::spawn(work),
    };
    handle.await.unwrap()
}

fn spans_of(spans: &[Span], trace: &Span) -> usize {
    spans
        .iter()
        .filter(|s| s.trace_id == trace.trace_id)
        .count()
}

// ---------------------------------------------------------------------------------------
// tokio.

#[test]
fn a_spawned_traced_call_is_a_child_of_the_request_that_spawned_it() {
    let (results, spans) = capture(|| runtime().block_on(request_spawning(vec![1, 2, 3])));
    assert_eq!(
        results.iter().map(|r| r.0).collect::<Vec<_>>(),
        [10, 20, 30]
    );
    let here = std::thread::current().id();
    assert!(
        results.iter().all(|(_, thread)| *thread != here),
        "the spawned calls ran on the runtime's threads"
    );
    let request = named(&spans, "request_spawning");
    let fetches = all_named(&spans, "fetch");
    assert_eq!(fetches.len(), 3);
    for fetch in &fetches {
        assert_child_of(fetch, request);
        let id = spindle_formats::find_attribute(&fetch.attributes, "id").unwrap();
        let queries: Vec<&Span> = all_named(&spans, "query")
            .into_iter()
            .filter(|q| q.parent_span_id == Some(fetch.span_id))
            .collect();
        assert_eq!(queries.len(), 1, "fetch({id:?}) has its own query");
    }
    assert_eq!(
        spans_of(&spans, request),
        7,
        "one trace: request, 3 fetch, 3 query"
    );
}

#[test]
fn joined_traced_calls_are_siblings_under_the_caller() {
    let (values, spans) = capture(|| runtime().block_on(request_joining()));
    assert_eq!(values, [10, 20, 30]);
    let request = named(&spans, "request_joining");
    let fetches = all_named(&spans, "fetch");
    assert_eq!(fetches.len(), 3);
    for fetch in &fetches {
        assert_child_of(fetch, request);
        assert!(fetch.end_unix_nanos <= request.end_unix_nanos);
    }
    let mut ids: Vec<_> = fetches.iter().map(|f| f.span_id).collect();
    ids.dedup();
    assert_eq!(ids.len(), 3, "three spans, not one re-entered");
    assert_eq!(spans_of(&spans, request), 7);
}

#[test]
fn a_plain_spawned_future_joins_the_trace_only_with_in_current_span() {
    let (valid, spans) = capture(|| {
        let runtime = runtime();
        [
            runtime.block_on(request_spawning_plain(false)),
            runtime.block_on(request_spawning_plain(true)),
        ]
    });
    assert_eq!(valid, [true, true]);
    let requests = all_named(&spans, "request_spawning_plain");
    let works = all_named(&spans, "plain work");
    assert_eq!((requests.len(), works.len()), (2, 2));
    let child_of = |request: &Span| {
        works
            .iter()
            .filter(|w| w.parent_span_id == Some(request.span_id))
            .count()
    };
    let by_flag = |flag: bool| {
        let value = spindle_formats::Value::Bool(flag);
        let key = "in_current_span";
        let found = requests
            .iter()
            .find(|r| spindle_formats::find_attribute(&r.attributes, key) == Some(&value));
        *found.unwrap()
    };
    let (without, with) = (by_flag(false), by_flag(true));
    assert_eq!(
        child_of(without),
        0,
        "without it, the runtime's thread has no parent"
    );
    assert_eq!(child_of(with), 1);
    assert_eq!(
        works.iter().filter(|w| w.parent_span_id.is_none()).count(),
        1,
        "the plain spawned future started a new trace"
    );
}

// ---------------------------------------------------------------------------------------
// Futures moved between threads, without a runtime.

#[test]
fn a_future_moved_to_another_thread_before_its_first_poll_keeps_its_caller() {
    let ((value, polled_on), spans) = capture(|| {
        let request = spindle::Span::new("request").enter();
        let future = fetch(4);
        drop(request);
        std::thread::spawn(move || poll_here(future))
            .join()
            .unwrap()
    });
    assert_eq!(value, 40);
    assert_ne!(polled_on, std::thread::current().id());
    let request = named(&spans, "request");
    let fetch = named(&spans, "fetch");
    assert_child_of(fetch, request);
    assert_child_of(named(&spans, "query"), fetch);
    assert!(
        fetch.start_unix_nanos >= request.end_unix_nanos,
        "the span starts at the first poll, after the request ended"
    );
}

#[test]
fn a_future_dropped_before_its_first_poll_records_nothing() {
    let ((), spans) = capture(|| {
        let _request = spindle::Span::new("request").enter();
        drop(fetch(5));
    });
    assert_eq!(
        spans.iter().map(|s| s.name.as_ref()).collect::<Vec<_>>(),
        ["request"]
    );
}

#[test]
fn with_nothing_current_at_the_call_the_pollers_span_is_the_parent() {
    let ((), spans) = capture(|| {
        let future = fetch(6);
        let _poller = spindle::Span::new("poller").enter();
        poll_here(future);
    });
    assert_child_of(named(&spans, "fetch"), named(&spans, "poller"));
}

// ---------------------------------------------------------------------------------------
// Signatures: the rewrite keeps what an `async fn` accepts.

struct Flag(Arc<AtomicBool>);

impl Drop for Flag {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

#[spindle::trace]
async fn with_patterns((a, b): (i64, i64), mut total: i64, _: Flag, text: &str) -> i64 {
    total += a + b;
    total + text.len() as i64
}

#[test]
fn arguments_are_moved_into_the_future_as_an_async_fn_does() {
    let dropped = Arc::new(AtomicBool::new(false));
    let ((value, dropped_at_call), spans) = capture(|| {
        let text = String::from("four");
        let future = with_patterns((1, 2), 3, Flag(dropped.clone()), &text);
        let dropped_at_call = dropped.load(Ordering::SeqCst);
        (poll_here(future), dropped_at_call)
    });
    assert_eq!(value, 10);
    assert!(
        !dropped_at_call,
        "an unused argument lives as long as the future"
    );
    assert!(dropped.load(Ordering::SeqCst));
    named(&spans, "with_patterns");
}

trait Repository {
    async fn count(&self, table: &str) -> usize;
    fn load(&self, id: u64) -> impl Future<Output = String> + Send;
}

struct Memory(Vec<String>);

impl Repository for Memory {
    #[spindle::trace(attrs(table))]
    async fn count(&self, table: &str) -> usize {
        tokio::task::yield_now().await;
        self.0.iter().filter(|row| row.starts_with(table)).count()
    }

    #[spindle::trace(name = "Memory::load")]
    async fn load(&self, id: u64) -> String {
        tokio::task::yield_now().await;
        self.0.get(id as usize).cloned().unwrap_or_default()
    }
}

#[spindle::trace]
async fn request_using_repository(repository: &'static Memory) -> (usize, String) {
    // `load`'s future is `Send`, as the trait says: it can be spawned.
    let loaded = tokio::spawn(repository.load(1));
    let count = repository.count("user").await;
    (count, loaded.await.unwrap())
}

#[test]
fn trait_impl_async_methods_are_traced_with_their_caller_as_parent() {
    let rows = vec!["user:1".into(), "user:2".into(), "order:1".into()];
    let repository: &'static Memory = Box::leak(Box::new(Memory(rows)));
    let (result, spans) = capture(|| runtime().block_on(request_using_repository(repository)));
    assert_eq!(result, (2, "user:2".to_owned()));
    let request = named(&spans, "request_using_repository");
    assert_child_of(named(&spans, "count"), request);
    assert_child_of(named(&spans, "Memory::load"), request);
}

// ---------------------------------------------------------------------------------------
// Entry points: an attribute below `trace` that needs an `async fn` still gets one.

#[spindle::trace(name = "entry point")]
#[tokio::main(flavor = "current_thread")]
async fn entry_point() -> i64 {
    query(2).await
}

#[test]
fn an_async_entry_point_under_tokio_main_is_traced() {
    let (value, spans) = capture(|| {
        let _outer = spindle::Span::new("outer").enter();
        entry_point()
    });
    assert_eq!(value, 20);
    let entry = named(&spans, "entry point");
    assert_child_of(entry, named(&spans, "outer"));
    assert_child_of(named(&spans, "query"), entry);
}
