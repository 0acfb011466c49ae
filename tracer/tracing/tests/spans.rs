//! What a `tracing` span becomes in Spindle: name, attributes, `otel.*` fields, events,
//! exceptions, links, code location.
#![allow(clippy::unwrap_used)]

mod support;

use spindle::{SpanKind, Status, Value};
use spindle_tracing::SpindleLayer;
use support::{Memory, attribute, by_name, dispatch, text};

#[derive(Debug)]
struct Outer(std::io::Error);

impl std::fmt::Display for Outer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("charge failed")
    }
}

impl std::error::Error for Outer {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

#[test]
fn fields_become_typed_attributes_with_level_target_and_location() {
    let memory = Memory::start();
    tracing::dispatcher::with_default(&dispatch(SpindleLayer::new()), || {
        let span = tracing::info_span!(
            target: "checkout::db",
            "load order",
            order.id = 42i64,
            rows = u64::MAX,
            ratio = 0.5f64,
            cached = true,
            table = "orders",
            shape = ?(1, 2),
            later = tracing::field::Empty,
        );
        span.record("later", 7i64);
    });
    let spans = memory.spans();
    let span = by_name(&spans, "load order");
    let a = &span.attributes;
    assert_eq!(attribute(a, "order.id"), Some(&Value::I64(42)));
    assert_eq!(attribute(a, "rows"), Some(&text(&u64::MAX.to_string())));
    assert_eq!(attribute(a, "ratio"), Some(&Value::F64(0.5)));
    assert_eq!(attribute(a, "cached"), Some(&Value::Bool(true)));
    assert_eq!(attribute(a, "table"), Some(&text("orders")));
    assert_eq!(attribute(a, "shape"), Some(&text("(1, 2)")));
    assert_eq!(attribute(a, "later"), Some(&Value::I64(7)));
    assert_eq!(attribute(a, "level"), Some(&text("INFO")));
    assert_eq!(attribute(a, "target"), Some(&text("checkout::db")));
    assert!(
        matches!(attribute(a, "code.file.path"), Some(Value::Str(s)) if s.ends_with("spans.rs"))
    );
    assert!(matches!(
        attribute(a, "code.line.number"),
        Some(Value::I64(n)) if *n > 0
    ));
    assert_eq!(attribute(a, "code.module.name"), Some(&text("spans")));
}

#[test]
fn location_can_be_left_out() {
    let memory = Memory::start();
    tracing::dispatcher::with_default(&dispatch(SpindleLayer::new().with_location(false)), || {
        let _span = tracing::info_span!("quiet").entered();
    });
    let spans = memory.spans();
    let span = by_name(&spans, "quiet");
    assert_eq!(attribute(&span.attributes, "code.file.path"), None);
    assert_eq!(attribute(&span.attributes, "level"), Some(&text("INFO")));
}

#[test]
fn otel_fields_set_name_kind_and_status() {
    let memory = Memory::start();
    tracing::dispatcher::with_default(&dispatch(SpindleLayer::new()), || {
        let _server = tracing::info_span!(
            "request",
            otel.name = "GET /orders/:id",
            otel.kind = "Server",
            otel.status_code = tracing::field::Empty,
        )
        .entered();
        let failed = tracing::info_span!(
            "call",
            otel.kind = "client",
            otel.status_code = "ERROR",
            otel.status_description = "upstream 503",
        );
        drop(failed);
        _server.record("otel.status_code", "ok");
        _server.record("otel.name", "GET /orders/{id}");
    });
    let spans = memory.spans();
    let server = by_name(&spans, "GET /orders/{id}");
    assert_eq!(server.kind, SpanKind::Server);
    assert_eq!(server.status, Status::Ok);
    assert_eq!(attribute(&server.attributes, "otel.name"), None);
    let call = by_name(&spans, "call");
    assert_eq!(call.kind, SpanKind::Client);
    assert_eq!(
        call.status,
        Status::Error {
            message: "upstream 503".into()
        }
    );
}

#[test]
fn events_become_span_events_and_errors_become_exceptions() {
    let memory = Memory::start();
    tracing::dispatcher::with_default(&dispatch(SpindleLayer::new()), || {
        let _span = tracing::info_span!("charge").entered();
        tracing::info!(amount = 1299i64, "card checked");
        let error = Outer(std::io::Error::other("connection reset"));
        tracing::warn!(
            error = &error as &(dyn std::error::Error + 'static),
            "retrying"
        );
    });
    let spans = memory.spans();
    let span = by_name(&spans, "charge");
    assert_eq!(span.events.len(), 2, "{:?}", span.events);
    let checked = &span.events[0];
    assert_eq!(checked.name, "card checked");
    assert_eq!(
        attribute(&checked.attributes, "amount"),
        Some(&Value::I64(1299))
    );
    assert_eq!(attribute(&checked.attributes, "level"), Some(&text("INFO")));
    let exception = &span.events[1];
    assert_eq!(exception.name, "exception");
    let a = &exception.attributes;
    assert_eq!(
        attribute(a, "exception.message"),
        Some(&text("charge failed"))
    );
    assert_eq!(
        attribute(a, "exception.causes"),
        Some(&Value::from(vec!["connection reset".to_owned()]))
    );
    assert_eq!(attribute(a, "message"), Some(&text("retrying")));
    assert_eq!(
        span.status,
        Status::Error {
            message: "charge failed".into()
        }
    );
}

#[test]
fn an_error_level_event_makes_the_span_an_error() {
    let memory = Memory::start();
    tracing::dispatcher::with_default(&dispatch(SpindleLayer::new()), || {
        let _span = tracing::info_span!("job").entered();
        tracing::error!("gave up");
    });
    let spans = memory.spans();
    let span = by_name(&spans, "job");
    assert!(
        matches!(span.status, Status::Error { .. }),
        "{:?}",
        span.status
    );
    assert_eq!(span.events[0].name, "gave up");
}

#[test]
fn a_later_error_level_event_keeps_the_exception_message() {
    let memory = Memory::start();
    tracing::dispatcher::with_default(&dispatch(SpindleLayer::new()), || {
        let _span = tracing::info_span!("sync").entered();
        tracing::warn!(error = "disk full", "write failed");
        tracing::error!("giving up");
    });
    let spans = memory.spans();
    let span = by_name(&spans, "sync");
    assert_eq!(
        span.status,
        Status::Error {
            message: "disk full".into()
        }
    );
    let names: Vec<_> = span.events.iter().map(|e| e.name.to_string()).collect();
    assert_eq!(names, ["exception", "giving up"]);
}

#[test]
fn an_unsampled_tracing_span_records_nothing_but_keeps_its_children_in_its_trace() {
    let _lock = support::serial();
    let memory = spindle::InMemoryExporter::default();
    let tracer = spindle::init(
        spindle::Config::new()
            .sampler(spindle::sampler::Sampler::AlwaysOff)
            .exporter(memory.clone()),
    )
    .unwrap();
    let (parent, child) = tracing::dispatcher::with_default(&dispatch(SpindleLayer::new()), || {
        let _span = tracing::info_span!("dropped", id = 1i64).entered();
        tracing::info!("not kept");
        let parent = spindle::current::span_context().unwrap();
        let child = spindle::Span::new("child").context().clone();
        (parent, child)
    });
    tracer.flush(std::time::Duration::from_secs(5)).unwrap();
    assert!(memory.spans().is_empty());
    assert!(!parent.is_sampled());
    assert_eq!(child.trace_id, parent.trace_id);
}

#[test]
fn follows_from_becomes_a_link() {
    let memory = Memory::start();
    tracing::dispatcher::with_default(&dispatch(SpindleLayer::new()), || {
        let producer = tracing::info_span!("enqueue");
        let consumer = tracing::info_span!(parent: None, "process");
        consumer.follows_from(&producer);
    });
    let spans = memory.spans();
    let producer = by_name(&spans, "enqueue");
    let consumer = by_name(&spans, "process");
    assert_ne!(consumer.trace_id, producer.trace_id);
    assert_eq!(consumer.links.len(), 1);
    assert_eq!(consumer.links[0].trace_id, producer.trace_id);
    assert_eq!(consumer.links[0].span_id, producer.span_id);
}
