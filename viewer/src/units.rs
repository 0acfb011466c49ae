//! Durations and timestamps as people read them.

use spindle_formats::time::civil_from_days;

/// A count with thousands separators: `1,234,567`.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

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

/// A round step (1, 2 or 5 times a power of ten) of at least `min` (any positive value).
pub fn nice_step(min: f64) -> f64 {
    if !(min.is_finite() && min > 0.0) {
        return 1.0;
    }
    let power = 10f64.powf(min.log10().floor());
    for factor in [1.0, 2.0, 5.0] {
        if power * factor >= min * (1.0 - 1e-9) {
            return power * factor;
        }
    }
    power * 10.0
}

/// A round grid step of at least `min` nanoseconds (never below 1 ns).
pub fn grid_step(min: f64) -> f64 {
    nice_step(min.max(1.0))
}

/// Decimals a label needs to show multiples of `step` exactly (0 for steps of 1 and more).
fn decimals(step: f64) -> usize {
    if step >= 1.0 || step <= 0.0 {
        0
    } else {
        ((-step.log10()).ceil() as usize).min(6)
    }
}

/// An axis label for time `t` (ns) on a grid of `step` ns: one unit per axis, picked from the
/// step, with only the decimals the step needs: `0 ms`, `20 ms`, `40 ms`; `0.5 µs`.
pub fn tick_label(t: f64, step: f64) -> String {
    let (scale, unit) = if step >= 1e9 {
        (1e9, "s")
    } else if step >= 1e6 {
        (1e6, "ms")
    } else if step >= 1e3 {
        (1e3, "µs")
    } else {
        (1.0, "ns")
    };
    let value = t / scale;
    format!("{:.*} {unit}", decimals(step / scale), value)
}

/// A percentage axis label for `p` (0..100) on a grid of `step` percent: `25%`, `2.5%`.
pub fn percent_label(p: f64, step: f64) -> String {
    format!("{:.*}%", decimals(step), p)
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
        assert_eq!(grid_step(0.2), 1.0);
        assert_eq!(offset(10, 5), "-5 ns");
    }

    #[test]
    fn round_steps_and_labels() {
        for (min, step) in [
            (0.013, 0.02),
            (3.0, 5.0),
            (7.0, 10.0),
            (45e6, 50e6),
            (1e3, 1e3),
        ] {
            assert!(
                (nice_step(min) - step).abs() < step * 1e-9,
                "{min} -> {step}"
            );
        }
        assert_eq!(tick_label(40e6, 20e6), "40 ms");
        assert_eq!(tick_label(0.0, 20e6), "0 ms");
        assert_eq!(tick_label(2e9, 1e9), "2 s");
        assert_eq!(tick_label(1500.0, 500.0), "1500 ns");
        assert_eq!(tick_label(1.5e6, 5e5), "1500 µs");
        assert_eq!(tick_label(2.5e3, 5e2), "2500 ns");
        assert_eq!(percent_label(25.0, 5.0), "25%");
        assert_eq!(percent_label(2.5, 0.5), "2.5%");
        assert_eq!(percent_label(0.25, 0.05), "0.25%");
    }
}
