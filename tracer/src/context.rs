//! The current span of each thread, and `Context`: a span's identity that can be sent to
//! another thread (or task) and attached there so that new spans become its children.
//!
//! Each thread keeps a stack of frames. Entering a span moves the span into the stack (so
//! `spindle::current::*` can reach it); dropping the guard takes it out and ends it.

use std::cell::RefCell;
use std::marker::PhantomData;

use spindle_formats::{KeyValue, Str, Value};

use crate::span::Span;
use crate::span_context::SpanContext;

/// What a frame of the thread's stack holds.
#[derive(Debug)]
pub(crate) enum Frame {
    /// An entered span, owned by the stack until its guard drops.
    Span(Span),
    /// An attached context (for example from another thread or an incoming request).
    Context(SpanContext),
}

impl Frame {
    fn span_context(&self) -> &SpanContext {
        match self {
            Frame::Span(span) => span.context(),
            Frame::Context(context) => context,
        }
    }
}

/// A thread's frames, each with the id its guard pops it by, and the next id to give.
struct Stack {
    frames: Vec<(u64, Frame)>,
    next_id: u64,
}

thread_local! {
    static STACK: RefCell<Stack> = const {
        RefCell::new(Stack {
            frames: Vec::new(),
            next_id: 0,
        })
    };
}

/// Pushes a frame and returns its id (used to pop exactly this frame later).
#[inline]
pub(crate) fn push_frame(frame: Frame) -> u64 {
    STACK.with(|stack| {
        let mut stack = stack.borrow_mut();
        let id = stack.next_id;
        stack.next_id += 1;
        stack.frames.push((id, frame));
        id
    })
}

/// Removes the frame with this id (normally the top one) and returns it.
#[inline]
pub(crate) fn pop_frame(id: u64) -> Option<Frame> {
    // `try_with`: a guard dropped while the thread's locals are torn down finds no stack
    // instead of panicking (which would abort the thread's exit).
    STACK
        .try_with(|stack| {
            let mut stack = stack.try_borrow_mut().ok()?;
            let frames = &mut stack.frames;
            if frames.last().is_some_and(|(top, _)| *top == id) {
                return frames.pop().map(|(_, frame)| frame);
            }
            let index = frames.iter().rposition(|(frame_id, _)| *frame_id == id)?;
            Some(frames.remove(index).1)
        })
        .ok()
        .flatten()
}

/// The context of the current span or attached context, if any.
#[inline]
pub(crate) fn current_span_context() -> Option<SpanContext> {
    STACK.with(|stack| {
        let stack = stack.try_borrow().ok()?;
        stack
            .frames
            .last()
            .map(|(_, frame)| frame.span_context().clone())
    })
}

/// Runs `f` on the span of the frame `id`, or on the top frame if `id` is `None`.
/// Does nothing if that frame is an attached context rather than a span.
pub(crate) fn with_span<R>(id: Option<u64>, f: impl FnOnce(&mut Span) -> R) -> Option<R> {
    STACK.with(|stack| {
        let mut stack = stack.try_borrow_mut().ok()?;
        let frame = match id {
            None => stack.frames.last_mut(),
            Some(id) => stack
                .frames
                .iter_mut()
                .rev()
                .find(|(frame_id, _)| *frame_id == id),
        };
        match frame {
            Some((_, Frame::Span(span))) => Some(f(span)),
            _ => None,
        }
    })
}

/// A span made current by [`Span::enter`]. Ends the span when dropped. Not `Send`: the span is
/// current on this thread only.
#[derive(Debug)]
#[must_use = "the span is current only while the guard lives"]
pub struct EnteredSpan {
    frame: u64,
    _not_send: PhantomData<*const ()>,
}

impl EnteredSpan {
    pub(crate) fn enter(span: Span) -> EnteredSpan {
        EnteredSpan {
            frame: push_frame(Frame::Span(span)),
            _not_send: PhantomData,
        }
    }

    /// The entered span's identity.
    pub fn context(&self) -> SpanContext {
        with_span(Some(self.frame), |span| span.context().clone()).unwrap_or_default()
    }

    /// Sets an attribute on the entered span.
    pub fn set_attribute(&self, key: impl Into<Str>, value: impl Into<Value>) {
        with_span(Some(self.frame), |span| span.set_attribute(key, value));
    }

    /// Adds an event to the entered span.
    pub fn add_event(&self, name: impl Into<Str>, attributes: Vec<KeyValue>) {
        with_span(Some(self.frame), |span| span.add_event(name, attributes));
    }

    /// Runs `f` with the entered span (for any other [`Span`] method).
    pub fn with_span<R>(&self, f: impl FnOnce(&mut Span) -> R) -> Option<R> {
        with_span(Some(self.frame), f)
    }

    /// Leaves the span without ending it, so it can be entered again elsewhere.
    pub fn exit(self) -> Span {
        let frame = pop_frame(self.frame);
        std::mem::forget(self);
        match frame {
            Some(Frame::Span(span)) => span,
            _ => Span::noop(),
        }
    }
}

impl Drop for EnteredSpan {
    #[inline]
    fn drop(&mut self) {
        // The span ends here, after the stack is no longer borrowed.
        drop(pop_frame(self.frame));
    }
}

/// A span's identity that can cross threads; attach it to make new spans its children.
///
/// The current span belongs to one thread. Work handed to another thread or task takes the
/// context along in one of three ways:
///
/// **`std::thread::spawn`**: wrap the closure; it runs with the spawner's context attached,
/// so its spans are children of the spawner's current span.
///
/// ```
/// let request = spindle::Span::new("request").enter();
/// let worker = std::thread::spawn(spindle::Context::current().wrap(|| {
///     let child = spindle::Span::new("work on another thread");
///     child.context().trace_id
/// }));
/// assert_eq!(worker.join().unwrap(), request.context().trace_id);
/// ```
///
/// **A thread pool** (any pool that runs `FnOnce() + Send` jobs): wrap each job where it is
/// submitted, not where it runs.
///
/// ```
/// use std::sync::mpsc;
/// type Job = Box<dyn FnOnce() + Send>;
/// let (jobs, queue) = mpsc::channel::<Job>();
/// let pool = std::thread::spawn(move || queue.into_iter().for_each(|job| job()));
///
/// let request = spindle::Span::new("request").enter();
/// let (done, seen) = mpsc::channel();
/// jobs.send(Box::new(spindle::Context::current().wrap(move || {
///     done.send(spindle::current::trace_id()).unwrap();
/// })))
/// .unwrap();
/// assert_eq!(seen.recv().unwrap(), Some(request.context().trace_id));
/// drop(jobs);
/// pool.join().unwrap();
/// ```
///
/// For a job that runs many times (`rayon`'s `for_each`), clone the context into it and
/// attach it on each run: `let _attached = context.clone().attach();`.
///
/// **`tokio::spawn`** (or any executor): a task is polled on whichever thread is free, so the
/// context goes with the future, through [`Instrument`](crate::Instrument): `in_span` gives the
/// task a span of its own (a child of the current span, current whenever the task is polled,
/// ended when it completes); `with_context` only carries the context.
///
/// ```
/// use spindle::{Context, Instrument, Span};
///
/// let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).build().unwrap();
/// runtime.block_on(async {
///     let request = Span::new("request").enter();
///     let trace_id = request.context().trace_id;
///     let job = tokio::spawn(async { spindle::current::trace_id() }.in_span(Span::new("job")));
///     let carried = tokio::spawn(async { spindle::current::trace_id() }.with_context(Context::current()));
///     assert_eq!(job.await.unwrap(), Some(trace_id));
///     assert_eq!(carried.await.unwrap(), Some(trace_id));
/// });
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    span_context: Option<SpanContext>,
}

impl Context {
    /// The context of this thread's current span (empty if none).
    pub fn current() -> Context {
        Context {
            span_context: current_span_context(),
        }
    }

    /// A context holding a span's identity (for example one extracted from request headers).
    pub fn from_span_context(span_context: SpanContext) -> Context {
        Context {
            span_context: Some(span_context).filter(SpanContext::is_valid),
        }
    }

    /// The span identity this context holds.
    pub fn span_context(&self) -> Option<&SpanContext> {
        self.span_context.as_ref()
    }

    /// A closure that runs `f` with this context attached (on whichever thread calls it),
    /// and detaches it afterwards, even if `f` panics. `Send` if `f` is.
    ///
    /// ```
    /// let parent = spindle::Span::new("parent").enter();
    /// let work = spindle::Context::current().wrap(|| spindle::current::span_id());
    /// let on_other_thread = std::thread::spawn(work).join().unwrap();
    /// assert_eq!(on_other_thread, Some(parent.context().span_id));
    /// ```
    pub fn wrap<R>(self, f: impl FnOnce() -> R) -> impl FnOnce() -> R {
        move || {
            let _attached = self.attach();
            f()
        }
    }

    /// Makes this context current on this thread until the guard is dropped.
    pub fn attach(self) -> ContextGuard {
        let frame = self
            .span_context
            .map(|context| push_frame(Frame::Context(context)));
        ContextGuard {
            frame,
            _not_send: PhantomData,
        }
    }
}

/// Keeps a [`Context`] attached to the thread while it lives.
#[derive(Debug)]
#[must_use = "the context is attached only while the guard lives"]
pub struct ContextGuard {
    frame: Option<u64>,
    _not_send: PhantomData<*const ()>,
}

impl Drop for ContextGuard {
    fn drop(&mut self) {
        if let Some(frame) = self.frame {
            drop(pop_frame(frame));
        }
    }
}
