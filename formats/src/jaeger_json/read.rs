//! Reading Jaeger JSON: responses and traces, spans, processes as resources, references as
//! the parent and links.

use std::borrow::Cow;
use std::collections::HashMap;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::REF_TYPE;
use super::ids::{self, SPAN_ID_TEXT, TRACE_ID_TEXT};
use super::tags::{LogWire, TagWire, events, sort_tags, tags};
use crate::context::{Fault, ReadContext};
use crate::detect::Format;
use crate::error::{Problem, ReadError};
use crate::loaded::{Loaded, ReadOptions};
use crate::model::{KeyValue, Link, Resource, ResourceIndex, Span, SpanId, TraceData, TraceId};
use crate::num::Int;
use crate::stream::read_all;
use crate::text::{Text, borrowed, owned};

/// Reads Jaeger JSON: a query API response or UI download (or a bare trace), one document or
/// JSON Lines of them, merged into one model.
///
/// Lenient reads skip a bad span with a [`Warning`](crate::Warning); strict reads fail on the
/// first problem.
///
/// ```
/// use spindle_formats::{ReadOptions, SpanKind, Value, jaeger_json};
/// let text = br#"{"data":[{"traceID":"4bf92f3577b34da6a3ce929d0e0e4736","spans":[
///   {"traceID":"4bf92f3577b34da6a3ce929d0e0e4736","spanID":"00f067aa0ba902b7",
///    "operationName":"GET /","startTime":1700000000000000,"duration":250,"processID":"p1",
///    "tags":[{"key":"span.kind","type":"string","value":"server"},
///            {"key":"http.status_code","type":"int64","value":200}]}],
///   "processes":{"p1":{"serviceName":"shop","tags":[]}}}]}"#;
/// let loaded = jaeger_json::read(text, "trace.json", ReadOptions::default()).unwrap();
/// let span = &loaded.data.spans[0];
/// assert_eq!(span.kind, SpanKind::Server);
/// assert_eq!(span.attribute("http.status_code"), Some(&Value::I64(200)));
/// assert_eq!(loaded.data.service_name_of(span), "shop");
/// ```
pub fn read(bytes: &[u8], source: &str, options: ReadOptions) -> Result<Loaded, ReadError> {
    let input = (bytes, source, options);
    read_all(input, Format::Jaeger, read_document, |data| data)
}

/// A query API response (`data`, perhaps `errors`) or a bare trace (`spans`, `processes`).
#[derive(Deserialize)]
#[serde(expecting = "a Jaeger response object")]
struct DocumentWire<'a> {
    #[serde(borrow, default)]
    data: Option<&'a RawValue>,
    #[serde(borrow, default)]
    errors: Option<Vec<ErrorWire<'a>>>,
    #[serde(borrow, default)]
    spans: Option<Vec<&'a RawValue>>,
    #[serde(borrow, default)]
    processes: Option<HashMap<Cow<'a, str>, &'a RawValue>>,
}

#[derive(Deserialize)]
struct ErrorWire<'a> {
    #[serde(borrow, default)]
    msg: Cow<'a, str>,
}

#[derive(Deserialize)]
#[serde(expecting = "a Jaeger trace object")]
struct TraceWire<'a> {
    #[serde(borrow, default)]
    spans: Vec<&'a RawValue>,
    #[serde(borrow, default)]
    processes: Option<HashMap<Cow<'a, str>, &'a RawValue>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(expecting = "a Jaeger span object")]
struct SpanWire<'a> {
    #[serde(borrow, rename = "traceID")]
    trace_id: Cow<'a, str>,
    #[serde(borrow, rename = "spanID")]
    span_id: Cow<'a, str>,
    #[serde(default)]
    flags: Option<Int<u32>>,
    #[serde(borrow, default)]
    operation_name: Cow<'a, str>,
    #[serde(borrow, default)]
    references: Option<Vec<ReferenceWire<'a>>>,
    #[serde(default)]
    start_time: Option<Int<u64>>,
    #[serde(default)]
    duration: Option<Int<u64>>,
    #[serde(borrow, default)]
    tags: Option<Vec<TagWire<'a>>>,
    #[serde(borrow, default)]
    logs: Option<Vec<LogWire<'a>>>,
    #[serde(borrow, default, rename = "processID")]
    process_id: Option<Text<'a>>,
    #[serde(borrow, default)]
    process: Option<&'a RawValue>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(expecting = "a reference object")]
struct ReferenceWire<'a> {
    #[serde(borrow)]
    ref_type: Cow<'a, str>,
    #[serde(borrow, rename = "traceID")]
    trace_id: Cow<'a, str>,
    #[serde(borrow, rename = "spanID")]
    span_id: Cow<'a, str>,
}
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(expecting = "a process object")]
struct ProcessWire<'a> {
    #[serde(borrow, default)]
    service_name: Option<Text<'a>>,
    #[serde(borrow, default)]
    tags: Option<Vec<TagWire<'a>>>,
}

/// Reads one top-level value; false when it was reported and skipped.
fn read_document<'a>(
    context: &mut ReadContext<'a>,
    raw: &'a RawValue,
    data: &mut TraceData,
) -> Result<bool, ReadError> {
    let Some(document) = context.parse::<DocumentWire<'a>>(raw, String::new)? else {
        return Ok(false);
    };
    match document.data {
        Some(trace) if trace.get().starts_with('{') => {
            read_trace(context, trace, "data", data)?;
            return Ok(true);
        }
        Some(list) if list.get().starts_with('[') => {
            let path = || "data".to_owned();
            let Some(traces) = context.parse::<Vec<&'a RawValue>>(list, path)? else {
                return Ok(false);
            };
            for (t, trace_raw) in traces.into_iter().enumerate() {
                read_trace(context, trace_raw, &format!("data[{t}]"), data)?;
            }
            return Ok(true);
        }
        _ => {}
    }
    if let Some(spans) = document.spans {
        let trace = TraceWire {
            spans,
            processes: document.processes,
        };
        read_spans(context, trace, "", data)?;
        return Ok(true);
    }
    let message = match document.errors.as_deref() {
        Some([first, ..]) => format!("the Jaeger response holds errors: {}", first.msg),
        _ => "expected {\"data\":[traces]} or a trace with \"spans\"".to_owned(),
    };
    let fault = Fault::bad_value("", message);
    context.report_fault(fault, raw.get()).map(|()| false)
}

fn read_trace<'a>(
    context: &mut ReadContext<'a>,
    raw: &'a RawValue,
    prefix: &str,
    data: &mut TraceData,
) -> Result<(), ReadError> {
    match context.parse::<TraceWire<'a>>(raw, || prefix.to_owned())? {
        Some(trace) => read_spans(context, trace, prefix, data),
        None => Ok(()),
    }
}

/// The resources of one trace's processes, made when a span first refers to them. A trace
/// without `processes` (one cut short before them) gives its spans the empty resource.
struct Processes<'a> {
    raw: Option<HashMap<Cow<'a, str>, &'a RawValue>>,
    made: HashMap<&'a str, ResourceIndex>,
}

fn read_spans<'a>(
    context: &mut ReadContext<'a>,
    trace: TraceWire<'a>,
    prefix: &str,
    data: &mut TraceData,
) -> Result<(), ReadError> {
    let mut processes = Processes {
        raw: trace.processes,
        made: HashMap::new(),
    };
    for (i, raw) in trace.spans.into_iter().enumerate() {
        let path = || crate::scan::join_path(prefix, &format!("spans[{i}]"));
        let Some(wire) = context.parse::<SpanWire<'a>>(raw, path)? else {
            continue;
        };
        match span(wire, &mut processes, data) {
            Ok((span, derived)) => {
                data.spans.push(span);
                if let Some(fault) = derived {
                    context.report_fault_once("derived id", fault.within(&path()), raw.get())?;
                }
            }
            Err(fault) => context.report_fault(fault.within(&path()), raw.get())?,
        }
    }
    Ok(())
}

/// A span, and the note to give once per file if one of its ids was derived from its text.
fn span<'a>(
    wire: SpanWire<'a>,
    processes: &mut Processes<'a>,
    data: &mut TraceData,
) -> Result<(Span, Option<Fault<'a>>), Fault<'a>> {
    let trace_id = ids::trace_id(&wire.trace_id, "traceID")?;
    let span_id = ids::span_id(&wire.span_id, "spanID")?;
    let (parent_span_id, links, derived_ref) =
        references(trace_id.id, wire.references.unwrap_or_default())?;
    let mut attributes = Vec::new();
    let mut derived = None;
    for (read, text, field, key) in [
        (trace_id.derived, &wire.trace_id, "traceID", TRACE_ID_TEXT),
        (span_id.derived, &wire.span_id, "spanID", SPAN_ID_TEXT),
    ] {
        if read {
            attributes.push(KeyValue::new(key, owned(text.clone())));
            derived = derived.or_else(|| Some(ids::derived_fault(text, field, key)));
        }
    }
    let derived = derived.or(derived_ref);
    let resource = match (wire.process_id, wire.process) {
        (_, Some(inline)) => process(inline, data).map_err(|f| f.within("process"))?,
        (Some(id), None) => processes.resource(id, data)?,
        (None, None) => data.intern_resource(Resource::default()),
    };
    let tags = sort_tags(tags(wire.tags.unwrap_or_default()).map_err(|f| f.within("tags"))?)?;
    let start = wire.start_time.unwrap_or_default().0.saturating_mul(1000);
    let duration = wire.duration.unwrap_or_default().0.saturating_mul(1000);
    attributes.extend(tags.attributes);
    let span = Span {
        trace_id: trace_id.id,
        span_id: span_id.id,
        parent_span_id,
        name: owned(wire.operation_name),
        kind: tags.kind,
        start_unix_nanos: start,
        end_unix_nanos: start.saturating_add(duration),
        attributes,
        events: events(wire.logs.unwrap_or_default())?,
        links,
        status: tags.status,
        flags: wire.flags.unwrap_or_default().0,
        trace_state: Default::default(),
        resource,
        scope: data.intern_scope(tags.scope),
        ..Default::default()
    };
    Ok((span, derived))
}

impl<'a> Processes<'a> {
    fn resource(&mut self, id: Text<'a>, data: &mut TraceData) -> Result<ResourceIndex, Fault<'a>> {
        if let Some(index) = self.made.get(&*id) {
            return Ok(*index);
        }
        let Some(processes) = &self.raw else {
            return Ok(data.intern_resource(Resource::default()));
        };
        let Some((key, raw)) = processes.get_key_value(&*id) else {
            let message = format!("process {:?} is not in the trace's processes", &*id);
            let fault = Fault::new("processID", borrowed(&id), Problem::BadValue { message });
            return Err(fault);
        };
        let (key, raw): (&Cow<'a, str>, &'a RawValue) = (key, raw);
        let index = process(raw, data).map_err(|f| f.within("process"))?;
        if let Cow::Borrowed(key) = key {
            self.made.insert(*key, index);
        }
        Ok(index)
    }
}

/// A process as a resource: `service.name`, then its tags.
fn process<'a>(raw: &'a RawValue, data: &mut TraceData) -> Result<ResourceIndex, Fault<'a>> {
    let wire = serde_json::from_str::<ProcessWire<'a>>(raw.get()).map_err(|e| {
        let message = crate::context::classify(&e).to_string();
        Fault::new("", Some(raw.get()), Problem::Invalid { message })
    })?;
    let mut attributes = Vec::new();
    if let Some(service) = wire.service_name {
        attributes.push(KeyValue::new("service.name", owned(service)));
    }
    attributes.extend(tags(wire.tags.unwrap_or_default()).map_err(|f| f.within("tags"))?);
    Ok(data.intern_resource(Resource {
        attributes,
        ..Default::default()
    }))
}

/// The parent and the links from a span's references, and the note to give if an id in them
/// was derived from its text.
type References<'a> = (Option<SpanId>, Vec<Link>, Option<Fault<'a>>);

fn references<'a>(
    trace: TraceId,
    wires: Vec<ReferenceWire<'a>>,
) -> Result<References<'a>, Fault<'a>> {
    let mut derived = None;
    let mut refs = Vec::with_capacity(wires.len());
    for (i, wire) in wires.into_iter().enumerate() {
        let path = format!("references[{i}]");
        let follows = match wire.ref_type.to_ascii_uppercase().as_str() {
            "CHILD_OF" => false,
            "FOLLOWS_FROM" => true,
            _ => {
                let message = format!(
                    "unknown reference type {:?} (expected CHILD_OF or FOLLOWS_FROM)",
                    wire.ref_type
                );
                let fault = Fault::new(
                    "refType",
                    borrowed(&wire.ref_type),
                    Problem::BadValue { message },
                );
                return Err(fault.within(&path));
            }
        };
        let trace_id = ids::trace_id(&wire.trace_id, "traceID").map_err(|f| f.within(&path))?;
        let span_id = ids::span_id(&wire.span_id, "spanID").map_err(|f| f.within(&path))?;
        for (read, text, field) in [
            (trace_id.derived, &wire.trace_id, "traceID"),
            (span_id.derived, &wire.span_id, "spanID"),
        ] {
            if read && derived.is_none() {
                let fault = ids::derived_fault(text, field, SPAN_ID_TEXT);
                derived = Some(fault.within(&path));
            }
        }
        refs.push((follows, trace_id.id, span_id.id));
    }
    let parent = refs
        .iter()
        .position(|(follows, t, _)| !follows && *t == trace)
        .or_else(|| refs.iter().position(|(_, t, _)| *t == trace));
    let parent_span_id = parent.and_then(|i| refs.get(i)).map(|(_, _, s)| *s);
    let links = refs
        .into_iter()
        .enumerate()
        .filter(|(i, _)| Some(*i) != parent)
        .map(|(_, (follows, trace_id, span_id))| Link {
            trace_id,
            span_id,
            trace_state: Default::default(),
            attributes: vec![KeyValue::new(
                REF_TYPE,
                if follows { "follows_from" } else { "child_of" },
            )],
            ..Default::default()
        })
        .collect();
    Ok((parent_span_id, links, derived))
}
