//! One frame of the timeline of a 100,000-span trace while spans arrive at 100,000 per
//! second over loopback HTTP (issue 13's target: <= 16 ms).
//!
//! A sender thread posts a 1,000-span OTLP protobuf body every 10 ms to the viewer's
//! receiver (its own threads decode them). Each measured frame does what the app's frame
//! does: take what is due from the [`LiveFeed`] (every 250 ms), append it to the document,
//! evict past the retention limit, update the trace list, then lay out, paint and tessellate
//! the timeline of the open 100,000-span trace headless. Most frames only draw; every
//! fifteenth or so also takes in 25,000 spans: those frames are timed on their own too and
//! printed (median and slowest) beside criterion's median over all frames.
//!
//! `cargo bench -p spindle-benches --bench live_frame`

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use spindle_viewer::eframe::egui;
use spindle_viewer::filter::FilteredTraces;
use spindle_viewer::fixture;
use spindle_viewer::focus::Focus;
use spindle_viewer::live::{DEFAULT_RETENTION_SPANS, LiveFeed};
use spindle_viewer::load::Document;
use spindle_viewer::receive::{Endpoint, ReceiveConfig};
use spindle_viewer::views::View;
use spindle_viewer::views::timeline::TimelineView;

mod loopback;

use loopback::{Connection, PROTOBUF, body_request};

/// A body every this often: 1,000 spans each, 100,000 spans a second.
const BODY_EVERY: Duration = Duration::from_millis(10);

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
fn draw(ctx: &egui::Context, doc: &Document, focus: &mut Focus, view: &mut dyn View) -> usize {
    let output = ctx.run_ui(input(), |ui| {
        egui::CentralPanel::default().show(ui, |ui| view.ui(ui, doc, focus));
    });
    ctx.tessellate(output.shapes, output.pixels_per_point).len()
}

/// Posts a body every [`BODY_EVERY`] until `stop`, each with spans never sent before.
fn pace(addr: std::net::SocketAddr, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<u64> {
    std::thread::spawn(move || {
        let mut connection = Connection::open(addr);
        let started = Instant::now();
        let mut sent = 0u64;
        while !stop.load(Ordering::Relaxed) {
            let raw = body_request(
                |d, o| spindle_formats::write_otlp_proto(d, o),
                "/v1/traces",
                PROTOBUF,
                false,
                sent,
            );
            connection.post(&raw);
            sent += 1;
            let due = started + BODY_EVERY * sent as u32;
            std::thread::sleep(due.saturating_duration_since(Instant::now()));
        }
        sent
    })
}

/// The app's frame while receiving: take in what is due, then draw the open trace.
struct LiveFrame {
    feed: LiveFeed,
    doc: Document,
    focus: Focus,
    list: FilteredTraces,
    timeline: TimelineView,
    ctx: egui::Context,
    /// How long each frame that took spans in lasted.
    applying: Vec<Duration>,
}

impl LiveFrame {
    fn run(&mut self) -> usize {
        let started = Instant::now();
        let applied = match self.feed.due(false) {
            Some(batches) => {
                let appended = self.doc.append(batches);
                let evicted = self.doc.evict_oldest(DEFAULT_RETENTION_SPANS);
                self.list.traces_evicted(&evicted.traces);
                let changed: Vec<u32> = match evicted.spans {
                    0 => appended.changed,
                    _ => appended
                        .changed
                        .iter()
                        .filter_map(|&t| evicted.traces.get(t as usize))
                        .collect(),
                };
                self.list.traces_changed(&self.doc, &changed);
                true
            }
            None => false,
        };
        self.focus.refresh(&self.doc);
        let primitives = draw(&self.ctx, &self.doc, &mut self.focus, &mut self.timeline);
        if applied {
            self.applying.push(started.elapsed());
        }
        primitives
    }
}

fn frame_while_ingesting(c: &mut Criterion) {
    let config = ReceiveConfig {
        otlp: "127.0.0.1:0".parse().ok(),
        zipkin: None,
        ..ReceiveConfig::default()
    };
    let feed = LiveFeed::start(config, || {});
    let addr = feed
        .receiver()
        .local_addr(Endpoint::Otlp)
        .expect("otlp listens");
    let doc = Document::from_data(fixture::wide_trace(100_000, 10));
    let mut focus = Focus::default();
    focus.select_trace(&doc, Some(0));
    focus.refresh(&doc);
    let mut live = LiveFrame {
        feed,
        doc,
        focus,
        list: FilteredTraces::default(),
        timeline: TimelineView::default(),
        ctx: egui::Context::default(),
        applying: Vec::new(),
    };
    live.list.rows(&live.doc);
    live.run();
    let stop = Arc::new(AtomicBool::new(false));
    let sender = pace(addr, Arc::clone(&stop));
    let mut group = c.benchmark_group("live_frame_100k_spans");
    group.measurement_time(Duration::from_secs(8));
    group.bench_function("timeline_while_ingesting_100k_per_s", |b| {
        b.iter(|| black_box(live.run()))
    });
    group.finish();
    stop.store(true, Ordering::Relaxed);
    let bodies = sender.join().unwrap_or(0);
    let mut applying = std::mem::take(&mut live.applying);
    applying.sort_unstable();
    let open = live.focus.current(&live.doc).map(|t| t.span_count);
    let at = |q: usize| applying.get(applying.len() * q / 100).copied();
    let over = applying.iter().filter(|d| d.as_millis() > 16).count();
    eprintln!(
        "{bodies} bodies sent ({} spans); document holds {} spans, open trace {open:?} spans; \
         {} frames took spans in: median {:?}, 90% {:?}, 99% {:?}, slowest {:?}, {over} over 16 ms",
        bodies * 1_000,
        live.doc.data.spans.len(),
        applying.len(),
        at(50),
        at(90),
        at(99),
        applying.last(),
    );
}

criterion_group!(benches, frame_while_ingesting);
criterion_main!(benches);
