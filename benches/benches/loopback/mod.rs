//! What the ingest benchmarks send over loopback: generated bodies of 1,000 spans, raw
//! HTTP/1.1 requests, and a keep-alive sender that reads every answer.
#![allow(dead_code)] // each bench binary uses a different part of this module

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};

use spindle_formats::{KeyValue, Resource, Scope, SpanId, SpanKind, TraceData, TraceId};

/// Spans in one request body.
pub const SPANS_PER_BODY: usize = 1_000;
pub const JSON: &str = "application/json";
pub const PROTOBUF: &str = "application/x-protobuf";

/// An encoder of a body.
pub type Encode = fn(&TraceData, &mut Vec<u8>) -> std::io::Result<()>;

/// The request for body number `seed` at `path`, encoded by `encode`.
pub fn body_request(
    encode: Encode,
    path: &str,
    content_type: &str,
    gzip: bool,
    seed: u64,
) -> Vec<u8> {
    let mut body = Vec::new();
    encode(&spans(seed), &mut body).expect("encode");
    request(path, content_type, gzip, &body)
}

/// 1,000 spans in traces of 10, with the attributes an HTTP service records; `seed`
/// numbers the body (ids are unique across seeds).
pub fn spans(seed: u64) -> TraceData {
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

/// One raw HTTP/1.1 POST of `body` (gzipped when asked).
pub fn request(path: &str, content_type: &str, gzip: bool, body: &[u8]) -> Vec<u8> {
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
pub fn send_all(addr: SocketAddr, requests: &[Vec<u8>]) {
    let mut connection = Connection::open(addr);
    for raw in requests {
        connection.post(raw);
    }
}

/// A keep-alive connection that posts one request at a time and reads its answer.
pub struct Connection(BufReader<TcpStream>);

impl Connection {
    pub fn open(addr: SocketAddr) -> Connection {
        Connection(BufReader::new(TcpStream::connect(addr).expect("connect")))
    }

    /// Sends `raw` and reads the whole answer; panics on a status other than 2xx.
    pub fn post(&mut self, raw: &[u8]) {
        let connection = &mut self.0;
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
