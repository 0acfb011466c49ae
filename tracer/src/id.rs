//! Trace and span ids, generated fast from a per-thread generator seeded from `rand`.

use std::cell::Cell;

pub(crate) use spindle_formats::{SpanId, TraceId};

thread_local! {
    static RNG: Cell<u64> = const { Cell::new(0) };
}

/// One step of wyrand: a fast, well-mixed 64-bit generator (not for cryptography).
#[inline]
fn wyrand(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0xa076_1d64_78bd_642f);
    let t = u128::from(*state) * u128::from(*state ^ 0xe703_7ed1_a0b4_28db);
    ((t >> 64) as u64) ^ (t as u64)
}

/// Runs `f` on this thread's generator state (seeded from `rand` on first use).
#[inline]
fn with_rng<R>(f: impl FnOnce(&mut u64) -> R) -> R {
    RNG.with(|cell| {
        let mut state = cell.get();
        if state == 0 {
            state = rand::random::<u64>() | 1;
        }
        let out = f(&mut state);
        cell.set(state);
        out
    })
}

/// A new random, non-zero trace id: all 16 bytes pseudo-random and uniform (so its right-most
/// 7 bytes are, as W3C Level 2 asks of a trace id whose random flag is set).
#[inline]
pub(crate) fn new_trace_id() -> TraceId {
    with_rng(|state| {
        loop {
            let id = (u128::from(wyrand(state)) << 64) | u128::from(wyrand(state));
            if id != 0 {
                return TraceId(id);
            }
        }
    })
}

/// A new random, non-zero span id.
#[inline]
pub(crate) fn new_span_id() -> SpanId {
    with_rng(|state| {
        loop {
            let id = wyrand(state);
            if id != 0 {
                return SpanId(id);
            }
        }
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_are_never_zero_and_do_not_repeat() {
        let mut seen = HashSet::new();
        for _ in 0..100_000 {
            assert!(seen.insert(new_span_id()));
            assert!(new_trace_id().is_valid());
        }
    }

    #[test]
    fn threads_get_different_sequences() {
        let a = std::thread::spawn(new_trace_id).join().unwrap();
        let b = std::thread::spawn(new_trace_id).join().unwrap();
        assert_ne!(a, b);
    }
}
