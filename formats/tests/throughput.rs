#![allow(clippy::unwrap_used)]
//! Rough speed check (run with `--ignored --nocapture`, ideally `--release`).

use std::time::{Duration, Instant};

use spindle_formats::*;

fn batch(spans: usize) -> TraceData {
    let span = |i: usize| Span {
        trace_id: TraceId(0x4bf92f3577b34da6a3ce929d0e0e4736 + (i as u128 / 8)),
        span_id: SpanId(i as u64 + 1),
        parent_span_id: (i % 8 != 0).then(|| SpanId((i - i % 8) as u64 + 1)),
        name: "GET /api/v1/cart".into(),
        kind: SpanKind::Server,
        start_unix_nanos: 1_700_000_000_000_000_000 + i as u64 * 1000,
        end_unix_nanos: 1_700_000_000_000_500_000 + i as u64 * 1000,
        attributes: vec![
            KeyValue::new("http.method", "GET"),
            KeyValue::new("http.status_code", 200i64),
            KeyValue::new("http.url", "https://shop.example.com/api/v1/cart?id=12345"),
        ],
        status: Status::Ok,
        flags: FLAG_SAMPLED,
        ..Default::default()
    };
    TraceData {
        resources: vec![Resource {
            attributes: vec![KeyValue::new("service.name", "shop")],
            ..Default::default()
        }],
        scopes: vec![Scope::default()],
        spans: (0..spans).map(span).collect(),
    }
}

/// The shortest of three runs (the machine may be busy with other work).
fn best_of_3(mut run: impl FnMut()) -> Duration {
    (0..3)
        .map(|_| {
            let started = Instant::now();
            run();
            started.elapsed()
        })
        .min()
        .unwrap_or_default()
}

#[test]
#[ignore = "speed measurement"]
fn read_and_write_speed() {
    let data = batch(200_000);
    type Writer = fn(&TraceData, &mut Vec<u8>) -> std::io::Result<()>;
    let writers: [(&str, Writer); 3] = [
        ("spindle", |data, out| write_spindle_json(data, out)),
        ("zipkin", |data, out| write_zipkin(data, out)),
        ("otlp", |data, out| write_otlp_json(data, out)),
    ];
    for (name, writer) in writers {
        let mut out = Vec::new();
        let write = best_of_3(|| {
            out.clear();
            writer(&data, &mut out).unwrap();
        });
        let read_time = best_of_3(|| {
            let loaded = read(&out, "speed", ReadOptions::default()).unwrap();
            assert_eq!(loaded.data.spans.len(), data.spans.len());
        });
        let reference = best_of_3(|| {
            let tree: serde_json::Value = serde_json::from_slice(&out).unwrap();
            drop(tree);
        });
        let mb = out.len() as f64 / 1e6;
        println!(
            "{name}: {mb:.1} MB; write {:.0} MB/s ({:.2} M spans/s); read {:.0} MB/s; \
             serde_json::Value {:.0} MB/s (read takes {:.2}x its time)",
            mb / write.as_secs_f64(),
            data.spans.len() as f64 / 1e6 / write.as_secs_f64(),
            mb / read_time.as_secs_f64(),
            mb / reference.as_secs_f64(),
            read_time.as_secs_f64() / reference.as_secs_f64()
        );
    }
}
