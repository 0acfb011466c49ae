//! Export encoding throughput: spans per second each writer encodes from a batch of 512 spans
//! (the default export batch) shaped like the tracer's hot path: a SERVER root and a CLIENT
//! child per trace, each with `http.method` and `http.status_code`, one resource (service name,
//! SDK attributes, host name) and one named, versioned scope. The output goes to a discarding
//! writer.
//!
//! `cargo bench -p spindle-formats --bench write`; `encode_512_spans` is the OTLP protobuf
//! encoder alone into a reused buffer.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use spindle_formats::{
    KeyValue, Resource, Scope, Span, SpanId, SpanKind, Status, TraceData, TraceId, write_otlp_json,
    write_otlp_proto, write_spindle_json, write_zipkin,
};

const BATCH: usize = 512;

type Writer = fn(&TraceData, &mut std::io::Sink) -> std::io::Result<()>;

fn resource() -> Resource {
    Resource {
        attributes: vec![
            KeyValue::new("service.name", "checkout"),
            KeyValue::new("telemetry.sdk.name", "spindle"),
            KeyValue::new("telemetry.sdk.language", "rust"),
            KeyValue::new("telemetry.sdk.version", "0.1.0"),
            KeyValue::new("host.name", "web-7f9c4d-x2k8p"),
        ],
        ..Default::default()
    }
}

fn span(i: u64) -> Span {
    let start = 1_750_000_000_000_000_000u64;
    let root = i % 2 == 0;
    Span {
        trace_id: TraceId(0x4bf9_2f35_77b3_4da6_a3ce_929d_0e0e_4736 ^ u128::from(i / 2)),
        span_id: SpanId(0x00f0_67aa_0ba9_02b7 + i),
        parent_span_id: (!root).then(|| SpanId(0x00f0_67aa_0ba9_02b7 + i - 1)),
        name: if root {
            "GET /users/:id"
        } else {
            "GET /api/users"
        }
        .into(),
        kind: if root {
            SpanKind::Server
        } else {
            SpanKind::Client
        },
        start_unix_nanos: start + i * 1_000,
        end_unix_nanos: start + i * 1_000 + 734_000,
        attributes: vec![
            KeyValue::new("http.method", "GET"),
            KeyValue::new("http.status_code", 200),
        ],
        status: Status::Unset,
        flags: 0x101,
        ..Span::default()
    }
}

fn batch() -> TraceData {
    TraceData {
        resources: vec![resource()],
        scopes: vec![Scope {
            name: "spindle".into(),
            version: "0.1.0".into(),
            attributes: Vec::new(),
            ..Default::default()
        }],
        spans: (0..BATCH as u64).map(span).collect(),
    }
}

fn write(c: &mut Criterion) {
    let data = batch();
    let writers: [(&str, Writer); 4] = [
        ("zipkin_json", |d, out| write_zipkin(d, out)),
        ("spindle_json", |d, out| write_spindle_json(d, out)),
        ("otlp_json", |d, out| write_otlp_json(d, out)),
        ("otlp_proto", |d, out| write_otlp_proto(d, out)),
    ];
    let mut group = c.benchmark_group("write_512_spans");
    group.throughput(Throughput::Elements(BATCH as u64));
    group.measurement_time(Duration::from_secs(4));
    for (name, writer) in writers {
        group.bench_function(name, |b| {
            b.iter(|| writer(black_box(&data), &mut std::io::sink()))
        });
    }
    group.finish();
    encode_reused_buffer(c, &data);
}

/// The OTLP protobuf encoder into a buffer kept between batches, as an exporter uses it
/// (issue 12's target: at least 5,000,000 spans/s on one core).
fn encode_reused_buffer(c: &mut Criterion, data: &TraceData) {
    let mut group = c.benchmark_group("encode_512_spans");
    group.throughput(Throughput::Elements(BATCH as u64));
    group.measurement_time(Duration::from_secs(4));
    let mut buffer = Vec::new();
    group.bench_function("otlp_proto_reused_buffer", |b| {
        b.iter(|| {
            buffer.clear();
            spindle_formats::otlp_proto::encode(black_box(data), &mut buffer);
            black_box(buffer.len())
        })
    });
    group.finish();
}

criterion_group!(benches, write);
criterion_main!(benches);
