//! Calendar dates and times (UTC, proleptic Gregorian) from day counts and Unix nanoseconds,
//! without a time-zone database: what the `spindle-convert` summary and the viewer print.
//!
//! ```
//! use spindle_formats::time::{UtcTime, civil_from_days, rfc3339};
//! assert_eq!(civil_from_days(0), (1970, 1, 1));
//! assert_eq!(civil_from_days(-1), (1969, 12, 31));
//! assert_eq!(rfc3339(1_700_000_000_000_000_123), "2023-11-14T22:13:20.000000123Z");
//! assert_eq!(UtcTime::from_unix_nanos(86_400_000_000_000).day, 2);
//! ```

/// The proleptic Gregorian `(year, month, day)` of a day count since 1970-01-01 (negative
/// before it), by Howard Hinnant's `civil_from_days` algorithm. Months and days count from 1.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// A UTC date and time of day, to the nanosecond.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UtcTime {
    /// The year (proleptic Gregorian).
    pub year: i64,
    /// The month, 1 to 12.
    pub month: u32,
    /// The day of the month, from 1.
    pub day: u32,
    /// The hour, 0 to 23.
    pub hour: u32,
    /// The minute, 0 to 59.
    pub minute: u32,
    /// The second, 0 to 59.
    pub second: u32,
    /// The nanoseconds within the second.
    pub nanos: u32,
}

impl UtcTime {
    /// The UTC time `unix_nanos` nanoseconds after the Unix epoch.
    pub fn from_unix_nanos(unix_nanos: u64) -> Self {
        let seconds = unix_nanos / 1_000_000_000;
        let (year, month, day) = civil_from_days((seconds / 86_400) as i64);
        let of_day = (seconds % 86_400) as u32;
        UtcTime {
            year,
            month,
            day,
            hour: of_day / 3600,
            minute: of_day / 60 % 60,
            second: of_day % 60,
            nanos: (unix_nanos % 1_000_000_000) as u32,
        }
    }
}

/// Nanoseconds since the Unix epoch as an RFC 3339 UTC time with nanoseconds:
/// `2023-11-14T22:13:20.000000123Z`.
pub fn rfc3339(unix_nanos: u64) -> String {
    let t = UtcTime::from_unix_nanos(unix_nanos);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:09}Z",
        t.year, t.month, t.day, t.hour, t.minute, t.second, t.nanos
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_become_dates_across_leap_years() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(59), (1970, 3, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(11_017), (2000, 3, 1));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
        assert_eq!(civil_from_days(19_783), (2024, 3, 1));
        // 2100 is not a leap year: 28 February is followed by 1 March.
        assert_eq!(civil_from_days(47_540), (2100, 2, 28));
        assert_eq!(civil_from_days(47_541), (2100, 3, 1));
    }

    #[test]
    fn days_before_1970_count_back() {
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(-365), (1969, 1, 1));
        assert_eq!(civil_from_days(-366), (1968, 12, 31));
        // 1968 was a leap year, 1900 was not.
        assert_eq!(civil_from_days(-672), (1968, 2, 29));
        assert_eq!(civil_from_days(-25_508), (1900, 3, 1));
        assert_eq!(civil_from_days(-25_509), (1900, 2, 28));
        assert_eq!(civil_from_days(-719_468), (0, 3, 1));
    }

    #[test]
    fn every_day_follows_the_one_before() {
        let mut previous = civil_from_days(-800_000);
        for days in -799_999..800_000 {
            let date = civil_from_days(days);
            let (year, month, day) = previous;
            let next_day = (year, month, day + 1);
            let next_month = (year, month + 1, 1);
            let next_year = (year + 1, 1, 1);
            assert!(
                date == next_day || (date == next_month && month < 12) || date == next_year,
                "{previous:?} then {date:?} at day {days}"
            );
            previous = date;
        }
    }

    #[test]
    fn formats_times_as_rfc3339() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000000000Z");
        assert_eq!(
            rfc3339(1_700_000_000_000_000_123),
            "2023-11-14T22:13:20.000000123Z"
        );
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }

    #[test]
    fn unix_nanos_become_utc_times() {
        let t = UtcTime::from_unix_nanos(1_700_000_000_123_456_789);
        let expected = UtcTime {
            year: 2023,
            month: 11,
            day: 14,
            hour: 22,
            minute: 13,
            second: 20,
            nanos: 123_456_789,
        };
        assert_eq!(t, expected);
        assert_eq!(rfc3339(u64::MAX), "2554-07-21T23:34:33.709551615Z");
    }
}
