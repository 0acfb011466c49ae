//! Time on the hot path: one read of the CPU's time-stamp counter (through `quanta`, which
//! checks that the TSC is invariant and otherwise falls back to the OS monotonic clock),
//! converted to Unix nanoseconds from an anchor taken once per process. No `SystemTime::now()`
//! per span, and no jumps when the wall clock is adjusted while a span is open.
//!
//! Reading the TSC costs a fraction of a `clock_gettime` call, and a pair of spans reads the
//! clock four times.

use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

struct Anchor {
    clock: quanta::Clock,
    raw: u64,
    unix_nanos: u64,
}

static ANCHOR: OnceLock<Anchor> = OnceLock::new();

fn anchor() -> &'static Anchor {
    ANCHOR.get_or_init(|| {
        // Calibrates the counter against the monotonic clock (about a millisecond, once).
        let clock = quanta::Clock::new();
        let raw = clock.raw();
        let unix_nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        Anchor {
            clock,
            raw,
            unix_nanos,
        }
    })
}

/// Calibrates the clock now rather than on the first span.
pub(crate) fn warm_up() {
    anchor();
}

/// The current time in Unix nanoseconds, from the monotonic clock.
#[inline]
pub fn now_unix_nanos() -> u64 {
    let anchor = anchor();
    let raw = anchor.clock.raw();
    anchor.unix_nanos + anchor.clock.delta_as_nanos(anchor.raw, raw)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_the_wall_clock_and_never_goes_back() {
        let wall = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64;
        let a = now_unix_nanos();
        let b = now_unix_nanos();
        assert!(b >= a);
        assert!(a.abs_diff(wall) < 1_000_000_000, "{a} vs wall {wall}");
    }

    #[test]
    fn measures_elapsed_time() {
        let a = now_unix_nanos();
        std::thread::sleep(std::time::Duration::from_millis(20));
        let elapsed = now_unix_nanos() - a;
        assert!(
            (15_000_000..2_000_000_000).contains(&elapsed),
            "{elapsed} ns"
        );
    }
}
