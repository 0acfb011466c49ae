//! Trace and span ids, generated fast from a per-thread generator seeded from `rand`.

use std::cell::Cell;

pub use spindle_formats::{SpanId, TraceId};

thread_local! {
    static RNG: Cell<u64> = const { Cell::new(0) };
}

/// One step of wyrand: a fast, well-mixed 64-bit generator (not for cryptography).
fn next_u64() -> u64 {
    RNG.with(|state| {
        let mut s = state.get();
        if s == 0 {
            s = rand::random::<u64>() | 1;
        }
        s = s.wrapping_add(0xa076_1d64_78bd_642f);
        state.set(s);
        let t = u128::from(s) * u128::from(s ^ 0xe703_7ed1_a0b4_28db);
        ((t >> 64) as u64) ^ (t as u64)
    })
}

/// A new random, non-zero trace id.
pub fn new_trace_id() -> TraceId {
    loop {
        let id = (u128::from(next_u64()) << 64) | u128::from(next_u64());
        if id != 0 {
            return TraceId(id);
        }
    }
}

/// A new random, non-zero span id.
pub fn new_span_id() -> SpanId {
    loop {
        let id = next_u64();
        if id != 0 {
            return SpanId(id);
        }
    }
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
