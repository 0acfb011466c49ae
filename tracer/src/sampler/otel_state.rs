//! The OpenTelemetry `tracestate` entry (`ot=th:...;rv:...`): the sampling threshold `th`
//! and the explicit randomness value `rv`, as the specification's "TraceState Handling"
//! defines them.

use crate::trace_state::TraceState;

/// The `tracestate` key OpenTelemetry owns.
const OT_KEY: &str = "ot";
/// The threshold and randomness values are 56-bit numbers (14 hex digits).
const DIGITS: usize = 14;
/// The most an `ot` entry's value may hold.
const MAX_OT_VALUE: usize = 256;

/// The `ot` entry's value in `state`, if any.
fn ot_value(state: &TraceState) -> Option<&str> {
    state.get(OT_KEY)
}

/// The value of sub-key `key` (`th`, `rv`) in an `ot` value.
fn sub_value<'a>(ot: &'a str, key: &str) -> Option<&'a str> {
    ot.split(';').find_map(|member| {
        let (k, v) = member.split_once(':')?;
        (k == key).then_some(v)
    })
}

/// 1 to 14 lowercase hex digits as a 56-bit number, the missing digits zeros on the right.
fn parse_padded_hex(text: &str) -> Option<u64> {
    let lower_hex = |b: &u8| b.is_ascii_digit() || (b'a'..=b'f').contains(b);
    if text.is_empty() || text.len() > DIGITS || !text.as_bytes().iter().all(lower_hex) {
        return None;
    }
    let value = u64::from_str_radix(text, 16).ok()?;
    Some(value << (4 * (DIGITS - text.len())))
}

/// The rejection threshold in `state` (`ot=th:...`), if present and valid.
pub(crate) fn threshold(state: &TraceState) -> Option<u64> {
    parse_padded_hex(sub_value(ot_value(state)?, "th")?)
}

/// The explicit randomness value in `state` (`ot=rv:...`, exactly 14 digits), if valid.
pub(crate) fn randomness(state: &TraceState) -> Option<u64> {
    let text = sub_value(ot_value(state)?, "rv")?;
    (text.len() == DIGITS)
        .then(|| parse_padded_hex(text))
        .flatten()
}

/// A threshold as its `th` text: hex without trailing zeros (`0` for zero).
pub(crate) fn threshold_text(threshold: u64) -> String {
    if threshold == 0 {
        return "0".into();
    }
    let digits = format!("{threshold:014x}");
    digits.trim_end_matches('0').to_string()
}

/// `state` with the `ot` entry's `th` set to `threshold` (or removed when `None`), its other
/// sub-keys kept. The entry moves to the front, as W3C asks of an updated entry. An entry
/// that would grow past 256 characters is left as it was.
pub(crate) fn with_threshold(state: &TraceState, threshold: Option<u64>) -> TraceState {
    let old = ot_value(state).unwrap_or("");
    let others = old
        .split(';')
        .filter(|m| !m.is_empty() && !m.starts_with("th:"));
    let th = threshold.map(|t| format!("th:{}", threshold_text(t)));
    let members: Vec<String> = th.into_iter().chain(others.map(str::to_string)).collect();
    let value = members.join(";");
    if value == old {
        return state.clone();
    }
    if value.is_empty() {
        return state.delete(OT_KEY);
    }
    if value.len() > MAX_OT_VALUE {
        return state.clone();
    }
    state
        .insert(OT_KEY, &value)
        .unwrap_or_else(|_| state.clone())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn state(header: &str) -> TraceState {
        TraceState::from_header(header).unwrap()
    }

    #[test]
    fn thresholds_read_as_the_specification_examples() {
        assert_eq!(threshold(&state("ot=th:c")), Some(0xc0_0000_0000_0000));
        assert_eq!(threshold(&state("ot=th:0")), Some(0));
        assert_eq!(
            threshold(&state("ot=th:fd70a4")),
            Some(0x00fd_70a4_0000_0000)
        );
        let full = "ot=rv:6e6d1a75832a2f;th:ffffffffffffff";
        assert_eq!(threshold(&state(full)), Some(0xff_ffff_ffff_ffff));
        for bad in [
            "ot=th:",
            "ot=th:C",
            "ot=th:123456789012345",
            "ot=rv:1",
            "a=th:1",
        ] {
            assert_eq!(threshold(&state(bad)), None, "{bad}");
        }
    }

    #[test]
    fn randomness_needs_exactly_14_digits() {
        let good = state("ot=rv:6e6d1a75832a2f");
        assert_eq!(randomness(&good), Some(0x6e_6d1a_7583_2a2f));
        assert_eq!(randomness(&state("ot=rv:6e6d1a75832a2")), None);
        assert_eq!(randomness(&state("ot=th:8")), None);
    }

    #[test]
    fn setting_the_threshold_keeps_other_sub_keys_and_entries() {
        let before = state("congo=t61,ot=rv:6e6d1a75832a2f;th:1");
        let after = with_threshold(&before, Some(0x80_0000_0000_0000));
        assert_eq!(after.header(), "ot=th:8;rv:6e6d1a75832a2f,congo=t61");
        let erased = with_threshold(&after, None);
        assert_eq!(erased.header(), "ot=rv:6e6d1a75832a2f,congo=t61");
        assert_eq!(with_threshold(&state("a=1,ot=th:8"), None).header(), "a=1");
        assert_eq!(
            with_threshold(&TraceState::EMPTY, Some(0)).header(),
            "ot=th:0"
        );
        assert!(with_threshold(&TraceState::EMPTY, None).is_empty());
    }

    #[test]
    fn threshold_text_drops_trailing_zeros() {
        assert_eq!(threshold_text(0), "0");
        assert_eq!(threshold_text(0x00fd_70a4_0000_0000), "fd70a4");
        assert_eq!(threshold_text(0xff_ffff_ffff_ffff), "ffffffffffffff");
        assert_eq!(threshold_text(0x00_0000_0000_0001), "00000000000001");
    }
}
