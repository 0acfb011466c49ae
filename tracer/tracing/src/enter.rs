//! Entering a `tracing` span makes its Spindle span's context current on Spindle's own
//! per-thread stack (so `spindle::Span::new` and `spindle::Context::current()` inside it see
//! it); exiting takes it off again.
//!
//! `tracing` enters and exits a span on the same thread (its guards are not `Send`, and an
//! instrumented future enters and exits within one poll), so the guards live in a
//! thread-local list here, keyed by the `tracing` span's id: nothing is shared between
//! threads.

use std::cell::RefCell;

use spindle::{Context, ContextGuard, SpanContext};
use tracing_core::span::Id;

thread_local! {
    static ENTERED: RefCell<Vec<(Id, ContextGuard)>> = const { RefCell::new(Vec::new()) };
}

/// Attaches `context` for the `tracing` span `id` until [`exit`] is called for it.
pub(crate) fn enter(id: &Id, context: SpanContext) {
    let guard = Context::from_span_context(context).attach();
    let _ = ENTERED.try_with(|entered| {
        if let Ok(mut entered) = entered.try_borrow_mut() {
            entered.push((id.clone(), guard));
        }
    });
}

/// Detaches the context most recently attached for `id` (spans exit in any order).
pub(crate) fn exit(id: &Id) {
    let guard = ENTERED
        .try_with(|entered| {
            let mut entered = entered.try_borrow_mut().ok()?;
            let index = entered
                .iter()
                .rposition(|(entered_id, _)| entered_id == id)?;
            Some(entered.remove(index).1)
        })
        .ok()
        .flatten();
    // Detached here, after the list is no longer borrowed.
    drop(guard);
}
