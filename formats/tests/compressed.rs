#![allow(clippy::unwrap_used)]
//! gzip-compressed files of every format load as their plain text does, detected by the magic
//! bytes; JSON Lines keep their good lines around a bad one.

use std::io::Write;

use spindle_formats::*;

const LENIENT: ReadOptions = ReadOptions { strict: false };

fn data(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

const GOLDEN: [&str; 9] = [
    "otlp-collector.jsonl",
    "otlp-js.json",
    "otlp-python.binpb",
    "spindle-v1.jsonl",
    "zipkin-multi.jsonl",
    "zipkin-otel.json",
    "jaeger-ui.json",
    "tempo-v1.json",
    "jaeger-v3.json",
];

#[test]
fn every_format_compressed_loads_as_its_plain_file() {
    for name in GOLDEN {
        let plain = read(&data(name), name, LENIENT).unwrap();
        let packed = read(&gzip(&data(name)), "x.gz", LENIENT).unwrap();
        assert!(!plain.data.spans.is_empty(), "{name}");
        assert_eq!(packed.format, plain.format, "{name}");
        assert_eq!(packed.data, plain.data, "{name}");
        assert_eq!(packed.warnings.len(), plain.warnings.len(), "{name}");
    }
}

#[test]
fn a_gzip_file_opens_by_its_content_whatever_its_name() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/otlp-collector.jsonl.gz"
    );
    let loaded = read_file(path).unwrap();
    assert_eq!(loaded.format, Format::Otlp);
    assert_eq!(loaded.data.spans.len(), 3);
    let renamed = read(&data("otlp-collector.jsonl.gz"), "trace.json", LENIENT).unwrap();
    assert_eq!(renamed.data, loaded.data);
}

#[test]
fn a_problem_inside_compressed_text_names_the_decompressed_place() {
    let text = String::from_utf8(data("otlp-collector.jsonl")).unwrap();
    let broken = text.replacen(
        "\"spanId\":\"00f067aa0ba902b7\"",
        "\"spanId\":\"00f067aa0ba902bX\"",
        1,
    );
    let loaded = read(&gzip(broken.as_bytes()), "t.jsonl.gz", LENIENT).unwrap();
    assert_eq!(loaded.data.spans.len(), 2);
    let warning = loaded.warnings[0].to_string();
    assert!(
        warning.starts_with("t.jsonl.gz (decompressed):1:"),
        "{warning}"
    );
}

#[test]
fn a_cut_gzip_file_keeps_what_came_before_the_cut() {
    let lines: String = (0..400)
        .map(|_| String::from_utf8(data("zipkin-multi.jsonl")).unwrap())
        .collect();
    let whole = read(lines.as_bytes(), "z", LENIENT)
        .unwrap()
        .data
        .spans
        .len();
    let packed = gzip(lines.as_bytes());
    let cut = &packed[..packed.len() / 2];
    let loaded = read(cut, "z.json.gz", LENIENT).unwrap();
    assert!(
        loaded.data.spans.len() > whole / 4,
        "{}",
        loaded.data.spans.len()
    );
    assert!(loaded.data.spans.len() < whole);
    let last = loaded.warnings.last().unwrap();
    assert_eq!(last.source, "z.json.gz");
    assert!(matches!(last.problem, Problem::Gzip { .. }), "{last}");
    assert!(last.location.unwrap().byte <= cut.len());
    assert!(read(cut, "z.json.gz", ReadOptions { strict: true }).is_err());
}

#[test]
fn a_bad_line_in_otlp_json_lines_is_named_by_line_and_the_others_load() {
    let text = String::from_utf8(data("otlp-collector.jsonl")).unwrap();
    let first = text.lines().next().unwrap();
    let second = text.lines().nth(1).unwrap();
    let file = format!("{first}\n{{\"resourceSpans\":[{{\"scopeSpans\":oops}}]}}\n{second}\n");
    let loaded = read(file.as_bytes(), "c.jsonl", LENIENT).unwrap();
    assert_eq!(loaded.data.spans.len(), 3);
    assert_eq!(loaded.warnings.len(), 1);
    assert_eq!(loaded.warnings[0].location.unwrap().line, 2);
    assert!(loaded.warnings[0].to_string().starts_with("c.jsonl:2:"));
}
