//! Bad requests get the right status and a message saying what was wrong and where, and the
//! receiver keeps serving others meanwhile: garbage, truncated bodies, huge bodies (by length,
//! chunked, or inflating gzip), stalled clients, too many connections, a port in use.
#![allow(clippy::unwrap_used)]

mod receive_common;

use std::io::Write;
use std::net::TcpListener;
use std::time::{Duration, Instant};

use receive_common::*;
use spindle_viewer::receive::{Endpoint, ListenError, ListenStatus, ReceiveConfig, Refusal};

fn small_limit() -> ReceiveConfig {
    ReceiveConfig {
        max_body_bytes: 4096,
        ..config()
    }
}

#[test]
fn garbage_and_truncated_bodies_get_400_with_the_located_problem() {
    let (receiver, otlp, zipkin) = start(config());
    let reply = post(otlp, "/v1/traces", "application/json", b"\x00\xffgarbage");
    assert_eq!(reply.status, 400);
    let status = reply.json();
    assert_eq!(status["code"], 3);
    let message = status["message"].as_str().unwrap();
    assert!(
        message.starts_with("request body:1:1 (byte 0)"),
        "{message}"
    );

    let body = otlp_body();
    let cut = &body.as_bytes()[..body.len() / 2];
    let reply = post(otlp, "/v1/traces", "application/json", cut);
    assert_eq!(reply.status, 400);
    let message = reply.json()["message"].as_str().unwrap().to_owned();
    assert!(message.contains("ends in the middle"), "{message}");

    let reply = post(
        zipkin,
        "/api/v2/spans",
        "application/json",
        b"[{\"traceId\":",
    );
    assert_eq!(reply.status, 400);
    assert!(
        reply.text().starts_with("request body:1:"),
        "{}",
        reply.text()
    );
    let reply = post(otlp, "/v1/traces", "application/json", b"");
    assert_eq!(reply.status, 400);
    assert!(reply.text().contains("empty"), "{}", reply.text());
    let headers = [
        ("Content-Type", "application/json"),
        ("Content-Encoding", "gzip"),
    ];
    let reply = exchange(otlp, &request("/v1/traces", &headers, b"not gzip at all"));
    assert_eq!(reply.status, 400);
    assert!(reply.text().contains("not valid gzip"), "{}", reply.text());
    assert_eq!(receiver.snapshot().refused(Refusal::Malformed), 5);
    assert!(receiver.batches().is_empty());
}

#[test]
fn malformed_http_gets_400_and_the_connection_closed() {
    let (receiver, otlp, _) = start(config());
    for raw in [
        &b"BREW /v1/traces HTCPCP/1.0\r\n\r\n"[..],
        b"POST /v1/traces HTTP/1.1\r\nno colon here\r\n\r\n",
        b"POST /v1/traces HTTP/1.1\r\nContent-Length: ten\r\n\r\n",
        b"POST /v1/traces HTTP/1.1\r\nContent-Type: application/json\r\n\
          Transfer-Encoding: chunked\r\n\r\nzz\r\n",
    ] {
        let reply = exchange(otlp, raw);
        assert_eq!(reply.status, 400, "{}", String::from_utf8_lossy(raw));
        assert_eq!(reply.header("connection"), Some("close"));
    }
    assert_eq!(receiver.snapshot().refused(Refusal::Malformed), 4);
}

#[test]
fn bodies_over_the_limit_get_413() {
    let (receiver, otlp, _) = start(small_limit());
    let huge = vec![b' '; 100_000];
    let reply = post(otlp, "/v1/traces", "application/json", &huge);
    assert_eq!(reply.status, 413);
    assert!(reply.text().contains("4096 bytes"), "{}", reply.text());

    let chunk = "a".repeat(3000);
    let chunked = format!(
        "POST /v1/traces HTTP/1.1\r\nContent-Type: application/json\r\n\
         Transfer-Encoding: chunked\r\n\r\nbb8\r\n{chunk}\r\nbb8\r\n{chunk}\r\n0\r\n\r\n"
    );
    assert_eq!(exchange(otlp, chunked.as_bytes()).status, 413);

    // A small gzip body that inflates past the limit.
    let bomb = gzip(&vec![b' '; 200_000]);
    assert!(bomb.len() < 4096);
    let headers = [
        ("Content-Type", "application/json"),
        ("Content-Encoding", "gzip"),
    ];
    assert_eq!(
        exchange(otlp, &request("/v1/traces", &headers, &bomb)).status,
        413
    );

    // Announced too large with Expect: the body is never sent.
    let raw = b"POST /v1/traces HTTP/1.1\r\nContent-Type: application/json\r\n\
        Expect: 100-continue\r\nContent-Length: 999999999\r\n\r\n";
    assert_eq!(exchange(otlp, raw).status, 413);
    assert_eq!(receiver.snapshot().refused(Refusal::TooLarge), 4);
}

#[test]
fn a_stalled_client_gets_408_while_others_are_served() {
    let config = ReceiveConfig {
        request_timeout: Duration::from_millis(800),
        ..config()
    };
    let (receiver, otlp, zipkin) = start(config);
    // Stops in the middle of the body, and another in the middle of the head.
    let mut stalled_body = connect(otlp);
    let head = "POST /v1/traces HTTP/1.1\r\nContent-Type: application/json\r\n\
                Content-Length: 5000\r\n\r\n{\"resourceSpans\":[";
    stalled_body.get_mut().write_all(head.as_bytes()).unwrap();
    let mut stalled_head = connect(zipkin);
    stalled_head
        .get_mut()
        .write_all(b"POST /api/v2/spans HTTP/1.1\r\nConte")
        .unwrap();

    let started = Instant::now();
    for _ in 0..5 {
        let reply = post(
            otlp,
            "/v1/traces",
            "application/json",
            otlp_body().as_bytes(),
        );
        assert_eq!(reply.status, 200);
        let reply = post(
            zipkin,
            "/api/v2/spans",
            "application/json",
            zipkin_body().as_bytes(),
        );
        assert_eq!(reply.status, 202);
    }
    assert!(
        started.elapsed() < Duration::from_millis(700),
        "served while others stall"
    );

    let reply = read_reply(&mut stalled_body);
    assert_eq!(reply.status, 408);
    assert_eq!(read_reply(&mut stalled_head).status, 408);
    assert_eq!(receiver.snapshot().refused(Refusal::Timeout), 2);
    assert_eq!(receiver.snapshot().spans, 20);
}

#[test]
fn a_client_that_hangs_up_mid_body_is_dropped_quietly() {
    let (receiver, otlp, _) = start(config());
    {
        let mut gone = connect(otlp);
        let head = "POST /v1/traces HTTP/1.1\r\nContent-Type: application/json\r\n\
                    Content-Length: 5000\r\n\r\n{\"resourceSpans\":[";
        gone.get_mut().write_all(head.as_bytes()).unwrap();
    }
    let reply = post(
        otlp,
        "/v1/traces",
        "application/json",
        otlp_body().as_bytes(),
    );
    assert_eq!(reply.status, 200);
    assert_eq!(next_batch(&receiver).data.spans.len(), 2);
}

#[test]
fn connections_over_the_cap_get_503() {
    let config = ReceiveConfig {
        max_connections: 2,
        ..config()
    };
    let (receiver, otlp, _) = start(config);
    let _held = [connect(otlp), connect(otlp)];
    let deadline = Instant::now() + Duration::from_secs(5);
    while receiver.open_connections() < 2 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    let reply = post(
        otlp,
        "/v1/traces",
        "application/json",
        otlp_body().as_bytes(),
    );
    assert_eq!(reply.status, 503);
    assert_eq!(reply.header("retry-after"), Some("1"));
    assert_eq!(receiver.snapshot().refused(Refusal::Busy), 1);
}

#[test]
fn a_port_in_use_is_reported_and_the_other_endpoint_still_listens() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap();
    let config = ReceiveConfig {
        otlp: Some(addr),
        ..config()
    };
    let receiver = spindle_viewer::receive::Receiver::start(config);
    assert_eq!(
        receiver.status(Endpoint::Otlp),
        &ListenStatus::Failed(ListenError::InUse { addr })
    );
    let message = match receiver.status(Endpoint::Otlp) {
        ListenStatus::Failed(error) => error.to_string(),
        other => panic!("{other:?}"),
    };
    assert!(message.contains("in use"), "{message}");
    let zipkin = receiver.local_addr(Endpoint::Zipkin).unwrap();
    let reply = post(
        zipkin,
        "/api/v2/spans",
        "application/json",
        zipkin_body().as_bytes(),
    );
    assert_eq!(reply.status, 202);
}

#[test]
fn a_full_queue_answers_503_and_nothing_is_lost_silently() {
    let config = ReceiveConfig {
        queue_batches: 1,
        ..config()
    };
    let (receiver, otlp, _) = start(config);
    let body = otlp_body();
    assert_eq!(
        post(otlp, "/v1/traces", "application/json", body.as_bytes()).status,
        200
    );
    // Nobody takes the first batch: the second waits, then is refused.
    let reply = post(otlp, "/v1/traces", "application/json", body.as_bytes());
    assert_eq!(reply.status, 503);
    assert_eq!(reply.json()["code"], 14);
    let snapshot = receiver.snapshot();
    assert_eq!((snapshot.spans, snapshot.refused(Refusal::Busy)), (2, 1));
    assert_eq!(receiver.batches().len(), 1);
}
