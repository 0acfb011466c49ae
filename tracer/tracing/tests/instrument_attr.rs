//! `#[tracing::instrument]`, as libraries use it: arguments as fields, `err` as an exception,
//! async functions as parents of the Spindle spans they open.
#![allow(clippy::unwrap_used)]

mod support;

use spindle::{Status, Value};
use spindle_tracing::SpindleLayer;
use support::{Memory, attribute, block_on, by_name, dispatch, yield_once};

#[tracing::instrument(err)]
fn load_user(user_id: i64) -> Result<(), std::io::Error> {
    Err(std::io::Error::other("no such user"))
}

#[tracing::instrument]
async fn fetch(page: u32) -> u32 {
    yield_once().await;
    spindle::Span::new("decode").end();
    page
}

#[test]
fn instrument_err_records_the_arguments_and_an_exception() {
    let memory = Memory::start();
    tracing::dispatcher::with_default(&dispatch(SpindleLayer::new()), || {
        let _ = load_user(7);
    });
    let spans = memory.spans();
    let span = by_name(&spans, "load_user");
    assert_eq!(attribute(&span.attributes, "user_id"), Some(&Value::I64(7)));
    assert_eq!(
        span.status,
        Status::Error {
            message: "no such user".into()
        }
    );
    let exception = span.events.iter().find(|e| e.name == "exception").unwrap();
    assert_eq!(
        attribute(&exception.attributes, "exception.message"),
        Some(&Value::from("no such user".to_owned()))
    );
}

#[test]
fn an_instrumented_async_fn_is_the_parent_of_spindle_spans_after_an_await() {
    let memory = Memory::start();
    tracing::dispatcher::with_default(&dispatch(SpindleLayer::new()), || {
        let _request = spindle::Span::new("request").enter();
        assert_eq!(block_on(fetch(3)), 3);
    });
    let spans = memory.spans();
    let fetch = by_name(&spans, "fetch");
    assert_eq!(
        by_name(&spans, "decode").parent_span_id,
        Some(fetch.span_id)
    );
    assert_eq!(
        fetch.parent_span_id,
        Some(by_name(&spans, "request").span_id)
    );
    assert_eq!(attribute(&fetch.attributes, "page"), Some(&Value::I64(3)));
}
