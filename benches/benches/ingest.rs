//! Sustained ingest over loopback HTTP: 4 senders on keep-alive connections post 1,000-span
//! bodies (100,000 spans an iteration). Throughput in spans per second (target with
//! protobuf: >= 500,000/s).
//! - `ingest`: into the receiver's decoded-batch channel; an iteration ends when every span
//!   has come out of the channel.
//! - `ingest_live_index`: on into the live index as the app does it: a thread standing in for
//!   the UI thread takes what waits ([`LiveFeed::due`]), appends it to the [`Document`],
//!   evicts past a retention of 300,000 spans and updates a trace list; an iteration ends
//!   when every span is in the document. Each iteration sends spans never sent before
//!   (encoded before its timing starts), so none is dropped as a duplicate.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use spindle_formats::TraceData;
use spindle_viewer::filter::FilteredTraces;
use spindle_viewer::live::LiveFeed;
use spindle_viewer::load::Document;
use spindle_viewer::receive::{Endpoint, ReceiveConfig, Receiver};

mod loopback;

use loopback::{Encode, JSON, PROTOBUF, SPANS_PER_BODY, body_request, send_all};

const SENDERS: usize = 4;
const BODIES_PER_SENDER: usize = 25;
const SPANS_PER_ITERATION: u64 = (SENDERS * BODIES_PER_SENDER * SPANS_PER_BODY) as u64;

/// A receiver whose channel is drained by a thread counting spans.
fn receiver() -> (Receiver, Arc<AtomicU64>) {
    let receiver = Receiver::start(ReceiveConfig {
        otlp: "127.0.0.1:0".parse().ok(),
        zipkin: "127.0.0.1:0".parse().ok(),
        queue_batches: 1024,
        ..ReceiveConfig::default()
    });
    let count = Arc::new(AtomicU64::new(0));
    let batches = receiver.batches().clone();
    let counter = Arc::clone(&count);
    std::thread::spawn(move || {
        for batch in batches.iter() {
            counter.fetch_add(batch.data.spans.len() as u64, Ordering::Relaxed);
        }
    });
    (receiver, count)
}

fn run(addr: SocketAddr, requests: &Arc<Vec<Vec<Vec<u8>>>>, count: &AtomicU64) -> Duration {
    let target = count.load(Ordering::Relaxed) + SPANS_PER_ITERATION;
    let started = Instant::now();
    let threads: Vec<_> = (0..SENDERS)
        .map(|sender| {
            let requests = Arc::clone(requests);
            std::thread::spawn(move || send_all(addr, &requests[sender]))
        })
        .collect();
    for thread in threads {
        thread.join().expect("sender");
    }
    while count.load(Ordering::Relaxed) < target {
        // Yield, not spin: the consumer may need this core (2 cores here).
        std::thread::yield_now();
    }
    started.elapsed()
}

fn ingest(c: &mut Criterion) {
    let (receiver, count) = receiver();
    let otlp = receiver.local_addr(Endpoint::Otlp).expect("otlp listens");
    let zipkin = receiver
        .local_addr(Endpoint::Zipkin)
        .expect("zipkin listens");
    let cases: [(&str, SocketAddr, &str, &str, bool, Encode); 5] = [
        ("otlp_proto", otlp, "/v1/traces", PROTOBUF, false, |d, o| {
            spindle_formats::write_otlp_proto(d, o)
        }),
        (
            "otlp_proto_gzip",
            otlp,
            "/v1/traces",
            PROTOBUF,
            true,
            |d, o| spindle_formats::write_otlp_proto(d, o),
        ),
        ("otlp_json", otlp, "/v1/traces", JSON, false, |d, o| {
            spindle_formats::write_otlp_json(d, o)
        }),
        ("otlp_json_gzip", otlp, "/v1/traces", JSON, true, |d, o| {
            spindle_formats::write_otlp_json(d, o)
        }),
        (
            "zipkin_json",
            zipkin,
            "/api/v2/spans",
            JSON,
            false,
            |d, o| spindle_formats::write_zipkin(d, o),
        ),
    ];
    let mut group = c.benchmark_group("ingest");
    group.throughput(Throughput::Elements(SPANS_PER_ITERATION));
    group.sample_size(10);
    for (name, addr, path, content_type, gzip, encode) in cases {
        let requests: Vec<Vec<Vec<u8>>> = (0..SENDERS)
            .map(|sender| {
                (0..BODIES_PER_SENDER)
                    .map(|b| {
                        let seed = (sender * BODIES_PER_SENDER + b) as u64;
                        body_request(encode, path, content_type, gzip, seed)
                    })
                    .collect()
            })
            .collect();
        let requests = Arc::new(requests);
        group.bench_function(name, |b| {
            b.iter_custom(|iters| (0..iters).map(|_| run(addr, &requests, &count)).sum())
        });
    }
    group.finish();
}

/// Spans the live document keeps (oldest whole traces evicted past it).
const LIVE_RETENTION: usize = 300_000;
/// The requests of iteration `set`: 100,000 spans never sent before (ids and start times
/// after every earlier set's, so the oldest evicted are always earlier sets').
fn fresh_set(encode: Encode, content_type: &str, set: usize) -> Vec<Vec<Vec<u8>>> {
    (0..SENDERS)
        .map(|sender| {
            (0..BODIES_PER_SENDER)
                .map(|b| {
                    let seed = ((set * SENDERS + sender) * BODIES_PER_SENDER + b) as u64;
                    body_request(encode, "/v1/traces", content_type, false, seed)
                })
                .collect()
        })
        .collect()
}

/// The app's side of receiving on its own thread: spans taken into the document, counted.
struct LiveSide {
    addr: SocketAddr,
    taken: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<(usize, u64)>>,
}

impl LiveSide {
    fn start() -> LiveSide {
        let (tx, rx) = std::sync::mpsc::channel();
        let taken = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (count, halt) = (Arc::clone(&taken), Arc::clone(&stop));
        let thread = std::thread::spawn(move || {
            let config = ReceiveConfig {
                otlp: "127.0.0.1:0".parse().ok(),
                zipkin: None,
                queue_batches: 1024,
                ..ReceiveConfig::default()
            };
            let mut feed = LiveFeed::start(config, || {});
            let addr = feed.receiver().local_addr(Endpoint::Otlp);
            tx.send(addr.expect("otlp listens")).expect("address");
            let mut doc = Document::from_data(TraceData::default());
            let mut list = FilteredTraces::default();
            list.rows(&doc);
            let mut duplicates = 0;
            while !halt.load(Ordering::Relaxed) {
                let Some(batches) = feed.due(true) else {
                    std::thread::sleep(Duration::from_micros(200));
                    continue;
                };
                let appended = doc.append(batches);
                duplicates += appended.duplicates;
                let evicted = doc.evict_oldest(LIVE_RETENTION);
                list.traces_evicted(&evicted.traces);
                let changed: Vec<u32> = match evicted.spans {
                    0 => appended.changed,
                    _ => appended
                        .changed
                        .iter()
                        .filter_map(|&t| evicted.traces.get(t as usize))
                        .collect(),
                };
                list.traces_changed(&doc, &changed);
                let arrived = appended.added + appended.duplicates;
                count.fetch_add(arrived as u64, Ordering::Relaxed);
            }
            (duplicates, doc.data.spans.len() as u64)
        });
        let addr = rx.recv().expect("the live side starts");
        LiveSide {
            addr,
            taken,
            stop,
            thread: Some(thread),
        }
    }

    /// Stops the live side; prints what the document held and the duplicates seen.
    fn finish(mut self, name: &str) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some((duplicates, held)) = self.thread.take().and_then(|t| t.join().ok()) {
            eprintln!("{name}: {held} spans held at the end, {duplicates} duplicates");
        }
    }
}

fn ingest_live_index(c: &mut Criterion) {
    let cases: [(&str, &str, Encode); 2] = [
        ("otlp_proto", PROTOBUF, |d, o| {
            spindle_formats::write_otlp_proto(d, o)
        }),
        ("otlp_json", JSON, |d, o| {
            spindle_formats::write_otlp_json(d, o)
        }),
    ];
    let mut group = c.benchmark_group("ingest_live_index");
    group.throughput(Throughput::Elements(SPANS_PER_ITERATION));
    group.sample_size(10);
    for (name, content_type, encode) in cases {
        let live = LiveSide::start();
        let mut next = 0;
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                (0..iters)
                    .map(|_| {
                        // Encoded untimed: spans never sent, newer than all before them.
                        let set = Arc::new(fresh_set(encode, content_type, next));
                        next += 1;
                        run(live.addr, &set, &live.taken)
                    })
                    .sum()
            })
        });
        live.finish(name);
    }
    group.finish();
}

criterion_group!(benches, ingest, ingest_live_index);
criterion_main!(benches);
