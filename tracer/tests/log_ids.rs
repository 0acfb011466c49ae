//! `TraceIdLogger` (feature `log`): `log` lines carry the current trace and span ids in the
//! form log_ids.rs of spindle-tracing prints, read back from the printed lines.
#![cfg(feature = "log")]
#![allow(clippy::unwrap_used)]

use std::sync::{Mutex, MutexGuard, OnceLock};

use log::{Log, Metadata, Record};
use spindle::{Context, Span, TraceIdLogger};

/// A logger that prints `LEVEL target: message` lines into memory.
#[derive(Default)]
struct Lines(Mutex<Vec<String>>);

impl Log for Lines {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.level() <= log::Level::Info
    }

    fn log(&self, record: &Record<'_>) {
        if self.enabled(record.metadata()) {
            let line = format!("{} {}: {}", record.level(), record.target(), record.args());
            self.0.lock().unwrap().push(line);
        }
    }

    fn flush(&self) {}
}

/// The process's logger (installed once) and the lines it printed; tests take turns.
fn printed() -> (MutexGuard<'static, ()>, &'static Lines) {
    static LOCK: Mutex<()> = Mutex::new(());
    static LINES: OnceLock<&'static Lines> = OnceLock::new();
    let lock = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let lines = *LINES.get_or_init(|| {
        let lines: &'static Lines = Box::leak(Box::default());
        TraceIdLogger::new(lines)
            .install(log::LevelFilter::Trace)
            .unwrap();
        lines
    });
    lines.0.lock().unwrap().clear();
    (lock, lines)
}

fn take(lines: &Lines) -> Vec<String> {
    std::mem::take(&mut *lines.0.lock().unwrap())
}

/// The ids a line starts with after its level and target, as Loki's `trace_id=(\w+)` reads them.
fn ids(line: &str) -> Option<(String, String)> {
    let (_, message) = line.split_once(": ")?;
    let rest = message.strip_prefix("trace_id=")?;
    let (trace_id, rest) = rest.split_once(" span_id=")?;
    let (span_id, _) = rest.split_once(' ')?;
    let hex = |s: &str, len| {
        s.len() == len
            && s.bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    };
    (hex(trace_id, 32) && hex(span_id, 16)).then(|| (trace_id.to_owned(), span_id.to_owned()))
}

#[test]
fn a_line_inside_a_span_starts_with_its_ids() {
    let (_lock, lines) = printed();
    let span = Span::new("checkout").enter();
    log::info!(target: "shop", "charging card");
    let expected = (
        span.context().trace_id.to_string(),
        span.context().span_id.to_string(),
    );
    drop(span);
    let printed = take(lines);
    assert_eq!(printed.len(), 1);
    assert!(
        printed[0].starts_with("INFO shop: trace_id="),
        "{}",
        printed[0]
    );
    assert!(printed[0].ends_with(" charging card"), "{}", printed[0]);
    assert_eq!(ids(&printed[0]), Some(expected));
}

#[test]
fn a_nested_span_gives_its_own_span_id_and_the_same_trace_id() {
    let (_lock, lines) = printed();
    let outer = Span::new("outer").enter();
    log::warn!("outer");
    let inner = Span::new("inner").enter();
    log::warn!("inner");
    let (outer_id, inner_id) = (outer.context(), inner.context());
    drop(inner);
    drop(outer);
    let printed = take(lines);
    let outer_ids = ids(&printed[0]).unwrap();
    let inner_ids = ids(&printed[1]).unwrap();
    assert_eq!(outer_ids.1, outer_id.span_id.to_string());
    assert_eq!(inner_ids.1, inner_id.span_id.to_string());
    assert_eq!(inner_ids.0, outer_ids.0);
}

#[test]
fn a_line_outside_any_span_is_unchanged() {
    let (_lock, lines) = printed();
    log::error!(target: "boot", "starting");
    assert_eq!(take(lines), ["ERROR boot: starting"]);
}

#[test]
fn the_inner_loggers_level_filter_still_applies() {
    let (_lock, lines) = printed();
    spindle::in_span("quiet", || log::debug!("not printed"));
    assert!(take(lines).is_empty());
}

#[test]
fn a_thread_given_the_context_logs_the_same_trace() {
    let (_lock, lines) = printed();
    let span = Span::new("request").enter();
    let trace_id = span.context().trace_id.to_string();
    std::thread::spawn(Context::current().wrap(|| log::info!("on a worker")))
        .join()
        .unwrap();
    drop(span);
    let printed = take(lines);
    assert_eq!(ids(&printed[0]).map(|(trace, _)| trace), Some(trace_id));
}
