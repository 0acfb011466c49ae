//! Errors on spans, as the conventions record them: an `exception` event with
//! `exception.type` and `exception.message`, the span's `error.type`, and the error status
//! with the message as its description.
//!
//! ```
//! use spindle::semconv::exception;
//!
//! let mut span = spindle::Span::new("parse order");
//! if let Err(error) = "x".parse::<u32>() {
//!     exception::record(&mut span, &error);   // exception.type = "core::num::error::ParseIntError"
//! }
//! ```

use std::error::Error;

use spindle_formats::{KeyValue, Status, Str};

use crate::span::Span;

/// The `error.type` of an error type: its Rust path, or `_OTHER` for a trait object (whose
/// concrete type is not known).
pub fn error_type<E: ?Sized>() -> &'static str {
    let name = std::any::type_name::<E>();
    if name.starts_with("dyn ") {
        "_OTHER"
    } else {
        name
    }
}

/// Records `error` on `span`: the `exception` event (type, message, causes), `error.type`,
/// and the error status.
pub fn record<E: Error + ?Sized>(span: &mut Span, error: &E) {
    span.record_error(error);
    span.set_attribute("error.type", error_type::<E>());
}

/// Records a failure that is no `Error` value (a panic's message, an error code): the
/// `exception` event with `exception.type` = `error_type` and `exception.message`,
/// `error.type`, and the error status.
///
/// ```
/// let mut span = spindle::Span::new("job");
/// spindle::semconv::exception::record_message(&mut span, "panic", "index out of bounds");
/// ```
pub fn record_message(span: &mut Span, error_type: impl Into<Str>, message: impl Into<Str>) {
    if !span.is_recording() {
        return;
    }
    let (error_type, message) = (error_type.into(), message.into());
    span.add_event(
        "exception",
        vec![
            KeyValue::new("exception.type", error_type.clone()),
            KeyValue::new("exception.message", message.clone()),
        ],
    );
    span.set_attribute("error.type", error_type);
    span.set_status(Status::Error { message });
}

#[cfg(test)]
mod tests {
    use super::error_type;

    #[test]
    fn error_types_are_rust_paths_or_other() {
        assert_eq!(error_type::<std::io::Error>(), "std::io::error::Error");
        assert_eq!(error_type::<dyn std::error::Error>(), "_OTHER");
    }
}
