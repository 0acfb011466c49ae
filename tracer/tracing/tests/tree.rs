//! One tree: `tracing` spans and Spindle spans are each other's parents, across
//! `.instrument()` futures and threads.
#![allow(clippy::unwrap_used)]

mod support;

use std::task::{Context, Poll, Waker};

use spindle::Instrument as _;
use spindle_tracing::SpindleLayer;
use support::{Memory, block_on, by_name, dispatch, yield_once};
use tracing::Instrument as _;

#[test]
fn a_tracing_span_inside_a_spindle_span_is_its_child() {
    let memory = Memory::start();
    tracing::dispatcher::with_default(&dispatch(SpindleLayer::new()), || {
        let _parent = spindle::Span::new("spindle parent").enter();
        let _child = tracing::info_span!("tracing child").entered();
    });
    let spans = memory.spans();
    let parent = by_name(&spans, "spindle parent");
    let child = by_name(&spans, "tracing child");
    assert_eq!(child.trace_id, parent.trace_id);
    assert_eq!(child.parent_span_id, Some(parent.span_id));
}

#[test]
fn a_spindle_span_inside_an_entered_tracing_span_is_its_child() {
    let memory = Memory::start();
    tracing::dispatcher::with_default(&dispatch(SpindleLayer::new()), || {
        let outer = tracing::info_span!("tracing parent");
        {
            let _entered = outer.enter();
            let current = spindle::Context::current();
            let child = spindle::Span::new("spindle child");
            assert_eq!(
                current.span_context().map(|c| c.span_id),
                child_parent(&child, &current)
            );
        }
        // Exited: Spindle's stack is as it was.
        assert_eq!(spindle::current::span_context(), None);
        drop(outer);
    });
    let spans = memory.spans();
    let parent = by_name(&spans, "tracing parent");
    let child = by_name(&spans, "spindle child");
    assert_eq!(child.trace_id, parent.trace_id);
    assert_eq!(child.parent_span_id, Some(parent.span_id));
}

/// The span id `current` holds if `child` is in its trace.
fn child_parent(child: &spindle::Span, current: &spindle::Context) -> Option<spindle::SpanId> {
    let parent = current.span_context()?;
    (child.context().trace_id == parent.trace_id).then_some(parent.span_id)
}

#[test]
fn interleaved_spans_nest_in_the_order_they_were_entered() {
    let memory = Memory::start();
    tracing::dispatcher::with_default(&dispatch(SpindleLayer::new()), || {
        let outer = tracing::info_span!("t1").entered();
        let middle = spindle::Span::new("s2").enter();
        let inner = tracing::info_span!("t3").entered();
        let explicit = tracing::info_span!(parent: outer.id(), "t4 under t1");
        drop((explicit, inner, middle, outer));
    });
    let spans = memory.spans();
    let (t1, s2, t3) = (
        by_name(&spans, "t1"),
        by_name(&spans, "s2"),
        by_name(&spans, "t3"),
    );
    assert_eq!(s2.parent_span_id, Some(t1.span_id));
    assert_eq!(t3.parent_span_id, Some(s2.span_id));
    assert_eq!(
        by_name(&spans, "t4 under t1").parent_span_id,
        Some(t1.span_id)
    );
    assert!(spans.iter().all(|s| s.trace_id == t1.trace_id));
}

#[test]
fn an_explicit_root_starts_a_new_trace_inside_a_spindle_span() {
    let memory = Memory::start();
    tracing::dispatcher::with_default(&dispatch(SpindleLayer::new()), || {
        let _parent = spindle::Span::new("request").enter();
        let _root = tracing::info_span!(parent: None, "background").entered();
    });
    let spans = memory.spans();
    let root = by_name(&spans, "background");
    assert_eq!(root.parent_span_id, None);
    assert_ne!(root.trace_id, by_name(&spans, "request").trace_id);
}

#[test]
fn an_instrumented_future_keeps_its_tracing_span_current_across_await_and_threads() {
    let memory = Memory::start();
    let dispatch = dispatch(SpindleLayer::new());
    let future = tracing::dispatcher::with_default(&dispatch, || {
        async {
            spindle::Span::new("before await").end();
            yield_once().await;
            spindle::Span::new("after await").end();
        }
        .instrument(tracing::info_span!("task"))
    });
    let mut future = Box::pin(future);
    let mut cx = Context::from_waker(Waker::noop());
    assert!(matches!(future.as_mut().poll(&mut cx), Poll::Pending));
    assert_eq!(
        spindle::current::span_context(),
        None,
        "left after the poll"
    );
    let other = dispatch.clone();
    std::thread::spawn(move || tracing::dispatcher::with_default(&other, || block_on(future)))
        .join()
        .unwrap();
    let spans = memory.spans();
    let task = by_name(&spans, "task");
    for name in ["before await", "after await"] {
        let span = by_name(&spans, name);
        assert_eq!(span.parent_span_id, Some(task.span_id), "{name}");
        assert_eq!(span.trace_id, task.trace_id, "{name}");
    }
}

#[test]
fn a_tracing_span_inside_a_spindle_instrumented_future_is_its_child() {
    let memory = Memory::start();
    tracing::dispatcher::with_default(&dispatch(SpindleLayer::new()), || {
        block_on(
            async {
                yield_once().await;
                let _span = tracing::info_span!("query").entered();
            }
            .in_span(spindle::Span::new("handler")),
        );
    });
    let spans = memory.spans();
    let handler = by_name(&spans, "handler");
    assert_eq!(
        by_name(&spans, "query").parent_span_id,
        Some(handler.span_id)
    );
}

#[test]
fn an_event_outside_tracing_spans_goes_to_the_current_spindle_span() {
    let memory = Memory::start();
    tracing::dispatcher::with_default(&dispatch(SpindleLayer::new()), || {
        let _outer = tracing::info_span!("outer").entered();
        let _span = spindle::Span::new("native").enter();
        tracing::info!("inside native");
    });
    let spans = memory.spans();
    let native = by_name(&spans, "native");
    assert_eq!(native.events.len(), 1);
    assert_eq!(native.events[0].name, "inside native");
    assert!(by_name(&spans, "outer").events.is_empty());
}
