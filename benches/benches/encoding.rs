//! Export encoding throughput: spans per second encoded into each file format, from a batch of
//! 512 spans (the default export batch) shaped like the hot path's (a root, then children with
//! two attributes) into a writer that discards.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use spindle_formats::{
    KeyValue, Resource, Scope, Span, SpanId, SpanKind, Status, TraceData, TraceId,
};

const BATCH: usize = 512;

fn batch() -> TraceData {
    let resource = Resource {
        attributes: vec![
            KeyValue::new("service.name", "checkout"),
            KeyValue::new("service.version", "1.4.2"),
        ],
        ..Resource::default()
    };
    let scope = Scope {
        name: "spindle".into(),
        version: "0.1.0".into(),
        ..Scope::default()
    };
    let start = 1_750_000_000_000_000_000u64;
    let spans = (0..BATCH as u64)
        .map(|i| {
            let root = i % 2 == 0;
            Span {
                trace_id: TraceId(0x4bf9_2f35_77b3_4da6_a3ce_929d_0e0e_4736 ^ u128::from(i / 2)),
                span_id: SpanId(0x00f0_67aa_0ba9_02b7 + i),
                parent_span_id: (!root).then(|| SpanId(0x00f0_67aa_0ba9_02b7 + i - 1)),
                name: if root {
                    "GET /users/:id"
                } else {
                    "SELECT users"
                }
                .into(),
                kind: if root {
                    SpanKind::Server
                } else {
                    SpanKind::Client
                },
                start_unix_nanos: start + i * 1_000,
                end_unix_nanos: start + i * 1_000 + 734,
                attributes: vec![
                    KeyValue::new("http.method", "GET"),
                    KeyValue::new("http.status_code", 200),
                ],
                status: Status::Unset,
                flags: 0x101,
                ..Span::default()
            }
        })
        .collect();
    TraceData {
        resources: vec![resource],
        scopes: vec![scope],
        spans,
    }
}

fn encoding(c: &mut Criterion) {
    let data = batch();
    let mut group = c.benchmark_group("encode");
    group.throughput(Throughput::Elements(BATCH as u64));
    group.bench_function("spindle_json", |b| {
        b.iter(|| spindle_formats::write_spindle_json(black_box(&data), &mut std::io::sink()))
    });
    group.bench_function("zipkin_json", |b| {
        b.iter(|| spindle_formats::write_zipkin(black_box(&data), &mut std::io::sink()))
    });
    group.bench_function("otlp_json", |b| {
        b.iter(|| spindle_formats::write_otlp_json(black_box(&data), &mut std::io::sink()))
    });
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(50)
}

criterion_group! {
    name = benches;
    config = config();
    targets = encoding
}
criterion_main!(benches);
