//! Log correlation: `fmt` lines carry the Spindle span's trace and span ids.
#![allow(clippy::unwrap_used)]

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};

use spindle_tracing::{SpindleLayer, with_trace_ids};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;

/// Printed lines, captured.
#[derive(Clone, Default)]
struct Lines(Arc<Mutex<Vec<u8>>>);

impl Lines {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }

    fn line_with(&self, needle: &str) -> String {
        let text = self.text();
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

fn subscriber(lines: &Lines) -> tracing::Dispatch {
    tracing_subscriber::registry()
        .with(SpindleLayer::new())
        .with(
            tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(lines.clone())
                .event_format(with_trace_ids(tracing_subscriber::fmt::format())),
        )
        .into()
}

fn ids(context: &spindle::SpanContext) -> String {
    format!("trace_id={} span_id={} ", context.trace_id, context.span_id)
}

#[test]
fn lines_inside_tracing_and_spindle_spans_carry_their_ids() {
    let lines = Lines::default();
    let (tracing_ids, native_ids) = tracing::dispatcher::with_default(&subscriber(&lines), || {
        let _request = tracing::info_span!("request").entered();
        tracing::info!("in tracing span");
        let tracing_ids = spindle::current::span_context().unwrap();
        let native = spindle::Span::new("native").enter();
        tracing::info!("in spindle span");
        let native_ids = native.context();
        drop(native);
        (tracing_ids, native_ids)
    });
    let line = lines.line_with("in tracing span");
    assert!(line.starts_with(&ids(&tracing_ids)), "{line}");
    let line = lines.line_with("in spindle span");
    assert!(line.starts_with(&ids(&native_ids)), "{line}");
    assert_eq!(native_ids.trace_id, tracing_ids.trace_id);
    let prefix = line.split(' ').take(2).collect::<Vec<_>>();
    assert_eq!(prefix[0].len(), "trace_id=".len() + 32, "{line}");
    assert_eq!(prefix[1].len(), "span_id=".len() + 16, "{line}");
}

#[test]
fn an_explicit_parent_gives_its_ids_and_lines_outside_spans_have_none() {
    let lines = Lines::default();
    let parent_ids = tracing::dispatcher::with_default(&subscriber(&lines), || {
        tracing::info!("outside");
        let parent = tracing::info_span!("job");
        tracing::info!(parent: &parent, "for the job");
        let _entered = parent.enter();
        spindle::current::span_context().unwrap()
    });
    let line = lines.line_with("for the job");
    assert!(line.starts_with(&ids(&parent_ids)), "{line}");
    assert!(!lines.line_with("outside").contains("trace_id="));
}
