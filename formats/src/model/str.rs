//! The model's text type.

use std::borrow::{Borrow, Cow};
use std::fmt;
use std::ops::Deref;

use smol_str::SmolStr;

/// Text in the model: span names, attribute keys and values, messages.
///
/// Text of up to 23 bytes (most names, keys and values in real traces) is stored inline, with
/// no allocation; a `&'static str` (the tracer's names and keys) is kept by reference; longer
/// text is shared on the heap (a clone does not copy it). A million spans read from a file
/// then hold a fraction of the allocations (and the memory) that one `String` per name and
/// value would take.
///
/// ```
/// use spindle_formats::Str;
/// let name = Str::from("GET /cart");
/// assert_eq!(name, "GET /cart");
/// assert_eq!(name.len(), 9);
/// assert_eq!(Str::new(&String::from("copied")).to_string(), "copied");
/// ```
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Str(SmolStr);

impl Str {
    /// A copy of `text` (inline when short).
    pub fn new(text: &str) -> Self {
        Str(SmolStr::new(text))
    }

    /// Static text, kept by reference (usable in constants).
    pub const fn from_static(text: &'static str) -> Self {
        Str(SmolStr::new_static(text))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// True when the text is on the heap (neither inline nor static).
    #[cfg(test)]
    pub(crate) fn is_heap_allocated(&self) -> bool {
        self.0.is_heap_allocated()
    }

    /// The text as a `String` (a copy).
    pub fn into_string(self) -> String {
        self.0.as_str().to_owned()
    }
}

impl Deref for Str {
    type Target = str;

    fn deref(&self) -> &str {
        self.0.as_str()
    }
}

impl AsRef<str> for Str {
    fn as_ref(&self) -> &str {
        self.0.as_str()
    }
}

impl Borrow<str> for Str {
    fn borrow(&self) -> &str {
        self.0.as_str()
    }
}

impl From<&'static str> for Str {
    /// Static text, kept by reference: no copy, no allocation.
    #[inline]
    fn from(text: &'static str) -> Self {
        Str::from_static(text)
    }
}

impl From<String> for Str {
    /// Inline when short, else copied to the heap (the `String` is freed either way).
    fn from(text: String) -> Self {
        Str(SmolStr::from(text))
    }
}

impl From<&String> for Str {
    fn from(text: &String) -> Self {
        Str::new(text)
    }
}

impl From<Cow<'static, str>> for Str {
    fn from(text: Cow<'static, str>) -> Self {
        match text {
            Cow::Borrowed(text) => Str::from_static(text),
            Cow::Owned(text) => Str::from(text),
        }
    }
}

impl From<Str> for String {
    fn from(text: Str) -> Self {
        text.into_string()
    }
}

impl PartialEq<str> for Str {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Str {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Str {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<Str> for str {
    fn eq(&self, other: &Str) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<Str> for &str {
    fn eq(&self, other: &Str) -> bool {
        *self == other.as_str()
    }
}

impl fmt::Debug for Str {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Str {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for Str {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Str {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Text;
        impl serde::de::Visitor<'_> for Text {
            type Value = Str;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Str, E> {
                Ok(Str::new(text))
            }
            fn visit_string<E: serde::de::Error>(self, text: String) -> Result<Str, E> {
                Ok(Str::from(text))
            }
        }
        deserializer.deserialize_str(Text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_inline_and_static_text_is_not_copied() {
        let long = "a static name longer than twenty-four bytes";
        let kept = Str::from(long);
        assert!(std::ptr::eq(kept.as_str().as_ptr(), long.as_ptr()));
        let short = Str::new("GET /cart");
        assert!(!short.is_heap_allocated() && !kept.is_heap_allocated());
        let copy = Str::from(long.to_owned());
        assert!(copy.is_heap_allocated() && copy == kept);
        assert!(
            std::ptr::eq(copy.clone().as_str(), copy.as_str()),
            "a clone shares the text"
        );
    }

    #[test]
    fn compares_and_hashes_as_its_text() {
        use std::collections::HashSet;
        let set: HashSet<Str> = [Str::new("a"), Str::from("b".to_owned())].into();
        assert!(set.contains("a") && set.contains("b"));
        assert_eq!(Str::new("x"), "x");
        assert!(Str::new("a") < Str::new("b"));
        assert_eq!(format!("{:?}", Str::new("q\"")), format!("{:?}", "q\""));
    }
}
