//! The service map with 100 services (issue 17: laid out readably for up to 100 services;
//! frames within 8 ms), on the generated topology `analysis::service_map::fixture::mesh`
//! (100 services, 1,000 traces):
//! - the map of every trace; the layout of its 100 services (crossing reduction included);
//! - the diff of the maps of two halves of the traces;
//! - one frame of the Service map tab, all traces and what changed, laid out, painted and
//!   tessellated headless (the map and its layout are cached: what a frame costs).
//!
//! `cargo bench -p spindle-benches --bench service_map`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use spindle_viewer::analysis::service_map::ServiceMap;
use spindle_viewer::analysis::service_map::diff::MapDiff;
use spindle_viewer::analysis::service_map::fixture::mesh;
use spindle_viewer::analysis::service_map::layout::{MapLayout, TextWidths};
use spindle_viewer::eframe::egui;
use spindle_viewer::focus::Focus;
use spindle_viewer::load::Document;
use spindle_viewer::views::View;
use spindle_viewer::views::service_map::{Scope, ServiceMapView};

fn input() -> egui::RawInput {
    egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(
            egui::Pos2::ZERO,
            egui::vec2(1280.0, 800.0),
        )),
        ..Default::default()
    }
}

fn frame(ctx: &egui::Context, doc: &Document, focus: &mut Focus, view: &mut dyn View) -> usize {
    let output = ctx.run_ui(input(), |ui| {
        egui::CentralPanel::default().show(ui, |ui| view.ui(ui, doc, focus));
    });
    ctx.tessellate(output.shapes, output.pixels_per_point).len()
}

fn service_map(c: &mut Criterion) {
    let doc = Document::from_data(mesh(100, 1_000, 17));
    let (data, index) = (&doc.data, &doc.index);
    let map = ServiceMap::of_all(data, index);
    assert_eq!(map.nodes.len(), 100);
    let widths = TextWidths {
        nodes: map
            .nodes
            .iter()
            .map(|n| n.name.len() as f32 * 7.0 + 16.0)
            .collect(),
        labels: vec![90.0; map.edges.len()],
    };
    let half = index.traces.len() as u32 / 2;
    let mut group = c.benchmark_group("service_map_100_services");
    group.measurement_time(Duration::from_secs(5));
    group.bench_function("map_of_all_traces", |b| {
        b.iter(|| black_box(ServiceMap::of_all(data, index)))
    });
    group.bench_function("layout", |b| {
        b.iter(|| black_box(MapLayout::new(&map, &widths)))
    });
    let a = ServiceMap::of_traces(data, index, 0..half);
    let b_map = ServiceMap::of_traces(data, index, half..index.traces.len() as u32);
    group.bench_function("diff_of_two_halves", |b| {
        b.iter(|| black_box(MapDiff::of(&a, half as usize, &b_map, half as usize)))
    });
    let ctx = egui::Context::default();
    let mut focus = Focus::default();
    let mut view = ServiceMapView::default();
    frame(&ctx, &doc, &mut focus, &mut view);
    group.bench_function("frame_all_traces", |b| {
        b.iter(|| black_box(frame(&ctx, &doc, &mut focus, &mut view)))
    });
    focus.compare_sets = [Some((0..half).collect()), Some((half..2 * half).collect())];
    view.scope = Scope::Changed;
    frame(&ctx, &doc, &mut focus, &mut view);
    group.bench_function("frame_what_changed", |b| {
        b.iter(|| black_box(frame(&ctx, &doc, &mut focus, &mut view)))
    });
    group.finish();
}

criterion_group!(benches, service_map);
criterion_main!(benches);
