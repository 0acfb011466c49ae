//! `log` records written inside `tracing` spans (through the bridge) carry the same ids, in
//! the same form, as the `fmt` lines: `spindle::TraceIdLogger` (spindle's `log` feature)
//! beside `with_trace_ids`.
#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::sync::{Arc, Mutex};

use spindle_tracing::{SpindleLayer, with_trace_ids};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;

/// Printed lines, captured (both loggers write here).
#[derive(Clone, Default)]
struct Lines(Arc<Mutex<Vec<u8>>>);

impl Lines {
    fn line_with(&self, needle: &str) -> String {
        let text = String::from_utf8(self.0.lock().unwrap().clone()).unwrap();
        text.lines()
            .find(|line| line.contains(needle))
            .unwrap_or_else(|| panic!("no line with {needle} in {text}"))
            .to_owned()
    }
}

impl Write for Lines {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Lines {
    type Writer = Lines;

    fn make_writer(&'a self) -> Lines {
        self.clone()
    }
}

/// A `log` logger that prints `message` lines into `Lines`.
struct Printer(Lines);

impl log::Log for Printer {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        writeln!(self.0.clone(), "{}", record.args()).unwrap();
    }

    fn flush(&self) {}
}

#[test]
fn log_lines_inside_tracing_spans_carry_the_ids_fmt_lines_carry() {
    let lines = Lines::default();
    spindle::TraceIdLogger::new(Printer(lines.clone()))
        .install(log::LevelFilter::Info)
        .unwrap();
    let subscriber: tracing::Dispatch = tracing_subscriber::registry()
        .with(SpindleLayer::new())
        .with(
            tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(lines.clone())
                .event_format(with_trace_ids(tracing_subscriber::fmt::format())),
        )
        .into();
    let context = tracing::dispatcher::with_default(&subscriber, || {
        let _request = tracing::info_span!("request").entered();
        tracing::info!("from tracing");
        log::info!("from log");
        spindle::current::span_context().unwrap()
    });
    let ids = format!("trace_id={} span_id={} ", context.trace_id, context.span_id);
    assert_eq!(lines.line_with("from log"), format!("{ids}from log"));
    assert!(lines.line_with("from tracing").starts_with(&ids));
}
