//! Keeping a span current across `.await` points, on any executor.
//!
//! Each poll enters the span (or attaches the context) and leaves it again afterwards, so the
//! span is current exactly while the future runs, on whichever thread polls it.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

use crate::context::{Context, Frame, pop_frame, push_frame};
use crate::span::Span;

pin_project_lite::pin_project! {
    /// A future that runs with a span current (see [`Instrument`]).
    #[derive(Debug)]
    #[must_use = "futures do nothing unless polled"]
    pub struct Instrumented<F> {
        #[pin]
        inner: F,
        frame: Option<Frame>,
    }
}

impl<F: Future> Future for Instrumented<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<F::Output> {
        let this = self.project();
        let mut entered = Entered(this.frame.take().map(push_frame));
        let result = this.inner.poll(cx);
        let frame = entered.leave();
        if result.is_pending() {
            *this.frame = frame;
        }
        // When ready, the frame is dropped here: an owned span ends.
        result
    }
}

/// The frame pushed for one poll; popped even if the inner future panics.
struct Entered(Option<u64>);

impl Entered {
    fn leave(&mut self) -> Option<Frame> {
        self.0.take().and_then(pop_frame)
    }
}

impl Drop for Entered {
    fn drop(&mut self) {
        drop(self.leave());
    }
}

/// Runs futures inside a span or context.
///
/// ```
/// use spindle::Instrument;
/// async fn fetch() -> u32 {
///     spindle::current::set_attribute("rows", 3);
///     3
/// }
/// let future = fetch().in_span(spindle::Span::new("fetch"));
/// # let _ = future;
/// ```
pub trait Instrument: Future + Sized {
    /// The span is current whenever the future is polled, and ends when the future completes
    /// (or is dropped).
    fn in_span(self, span: Span) -> Instrumented<Self> {
        Instrumented {
            inner: self,
            frame: Some(Frame::Span(span)),
        }
    }

    /// The context is attached whenever the future is polled.
    fn with_context(self, context: Context) -> Instrumented<Self> {
        let frame = context.span_context().cloned().map(Frame::Context);
        Instrumented { inner: self, frame }
    }

    /// Takes this thread's current span now (as [`Context::current`]) and attaches it
    /// whenever the future is polled, so spans the future starts are children of the span
    /// that was current where it was created, whichever thread or task later polls it:
    ///
    /// ```
    /// use spindle::Instrument;
    /// let request = spindle::Span::new("request").enter();
    /// let work = async { spindle::Span::new("work").context().trace_id }
    ///     .in_current_span();
    /// // Polled on another thread, where nothing is current, `work` still joins the trace.
    /// let trace_id = std::thread::spawn(move || {
    ///     let mut work = std::pin::pin!(work);
    ///     let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    ///     loop {
    ///         if let std::task::Poll::Ready(id) = work.as_mut().poll(&mut cx) {
    ///             break id;
    ///         }
    ///     }
    /// })
    /// .join()
    /// .unwrap();
    /// assert_eq!(trace_id, request.context().trace_id);
    /// ```
    ///
    /// With nothing current, the future is left as it is. `#[spindle::trace]` on an
    /// `async fn` does this for the function's own span.
    fn in_current_span(self) -> Instrumented<Self> {
        self.with_context(Context::current())
    }
}

impl<F: Future> Instrument for F {}
