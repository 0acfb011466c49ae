//! The semantic-convention builders as a user sees their spans: exported names, kinds,
//! attributes and statuses, and a message's consumer continuing the producer's trace.
#![allow(clippy::unwrap_used)]

mod cache;
mod db;
mod exception;
mod http;
mod messaging;

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use spindle::{Config, InMemoryExporter, TracerGuard, Value};
use spindle_formats::{Span, find_attribute};

/// The tracer is process-wide: tests take turns.
fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// Runs `f` under a tracer exporting to memory and returns the exported spans.
fn exported(f: impl FnOnce()) -> Vec<Span> {
    let _lock = serial();
    let memory = InMemoryExporter::default();
    let tracer: TracerGuard = spindle::init(Config::new().exporter(memory.clone())).unwrap();
    f();
    tracer.flush(Duration::from_secs(10)).unwrap();
    memory.spans()
}

/// The one span exported by `f`.
fn only_span(f: impl FnOnce()) -> Span {
    let mut spans = exported(f);
    assert_eq!(spans.len(), 1, "{spans:#?}");
    spans.remove(0)
}

/// The span's attribute `key` as text (panics if missing or not text).
fn text<'a>(span: &'a Span, key: &str) -> &'a str {
    match find_attribute(&span.attributes, key) {
        Some(Value::Str(text)) => text,
        other => panic!("{key}: {other:?} in {:?}", span.attributes),
    }
}

/// The span's attribute `key` as an integer.
fn int(span: &Span, key: &str) -> i64 {
    match find_attribute(&span.attributes, key) {
        Some(Value::I64(n)) => *n,
        other => panic!("{key}: {other:?} in {:?}", span.attributes),
    }
}

fn has(span: &Span, key: &str) -> bool {
    find_attribute(&span.attributes, key).is_some()
}
