//! The viewer's speed targets (issue 4):
//! - one frame of the timeline and of the flame graph of a 100,000-span trace, laid out,
//!   painted and tessellated headless (an egui `Context` with no window): target ≤ 8 ms median;
//!   the same with the critical path shown (its bands on every bar, "critical path only", and
//!   narrowed to a time window) (issue 14);
//! - opening a generated 1,000,000-span file, in Spindle JSON, Zipkin and OTLP/JSON (read +
//!   index + aggregate; issue 16: ready in <= 1.5 s) against plain
//!   `serde_json::from_slice::<serde_json::Value>` of the same bytes: target ≤ 1.5×;
//! - peak RSS of a fresh process that opens that file the way the app does (background load,
//!   index, aggregate), relative to the file size (printed, not timed; issue 16: <= 1.5x);
//! - one trace-list filter pass over all its traces with a tag filter (full pass; the app
//!   spreads it over frames of at most ~5 ms);
//! - one frame of the Compare tab (issue 17: target ≤ 8 ms median) showing two merged
//!   100,000-span traces (fan-out 10 against 11), in tree order and biggest difference first,
//!   and of the sets view with two sets of 10,000 traces (the icicle and the table); the
//!   comparison itself runs on its worker first (`analysis` times that).
//!
//! `cargo bench -p spindle-benches --bench viewer` (set `SPINDLE_BENCH_SPANS` to change 1M).

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group};
use spindle_formats::{ReadOptions, TraceData, write_otlp_json, write_spindle_json, write_zipkin};
use spindle_viewer::eframe::egui;
use spindle_viewer::filter::FilteredTraces;
use spindle_viewer::fixture;
use spindle_viewer::focus::Focus;
use spindle_viewer::index::Index;
use spindle_viewer::layout::{FlameKind, FlameLayout};
use spindle_viewer::load::{Document, LoadKind, Loading, Outcome};
use spindle_viewer::views::View;
use spindle_viewer::views::compare::CompareView;
use spindle_viewer::views::flame::FlameView;
use spindle_viewer::views::timeline::TimelineView;

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
    critical_path_frames(c, &ctx, &doc, &mut focus);
}

/// Frames of the same trace with the critical path shown: its bands on the bars and blocks
/// (always drawn), only the spans on it, and narrowed to a tenth of the trace.
fn critical_path_frames(c: &mut Criterion, ctx: &egui::Context, doc: &Document, focus: &mut Focus) {
    let sections = focus.findings.critical.sections.len();
    eprintln!("critical path of the 100k-span trace: {sections} sections");
    let mut group = c.benchmark_group("viewer_frame_100k_spans_critical_path");
    group.measurement_time(Duration::from_secs(5));
    let mut timeline = TimelineView::default();
    frame(ctx, doc, focus, &mut timeline);
    group.bench_function("timeline_bands", |b| {
        b.iter(|| black_box(frame(ctx, doc, focus, &mut timeline)))
    });
    let mut flame = FlameView::new(FlameKind::Trace);
    frame(ctx, doc, focus, &mut flame);
    group.bench_function("flame_graph_bands", |b| {
        b.iter(|| black_box(frame(ctx, doc, focus, &mut flame)))
    });
    focus.set_critical_only(true);
    frame(ctx, doc, focus, &mut timeline);
    group.bench_function("timeline_critical_only", |b| {
        b.iter(|| black_box(frame(ctx, doc, focus, &mut timeline)))
    });
    focus.set_critical_only(false);
    let tenth = focus.timeline.duration / 10;
    focus.set_time_window(doc, Some((4 * tenth, 5 * tenth)));
    frame(ctx, doc, focus, &mut timeline);
    group.bench_function("timeline_time_window", |b| {
        b.iter(|| black_box(frame(ctx, doc, focus, &mut timeline)))
    });
    frame(ctx, doc, focus, &mut flame);
    group.bench_function("flame_graph_time_window", |b| {
        b.iter(|| black_box(frame(ctx, doc, focus, &mut flame)))
    });
    focus.set_time_window(doc, None);
    group.finish();
}

/// Set in the child process that measures peak RSS: the file it opens.
const RSS_CHILD: &str = "SPINDLE_VIEWER_RSS_CHILD";

fn bench_spans() -> usize {
    std::env::var("SPINDLE_BENCH_SPANS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000)
}

/// The formats a 1M-span file is opened in: Spindle JSON (our own) and the two a backend or
/// a Collector's file exporter hands out most.
const OPEN_FORMATS: [(&str, Writer); 3] = [
    ("spindle", |d, out| write_spindle_json(d, out)),
    ("zipkin", |d, out| write_zipkin(d, out)),
    ("otlp_json", |d, out| write_otlp_json(d, out)),
];

type Writer = fn(&TraceData, &mut Vec<u8>) -> std::io::Result<()>;

fn open(c: &mut Criterion) {
    let spans = bench_spans();
    let data = fixture::many_traces(spans / 50, 50);
    let mut spindle_bytes = Vec::new();
    for (format, write) in OPEN_FORMATS {
        let mut bytes = Vec::new();
        if write(&data, &mut bytes).is_err() {
            continue;
        }
        eprintln!(
            "open {format}: {spans} spans, {:.1} MB",
            bytes.len() as f64 / 1e6
        );
        peak_rss(&bytes);
        open_group(c, format, &bytes);
        if format == "spindle" {
            spindle_bytes = bytes;
        }
    }
    drop(data);
    filter_pass(c, &spindle_bytes);
}

/// Opening the file's bytes the app's way (read, index, aggregate) beside plain
/// `serde_json::Value` of them.
fn open_group(c: &mut Criterion, format: &str, bytes: &[u8]) {
    let mut group = c.benchmark_group(format!("open_1m_spans_{format}"));
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(30));
    group.bench_function("serde_json_value", |b| {
        b.iter(|| {
            black_box(
                serde_json::from_slice::<serde_json::Value>(bytes)
                    .map(|_| ())
                    .is_ok(),
            )
        })
    });
    group.bench_function("viewer_read_index_ready", |b| {
        b.iter(|| {
            let Ok(loaded) = spindle_formats::read(bytes, "bench.json", ReadOptions::default())
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

/// A full trace-list pass with a tag filter over every trace of the 1M-span document.
fn filter_pass(c: &mut Criterion, bytes: &[u8]) {
    let Ok(loaded) = spindle_formats::read(bytes, "bench.json", ReadOptions::default()) else {
        return;
    };
    let doc = Document::from_data(loaded.data);
    eprintln!("filter: {} traces", doc.index.traces.len());
    let mut group = c.benchmark_group("trace_list_filter_1m_spans");
    group.sample_size(20);
    for (name, tag, operation) in [
        ("tag_key_value", "peer=cart", ""),
        ("tag_no_match", "n=99999", ""),
        ("operation", "", "publish"),
    ] {
        let mut list = FilteredTraces::default();
        list.filter.tag = tag.into();
        list.filter.operation = operation.into();
        group.bench_function(name, |b| {
            b.iter(|| {
                list.invalidate();
                black_box(list.rows(&doc).len())
            })
        });
    }
    group.finish();
}

/// Writes the file, opens it in a fresh copy of this process (so nothing else counts) and
/// prints that process's peak RSS against the file size.
fn peak_rss(bytes: &[u8]) {
    let path = std::env::temp_dir().join(format!("spindle-viewer-rss-{}.json", std::process::id()));
    if std::fs::write(&path, bytes).is_err() {
        return;
    }
    let child = std::env::current_exe().and_then(|exe| {
        std::process::Command::new(exe)
            .env(RSS_CHILD, &path)
            .output()
    });
    let _ = std::fs::remove_file(&path);
    match child {
        Ok(out) => {
            let report = String::from_utf8_lossy(&out.stdout);
            let peak: f64 = report.trim().parse().unwrap_or(0.0);
            let size = bytes.len() as f64;
            eprintln!(
                "peak RSS after opening the file: {:.1} MB = {:.2}x the file ({:.1} MB)",
                peak / 1e6,
                peak / size,
                size / 1e6
            );
        }
        Err(e) => eprintln!("peak RSS: cannot start the child process: {e}"),
    }
}

/// In the child: open the file like the app (background load, index, aggregate), then print
/// the process's peak resident set size in bytes.
fn rss_child(path: &Path) {
    let loading = Loading::start(vec![PathBuf::from(path)], LoadKind::Open, || {});
    let doc = loop {
        match loading.poll() {
            Some(Outcome::Done(doc)) => break Some(doc),
            Some(Outcome::Cancelled) => break None,
            None => std::thread::sleep(Duration::from_millis(10)),
        }
    };
    let spans = doc.as_ref().map_or(0, |d| d.data.spans.len());
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0);
    eprintln!("child: {spans} spans loaded");
    println!("{}", kb * 1024);
    black_box(doc);
}

/// `b`'s spans as other traces than `a`'s, both in one document.
fn two_sides(a: TraceData, mut b: TraceData) -> Document {
    let mut data = a;
    for span in &mut b.spans {
        span.trace_id.0 += 1 << 64;
        span.resource.0 += data.resources.len() as u32;
    }
    data.resources.extend(b.resources);
    data.spans.extend(b.spans);
    Document::from_data(data)
}

/// Frames the compare view until its worker has answered.
fn until_compared(ctx: &egui::Context, doc: &Document, focus: &mut Focus, view: &mut CompareView) {
    frame(ctx, doc, focus, view);
    while view.is_computing() {
        std::thread::sleep(Duration::from_millis(5));
        frame(ctx, doc, focus, view);
    }
    frame(ctx, doc, focus, view);
}

fn compare_frames(c: &mut Criterion) {
    let ctx = egui::Context::default();
    let doc = two_sides(
        fixture::wide_trace(100_000, 10),
        fixture::wide_trace(100_000, 11),
    );
    let mut focus = Focus::default();
    (focus.compare_a, focus.compare_b) = (Some(0), Some(1));
    let mut view = CompareView::default();
    until_compared(&ctx, &doc, &mut focus, &mut view);
    let mut group = c.benchmark_group("viewer_frame_compare");
    group.measurement_time(Duration::from_secs(5));
    group.bench_function("two_100k_span_traces", |b| {
        b.iter(|| black_box(frame(&ctx, &doc, &mut focus, &mut view)))
    });
    view.by_difference = true;
    frame(&ctx, &doc, &mut focus, &mut view);
    group.bench_function("two_100k_span_traces_by_difference", |b| {
        b.iter(|| black_box(frame(&ctx, &doc, &mut focus, &mut view)))
    });
    let doc = two_sides(
        fixture::many_traces(10_000, 10),
        fixture::many_traces(10_000, 12),
    );
    let mut focus = Focus::default();
    let (a, b): (Vec<u32>, Vec<u32>) = (0..doc.index.traces.len() as u32)
        .partition(|&t| doc.index.traces[t as usize].trace_id.0 >> 64 == 0);
    assert_eq!((a.len(), b.len()), (10_000, 10_000));
    focus.pick_compare_set(0, &a);
    focus.pick_compare_set(1, &b);
    let mut view = CompareView::default();
    until_compared(&ctx, &doc, &mut focus, &mut view);
    group.bench_function("two_sets_of_10k_traces", |b| {
        b.iter(|| black_box(frame(&ctx, &doc, &mut focus, &mut view)))
    });
    group.finish();
}

criterion_group!(benches, frames, compare_frames, open);

fn main() {
    if let Some(path) = std::env::var_os(RSS_CHILD) {
        rss_child(Path::new(&path));
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
