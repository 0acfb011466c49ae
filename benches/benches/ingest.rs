//! Sustained ingest over loopback HTTP into the receiver's decoded-batch channel: 4 senders on
//! keep-alive connections post 1,000-span bodies; an iteration ends when every span has come
//! out of the channel. Throughput in spans per second (target with protobuf: >= 500,000/s).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use spindle_formats::{KeyValue, Resource, Scope, SpanId, SpanKind, TraceData, TraceId};
use spindle_viewer::receive::{Endpoint, ReceiveConfig, Receiver};

const SENDERS: usize = 4;
const SPANS_PER_BODY: usize = 1_000;
const BODIES_PER_SENDER: usize = 25;
const JSON: &str = "application/json";
const PROTOBUF: &str = "application/x-protobuf";
const SPANS_PER_ITERATION: u64 = (SENDERS * BODIES_PER_SENDER * SPANS_PER_BODY) as u64;

/// 1,000 spans in traces of 10, with the attributes an HTTP service records.
fn spans(seed: u64) -> TraceData {
    let resource = Resource {
        attributes: vec![
            KeyValue::new("service.name", "checkout"),
            KeyValue::new("host.name", "bench-host"),
        ],
        ..Default::default()
    };
    let mut data = TraceData {
        resources: vec![resource],
        scopes: vec![Scope {
            name: "bench".into(),
            ..Default::default()
        }],
        spans: Vec::new(),
    };
    for i in 0..SPANS_PER_BODY as u64 {
        let n = seed * SPANS_PER_BODY as u64 + i + 1;
        let root = n - i % 10;
        data.spans.push(spindle_formats::Span {
            trace_id: TraceId(u128::from(root) << 64 | 0xabc),
            span_id: SpanId(n),
            parent_span_id: (n != root).then_some(SpanId(root)),
            name: "GET /api/cart".into(),
            kind: SpanKind::Server,
            start_unix_nanos: 1_700_000_000_000_000_000 + n * 1000,
            end_unix_nanos: 1_700_000_000_000_500_000 + n * 1000,
            attributes: vec![
                KeyValue::new("http.request.method", "GET"),
                KeyValue::new("http.route", "/api/cart"),
                KeyValue::new("http.response.status_code", 200i64),
            ],
            ..Default::default()
        });
    }
    data
}

fn request(path: &str, content_type: &str, gzip: bool, body: &[u8]) -> Vec<u8> {
    let body = if gzip {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(body).expect("gzip");
        encoder.finish().expect("gzip")
    } else {
        body.to_vec()
    };
    let encoding = if gzip {
        "Content-Encoding: gzip\r\n"
    } else {
        ""
    };
    let mut raw = format!(
        "POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: {content_type}\r\n{encoding}\
         Content-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    raw.extend_from_slice(&body);
    raw
}

/// Posts each request on one keep-alive connection; panics on a status other than 2xx.
fn send_all(addr: SocketAddr, requests: &[Vec<u8>]) {
    let mut connection = BufReader::new(TcpStream::connect(addr).expect("connect"));
    for raw in requests {
        connection.get_mut().write_all(raw).expect("send");
        let mut line = String::new();
        connection.read_line(&mut line).expect("status");
        assert!(line.starts_with("HTTP/1.1 2"), "{line}");
        let mut length = 0;
        loop {
            line.clear();
            connection.read_line(&mut line).expect("header");
            if line.trim_end().is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().expect("length");
            }
        }
        let mut body = vec![0; length];
        connection.read_exact(&mut body).expect("body");
    }
}

/// A receiver whose channel is drained by a thread counting spans.
fn receiver() -> (Receiver, Arc<AtomicU64>) {
    let receiver = Receiver::start(ReceiveConfig {
        otlp: "127.0.0.1:0".parse().ok(),
        zipkin: "127.0.0.1:0".parse().ok(),
        queue_batches: 1024,
        ..ReceiveConfig::default()
    });
    let count = Arc::new(AtomicU64::new(0));
    let batches = receiver.batches().clone();
    let counter = Arc::clone(&count);
    std::thread::spawn(move || {
        for batch in batches.iter() {
            counter.fetch_add(batch.data.spans.len() as u64, Ordering::Relaxed);
        }
    });
    (receiver, count)
}

fn run(addr: SocketAddr, requests: &Arc<Vec<Vec<Vec<u8>>>>, count: &AtomicU64) -> Duration {
    let target = count.load(Ordering::Relaxed) + SPANS_PER_ITERATION;
    let started = Instant::now();
    let threads: Vec<_> = (0..SENDERS)
        .map(|sender| {
            let requests = Arc::clone(requests);
            std::thread::spawn(move || send_all(addr, &requests[sender]))
        })
        .collect();
    for thread in threads {
        thread.join().expect("sender");
    }
    while count.load(Ordering::Relaxed) < target {
        std::hint::spin_loop();
    }
    started.elapsed()
}

fn ingest(c: &mut Criterion) {
    let (receiver, count) = receiver();
    let otlp = receiver.local_addr(Endpoint::Otlp).expect("otlp listens");
    let zipkin = receiver
        .local_addr(Endpoint::Zipkin)
        .expect("zipkin listens");
    type Encode = fn(&TraceData, &mut Vec<u8>) -> std::io::Result<()>;
    let cases: [(&str, SocketAddr, &str, &str, bool, Encode); 5] = [
        ("otlp_proto", otlp, "/v1/traces", PROTOBUF, false, |d, o| {
            spindle_formats::write_otlp_proto(d, o)
        }),
        (
            "otlp_proto_gzip",
            otlp,
            "/v1/traces",
            PROTOBUF,
            true,
            |d, o| spindle_formats::write_otlp_proto(d, o),
        ),
        ("otlp_json", otlp, "/v1/traces", JSON, false, |d, o| {
            spindle_formats::write_otlp_json(d, o)
        }),
        ("otlp_json_gzip", otlp, "/v1/traces", JSON, true, |d, o| {
            spindle_formats::write_otlp_json(d, o)
        }),
        (
            "zipkin_json",
            zipkin,
            "/api/v2/spans",
            JSON,
            false,
            |d, o| spindle_formats::write_zipkin(d, o),
        ),
    ];
    let mut group = c.benchmark_group("ingest");
    group.throughput(Throughput::Elements(SPANS_PER_ITERATION));
    group.sample_size(10);
    for (name, addr, path, content_type, gzip, encode) in cases {
        let requests: Vec<Vec<Vec<u8>>> = (0..SENDERS)
            .map(|sender| {
                (0..BODIES_PER_SENDER)
                    .map(|b| {
                        let mut body = Vec::new();
                        let seed = (sender * BODIES_PER_SENDER + b) as u64;
                        encode(&spans(seed), &mut body).expect("encode");
                        request(path, content_type, gzip, &body)
                    })
                    .collect()
            })
            .collect();
        let requests = Arc::new(requests);
        group.bench_function(name, |b| {
            b.iter_custom(|iters| (0..iters).map(|_| run(addr, &requests, &count)).sum())
        });
    }
    group.finish();
}

criterion_group!(benches, ingest);
criterion_main!(benches);
