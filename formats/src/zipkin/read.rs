//! Reading Zipkin v2 JSON: lists of spans, lists of lists, or span objects one per line.

use std::borrow::Cow;

use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use super::annotation::event_with_attributes;
use super::builder::Builder;
use super::shared::separate_halves;
use super::{DEBUG, LOCAL_ADDRESS, LOCAL_PORT, PEER_ADDRESS, PEER_PORT, PEER_SERVICE, SHARED};
use crate::context::{Fault, ReadContext, parse_span_id, parse_trace_id};
use crate::conventions::{StatusTags, is_resource_key, typed_tag};
use crate::detect::Format;
use crate::error::{Problem, ReadError};
use crate::known_keys::attribute_key;
use crate::loaded::{Loaded, ReadOptions};
use crate::model::{Event, FLAG_SAMPLED, KeyValue, Span, SpanKind, Status, Value};
use crate::stream::read_all;
use crate::text::{Text, borrowed, owned};

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
    if let Some(mut data) = super::one_pass::read(bytes) {
        separate_halves(&mut data);
        return Ok(Loaded::clean(Format::Zipkin, data));
    }
    read_careful(bytes, source, options)
}

/// Reads value by value and span by span, so that a bad span is located and skipped.
pub(super) fn read_careful(
    bytes: &[u8],
    source: &str,
    options: ReadOptions,
) -> Result<Loaded, ReadError> {
    let mut list = 0usize;
    let input = (bytes, source, options);
    read_all(
        input,
        Format::Zipkin,
        |context, raw, builder: &mut Builder| {
            let result = read_value(context, raw, builder, list, false);
            list += 1;
            result.map(|()| true)
        },
        |builder| {
            let mut data = builder.data;
            separate_halves(&mut data);
            data
        },
    )
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
    let Some(items) = context.parse::<Vec<&'a RawValue>>(raw, String::new)? else {
        return Ok(());
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
pub(super) struct SpanWire<'a> {
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

/// Parses and converts one span, reporting and skipping it when it is bad.
fn read_span<'a>(
    context: &mut ReadContext<'a>,
    raw: &'a RawValue,
    builder: &mut Builder,
    prefix: &str,
) -> Result<(), ReadError> {
    let Some(wire) = context.parse::<SpanWire<'a>>(raw, || prefix.to_owned())? else {
        return Ok(());
    };
    match convert(wire, builder) {
        Ok(span) => {
            builder.data.spans.push(span);
            Ok(())
        }
        Err(fault) => context.report_fault(fault.within(prefix), raw.get()),
    }
}

pub(super) fn convert<'a>(wire: SpanWire<'a>, builder: &mut Builder) -> Result<Span, Fault<'a>> {
    let trace_id = parse_trace_id(&wire.trace_id, "traceId")?;
    let span_id = parse_span_id(&wire.id, "id")?;
    let parent_span_id = match &wire.parent_id {
        Some(text) => Some(parse_span_id(&text.0, "parentId")?),
        None => None,
    };
    let kind = match &wire.kind {
        Some(text) => SpanKind::parse(text).ok_or_else(|| {
            let found = text.to_string();
            Fault::new("kind", borrowed(text), Problem::UnknownKind { found })
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
    let resource = match service {
        Some(service) if tags.resource.is_empty() => builder.service_resource(service),
        _ => builder.resource(resource_key(service, &mut tags.resource)),
    };
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
        trace_state: Default::default(),
        resource,
        scope,
        ..Default::default()
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
                    key: attribute_key(key),
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
            dropped_attributes_count: 0,
        },
        None => Event {
            time_unix_nanos,
            name: owned(annotation.value),
            ..Default::default()
        },
    }
}
