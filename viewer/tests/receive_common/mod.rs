//! Shared by the receiver tests: a receiver on ephemeral loopback ports, a raw HTTP/1.1 client
//! (to send exactly the bytes a test means, malformed ones included), and request bodies.
#![allow(dead_code, clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use spindle_viewer::receive::{Endpoint, ReceiveConfig, ReceivedBatch, Receiver};

/// OTLP and Zipkin on `127.0.0.1:0`.
pub fn config() -> ReceiveConfig {
    ReceiveConfig {
        otlp: "127.0.0.1:0".parse().ok(),
        zipkin: "127.0.0.1:0".parse().ok(),
        ..ReceiveConfig::default()
    }
}

pub fn start(config: ReceiveConfig) -> (Receiver, SocketAddr, SocketAddr) {
    let receiver = Receiver::start(config);
    let otlp = receiver.local_addr(Endpoint::Otlp).unwrap();
    let zipkin = receiver.local_addr(Endpoint::Zipkin).unwrap();
    (receiver, otlp, zipkin)
}

/// The next batch, waiting up to 5 s.
pub fn next_batch(receiver: &Receiver) -> ReceivedBatch {
    receiver
        .batches()
        .recv_timeout(Duration::from_secs(5))
        .expect("a batch within 5 s")
}

#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.text()))
    }
}

pub fn connect(addr: SocketAddr) -> BufReader<TcpStream> {
    let stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    BufReader::new(stream)
}

/// Reads one response (its body by `Content-Length`).
pub fn read_reply(connection: &mut BufReader<TcpStream>) -> Reply {
    let mut line = String::new();
    connection.read_line(&mut line).unwrap();
    let status = line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line {line:?}"));
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        connection.read_line(&mut line).unwrap();
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':').unwrap();
        headers.push((name.to_owned(), value.trim().to_owned()));
    }
    let mut reply = Reply {
        status,
        headers,
        body: Vec::new(),
    };
    let length: usize = reply
        .header("content-length")
        .map_or(0, |v| v.parse().unwrap());
    reply.body.resize(length, 0);
    connection.read_exact(&mut reply.body).unwrap();
    reply
}

/// Writes raw bytes on a new connection and reads one response.
pub fn exchange(addr: SocketAddr, raw: &[u8]) -> Reply {
    let mut connection = connect(addr);
    connection.get_mut().write_all(raw).unwrap();
    read_reply(&mut connection)
}

/// A POST request's bytes.
pub fn request(path: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut raw = format!("POST {path} HTTP/1.1\r\nHost: localhost\r\n");
    for (name, value) in headers {
        raw.push_str(&format!("{name}: {value}\r\n"));
    }
    raw.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    let mut raw = raw.into_bytes();
    raw.extend_from_slice(body);
    raw
}

pub fn post(addr: SocketAddr, path: &str, content_type: &str, body: &[u8]) -> Reply {
    exchange(
        addr,
        &request(path, &[("Content-Type", content_type)], body),
    )
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

pub const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
pub const ROOT: &str = "00f067aa0ba902b7";
pub const CHILD: &str = "00f067aa0ba902b8";

/// An OTLP/JSON request: a server root span and a client child with attributes.
pub fn otlp_body() -> String {
    format!(
        r#"{{"resourceSpans":[{{"resource":{{"attributes":[
        {{"key":"service.name","value":{{"stringValue":"shop"}}}}]}},
        "scopeSpans":[{{"scope":{{"name":"test"}},"spans":[
        {{"traceId":"{TRACE}","spanId":"{ROOT}","name":"GET /cart","kind":2,
          "startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000000500000000",
          "attributes":[{{"key":"http.route","value":{{"stringValue":"/cart"}}}}]}},
        {{"traceId":"{TRACE}","spanId":"{CHILD}","parentSpanId":"{ROOT}","name":"SELECT",
          "kind":3,"startTimeUnixNano":"1700000000100000000",
          "endTimeUnixNano":"1700000000200000000",
          "attributes":[{{"key":"db.rows","value":{{"intValue":"12"}}}}]}}]}}]}}]}}"#
    )
}

/// A Zipkin v2 JSON list: the same two spans.
pub fn zipkin_body() -> String {
    format!(
        r#"[{{"traceId":"{TRACE}","id":"{ROOT}","name":"get /cart","kind":"SERVER",
          "timestamp":1700000000000000,"duration":500000,
          "localEndpoint":{{"serviceName":"shop"}},"tags":{{"http.route":"/cart"}}}},
        {{"traceId":"{TRACE}","id":"{CHILD}","parentId":"{ROOT}","name":"select",
          "kind":"CLIENT","timestamp":1700000000100000,"duration":100000,
          "localEndpoint":{{"serviceName":"shop"}},"tags":{{"db.rows":"12"}}}}]"#
    )
}
