#![allow(clippy::unwrap_used)]
//! Property tests: no input makes a reader panic, and any model round-trips through
//! Spindle JSON, OTLP/JSON and OTLP protobuf.

mod common;

use proptest::prelude::*;
use spindle_formats::*;

fn text() -> impl Strategy<Value = Str> {
    prop_oneof![Just(String::new()), "[a-z.]{1,8}", ".{0,12}"].prop_map(Str::from)
}

fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        text().prop_map(Value::Str),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::I64),
        any::<f64>()
            .prop_filter("NaN never equals itself", |x| !x.is_nan())
            .prop_map(Value::F64),
        prop::collection::vec(any::<u8>(), 0..6).prop_map(Value::Bytes),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((text(), inner), 0..4).prop_map(|kvs| Value::Map(
                kvs.into_iter().map(|(k, v)| KeyValue::new(k, v)).collect()
            )),
        ]
    })
}

fn attributes() -> impl Strategy<Value = Vec<KeyValue>> {
    prop::collection::vec((text(), value()), 0..4)
        .prop_map(|kvs| kvs.into_iter().map(|(k, v)| KeyValue::new(k, v)).collect())
}

fn kind() -> impl Strategy<Value = SpanKind> {
    prop_oneof![
        Just(SpanKind::Internal),
        Just(SpanKind::Server),
        Just(SpanKind::Client),
        Just(SpanKind::Producer),
        Just(SpanKind::Consumer),
    ]
}

fn status() -> impl Strategy<Value = Status> {
    prop_oneof![
        Just(Status::Unset),
        Just(Status::Ok),
        text().prop_map(|message| Status::Error { message })
    ]
}

/// A dropped count: often zero (left out when written), sometimes any `u32`.
fn count() -> impl Strategy<Value = u32> {
    prop_oneof![Just(0u32), any::<u32>()]
}

fn event() -> impl Strategy<Value = Event> {
    (any::<u64>(), text(), attributes(), count()).prop_map(
        |(time_unix_nanos, name, attributes, dropped_attributes_count)| Event {
            time_unix_nanos,
            name,
            attributes,
            dropped_attributes_count,
        },
    )
}

fn link() -> impl Strategy<Value = Link> {
    let ids = (1..=u128::MAX, 1..=u64::MAX);
    (ids, text(), attributes(), count(), count()).prop_map(
        |((t, s), trace_state, attributes, dropped_attributes_count, flags)| Link {
            trace_id: TraceId(t),
            span_id: SpanId(s),
            trace_state,
            attributes,
            dropped_attributes_count,
            flags,
        },
    )
}

fn span(resources: u32, scopes: u32) -> impl Strategy<Value = Span> {
    let ids = (1..=u128::MAX, 1..=u64::MAX, prop::option::of(1..=u64::MAX));
    let times = (any::<u64>(), any::<u64>(), any::<u32>());
    let parts = (
        text(),
        kind(),
        attributes(),
        prop::collection::vec(event(), 0..2),
        prop::collection::vec(link(), 0..2),
    );
    let rest = (status(), text(), 0..resources, 0..scopes);
    let dropped = (count(), count(), count());
    (ids, times, parts, rest, dropped).prop_map(
        |(
            (t, s, parent),
            (start, end, flags),
            (name, kind, attributes, events, links),
            (status, trace_state, r, sc),
            (dropped_attributes_count, dropped_events_count, dropped_links_count),
        )| Span {
            trace_id: TraceId(t),
            span_id: SpanId(s),
            parent_span_id: parent.map(SpanId),
            name,
            kind,
            start_unix_nanos: start,
            end_unix_nanos: end,
            attributes,
            events,
            links,
            status,
            flags,
            trace_state,
            resource: ResourceIndex(r),
            scope: ScopeIndex(sc),
            dropped_attributes_count,
            dropped_events_count,
            dropped_links_count,
        },
    )
}

fn model() -> impl Strategy<Value = TraceData> {
    (1u32..3, 1u32..3).prop_flat_map(|(r, s)| {
        let resources = prop::collection::vec(
            (attributes(), count(), text()).prop_map(|(attributes, dropped, schema_url)| {
                Resource {
                    attributes,
                    dropped_attributes_count: dropped,
                    schema_url,
                }
            }),
            r as usize,
        );
        let scopes = prop::collection::vec(
            (text(), text(), attributes(), count(), text()).prop_map(
                |(name, version, attributes, dropped_attributes_count, schema_url)| Scope {
                    name,
                    version,
                    attributes,
                    dropped_attributes_count,
                    schema_url,
                },
            ),
            s as usize,
        );
        let spans = prop::collection::vec(span(r, s), 0..4);
        (resources, scopes, spans).prop_map(|(resources, scopes, spans)| TraceData {
            resources,
            scopes,
            spans,
        })
    })
}

/// A valid file in each format, written from a fixed model.
fn valid_files() -> [Vec<u8>; 5] {
    let data = TraceData {
        resources: vec![Resource {
            attributes: vec![KeyValue::new("service.name", "svc")],
            ..Default::default()
        }],
        scopes: vec![Scope {
            name: "lib".into(),
            version: "1".into(),
            attributes: vec![],
            ..Default::default()
        }],
        spans: vec![Span {
            trace_id: TraceId(0x4bf92f3577b34da6a3ce929d0e0e4736),
            span_id: SpanId(0x00f067aa0ba902b7),
            parent_span_id: Some(SpanId(9)),
            name: "n".into(),
            kind: SpanKind::Client,
            attributes: vec![KeyValue::new(
                "a",
                Value::Array(vec![1i64.into(), "x".into()]),
            )],
            events: vec![Event {
                time_unix_nanos: 5,
                name: "e".into(),
                attributes: vec![KeyValue::new("k", 1i64)],
                ..Default::default()
            }],
            status: Status::Error {
                message: "m".into(),
            },
            ..Default::default()
        }],
    };
    let (mut spindle, mut zipkin, mut otlp, mut proto) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    write_spindle_json(&data, &mut spindle).unwrap();
    write_spindle_json(&data, &mut spindle).unwrap();
    write_zipkin(&data, &mut zipkin).unwrap();
    write_zipkin(&data, &mut zipkin).unwrap();
    write_otlp_json(&data, &mut otlp).unwrap();
    write_otlp_json(&data, &mut otlp).unwrap();
    write_otlp_proto(&data, &mut proto).unwrap();
    [spindle, zipkin, otlp, JAEGER.to_vec(), proto]
}

/// A small Jaeger query API response using references, typed tags, logs and processes.
const JAEGER: &[u8] = br#"{"data":[{"traceID":"4bf92f3577b34da6a3ce929d0e0e4736","spans":[{"traceID":"4bf92f3577b34da6a3ce929d0e0e4736","spanID":"00f067aa0ba902b7","flags":1,"operationName":"a","references":[{"refType":"CHILD_OF","traceID":"4bf92f3577b34da6a3ce929d0e0e4736","spanID":"0000000000000009"},{"refType":"FOLLOWS_FROM","traceID":"4bf92f3577b34da6a3ce929d0e0e4736","spanID":"0000000000000008"}],"startTime":5,"duration":2,"tags":[{"key":"span.kind","type":"string","value":"client"},{"key":"n","type":"int64","value":3},{"key":"b","type":"binary","value":"AAE="},{"key":"error","type":"bool","value":true}],"logs":[{"timestamp":6,"fields":[{"key":"event","type":"string","value":"e"},{"key":"x","type":"float64","value":1.5}]}],"processID":"p1"}],"processes":{"p1":{"serviceName":"svc","tags":[{"key":"ip","type":"string","value":"10.0.0.1"}]}}}],"total":0,"errors":null}"#;

/// One edit to a byte string.
#[derive(Debug, Clone)]
enum Mutation {
    Replace(usize, u8),
    Delete(usize),
    Insert(usize, u8),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let byte = prop_oneof![
        any::<u8>(),
        prop::sample::select(b"{}[]\":,0aZ-\\ \n".to_vec())
    ];
    prop_oneof![
        (any::<usize>(), byte.clone()).prop_map(|(i, b)| Mutation::Replace(i, b)),
        any::<usize>().prop_map(Mutation::Delete),
        (any::<usize>(), byte).prop_map(|(i, b)| Mutation::Insert(i, b)),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn apply(bytes: &mut Vec<u8>, mutation: &Mutation) {
    let len = bytes.len().max(1);
    match *mutation {
        Mutation::Replace(i, b) => {
            if let Some(slot) = bytes.get_mut(i % len) {
                *slot = b;
            }
        }
        Mutation::Delete(i) => {
            if i % len < bytes.len() {
                bytes.remove(i % len);
            }
        }
        Mutation::Insert(i, b) => bytes.insert(i % (bytes.len() + 1), b),
        Mutation::Truncate(i) => bytes.truncate(i % len),
    }
}

type Reader = fn(&[u8], &str, ReadOptions) -> Result<Loaded, ReadError>;

/// Reads with format detection and with every reader directly, leniently and strictly.
fn read_both_ways(bytes: &[u8]) {
    let readers: [Reader; 6] = [
        read,
        spindle_json::read,
        zipkin::read,
        otlp_json::read,
        jaeger_json::read,
        otlp_proto::read,
    ];
    for (reader, strict) in readers.into_iter().flat_map(|r| [(r, false), (r, true)]) {
        if let Ok(loaded) = reader(bytes, "fuzz", ReadOptions { strict }) {
            for span in &loaded.data.spans {
                assert!((span.resource.0 as usize) < loaded.data.resources.len());
                assert!((span.scope.0 as usize) < loaded.data.scopes.len());
            }
            if strict {
                assert!(loaded.warnings.is_empty());
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        read_both_ways(&bytes);
    }

    #[test]
    fn json_looking_bytes_never_panic(bytes in prop::collection::vec(prop::sample::select(b"{}[]\":,01aeflnrstu \n\\".to_vec()), 0..128)) {
        read_both_ways(&bytes);
    }

    #[test]
    fn mutated_valid_files_never_panic(which in 0usize..5, mutations in prop::collection::vec(mutation(), 1..6)) {
        let files = valid_files();
        let mut bytes = files[which].clone();
        for m in &mutations {
            apply(&mut bytes, m);
        }
        read_both_ways(&bytes);
    }

    #[test]
    fn arbitrary_models_round_trip_through_spindle_json(data in model()) {
        let mut out = Vec::new();
        write_spindle_json(&data, &mut out).unwrap();
        let loaded = read(&out, "prop.jsonl", ReadOptions { strict: true }).unwrap();
        prop_assert_eq!(loaded.data, data);
    }

    #[test]
    fn arbitrary_models_round_trip_through_otlp(data in model()) {
        let mut out = Vec::new();
        write_otlp_json(&data, &mut out).unwrap();
        let loaded = read(&out, "prop.json", ReadOptions { strict: true }).unwrap();
        prop_assert_eq!(loaded.format, Format::Otlp);
        prop_assert_eq!(loaded.data, common::regrouped(&data));
    }

    #[test]
    fn arbitrary_models_round_trip_through_otlp_proto(data in model()) {
        let mut out = Vec::new();
        write_otlp_proto(&data, &mut out).unwrap();
        // No spans write no bytes: a valid, empty request that no detector can name.
        let detected = detect(&out);
        prop_assert_eq!(detected, (!data.spans.is_empty()).then_some(Format::OtlpProto));
        let loaded = otlp_proto::read(&out, "prop.binpb", ReadOptions { strict: true }).unwrap();
        prop_assert_eq!(loaded.data, common::regrouped(&data));
    }

    #[test]
    fn cut_protobuf_keeps_the_spans_before_the_cut(data in model(), cut in any::<prop::sample::Index>()) {
        let mut out = Vec::new();
        write_otlp_proto(&data, &mut out).unwrap();
        let whole = otlp_proto::read(&out, "whole", ReadOptions::default()).unwrap().data;
        let at = cut.index(out.len() + 1);
        let loaded = otlp_proto::read(&out[..at], "cut", ReadOptions::default()).unwrap();
        let kept = &loaded.data;
        prop_assert!(kept.spans.len() <= whole.spans.len());
        for (read_back, written) in kept.spans.iter().zip(&whole.spans) {
            prop_assert_eq!(read_back.span_id, written.span_id);
            prop_assert_eq!(&read_back.attributes, &written.attributes);
            prop_assert_eq!(kept.resource_of(read_back), whole.resource_of(written));
            prop_assert_eq!(kept.scope_of(read_back), whole.scope_of(written));
        }
        prop_assert!(loaded.warnings.len() <= 1, "one warning for one cut: {:?}", loaded.warnings);
    }

    #[test]
    fn flipped_protobuf_bytes_never_panic(
        data in model(),
        flips in prop::collection::vec((any::<prop::sample::Index>(), 1u8..=255), 1..4),
    ) {
        let mut out = Vec::new();
        write_otlp_proto(&data, &mut out).unwrap();
        for (at, mask) in &flips {
            if !out.is_empty() {
                let i = at.index(out.len());
                out[i] ^= mask;
            }
        }
        prop_assert!(otlp_proto::read(&out, "flipped", ReadOptions::default()).is_ok());
        read_both_ways(&out);
    }

    #[test]
    fn arbitrary_models_write_readable_zipkin(data in model()) {
        let mut out = Vec::new();
        write_zipkin(&data, &mut out).unwrap();
        let loaded = read(&out, "prop.json", ReadOptions { strict: true }).unwrap();
        prop_assert_eq!(loaded.data.spans.len(), data.spans.len());
        for (read_back, written) in loaded.data.spans.iter().zip(&data.spans) {
            prop_assert_eq!(read_back.span_id, written.span_id);
            prop_assert_eq!(&read_back.name, &written.name);
            prop_assert_eq!(read_back.kind, written.kind);
            prop_assert_eq!(read_back.status.is_error(), written.status.is_error());
        }
    }
}

/// A longer fuzz run than CI's, for a release build:
/// `SPINDLE_FUZZ_CASES=200000 cargo test --release -p spindle-formats --test properties -- --ignored`
#[test]
#[ignore = "long fuzz run"]
fn long_fuzz_run() {
    use proptest::test_runner::{Config, TestRunner};
    let cases = std::env::var("SPINDLE_FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(50_000);
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    let files = valid_files();
    let mutated = (0usize..files.len(), prop::collection::vec(mutation(), 1..8));
    TestRunner::new(config.clone())
        .run(&mutated, |(which, mutations)| {
            let mut bytes = files[which].clone();
            for m in &mutations {
                apply(&mut bytes, m);
            }
            read_both_ways(&bytes);
            Ok(())
        })
        .unwrap();
    TestRunner::new(config)
        .run(&prop::collection::vec(any::<u8>(), 0..512), |bytes| {
            read_both_ways(&bytes);
            Ok(())
        })
        .unwrap();
}
