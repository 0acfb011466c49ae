//! Whole-process CPU per span of the OTLP/HTTP exporter, protobuf beside JSON (issue 12's
//! target: protobuf at most half of JSON), in the manner of `benches/benches/process.rs`:
//! each case runs alone in a child process (this binary runs itself again) at a paced load
//! (`SPINDLE_BENCH_PACED_RATE` pairs of a root and a child per second, default 50,000, for
//! `SPINDLE_BENCH_PACED_SECS`, default 3) with the real `OtlpHttpExporter` posting to a
//! receiver in the parent that reads each body and discards it. Reported: the child's CPU time
//! (every thread: the application's and the exporter's, encoding, gzip and HTTP included) per
//! span, less the CPU of the same paced loop with no tracer; the median of
//! `SPINDLE_BENCH_RUNS` (default 3) runs. The `discard` case is the tracer with a sink that
//! takes batches and does nothing: the part of every case that is not the exporter's; the
//! `encode-only` cases encode each batch with the exporter's codec into a reused buffer and
//! send nothing, which tells encoding from HTTP.
//!
//! It lives in the tracer crate, not `benches/`, so that running it builds no peer and no
//! viewer: `cargo bench -p spindle --bench otlp_export`. Results go to
//! `<target>/criterion/otlp_export/` as JSON lines, and a summary with the ratio to stdout.

use std::process::Command;
use std::time::{Duration, Instant};

use spindle::{Config, OtlpHttpExporter, OtlpProtocol};

/// The environment variable that makes this binary run one case as a child.
const CHILD: &str = "SPINDLE_OTLP_BENCH_CASE";
const URL: &str = "SPINDLE_OTLP_BENCH_URL";
const CASES: [&str; 8] = [
    "none",
    "discard",
    "encode-only/protobuf",
    "encode-only/json",
    "http/protobuf",
    "http/json",
    "http/protobuf+gzip",
    "http/json+gzip",
];

fn main() {
    if let Ok(case) = std::env::var(CHILD) {
        println!("{}", child(&case));
        std::process::exit(0);
    }
    let receiver = discarding_receiver();
    let runs = env_number("SPINDLE_BENCH_RUNS", 3.0).max(1.0) as usize;
    let mut medians = Vec::new();
    for case in CASES {
        let mut samples: Vec<(f64, u64)> = (0..runs)
            .filter_map(|_| run_child(case, &receiver.0))
            .collect();
        if samples.is_empty() {
            eprintln!("otlp_export {case}: no run succeeded");
            return;
        }
        samples.sort_by(|a, b| a.0.total_cmp(&b.0));
        medians.push((case, samples[samples.len() / 2]));
    }
    summarize(&medians);
}

/// A receiver on 127.0.0.1 that reads each request, answers 200 and forgets it.
fn discarding_receiver() -> (String, std::thread::JoinHandle<()>) {
    let server = match tiny_http::Server::http("127.0.0.1:0") {
        Ok(server) => server,
        Err(e) => panic!("cannot listen on 127.0.0.1: {e}"),
    };
    let port = server.server_addr().to_ip().map_or(0, |a| a.port());
    let thread = std::thread::spawn(move || {
        let mut sink = Vec::new();
        for mut request in server.incoming_requests() {
            sink.clear();
            let _ = request.as_reader().read_to_end(&mut sink);
            let _ = request.respond(tiny_http::Response::empty(200));
        }
    });
    (format!("http://127.0.0.1:{port}"), thread)
}

/// Runs one case in a child; returns its CPU nanoseconds and spans exported.
fn run_child(case: &str, url: &str) -> Option<(f64, u64)> {
    let exe = std::env::current_exe().ok()?;
    let output = Command::new(exe)
        .env(CHILD, case)
        .env(URL, url)
        .output()
        .ok()?;
    let line = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    if !output.status.success() {
        eprintln!(
            "otlp_export {case} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        return None;
    }
    eprintln!("otlp_export {case}: {line}");
    let dir = target_dir().join("criterion").join("otlp_export");
    let file = dir.join(format!("{}.json", case.replace('/', "_")));
    let _ = std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(file, format!("{line}\n")));
    let field = |name: &str| -> Option<f64> {
        let rest = line.split(&format!("\"{name}\":")).nth(1)?;
        rest.split([',', '}']).next()?.parse().ok()
    };
    Some((field("cpu_ns")?, field("exported")? as u64))
}

fn summarize(medians: &[(&str, (f64, u64))]) {
    let baseline = medians
        .iter()
        .find(|(c, _)| *c == "none")
        .map_or(0.0, |m| m.1.0);
    let pairs = paced_pairs() as f64;
    let per_span = |case: &str| {
        let (cpu, _) = medians.iter().find(|(c, _)| *c == case)?.1;
        Some((cpu - baseline) / (2.0 * pairs))
    };
    println!("otlp_export: whole-process CPU per span above the untraced loop (median)");
    for (case, (_, exported)) in medians.iter().filter(|(c, _)| *c != "none") {
        let ns = per_span(case).unwrap_or(f64::NAN);
        println!("  {case:<20} {ns:>8.0} ns/span  ({exported} spans exported)");
    }
    for suffix in ["", "+gzip"] {
        let protobuf = per_span(&format!("http/protobuf{suffix}"));
        let json = per_span(&format!("http/json{suffix}"));
        if let (Some(p), Some(j)) = (protobuf, json) {
            println!(
                "  protobuf / json{suffix}: {:.2} (target: at most 0.50)",
                p / j
            );
        }
    }
}

fn child(case: &str) -> String {
    let url = std::env::var(URL).unwrap_or_default();
    let guard = (case != "none").then(|| {
        match case {
            "discard" => return spindle::init(Config::new().exporter(Discard(None, Vec::new()))),
            "encode-only/protobuf" | "encode-only/json" => {
                let json = case.ends_with("json");
                let sink = Discard(Some(json), Vec::new());
                return spindle::init(Config::new().exporter(sink));
            }
            _ => {}
        }
        let (name, gzip) = case
            .split_once('+')
            .map_or((case, false), |(n, _)| (n, true));
        let protocol: OtlpProtocol = name.parse().unwrap_or_default();
        let otlp = OtlpHttpExporter::new(&url).protocol(protocol).gzip(gzip);
        spindle::init(Config::new().service_name("otlp-bench").exporter(otlp))
    });
    let guard = match guard.transpose() {
        Ok(guard) => guard,
        Err(e) => return format!("{{\"error\":\"{e}\"}}"),
    };
    let pairs = paced_pairs();
    let per_ms = pairs / ticks();
    let cpu_before = process_cpu_ns();
    let start = Instant::now();
    for tick in 1..=ticks() {
        (0..per_ms).for_each(|_| pair());
        let next = start + Duration::from_millis(tick);
        if let Some(wait) = next.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
    }
    let exported = guard.as_ref().map_or(0, |g| {
        let _ = g.flush(Duration::from_secs(60));
        g.stats().spans_exported
    });
    let cpu = process_cpu_ns() - cpu_before;
    format!(
        "{{\"case\":\"{case}\",\"pairs\":{pairs},\"exported\":{exported},\"cpu_ns\":{cpu},\"seconds\":{:.3}}}",
        start.elapsed().as_secs_f64()
    )
}

/// A sink that takes every batch and, if told an encoding (`Some(json)`), encodes it into a
/// reused buffer, then forgets it.
#[derive(Debug)]
struct Discard(Option<bool>, Vec<u8>);

impl spindle::SpanExporter for Discard {
    fn export(&mut self, batch: spindle::SpanBatch<'_>) -> Result<(), spindle::ExportError> {
        self.1.clear();
        match self.0 {
            None => {}
            Some(false) => spindle_formats::otlp_proto::encode(batch, &mut self.1),
            Some(true) => {
                let _ = spindle_formats::otlp_json::write(batch, &mut self.1);
            }
        }
        std::hint::black_box(&self.1);
        Ok(())
    }
}

/// A request's worth of work: a server span with a client child and two attributes.
fn pair() {
    spindle::in_span("GET /cart", || {
        let mut child = spindle::Span::new("SELECT cart");
        child.set_attribute("http.method", "GET");
        child.set_attribute("http.status_code", 200);
    });
}

fn ticks() -> u64 {
    (env_number("SPINDLE_BENCH_PACED_SECS", 3.0) * 1000.0) as u64
}

fn paced_pairs() -> u64 {
    let per_ms = (env_number("SPINDLE_BENCH_PACED_RATE", 50_000.0) as u64 / 1000).max(1);
    per_ms * ticks()
}

fn env_number(name: &str, default: f64) -> f64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn target_dir() -> std::path::PathBuf {
    if let Ok(dir) = std::env::var("CARGO_TARGET_DIR") {
        return dir.into();
    }
    let exe = std::env::current_exe().unwrap_or_default();
    // <target>/release/deps/otlp_export-<hash>
    exe.ancestors()
        .nth(3)
        .map_or_else(|| "target".into(), Into::into)
}

/// CPU time of every live thread of this process, in nanoseconds (the scheduler's exact
/// per-thread accounting).
fn process_cpu_ns() -> u64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0;
    };
    tasks
        .filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("schedstat")).ok())
        .filter_map(|stat| stat.split_whitespace().next()?.parse::<u64>().ok())
        .sum()
}
