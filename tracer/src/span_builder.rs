//! `SpanBuilder`: a span's name, kind, parent, attributes, links and start time before it
//! starts.
//!
//! The builder's attributes are what the sampler sees (as in OpenTelemetry). They go into a
//! vector taken from this thread's spare vectors on the first `attribute` call; at start the
//! vector becomes the record's attribute vector if the span is sampled (the attributes are
//! not copied), or is emptied and goes back to the spares if not (no allocation either way).
//! The builder stays small (a vector, not an inline array), so chained calls move little.

use std::cell::RefCell;

use spindle_formats::{KeyValue, Link, SpanKind, Str, Value};

use crate::context;
use crate::span::{Span, link_flags, start_span, trace_state_text};
use crate::span_context::SpanContext;

/// Which span a new span is a child of (an explicit parent is kept in place: a server span
/// started under an extracted context allocates nothing, sampled or not).
#[derive(Debug, Clone, Default)]
enum Parent {
    /// The current span of this thread, if any.
    #[default]
    Current,
    /// No parent: a new trace.
    Root,
    /// An explicit parent, local or remote (extracted from a request).
    Explicit(SpanContext),
}

/// Spare attribute vectors a thread keeps for its builders.
const MAX_SPARE_VECTORS: usize = 16;
/// Vectors larger than this are freed rather than kept.
const MAX_KEPT_CAPACITY: usize = 32;

thread_local! {
    /// Empty attribute vectors (capacity kept) for this thread's next builders.
    static SPARE_VECTORS: RefCell<Vec<Vec<KeyValue>>> = const { RefCell::new(Vec::new()) };
}

/// An empty attribute vector, with capacity if this thread has a spare one (out of line, so
/// that `attribute` stays small enough to inline).
#[inline(never)]
fn take_vector() -> Vec<KeyValue> {
    SPARE_VECTORS
        .try_with(|spare| spare.try_borrow_mut().ok()?.pop())
        .ok()
        .flatten()
        .unwrap_or_default()
}

/// Empties `vector` (dropping its attributes here) and keeps it for a later builder.
#[inline]
fn give_back(mut vector: Vec<KeyValue>) {
    if vector.capacity() == 0 || vector.capacity() > MAX_KEPT_CAPACITY {
        return;
    }
    vector.clear();
    let _ = SPARE_VECTORS.try_with(|spare| {
        if let Ok(mut spare) = spare.try_borrow_mut()
            && spare.len() < MAX_SPARE_VECTORS
        {
            spare.push(vector);
        }
    });
}

/// Configures a span before it starts.
///
/// Attributes given to the builder are what the sampler sees; they are recorded only if the
/// span is sampled, and cost an unsampled span nothing beyond building the values (give
/// costly values through [`Span::with_attributes`], whose closure runs only when the span is
/// sampled).
///
/// ```
/// use spindle::{Span, SpanKind};
/// let span = Span::builder("GET /users/:id").kind(SpanKind::Server).attribute("http.method", "GET").start();
/// assert!(span.context().is_valid());
/// ```
#[derive(Debug)]
#[must_use = "a builder does nothing until start() is called"]
pub struct SpanBuilder {
    name: Str,
    kind: SpanKind,
    parent: Parent,
    attributes: Vec<KeyValue>,
    /// What few spans have, boxed so that the builder stays small (under two cache lines,
    /// so chained calls move little).
    rare: Option<Box<Rare>>,
}

/// A builder's links and explicit start time.
#[derive(Debug, Default)]
struct Rare {
    links: Vec<Link>,
    start_unix_nanos: Option<u64>,
}

impl SpanBuilder {
    #[inline]
    pub(crate) fn new(name: Str) -> SpanBuilder {
        SpanBuilder {
            name,
            kind: SpanKind::Internal,
            parent: Parent::Current,
            attributes: Vec::new(),
            rare: None,
        }
    }

    /// The span's kind (internal by default).
    #[inline(always)]
    pub fn kind(mut self, kind: SpanKind) -> Self {
        self.kind = kind;
        self
    }

    /// Makes the span a child of `parent` (for example a context extracted from a request)
    /// instead of the current span. An invalid context starts a new trace.
    pub fn parent(mut self, parent: &SpanContext) -> Self {
        self.parent = if parent.is_valid() {
            Parent::Explicit(parent.clone())
        } else {
            Parent::Root
        };
        self
    }

    /// Starts a new trace even if a span is current.
    #[inline(always)]
    pub fn root(mut self) -> Self {
        self.parent = Parent::Root;
        self
    }

    /// Adds an attribute (seen by the sampler; recorded only if the span is sampled).
    #[inline(always)]
    pub fn attribute(mut self, key: impl Into<Str>, value: impl Into<Value>) -> Self {
        if self.attributes.capacity() == 0 {
            self.attributes = take_vector();
        }
        self.attributes.push(KeyValue::new(key, value));
        self
    }

    /// Adds a link to another span.
    pub fn link(mut self, context: &SpanContext, attributes: Vec<KeyValue>) -> Self {
        self.rare.get_or_insert_default().links.push(Link {
            trace_id: context.trace_id,
            span_id: context.span_id,
            trace_state: trace_state_text(context),
            attributes,
            dropped_attributes_count: 0,
            flags: link_flags(context),
        });
        self
    }

    /// Sets an explicit start time in Unix nanoseconds (default: now).
    pub fn start_time(mut self, unix_nanos: u64) -> Self {
        self.rare.get_or_insert_default().start_unix_nanos = Some(unix_nanos);
        self
    }

    /// Starts the span.
    #[inline]
    pub fn start(self) -> Span {
        let SpanBuilder {
            name,
            kind,
            parent,
            mut attributes,
            rare,
        } = self;
        let start_unix_nanos = rare.as_ref().and_then(|rare| rare.start_unix_nanos);
        let parent = match parent {
            Parent::Current => context::current_span_context(),
            Parent::Root => None,
            Parent::Explicit(parent) => Some(parent),
        };
        let mut span = start_span(name, kind, parent, start_unix_nanos, &attributes);
        if let Some(record) = span.record_mut() {
            if record.attributes.is_empty() {
                // A fresh record's attribute vector is empty: the builder's takes its place
                // (and the record's goes back to the spares).
                std::mem::swap(&mut record.attributes, &mut attributes);
            } else {
                record.attributes.append(&mut attributes);
            }
            if let Some(rare) = rare
                && !rare.links.is_empty()
            {
                record.links = rare.links;
            }
        }
        if attributes.capacity() != 0 {
            give_back(attributes);
        }
        span
    }
}
