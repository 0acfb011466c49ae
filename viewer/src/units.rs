//! Durations and timestamps as people read them.

/// `1.50 s`, `12.3 ms`, `450 µs`, `80 ns`.
pub fn duration(nanos: u64) -> String {
    let n = nanos as f64;
    if nanos >= 60_000_000_000 {
        format!("{:.1} min", n / 60e9)
    } else if nanos >= 1_000_000_000 {
        format!("{:.2} s", n / 1e9)
    } else if nanos >= 1_000_000 {
        format!("{:.2} ms", n / 1e6)
    } else if nanos >= 1_000 {
        format!("{:.1} µs", n / 1e3)
    } else {
        format!("{nanos} ns")
    }
}

/// Signed offset, e.g. `+1.20 ms`.
pub fn offset(from: u64, to: u64) -> String {
    if to >= from {
        format!("+{}", duration(to - from))
    } else {
        format!("-{}", duration(from - to))
    }
}

/// UTC date and time with microseconds: `2024-05-01 12:00:00.123456 UTC`.
pub fn timestamp(unix_nanos: u64) -> String {
    let secs = unix_nanos / 1_000_000_000;
    let micros = (unix_nanos % 1_000_000_000) / 1_000;
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}.{micros:06} UTC",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60
    )
}

/// Time of day only, for compact lists: `12:00:00.123`.
pub fn time_of_day(unix_nanos: u64) -> String {
    let secs = unix_nanos / 1_000_000_000;
    let millis = (unix_nanos % 1_000_000_000) / 1_000_000;
    let rem = secs % 86_400;
    format!(
        "{:02}:{:02}:{:02}.{millis:03}",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60
    )
}

/// Howard Hinnant's days-to-civil algorithm.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// A "nice" grid step (1, 2 or 5 times a power of ten) of at least `min` nanoseconds.
pub fn grid_step(min: f64) -> f64 {
    let min = min.max(1.0);
    let power = 10f64.powf(min.log10().floor());
    for factor in [1.0, 2.0, 5.0, 10.0] {
        if power * factor >= min {
            return power * factor;
        }
    }
    power * 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(duration(1_500_000), "1.50 ms");
        assert_eq!(duration(999), "999 ns");
        assert_eq!(
            timestamp(1_700_000_000_123_456_789),
            "2023-11-14 22:13:20.123456 UTC"
        );
        assert_eq!(grid_step(130.0), 200.0);
        assert_eq!(offset(10, 5), "-5 ns");
    }
}
