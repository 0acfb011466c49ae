//! The one trace model every codec maps to and from.
//!
//! A [`TraceData`] is a flat list of [`Span`]s plus the [`Resource`]s and [`Scope`]s they refer
//! to by index. Flat storage keeps a million-span file compact (no per-span resource copy, no
//! reference counting) and lets the tracer, the readers and the viewer share one shape.
//!
//! Strings are [`Str`] (`Cow<'static, str>`): the tracer records `&'static str` names and keys
//! without allocating, readers produce owned strings.

use std::borrow::Cow;
use std::fmt;

use crate::batch::SpanBatch;

/// A string that is either static (no allocation) or owned.
pub type Str = Cow<'static, str>;

/// A 128-bit trace id. Zero is invalid on the wire; 64-bit ids (old Zipkin) have the high half zero.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct TraceId(pub u128);

/// A 64-bit span id. Zero is invalid on the wire.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct SpanId(pub u64);

/// Why a hex id could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdError {
    /// The text has a length the id type does not allow.
    Length {
        expected: &'static str,
        found: usize,
    },
    /// A character that is not a hex digit, at this byte offset.
    NotHex { offset: usize },
    /// The id is all zeros, which every format treats as invalid.
    Zero,
}

impl fmt::Display for IdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdError::Length { expected, found } => {
                write!(
                    f,
                    "expected {expected} hex digits, found {found} characters"
                )
            }
            IdError::NotHex { offset } => write!(f, "not a hex digit at character {offset}"),
            IdError::Zero => write!(f, "id is all zeros"),
        }
    }
}

impl std::error::Error for IdError {}

/// Parses hex digits of either case into a u128; `text` must be at most 32 digits.
fn parse_hex(text: &str) -> Result<u128, IdError> {
    let mut value: u128 = 0;
    for (offset, byte) in text.bytes().enumerate() {
        let digit = match byte {
            b'0'..=b'9' => byte - b'0',
            b'a'..=b'f' => byte - b'a' + 10,
            b'A'..=b'F' => byte - b'A' + 10,
            _ => return Err(IdError::NotHex { offset }),
        };
        value = (value << 4) | u128::from(digit);
    }
    Ok(value)
}

impl TraceId {
    /// The invalid all-zero id.
    pub const INVALID: TraceId = TraceId(0);

    /// Parses 32 hex digits, or 16 (a 64-bit Zipkin id), in either case.
    ///
    /// ```
    /// use spindle_formats::TraceId;
    /// let id = TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap();
    /// assert_eq!(id.to_string(), "4bf92f3577b34da6a3ce929d0e0e4736");
    /// assert_eq!(TraceId::from_hex("00f067aa0ba902b7").unwrap().0, 0x00f067aa0ba902b7);
    /// assert!(TraceId::from_hex("00000000000000000000000000000000").is_err());
    /// ```
    pub fn from_hex(text: &str) -> Result<Self, IdError> {
        if text.len() != 32 && text.len() != 16 {
            return Err(IdError::Length {
                expected: "32 (or 16)",
                found: text.len(),
            });
        }
        match parse_hex(text)? {
            0 => Err(IdError::Zero),
            v => Ok(TraceId(v)),
        }
    }

    /// True unless the id is all zeros.
    pub fn is_valid(self) -> bool {
        self.0 != 0
    }

    /// The low 64 bits, which trace-id-ratio samplers decide on.
    pub fn low64(self) -> u64 {
        self.0 as u64
    }

    /// The id as 16 big-endian bytes (OTLP, W3C byte order).
    pub fn to_bytes(self) -> [u8; 16] {
        self.0.to_be_bytes()
    }
}

impl SpanId {
    /// The invalid all-zero id.
    pub const INVALID: SpanId = SpanId(0);

    /// Parses exactly 16 hex digits in either case.
    ///
    /// ```
    /// use spindle_formats::SpanId;
    /// assert_eq!(SpanId::from_hex("00F067AA0BA902B7").unwrap().to_string(), "00f067aa0ba902b7");
    /// assert!(SpanId::from_hex("0000000000000000").is_err());
    /// assert!(SpanId::from_hex("abc").is_err());
    /// ```
    pub fn from_hex(text: &str) -> Result<Self, IdError> {
        if text.len() != 16 {
            return Err(IdError::Length {
                expected: "16",
                found: text.len(),
            });
        }
        match parse_hex(text)? {
            0 => Err(IdError::Zero),
            v => Ok(SpanId(v as u64)),
        }
    }

    /// True unless the id is all zeros.
    pub fn is_valid(self) -> bool {
        self.0 != 0
    }

    /// The id as 8 big-endian bytes.
    pub fn to_bytes(self) -> [u8; 8] {
        self.0.to_be_bytes()
    }
}

impl fmt::Display for TraceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:032x}", self.0)
    }
}

impl fmt::Debug for TraceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TraceId({self})")
    }
}

impl fmt::Display for SpanId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

impl fmt::Debug for SpanId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SpanId({self})")
    }
}

/// What role a span plays in a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SpanKind {
    #[default]
    Internal,
    Server,
    Client,
    Producer,
    Consumer,
}

impl SpanKind {
    /// The lowercase name used in Spindle JSON and in the viewer.
    pub fn as_str(self) -> &'static str {
        match self {
            SpanKind::Internal => "internal",
            SpanKind::Server => "server",
            SpanKind::Client => "client",
            SpanKind::Producer => "producer",
            SpanKind::Consumer => "consumer",
        }
    }

    /// Parses the lowercase name, also accepting upper case (Zipkin, Jaeger tags).
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text.to_ascii_lowercase().as_str() {
            "internal" => SpanKind::Internal,
            "server" => SpanKind::Server,
            "client" => SpanKind::Client,
            "producer" => SpanKind::Producer,
            "consumer" => SpanKind::Consumer,
            _ => return None,
        })
    }
}

/// Whether the operation a span stands for succeeded.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Status {
    #[default]
    Unset,
    Ok,
    Error {
        message: Str,
    },
}

impl Status {
    /// True for [`Status::Error`].
    pub fn is_error(&self) -> bool {
        matches!(self, Status::Error { .. })
    }
}

/// A typed attribute value: every kind OTLP's `AnyValue` carries.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Str(Str),
    Bool(bool),
    I64(i64),
    F64(f64),
    Bytes(Vec<u8>),
    Array(Vec<Value>),
    Map(Vec<KeyValue>),
}

impl fmt::Display for Value {
    /// Plain text: strings unquoted, arrays and maps as JSON-like text.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Str(s) => f.write_str(s),
            Value::Bool(b) => write!(f, "{b}"),
            Value::I64(i) => write!(f, "{i}"),
            Value::F64(x) => write!(f, "{x}"),
            Value::Bytes(bytes) => bytes.iter().try_for_each(|b| write!(f, "{b:02x}")),
            Value::Array(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    item.fmt_quoted(f)?;
                }
                f.write_str("]")
            }
            Value::Map(entries) => {
                f.write_str("{")?;
                for (i, kv) in entries.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{:?}:", kv.key.as_ref())?;
                    kv.value.fmt_quoted(f)?;
                }
                f.write_str("}")
            }
        }
    }
}

impl Value {
    /// Like `Display`, but strings are JSON-quoted (used inside arrays and maps).
    fn fmt_quoted(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Str(s) => write!(f, "{}", serde_json::Value::String(s.to_string())),
            Value::Bytes(_) => write!(f, "\"{self}\""),
            other => write!(f, "{other}"),
        }
    }

    /// The string inside a [`Value::Str`].
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }
}

macro_rules! value_from {
    ($($t:ty => $variant:ident $(as $cast:ty)?),* $(,)?) => {$(
        impl From<$t> for Value {
            fn from(v: $t) -> Self {
                Value::$variant(v $(as $cast)?)
            }
        }
    )*};
}

value_from!(
    bool => Bool,
    i64 => I64,
    i32 => I64 as i64,
    i16 => I64 as i64,
    i8 => I64 as i64,
    u32 => I64 as i64,
    u16 => I64 as i64,
    u8 => I64 as i64,
    f64 => F64,
    f32 => F64 as f64,
);

/// Unsigned values above `i64::MAX` saturate (attribute integers are signed 64-bit everywhere).
impl From<u64> for Value {
    fn from(v: u64) -> Self {
        Value::I64(i64::try_from(v).unwrap_or(i64::MAX))
    }
}

/// Sizes above `i64::MAX` saturate.
impl From<usize> for Value {
    fn from(v: usize) -> Self {
        Value::I64(i64::try_from(v).unwrap_or(i64::MAX))
    }
}

impl From<&'static str> for Value {
    fn from(v: &'static str) -> Self {
        Value::Str(Cow::Borrowed(v))
    }
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Str(Cow::Owned(v))
    }
}

impl From<Str> for Value {
    fn from(v: Str) -> Self {
        Value::Str(v)
    }
}

impl<T: Into<Value>> From<Vec<T>> for Value {
    fn from(v: Vec<T>) -> Self {
        Value::Array(v.into_iter().map(Into::into).collect())
    }
}

/// A named attribute.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyValue {
    pub key: Str,
    pub value: Value,
}

impl KeyValue {
    /// Builds a key-value from anything string-like and anything value-like.
    pub fn new(key: impl Into<Str>, value: impl Into<Value>) -> Self {
        KeyValue {
            key: key.into(),
            value: value.into(),
        }
    }
}

/// Finds the value of `key` in an attribute list (the last one wins, as in OTLP).
pub fn find_attribute<'a>(attributes: &'a [KeyValue], key: &str) -> Option<&'a Value> {
    attributes
        .iter()
        .rev()
        .find(|kv| kv.key == key)
        .map(|kv| &kv.value)
}

/// Something that happened at one instant during a span (a log, an exception, an annotation).
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub time_unix_nanos: u64,
    pub name: Str,
    pub attributes: Vec<KeyValue>,
}

/// A reference from a span to another span, possibly in another trace.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    pub trace_id: TraceId,
    pub span_id: SpanId,
    pub trace_state: Str,
    pub attributes: Vec<KeyValue>,
}

/// The entity that produced spans: a service instance.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Resource {
    pub attributes: Vec<KeyValue>,
}

impl Resource {
    /// The `service.name` attribute, if it is a string.
    pub fn service_name(&self) -> Option<&str> {
        find_attribute(&self.attributes, "service.name").and_then(Value::as_str)
    }
}

/// The library that recorded spans (OTLP's instrumentation scope).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Scope {
    pub name: Str,
    pub version: Str,
    pub attributes: Vec<KeyValue>,
}

/// Index of a [`Resource`] in [`TraceData::resources`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct ResourceIndex(pub u32);

/// Index of a [`Scope`] in [`TraceData::scopes`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct ScopeIndex(pub u32);

/// W3C trace flag: the span was sampled.
pub const FLAG_SAMPLED: u32 = 0x01;
/// OTLP span flag bit: `flags` carries whether the parent is remote.
pub const FLAG_HAS_IS_REMOTE: u32 = 0x100;
/// OTLP span flag bit: the parent is remote.
pub const FLAG_IS_REMOTE: u32 = 0x200;

/// One timed operation.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Span {
    pub trace_id: TraceId,
    pub span_id: SpanId,
    pub parent_span_id: Option<SpanId>,
    pub name: Str,
    pub kind: SpanKind,
    pub start_unix_nanos: u64,
    pub end_unix_nanos: u64,
    pub attributes: Vec<KeyValue>,
    pub events: Vec<Event>,
    pub links: Vec<Link>,
    pub status: Status,
    /// W3C trace flags in the low byte, OTLP's extra flag bits above.
    pub flags: u32,
    /// The W3C `tracestate` header value the span was recorded with.
    pub trace_state: Str,
    pub resource: ResourceIndex,
    pub scope: ScopeIndex,
}

impl Span {
    /// Duration in nanoseconds (zero if the end precedes the start).
    pub fn duration_nanos(&self) -> u64 {
        self.end_unix_nanos.saturating_sub(self.start_unix_nanos)
    }

    /// Value of an attribute by key.
    pub fn attribute(&self, key: &str) -> Option<&Value> {
        find_attribute(&self.attributes, key)
    }
}

/// Spans with the resources and scopes they refer to.
///
/// Invariant kept by every reader: each span's `resource` and `scope` index is in range.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TraceData {
    pub resources: Vec<Resource>,
    pub scopes: Vec<Scope>,
    pub spans: Vec<Span>,
}

impl TraceData {
    /// The resource a span refers to (an empty one if the index is out of range).
    pub fn resource_of(&self, span: &Span) -> &Resource {
        SpanBatch::from(self).resource_of(span)
    }

    /// The scope a span refers to (an empty one if the index is out of range).
    pub fn scope_of(&self, span: &Span) -> &Scope {
        SpanBatch::from(self).scope_of(span)
    }

    /// The service name of the span's resource, or `"unknown_service"` as OpenTelemetry names it.
    pub fn service_name_of(&self, span: &Span) -> &str {
        self.resource_of(span)
            .service_name()
            .unwrap_or("unknown_service")
    }

    /// Returns the index of an equal resource, adding it if it is new.
    pub fn intern_resource(&mut self, resource: Resource) -> ResourceIndex {
        if let Some(i) = self.resources.iter().position(|r| *r == resource) {
            return ResourceIndex(i as u32);
        }
        self.resources.push(resource);
        ResourceIndex((self.resources.len() - 1) as u32)
    }

    /// Returns the index of an equal scope, adding it if it is new.
    pub fn intern_scope(&mut self, scope: Scope) -> ScopeIndex {
        if let Some(i) = self.scopes.iter().position(|s| *s == scope) {
            return ScopeIndex(i as u32);
        }
        self.scopes.push(scope);
        ScopeIndex((self.scopes.len() - 1) as u32)
    }

    /// Appends another set of spans, sharing equal resources and scopes.
    pub fn merge(&mut self, other: TraceData) {
        let resources: Vec<ResourceIndex> = other
            .resources
            .into_iter()
            .map(|r| self.intern_resource(r))
            .collect();
        let scopes: Vec<ScopeIndex> = other
            .scopes
            .into_iter()
            .map(|s| self.intern_scope(s))
            .collect();
        self.spans.reserve(other.spans.len());
        for mut span in other.spans {
            span.resource = resources
                .get(span.resource.0 as usize)
                .copied()
                .unwrap_or_default();
            span.scope = scopes
                .get(span.scope.0 as usize)
                .copied()
                .unwrap_or_default();
            self.spans.push(span);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_reject_bad_text_with_the_reason() {
        assert_eq!(
            TraceId::from_hex("xyz"),
            Err(IdError::Length {
                expected: "32 (or 16)",
                found: 3
            })
        );
        assert_eq!(
            SpanId::from_hex("00f067aa0ba902bg"),
            Err(IdError::NotHex { offset: 15 })
        );
        assert_eq!(SpanId::from_hex("0000000000000000"), Err(IdError::Zero));
    }

    #[test]
    fn merge_shares_equal_resources() {
        let resource = Resource {
            attributes: vec![KeyValue::new("service.name", "a")],
        };
        let mut one = TraceData {
            resources: vec![resource.clone()],
            ..Default::default()
        };
        one.spans.push(Span {
            name: "first".into(),
            ..Default::default()
        });
        let other_resource = Resource {
            attributes: vec![KeyValue::new("service.name", "b")],
        };
        let two = TraceData {
            resources: vec![other_resource, resource],
            spans: vec![Span {
                name: "second".into(),
                resource: ResourceIndex(1),
                ..Default::default()
            }],
            ..Default::default()
        };
        one.merge(two);
        assert_eq!(one.resources.len(), 2);
        assert_eq!(one.service_name_of(&one.spans[1]), "a");
    }

    #[test]
    fn values_display_as_plain_text() {
        assert_eq!(Value::from(vec!["a", "b"]).to_string(), r#"["a","b"]"#);
        assert_eq!(Value::from(vec![1i64, 2]).to_string(), "[1,2]");
        assert_eq!(Value::from(true).to_string(), "true");
    }
}
