//! Reading an `ExportTraceServiceRequest` (or `TracesData`, the same bytes) in three steps:
//! the containers (`resource_spans`, `scope_spans`) are walked into a [`Plan`] without decoding
//! a span; the spans are decoded (on several threads when there are many: protobuf's length
//! prefixes say where each span ends without reading it, which JSON cannot); then the plan is
//! replayed in file order, so warnings, strict errors and the interning of resources and scopes
//! are exactly those of one pass from the start.
//!
//! A bad span is reported and skipped; the spans beside it are kept. A problem in a resource
//! or scope skips the group it heads. A length that runs past the end of the input (a file or
//! request cut short) keeps every complete span before the cut and is reported once, at the
//! innermost message the cut falls in.

use super::plan::Plan;
use super::spans;
use super::wire::{FieldValue, Reader};
use crate::context::ReadContext;
use crate::detect::Format;
use crate::error::ReadError;
use crate::loaded::{Loaded, ReadOptions};

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
    let plan = Plan::of(bytes);
    let decoded = spans::decode(bytes, &plan.steps);
    let data = plan.assemble(&mut context, decoded)?;
    Ok(Loaded {
        format: Format::OtlpProto,
        data,
        warnings: context.into_warnings(),
    })
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
