//! One and two producer threads making root + child pairs as fast as they can for a few
//! seconds: spans created per second, spans delivered to the exporter per second, and the
//! delivered fraction (a tracer that is fast because it drops is not fast).
//!
//! The clock runs from the start until the tracer's flush returns, so spans still queued at the
//! end count only once they are delivered. `SPINDLE_BENCH_SECS` sets the duration (default 2).
//! A command-line filter (as for criterion) selects cases by name, e.g. `threads/spindle`.

mod common;

use std::sync::Barrier;
use std::time::{Duration, Instant};

use common::*;

#[derive(Debug, Clone, Copy)]
enum Peer {
    Spindle,
    Fastrace,
    OpenTelemetry,
}

impl Peer {
    fn name(self) -> &'static str {
        match self {
            Peer::Spindle => "spindle",
            Peer::Fastrace => "fastrace",
            Peer::OpenTelemetry => "opentelemetry_sdk",
        }
    }
}

struct Outcome {
    created: u64,
    delivered: u64,
    seconds: f64,
}

/// Runs `pair` on `threads` threads until `duration` has passed; returns pairs made.
fn produce(threads: usize, duration: Duration, pair: &(dyn Fn() + Sync)) -> u64 {
    let barrier = Barrier::new(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    barrier.wait();
                    let deadline = Instant::now() + duration;
                    let mut pairs = 0u64;
                    while Instant::now() < deadline {
                        for _ in 0..64 {
                            pair();
                        }
                        pairs += 64;
                    }
                    pairs
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("producer"))
            .sum()
    })
}

fn run(peer: Peer, threads: usize, duration: Duration) -> Outcome {
    let start = Instant::now();
    let (pairs, delivered) = match peer {
        Peer::Spindle => {
            let (guard, delivered) = spindle_init(true);
            let pairs = produce(threads, duration, &spindle_pair);
            spindle_flush(&guard);
            (pairs, delivered.get())
        }
        Peer::Fastrace => {
            let delivered = fastrace_init();
            let before = delivered.get();
            let pairs = produce(threads, duration, &|| fastrace_pair(true));
            fastrace_flush();
            (pairs, delivered.get() - before)
        }
        Peer::OpenTelemetry => {
            use opentelemetry::trace::TracerProvider;
            let (provider, delivered) = otel_provider(true);
            let tracer = provider.tracer("bench");
            let pairs = produce(threads, duration, &|| otel_pair(&tracer));
            otel_flush(&provider);
            let _ = provider.shutdown();
            (pairs, delivered.get())
        }
    };
    Outcome {
        created: pairs * 2,
        delivered,
        seconds: start.elapsed().as_secs_f64(),
    }
}

fn main() {
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let secs = std::env::var("SPINDLE_BENCH_SECS")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .unwrap_or(2.0);
    let duration = Duration::from_secs_f64(secs);
    let dir = criterion_dir().join("threads");
    for peer in [Peer::Spindle, Peer::Fastrace, Peer::OpenTelemetry] {
        let mut one_thread = None;
        for threads in [1, 2] {
            let name = format!("threads/{}/{threads}", peer.name());
            if !filters.is_empty() && !filters.iter().any(|f| name.contains(f.as_str())) {
                continue;
            }
            let outcome = run(peer, threads, duration);
            let delivered_rate = outcome.delivered as f64 / outcome.seconds;
            let created_rate = outcome.created as f64 / outcome.seconds;
            let fraction = outcome.delivered as f64 / outcome.created.max(1) as f64;
            let scaling = match (threads, one_thread) {
                (2, Some(one)) => format!(", {:.2}x one thread", delivered_rate / one),
                _ => String::new(),
            };
            if threads == 1 {
                one_thread = Some(delivered_rate);
            }
            println!(
                "{name:<32} created {:>7.2} M spans/s, delivered {:>7.2} M spans/s \
                 ({:.1}% of {} spans){scaling}",
                created_rate / 1e6,
                delivered_rate / 1e6,
                fraction * 100.0,
                outcome.created,
            );
            let json = format!(
                "{{\"name\":\"{name}\",\"threads\":{threads},\"created\":{},\"delivered\":{},\"seconds\":{}}}\n",
                outcome.created, outcome.delivered, outcome.seconds
            );
            let file = dir.join(format!("{}_{threads}.json", peer.name()));
            if let Err(e) = std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&file, json))
            {
                eprintln!("cannot write {}: {e}", file.display());
            }
        }
    }
}
