//! W3C `tracestate`: vendor key-value pairs carried beside the trace id.
//!
//! Parsing follows the grammar of the current W3C Trace Context editor's draft (Level 2)
//! exactly: a key is 1 to 256 characters, a lowercase letter or digit first, then lowercase
//! letters, digits, `_`, `-`, `*`, `/` and `@` (so `foo@`, `foo@@bar` and `1vendor` are keys,
//! while `@foo` is not). A header that breaks any rule is rejected whole, as the
//! specification requires.
//!
//! ```
//! use spindle::TraceState;
//!
//! let state = TraceState::from_header("congo=t61rcWkgMzE, rojo=00f067aa0ba902b7").unwrap();
//! assert_eq!(state.get("rojo"), Some("00f067aa0ba902b7"));
//! assert_eq!(state.header(), "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7");
//!
//! // A vendor updating its entry moves it to the front.
//! let state = state.insert("rojo", "1").unwrap();
//! assert_eq!(state.header(), "rojo=1,congo=t61rcWkgMzE");
//!
//! // Any invalid member invalidates the whole header.
//! assert!(TraceState::from_header("ok=1,BAD=2").is_err());
//! ```

use std::fmt;
use std::sync::Arc;

/// The most list members a `tracestate` may hold.
pub(crate) const MAX_MEMBERS: usize = 32;
/// The header length a propagator truncates `tracestate` to on inject.
pub(crate) const MAX_HEADER_LEN: usize = 512;
/// Entries longer than this are the first removed when truncating.
pub(crate) const LONG_ENTRY_LEN: usize = 128;

/// The longest key: a first character and 255 more.
const MAX_KEY: usize = 256;
const MAX_VALUE: usize = 256;

/// An immutable, cheaply cloned list of `tracestate` entries (empty costs nothing).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TraceState {
    entries: Option<Arc<[(String, String)]>>,
}

/// Why a `tracestate` header or entry was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TraceStateError {
    /// A key that breaks the key grammar (empty, over 256 characters, a first character that
    /// is not a lowercase letter or digit, or a character outside the key characters).
    InvalidKey(String),
    /// The value given for this key is empty, too long, or has a forbidden character.
    InvalidValue(String),
    /// A list member with no `=`.
    MissingEquals(String),
    /// More than 32 list members.
    TooManyMembers,
}

impl fmt::Display for TraceStateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidKey(k) => write!(f, "invalid tracestate key {k:?}"),
            Self::InvalidValue(k) => write!(f, "invalid tracestate value for key {k:?}"),
            Self::MissingEquals(m) => write!(f, "tracestate member {m:?} has no '='"),
            Self::TooManyMembers => write!(f, "more than 32 tracestate members"),
        }
    }
}

impl std::error::Error for TraceStateError {}

/// `keychar = lcalpha / DIGIT / "_" / "-" / "*" / "/" / "@"`: the characters after a key's first.
fn is_key_char(b: u8) -> bool {
    matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-' | b'*' | b'/' | b'@')
}

/// True if `key` is a valid key: `( lcalpha / DIGIT ) 0*255( keychar )`.
fn is_valid_key(key: &str) -> bool {
    match key.as_bytes().split_first() {
        Some((&head, rest)) => {
            key.len() <= MAX_KEY
                && matches!(head, b'a'..=b'z' | b'0'..=b'9')
                && rest.iter().all(|&b| is_key_char(b))
        }
        None => false,
    }
}

/// True if `value` is 1 to 256 printable ASCII characters other than `,` and `=`, not ending
/// in a space.
fn is_valid_value(value: &str) -> bool {
    let bytes = value.as_bytes();
    let chr = |b: &u8| matches!(b, 0x20..=0x7e) && *b != b',' && *b != b'=';
    bytes.len() <= MAX_VALUE && bytes.iter().all(chr) && bytes.last().is_some_and(|&b| b != b' ')
}

/// Optional whitespace as HTTP defines it: spaces and tabs.
fn trim_ows(text: &str) -> &str {
    text.trim_matches(|c| c == ' ' || c == '\t')
}

/// Parses one non-empty list member into a validated key and value.
fn parse_member(member: &str) -> Result<(String, String), TraceStateError> {
    let (key, value) = member
        .split_once('=')
        .ok_or_else(|| TraceStateError::MissingEquals(member.to_string()))?;
    if !is_valid_key(key) {
        return Err(TraceStateError::InvalidKey(key.to_string()));
    }
    if !is_valid_value(value) {
        return Err(TraceStateError::InvalidValue(key.to_string()));
    }
    Ok((key.to_string(), value.to_string()))
}

impl TraceState {
    /// The empty trace state (no allocation).
    pub const EMPTY: TraceState = TraceState { entries: None };

    /// True if `key` is a valid `tracestate` key (the editor's draft grammar: 1 to 256
    /// characters, a lowercase letter or digit first, `@` allowed anywhere after it).
    ///
    /// ```
    /// use spindle::TraceState;
    /// assert!(TraceState::is_valid_key("rojo"));
    /// assert!(TraceState::is_valid_key("1tenant@vendor"));
    /// assert!(TraceState::is_valid_key("1vendor"));
    /// assert!(TraceState::is_valid_key("foo@") && TraceState::is_valid_key("a@b@c"));
    /// assert!(!TraceState::is_valid_key("@foo"));
    /// assert!(!TraceState::is_valid_key("Rojo"));
    /// assert!(!TraceState::is_valid_key(&"k".repeat(257)));
    /// ```
    pub fn is_valid_key(key: &str) -> bool {
        is_valid_key(key)
    }

    /// True if `value` is a valid `tracestate` value: 1 to 256 printable ASCII characters
    /// other than `,` and `=`, not ending in a space.
    ///
    /// ```
    /// use spindle::TraceState;
    /// assert!(TraceState::is_valid_value(" leading space is fine"));
    /// assert!(!TraceState::is_valid_value("trailing "));
    /// assert!(!TraceState::is_valid_value("a=b"));
    /// assert!(!TraceState::is_valid_value(""));
    /// ```
    pub fn is_valid_value(value: &str) -> bool {
        is_valid_value(value)
    }

    /// Builds a state from owned entries, `None` when there are none.
    fn from_vec(entries: Vec<(String, String)>) -> Self {
        if entries.is_empty() {
            Self::EMPTY
        } else {
            TraceState {
                entries: Some(entries.into()),
            }
        }
    }

    /// Parses one `tracestate` header value. Empty and whitespace-only members are skipped,
    /// and so are later members repeating a key; any invalid member or more than 32 members
    /// rejects the whole header.
    ///
    /// ```
    /// use spindle::TraceState;
    /// let state = TraceState::from_header(" a=1 ,\t, b@vendor=x y ").unwrap();
    /// assert_eq!(state.len(), 2);
    /// assert_eq!(state.get("b@vendor"), Some("x y"));
    /// assert!(TraceState::from_header("").unwrap().is_empty());
    /// assert_eq!(TraceState::from_header("a=1,a=2").unwrap().header(), "a=1");
    /// assert!(TraceState::from_header("a=").is_err());
    /// ```
    pub fn from_header(header: &str) -> Result<TraceState, TraceStateError> {
        Self::from_headers([header])
    }

    /// Parses several `tracestate` header lines as one list (as if joined with `,`), which is
    /// how HTTP combines a header that is sent more than once.
    ///
    /// ```
    /// use spindle::TraceState;
    /// let state = TraceState::from_headers(["a=1", "b=2"]).unwrap();
    /// assert_eq!(state.header(), "a=1,b=2");
    /// assert_eq!(TraceState::from_headers(["a=1", "a=2"]).unwrap().header(), "a=1");
    /// ```
    pub fn from_headers<'a>(
        lines: impl IntoIterator<Item = &'a str>,
    ) -> Result<TraceState, TraceStateError> {
        let mut entries: Vec<(String, String)> = Vec::new();
        let members = lines.into_iter().flat_map(|line| line.split(','));
        for member in members.map(trim_ows).filter(|m| !m.is_empty()) {
            if entries.len() == MAX_MEMBERS {
                return Err(TraceStateError::TooManyMembers);
            }
            let (key, value) = parse_member(member)?;
            // A repeated key is the sender's mistake; the editor's draft lets a receiver
            // discard the repeats, and the first (most recent) entry is the one kept.
            if !entries.iter().any(|(k, _)| *k == key) {
                entries.push((key, value));
            }
        }
        Ok(Self::from_vec(entries))
    }

    /// The entries in order, as a slice (empty when there are none).
    fn entries(&self) -> &[(String, String)] {
        self.entries.as_deref().unwrap_or(&[])
    }

    /// The entries in order, first (most recently updated) first.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries().iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The value for `key`, if present.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    /// True when there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries().is_empty()
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.entries().len()
    }

    /// A new state with `key` set to `value` and moved to the front (as W3C asks of a vendor
    /// updating its entry). If that would make 33 entries, the last entry is removed.
    ///
    /// ```
    /// use spindle::TraceState;
    /// let state = TraceState::default().insert("a", "1").unwrap().insert("b", "2").unwrap();
    /// assert_eq!(state.header(), "b=2,a=1");
    /// assert!(state.insert("A", "1").is_err());
    /// assert!(state.insert("a", "x,y").is_err());
    /// ```
    pub fn insert(&self, key: &str, value: &str) -> Result<TraceState, TraceStateError> {
        if !is_valid_key(key) {
            return Err(TraceStateError::InvalidKey(key.to_string()));
        }
        if !is_valid_value(value) {
            return Err(TraceStateError::InvalidValue(key.to_string()));
        }
        let mut entries = Vec::with_capacity(self.len() + 1);
        entries.push((key.to_string(), value.to_string()));
        let others = self.entries().iter().filter(|(k, _)| k != key);
        entries.extend(others.take(MAX_MEMBERS - 1).cloned());
        Ok(Self::from_vec(entries))
    }

    /// A new state without `key` (a cheap clone when `key` is absent).
    ///
    /// ```
    /// use spindle::TraceState;
    /// let state = TraceState::from_header("a=1,b=2").unwrap();
    /// assert_eq!(state.delete("a").header(), "b=2");
    /// assert!(state.delete("a").delete("b").is_empty());
    /// ```
    pub fn delete(&self, key: &str) -> TraceState {
        if self.get(key).is_none() {
            return self.clone();
        }
        let kept = self.entries().iter().filter(|(k, _)| k != key);
        Self::from_vec(kept.cloned().collect())
    }

    /// The header value: `key=value` entries joined with `,` (empty string when empty).
    pub fn header(&self) -> String {
        let mut out = String::with_capacity(self.header_len(&[]));
        for (i, (k, v)) in self.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(k);
            out.push('=');
            out.push_str(v);
        }
        out
    }

    /// The header length counting only entries whose index is not in `removed`.
    fn header_len(&self, removed: &[usize]) -> usize {
        let kept = self
            .iter()
            .enumerate()
            .filter(|(i, _)| !removed.contains(i));
        let (count, chars) = kept.fold((0usize, 0usize), |(n, len), (_, (k, v))| {
            (n + 1, len + k.len() + 1 + v.len())
        });
        chars + count.saturating_sub(1)
    }

    /// Shortened so that [`header`](Self::header) is at most `max_len` characters, removing
    /// whole entries as W3C recommends: first entries longer than 128 characters, from the end
    /// of the list, then further entries from the end.
    ///
    /// ```
    /// use spindle::TraceState;
    /// let long = "x".repeat(200);
    /// let state = TraceState::from_header(&format!("a=1,big={long},c={long},d=4")).unwrap();
    /// assert_eq!(state.truncated(300).header(), format!("a=1,big={long},d=4"));
    /// assert_eq!(state.truncated(5).header(), "a=1");
    /// ```
    pub fn truncated(&self, max_len: usize) -> TraceState {
        let mut removed: Vec<usize> = Vec::new();
        let long_first = self.long_entries_from_end().chain((0..self.len()).rev());
        for index in long_first {
            if self.header_len(&removed) <= max_len {
                break;
            }
            if !removed.contains(&index) {
                removed.push(index);
            }
        }
        if removed.is_empty() {
            return self.clone();
        }
        let kept = self
            .entries()
            .iter()
            .enumerate()
            .filter(|(i, _)| !removed.contains(i));
        Self::from_vec(kept.map(|(_, e)| e.clone()).collect())
    }

    /// Indices of entries longer than 128 characters, last first.
    fn long_entries_from_end(&self) -> impl Iterator<Item = usize> + '_ {
        let long = |(i, (k, v)): (usize, (&str, &str))| {
            (k.len() + 1 + v.len() > LONG_ENTRY_LEN).then_some(i)
        };
        let indices: Vec<usize> = self.iter().enumerate().filter_map(long).collect();
        indices.into_iter().rev()
    }

    /// The header to send: [`header`](Self::header) after truncating to 512 characters.
    pub fn header_for_inject(&self) -> String {
        self.truncated(MAX_HEADER_LEN).header()
    }
}

impl fmt::Display for TraceState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.header())
    }
}

impl std::str::FromStr for TraceState {
    type Err = TraceStateError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_header(s)
    }
}
