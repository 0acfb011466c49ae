//! Reading a 1,000,000-span Zipkin and OTLP/JSON file (issue 3's speed target: >= 150 MB/s),
//! beside plain `serde_json::from_slice::<serde_json::Value>` of the same bytes (the
//! reference ratio: both parse every byte; ours also builds the typed model and validates),
//! and the same spans as OTLP protobuf (issue 12's target: at least 3x faster than OTLP/JSON;
//! compare `read_1m_spans_otlp_proto` with `read_1m_spans_otlp/spindle_formats_read`).
//!
//! `cargo bench -p spindle-benches --bench read` (set `SPINDLE_BENCH_SPANS` to change 1M).

use std::hint::black_box;
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main};
use spindle_formats::{
    KeyValue, ReadOptions, Resource, ResourceIndex, Scope, Span, SpanId, SpanKind, TraceData,
    TraceId, write_otlp_json, write_otlp_proto, write_zipkin,
};

type Writer = fn(&TraceData, &mut Vec<u8>) -> std::io::Result<()>;

fn spans() -> usize {
    std::env::var("SPINDLE_BENCH_SPANS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000)
}

/// `n` spans in traces of 50 over eight services, each with two attributes (a route or a row
/// count, and a peer service): the shape of a busy service mesh's export.
fn synthetic(n: usize) -> TraceData {
    let services = [
        "edge", "auth", "cart", "payments", "search", "db", "cache", "queue",
    ];
    let resources = services
        .iter()
        .map(|s| Resource {
            attributes: vec![KeyValue::new("service.name", *s)],
            ..Default::default()
        })
        .collect();
    let spans = (0..n)
        .map(|i| {
            let (trace, position) = (i / 50, i % 50);
            let start =
                1_700_000_000_000_000_000 + trace as u64 * 3_000_000 + position as u64 * 1_000;
            Span {
                trace_id: TraceId(0x1000_0000_0000 + trace as u128),
                span_id: SpanId(i as u64 + 1),
                parent_span_id: (position > 0).then(|| SpanId((i - position) as u64 + 1)),
                name: ["GET /api", "query", "get", "publish"][position % 4].into(),
                kind: if position == 0 {
                    SpanKind::Server
                } else {
                    SpanKind::Client
                },
                start_unix_nanos: start,
                end_unix_nanos: start + 500_000,
                attributes: vec![
                    KeyValue::new("rows", position as i64),
                    KeyValue::new("peer.service", services[(position + 1) % 8]),
                ],
                resource: ResourceIndex((position % 8) as u32),
                ..Span::default()
            }
        })
        .collect();
    TraceData {
        resources,
        scopes: vec![Scope::default()],
        spans,
    }
}

fn encode(data: &TraceData, write: Writer) -> Vec<u8> {
    let mut bytes = Vec::new();
    if let Err(e) = write(data, &mut bytes) {
        eprintln!("read bench: encoding failed: {e}");
    }
    bytes
}

fn read(c: &mut Criterion) {
    let n = spans();
    let data = synthetic(n);
    let files: [(&str, Writer); 2] = [
        ("zipkin", |d, out| write_zipkin(d, out)),
        ("otlp", |d, out| write_otlp_json(d, out)),
    ];
    for (format, write) in files {
        let bytes = encode(&data, write);
        eprintln!(
            "read {format}: {n} spans, {:.1} MB",
            bytes.len() as f64 / 1e6
        );
        let mut group = c.benchmark_group(format!("read_1m_spans_{format}"));
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.sample_size(10);
        group.measurement_time(Duration::from_secs(20));
        group.bench_function("serde_json_value", |b| {
            b.iter(|| black_box(serde_json::from_slice::<serde_json::Value>(&bytes).is_ok()))
        });
        bench_read(&mut group, &bytes, "bench.json");
        group.finish();
    }
    let bytes = encode(&data, |d, out| write_otlp_proto(d, out));
    eprintln!(
        "read otlp_proto: {n} spans, {:.1} MB",
        bytes.len() as f64 / 1e6
    );
    let mut group = c.benchmark_group("read_1m_spans_otlp_proto");
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    bench_read(&mut group, &bytes, "bench.binpb");
    group.finish();
}

/// `spindle_formats_read`: reading and then dropping the model (what a one-shot tool such as
/// `spindle-convert --summary` pays); `spindle_formats_decode`: reading only, the model dropped
/// outside the timing (what a reader that keeps the spans, such as the viewer, waits for).
fn bench_read(group: &mut BenchmarkGroup<'_, WallTime>, bytes: &[u8], source: &str) {
    group.bench_function("spindle_formats_read", |b| {
        b.iter(|| {
            let loaded = spindle_formats::read(bytes, source, ReadOptions::default());
            black_box(loaded.map(|l| l.data.spans.len()).unwrap_or(0))
        })
    });
    group.bench_function("spindle_formats_decode", |b| {
        b.iter_with_large_drop(|| spindle_formats::read(bytes, source, ReadOptions::default()))
    });
}

criterion_group!(benches, read);
criterion_main!(benches);
