//! Propagation: W3C Trace Context and tracestate rules, B3, and round trips.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;

use proptest::prelude::*;
use spindle::propagation::b3::{B3Encoding, B3Propagator};
use spindle::propagation::w3c::{
    Field, TraceContextPropagator, TraceparentError, decode_traceparent, encode_traceparent,
};
use spindle::propagation::{CompositePropagator, Extractor, Injector, Propagator};
use spindle::{SpanContext, SpanId, TraceFlags, TraceId, TraceState, TraceStateError};

const TID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const PID: &str = "00f067aa0ba902b7";

fn headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn valid_traceparent() -> String {
    format!("00-{TID}-{PID}-01")
}

fn w3c_extract(pairs: &[(&str, &str)]) -> Option<SpanContext> {
    TraceContextPropagator.extract(&headers(pairs))
}

/// Extracts with a valid traceparent and the given tracestate lines; returns the state header.
fn extract_state(lines: &[&str]) -> String {
    let tp = valid_traceparent();
    let mut pairs = vec![("traceparent", tp.as_str())];
    pairs.extend(lines.iter().map(|l| ("tracestate", *l)));
    w3c_extract(&pairs).unwrap().trace_state.header()
}

fn context(trace: u128, span: u64, flags: u8, state: &str) -> SpanContext {
    SpanContext {
        trace_id: TraceId(trace),
        span_id: SpanId(span),
        trace_flags: TraceFlags(flags),
        trace_state: TraceState::from_header(state).unwrap(),
        is_remote: false,
    }
}

// ---------------------------------------------------------------- traceparent

#[test]
fn traceparent_accept_table() {
    let cases: &[(&str, String, u8)] = &[
        ("version 00 sampled", format!("00-{TID}-{PID}-01"), 1),
        ("version 00 unsampled", format!("00-{TID}-{PID}-00"), 0),
        ("unknown flag bits kept", format!("00-{TID}-{PID}-09"), 9),
        (
            "leading and trailing OWS",
            format!(" \t00-{TID}-{PID}-01\t "),
            1,
        ),
        (
            "higher version, exact length",
            format!("cc-{TID}-{PID}-01"),
            1,
        ),
        (
            "higher version, extra fields",
            format!("cc-{TID}-{PID}-01-what-the-future"),
            1,
        ),
        (
            "higher version, bare dash",
            format!("01-{TID}-{PID}-01-"),
            1,
        ),
        ("version fe", format!("fe-{TID}-{PID}-00-x"), 0),
    ];
    for (what, header, flags) in cases {
        let decoded = decode_traceparent(header);
        let (trace, span, got) = decoded.unwrap_or_else(|e| panic!("{what}: {header:?}: {e}"));
        assert_eq!(trace.to_string(), TID, "{what}");
        assert_eq!(span.to_string(), PID, "{what}");
        assert_eq!(got, TraceFlags(*flags), "{what}");
        assert!(w3c_extract(&[("traceparent", header)]).is_some(), "{what}");
    }
}

#[test]
fn traceparent_reject_table() {
    use TraceparentError as E;
    let zeros32 = "0".repeat(32);
    let zeros16 = "0".repeat(16);
    let upper = TID.to_uppercase();
    let cases: Vec<(&str, String, Option<E>)> = vec![
        (
            "uppercase trace id",
            format!("00-{upper}-{PID}-01"),
            Some(E::NotLowerHex(Field::TraceId)),
        ),
        (
            "uppercase parent id",
            format!("00-{TID}-00F067AA0BA902B7-01"),
            Some(E::NotLowerHex(Field::ParentId)),
        ),
        (
            "uppercase flags",
            format!("00-{TID}-{PID}-0A"),
            Some(E::NotLowerHex(Field::Flags)),
        ),
        (
            "uppercase version",
            format!("0A-{TID}-{PID}-01"),
            Some(E::InvalidVersion),
        ),
        (
            "version ff",
            format!("ff-{TID}-{PID}-01"),
            Some(E::ForbiddenVersion),
        ),
        (
            "zero trace id",
            format!("00-{zeros32}-{PID}-01"),
            Some(E::ZeroTraceId),
        ),
        (
            "zero parent id",
            format!("00-{TID}-{zeros16}-01"),
            Some(E::ZeroParentId),
        ),
        (
            "00 with trailing field",
            format!("00-{TID}-{PID}-01-what"),
            Some(E::TrailingData),
        ),
        (
            "00 with trailing dot",
            format!("00-{TID}-{PID}-01."),
            Some(E::TrailingData),
        ),
        (
            "higher version, bad char at 55",
            format!("cc-{TID}-{PID}-01.what"),
            Some(E::MissingDelimiter(55)),
        ),
        (
            "version illegal char",
            format!(".0-{TID}-{PID}-01"),
            Some(E::InvalidVersion),
        ),
        (
            "version illegal char 2",
            format!("0.-{TID}-{PID}-01"),
            Some(E::InvalidVersion),
        ),
        (
            "version too long",
            format!("000-{TID}-{PID}-01"),
            Some(E::MissingDelimiter(2)),
        ),
        (
            "version too short",
            format!("0-{TID}-{PID}-01"),
            Some(E::TooShort(54)),
        ),
        (
            "trace id too short",
            format!("00-{}-{PID}-01", &TID[1..]),
            Some(E::TooShort(54)),
        ),
        (
            "trace id too long",
            format!("00-{TID}0-{PID}-01"),
            Some(E::MissingDelimiter(35)),
        ),
        (
            "parent id too short",
            format!("00-{TID}-{}-01", &PID[1..]),
            Some(E::TooShort(54)),
        ),
        (
            "parent id too long",
            format!("00-{TID}-{PID}0-01"),
            Some(E::MissingDelimiter(52)),
        ),
        (
            "flags too short",
            format!("00-{TID}-{PID}-1"),
            Some(E::TooShort(54)),
        ),
        (
            "flags too long",
            format!("00-{TID}-{PID}-011"),
            Some(E::TrailingData),
        ),
        (
            "flags too long, higher version",
            format!("cc-{TID}-{PID}-011"),
            Some(E::MissingDelimiter(55)),
        ),
        (
            "non-hex trace id",
            format!("00-{}g-{PID}-01", &TID[1..]),
            Some(E::NotLowerHex(Field::TraceId)),
        ),
        (
            "non-hex parent id",
            format!("00-{TID}-{}x-01", &PID[1..]),
            Some(E::NotLowerHex(Field::ParentId)),
        ),
        (
            "non-hex flags",
            format!("00-{TID}-{PID}-0g"),
            Some(E::NotLowerHex(Field::Flags)),
        ),
        (
            "wrong delimiter",
            format!("00_{TID}_{PID}_01"),
            Some(E::MissingDelimiter(2)),
        ),
        ("empty", String::new(), Some(E::TooShort(0))),
        (
            "non-ascii",
            format!("00-{}é-{PID}-01", &TID[2..]),
            Some(E::NotLowerHex(Field::TraceId)),
        ),
    ];
    for (what, header, expected) in cases {
        let got = decode_traceparent(&header);
        assert!(got.is_err(), "{what}: {header:?} accepted");
        if let Some(expected) = expected {
            assert_eq!(got, Err(expected), "{what}");
        }
        assert!(w3c_extract(&[("traceparent", &header)]).is_none(), "{what}");
    }
}

#[test]
fn multiple_traceparent_headers_are_invalid() {
    let tp = valid_traceparent();
    assert!(w3c_extract(&[("traceparent", &tp), ("traceparent", &tp)]).is_none());
    assert!(w3c_extract(&[("traceparent", &tp), ("TraceParent", &tp)]).is_none());
}

#[test]
fn traceparent_header_name_is_case_insensitive() {
    let tp = valid_traceparent();
    for name in ["traceparent", "TraceParent", "TRACEPARENT"] {
        assert!(w3c_extract(&[(name, &tp)]).is_some(), "{name}");
    }
    for name in ["trace-parent", "trace_parent"] {
        assert!(w3c_extract(&[(name, &tp)]).is_none(), "{name}");
    }
}

#[test]
fn invalid_traceparent_drops_tracestate() {
    let bad = format!("00-{TID}-{PID}-01-extra");
    assert!(w3c_extract(&[("traceparent", &bad), ("tracestate", "foo=1")]).is_none());
    assert!(w3c_extract(&[("tracestate", "foo=1")]).is_none());
}

#[test]
fn invalid_tracestate_is_dropped_and_traceparent_kept() {
    let tp = valid_traceparent();
    let cx = w3c_extract(&[("traceparent", &tp), ("tracestate", "foo=1,BAR=2")]).unwrap();
    assert_eq!(cx.trace_id.to_string(), TID);
    assert!(cx.trace_state.is_empty());
    assert!(cx.is_remote);
}

// ----------------------------------------------------------------- tracestate

#[test]
fn tracestate_accept_table() {
    let all_chars: String = (0x20u8..=0x7e)
        .filter(|b| *b != b',' && *b != b'=')
        .map(char::from)
        .collect();
    let cases: Vec<(&str, Vec<String>, String)> = vec![
        ("empty header", vec![String::new()], String::new()),
        ("whitespace only", vec![" \t ".into()], String::new()),
        (
            "empty members skipped",
            vec![",foo=1,,  ,bar=2,".into()],
            "foo=1,bar=2".into(),
        ),
        (
            "OWS around members",
            vec!["foo=1 \t , \t bar=2, \t baz=3".into()],
            "foo=1,bar=2,baz=3".into(),
        ),
        ("OWS at ends", vec!["\t foo=1 \t".into()], "foo=1".into()),
        (
            "split lines joined",
            vec!["foo=1".into(), "bar=2".into()],
            "foo=1,bar=2".into(),
        ),
        (
            "split lines with empty line",
            vec!["foo=1".into(), String::new(), "bar=2".into()],
            "foo=1,bar=2".into(),
        ),
        (
            "multi-tenant key",
            vec!["tenant@vendor=1".into()],
            "tenant@vendor=1".into(),
        ),
        (
            "tenant starting with digit",
            vec!["1tenant@vendor=1".into()],
            "1tenant@vendor=1".into(),
        ),
        (
            "key starting with a digit (editor's draft)",
            vec!["1foo=1".into()],
            "1foo=1".into(),
        ),
        (
            "at sign at the end, doubled, twice (editor's draft)",
            vec!["foo@=1,foo@@bar=2,foo@bar@baz=3,bar=4".into()],
            "foo@=1,foo@@bar=2,foo@bar@baz=3,bar=4".into(),
        ),
        (
            "system starting with a digit (editor's draft)",
            vec!["foo@1bar=1".into()],
            "foo@1bar=1".into(),
        ),
        (
            "duplicate keys: the first kept (editor's draft)",
            vec!["foo=1,bar=2,foo=3".into()],
            "foo=1,bar=2".into(),
        ),
        (
            "duplicate keys across lines: the first kept",
            vec!["foo=1".into(), "foo=2".into()],
            "foo=1".into(),
        ),
        (
            "key special chars",
            vec!["a_-*/9=1".into()],
            "a_-*/9=1".into(),
        ),
        (
            "all allowed value chars",
            vec![format!("foo={all_chars}")],
            format!("foo={all_chars}"),
        ),
        (
            "value with inner spaces",
            vec!["foo=a b".into()],
            "foo=a b".into(),
        ),
    ];
    for (what, lines, expected) in cases {
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        assert_eq!(extract_state(&lines), expected, "{what}");
        assert_eq!(
            TraceState::from_headers(lines).unwrap().header(),
            expected,
            "{what}"
        );
    }
}

#[test]
fn tracestate_reject_table() {
    let cases: Vec<(&str, Vec<String>)> = vec![
        ("space in key", vec!["foo =1".into()]),
        (
            "space after equals is value, key space before",
            vec!["foo= 1,b =2".into()],
        ),
        ("uppercase key", vec!["FOO=1".into()]),
        ("dot in key", vec!["foo.bar=1".into()]),
        ("key starting with underscore", vec!["_foo=1".into()]),
        ("key starting with an at sign", vec!["@foo=1,bar=2".into()]),
        ("equals in value", vec!["foo=bar=baz".into()]),
        ("empty value", vec!["foo=,bar=3".into()]),
        ("empty key", vec!["=1".into()]),
        ("no equals", vec!["foo".into()]),
        ("control char in value", vec!["foo=a\u{1}b".into()]),
        ("DEL in value", vec!["foo=a\u{7f}b".into()]),
        ("non-ascii value", vec!["foo=é".into()]),
        ("non-ascii key", vec!["fé=1".into()]),
        ("key 257", vec![format!("a{}=1", "b".repeat(256))]),
        (
            "key 257 with an at sign",
            vec![format!("{}@v=1", "t".repeat(255))],
        ),
        ("value 257", vec![format!("foo={}", "v".repeat(257))]),
        ("33 members", vec![members(0..33)]),
        (
            "33 members across lines",
            vec![members(0..20), members(20..33)],
        ),
    ];
    for (what, lines) in cases {
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        assert!(TraceState::from_headers(lines.clone()).is_err(), "{what}");
        assert_eq!(extract_state(&lines), "", "{what}");
    }
}

fn members(range: std::ops::Range<usize>) -> String {
    range
        .map(|i| format!("k{i}=v{i}"))
        .collect::<Vec<_>>()
        .join(",")
}

#[test]
fn tracestate_limits_accepted_at_the_edge() {
    let key256 = format!("a{}", "b".repeat(255));
    let tenant241 = format!("{}@{}", "t".repeat(241), "s".repeat(14));
    let tenant242 = format!("{}@v", "t".repeat(242));
    let system15 = format!("t@{}", "v".repeat(15));
    let value256 = "v".repeat(256);
    for member in [
        format!("{key256}=1"),
        format!("{tenant241}=1"),
        format!("{tenant242}=1"),
        format!("{system15}=1"),
        format!("foo={value256}"),
    ] {
        assert_eq!(TraceState::from_header(&member).unwrap().header(), member);
    }
    assert_eq!(TraceState::from_header(&members(0..32)).unwrap().len(), 32);
    assert_eq!(
        extract_state(&[&members(0..16), &members(16..32)]),
        members(0..32)
    );
    // Empty members do not count towards the limit.
    let padded = format!("{},,,, ,", members(0..32));
    assert_eq!(TraceState::from_header(&padded).unwrap().len(), 32);
}

#[test]
fn tracestate_errors_say_what_was_wrong() {
    use TraceStateError as E;
    assert_eq!(
        TraceState::from_header("A=1"),
        Err(E::InvalidKey("A".into()))
    );
    assert_eq!(
        TraceState::from_header("a=1=2"),
        Err(E::InvalidValue("a".into()))
    );
    assert_eq!(
        TraceState::from_header("a"),
        Err(E::MissingEquals("a".into()))
    );
    assert_eq!(
        TraceState::from_header(&members(0..33)),
        Err(E::TooManyMembers)
    );
}

#[test]
fn tracestate_key_and_value_predicates() {
    let (is_valid_key, is_valid_value) = (TraceState::is_valid_key, TraceState::is_valid_value);
    assert!(is_valid_key("a") && is_valid_key("a1_-*/") && is_valid_key("0@a"));
    assert!(is_valid_key("a@") && is_valid_key("9") && is_valid_key(&"z".repeat(256)));
    assert!(!is_valid_key("") && !is_valid_key("a b") && !is_valid_key("@a"));
    assert!(!is_valid_key("-a") && !is_valid_key(&"z".repeat(257)));
    assert!(is_valid_value("~") && is_valid_value(" x"));
    assert!(!is_valid_value("x ") && !is_valid_value("a,b") && !is_valid_value(" "));
}

#[test]
fn tracestate_insert_get_delete() {
    let state = TraceState::from_header("a=1,b=2,c=3").unwrap();
    assert_eq!(state.get("b"), Some("2"));
    assert_eq!(state.get("z"), None);
    assert_eq!(state.insert("c", "9").unwrap().header(), "c=9,a=1,b=2");
    assert_eq!(
        state.insert("new", "x").unwrap().header(),
        "new=x,a=1,b=2,c=3"
    );
    assert_eq!(state.delete("b").header(), "a=1,c=3");
    assert_eq!(state.delete("zz"), state);
    assert!(state.insert("k", "trailing ").is_err());
    assert!(state.insert("K", "v").is_err());
    assert_eq!(state.header(), "a=1,b=2,c=3", "immutable");
    let full = TraceState::from_header(&members(0..32)).unwrap();
    let added = full.insert("new", "x").unwrap();
    assert_eq!(added.len(), 32);
    assert_eq!(added.get("k31"), None, "rightmost entry removed");
    assert_eq!(added.iter().next(), Some(("new", "x")));
    assert!(TraceState::default().is_empty());
    assert_eq!(TraceState::default().len(), 0);
}

// ------------------------------------------------------------------ truncation

fn entry(key: &str, total_len: usize) -> String {
    format!("{key}={}", "v".repeat(total_len - key.len() - 1))
}

#[test]
fn truncation_removes_long_entries_from_the_end_first() {
    let short: Vec<String> = (0..10).map(|i| entry(&format!("s{i}"), 40)).collect();
    let mut all = short.clone();
    all.insert(2, entry("long1", 200));
    all.insert(7, entry("long2", 200));
    let state = TraceState::from_header(&all.join(",")).unwrap();
    assert!(state.header().len() > 512);
    // Removing long2 (the last long one) leaves 10*40+9+201 = 610: long1 must go too.
    assert_eq!(state.truncated(512).header(), short.join(","));
    // With room for one long entry, only the last long one is removed.
    let mut one_long = all.clone();
    one_long.remove(7);
    assert_eq!(state.truncated(610).header(), one_long.join(","));
}

#[test]
fn truncation_then_removes_from_the_end() {
    let all: Vec<String> = (0..20).map(|i| entry(&format!("k{i:02}"), 30)).collect();
    let state = TraceState::from_header(&all.join(",")).unwrap();
    assert_eq!(state.header().len(), 619);
    let kept = state.truncated(512).header();
    assert_eq!(kept, all[..16].join(","));
    assert_eq!(kept.len(), 495);
}

#[test]
fn truncation_mixes_long_and_end_removal() {
    let mut all: Vec<String> = (0..15).map(|i| entry(&format!("k{i:02}"), 30)).collect();
    all.insert(0, entry("big", 129));
    let state = TraceState::from_header(&all.join(",")).unwrap();
    // 129 + 15*30 + 15 = 594 > 512: the long entry goes first (464 left), nothing else.
    assert_eq!(state.truncated(512).header(), all[1..].join(","));
}

#[test]
fn truncation_keeps_a_header_that_fits() {
    let all: Vec<String> = (0..4).map(|i| entry(&format!("k{i}"), 200)).collect();
    let exact = TraceState::from_header(&all[..2].join(",")).unwrap();
    assert_eq!(exact.header().len(), 401);
    assert_eq!(exact.truncated(401), exact);
    // An entry of exactly 128 is not "long": removal is from the end, not of that entry.
    let mut at128: Vec<String> = (0..14).map(|i| entry(&format!("k{i:02}"), 30)).collect();
    at128.insert(0, entry("first", 128));
    let state = TraceState::from_header(&at128.join(",")).unwrap();
    assert_eq!(state.header().len(), 562);
    assert_eq!(state.truncated(512).header(), at128[..13].join(","));
    // One character more and it is the first removed.
    at128[0] = entry("first", 129);
    let state = TraceState::from_header(&at128.join(",")).unwrap();
    assert_eq!(state.truncated(512).header(), at128[1..].join(","));
}

#[test]
fn inject_limit_is_exactly_512() {
    let fits = format!("{},{}", entry("a", 256), entry("b", 255));
    let over = format!("{},{}", entry("a", 256), entry("b", 256));
    let mut cx = context(1, 2, 1, &fits);
    let mut out: HashMap<String, String> = HashMap::new();
    TraceContextPropagator.inject(&cx, &mut out);
    assert_eq!(out["tracestate"].len(), 512);
    cx.trace_state = TraceState::from_header(&over).unwrap();
    TraceContextPropagator.inject(&cx, &mut out);
    assert_eq!(out["tracestate"], entry("a", 256));
}

#[test]
fn inject_truncates_tracestate_to_512() {
    let all: Vec<String> = (0..20).map(|i| entry(&format!("k{i:02}"), 30)).collect();
    let mut cx = context(1, 2, 1, "");
    cx.trace_state = TraceState::from_header(&all.join(",")).unwrap();
    let mut out: HashMap<String, String> = HashMap::new();
    TraceContextPropagator.inject(&cx, &mut out);
    assert_eq!(out["tracestate"], all[..16].join(","));
}

// ------------------------------------------------------------ W3C round trips

#[test]
fn w3c_inject_writes_exact_headers() {
    let cx = context(
        0x4bf92f3577b34da6a3ce929d0e0e4736,
        0x00f067aa0ba902b7,
        1,
        "rojo=1,congo=2",
    );
    let mut out: Vec<(String, String)> = Vec::new();
    TraceContextPropagator.inject(&cx, &mut out);
    assert_eq!(
        out,
        headers(&[
            ("traceparent", &valid_traceparent()),
            ("tracestate", "rojo=1,congo=2")
        ])
    );
    assert_eq!(encode_traceparent(&cx), valid_traceparent());
}

#[test]
fn w3c_inject_skips_empty_state_and_invalid_contexts() {
    let mut out: HashMap<String, String> = HashMap::new();
    TraceContextPropagator.inject(&context(1, 2, 0, ""), &mut out);
    assert_eq!(out.len(), 1);
    assert_eq!(out["traceparent"], format!("00-{:032x}-{:016x}-00", 1, 2));
    let mut none: HashMap<String, String> = HashMap::new();
    TraceContextPropagator.inject(&context(0, 2, 1, ""), &mut none);
    TraceContextPropagator.inject(&context(1, 0, 1, ""), &mut none);
    assert!(none.is_empty());
}

#[test]
fn w3c_round_trip_through_map_and_list() {
    let cx = context(0xdead_beef, 0x1234, 3, "a=1,b@c=x y");
    let mut map: HashMap<String, String> = HashMap::new();
    TraceContextPropagator.inject(&cx, &mut map);
    let mut list: Vec<(String, String)> = Vec::new();
    TraceContextPropagator.inject(&cx, &mut list);
    let expected = SpanContext {
        is_remote: true,
        ..cx.clone()
    };
    assert_eq!(TraceContextPropagator.extract(&map), Some(expected.clone()));
    assert_eq!(TraceContextPropagator.extract(&list), Some(expected));
}

#[test]
fn w3c_fields() {
    assert_eq!(
        TraceContextPropagator.fields(),
        ["traceparent", "tracestate"]
    );
}

// ------------------------------------------------------------------------ B3

const B3_TRACE: &str = "80f198ee56343ba864fe8b2a57d3eff7";
const B3_SPAN: &str = "e457b5a2e4d86bd1";

fn b3_extract(pairs: &[(&str, &str)]) -> Option<SpanContext> {
    B3Propagator::default().extract(&headers(pairs))
}

#[test]
fn b3_single_header_table() {
    let cases: Vec<(String, Option<(u128, bool)>)> = vec![
        (
            format!("{B3_TRACE}-{B3_SPAN}"),
            Some((0x80f198ee56343ba864fe8b2a57d3eff7, false)),
        ),
        (
            format!("{B3_TRACE}-{B3_SPAN}-1"),
            Some((0x80f198ee56343ba864fe8b2a57d3eff7, true)),
        ),
        (
            format!("{B3_TRACE}-{B3_SPAN}-0"),
            Some((0x80f198ee56343ba864fe8b2a57d3eff7, false)),
        ),
        (
            format!("{B3_TRACE}-{B3_SPAN}-d"),
            Some((0x80f198ee56343ba864fe8b2a57d3eff7, true)),
        ),
        (
            format!("{B3_TRACE}-{B3_SPAN}-1-05e3ac9a4f6e3b90"),
            Some((0x80f198ee56343ba864fe8b2a57d3eff7, true)),
        ),
        (
            format!("64fe8b2a57d3eff7-{B3_SPAN}-1"),
            Some((0x64fe8b2a57d3eff7, true)),
        ),
        ("0".into(), None),
        ("1".into(), None),
        ("d".into(), None),
        (String::new(), None),
        (format!("{B3_TRACE}-{B3_SPAN}-x"), None),
        (format!("{B3_TRACE}-{B3_SPAN}-true"), None),
        (format!("{B3_TRACE}-{B3_SPAN}-1-bad"), None),
        (
            format!("{B3_TRACE}-{B3_SPAN}-1-05e3ac9a4f6e3b90-extra"),
            None,
        ),
        (format!("{B3_TRACE}-{B3_SPAN}-1-0000000000000000"), None),
        (format!("{}-{B3_SPAN}-1", "0".repeat(32)), None),
        (format!("{B3_TRACE}-{}-1", "0".repeat(16)), None),
        (format!("{}-{B3_SPAN}-1", &B3_TRACE[1..]), None),
        (format!("{B3_TRACE}-{}-1", &B3_SPAN[1..]), None),
        (format!("{B3_TRACE}-{}g-1", &B3_SPAN[1..]), None),
        (B3_TRACE.to_string(), None),
    ];
    for (value, expected) in cases {
        let got = b3_extract(&[("b3", &value)]);
        let got = got.map(|cx| {
            assert!(
                cx.is_remote && cx.span_id == SpanId(0xe457b5a2e4d86bd1),
                "{value}"
            );
            (cx.trace_id.0, cx.is_sampled())
        });
        assert_eq!(got, expected, "{value:?}");
    }
}

#[test]
fn b3_multi_header_table() {
    type Case<'a> = (Vec<(&'a str, &'a str)>, Option<(u128, bool)>);
    let full = 0x80f198ee56343ba864fe8b2a57d3eff7;
    let ids = |extra: &[(&'static str, &'static str)]| {
        let mut v = vec![("X-B3-TraceId", B3_TRACE), ("X-B3-SpanId", B3_SPAN)];
        v.extend_from_slice(extra);
        v
    };
    let cases: Vec<Case> = vec![
        (ids(&[("X-B3-Sampled", "1")]), Some((full, true))),
        (ids(&[("X-B3-Sampled", "0")]), Some((full, false))),
        (ids(&[("X-B3-Sampled", "true")]), Some((full, true))),
        (ids(&[("X-B3-Sampled", "false")]), Some((full, false))),
        (ids(&[]), Some((full, false))),
        (ids(&[("X-B3-Flags", "1")]), Some((full, true))),
        (
            ids(&[("X-B3-Flags", "1"), ("X-B3-Sampled", "0")]),
            Some((full, true)),
        ),
        (
            ids(&[
                ("X-B3-ParentSpanId", "05e3ac9a4f6e3b90"),
                ("X-B3-Sampled", "1"),
            ]),
            Some((full, true)),
        ),
        (ids(&[("X-B3-Sampled", "yes")]), None),
        (ids(&[("X-B3-Flags", "2")]), None),
        (ids(&[("X-B3-ParentSpanId", "xyz")]), None),
        (
            vec![
                ("X-B3-TraceId", "64fe8b2a57d3eff7"),
                ("X-B3-SpanId", B3_SPAN),
            ],
            Some((0x64fe8b2a57d3eff7, false)),
        ),
        (
            vec![
                ("x-b3-traceid", B3_TRACE),
                ("X-B3-SPANID", B3_SPAN),
                ("x-B3-sampled", "1"),
            ],
            Some((full, true)),
        ),
        (vec![("X-B3-TraceId", B3_TRACE)], None),
        (vec![("X-B3-SpanId", B3_SPAN), ("X-B3-Sampled", "1")], None),
        (
            vec![("X-B3-TraceId", "abc"), ("X-B3-SpanId", B3_SPAN)],
            None,
        ),
        (
            vec![
                ("X-B3-TraceId", B3_TRACE),
                ("X-B3-SpanId", "0000000000000000"),
            ],
            None,
        ),
    ];
    for (pairs, expected) in cases {
        let got = b3_extract(&pairs).map(|cx| (cx.trace_id.0, cx.is_sampled()));
        assert_eq!(got, expected, "{pairs:?}");
    }
}

#[test]
fn b3_single_header_wins_and_falls_back() {
    let single = format!("{B3_TRACE}-{B3_SPAN}-1");
    let multi_trace = "1111111111111111";
    let both = [
        ("b3", single.as_str()),
        ("X-B3-TraceId", multi_trace),
        ("X-B3-SpanId", B3_SPAN),
    ];
    assert_eq!(
        b3_extract(&both).unwrap().trace_id.0,
        0x80f198ee56343ba864fe8b2a57d3eff7
    );
    let fallback = [
        ("b3", "0"),
        ("X-B3-TraceId", multi_trace),
        ("X-B3-SpanId", B3_SPAN),
    ];
    assert_eq!(
        b3_extract(&fallback).unwrap().trace_id.0,
        0x1111111111111111
    );
}

#[test]
fn b3_header_names_are_case_insensitive() {
    let value = format!("{B3_TRACE}-{B3_SPAN}-1");
    assert!(b3_extract(&[("B3", &value)]).is_some());
    let mut map: HashMap<String, String> = HashMap::new();
    map.insert("X-B3-TraceId".into(), B3_TRACE.into());
    map.insert("X-B3-SPANID".into(), B3_SPAN.into());
    assert!(B3Propagator::default().extract(&map).is_some());
}

#[test]
fn b3_round_trips_every_encoding() {
    let encodings = [
        B3Encoding::SingleHeader,
        B3Encoding::MultipleHeaders,
        B3Encoding::SingleAndMultipleHeaders,
    ];
    for encoding in encodings {
        for (trace, flags) in [
            (0x80f198ee56343ba864fe8b2a57d3eff7, 1),
            (0x64fe8b2a57d3eff7, 0),
        ] {
            let cx = context(trace, 0xe457b5a2e4d86bd1, flags, "");
            let propagator = B3Propagator::new(encoding);
            let mut out: Vec<(String, String)> = Vec::new();
            propagator.inject(&cx, &mut out);
            let names: Vec<&str> = out.iter().map(|(k, _)| k.as_str()).collect();
            assert_eq!(names, propagator.fields(), "{encoding:?}");
            let back = B3Propagator::default().extract(&out).unwrap();
            assert_eq!(
                back,
                SpanContext {
                    is_remote: true,
                    ..cx
                },
                "{encoding:?}"
            );
        }
    }
}

#[test]
fn b3_inject_formats() {
    let cx = context(0x64fe8b2a57d3eff7, 0xe457b5a2e4d86bd1, 1, "");
    let mut out: HashMap<String, String> = HashMap::new();
    B3Propagator::new(B3Encoding::SingleAndMultipleHeaders).inject(&cx, &mut out);
    assert_eq!(
        out["b3"],
        "000000000000000064fe8b2a57d3eff7-e457b5a2e4d86bd1-1"
    );
    assert_eq!(out["x-b3-traceid"], "000000000000000064fe8b2a57d3eff7");
    assert_eq!(out["x-b3-spanid"], "e457b5a2e4d86bd1");
    assert_eq!(out["x-b3-sampled"], "1");
    let mut none: HashMap<String, String> = HashMap::new();
    B3Propagator::default().inject(&context(0, 1, 1, ""), &mut none);
    assert!(none.is_empty());
}

#[test]
fn b3_debug_is_read_as_sampled() {
    let cx = b3_extract(&[("b3", &format!("{B3_TRACE}-{B3_SPAN}-d"))]).unwrap();
    assert_eq!(cx.trace_flags, TraceFlags::SAMPLED);
    let multi = [
        ("X-B3-TraceId", B3_TRACE),
        ("X-B3-SpanId", B3_SPAN),
        ("X-B3-Flags", "1"),
    ];
    assert_eq!(b3_extract(&multi).unwrap().trace_flags, TraceFlags::SAMPLED);
}

// ------------------------------------------------- carriers and composite

#[test]
fn carriers_are_case_insensitive() {
    let mut map: HashMap<String, String> = HashMap::new();
    Injector::set(&mut map, "TraceParent", "x".into());
    assert_eq!(Extractor::get(&map, "TRACEPARENT"), Some("x"));
    assert_eq!(Extractor::keys(&map), ["traceparent"]);
    let mut mixed: HashMap<String, String> = HashMap::new();
    mixed.insert("Content-Type".into(), "y".into());
    assert_eq!(Extractor::get(&mixed, "content-type"), Some("y"));
    assert_eq!(Extractor::get_all(&mixed, "CONTENT-TYPE"), ["y"]);

    let mut list = headers(&[("A", "1"), ("b", "2"), ("a", "3")]);
    assert_eq!(Extractor::get(&list, "a"), Some("1"));
    assert_eq!(Extractor::get_all(&list, "A"), ["1", "3"]);
    assert_eq!(Extractor::keys(&list), ["A", "b", "a"]);
    Injector::set(&mut list, "A", "9".into());
    assert_eq!(list, headers(&[("b", "2"), ("A", "9")]));
}

#[test]
fn composite_injects_all_and_extracts_first_success() {
    let composite = CompositePropagator::new(vec![
        Box::new(TraceContextPropagator),
        Box::new(B3Propagator::new(B3Encoding::MultipleHeaders)),
    ]);
    assert_eq!(
        composite.fields(),
        [
            "traceparent",
            "tracestate",
            "X-B3-TraceId",
            "X-B3-SpanId",
            "X-B3-Sampled"
        ]
    );
    let cx = context(7, 8, 1, "k=v");
    let mut out: HashMap<String, String> = HashMap::new();
    composite.inject(&cx, &mut out);
    assert_eq!(out.len(), 5);
    assert_eq!(composite.extract(&out).unwrap().trace_state.header(), "k=v");
    out.remove("traceparent");
    let from_b3 = composite.extract(&out).unwrap();
    assert_eq!(
        (from_b3.trace_id, from_b3.trace_state.len()),
        (TraceId(7), 0)
    );
    assert!(
        composite
            .extract(&HashMap::<String, String>::new())
            .is_none()
    );
}

// ------------------------------------------------------------------ proptests

fn extract_all(pairs: &[(&str, &str)]) {
    let list = headers(pairs);
    let _ = TraceContextPropagator.extract(&list);
    let _ = B3Propagator::default().extract(&list);
    let map: HashMap<String, String> = list.into_iter().collect();
    let _ = TraceContextPropagator.extract(&map);
}

const KEY_RE: &str = "[a-z][a-z0-9_*/-]{0,8}(@[a-z]{1,4})?";
/// A value: printable ASCII except `,` (0x2C) and `=` (0x3D), inner spaces, no trailing space.
const VALUE_RE: &str = r"[!-+\x2D-<>-~]( ?[!-+\x2D-<>-~]){0,6}";
const WIRE_CHARS: &str = "[0-9a-fA-F\\-_ \t,=@.dxé]{0,80}";

proptest! {
    #[test]
    fn arbitrary_strings_never_panic(a in any::<String>(), b in any::<String>()) {
        let _ = decode_traceparent(&a);
        let _ = TraceState::from_headers([a.as_str(), b.as_str()]);
        extract_all(&[("traceparent", &a), ("tracestate", &b), ("b3", &a)]);
        extract_all(&[("X-B3-TraceId", &a), ("X-B3-SpanId", &b), ("X-B3-Sampled", &a), ("X-B3-Flags", &b)]);
    }

    #[test]
    fn wire_like_strings_never_panic(a in WIRE_CHARS, b in WIRE_CHARS) {
        let tp = format!("00-{TID}-{a}");
        let _ = decode_traceparent(&a);
        extract_all(&[("traceparent", &tp), ("tracestate", &a), ("tracestate", &b)]);
        extract_all(&[("b3", &format!("{B3_TRACE}-{a}")), ("X-B3-TraceId", &a), ("X-B3-SpanId", &b)]);
    }

    #[test]
    fn valid_contexts_round_trip(
        trace in 1..=u128::MAX,
        span in 1..=u64::MAX,
        flags in any::<u8>(),
        entries in proptest::collection::btree_map(KEY_RE, VALUE_RE, 0..8),
    ) {
        let header: Vec<String> = entries.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let cx = context(trace, span, flags, &header.join(","));
        let mut out: Vec<(String, String)> = Vec::new();
        TraceContextPropagator.inject(&cx, &mut out);
        let back = TraceContextPropagator.extract(&out);
        prop_assert_eq!(back, Some(SpanContext { is_remote: true, ..cx.clone() }));
        let mut b3: HashMap<String, String> = HashMap::new();
        let b3_propagator = B3Propagator::new(B3Encoding::SingleAndMultipleHeaders);
        b3_propagator.inject(&cx, &mut b3);
        let back = b3_propagator.extract(&b3).unwrap();
        prop_assert_eq!((back.trace_id, back.span_id), (cx.trace_id, cx.span_id));
        prop_assert_eq!(back.is_sampled(), cx.is_sampled());
    }

    #[test]
    fn truncation_fits_and_keeps_order(lens in proptest::collection::vec(1usize..=256, 0..32), max in 0usize..700) {
        let all: Vec<String> = lens.iter().enumerate().map(|(i, n)| entry(&format!("k{i:02}"), n + 4)).collect();
        let state = TraceState::from_header(&all.join(",")).unwrap();
        let cut = state.truncated(max);
        let header = cut.header();
        prop_assert!(header.len() <= max);
        let kept: Vec<&str> = header.split(',').filter(|e| !e.is_empty()).collect();
        let mut remaining = all.iter();
        for e in &kept {
            prop_assert!(remaining.any(|a| a == e), "order kept");
        }
        if state.header().len() <= max {
            prop_assert_eq!(cut, state);
        }
    }
}

// ----------------------------------------------------------------- W3C Level 2 random flag

/// What a service sends on after receiving `traceparent` (its span's context, injected).
fn forwarded_traceparent(incoming: &str) -> String {
    let parent = w3c_extract(&[("traceparent", incoming)]).expect("a valid traceparent");
    let span = spindle::Span::builder("handle").parent(&parent).start();
    let mut out: HashMap<String, String> = HashMap::new();
    TraceContextPropagator.inject(span.context(), &mut out);
    out["traceparent"].clone()
}

#[test]
fn a_new_trace_carries_the_random_flag() {
    let span = spindle::Span::root("new trace");
    assert!(span.context().trace_flags.is_random());
    let child = spindle::Span::builder("child")
        .parent(span.context())
        .start();
    assert!(
        child.context().trace_flags.is_random(),
        "kept by local children"
    );
}

#[test]
fn the_random_flag_is_kept_when_set_and_left_unset_when_not() {
    let trace = "12345678901234567890123456789012";
    for (incoming_flags, random) in [("02", true), ("03", true), ("00", false), ("01", false)] {
        let incoming = format!("00-{trace}-1234567890123456-{incoming_flags}");
        let out = forwarded_traceparent(&incoming);
        let (id, span, flags) = decode_traceparent(&out).expect("valid");
        assert_eq!(id.to_string(), trace);
        assert_ne!(span.to_string(), "1234567890123456", "a new parent id");
        assert_eq!(flags.is_random(), random, "{incoming} -> {out}");
    }
}

#[test]
fn reserved_flags_are_not_passed_on() {
    let out = forwarded_traceparent("00-12345678901234567890123456789012-1234567890123456-ff");
    let (_, _, flags) = decode_traceparent(&out).expect("valid");
    assert_eq!(flags.0 & !0x03, 0, "only sampled and random: {out}");
    assert!(flags.is_random());
}
