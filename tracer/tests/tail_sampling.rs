//! Local tail sampling: errors and slow traces kept whatever the ratio, the rest by ratio,
//! the cap on waiting spans honoured and its early decisions counted.
#![allow(clippy::unwrap_used)]

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use spindle::sampler::TailSampling;
use spindle::{Config, InMemoryExporter, Span, Status, TracerGuard};

const WAIT: Duration = Duration::from_secs(10);

/// The tracer is process-wide: tests take turns.
fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

fn tail_tracer(tail: TailSampling) -> (MutexGuard<'static, ()>, TracerGuard, InMemoryExporter) {
    let lock = serial();
    let memory = InMemoryExporter::default();
    let tracer = spindle::init(
        Config::new()
            .exporter(memory.clone())
            .tail_sampling(tail)
            .scheduled_delay(Duration::from_millis(20)),
    )
    .unwrap();
    (lock, tracer, memory)
}

fn names(memory: &InMemoryExporter) -> Vec<String> {
    let mut names: Vec<String> = memory.spans().iter().map(|s| s.name.to_string()).collect();
    names.sort();
    names
}

/// A root with one child; `error` marks the child as failed.
fn local_trace(name: &str, error: bool) {
    let root = Span::root(format!("{name} root")).enter();
    let mut child = Span::new(format!("{name} child"));
    if error {
        child.set_status(Status::Error {
            message: "boom".into(),
        });
    }
    drop(child);
    drop(root);
}

#[test]
fn an_error_trace_is_kept_whole_at_ratio_zero_and_the_rest_dropped() {
    let (_lock, tracer, memory) = tail_tracer(TailSampling::new(0.0));
    local_trace("ok", false);
    local_trace("failed", true);
    tracer.flush(WAIT).unwrap();
    assert_eq!(names(&memory), ["failed child", "failed root"]);
    let stats = tracer.stats();
    assert_eq!(stats.tail_dropped, 2, "{stats:?}");
    assert_eq!(stats.tail_waiting, 0);
    assert_eq!(stats.dropped(), 0, "sampling is not a loss");
}

#[test]
fn a_slow_trace_is_kept_at_ratio_zero() {
    let tail = TailSampling::new(0.0).slower_than(Duration::from_millis(30));
    let (_lock, tracer, memory) = tail_tracer(tail);
    {
        let _root = Span::root("slow root").enter();
        let _child = Span::new("slow child");
        std::thread::sleep(Duration::from_millis(40));
    }
    local_trace("fast", false);
    tracer.flush(WAIT).unwrap();
    assert_eq!(names(&memory), ["slow child", "slow root"]);
}

#[test]
fn ratio_one_keeps_everything_and_spans_wait_for_their_root() {
    let (_lock, tracer, memory) = tail_tracer(TailSampling::new(1.0));
    let root = Span::root("open root").enter();
    Span::new("done child").end();
    tracer.flush(WAIT).unwrap();
    assert!(memory.spans().is_empty(), "the child waits for its root");
    assert_eq!(tracer.stats().tail_waiting, 1);
    drop(root);
    tracer.flush(WAIT).unwrap();
    assert_eq!(names(&memory), ["done child", "open root"]);
}

#[test]
fn a_remote_parent_makes_a_local_root() {
    let (_lock, tracer, memory) = tail_tracer(TailSampling::new(0.0));
    let remote = spindle::SpanContext {
        trace_id: spindle::TraceId(0x42),
        span_id: spindle::SpanId(0x7),
        trace_flags: spindle::TraceFlags::SAMPLED,
        is_remote: true,
        ..Default::default()
    };
    let mut server = Span::builder("server").parent(&remote).start();
    server.set_status(Status::Error {
        message: "500".into(),
    });
    drop(server);
    tracer.flush(WAIT).unwrap();
    assert_eq!(
        names(&memory),
        ["server"],
        "decided when the local root ended"
    );
}

#[test]
fn the_cap_on_waiting_spans_is_honoured_and_early_decisions_are_counted() {
    let tail = TailSampling::new(0.0).max_waiting_spans(10);
    let (_lock, tracer, memory) = tail_tracer(tail);
    // Five local traces whose roots stay open, 4 ended children each: 20 spans would wait.
    let roots: Vec<Span> = (0..5).map(|i| Span::root(format!("root {i}"))).collect();
    for (i, root) in roots.iter().enumerate() {
        for j in 0..4 {
            let mut child = Span::builder(format!("child {i}.{j}"))
                .parent(root.context())
                .start();
            if i == 0 {
                child.set_status(Status::Error {
                    message: "early error".into(),
                });
            }
            drop(child);
        }
    }
    tracer.flush(WAIT).unwrap();
    let stats = tracer.stats();
    // 11 waiting spans decide the oldest trace early, three times: traces 0, 1 and 2.
    assert_eq!(stats.tail_decided_early, 3, "{stats:?}");
    assert_eq!(
        stats.tail_waiting, 8,
        "traces 3 and 4 still wait: {stats:?}"
    );
    // Trace 0 had an error when it was decided: kept. Traces 1 and 2 were dropped.
    assert_eq!(
        names(&memory),
        ["child 0.0", "child 0.1", "child 0.2", "child 0.3"]
    );
    assert_eq!(stats.tail_dropped, 8, "{stats:?}");
    drop(roots);
    tracer.shutdown(WAIT).unwrap();
}

#[test]
fn shutdown_decides_what_still_waits() {
    let (_lock, tracer, memory) = tail_tracer(TailSampling::new(1.0));
    let root = Span::root("never ended in time");
    Span::builder("waiting child")
        .parent(root.context())
        .start()
        .end();
    tracer.shutdown(WAIT).unwrap();
    assert_eq!(names(&memory), ["waiting child"]);
    assert_eq!(tracer.stats().tail_decided_early, 1);
    drop(root);
}
