//! Writing Zipkin v2 JSON: by hand, with what every span of a resource or scope shares
//! rendered once per batch.

use std::io::Write;
use std::ops::Range;

use super::annotation::annotation_text;
use super::fields::{
    Fields, comma_unless_first, flags, is_field_attribute, local_endpoint, remote_endpoint,
};
use crate::batch::SpanBatch;
use crate::hex;
use crate::json_out;
use crate::model::{Event, Resource, Scope, Span, SpanKind, Status, Value};

/// Appends `data` as one Zipkin v2 JSON list of spans on one line, followed by `\n`.
///
/// ```
/// use spindle_formats::{KeyValue, Resource, Span, SpanId, Status, TraceData, TraceId};
/// let data = TraceData {
///     resources: vec![Resource {
///         attributes: vec![KeyValue::new("service.name", "shop")],
///         ..Default::default()
///     }],
///     scopes: vec![Default::default()],
///     spans: vec![Span {
///         trace_id: TraceId(1),
///         span_id: SpanId(2),
///         name: "get".into(),
///         start_unix_nanos: 5_000,
///         end_unix_nanos: 9_000,
///         status: Status::Error { message: "".into() },
///         ..Default::default()
///     }],
/// };
/// let mut out = Vec::new();
/// spindle_formats::zipkin::write(&data, &mut out).unwrap();
/// assert_eq!(
///     String::from_utf8(out).unwrap(),
///     r#"[{"traceId":"00000000000000000000000000000001","id":"0000000000000002","name":"get","timestamp":5,"duration":4,"localEndpoint":{"serviceName":"shop"},"tags":{"otel.status_code":"ERROR","error":"true"}}]"#
///         .to_owned() + "\n"
/// );
/// ```
pub fn write<'a>(data: impl Into<SpanBatch<'a>>, out: &mut impl Write) -> std::io::Result<()> {
    let data = data.into();
    let mut line = Vec::with_capacity(1024);
    let mut writer = SpanWriter::new(data);
    line.push(b'[');
    for (index, span) in data.spans.iter().enumerate() {
        if index > 0 {
            line.push(b',');
        }
        writer.span(&mut line, span);
        if index == 0 {
            reserve_like_the_first(&mut line, data.spans.len());
        }
    }
    line.extend_from_slice(b"]\n");
    out.write_all(&line)
}

/// Reserves room for `spans` spans (the first one written) about as long as the first, so the
/// line is not copied as it grows.
fn reserve_like_the_first(line: &mut Vec<u8>, spans: usize) {
    let per_span = (line.len() + line.len() / 4).min(4096);
    line.reserve(
        per_span
            .saturating_mul(spans.saturating_sub(1))
            .saturating_add(2),
    );
}

/// Writes spans as JSON by hand, with what is the same for every span of a resource or a scope
/// rendered once per batch.
struct SpanWriter<'a> {
    resources: Vec<ResourceOut<'a>>,
    /// For a span whose resource index is out of range (as `TraceData::resource_of`).
    no_resource: ResourceOut<'a>,
    /// Each scope's tags, rendered (empty for a span whose scope index is out of range).
    scopes: Vec<Vec<u8>>,
    /// Scratch space for typed values rendered as text.
    text: String,
    /// Scratch space for annotation text.
    annotation: Vec<u8>,
}

impl<'a> SpanWriter<'a> {
    fn new(data: SpanBatch<'a>) -> Self {
        let mut text = String::new();
        let resources = data
            .resources
            .iter()
            .map(|resource| ResourceOut::new(resource, &mut text))
            .collect();
        SpanWriter {
            resources,
            no_resource: ResourceOut::default(),
            scopes: data.scopes.iter().map(scope_tags).collect(),
            text,
            annotation: Vec::new(),
        }
    }

    /// Appends one span object.
    fn span(&mut self, out: &mut Vec<u8>, span: &Span) {
        let resource = self
            .resources
            .get(span.resource.0 as usize)
            .unwrap_or(&self.no_resource);
        let scope = self
            .scopes
            .get(span.scope.0 as usize)
            .map_or(&[][..], Vec::as_slice);
        let fields = Fields::of(span);
        span_head(out, span);
        flags(out, &fields);
        local_endpoint(out, &resource.service_name, &fields);
        remote_endpoint(out, &fields);
        annotations(out, &span.events, &mut self.annotation);
        let mut tags = TagsOut::open(out);
        tags.span_attributes(span, &mut self.text);
        tags.resource(resource, span);
        tags.block(scope);
        tags.status(&span.status);
        tags.close();
        out.push(b'}');
    }
}

/// Appends `{` and the span's ids, name, kind, timestamp and duration.
fn span_head(out: &mut Vec<u8>, span: &Span) {
    out.extend_from_slice(br#"{"traceId":""#);
    hex::push_trace_id(out, span.trace_id);
    out.extend_from_slice(br#"","id":""#);
    hex::push_span_id(out, span.span_id);
    if let Some(parent) = span.parent_span_id {
        out.extend_from_slice(br#"","parentId":""#);
        hex::push_span_id(out, parent);
    }
    out.extend_from_slice(br#"","name":"#);
    json_out::string(out, &span.name);
    if let Some(kind) = kind_name(span.kind) {
        out.extend_from_slice(br#","kind":""#);
        out.extend_from_slice(kind.as_bytes());
        out.push(b'"');
    }
    let start_micros = span.start_unix_nanos / 1000;
    let duration = (span.end_unix_nanos / 1000)
        .saturating_sub(start_micros)
        .max(1);
    out.extend_from_slice(br#","timestamp":"#);
    json_out::u64(out, start_micros);
    out.extend_from_slice(br#","duration":"#);
    json_out::u64(out, duration);
}

pub(super) fn kind_name(kind: SpanKind) -> Option<&'static str> {
    match kind {
        SpanKind::Internal => None,
        SpanKind::Server => Some("SERVER"),
        SpanKind::Client => Some("CLIENT"),
        SpanKind::Producer => Some("PRODUCER"),
        SpanKind::Consumer => Some("CONSUMER"),
    }
}

/// Appends `"annotations"` for the span's events, if it has any.
fn annotations(out: &mut Vec<u8>, events: &[Event], text: &mut Vec<u8>) {
    if events.is_empty() {
        return;
    }
    out.extend_from_slice(br#","annotations":["#);
    for (index, event) in events.iter().enumerate() {
        if index > 0 {
            out.push(b',');
        }
        out.extend_from_slice(br#"{"timestamp":"#);
        json_out::u64(out, event.time_unix_nanos / 1000);
        out.extend_from_slice(br#","value":"#);
        if event.attributes.is_empty() {
            json_out::string(out, &event.name);
        } else {
            annotation_text(text, event);
            out.push(b'"');
            json_out::escaped(out, text);
            out.push(b'"');
        }
        out.push(b'}');
    }
    out.push(b']');
}

/// What every span of one resource shares, rendered once per batch.
#[derive(Default)]
struct ResourceOut<'a> {
    /// `"serviceName":…` for the local endpoint, or empty when there is no service name.
    service_name: Vec<u8>,
    /// The resource's tags (every attribute but `service.name`), comma-separated.
    tags: Vec<u8>,
    /// Each tag's key and where its `"key":"value"` is in `tags`.
    entries: Vec<(&'a str, Range<usize>)>,
}

impl<'a> ResourceOut<'a> {
    fn new(resource: &'a Resource, text: &mut String) -> Self {
        let mut rendered = ResourceOut::default();
        if let Some(name) = resource.service_name() {
            rendered
                .service_name
                .extend_from_slice(br#""serviceName":"#);
            json_out::string(&mut rendered.service_name, name);
        }
        for kv in resource
            .attributes
            .iter()
            .filter(|kv| kv.key != "service.name")
        {
            if !rendered.tags.is_empty() {
                rendered.tags.push(b',');
            }
            let start = rendered.tags.len();
            tag(&mut rendered.tags, &kv.key, &kv.value, text);
            rendered.entries.push((&kv.key, start..rendered.tags.len()));
        }
        rendered
    }

    /// True if the span has an attribute with the key of one of the resource's tags.
    fn is_overridden_by(&self, span: &Span) -> bool {
        self.entries
            .iter()
            .any(|(key, _)| span.attribute(key).is_some())
    }
}

/// The scope's name and version as rendered tags (comma-separated; empty ones left out).
fn scope_tags(scope: &Scope) -> Vec<u8> {
    let mut tags = Vec::new();
    let fields: [(&[u8], &str); 2] = [
        (br#""otel.scope.name":"#, &scope.name),
        (br#""otel.scope.version":"#, &scope.version),
    ];
    for (key, text) in fields.into_iter().filter(|(_, text)| !text.is_empty()) {
        if !tags.is_empty() {
            tags.push(b',');
        }
        tags.extend_from_slice(key);
        json_out::string(&mut tags, text);
    }
    tags
}

/// Appends `"key":"value"`, a typed value as its text.
fn tag(out: &mut Vec<u8>, key: &str, value: &Value, text: &mut String) {
    json_out::string(out, key);
    out.push(b':');
    match value {
        Value::Str(value) => json_out::string(out, value),
        Value::I64(n) => {
            out.push(b'"');
            json_out::i64(out, *n);
            out.push(b'"');
        }
        Value::Bool(flag) => {
            out.extend_from_slice(if *flag { br#""true""# } else { br#""false""# })
        }
        other => {
            text.clear();
            // Writing into a `String` fails only if `Display` does, which `Value`'s never does.
            let _ = std::fmt::Write::write_fmt(text, format_args!("{other}"));
            json_out::string(out, text);
        }
    }
}

/// The `"tags"` object being written: taken back out if it ends up empty.
struct TagsOut<'o> {
    out: &'o mut Vec<u8>,
    mark: usize,
    written: bool,
}

impl<'o> TagsOut<'o> {
    fn open(out: &'o mut Vec<u8>) -> Self {
        let mark = out.len();
        out.extend_from_slice(br#","tags":{"#);
        TagsOut {
            out,
            mark,
            written: false,
        }
    }

    /// The span's attributes, but those written as span or endpoint fields.
    fn span_attributes(&mut self, span: &Span, text: &mut String) {
        for kv in span.attributes.iter().filter(|kv| !is_field_attribute(kv)) {
            comma_unless_first(self.out, &mut self.written);
            tag(self.out, &kv.key, &kv.value, text);
        }
    }

    /// The resource's tags, but those whose key the span has an attribute for.
    fn resource(&mut self, resource: &ResourceOut<'_>, span: &Span) {
        if !resource.is_overridden_by(span) {
            self.block(&resource.tags);
            return;
        }
        for (key, range) in &resource.entries {
            if span.attribute(key).is_none() {
                self.block(resource.tags.get(range.clone()).unwrap_or_default());
            }
        }
    }

    /// Rendered, comma-separated tags.
    fn block(&mut self, tags: &[u8]) {
        if !tags.is_empty() {
            comma_unless_first(self.out, &mut self.written);
            self.out.extend_from_slice(tags);
        }
    }

    fn status(&mut self, status: &Status) {
        match status {
            Status::Unset => {}
            Status::Ok => self.block(br#""otel.status_code":"OK""#),
            Status::Error { message } => {
                self.block(br#""otel.status_code":"ERROR","error":"#);
                if message.is_empty() {
                    self.out.extend_from_slice(br#""true""#);
                } else {
                    json_out::string(self.out, message);
                }
            }
        }
    }

    fn close(self) {
        if self.written {
            self.out.push(b'}');
        } else {
            self.out.truncate(self.mark);
        }
    }
}
