//! A string field borrowed from the input when it has no escapes.
//!
//! serde borrows a `Cow<str>` field only when the field's type is exactly `Cow<str>`; inside an
//! `Option` it would always copy. `Option<Text>` borrows, which keeps reads fast and lets an
//! error point at the exact place of a bad value.

use std::borrow::Cow;
use std::ops::Deref;

use serde::Deserialize;

use crate::model::Str;

#[derive(Debug, Deserialize)]
pub(crate) struct Text<'a>(#[serde(borrow)] pub Cow<'a, str>);

impl Deref for Text<'_> {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

/// A string parsed from the input, perhaps borrowed from it.
pub(crate) trait Parsed<'a> {
    /// The text if it is borrowed from the input.
    fn input_slice(&self) -> Option<&'a str>;
}

impl<'a> Parsed<'a> for Cow<'a, str> {
    fn input_slice(&self) -> Option<&'a str> {
        match self {
            Cow::Borrowed(s) => Some(s),
            Cow::Owned(_) => None,
        }
    }
}

impl<'a> Parsed<'a> for Text<'a> {
    fn input_slice(&self) -> Option<&'a str> {
        self.0.input_slice()
    }
}

impl<'a> From<Text<'a>> for Cow<'a, str> {
    fn from(text: Text<'a>) -> Self {
        text.0
    }
}

/// The text if it is borrowed from the input (to locate a problem at it).
pub(crate) fn borrowed<'a>(text: &impl Parsed<'a>) -> Option<&'a str> {
    text.input_slice()
}

/// The text as a model string.
pub(crate) fn owned<'a>(text: impl Into<Cow<'a, str>>) -> Str {
    match text.into() {
        Cow::Borrowed(text) => Str::new(text),
        Cow::Owned(text) => Str::from(text),
    }
}
