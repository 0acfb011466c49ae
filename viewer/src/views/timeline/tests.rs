//! Where the waterfall draws a bar: raw times, or the clock-skew adjustment's when it is on.

use spindle_formats::{
    KeyValue, Resource, ResourceIndex, Span, SpanId, SpanKind, TraceData, TraceId,
};

use super::row::RowCtx;
use crate::analysis::findings::Findings;
use crate::index::Node;
use crate::layout::Row;
use crate::load::Document;

const MS: u64 = 1_000_000;

/// `a` calls `b` (CLIENT 10..60 ms); b's SERVER span says 5..45 ms (its clock is behind) and
/// its INTERNAL child 10..20 ms.
fn skewed() -> Document {
    let span = |id: u64, parent: Option<u64>, (a, z): (u64, u64), service: u32, kind| Span {
        trace_id: TraceId(7),
        span_id: SpanId(id),
        parent_span_id: parent.map(SpanId),
        name: format!("s{id}").into(),
        kind,
        start_unix_nanos: 1_000 * MS + a * MS,
        end_unix_nanos: 1_000 * MS + z * MS,
        resource: ResourceIndex(service),
        ..Span::default()
    };
    Document::from_data(TraceData {
        resources: ["a", "b"]
            .iter()
            .map(|s| Resource {
                attributes: vec![KeyValue::new("service.name", s.to_string())],
                ..Default::default()
            })
            .collect(),
        scopes: Vec::new(),
        spans: vec![
            span(1, None, (0, 100), 0, SpanKind::Server),
            span(2, Some(1), (10, 60), 0, SpanKind::Client),
            span(3, Some(2), (5, 45), 1, SpanKind::Server),
            span(4, Some(3), (10, 20), 1, SpanKind::Internal),
        ],
    })
}

fn bar(doc: &Document, id: u64, adjust_skew: bool) -> (u64, u64) {
    let trace = &doc.index.traces[0];
    let findings = Findings::of(&doc.data, &doc.index, trace);
    let i = doc.data.spans.iter().position(|s| s.span_id == SpanId(id));
    let node = Node(i.expect("span") as u32);
    let cx = RowCtx {
        doc,
        trace,
        row: Row {
            node,
            depth: 0,
            has_children: false,
            collapsed: false,
            is_match: false,
            repeat: None,
            highlighted: false,
        },
        selected: false,
        label_w: 100.0,
        ticks: &[],
        findings: &findings,
        adjust_skew,
    };
    cx.bar_range(node)
}

fn inside(inner: (u64, u64), outer: (u64, u64)) -> bool {
    outer.0 <= inner.0 && inner.1 <= outer.1
}

#[test]
fn a_skewed_server_bar_sits_inside_its_client_only_with_the_adjustment_on() {
    let doc = skewed();
    let client = bar(&doc, 2, false);
    assert_eq!(client, (10 * MS, 60 * MS));
    let raw = bar(&doc, 3, false);
    assert_eq!(raw, (5 * MS, 45 * MS), "off: drawn where its clock says");
    assert!(!inside(raw, client));
    let adjusted = bar(&doc, 3, true);
    assert!(inside(adjusted, client), "{adjusted:?} in {client:?}");
    assert_eq!(adjusted, (15 * MS, 55 * MS), "centred: 5 ms either side");
    // Its own service's child moves with it; the client does not move.
    assert_eq!(bar(&doc, 4, true), (20 * MS, 30 * MS));
    assert_eq!(bar(&doc, 2, true), client);
    // The raw times stay in the data for the details.
    assert_eq!(doc.data.spans[2].start_unix_nanos, 1_005 * MS);
}
