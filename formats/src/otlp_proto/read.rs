//! Reading an `ExportTraceServiceRequest` (or `TracesData`, the same bytes): the containers
//! (`resource_spans`, `scope_spans`) leniently, each span through [`decode::span`].
//!
//! A bad span is reported and skipped; the spans beside it are kept. A problem in a resource
//! or scope skips the group it heads. A length that runs past the end of the input (a file or
//! request cut short) keeps every complete span before the cut and is reported once, at the
//! innermost message the cut falls in.

use super::decode::{self, DecodeFault};
use super::fast;
use super::wire::{FieldValue, LEN, Reader, WireError, wrong_type};
use crate::context::ReadContext;
use crate::detect::Format;
use crate::error::ReadError;
use crate::loaded::{Loaded, ReadOptions};
use crate::model::{KeyValue, Resource, ResourceIndex, Scope, ScopeIndex, Span, TraceData};

/// Reads OTLP protobuf: one `ExportTraceServiceRequest` or `TracesData` message.
///
/// `source` names the input in warnings and errors, which give the byte offset and the field
/// path (`resource_spans[0].scope_spans[1].spans[7].attributes[2].value`). Lenient reads skip a
/// bad span with a [`Warning`](crate::Warning); strict reads fail on the first problem.
///
/// ```
/// use spindle_formats::{ReadOptions, Span, SpanId, TraceData, TraceId, otlp_proto};
/// let data = TraceData {
///     resources: vec![Default::default()],
///     scopes: vec![Default::default()],
///     spans: vec![Span { trace_id: TraceId(1), span_id: SpanId(2), ..Default::default() }],
/// };
/// let mut bytes = Vec::new();
/// otlp_proto::write(&data, &mut bytes).unwrap();
/// let loaded = otlp_proto::read(&bytes, "t.binpb", ReadOptions::default()).unwrap();
/// assert_eq!(loaded.data, data);
///
/// let cut = otlp_proto::read(&bytes[..bytes.len() - 3], "t.binpb", ReadOptions::default()).unwrap();
/// assert!(cut.data.spans.is_empty());
/// assert!(cut.warnings[0].to_string().starts_with("t.binpb (byte "));
/// ```
pub fn read(bytes: &[u8], source: &str, options: ReadOptions) -> Result<Loaded, ReadError> {
    let mut context = ReadContext::new(bytes, source, options.strict);
    let mut data = TraceData::default();
    let mut reader = Reader::new(bytes, 0);
    let mut index = 0;
    loop {
        match reader.field_or_cut() {
            Ok(None) => break,
            Ok(Some((1, value, cut))) => {
                let path = format!("resource_spans[{index}]");
                index += 1;
                let FieldValue::Len(body, base) = value else {
                    let at = reader.field_at();
                    report(&mut context, wrong_type(1, LEN, &value, at).into(), &path)?;
                    continue;
                };
                let stopped = resource_spans(&mut context, body, base, &path, &mut data)?;
                report_cut(&mut context, cut, stopped, &path)?;
            }
            Ok(Some(_)) => {}
            Err(error) => {
                report(&mut context, error.into(), "")?;
                break;
            }
        }
    }
    Ok(Loaded {
        format: Format::OtlpProto,
        data,
        warnings: context.into_warnings(),
    })
}

/// Reports a fault under `parent` (a warning, or the error in a strict read).
fn report(
    context: &mut ReadContext<'_>,
    fault: DecodeFault,
    parent: &str,
) -> Result<(), ReadError> {
    let fault = fault.within(parent);
    let warning = context.binary_warning(fault.at, fault.path, fault.problem);
    context.report(warning)
}

/// Reports that the message at `path` was cut short, unless the problem that stopped reading
/// inside it (the cut, seen from within) was reported already.
fn report_cut(
    context: &mut ReadContext<'_>,
    cut: Option<WireError>,
    stopped: bool,
    path: &str,
) -> Result<(), ReadError> {
    match cut {
        Some(error) if !stopped => report(context, error.into(), path),
        _ => Ok(()),
    }
}

/// The occurrences of a message field: its bytes and where they start.
type Parts<'a> = Vec<(&'a [u8], usize)>;

/// One `ResourceSpans`; true when a problem that stopped reading it was reported.
fn resource_spans(
    context: &mut ReadContext<'_>,
    body: &[u8],
    base: usize,
    path: &str,
    data: &mut TraceData,
) -> Result<bool, ReadError> {
    let mut resources: Parts<'_> = Vec::new();
    let mut schema_url = None;
    let mut groups = Vec::new();
    let mut reader = Reader::new(body, base);
    let mut scan_error = None;
    loop {
        match reader.field_or_cut() {
            Ok(None) => break,
            Ok(Some((1, FieldValue::Len(bytes, start), None))) => resources.push((bytes, start)),
            Ok(Some((1, _, Some(cut)))) => {
                report(context, cut.into(), &format!("{path}.resource"))?;
                return Ok(true);
            }
            Ok(Some((2, value, cut))) => groups.push((value, reader.field_at(), cut)),
            Ok(Some((3, value, None))) => schema_url = Some((value, reader.field_at())),
            Ok(Some((1, value, None))) => {
                scan_error = Some(wrong_type(1, LEN, &value, reader.field_at()).into());
                break;
            }
            Ok(Some(_)) => {}
            Err(error) => {
                scan_error = Some(DecodeFault::from(error));
                break;
            }
        }
    }
    let mut resource = Resource::default();
    for (bytes, start) in resources {
        if let Err(fault) = decode::resource_into(&mut resource, bytes, start) {
            report(context, fault, &format!("{path}.resource"))?;
            return Ok(true);
        }
    }
    if let Some((value, at)) = schema_url {
        match decode::string(3, value, at, "schema_url") {
            Ok(url) => resource.schema_url = url,
            Err(fault) => {
                report(context, fault, path)?;
                return Ok(true);
            }
        }
    }
    let mut group = Group {
        resource,
        resource_index: None,
    };
    let mut stopped = false;
    for (s, (value, at, cut)) in groups.into_iter().enumerate() {
        let path = format!("{path}.scope_spans[{s}]");
        let FieldValue::Len(bytes, start) = value else {
            report(context, wrong_type(2, LEN, &value, at).into(), &path)?;
            continue;
        };
        let inner = group.scope_spans(context, bytes, start, &path, data)?;
        report_cut(context, cut, inner, &path)?;
        stopped |= cut.is_some();
    }
    if let Some(fault) = scan_error {
        report(context, fault, path)?;
        stopped = true;
    }
    Ok(stopped)
}

/// The resource of the `ResourceSpans` being read, interned at its first span.
struct Group {
    resource: Resource,
    resource_index: Option<ResourceIndex>,
}

impl Group {
    /// One `ScopeSpans`; true when a problem that stopped reading it was reported.
    fn scope_spans(
        &mut self,
        context: &mut ReadContext<'_>,
        body: &[u8],
        base: usize,
        path: &str,
        data: &mut TraceData,
    ) -> Result<bool, ReadError> {
        let scope = match scope_of(body, base) {
            Ok((scope, spans)) => {
                data.spans.reserve(spans);
                scope
            }
            Err(fault) => {
                report(context, fault, path)?;
                return Ok(true);
            }
        };
        let mut scope = Some(scope);
        let mut scope_index = ScopeIndex(0);
        let mut reader = Reader::new(body, base);
        let mut index = 0;
        let mut scratch = Vec::new();
        loop {
            let next = reader
                .next_len(2)
                .map(|(bytes, start)| Ok(Some((2, FieldValue::Len(bytes, start), None))));
            let (value, cut) = match next.unwrap_or_else(|| reader.field_or_cut()) {
                Ok(None) => return Ok(false),
                Ok(Some((2, value, cut))) => (value, cut),
                Ok(Some(_)) => continue,
                Err(error) => {
                    report(context, error.into(), path)?;
                    return Ok(true);
                }
            };
            let at = reader.field_at();
            index += 1;
            if let (FieldValue::Len(bytes, _), None) = (value, cut)
                && self.fast_span(data, bytes, &mut scratch)
            {
                let (resource, scope) = self.indexes(data, &mut scope, &mut scope_index);
                if let Some(span) = data.spans.last_mut() {
                    (span.resource, span.scope) = (resource, scope);
                }
                continue;
            }
            let span = match (value, cut) {
                (_, Some(cut)) => Err(DecodeFault::from(cut)),
                (FieldValue::Len(bytes, start), None) => decode::span(bytes, start, &mut scratch),
                (other, None) => Err(wrong_type(2, LEN, &other, at).into()),
            };
            match span {
                Ok(mut span) => {
                    (span.resource, span.scope) = self.indexes(data, &mut scope, &mut scope_index);
                    data.spans.push(span);
                }
                Err(fault) => {
                    report(context, fault, &format!("{path}.spans[{}]", index - 1))?;
                    if cut.is_some() {
                        return Ok(true);
                    }
                }
            }
        }
    }

    /// Decodes a well-formed span in place at the end of `data.spans` ([`fast`]); false,
    /// with nothing added, if it must be decoded the careful way.
    fn fast_span(&self, data: &mut TraceData, bytes: &[u8], scratch: &mut Vec<KeyValue>) -> bool {
        data.spans.push(Span::default());
        if let Some(span) = data.spans.last_mut()
            && fast::span_into(bytes, span, scratch)
        {
            return true;
        }
        data.spans.pop();
        false
    }

    /// The resource and scope of a span decoded, each interned at the group's first span.
    fn indexes(
        &mut self,
        data: &mut TraceData,
        scope: &mut Option<Scope>,
        scope_index: &mut ScopeIndex,
    ) -> (ResourceIndex, ScopeIndex) {
        if let Some(scope) = scope.take() {
            *scope_index = data.intern_scope(scope);
        }
        (self.resource_index(data), *scope_index)
    }

    fn resource_index(&mut self, data: &mut TraceData) -> ResourceIndex {
        *self
            .resource_index
            .get_or_insert_with(|| data.intern_resource(std::mem::take(&mut self.resource)))
    }
}

/// The scope of a `ScopeSpans` with its `schema_url`, wherever in it the fields are (they may
/// follow the spans), and how many spans it holds (to reserve room for them at once).
fn scope_of(body: &[u8], base: usize) -> Result<(Scope, usize), DecodeFault> {
    let mut scope = Scope::default();
    let mut schema_url = None;
    let mut spans = 0;
    let mut reader = Reader::new(body, base);
    let in_scope = |fault: DecodeFault| fault.within("scope");
    // Problems other than in the scope itself are reported while the spans are read.
    while let Ok(Some((field, value, cut))) = reader.field_or_cut() {
        let at = reader.field_at();
        match (field, value, cut) {
            (1, _, Some(cut)) => return Err(in_scope(cut.into())),
            (1, FieldValue::Len(bytes, start), None) => {
                decode::scope_into(&mut scope, bytes, start).map_err(in_scope)?
            }
            (1, other, None) => return Err(in_scope(wrong_type(1, LEN, &other, at).into())),
            (2, ..) => spans += 1,
            (3, value, None) => schema_url = Some(decode::string(3, value, at, "schema_url")?),
            _ => {}
        }
    }
    if let Some(url) = schema_url {
        scope.schema_url = url;
    }
    Ok((scope, spans))
}

/// How many fields of the first `ResourceSpans` [`looks_like_request`] checks.
const SNIFF_FIELDS: usize = 64;

/// True if the bytes start like an `ExportTraceServiceRequest`: a `resource_spans` field
/// (tag `0x0a`) whose body is well-formed protobuf with `resource`, `scope_spans` and
/// `schema_url` as length-delimited fields. A request cut short still qualifies.
pub(crate) fn looks_like_request(bytes: &[u8]) -> bool {
    if bytes.first() != Some(&0x0a) {
        return false;
    }
    match Reader::new(bytes, 0).field_or_cut() {
        Ok(Some((1, FieldValue::Len(body, _), cut))) => well_formed_start(body, cut.is_some()),
        _ => false,
    }
}

/// The first fields of a `ResourceSpans` parse; problems at the end are allowed if `cut`.
fn well_formed_start(body: &[u8], cut: bool) -> bool {
    let mut reader = Reader::new(body, 0);
    for _ in 0..SNIFF_FIELDS {
        match reader.field_or_cut() {
            Ok(None) => return true,
            Ok(Some((1..=3, FieldValue::Len(..), inner_cut))) => {
                if inner_cut.is_some() {
                    return cut;
                }
            }
            Ok(Some((1..=3, _, _))) => return false,
            Ok(Some(_)) => {}
            Err(_) => return cut,
        }
    }
    true
}
