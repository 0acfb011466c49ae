use std::collections::HashMap;

use spindle::semconv::messaging::{self, OperationType};
use spindle::{SpanKind, Status};

use super::{exported, int, text};

#[test]
fn the_consumer_continues_the_producers_trace_through_the_headers() {
    let spans = exported(|| {
        let mut headers: HashMap<String, String> = HashMap::new();
        {
            let send = messaging::send("kafka", "shop.orders")
                .message_id("m-1")
                .start();
            messaging::inject(send.context(), &mut headers);
        }
        // The consumer's thread has no current span: only the headers connect the two.
        std::thread::spawn(move || {
            drop(
                messaging::process("kafka", "shop.orders")
                    .parent_from_headers(&headers)
                    .start(),
            );
        })
        .join()
        .unwrap();
    });
    let send = spans.iter().find(|s| s.kind == SpanKind::Producer).unwrap();
    let process = spans.iter().find(|s| s.kind == SpanKind::Consumer).unwrap();
    assert_eq!(process.trace_id, send.trace_id);
    assert_eq!(process.parent_span_id, Some(send.span_id));
    assert_eq!(send.name, "send shop.orders");
    assert_eq!(process.name, "process shop.orders");
    assert_eq!(text(send, "messaging.system"), "kafka");
    assert_eq!(text(send, "messaging.destination.name"), "shop.orders");
    assert_eq!(text(send, "messaging.operation.type"), "send");
    assert_eq!(text(process, "messaging.operation.type"), "process");
    assert_eq!(text(send, "messaging.message.id"), "m-1");
    assert_eq!(process.status, Status::Unset);
}

#[test]
fn headers_without_a_context_start_a_new_trace() {
    let spans = exported(|| {
        let headers: Vec<(String, String)> = vec![("traceparent".into(), "garbage".into())];
        assert!(messaging::extract(&headers).is_none());
        drop(
            messaging::process("rabbitmq", "jobs")
                .parent_from_headers(&headers)
                .start(),
        );
    });
    assert_eq!(spans[0].parent_span_id, None);
}

#[test]
fn a_batch_receive_links_every_message() {
    let spans = exported(|| {
        let mut batch: Vec<Vec<(String, String)>> = Vec::new();
        for _ in 0..3 {
            let send = messaging::send("aws_sqs", "jobs").start();
            let mut headers = Vec::new();
            messaging::inject(send.context(), &mut headers);
            batch.push(headers);
        }
        let mut receive = messaging::operation("aws_sqs", OperationType::Receive, "jobs")
            .operation_name("ReceiveMessage")
            .batch_message_count(3);
        for headers in &batch {
            receive = receive.link_from_headers(headers);
        }
        drop(receive.start());
    });
    let receive = spans.iter().find(|s| s.kind == SpanKind::Client).unwrap();
    assert_eq!(receive.name, "ReceiveMessage jobs");
    assert_eq!(text(receive, "messaging.operation.name"), "ReceiveMessage");
    assert_eq!(int(receive, "messaging.batch.message_count"), 3);
    assert_eq!(receive.links.len(), 3);
    let producers: Vec<_> = spans
        .iter()
        .filter(|s| s.kind == SpanKind::Producer)
        .map(|s| s.span_id)
        .collect();
    assert!(
        receive
            .links
            .iter()
            .all(|link| producers.contains(&link.span_id))
    );
}
