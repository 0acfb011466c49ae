#![allow(clippy::unwrap_used)]
//! A file cut short loses only its tail: a real written file of every format, cut at any
//! byte, loads without panicking, loads no span that is not in the whole file (in order), and
//! loads every span that ends before the cut.

mod common;

use proptest::prelude::*;
use spindle_formats::*;

const LENIENT: ReadOptions = ReadOptions { strict: false };

/// Forty spans in two services and two scopes, each the child of the one before.
fn model() -> TraceData {
    let mut data = common::full_model();
    let template = data.spans[0].clone();
    data.spans = (0..40u64)
        .map(|i| Span {
            span_id: SpanId(0x1000 + i),
            parent_span_id: i.checked_sub(1).map(|p| SpanId(0x1000 + p)),
            name: format!("step {i}").into(),
            resource: ResourceIndex((i / 20) as u32),
            scope: ScopeIndex((i % 2) as u32),
            start_unix_nanos: template.start_unix_nanos + i * 1000,
            ..template.clone()
        })
        .collect();
    data
}

type Writer = fn(&TraceData, &mut Vec<u8>) -> std::io::Result<()>;

/// The bytes of a span's own id field.
type IdField = Box<dyn Fn(SpanId) -> Vec<u8>>;

fn json_key(key: &'static str) -> impl Fn(SpanId) -> Vec<u8> {
    move |id| format!("\"{key}\":\"{:016x}\"", id.0).into_bytes()
}

/// Each format, its writer, and how a span's own id field is written (it starts inside the
/// span, so a span ends before the next one's id; for protobuf, field 2 of 8 bytes).
fn formats() -> Vec<(&'static str, Writer, IdField)> {
    vec![
        (
            "zipkin",
            |d, o| write_zipkin(d, o),
            Box::new(json_key("id")),
        ),
        (
            "otlp",
            |d, o| write_otlp_json(d, o),
            Box::new(json_key("spanId")),
        ),
        (
            "spindle",
            |d, o| write_spindle_json(d, o),
            Box::new(json_key("spanId")),
        ),
        (
            "otlp-proto",
            |d, o| write_otlp_proto(d, o),
            Box::new(|id: SpanId| [&[0x12, 8][..], &id.0.to_be_bytes()].concat()),
        ),
    ]
}

struct Written {
    name: &'static str,
    bytes: Vec<u8>,
    /// The span ids of the whole file as read, in order.
    ids: Vec<SpanId>,
    /// Where each span's id starts.
    starts: Vec<usize>,
}

/// Every format's file, written once for all the tests.
fn written() -> &'static [Written] {
    static FILES: std::sync::OnceLock<Vec<Written>> = std::sync::OnceLock::new();
    FILES.get_or_init(write_all)
}

fn write_all() -> Vec<Written> {
    let data = model();
    formats()
        .into_iter()
        .map(|(name, write, needle)| {
            let mut bytes = Vec::new();
            write(&data, &mut bytes).unwrap();
            let whole = read(&bytes, name, LENIENT).unwrap();
            assert!(whole.warnings.is_empty());
            let ids: Vec<SpanId> = whole.data.spans.iter().map(|s| s.span_id).collect();
            let starts = ids
                .iter()
                .map(|id| {
                    let needle = needle(*id);
                    bytes
                        .windows(needle.len())
                        .position(|w| w == needle)
                        .unwrap()
                })
                .collect();
            Written {
                name,
                bytes,
                ids,
                starts,
            }
        })
        .collect()
}

/// How many spans end before `cut`: those followed by another span's id before it.
fn complete_before(file: &Written, cut: usize) -> usize {
    if cut >= file.bytes.len() {
        return file.ids.len();
    }
    file.starts
        .iter()
        .skip(1)
        .filter(|start| **start < cut)
        .count()
}

fn check(file: &Written, cut: usize) {
    let prefix = &file.bytes[..cut];
    let complete = complete_before(file, cut);
    match read(prefix, file.name, LENIENT) {
        Ok(loaded) => {
            let ids: Vec<SpanId> = loaded.data.spans.iter().map(|s| s.span_id).collect();
            assert!(
                ids.len() >= complete,
                "{}: cut {cut}: {} < {complete}",
                file.name,
                ids.len()
            );
            assert_eq!(ids[..], file.ids[..ids.len()], "{}: cut {cut}", file.name);
            if let Some(last) = loaded.warnings.last() {
                assert!(last.location.unwrap().byte <= cut, "{}: {last}", file.name);
            }
            // JSON says where a value ends; protobuf cut between two top-level fields is a
            // shorter valid message, so only a JSON cut is always told.
            if file.name != "otlp-proto" && cut < file.bytes.len() - 1 {
                assert_eq!(loaded.warnings.len(), 1, "{}: cut {cut}", file.name);
                assert_eq!(loaded.warnings[0].location.unwrap().byte, cut);
            }
        }
        Err(error) => assert_eq!(complete, 0, "{}: cut {cut}: {error}", file.name),
    }
}

#[test]
fn half_a_file_of_every_format_keeps_the_spans_of_its_first_half() {
    for file in written() {
        let half = file.bytes.len() / 2;
        check(file, half);
        let loaded = read(&file.bytes[..half], file.name, LENIENT).unwrap();
        assert!(loaded.data.spans.len() >= 15, "{}", file.name);
        assert!(loaded.data.spans.len() < 40, "{}", file.name);
    }
}

#[test]
fn a_cut_zipkin_array_warns_once_where_the_input_ends() {
    let file = &written()[0];
    let cut = file.bytes.len() / 3;
    let loaded = read(&file.bytes[..cut], "spans.json", LENIENT).unwrap();
    assert_eq!(loaded.warnings.len(), 1);
    let warning = loaded.warnings[0].to_string();
    assert!(warning.starts_with("spans.json:1:"), "{warning}");
    assert!(warning.contains(&format!(" (byte {cut}): [")), "{warning}");
    assert!(warning.ends_with("the input ends in the middle of a JSON value"));
    assert!(
        read(
            &file.bytes[..cut],
            "spans.json",
            ReadOptions { strict: true }
        )
        .is_err()
    );
}

proptest! {
    #[test]
    fn any_cut_of_any_format_keeps_every_span_before_it(
        format in 0usize..4,
        at in any::<prop::sample::Index>(),
    ) {
        let file = &written()[format];
        check(file, at.index(file.bytes.len() + 1));
    }
}

#[test]
fn cuts_all_through_each_file_keep_every_span_before_them() {
    for file in written() {
        for cut in (0..=file.bytes.len()).step_by(61) {
            check(file, cut);
        }
    }
}
