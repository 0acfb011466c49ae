//! End to end: an application traced on two threads writes Spindle JSON and Zipkin JSON files
//! through the batch exporter, and `spindle-formats` reads back every span with its parent
//! links and attributes intact.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use spindle::{Config, Context, FileFormat, InMemoryExporter, KeyValue, Span, SpanKind, Value};
use spindle_formats::{Format, SpanId};

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("spindle-e2e-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The traced "application": two threads, each serving requests with nested spans.
fn run_application() {
    let workers: Vec<_> = (0..2)
        .map(|thread| {
            std::thread::spawn(move || {
                for request in 0..300 {
                    serve(thread, request);
                }
            })
        })
        .collect();
    workers.into_iter().for_each(|w| w.join().unwrap());
}

fn serve(thread: i64, request: i64) {
    let root = Span::builder("GET /items")
        .kind(SpanKind::Server)
        .attribute("thread", thread);
    let _root = root.start().enter();
    spindle::current::with_attributes(|| {
        vec![
            KeyValue::new("request", request),
            KeyValue::new("ratio", 0.5),
            KeyValue::new("cached", request % 2 == 0),
            KeyValue::new("tags", vec!["a", "b"]),
        ]
    });
    let context = Context::current();
    spindle::in_span("load", || {
        let mut query = Span::builder("SELECT items").kind(SpanKind::Client).start();
        query.set_attribute("db.system", "postgresql");
        query.add_event("rows fetched", vec![KeyValue::new("rows", 12)]);
    });
    let _attached = context.attach();
    spindle::in_span("render", || {});
}

#[test]
fn every_span_reaches_both_files_with_links_and_attributes() {
    let dir = temp_dir("files");
    let (spindle_path, zipkin_path) = (dir.join("trace.json"), dir.join("trace.zipkin.json"));
    let memory = InMemoryExporter::default();
    let tracer = spindle::init(
        Config::new()
            .service_name("e2e-app")
            .max_queue_size(10_000)
            .max_export_batch_size(100)
            .exporter(memory.clone())
            .export_to_file(&spindle_path, FileFormat::Spindle)
            .export_to_file(&zipkin_path, FileFormat::Zipkin),
    )
    .unwrap();
    run_application();
    tracer.shutdown(Duration::from_secs(10)).unwrap();
    let recorded = memory.spans();
    assert_eq!(recorded.len(), 2 * 300 * 4, "{:?}", tracer.stats());
    assert_eq!(tracer.stats().dropped(), 0);

    let from_spindle = spindle_formats::read_file(&spindle_path).unwrap();
    assert_eq!(from_spindle.format, Format::Spindle);
    assert!(
        from_spindle.warnings.is_empty(),
        "{:?}",
        from_spindle.warnings
    );
    let mut expected = recorded.clone();
    let mut actual = from_spindle.data.spans.clone();
    expected.sort_by_key(|s| s.span_id);
    actual.sort_by_key(|s| s.span_id);
    assert_eq!(actual, expected, "Spindle JSON keeps every span exactly");
    assert_eq!(from_spindle.data.service_name_of(&actual[0]), "e2e-app");

    let from_zipkin = spindle_formats::read_file(&zipkin_path).unwrap();
    assert_eq!(from_zipkin.format, Format::Zipkin);
    assert!(
        from_zipkin.warnings.is_empty(),
        "{:?}",
        from_zipkin.warnings
    );
    let zipkin: HashMap<SpanId, &spindle_formats::Span> = from_zipkin
        .data
        .spans
        .iter()
        .map(|s| (s.span_id, s))
        .collect();
    assert_eq!(zipkin.len(), recorded.len());
    for span in &recorded {
        let read = zipkin[&span.span_id];
        assert_eq!(
            (read.trace_id, read.parent_span_id),
            (span.trace_id, span.parent_span_id)
        );
        assert_eq!((&read.name, read.kind), (&span.name, span.kind));
        assert_eq!(from_zipkin.data.service_name_of(read), "e2e-app");
        // Zipkin has microsecond times and string tags.
        assert_eq!(read.start_unix_nanos, span.start_unix_nanos / 1000 * 1000);
        if let Some(request) = span.attribute("request") {
            assert_eq!(
                read.attribute("request"),
                Some(&Value::from(request.to_string()))
            );
        }
    }
}
