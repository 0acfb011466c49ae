//! Reference images of each view on the fixed `shop` fixture (egui_kittest + wgpu on lavapipe).
//! Update with `UPDATE_SNAPSHOTS=1 cargo test -p spindle-viewer --test snapshots`.

use egui_kittest::Harness;
use spindle_formats::{SpanId, TraceId};
use spindle_viewer::fixture;
use spindle_viewer::focus::Focus;
use spindle_viewer::index::Node;
use spindle_viewer::layout::FlameKind;
use spindle_viewer::load::Document;
use spindle_viewer::views::View;
use spindle_viewer::views::details::DetailsView;
use spindle_viewer::views::flame::FlameView;
use spindle_viewer::views::timeline::TimelineView;
use spindle_viewer::views::trace_list::TraceListView;

struct Fixture<V> {
    doc: Document,
    focus: Focus,
    view: V,
}

fn focused() -> (Document, Focus) {
    let doc = Document::from_data(fixture::shop());
    let mut focus = Focus::default();
    let trace = doc
        .index
        .trace_index(TraceId(0x4bf9_2f35_77b3_4da6_a3ce_929d_0e0e_4736));
    focus.select_trace(&doc, trace);
    let charge = doc
        .index
        .find_span(
            &doc.data,
            doc.index.traces[trace.expect("trace")].trace_id,
            SpanId(0x105),
        )
        .expect("charge card");
    focus.node = Some(Node(charge as u32));
    focus.set_query(&doc, "cart");
    (doc, focus)
}

fn snapshot<V: View + 'static>(name: &str, size: [f32; 2], view: V) {
    let (doc, focus) = focused();
    let mut harness = Harness::builder().with_size(size).wgpu().build_ui_state(
        |ui, f: &mut Fixture<V>| f.view.ui(ui, &f.doc, &mut f.focus),
        Fixture { doc, focus, view },
    );
    harness.run();
    harness.snapshot(name);
}

#[test]
fn trace_list() {
    snapshot("trace_list", [420.0, 420.0], TraceListView::default());
}

#[test]
fn timeline() {
    snapshot("timeline", [900.0, 300.0], TimelineView::default());
}

#[test]
fn flame_graph() {
    snapshot(
        "flame_graph",
        [900.0, 200.0],
        FlameView::new(FlameKind::Trace),
    );
}

#[test]
fn aggregated_flame_graph() {
    snapshot(
        "aggregated_flame_graph",
        [900.0, 200.0],
        FlameView::new(FlameKind::Aggregate),
    );
}

#[test]
fn details() {
    snapshot("details", [420.0, 640.0], DetailsView::default());
}
