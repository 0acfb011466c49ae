//! The OTLP/HTTP exporter end to end against a local receiver: protobuf by default, JSON when
//! asked, gzip or not, every span decoded by spindle-formats and compared with what the
//! application recorded; and a 200 answer's partial success counted in the statistics.
#![allow(clippy::unwrap_used)]

mod support;

use std::collections::HashMap;
use std::time::Duration;

use spindle::{
    Config, InMemoryExporter, KeyValue, OtlpHttpExporter, OtlpProtocol, Span, SpanKind, Status,
    TracerGuard,
};
use spindle_formats::otlp_proto::PartialSuccess;
use spindle_formats::{Loaded, ReadError, ReadOptions, SpanId, TraceData, otlp_json, otlp_proto};
use support::{Answer, Received, Receiver, serial};

const WAIT: Duration = Duration::from_secs(10);

/// The traced "application": servers with client children, every attribute type, events,
/// links and both error and ok statuses. Returns how many spans it made.
fn application() -> usize {
    let mut previous = None;
    for order in 0..4 {
        let mut builder = Span::builder("GET /cart")
            .kind(SpanKind::Server)
            .attribute("order", order as i64);
        if let Some(context) = &previous {
            builder = builder.link(context, vec![KeyValue::new("why", "retry of")]);
        }
        let root = builder.start().enter();
        previous = spindle::current::span_context();
        spindle::current::with_attributes(|| {
            vec![
                KeyValue::new("ratio", 0.5),
                KeyValue::new("cached", true),
                KeyValue::new("tags", vec!["a", "b"]),
                KeyValue::new("big", i64::MIN),
                KeyValue::new("bytes", vec![0u8, 255, 7]),
                KeyValue::new("text", "naïve ✓"),
            ]
        });
        let mut client = Span::builder("SELECT").kind(SpanKind::Client).start();
        client.add_event("rows", vec![KeyValue::new("rows", 12)]);
        client.set_status(Status::Error {
            message: "timeout".into(),
        });
        drop(client);
        spindle::in_span("render", || spindle::current::set_status(Status::Ok));
        drop(root);
    }
    12
}

/// Runs the application into `otlp` and a memory sink; returns the tracer and what it recorded.
fn run(otlp: OtlpHttpExporter) -> (TracerGuard, TraceData) {
    let memory = InMemoryExporter::default();
    let tracer = spindle::init(
        Config::new()
            .service_name("otlp-e2e")
            .exporter(memory.clone())
            .exporter(otlp),
    )
    .unwrap();
    let made = application();
    tracer.flush(WAIT).unwrap();
    let truth = TraceData {
        resources: vec![memory.resource().unwrap()],
        scopes: Vec::new(),
        spans: memory.spans(),
    };
    assert_eq!(truth.spans.len(), made);
    (tracer, truth)
}

type Reader = fn(&[u8], &str, ReadOptions) -> Result<Loaded, ReadError>;

/// Decodes every request strictly and checks each span arrived exactly as recorded, once.
fn check_arrived_intact(received: &[Received], truth: &TraceData, read: Reader) {
    let expected: HashMap<SpanId, &spindle_formats::Span> =
        truth.spans.iter().map(|s| (s.span_id, s)).collect();
    let mut seen = HashMap::new();
    for request in received {
        let strict = ReadOptions { strict: true };
        let loaded = read(&request.body, "request", strict).unwrap();
        assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
        assert_eq!(loaded.data.resources, truth.resources);
        assert_eq!(loaded.data.scopes.len(), 1);
        assert_eq!(loaded.data.scopes[0].name, "spindle");
        for span in loaded.data.spans {
            assert_eq!(&span, expected[&span.span_id], "{}", span.name);
            *seen.entry(span.span_id).or_insert(0) += 1;
        }
    }
    assert_eq!(seen.len(), expected.len(), "every span arrived");
    assert!(seen.values().all(|&n| n == 1), "each once");
}

#[test]
fn protobuf_is_the_default_and_spans_arrive_intact_with_gzip_and_without() {
    let _lock = serial();
    for gzip in [false, true] {
        let receiver = Receiver::start(Answer::ok());
        let otlp = OtlpHttpExporter::new(&receiver.base_url()).gzip(gzip);
        assert_eq!(otlp.otlp_protocol(), OtlpProtocol::HttpProtobuf);
        let (tracer, truth) = run(otlp);
        let received = receiver.received();
        assert!(!received.is_empty());
        for request in &received {
            assert_eq!(request.url, "/v1/traces");
            let content_type = request.header("Content-Type");
            assert_eq!(content_type, Some("application/x-protobuf"));
            let encoding = request.header("Content-Encoding");
            assert_eq!(encoding, gzip.then_some("gzip"), "gzip {gzip}");
            assert_eq!(request.raw_len < request.body.len(), gzip, "gzip {gzip}");
        }
        check_arrived_intact(&received, &truth, otlp_proto::read);
        let stats = tracer.stats();
        assert_eq!(stats.spans_exported, truth.spans.len() as u64, "{stats:?}");
        assert_eq!(stats.last_error, None);
    }
}

#[test]
fn json_is_sent_when_asked_in_code_or_by_the_environment() {
    let _lock = serial();
    for (gzip, from_env) in [(false, false), (true, true)] {
        let receiver = Receiver::start(Answer::ok());
        let base = receiver.base_url();
        let otlp = if from_env {
            let vars = [
                ("OTEL_EXPORTER_OTLP_ENDPOINT", base.as_str()),
                ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
                ("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/json"),
                ("OTEL_EXPORTER_OTLP_COMPRESSION", "gzip"),
            ];
            let env = |name: &str| {
                vars.iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            };
            let (otlp, warnings) = OtlpHttpExporter::from_env_vars(env);
            assert!(warnings.is_empty(), "{warnings:?}");
            otlp
        } else {
            OtlpHttpExporter::new(&base).protocol(OtlpProtocol::HttpJson)
        };
        let (_tracer, truth) = run(otlp);
        let received = receiver.received();
        for request in &received {
            assert_eq!(request.header("Content-Type"), Some("application/json"));
            assert_eq!(request.header("Content-Encoding"), gzip.then_some("gzip"));
        }
        check_arrived_intact(&received, &truth, otlp_json::read);
    }
}

/// A receiver that takes every request but rejects two spans of each, saying why.
fn partial_success_is_counted(protocol: OtlpProtocol, answer: Answer) {
    let receiver = Receiver::start(answer);
    let otlp = OtlpHttpExporter::new(&receiver.base_url()).protocol(protocol);
    let (tracer, truth) = run(otlp);
    let requests = receiver.received().len() as u64;
    assert!(requests > 0);
    let stats = tracer.stats();
    let made = truth.spans.len() as u64;
    assert_eq!(
        stats.dropped_rejected,
        2 * requests,
        "{protocol}: {stats:?}"
    );
    assert_eq!(stats.spans_exported, made - 2 * requests, "{stats:?}");
    assert_eq!(stats.spans_exported + stats.dropped(), stats.spans_ended);
    assert_eq!(
        stats.export_errors, 0,
        "a partial success is no failed export"
    );
    let last_error = stats.last_error.unwrap();
    assert!(
        last_error.contains(&receiver.base_url())
            && last_error.contains("2 spans rejected")
            && last_error.contains("spans older than 1h"),
        "{last_error}"
    );
}

fn rejecting_two() -> PartialSuccess {
    PartialSuccess {
        rejected_spans: 2,
        error_message: "spans older than 1h".into(),
    }
}

#[test]
fn a_protobuf_partial_success_is_counted_and_its_message_kept() {
    let _lock = serial();
    let answer = Answer {
        status: 200,
        content_type: Some("application/x-protobuf"),
        body: otlp_proto::encode_response(&rejecting_two()),
    };
    partial_success_is_counted(OtlpProtocol::HttpProtobuf, answer);
}

#[test]
fn a_json_partial_success_is_counted_and_its_message_kept() {
    let _lock = serial();
    let answer = Answer {
        status: 200,
        content_type: Some("application/json"),
        body: otlp_json::encode_response(&rejecting_two()),
    };
    partial_success_is_counted(OtlpProtocol::HttpJson, answer);
}

#[test]
fn a_warning_without_rejected_spans_is_kept_and_nothing_dropped() {
    let _lock = serial();
    let warning = PartialSuccess {
        rejected_spans: 0,
        error_message: "attribute values truncated".into(),
    };
    let receiver = Receiver::start(Answer {
        status: 200,
        content_type: Some("application/x-protobuf"),
        body: otlp_proto::encode_response(&warning),
    });
    let (tracer, truth) = run(OtlpHttpExporter::new(&receiver.base_url()));
    let stats = tracer.stats();
    assert_eq!(stats.dropped(), 0, "{stats:?}");
    assert_eq!(stats.spans_exported, truth.spans.len() as u64);
    let last_error = stats.last_error.unwrap();
    assert!(
        last_error.contains("attribute values truncated"),
        "{last_error}"
    );
}
