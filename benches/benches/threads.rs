//! One and two producer threads making root + child pairs as fast as they can for a few
//! seconds: spans created per second, spans delivered to the exporter per second, and the
//! delivered fraction (a tracer that is fast because it drops is not fast).
//!
//! The clock runs from the start until the tracer's flush returns, so spans still queued at the
//! end count only once they are delivered. `SPINDLE_BENCH_SECS` sets the duration (default 2).
//! A command-line filter selects cases by name, e.g. `spindle` or `spindle/2`.
//!
//! Each case runs in a process of its own (this binary runs itself again), three rounds
//! (`SPINDLE_BENCH_ROUNDS`) in rotated order; results go to `<target>/criterion/threads/`
//! (the last round) and `threads/rounds/<round>/` for `benches/report.py`.

mod common;

use std::sync::Barrier;
use std::time::{Duration, Instant};

use common::rounds;
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
    /// Drops the tracer counted (None: it does not count them).
    counted_drops: Option<u64>,
    seconds: f64,
}

/// CPU time this thread has run, in nanoseconds (the scheduler's exact accounting).
fn thread_cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// CPU time the producer threads ran (all of them, added up), in nanoseconds: with the pairs
/// made, it says what a span costs a producer whether or not it had a core to itself.
static PRODUCER_CPU_NS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Runs `pair` on `threads` threads until `duration` has passed; returns pairs made.
fn produce(threads: usize, duration: Duration, pair: &(dyn Fn() + Sync)) -> u64 {
    let barrier = Barrier::new(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    barrier.wait();
                    let cpu = thread_cpu_ns();
                    let deadline = Instant::now() + duration;
                    let mut pairs = 0u64;
                    while Instant::now() < deadline {
                        for _ in 0..64 {
                            pair();
                        }
                        pairs += 64;
                    }
                    let used = thread_cpu_ns() - cpu;
                    PRODUCER_CPU_NS.fetch_add(used, std::sync::atomic::Ordering::Relaxed);
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
    let mut counted_drops = None;
    let (pairs, delivered) = match peer {
        Peer::Spindle => {
            let (guard, delivered) = spindle_init(true);
            let pairs = produce(threads, duration, &spindle_pair);
            spindle_flush(&guard);
            counted_drops = Some(guard.stats().dropped());
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
        counted_drops,
        seconds: start.elapsed().as_secs_f64(),
    }
}

/// The cases, each run in a child process of its own: `<tracer>/<threads>`.
const CASES: [&str; 6] = [
    "spindle/1",
    "spindle/2",
    "fastrace/1",
    "fastrace/2",
    "opentelemetry_sdk/1",
    "opentelemetry_sdk/2",
];

fn main() {
    if let Some(case) = rounds::child_case() {
        return println!("{}", run_case(&case));
    }
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let cases: Vec<&str> = CASES
        .iter()
        .copied()
        .filter(|c| filters.is_empty() || filters.iter().any(|f| c.contains(f.as_str())))
        .collect();
    let dir = criterion_dir().join("threads");
    for round in 0..rounds::env_count("SPINDLE_BENCH_ROUNDS", 3) {
        for case in rounds::rotated(&cases, round) {
            let Some(json) = run_child(case) else {
                continue;
            };
            let file = format!("{}.json", case.replace('/', "_"));
            let round_dir = dir.join("rounds").join((round + 1).to_string());
            for (dir, file) in [(&dir, &file), (&round_dir, &file)] {
                if let Err(e) = std::fs::create_dir_all(dir)
                    .and_then(|()| std::fs::write(dir.join(file), &json))
                {
                    eprintln!("cannot write {}: {e}", dir.join(file).display());
                }
            }
        }
    }
}

/// Runs one case in a child process; its JSON line.
fn run_child(case: &str) -> Option<String> {
    let exe = std::env::current_exe().ok()?;
    let output = std::process::Command::new(exe)
        .env(rounds::CHILD, case)
        .output()
        .ok()?;
    if !output.status.success() {
        eprintln!(
            "threads {case} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        return None;
    }
    let line = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    eprintln!("threads {case}: {line}");
    Some(line + "\n")
}

/// Runs `<tracer>/<threads>` here; a JSON line of what it made and delivered.
fn run_case(case: &str) -> String {
    let secs = std::env::var("SPINDLE_BENCH_SECS")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .unwrap_or(2.0);
    let (tracer, threads) = case.split_once('/').unwrap_or((case, "1"));
    let threads: usize = threads.parse().unwrap_or(1);
    let peer = match tracer {
        "fastrace" => Peer::Fastrace,
        "opentelemetry_sdk" => Peer::OpenTelemetry,
        _ => Peer::Spindle,
    };
    let outcome = run(peer, threads, Duration::from_secs_f64(secs));
    let counted = outcome
        .counted_drops
        .map_or("null".to_owned(), |n| n.to_string());
    format!(
        "{{\"name\":\"threads/{}/{threads}\",\"threads\":{threads},\"created\":{},\"delivered\":{},\"counted_drops\":{counted},\"seconds\":{},\"producer_cpu_ns\":{},\"process_cpu_ns\":{},\"load\":\"{}\"}}",
        peer.name(),
        outcome.created,
        outcome.delivered,
        outcome.seconds,
        PRODUCER_CPU_NS.load(std::sync::atomic::Ordering::Relaxed),
        process_cpu_ns(),
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    )
}

/// CPU time of this process so far, exited threads included (user + system from
/// `/proc/self/stat`, in clock ticks of 10 ms), in nanoseconds.
fn process_cpu_ns() -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    (ticks(11) + ticks(12)) * 10_000_000
}
