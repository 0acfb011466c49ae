//! The viewer's speed targets (issue 4):
//! - one frame of the timeline and of the flame graph of a 100,000-span trace, laid out,
//!   painted and tessellated headless (an egui `Context` with no window): target ≤ 8 ms median;
//! - opening a generated 1,000,000-span file (read + index + aggregate) against plain
//!   `serde_json::from_slice::<serde_json::Value>` of the same bytes: target ≤ 1.5×.
//!
//! `cargo bench -p spindle-benches --bench viewer` (set `SPINDLE_BENCH_SPANS` to change 1M).

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use spindle_formats::{ReadOptions, write_spindle_json};
use spindle_viewer::eframe::egui;
use spindle_viewer::fixture;
use spindle_viewer::index::Index;
use spindle_viewer::layout::{FlameKind, FlameLayout};
use spindle_viewer::load::Document;
use spindle_viewer::views::flame::FlameView;
use spindle_viewer::views::timeline::TimelineView;
use spindle_viewer::views::{Focus, View};

fn input() -> egui::RawInput {
    egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(
            egui::Pos2::ZERO,
            egui::vec2(1280.0, 800.0),
        )),
        ..Default::default()
    }
}

/// Runs one full frame of `view` and tessellates it; returns the number of primitives.
fn frame(ctx: &egui::Context, doc: &Document, focus: &mut Focus, view: &mut dyn View) -> usize {
    let output = ctx.run_ui(input(), |ui| {
        egui::CentralPanel::default().show(ui, |ui| view.ui(ui, doc, focus));
    });
    ctx.tessellate(output.shapes, output.pixels_per_point).len()
}

fn frames(c: &mut Criterion) {
    let doc = Document::from_data(fixture::wide_trace(100_000, 10));
    let mut focus = Focus::default();
    focus.select_trace(&doc, Some(0));
    focus.refresh(&doc);
    let ctx = egui::Context::default();
    let mut group = c.benchmark_group("viewer_frame_100k_spans");
    group.measurement_time(Duration::from_secs(5));
    let mut timeline = TimelineView::default();
    // Warm up fonts and the first layout.
    frame(&ctx, &doc, &mut focus, &mut timeline);
    group.bench_function("timeline", |b| {
        b.iter(|| black_box(frame(&ctx, &doc, &mut focus, &mut timeline)))
    });
    let mut flame = FlameView::new(FlameKind::Trace);
    frame(&ctx, &doc, &mut focus, &mut flame);
    group.bench_function("flame_graph", |b| {
        b.iter(|| black_box(frame(&ctx, &doc, &mut focus, &mut flame)))
    });
    let mut aggregate = FlameView::new(FlameKind::Aggregate);
    frame(&ctx, &doc, &mut focus, &mut aggregate);
    group.bench_function("aggregated_flame_graph", |b| {
        b.iter(|| black_box(frame(&ctx, &doc, &mut focus, &mut aggregate)))
    });
    group.finish();
}

fn open(c: &mut Criterion) {
    let spans: usize = std::env::var("SPINDLE_BENCH_SPANS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let data = fixture::many_traces(spans / 50, 50);
    let mut bytes = Vec::new();
    if write_spindle_json(&data, &mut bytes).is_err() {
        return;
    }
    drop(data);
    eprintln!("open: {} spans, {:.1} MB", spans, bytes.len() as f64 / 1e6);
    let mut group = c.benchmark_group("open_1m_spans");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(30));
    group.bench_function("serde_json_value", |b| {
        b.iter(|| {
            black_box(
                serde_json::from_slice::<serde_json::Value>(&bytes)
                    .map(|_| ())
                    .is_ok(),
            )
        })
    });
    group.bench_function("viewer_read_index_ready", |b| {
        b.iter(|| {
            let Ok(loaded) = spindle_formats::read(&bytes, "bench.json", ReadOptions::default())
            else {
                return 0;
            };
            let index = Index::build(&loaded.data);
            let aggregate = FlameLayout::aggregate(&index);
            black_box((index.traces.len(), aggregate.levels.len())).0
        })
    });
    group.finish();
}

criterion_group!(benches, frames, open);
criterion_main!(benches);
