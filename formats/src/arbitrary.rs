//! Arbitrary models for property tests of the codecs, biased towards what the mappings treat
//! specially (Zipkin's tags, resource keys, status, events with attributes).

use proptest::prelude::*;

use crate::error::ReadError;
use crate::loaded::{Loaded, ReadOptions};
use crate::model::{
    Event, KeyValue, Resource, ResourceIndex, Scope, ScopeIndex, Span, SpanId, SpanKind, Status,
    Str, TraceData, TraceId, Value,
};

/// Text with what JSON must escape (quotes, backslashes, every control character), DEL,
/// non-ASCII and astral characters, and long clean runs.
fn text() -> impl Strategy<Value = Str> {
    prop_oneof![
        Just(String::new()),
        "[a-z.]{1,8}",
        ".{0,12}",
        "[\"\\\\\u{0}-\u{1f}\u{7f}a-z é€😀]{0,24}",
        "[a-zA-Z0-9/ ]{8,40}",
    ]
    .prop_map(Str::from)
}

/// Keys the mapping treats specially, a few ordinary ones (so span and resource attributes
/// share keys), or any text.
fn key() -> impl Strategy<Value = Str> {
    prop_oneof![
        3 => prop::sample::select(vec![
            "peer.service",
            "network.peer.address",
            "network.peer.port",
            "network.local.address",
            "network.local.port",
            "zipkin.debug",
            "zipkin.shared",
            "service.name",
            "host.name",
            "http.method",
            "error",
            "otel.status_code",
            "otel.scope.name",
        ])
        .prop_map(Str::from),
        1 => text(),
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        1 => text().prop_map(Value::Str),
        2 => prop::sample::select(vec![
            "10.0.0.5",
            "2001:db8::1",
            "::1",
            "256.1.1.1",
            "localhost",
            "",
        ])
        .prop_map(|address| Value::Str(address.into())),
        1 => any::<bool>().prop_map(Value::Bool),
        1 => any::<i64>().prop_map(Value::I64),
        2 => prop::sample::select(vec![0i64, 1, 8080, 65535, 65536, -1]).prop_map(Value::I64),
        1 => any::<f64>().prop_map(Value::F64),
        1 => prop::sample::select(vec![f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -0.0, 1e300])
            .prop_map(Value::F64),
        1 => prop::collection::vec(any::<u8>(), 0..6).prop_map(Value::Bytes),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    let nested = leaf().prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((text(), inner), 0..4).prop_map(|kvs| Value::Map(
                kvs.into_iter().map(|(k, v)| KeyValue::new(k, v)).collect()
            )),
        ]
    });
    prop_oneof![3 => leaf(), 1 => nested]
}

fn attributes(max: usize) -> impl Strategy<Value = Vec<KeyValue>> {
    prop::collection::vec((key(), value()), 0..max)
        .prop_map(|kvs| kvs.into_iter().map(|(k, v)| KeyValue::new(k, v)).collect())
}

fn kind() -> impl Strategy<Value = SpanKind> {
    prop::sample::select(vec![
        SpanKind::Internal,
        SpanKind::Server,
        SpanKind::Client,
        SpanKind::Producer,
        SpanKind::Consumer,
    ])
}

fn status() -> impl Strategy<Value = Status> {
    prop_oneof![
        Just(Status::Unset),
        Just(Status::Ok),
        text().prop_map(|message| Status::Error { message })
    ]
}

fn event() -> impl Strategy<Value = Event> {
    let attributes = prop_oneof![Just(Vec::new()), attributes(4)];
    (any::<u64>(), text(), attributes).prop_map(|(time_unix_nanos, name, attributes)| Event {
        time_unix_nanos,
        name,
        attributes,
        ..Default::default()
    })
}

/// A span; its resource and scope indexes may be out of range (one past the end).
pub(crate) fn span(resources: u32, scopes: u32) -> impl Strategy<Value = Span> {
    let ids = (any::<u128>(), any::<u64>(), prop::option::of(any::<u64>()));
    let times = (any::<u64>(), any::<u64>());
    let parts = (
        text(),
        kind(),
        attributes(8),
        prop::collection::vec(event(), 0..3),
    );
    let rest = (status(), 0..=resources, 0..=scopes);
    (ids, times, parts, rest).prop_map(
        |((t, s, parent), (start, end), (name, kind, attributes, events), (status, r, sc))| Span {
            trace_id: TraceId(t),
            span_id: SpanId(s),
            parent_span_id: parent.map(SpanId),
            name,
            kind,
            start_unix_nanos: start,
            end_unix_nanos: end,
            attributes,
            events,
            status,
            resource: ResourceIndex(r),
            scope: ScopeIndex(sc),
            ..Span::default()
        },
    )
}

pub(crate) fn model() -> impl Strategy<Value = TraceData> {
    (0u32..4, 0u32..4).prop_flat_map(|(r, s)| {
        let resources = prop::collection::vec(
            attributes(6).prop_map(|attributes| Resource {
                attributes,
                ..Default::default()
            }),
            r as usize,
        );
        let scopes = prop::collection::vec(
            (text(), text()).prop_map(|(name, version)| Scope {
                name,
                version,
                attributes: Vec::new(),
                ..Default::default()
            }),
            s as usize,
        );
        let spans = prop::collection::vec(span(r, s), 0..6);
        (resources, scopes, spans).prop_map(|(resources, scopes, spans)| TraceData {
            resources,
            scopes,
            spans,
        })
    })
}

/// A codec's reader (its one-pass road first) or its careful read alone.
pub(crate) type Reader = fn(&[u8], &str, ReadOptions) -> Result<Loaded, ReadError>;

/// The reader and the careful read give the same model, warnings and errors, lenient and strict.
pub(crate) fn assert_reads_agree(
    read: Reader,
    careful: Reader,
    bytes: &[u8],
) -> Result<(), TestCaseError> {
    for strict in [false, true] {
        let options = ReadOptions { strict };
        let (whole, careful) = (read(bytes, "t", options), careful(bytes, "t", options));
        // Compared as text: a NaN attribute is not equal to itself.
        prop_assert_eq!(format!("{whole:?}"), format!("{careful:?}"));
    }
    Ok(())
}

/// Written bytes damaged once: cut at a byte, or one byte replaced (often by JSON's own).
pub(crate) fn damaged(bytes: Vec<u8>) -> impl Strategy<Value = Vec<u8>> {
    let byte = prop_oneof![
        Just(b'"'),
        Just(b'}'),
        Just(b'x'),
        Just(b'1'),
        Just(0xff),
        any::<u8>()
    ];
    (any::<prop::sample::Index>(), byte, any::<bool>()).prop_map(move |(at, byte, cut)| {
        let mut bytes = bytes.clone();
        if bytes.is_empty() {
            return bytes;
        }
        let at = at.index(bytes.len());
        if cut {
            bytes.truncate(at);
        } else {
            bytes[at] = byte;
        }
        bytes
    })
}
