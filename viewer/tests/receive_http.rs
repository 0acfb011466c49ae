//! The receiver through real HTTP on loopback: OTLP/JSON and Zipkin bodies arrive as spans
//! with their parents and attributes, answered as the Collector and Zipkin answer; CORS for
//! localhost pages; HTTP/1.1 keep-alive, chunked bodies and `Expect: 100-continue`.
#![allow(clippy::unwrap_used)]

mod receive_common;

use std::io::Write;

use receive_common::*;
use spindle_formats::{SpanId, TraceId, Value, otlp_json, otlp_proto};
use spindle_viewer::receive::{Endpoint, Refusal};

fn id(hex: &str) -> SpanId {
    SpanId::from_hex(hex).unwrap()
}

#[test]
fn otlp_json_spans_arrive_with_parents_and_attributes() {
    let (receiver, otlp, _) = start(config());
    let reply = post(
        otlp,
        "/v1/traces",
        "application/json",
        otlp_body().as_bytes(),
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert_eq!(reply.json(), serde_json::json!({}));
    let batch = next_batch(&receiver);
    assert_eq!(batch.endpoint, Endpoint::Otlp);
    let data = batch.data;
    assert_eq!(data.spans.len(), 2);
    let child = data.spans.iter().find(|s| s.span_id == id(CHILD)).unwrap();
    assert_eq!(child.trace_id, TraceId::from_hex(TRACE).unwrap());
    assert_eq!(child.parent_span_id, Some(id(ROOT)));
    assert_eq!(child.attribute("db.rows"), Some(&Value::I64(12)));
    assert_eq!(data.service_name_of(child), "shop");
    let snapshot = receiver.snapshot();
    assert_eq!((snapshot.spans, snapshot.requests), (2, 1));
    assert_eq!(snapshot.refused_total(), 0);
}

/// The OTLP/JSON test body as an `ExportTraceServiceRequest` message.
fn otlp_protobuf_body() -> Vec<u8> {
    let json = otlp_json::read(otlp_body().as_bytes(), "body", Default::default()).unwrap();
    let mut bytes = Vec::new();
    otlp_proto::encode(&json.data, &mut bytes);
    bytes
}

#[test]
fn otlp_protobuf_spans_arrive_and_are_answered_in_protobuf() {
    let (receiver, otlp, _) = start(config());
    let body = otlp_protobuf_body();
    let reply = post(otlp, "/v1/traces", "application/x-protobuf", &body);
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.header("content-type"), Some("application/x-protobuf"));
    let partial = otlp_proto::decode_response(&reply.body).unwrap();
    assert_eq!(partial, otlp_proto::PartialSuccess::default());
    let data = next_batch(&receiver).data;
    let child = data.spans.iter().find(|s| s.span_id == id(CHILD)).unwrap();
    assert_eq!(child.parent_span_id, Some(id(ROOT)));
    assert_eq!(child.attribute("db.rows"), Some(&Value::I64(12)));
    assert_eq!(data.service_name_of(child), "shop");
    let headers = [
        ("Content-Type", "application/x-protobuf"),
        ("Content-Encoding", "gzip"),
    ];
    let reply = exchange(otlp, &request("/v1/traces", &headers, &gzip(&body)));
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(next_batch(&receiver).data.spans.len(), 2);
}

#[test]
fn bad_protobuf_is_a_400_with_a_located_status_and_the_receiver_goes_on() {
    let (receiver, otlp, _) = start(config());
    let body = otlp_protobuf_body();
    // Cut inside the resource: no span is complete, so the request is refused.
    let reply = post(otlp, "/v1/traces", "application/x-protobuf", &body[..20]);
    assert_eq!(reply.status, 400);
    assert_eq!(reply.header("content-type"), Some("application/x-protobuf"));
    let text = String::from_utf8_lossy(&reply.body);
    assert!(text.contains("request body (byte "), "{text}");
    assert_eq!(
        reply.body[..2],
        [0x08, 3],
        "google.rpc.Status code INVALID_ARGUMENT"
    );
    let reply = post(otlp, "/v1/traces", "application/x-protobuf", &body);
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(next_batch(&receiver).data.spans.len(), 2);
    assert_eq!(receiver.snapshot().refused(Refusal::Malformed), 1);
}

#[test]
fn gzip_bodies_are_read_on_both_endpoints() {
    let (receiver, otlp, zipkin) = start(config());
    let headers = [
        ("Content-Type", "application/json; charset=utf-8"),
        ("Content-Encoding", "gzip"),
    ];
    let otlp_gz = gzip(otlp_body().as_bytes());
    let reply = exchange(otlp, &request("/v1/traces", &headers, &otlp_gz));
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(next_batch(&receiver).data.spans.len(), 2);
    let zipkin_gz = gzip(zipkin_body().as_bytes());
    let reply = exchange(zipkin, &request("/api/v2/spans", &headers, &zipkin_gz));
    assert_eq!(reply.status, 202, "{}", reply.text());
    assert_eq!(next_batch(&receiver).data.spans.len(), 2);
    let wire = (otlp_gz.len() + zipkin_gz.len()) as u64;
    assert_eq!(receiver.snapshot().bytes, wire, "bytes as sent, compressed");
}

#[test]
fn zipkin_spans_arrive_with_parents_and_tags() {
    let (receiver, _, zipkin) = start(config());
    let reply = post(
        zipkin,
        "/api/v2/spans",
        "application/json",
        zipkin_body().as_bytes(),
    );
    assert_eq!(reply.status, 202, "{}", reply.text());
    assert!(reply.body.is_empty());
    let batch = next_batch(&receiver);
    assert_eq!(batch.endpoint, Endpoint::Zipkin);
    let child = batch
        .data
        .spans
        .iter()
        .find(|s| s.span_id == id(CHILD))
        .unwrap();
    assert_eq!(child.parent_span_id, Some(id(ROOT)));
    // Zipkin tags are strings; the reader types only the conventions it knows.
    assert_eq!(child.attribute("db.rows"), Some(&Value::from("12")));
    assert_eq!(batch.data.service_name_of(child), "shop");
}

#[test]
fn a_bad_span_is_left_out_and_reported_as_partial_success() {
    let (receiver, otlp, zipkin) = start(config());
    let body = otlp_body().replacen(CHILD, "00f067aa0ba9zzzz", 1);
    let reply = post(otlp, "/v1/traces", "application/json", body.as_bytes());
    assert_eq!(reply.status, 200, "{}", reply.text());
    let partial = &reply.json()["partialSuccess"];
    assert_eq!(partial["rejectedSpans"], "1");
    let message = partial["errorMessage"].as_str().unwrap();
    assert!(message.starts_with("request body:"), "{message}");
    assert!(message.contains("spans[1].spanId"), "{message}");
    let batch = next_batch(&receiver);
    assert_eq!(batch.data.spans.len(), 1);
    assert_eq!(batch.data.spans[0].span_id, id(ROOT));

    let body = zipkin_body().replacen(TRACE, "xyz", 1);
    let reply = post(zipkin, "/api/v2/spans", "application/json", body.as_bytes());
    assert_eq!(reply.status, 202);
    assert!(
        reply.text().contains("accepted 1 spans; 1 left out"),
        "{}",
        reply.text()
    );
    assert_eq!(next_batch(&receiver).data.spans.len(), 1);
    assert_eq!(receiver.snapshot().rejected_spans, 2);
}

#[test]
fn keep_alive_chunked_and_expect_continue() {
    let (receiver, otlp, _) = start(config());
    let mut connection = connect(otlp);
    let body = otlp_body();
    let (first, second) = body.as_bytes().split_at(100);
    let chunked = format!(
        "POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
         Transfer-Encoding: chunked\r\n\r\n{:x};ext=1\r\n{}\r\n{:x}\r\n{}\r\n0\r\nX-Trailer: 1\r\n\r\n",
        first.len(),
        String::from_utf8_lossy(first),
        second.len(),
        String::from_utf8_lossy(second),
    );
    connection.get_mut().write_all(chunked.as_bytes()).unwrap();
    let reply = read_reply(&mut connection);
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.header("connection"), Some("keep-alive"));

    // Same connection: the client waits for 100 Continue before sending the body.
    let head = format!(
        "POST /v1/traces HTTP/1.1\r\nContent-Type: application/json\r\nExpect: 100-continue\r\n\
         Content-Length: {}\r\n\r\n",
        body.len()
    );
    connection.get_mut().write_all(head.as_bytes()).unwrap();
    let interim = read_reply(&mut connection);
    assert_eq!(interim.status, 100);
    connection.get_mut().write_all(body.as_bytes()).unwrap();
    assert_eq!(read_reply(&mut connection).status, 200);
    assert_eq!(next_batch(&receiver).data.spans.len(), 2);
    assert_eq!(next_batch(&receiver).data.spans.len(), 2);
}

#[test]
fn browsers_on_localhost_may_send() {
    let (_receiver, otlp, _) = start(config());
    let preflight = b"OPTIONS /v1/traces HTTP/1.1\r\nOrigin: http://localhost:5173\r\n\
        Access-Control-Request-Method: POST\r\n\
        Access-Control-Request-Headers: content-type, x-faro-session\r\n\r\n";
    let reply = exchange(otlp, preflight);
    assert_eq!(reply.status, 204);
    assert_eq!(
        reply.header("access-control-allow-origin"),
        Some("http://localhost:5173")
    );
    assert_eq!(
        reply.header("access-control-allow-methods"),
        Some("POST, OPTIONS")
    );
    assert_eq!(
        reply.header("access-control-allow-headers"),
        Some("content-type, x-faro-session")
    );
    let headers = [
        ("Content-Type", "application/json"),
        ("Origin", "http://127.0.0.1:8080"),
    ];
    let reply = exchange(
        otlp,
        &request("/v1/traces", &headers, otlp_body().as_bytes()),
    );
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("access-control-allow-origin"),
        Some("http://127.0.0.1:8080")
    );

    let foreign = b"OPTIONS /v1/traces HTTP/1.1\r\nOrigin: http://localhost.example.com\r\n\r\n";
    let reply = exchange(otlp, foreign);
    assert_eq!(reply.status, 403);
    assert_eq!(reply.header("access-control-allow-origin"), None);
    let headers = [
        ("Content-Type", "application/json"),
        ("Origin", "https://example.com"),
    ];
    let reply = exchange(
        otlp,
        &request("/v1/traces", &headers, otlp_body().as_bytes()),
    );
    assert_eq!(reply.header("access-control-allow-origin"), None);
}

#[test]
fn paths_methods_and_types_are_checked_on_each_endpoint() {
    let (receiver, otlp, zipkin) = start(config());
    let reply = post(otlp, "/api/v2/spans", "application/json", b"[]");
    assert_eq!(reply.status, 404);
    assert!(reply.text().contains("POST /v1/traces"), "{}", reply.text());
    assert_eq!(
        post(zipkin, "/v1/traces", "application/json", b"{}").status,
        404
    );
    let reply = exchange(otlp, b"GET /v1/traces HTTP/1.1\r\n\r\n");
    assert_eq!(reply.status, 405);
    assert_eq!(reply.header("allow"), Some("POST, OPTIONS"));
    let reply = post(otlp, "/v1/traces", "text/plain", b"{}");
    assert_eq!(reply.status, 415);
    assert!(reply.text().contains("text/plain"), "{}", reply.text());
    let reply = post(zipkin, "/api/v2/spans", "application/x-thrift", b"[]");
    assert_eq!(reply.status, 415);
    let headers = [
        ("Content-Type", "application/json"),
        ("Content-Encoding", "br"),
    ];
    assert_eq!(
        exchange(otlp, &request("/v1/traces", &headers, b"{}")).status,
        415
    );
    let snapshot = receiver.snapshot();
    assert_eq!(snapshot.refused(Refusal::NotFound), 2);
    assert_eq!(snapshot.refused(Refusal::MethodNotAllowed), 1);
    assert_eq!(snapshot.refused(Refusal::UnsupportedMediaType), 3);
}

#[test]
fn a_refused_request_with_a_body_leaves_the_connection_usable() {
    let (receiver, otlp, _) = start(config());
    let mut connection = connect(otlp);
    let wrong = request(
        "/v1/traces",
        &[("Content-Type", "text/csv")],
        b"a,b,c\n1,2,3\n",
    );
    connection.get_mut().write_all(&wrong).unwrap();
    assert_eq!(read_reply(&mut connection).status, 415);
    let right = request(
        "/v1/traces",
        &[("Content-Type", "application/json")],
        otlp_body().as_bytes(),
    );
    connection.get_mut().write_all(&right).unwrap();
    assert_eq!(read_reply(&mut connection).status, 200);
    assert_eq!(next_batch(&receiver).data.spans.len(), 2);
}
