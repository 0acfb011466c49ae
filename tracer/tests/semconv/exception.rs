use spindle::semconv::exception;
use spindle::{Span, Status, Value};
use spindle_formats::find_attribute;

use super::{only_span, text};

#[test]
fn an_error_becomes_an_exception_event_an_error_type_and_the_status() {
    let span = only_span(|| {
        let mut span = Span::new("parse");
        let error = "x".parse::<u32>().unwrap_err();
        exception::record(&mut span, &error);
    });
    let event = &span.events[0];
    assert_eq!(event.name, "exception");
    let event_text = |key| match find_attribute(&event.attributes, key) {
        Some(Value::Str(text)) => text.to_string(),
        other => panic!("{key}: {other:?}"),
    };
    assert_eq!(
        event_text("exception.type"),
        "core::num::error::ParseIntError"
    );
    assert_eq!(
        event_text("exception.message"),
        "invalid digit found in string"
    );
    assert_eq!(text(&span, "error.type"), "core::num::error::ParseIntError");
    assert!(
        matches!(&span.status, Status::Error { message } if message == "invalid digit found in string")
    );
}

#[test]
fn a_boxed_error_has_no_known_type() {
    let span = only_span(|| {
        let mut span = Span::new("boxed");
        let error: Box<dyn std::error::Error> = "nope".into();
        exception::record(&mut span, error.as_ref());
    });
    assert_eq!(text(&span, "error.type"), "_OTHER");
}

#[test]
fn a_message_is_recorded_with_its_type() {
    let span = only_span(|| {
        let mut span = Span::new("job");
        exception::record_message(&mut span, "panic", "index out of bounds");
    });
    assert_eq!(text(&span, "error.type"), "panic");
    assert_eq!(span.events[0].attributes.len(), 2);
    assert!(matches!(&span.status, Status::Error { message } if message == "index out of bounds"));
}
