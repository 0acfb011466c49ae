//! Carrying the current context into other threads and tasks: `Context::wrap` for
//! `std::thread::spawn` and thread pools, `Instrument` for `tokio::spawn`.
#![allow(clippy::unwrap_used)]

use std::sync::mpsc;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use spindle::{Config, Context, InMemoryExporter, Instrument, Span};

/// The tracer is process-wide: tests take turns.
fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

fn exported(f: impl FnOnce()) -> Vec<spindle_formats::Span> {
    let _lock = serial();
    let memory = InMemoryExporter::default();
    let tracer = spindle::init(Config::new().exporter(memory.clone())).unwrap();
    f();
    tracer.flush(Duration::from_secs(10)).unwrap();
    memory.spans()
}

fn by_name<'a>(spans: &'a [spindle_formats::Span], name: &str) -> &'a spindle_formats::Span {
    spans
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no span {name}"))
}

#[test]
fn a_wrapped_closure_makes_the_spawned_threads_spans_children() {
    let spans = exported(|| {
        let _request = Span::new("request").enter();
        let worker = std::thread::spawn(Context::current().wrap(|| {
            Span::new("on the thread").end();
        }));
        worker.join().unwrap();
        // Unwrapped, the thread has no current span: its span starts a new trace.
        std::thread::spawn(|| Span::new("unwrapped").end())
            .join()
            .unwrap();
    });
    let request = by_name(&spans, "request");
    let child = by_name(&spans, "on the thread");
    assert_eq!(child.trace_id, request.trace_id);
    assert_eq!(child.parent_span_id, Some(request.span_id));
    let unwrapped = by_name(&spans, "unwrapped");
    assert_ne!(unwrapped.trace_id, request.trace_id);
    assert_eq!(unwrapped.parent_span_id, None);
}

#[test]
fn the_context_is_detached_after_the_wrapped_closure_even_if_it_panics() {
    let _lock = serial();
    let _request = Span::new("request").enter();
    let wrapped = Context::current().wrap(|| panic!("job failed"));
    let after = std::thread::spawn(move || {
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(wrapped));
        (result.is_err(), spindle::current::span_context())
    })
    .join()
    .unwrap();
    assert_eq!(after, (true, None));
}

#[test]
fn jobs_wrapped_at_submission_run_in_the_submitters_trace_on_a_pool() {
    let spans = exported(|| {
        type Job = Box<dyn FnOnce() + Send>;
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = std::sync::Arc::new(Mutex::new(queue));
        let workers: Vec<_> = (0..2)
            .map(|_| {
                let queue = queue.clone();
                std::thread::spawn(move || {
                    while let Ok(job) = queue.lock().unwrap().recv() {
                        job();
                    }
                })
            })
            .collect();
        for request in ["first request", "second request"] {
            let _request = Span::new(request).enter();
            let job = Context::current().wrap(move || Span::new(format!("job of {request}")).end());
            jobs.send(Box::new(job)).unwrap();
        }
        drop(jobs);
        workers.into_iter().for_each(|w| w.join().unwrap());
    });
    for request in ["first request", "second request"] {
        let parent = by_name(&spans, request);
        let job = by_name(&spans, &format!("job of {request}"));
        assert_eq!(job.parent_span_id, Some(parent.span_id), "{request}");
    }
}

#[test]
fn a_tokio_task_keeps_its_span_across_awaits_on_any_worker() {
    let spans = exported(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .build()
            .unwrap();
        runtime.block_on(async {
            let _request = Span::new("request").enter();
            let task = async {
                for _ in 0..10 {
                    tokio::task::yield_now().await;
                    Span::new("step").end();
                }
            };
            tokio::spawn(task.in_span(Span::new("task"))).await.unwrap();
            let carried = async { Span::new("carried").end() };
            tokio::spawn(carried.with_context(Context::current()))
                .await
                .unwrap();
        });
    });
    let request = by_name(&spans, "request");
    let task = by_name(&spans, "task");
    assert_eq!(task.parent_span_id, Some(request.span_id));
    let steps: Vec<_> = spans.iter().filter(|s| s.name == "step").collect();
    assert_eq!(steps.len(), 10);
    assert!(steps.iter().all(|s| s.parent_span_id == Some(task.span_id)));
    assert_eq!(
        by_name(&spans, "carried").parent_span_id,
        Some(request.span_id)
    );
}
