//! Time on the hot path: a monotonic clock read, converted to Unix nanoseconds by adding an
//! offset measured once per process (no `SystemTime::now()` per span, and no jumps when the
//! wall clock is adjusted while a span is open).

use std::sync::OnceLock;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

struct Anchor {
    instant: Instant,
    unix_nanos: u64,
}

static ANCHOR: OnceLock<Anchor> = OnceLock::new();

fn anchor() -> &'static Anchor {
    ANCHOR.get_or_init(|| Anchor {
        instant: Instant::now(),
        unix_nanos: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64),
    })
}

/// The current time in Unix nanoseconds, from the monotonic clock.
#[inline]
pub fn now_unix_nanos() -> u64 {
    let anchor = anchor();
    anchor.unix_nanos + anchor.instant.elapsed().as_nanos() as u64
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
}
