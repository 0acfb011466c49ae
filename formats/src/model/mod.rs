//! The one trace model every codec maps to and from.
//!
//! A [`TraceData`] is a flat list of [`Span`]s plus the [`Resource`]s and [`Scope`]s they refer
//! to by index. Flat storage keeps a million-span file compact (no per-span resource copy, no
//! reference counting) and lets the tracer, the readers and the viewer share one shape.
//!
//! Text is [`Str`]: the tracer records `&'static str` names and keys without allocating,
//! readers store short text inline and longer text on the heap.

mod id;
mod str;
mod value;

pub use id::{IdError, SpanId, TraceId};
pub use str::Str;
pub use value::{KeyValue, Value, find_attribute};

/// What role a span plays in a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SpanKind {
    /// Work inside one service (the default).
    #[default]
    Internal,
    /// The handling of a request from a remote client.
    Server,
    /// A request to a remote service.
    Client,
    /// The sending of a message to be handled later (a queue, a topic).
    Producer,
    /// The handling of a message a producer sent.
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
    /// Nothing was said (the default): usually success.
    #[default]
    Unset,
    /// The operation was explicitly marked as successful.
    Ok,
    /// The operation failed.
    Error {
        /// What went wrong; may be empty.
        message: Str,
    },
}

impl Status {
    /// True for [`Status::Error`].
    pub fn is_error(&self) -> bool {
        matches!(self, Status::Error { .. })
    }
}

/// Something that happened at one instant during a span (a log, an exception, an annotation).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Event {
    /// When it happened, in nanoseconds since the Unix epoch.
    pub time_unix_nanos: u64,
    /// What happened (`exception`, a log message, an annotation's text).
    pub name: Str,
    /// Details, such as `exception.message`.
    pub attributes: Vec<KeyValue>,
    /// How many attributes the sender dropped (over a limit); zero when none were.
    pub dropped_attributes_count: u32,
}

/// A reference from a span to another span, possibly in another trace.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Link {
    /// The trace of the span linked to.
    pub trace_id: TraceId,
    /// The span linked to.
    pub span_id: SpanId,
    /// The W3C `tracestate` of the span linked to.
    pub trace_state: Str,
    /// What the link means, such as `opentracing.ref_type`.
    pub attributes: Vec<KeyValue>,
    /// How many attributes the sender dropped; zero when none were.
    pub dropped_attributes_count: u32,
    /// W3C trace flags of the span linked to in the low byte, OTLP's is-remote bits above
    /// (as [`Span::flags`]); zero when unknown.
    pub flags: u32,
}

/// The entity that produced spans: a service instance.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Resource {
    /// What identifies it: `service.name`, `host.name`, `process.pid`…
    pub attributes: Vec<KeyValue>,
    /// How many attributes the sender dropped; zero when none were.
    pub dropped_attributes_count: u32,
    /// The OpenTelemetry schema the attributes follow (OTLP's `ResourceSpans.schema_url`);
    /// empty when not given.
    pub schema_url: Str,
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
    /// The library's name (may be empty).
    pub name: Str,
    /// The library's version (may be empty).
    pub version: Str,
    /// More about the scope.
    pub attributes: Vec<KeyValue>,
    /// How many attributes the sender dropped; zero when none were.
    pub dropped_attributes_count: u32,
    /// The OpenTelemetry schema the scope's spans follow (OTLP's `ScopeSpans.schema_url`);
    /// empty when not given.
    pub schema_url: Str,
}

/// What a span whose resource index is out of range refers to.
pub(crate) static EMPTY_RESOURCE: Resource = Resource {
    attributes: Vec::new(),
    dropped_attributes_count: 0,
    schema_url: Str::from_static(""),
};

/// What a span whose scope index is out of range refers to.
pub(crate) static EMPTY_SCOPE: Scope = Scope {
    name: Str::from_static(""),
    version: Str::from_static(""),
    attributes: Vec::new(),
    dropped_attributes_count: 0,
    schema_url: Str::from_static(""),
};

/// The resource at `index` ([`EMPTY_RESOURCE`] if the index is out of range).
pub(crate) fn resource_at(resources: &[Resource], index: ResourceIndex) -> &Resource {
    resources.get(index.0 as usize).unwrap_or(&EMPTY_RESOURCE)
}

/// The scope at `index` ([`EMPTY_SCOPE`] if the index is out of range).
pub(crate) fn scope_at(scopes: &[Scope], index: ScopeIndex) -> &Scope {
    scopes.get(index.0 as usize).unwrap_or(&EMPTY_SCOPE)
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
    /// The trace the span belongs to.
    pub trace_id: TraceId,
    /// The span's own id, unique within its trace.
    pub span_id: SpanId,
    /// The span this one is a child of; `None` for a root span.
    pub parent_span_id: Option<SpanId>,
    /// What the operation is, such as `GET /cart`.
    pub name: Str,
    /// The role the span plays in a request.
    pub kind: SpanKind,
    /// When it started, in nanoseconds since the Unix epoch.
    pub start_unix_nanos: u64,
    /// When it ended, in nanoseconds since the Unix epoch.
    pub end_unix_nanos: u64,
    /// What describes the operation, such as `http.response.status_code`.
    pub attributes: Vec<KeyValue>,
    /// What happened during it, in time order as recorded.
    pub events: Vec<Event>,
    /// Other spans it refers to.
    pub links: Vec<Link>,
    /// How many attributes the sender dropped (over a limit); zero when none were.
    pub dropped_attributes_count: u32,
    /// How many events the sender dropped; zero when none were.
    pub dropped_events_count: u32,
    /// How many links the sender dropped; zero when none were.
    pub dropped_links_count: u32,
    /// Whether it succeeded.
    pub status: Status,
    /// W3C trace flags in the low byte, OTLP's extra flag bits above.
    pub flags: u32,
    /// The W3C `tracestate` header value the span was recorded with.
    pub trace_state: Str,
    /// The resource that produced it, in [`TraceData::resources`].
    pub resource: ResourceIndex,
    /// The library that recorded it, in [`TraceData::scopes`].
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
    /// The resources spans refer to by [`ResourceIndex`].
    pub resources: Vec<Resource>,
    /// The scopes spans refer to by [`ScopeIndex`].
    pub scopes: Vec<Scope>,
    /// The spans, in the order they were read or recorded.
    pub spans: Vec<Span>,
}

impl TraceData {
    /// The resource a span refers to (an empty one if the index is out of range).
    pub fn resource_of(&self, span: &Span) -> &Resource {
        resource_at(&self.resources, span.resource)
    }

    /// The scope a span refers to (an empty one if the index is out of range).
    pub fn scope_of(&self, span: &Span) -> &Scope {
        scope_at(&self.scopes, span.scope)
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
    fn merge_shares_equal_resources() {
        let resource = Resource {
            attributes: vec![KeyValue::new("service.name", "a")],
            ..Default::default()
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
            ..Default::default()
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
}
