#![allow(clippy::unwrap_used)]
//! Zipkin shared spans: the server half of a call that shares the client's id gets its own id,
//! hangs under the client, takes the server's children along, and ids stay unique in every
//! format written.

use std::collections::HashSet;

use spindle_formats::*;

const STRICT: ReadOptions = ReadOptions { strict: true };
const SHARED_ID: SpanId = SpanId(0x352b_ff9a_74ca_9ad2);

fn golden() -> TraceData {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/zipkin-shared.json");
    let loaded = read_file_with(path, STRICT).unwrap();
    assert_eq!(loaded.format, Format::Zipkin);
    assert!(loaded.warnings.is_empty());
    loaded.data
}

fn by_name<'a>(data: &'a TraceData, name: &str) -> &'a Span {
    data.spans.iter().find(|s| s.name == name).unwrap()
}

/// The name of each span's parent (`-` for a root), by span name.
fn tree(data: &TraceData) -> Vec<(String, String)> {
    let mut edges: Vec<(String, String)> = data
        .spans
        .iter()
        .map(|span| {
            let parent = span.parent_span_id.map_or("-".to_owned(), |id| {
                let parents: Vec<_> = data.spans.iter().filter(|p| p.span_id == id).collect();
                assert_eq!(
                    parents.len(),
                    1,
                    "one span with the parent id of {}",
                    span.name
                );
                parents[0].name.to_string()
            });
            (span.name.to_string(), parent)
        })
        .collect();
    edges.sort();
    edges
}

fn assert_unique_ids(data: &TraceData) {
    let ids: HashSet<(TraceId, SpanId)> =
        data.spans.iter().map(|s| (s.trace_id, s.span_id)).collect();
    assert_eq!(ids.len(), data.spans.len(), "ids unique within each trace");
}

#[test]
fn the_server_half_gets_its_own_id_under_the_client_with_its_children() {
    let data = golden();
    assert_eq!(data.spans.len(), 5);
    assert_unique_ids(&data);
    let client = by_name(&data, "get");
    let server = by_name(&data, "get /api");
    assert_eq!(
        (client.kind, server.kind),
        (SpanKind::Client, SpanKind::Server)
    );
    assert_eq!(client.span_id, SHARED_ID);
    assert_ne!(server.span_id, SHARED_ID);
    assert_eq!(server.parent_span_id, Some(SHARED_ID));
    assert_eq!(
        server.attribute("zipkin.id"),
        Some(&Value::from("352bff9a74ca9ad2"))
    );
    assert_eq!(server.attribute("zipkin.shared"), Some(&Value::Bool(true)));
    assert_eq!(data.service_name_of(server), "backend");
    for child in ["select users", "render json"] {
        assert_eq!(
            by_name(&data, child).parent_span_id,
            Some(server.span_id),
            "{child}"
        );
    }
    let names = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let expected: Vec<(String, String)> =
        names(&["get", "get /", "get /api", "render json", "select users"])
            .into_iter()
            .zip(names(&["get /", "-", "get", "get /api", "get /api"]))
            .collect();
    assert_eq!(tree(&data), expected);
}

#[test]
fn the_derived_id_is_the_same_on_every_read() {
    assert_eq!(golden(), golden());
}

#[test]
fn every_format_written_keeps_the_ids_unique_and_the_tree() {
    let data = golden();
    type Writer = fn(&TraceData, &mut Vec<u8>) -> std::io::Result<()>;
    let writers: [(Writer, Format); 4] = [
        (|d, o| write_zipkin(d, o), Format::Zipkin),
        (|d, o| write_otlp_json(d, o), Format::Otlp),
        (|d, o| write_otlp_proto(d, o), Format::OtlpProto),
        (|d, o| write_spindle_json(d, o), Format::Spindle),
    ];
    for (write, format) in writers {
        let mut out = Vec::new();
        write(&data, &mut out).unwrap();
        let again = read(&out, "again", STRICT).unwrap();
        assert_eq!(again.format, format);
        assert_unique_ids(&again.data);
        assert_eq!(tree(&again.data), tree(&data), "{format:?}");
        let server = by_name(&again.data, "get /api");
        assert_eq!(
            server.span_id,
            by_name(&data, "get /api").span_id,
            "{format:?}"
        );
    }
}

fn zipkin_text(spans: &[&str]) -> Vec<u8> {
    format!("[{}]", spans.join(",")).into_bytes()
}

const CLIENT: &str = r#"{"traceId":"5af7183fb1d4cf5f","id":"352bff9a74ca9ad2","name":"call","kind":"CLIENT","timestamp":10,"duration":9,"localEndpoint":{"serviceName":"front"}}"#;
const SERVER: &str = r#"{"traceId":"5af7183fb1d4cf5f","id":"352bff9a74ca9ad2","name":"serve","kind":"SERVER","shared":true,"timestamp":11,"duration":7,"localEndpoint":{"serviceName":"back"}}"#;

#[test]
fn children_the_client_service_reported_stay_under_the_client() {
    let front_child = r#"{"traceId":"5af7183fb1d4cf5f","parentId":"352bff9a74ca9ad2","id":"00000000000000aa","name":"retry timer","timestamp":12,"duration":1,"localEndpoint":{"serviceName":"front"}}"#;
    let back_child = r#"{"traceId":"5af7183fb1d4cf5f","parentId":"352bff9a74ca9ad2","id":"00000000000000bb","name":"work","timestamp":12,"duration":1,"localEndpoint":{"serviceName":"back"}}"#;
    let data = read(
        &zipkin_text(&[back_child, SERVER, front_child, CLIENT]),
        "z",
        STRICT,
    )
    .unwrap()
    .data;
    let server = by_name(&data, "serve");
    assert_eq!(
        by_name(&data, "retry timer").parent_span_id,
        Some(SHARED_ID)
    );
    assert_eq!(by_name(&data, "work").parent_span_id, Some(server.span_id));
    assert_eq!(by_name(&data, "call").span_id, SHARED_ID);
}

#[test]
fn a_shared_span_without_its_client_half_keeps_its_id() {
    let data = read(&zipkin_text(&[SERVER]), "z", STRICT).unwrap().data;
    let server = by_name(&data, "serve");
    assert_eq!(server.span_id, SHARED_ID);
    assert_eq!(server.parent_span_id, None);
    assert_eq!(server.attribute("zipkin.id"), None);
}

#[test]
fn a_derived_id_already_taken_in_the_trace_is_not_reused() {
    let first = read(&zipkin_text(&[CLIENT, SERVER]), "z", STRICT)
        .unwrap()
        .data;
    let derived = by_name(&first, "serve").span_id;
    let squatter = format!(
        r#"{{"traceId":"5af7183fb1d4cf5f","id":"{:016x}","name":"squatter","timestamp":1,"duration":1}}"#,
        derived.0
    );
    let data = read(&zipkin_text(&[&squatter, CLIENT, SERVER]), "z", STRICT)
        .unwrap()
        .data;
    assert_unique_ids(&data);
    let server = by_name(&data, "serve");
    assert_ne!(server.span_id, derived);
    assert_eq!(server.parent_span_id, Some(SHARED_ID));
    // In another trace the same shared id gives the same derived id as before.
    let other =
        String::from(SERVER).replace("5af7183fb1d4cf5f", "00000000000000000000000000000abc");
    let client =
        String::from(CLIENT).replace("5af7183fb1d4cf5f", "00000000000000000000000000000abc");
    let data = read(&zipkin_text(&[&squatter, &client, &other]), "z", STRICT)
        .unwrap()
        .data;
    let server = data.spans.iter().find(|s| s.name == "serve").unwrap();
    assert_eq!(server.span_id, derived);
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// A span of one trace with ids and parents from a small set, so that they collide.
    fn span() -> impl Strategy<Value = String> {
        (1u8..5, prop::option::of(1u8..5), any::<bool>(), 0u8..2, any::<bool>()).prop_map(
            |(id, parent, shared, service, server)| {
                let parent = parent.map_or(String::new(), |p| format!(r#""parentId":"{p:016x}","#));
                let kind = if server { "SERVER" } else { "CLIENT" };
                format!(
                    r#"{{"traceId":"5af7183fb1d4cf5f","id":"{id:016x}",{parent}"kind":"{kind}","shared":{shared},"localEndpoint":{{"serviceName":"s{service}"}},"timestamp":1,"duration":1}}"#
                )
            },
        )
    }

    proptest! {
        #[test]
        fn split_server_halves_never_take_an_id_in_use(spans in prop::collection::vec(span(), 0..8)) {
            let text = zipkin_text(&spans.iter().map(String::as_str).collect::<Vec<_>>());
            let data = read(&text, "z", STRICT).unwrap().data;
            prop_assert_eq!(data.spans.len(), spans.len());
            for server in data.spans.iter().filter(|s| s.attribute("zipkin.id").is_some()) {
                let same = data.spans.iter().filter(|s| s.span_id == server.span_id).count();
                prop_assert_eq!(same, 1);
                let shared = server.parent_span_id.unwrap();
                prop_assert!(data.spans.iter().any(|s| s.span_id == shared && s.attribute("zipkin.id").is_none()));
            }
            // Reading what was written gives the same spans: the split is done once.
            let mut out = Vec::new();
            write_zipkin(&data, &mut out).unwrap();
            let again = read(&out, "again", STRICT).unwrap().data;
            let ids = |d: &TraceData| d.spans.iter().map(|s| (s.span_id, s.parent_span_id)).collect::<Vec<_>>();
            prop_assert_eq!(ids(&again), ids(&data));
        }
    }
}
