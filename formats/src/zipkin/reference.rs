//! The serde-based Zipkin writer this crate used before the hand-written one, kept as the
//! reference the hand-written writer's output is checked against, byte for byte.

use std::io::Write;
use std::net::IpAddr;

use serde::Serialize;
use serde::ser::{SerializeMap, SerializeStruct, Serializer};

use super::fields::{is_field_attribute, valid_port};
use super::write::kind_name;
use super::{DEBUG, LOCAL_ADDRESS, LOCAL_PORT, PEER_ADDRESS, PEER_PORT, PEER_SERVICE, SHARED};
use crate::hex::{span_id_hex, trace_id_hex};
use crate::model::{Event, Resource, Scope, Span, Status, TraceData, Value};
use crate::plain_json::JsonObjectOut;

/// Appends `data` as one Zipkin v2 JSON list of spans on one line, followed by `\n`.
pub(super) fn write(data: &TraceData, out: &mut impl Write) -> std::io::Result<()> {
    let mut line = Vec::with_capacity(64 + data.spans.len() * 256);
    let spans = data.spans.iter().map(|span| SpanOut { data, span });
    let mut serializer = serde_json::Serializer::new(&mut line);
    serializer.collect_seq(spans)?;
    line.push(b'\n');
    out.write_all(&line)
}

struct SpanOut<'a> {
    data: &'a TraceData,
    span: &'a Span,
}

impl Serialize for SpanOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let span = self.span;
        let resource = self.data.resource_of(span);
        let mut out = serializer.serialize_struct("Span", 13)?;
        out.serialize_field("traceId", &trace_id_hex(span.trace_id))?;
        out.serialize_field("id", &span_id_hex(span.span_id))?;
        if let Some(parent) = span.parent_span_id {
            out.serialize_field("parentId", &span_id_hex(parent))?;
        }
        out.serialize_field("name", &span.name)?;
        if let Some(kind) = kind_name(span.kind) {
            out.serialize_field("kind", kind)?;
        }
        let start_micros = span.start_unix_nanos / 1000;
        let duration = (span.end_unix_nanos / 1000)
            .saturating_sub(start_micros)
            .max(1);
        out.serialize_field("timestamp", &start_micros)?;
        out.serialize_field("duration", &duration)?;
        for (field, key) in [("debug", DEBUG), ("shared", SHARED)] {
            if let Some(Value::Bool(flag)) = span.attribute(key) {
                out.serialize_field(field, flag)?;
            }
        }
        let local = Endpoint::local(resource, span);
        if !local.is_empty() {
            out.serialize_field("localEndpoint", &local)?;
        }
        let remote = Endpoint::remote(span);
        if !remote.is_empty() {
            out.serialize_field("remoteEndpoint", &remote)?;
        }
        if !span.events.is_empty() {
            let annotations = span.events.iter().map(AnnotationOut);
            out.serialize_field(
                "annotations",
                &SeqOf(std::cell::Cell::new(Some(annotations))),
            )?;
        }
        let tags = Tags {
            resource,
            scope: self.data.scope_of(span),
            span,
        };
        if tags.iter().next().is_some() {
            out.serialize_field("tags", &tags)?;
        }
        out.end()
    }
}

/// An iterator serialized once as a list.
struct SeqOf<I>(std::cell::Cell<Option<I>>);

impl<I: Iterator<Item = T>, T: Serialize> Serialize for SeqOf<I> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.take().into_iter().flatten())
    }
}

#[derive(Serialize, Default)]
#[serde(rename_all = "camelCase")]
struct Endpoint<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    service_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ipv4: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ipv6: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    port: Option<i64>,
}

impl<'a> Endpoint<'a> {
    fn local(resource: &'a Resource, span: &'a Span) -> Self {
        let mut endpoint = Endpoint::with_address(span, LOCAL_ADDRESS, LOCAL_PORT);
        endpoint.service_name = resource.service_name();
        endpoint
    }

    fn remote(span: &'a Span) -> Self {
        let mut endpoint = Endpoint::with_address(span, PEER_ADDRESS, PEER_PORT);
        endpoint.service_name = span.attribute(PEER_SERVICE).and_then(Value::as_str);
        endpoint
    }

    fn with_address(span: &'a Span, address_key: &str, port_key: &str) -> Self {
        let address = span.attribute(address_key).and_then(Value::as_str);
        let (ipv4, ipv6) = match address.map(|a| (a, a.parse::<IpAddr>())) {
            Some((text, Ok(IpAddr::V4(_)))) => (Some(text), None),
            Some((text, Ok(IpAddr::V6(_)))) => (None, Some(text)),
            _ => (None, None),
        };
        let port = span.attribute(port_key).and_then(valid_port);
        Endpoint {
            service_name: None,
            ipv4,
            ipv6,
            port,
        }
    }

    fn is_empty(&self) -> bool {
        self.service_name.is_none()
            && self.ipv4.is_none()
            && self.ipv6.is_none()
            && self.port.is_none()
    }
}

struct AnnotationOut<'a>(&'a Event);

impl Serialize for AnnotationOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let event = self.0;
        let mut out = serializer.serialize_struct("Annotation", 2)?;
        out.serialize_field("timestamp", &(event.time_unix_nanos / 1000))?;
        if event.attributes.is_empty() {
            out.serialize_field("value", &event.name)?;
        } else {
            out.serialize_field("value", &annotation_text(event))?;
        }
        out.end()
    }
}

/// `"name":{attributes as JSON}`, as OpenTelemetry's Zipkin exporters write events.
fn annotation_text(event: &Event) -> String {
    let name = serde_json::to_string(event.name.as_ref()).unwrap_or_default();
    let attributes = serde_json::to_string(&JsonObjectOut(&event.attributes)).unwrap_or_default();
    format!("{name}:{attributes}")
}

/// The tags of one span: its attributes, its resource's, its scope and its status.
struct Tags<'a> {
    resource: &'a Resource,
    scope: &'a Scope,
    span: &'a Span,
}

/// A tag value: text as is, or a typed value rendered as text.
enum TagValue<'a> {
    Text(&'a str),
    Value(&'a Value),
}

impl Serialize for TagValue<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            TagValue::Text(text) => serializer.serialize_str(text),
            TagValue::Value(Value::Str(text)) => serializer.serialize_str(text),
            TagValue::Value(value) => serializer.collect_str(value),
        }
    }
}

impl<'a> Tags<'a> {
    fn iter(&self) -> impl Iterator<Item = (&'a str, TagValue<'a>)> + 'a {
        let (span, scope): (&'a Span, &'a Scope) = (self.span, self.scope);
        let attributes = span.attributes.iter().filter(|kv| !is_field_attribute(kv));
        let resource = self
            .resource
            .attributes
            .iter()
            .filter(move |kv| kv.key != "service.name" && span.attribute(&kv.key).is_none());
        let scope = [
            ("otel.scope.name", &scope.name),
            ("otel.scope.version", &scope.version),
        ]
        .into_iter()
        .filter(|(_, text)| !text.is_empty())
        .map(|(key, text)| (key, TagValue::Text(text)));
        attributes
            .chain(resource)
            .map(|kv| (kv.key.as_ref(), TagValue::Value(&kv.value)))
            .chain(scope)
            .chain(status_tags(&span.status))
    }
}

fn status_tags<'a>(status: &'a Status) -> impl Iterator<Item = (&'a str, TagValue<'a>)> {
    let tags: [Option<(&'a str, TagValue<'a>)>; 2] = match status {
        Status::Unset => [None, None],
        Status::Ok => [Some(("otel.status_code", TagValue::Text("OK"))), None],
        Status::Error { message } => {
            let message = if message.is_empty() {
                "true"
            } else {
                message.as_ref()
            };
            [
                Some(("otel.status_code", TagValue::Text("ERROR"))),
                Some(("error", TagValue::Text(message))),
            ]
        }
    };
    tags.into_iter().flatten()
}

impl Serialize for Tags<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        for (key, value) in self.iter() {
            map.serialize_entry(key, &value)?;
        }
        map.end()
    }
}
