//! Zipkin v2 JSON: lists of spans, as the Zipkin API and OpenTelemetry's Zipkin exporters use.
//!
//! [`write()`] appends one JSON list per line; [`read`] takes a list, several lists one per line,
//! a list of lists (traces, as the Zipkin API returns them) or span objects one per line.
//!
//! Mapping (OpenTelemetry's Zipkin exporter conventions where they exist):
//! - `traceId`: 32 lowercase hex digits written; 16 or 32 read. `id`, `parentId`: 16.
//! - `timestamp`, `duration`: microseconds; the start is truncated to whole microseconds and
//!   the duration is the difference of the truncated times, at least 1.
//! - `kind`: `CLIENT`, `SERVER`, `PRODUCER`, `CONSUMER`; absent for internal spans.
//! - `localEndpoint.serviceName` is the resource's `service.name`. Spans are grouped into
//!   resources by it (plus the resource tags below).
//! - Other resource attributes are written as tags (as the OpenTelemetry exporters do). On
//!   read, tags whose key starts with a resource prefix (`service.`, `telemetry.sdk.`,
//!   `telemetry.distro.`, `host.`, `os.`, `process.`, `container.`, `k8s.`, `cloud.`,
//!   `deployment.`, `device.`) go back to the resource.
//! - The scope is written as tags `otel.scope.name` / `otel.scope.version`; read from those
//!   or the older `otel.library.name` / `otel.library.version`.
//! - Status: error → tags `otel.status_code`=`ERROR` and `error`=message (`"true"` when the
//!   message is empty); ok → `otel.status_code`=`OK`. On read, `otel.status_description` also
//!   gives the message, and an `error` tag alone means an error. These tags are removed from
//!   the attributes.
//! - Events ↔ `annotations`: the value is the event name, or `"name":{attributes as JSON}`
//!   when the event has attributes (the Go exporter's `name: {…}` is read too).
//! - Endpoints ↔ attributes: `localEndpoint` ipv4/ipv6 and port ↔ `network.local.address` and
//!   `network.local.port`; `remoteEndpoint` serviceName, ipv4/ipv6 and port ↔ `peer.service`,
//!   `network.peer.address` and `network.peer.port` (ports as integers).
//! - `debug`, `shared` ↔ boolean attributes `zipkin.debug`, `zipkin.shared`.
//!
//! - Tags of well-known OpenTelemetry integer attributes (`http.status_code`,
//!   `http.response.status_code`, `server.port`, `net.peer.port`, `process.pid`, … the list is
//!   `INT_KEYS` in `conventions.rs`) come back as integers when their text is exactly a decimal
//!   integer. No other tag is given a type: nothing in Zipkin says what it was.
//!
//! Lossy (Zipkin cannot say it): tag values are strings, so other typed attributes come back as
//! their text (`true`, `200`, `["a","b"]`, bytes as hex) and typed resource attributes as strings;
//! resource attributes without a resource prefix come back as span attributes; times finer than
//! a microsecond; links; trace state; flags (read spans are sampled, [`FLAG_SAMPLED`]); scope
//! attributes; event attribute types beyond JSON's (bytes become hex text, a non-finite float
//! `null`); the order of attributes taken from endpoints (they come after the tags); an error
//! message that is exactly `true`.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Write;
use std::net::IpAddr;
use std::ops::Range;

use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use crate::batch::SpanBatch;
use crate::context::ReadContext;
use crate::conventions::{StatusTags, is_resource_key, typed_tag};
use crate::detect::Format;
use crate::error::{Problem, ReadError};
use crate::hex;
use crate::json_out;
use crate::model::{
    Event, FLAG_SAMPLED, KeyValue, Resource, ResourceIndex, Scope, ScopeIndex, Span, SpanId,
    SpanKind, Status, TraceData, TraceId, Value,
};
use crate::plain_json::JsonObjectOut;
use crate::read::{Loaded, ReadOptions};
use crate::scan::join_path;
use crate::stream::for_each_value;
use crate::text::{Text, borrowed, owned};

const PEER_SERVICE: &str = "peer.service";
const PEER_ADDRESS: &str = "network.peer.address";
const PEER_PORT: &str = "network.peer.port";
const LOCAL_ADDRESS: &str = "network.local.address";
const LOCAL_PORT: &str = "network.local.port";
const DEBUG: &str = "zipkin.debug";
const SHARED: &str = "zipkin.shared";

// ---------------------------------------------------------------------------------------------
// Writing

/// Appends `data` as one Zipkin v2 JSON list of spans on one line, followed by `\n`.
///
/// ```
/// use spindle_formats::{KeyValue, Resource, Span, SpanId, Status, TraceData, TraceId};
/// let data = TraceData {
///     resources: vec![Resource { attributes: vec![KeyValue::new("service.name", "shop")] }],
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

fn kind_name(kind: SpanKind) -> Option<&'static str> {
    match kind {
        SpanKind::Internal => None,
        SpanKind::Server => Some("SERVER"),
        SpanKind::Client => Some("CLIENT"),
        SpanKind::Producer => Some("PRODUCER"),
        SpanKind::Consumer => Some("CONSUMER"),
    }
}

/// The span attributes that become span fields, found in one pass (the last one wins, as
/// `Span::attribute` finds them).
#[derive(Default)]
struct Fields<'a> {
    debug: Option<&'a Value>,
    shared: Option<&'a Value>,
    peer_service: Option<&'a Value>,
    peer_address: Option<&'a Value>,
    peer_port: Option<&'a Value>,
    local_address: Option<&'a Value>,
    local_port: Option<&'a Value>,
}

impl<'a> Fields<'a> {
    fn of(span: &'a Span) -> Self {
        let mut fields = Fields::default();
        for kv in &span.attributes {
            let slot = match kv.key.as_ref() {
                DEBUG => &mut fields.debug,
                SHARED => &mut fields.shared,
                PEER_SERVICE => &mut fields.peer_service,
                PEER_ADDRESS => &mut fields.peer_address,
                PEER_PORT => &mut fields.peer_port,
                LOCAL_ADDRESS => &mut fields.local_address,
                LOCAL_PORT => &mut fields.local_port,
                _ => continue,
            };
            *slot = Some(&kv.value);
        }
        fields
    }
}

/// Appends `"debug"` and `"shared"` when their attributes are booleans.
fn flags(out: &mut Vec<u8>, fields: &Fields<'_>) {
    let flags: [(&[u8], _); 2] = [
        (br#","debug":"#, fields.debug),
        (br#","shared":"#, fields.shared),
    ];
    for (field, value) in flags {
        if let Some(Value::Bool(flag)) = value {
            out.extend_from_slice(field);
            out.extend_from_slice(if *flag { b"true" } else { b"false" });
        }
    }
}

/// Appends `"localEndpoint"` unless it would be empty. `service_name` is the rendered
/// `"serviceName":…` entry, or empty.
fn local_endpoint(out: &mut Vec<u8>, service_name: &[u8], fields: &Fields<'_>) {
    let mark = out.len();
    out.extend_from_slice(br#","localEndpoint":{"#);
    out.extend_from_slice(service_name);
    let written = !service_name.is_empty();
    close_endpoint(out, mark, written, fields.local_address, fields.local_port);
}

/// Appends `"remoteEndpoint"` unless it would be empty.
fn remote_endpoint(out: &mut Vec<u8>, fields: &Fields<'_>) {
    let mark = out.len();
    out.extend_from_slice(br#","remoteEndpoint":{"#);
    let service = fields.peer_service.and_then(Value::as_str);
    if let Some(name) = service {
        out.extend_from_slice(br#""serviceName":"#);
        json_out::string(out, name);
    }
    close_endpoint(
        out,
        mark,
        service.is_some(),
        fields.peer_address,
        fields.peer_port,
    );
}

/// Appends an endpoint's address and port and closes it, or takes the endpoint back out (to
/// `mark`) when nothing was written.
fn close_endpoint(
    out: &mut Vec<u8>,
    mark: usize,
    mut written: bool,
    address: Option<&Value>,
    port: Option<&Value>,
) {
    if let Some((field, text)) = ip_address(address) {
        comma_unless_first(out, &mut written);
        out.extend_from_slice(field);
        json_out::string(out, text);
    }
    if let Some(port) = port.and_then(valid_port) {
        comma_unless_first(out, &mut written);
        out.extend_from_slice(br#""port":"#);
        json_out::i64(out, port);
    }
    if written {
        out.push(b'}');
    } else {
        out.truncate(mark);
    }
}

/// Pushes `,` if something was written already, and notes that something now is.
fn comma_unless_first(out: &mut Vec<u8>, written: &mut bool) {
    if *written {
        out.push(b',');
    }
    *written = true;
}

/// The `"ipv4":` or `"ipv6":` field name and the address, for text that is an IP address.
fn ip_address(value: Option<&Value>) -> Option<(&'static [u8], &str)> {
    let text = value?.as_str()?;
    match text.parse::<IpAddr>().ok()? {
        IpAddr::V4(_) => Some((br#""ipv4":"#, text)),
        IpAddr::V6(_) => Some((br#""ipv6":"#, text)),
    }
}

fn valid_port(value: &Value) -> Option<i64> {
    match value {
        Value::I64(port) if (1..=65535).contains(port) => Some(*port),
        _ => None,
    }
}

/// True for an attribute written as an endpoint or span field rather than as a tag.
fn is_field_attribute(kv: &KeyValue) -> bool {
    match (kv.key.as_ref(), &kv.value) {
        (PEER_SERVICE, Value::Str(_)) | (DEBUG | SHARED, Value::Bool(_)) => true,
        (PEER_ADDRESS | LOCAL_ADDRESS, Value::Str(text)) => text.parse::<IpAddr>().is_ok(),
        (PEER_PORT | LOCAL_PORT, value) => valid_port(value).is_some(),
        _ => false,
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

/// `"name":{attributes as JSON}`, as OpenTelemetry's Zipkin exporters write events.
fn annotation_text(text: &mut Vec<u8>, event: &Event) {
    text.clear();
    json_out::string(text, &event.name);
    text.push(b':');
    let mark = text.len();
    if serde_json::to_writer(&mut *text, &JsonObjectOut(&event.attributes)).is_err() {
        text.truncate(mark);
    }
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

#[cfg(test)]
mod reference;
#[cfg(test)]
mod tests;

// ---------------------------------------------------------------------------------------------
// Reading

/// Reads Zipkin v2 JSON: one list of spans or several (one per line), merged into one model.
///
/// Lenient reads skip a bad span with a [`Warning`](crate::Warning); strict reads fail on the
/// first problem.
///
/// ```
/// use spindle_formats::{ReadOptions, Status, Value, zipkin};
/// let text = br#"[{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","id":"00f067aa0ba902b7",
///   "name":"get","kind":"SERVER","timestamp":1700000000000000,"duration":250,
///   "localEndpoint":{"serviceName":"shop"},
///   "tags":{"http.status_code":"500","otel.status_code":"ERROR","error":"boom"}}]"#;
/// let loaded = zipkin::read(text, "z.json", ReadOptions::default()).unwrap();
/// let span = &loaded.data.spans[0];
/// assert_eq!(span.status, Status::Error { message: "boom".into() });
/// assert_eq!(span.attribute("http.status_code"), Some(&Value::I64(500)));
/// assert_eq!(span.end_unix_nanos - span.start_unix_nanos, 250_000);
/// ```
pub fn read(bytes: &[u8], source: &str, options: ReadOptions) -> Result<Loaded, ReadError> {
    let mut context = ReadContext::new(bytes, source, options.strict);
    let mut builder = Builder::default();
    let mut list = 0usize;
    for_each_value(&mut context, |context, raw| {
        let result = read_value(context, raw, &mut builder, list, false);
        list += 1;
        result.map(|()| true)
    })?;
    Ok(Loaded {
        format: Format::Zipkin,
        data: builder.data,
        warnings: context.into_warnings(),
    })
}

/// Reads one top-level value: a list of spans (or of lists of spans), or one span object.
fn read_value<'a>(
    context: &mut ReadContext<'a>,
    raw: &'a RawValue,
    builder: &mut Builder,
    list: usize,
    nested: bool,
) -> Result<(), ReadError> {
    let text = raw.get();
    if !text.starts_with('[') {
        return read_span(context, raw, builder, "");
    }
    let items = match serde_json::from_str::<Vec<&'a RawValue>>(text) {
        Ok(items) => items,
        Err(error) => {
            let warning = context.json_problem(&error, text, "");
            return context.report(warning);
        }
    };
    for (index, item) in items.into_iter().enumerate() {
        let prefix = if list == 0 {
            format!("[{index}]")
        } else {
            format!("lists[{list}][{index}]")
        };
        if item.get().starts_with('[') && !nested {
            read_value(context, item, builder, list, true)?;
        } else {
            read_span(context, item, builder, &prefix)?;
        }
    }
    Ok(())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(expecting = "a Zipkin span object")]
struct SpanWire<'a> {
    #[serde(borrow)]
    trace_id: Cow<'a, str>,
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(borrow, default)]
    parent_id: Option<Text<'a>>,
    #[serde(borrow, default)]
    name: Option<Text<'a>>,
    #[serde(borrow, default)]
    kind: Option<Text<'a>>,
    #[serde(default)]
    timestamp: Option<u64>,
    #[serde(default)]
    duration: Option<u64>,
    #[serde(default)]
    debug: Option<bool>,
    #[serde(default)]
    shared: Option<bool>,
    #[serde(borrow, default)]
    local_endpoint: Option<EndpointWire<'a>>,
    #[serde(borrow, default)]
    remote_endpoint: Option<EndpointWire<'a>>,
    #[serde(borrow, default)]
    annotations: Option<Vec<AnnotationWire<'a>>>,
    #[serde(borrow, default)]
    tags: Option<TagsWire<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(expecting = "an endpoint object")]
struct EndpointWire<'a> {
    #[serde(borrow, default)]
    service_name: Option<Text<'a>>,
    #[serde(borrow, default)]
    ipv4: Option<Text<'a>>,
    #[serde(borrow, default)]
    ipv6: Option<Text<'a>>,
    #[serde(default)]
    port: Option<u16>,
}

#[derive(Deserialize)]
#[serde(expecting = "an annotation object")]
struct AnnotationWire<'a> {
    timestamp: u64,
    #[serde(borrow)]
    value: Cow<'a, str>,
}

/// Tags in input order.
struct TagsWire<'a>(Vec<(Cow<'a, str>, Cow<'a, str>)>);

impl<'de: 'a, 'a> Deserialize<'de> for TagsWire<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(TagsVisitor(std::marker::PhantomData))
    }
}

struct TagsVisitor<'a>(std::marker::PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for TagsVisitor<'a> {
    type Value = TagsWire<'a>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an object of string tags")
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
        let mut tags = Vec::with_capacity(map.size_hint().unwrap_or(8));
        while let Some((Text(key), Text(value))) = map.next_entry::<Text<'a>, Text<'a>>()? {
            tags.push((key, value));
        }
        Ok(TagsWire(tags))
    }
}

/// The spans read so far, with resources and scopes shared between them.
#[derive(Default)]
struct Builder {
    data: TraceData,
    resources: HashMap<Vec<(String, String)>, ResourceIndex>,
    scopes: HashMap<(String, String), ScopeIndex>,
}

impl Builder {
    fn resource(&mut self, key: Vec<(String, String)>) -> ResourceIndex {
        if let Some(index) = self.resources.get(&key) {
            return *index;
        }
        let attributes = key
            .iter()
            .map(|(k, v)| KeyValue::new(k.clone(), typed_tag(k, v.clone().into())))
            .collect();
        self.data.resources.push(Resource { attributes });
        let index = ResourceIndex((self.data.resources.len() - 1) as u32);
        self.resources.insert(key, index);
        index
    }

    fn scope(&mut self, key: (String, String)) -> ScopeIndex {
        if let Some(index) = self.scopes.get(&key) {
            return *index;
        }
        let (name, version) = key.clone();
        self.data.scopes.push(Scope {
            name: name.into(),
            version: version.into(),
            attributes: Vec::new(),
        });
        let index = ScopeIndex((self.data.scopes.len() - 1) as u32);
        self.scopes.insert(key, index);
        index
    }
}

/// Parses and converts one span, reporting and skipping it when it is bad.
fn read_span<'a>(
    context: &mut ReadContext<'a>,
    raw: &'a RawValue,
    builder: &mut Builder,
    prefix: &str,
) -> Result<(), ReadError> {
    let wire = match serde_json::from_str::<SpanWire<'a>>(raw.get()) {
        Ok(wire) => wire,
        Err(error) => {
            let warning = context.json_problem(&error, raw.get(), prefix);
            return context.report(warning);
        }
    };
    match convert(wire, builder) {
        Ok(span) => {
            builder.data.spans.push(span);
            Ok(())
        }
        Err((field, near, problem)) => {
            let at = near
                .and_then(|t| context.offset_of(t))
                .or_else(|| context.offset_of(raw.get()));
            let warning = context.warning(at, join_path(prefix, field), problem);
            context.report(warning)
        }
    }
}

/// A problem with one field: its name, the text to locate it by, and what is wrong.
type Fault<'a> = (&'static str, Option<&'a str>, Problem);

fn convert<'a>(wire: SpanWire<'a>, builder: &mut Builder) -> Result<Span, Fault<'a>> {
    let trace_id = TraceId::from_hex(&wire.trace_id)
        .map_err(|e| ("traceId", borrowed(&wire.trace_id), Problem::BadId(e)))?;
    let span_id =
        SpanId::from_hex(&wire.id).map_err(|e| ("id", borrowed(&wire.id), Problem::BadId(e)))?;
    let parent_span_id = match &wire.parent_id {
        Some(text) => Some(
            SpanId::from_hex(text).map_err(|e| ("parentId", borrowed(text), Problem::BadId(e)))?,
        ),
        None => None,
    };
    let kind = match &wire.kind {
        Some(text) => SpanKind::parse(text).ok_or_else(|| {
            (
                "kind",
                borrowed(text),
                Problem::UnknownKind {
                    found: text.to_string(),
                },
            )
        })?,
        None => SpanKind::Internal,
    };
    let start = wire.timestamp.unwrap_or(0).saturating_mul(1000);
    let end = start.saturating_add(wire.duration.unwrap_or(0).saturating_mul(1000));
    let mut tags = sort_tags(wire.tags.map(|t| t.0).unwrap_or_default());
    let service = wire
        .local_endpoint
        .as_ref()
        .and_then(|e| e.service_name.as_deref());
    let resource = builder.resource(resource_key(service, &mut tags.resource));
    let scope = builder.scope((
        tags.scope_name.unwrap_or_default(),
        tags.scope_version.unwrap_or_default(),
    ));
    let mut attributes = tags.attributes;
    endpoint_attributes(
        &mut attributes,
        wire.local_endpoint,
        None,
        LOCAL_ADDRESS,
        LOCAL_PORT,
    );
    endpoint_attributes(
        &mut attributes,
        wire.remote_endpoint,
        Some(PEER_SERVICE),
        PEER_ADDRESS,
        PEER_PORT,
    );
    for (key, flag) in [(DEBUG, wire.debug), (SHARED, wire.shared)] {
        if let Some(flag) = flag {
            attributes.push(KeyValue::new(key, flag));
        }
    }
    Ok(Span {
        trace_id,
        span_id,
        parent_span_id,
        name: wire.name.map(owned).unwrap_or_default(),
        kind,
        start_unix_nanos: start,
        end_unix_nanos: end,
        attributes,
        events: wire
            .annotations
            .unwrap_or_default()
            .into_iter()
            .map(event)
            .collect(),
        links: Vec::new(),
        status: tags.status,
        flags: FLAG_SAMPLED,
        trace_state: Cow::Borrowed(""),
        resource,
        scope,
    })
}

/// A span's tags sorted by what they stand for.
struct SortedTags {
    attributes: Vec<KeyValue>,
    resource: Vec<(String, String)>,
    scope_name: Option<String>,
    scope_version: Option<String>,
    status: Status,
}

fn sort_tags(tags: Vec<(Cow<'_, str>, Cow<'_, str>)>) -> SortedTags {
    let mut sorted = SortedTags {
        attributes: Vec::with_capacity(tags.len()),
        resource: Vec::new(),
        scope_name: None,
        scope_version: None,
        status: Status::Unset,
    };
    let (mut code, mut description, mut error) = (None, None, None);
    for (key, value) in tags {
        match key.as_ref() {
            "otel.status_code" => code = Some(value),
            "otel.status_description" => description = Some(value),
            "error" => error = Some(value),
            "otel.scope.name" | "otel.library.name" => sorted.scope_name = Some(value.into_owned()),
            "otel.scope.version" | "otel.library.version" => {
                sorted.scope_version = Some(value.into_owned());
            }
            k if is_resource_key(k) => {
                sorted.resource.push((key.into_owned(), value.into_owned()));
            }
            _ => {
                let value = typed_tag(&key, owned(value));
                sorted.attributes.push(KeyValue {
                    key: owned(key),
                    value,
                });
            }
        }
    }
    sorted.status = StatusTags {
        code: code.as_deref(),
        description: description.as_deref(),
        error: error.as_deref(),
    }
    .status();
    if let Some(other) = code.filter(|c| !matches!(c.as_ref(), "ERROR" | "OK" | "UNSET")) {
        sorted
            .attributes
            .push(KeyValue::new("otel.status_code", owned(other)));
    }
    sorted
}

/// The resource's attributes: `service.name` from the endpoint first, then resource tags.
fn resource_key(service: Option<&str>, tags: &mut Vec<(String, String)>) -> Vec<(String, String)> {
    let mut key = Vec::with_capacity(tags.len() + 1);
    if let Some(service) = service {
        key.push(("service.name".to_owned(), service.to_owned()));
        tags.retain(|(k, _)| k != "service.name");
    }
    key.append(tags);
    key
}

/// Adds an endpoint's fields as attributes, unless a tag already set them.
fn endpoint_attributes(
    attributes: &mut Vec<KeyValue>,
    endpoint: Option<EndpointWire<'_>>,
    service_key: Option<&'static str>,
    address_key: &'static str,
    port_key: &'static str,
) {
    let Some(endpoint) = endpoint else { return };
    let mut add = |key: &'static str, value: Value| {
        if !attributes.iter().any(|kv| kv.key == key) {
            attributes.push(KeyValue::new(key, value));
        }
    };
    if let (Some(key), Some(service)) = (service_key, endpoint.service_name) {
        add(key, Value::Str(owned(service)));
    }
    if let Some(address) = endpoint.ipv4.or(endpoint.ipv6) {
        add(address_key, Value::Str(owned(address)));
    }
    if let Some(port) = endpoint.port {
        add(port_key, Value::I64(i64::from(port)));
    }
}

fn event(annotation: AnnotationWire<'_>) -> Event {
    let time_unix_nanos = annotation.timestamp.saturating_mul(1000);
    match event_with_attributes(&annotation.value) {
        Some((name, attributes)) => Event {
            time_unix_nanos,
            name: name.into(),
            attributes,
        },
        None => Event {
            time_unix_nanos,
            name: owned(annotation.value),
            attributes: Vec::new(),
        },
    }
}

/// Splits `"name":{…}` (or `name: {…}`) into the event name and its attributes.
fn event_with_attributes(text: &str) -> Option<(String, Vec<KeyValue>)> {
    if !text.ends_with('}') {
        return None;
    }
    let (name, object) = if text.starts_with('"') {
        let mut stream = serde_json::Deserializer::from_str(text).into_iter::<String>();
        let name = stream.next()?.ok()?;
        let rest = text
            .get(stream.byte_offset()..)?
            .trim_start()
            .strip_prefix(':')?;
        (name, rest)
    } else {
        let (name, rest) = text.split_once(": {")?;
        (
            name.to_owned(),
            text.get(name.len() + 2..).filter(|_| !rest.is_empty())?,
        )
    };
    let JsonObject(attributes) = serde_json::from_str(object).ok()?;
    Some((name, attributes))
}

/// A JSON object read into attributes in input order, keeping JSON's types.
struct JsonObject(Vec<KeyValue>);

/// Any JSON value as a model value (`null` as the text `null`).
struct JsonAny(Value);

impl<'de> Deserialize<'de> for JsonObject {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match JsonAny::deserialize(deserializer)?.0 {
            Value::Map(entries) => Ok(JsonObject(entries)),
            _ => Err(serde::de::Error::custom("expected a JSON object")),
        }
    }
}

impl<'de> Deserialize<'de> for JsonAny {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsonAnyVisitor).map(JsonAny)
    }
}

struct JsonAnyVisitor;

impl<'de> Visitor<'de> for JsonAnyVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::I64(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(i64::try_from(v).map_or(Value::F64(v as f64), Value::I64))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::F64(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::Str(Cow::Owned(v.to_owned())))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Str(Cow::Borrowed("null")))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(JsonAny(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Value, M::Error> {
        let mut entries = Vec::new();
        while let Some((key, JsonAny(value))) = map.next_entry::<String, JsonAny>()? {
            entries.push(KeyValue::new(key, value));
        }
        Ok(Value::Map(entries))
    }
}
