//! Rounds of child processes, one tracer per process, the order rotated every round, and the
//! same rounds again with one CPU-bound thread per core competing ("loaded"), so that ratios
//! come from one run, no tracer's leftover background work slows the next, and medians of
//! three rounds can be quoted.
//!
//! A bench binary calls [`drive`] when it is not a child. Every child is this binary run again
//! with [`CHILD`] naming its case (and [`GROUPS`] limiting the groups in loaded rounds); after
//! each child the driver copies the criterion estimates the child wrote to
//! `<target>/criterion/rounds/<bench>/<idle|loaded>/<round>/<group>__<bench>.json`, with the
//! load average before the child started, for `benches/report.py`.
//!
//! `SPINDLE_BENCH_ROUNDS` (default 3) and `SPINDLE_BENCH_LOADED_ROUNDS` (default 3, 0 for
//! none) set the rounds; command-line words select cases by name.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::time::SystemTime;

use super::criterion_dir;

/// The environment variable naming the case a child runs.
pub const CHILD: &str = "SPINDLE_BENCH_CHILD";
/// The environment variable listing (comma-separated) the groups a child runs (all if unset).
pub const GROUPS: &str = "SPINDLE_BENCH_GROUPS";

/// What to run: this bench's name (for the output folder), its cases (one child process each)
/// and the groups measured again under load.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    pub bench: &'static str,
    pub cases: &'static [&'static str],
    pub loaded_cases: &'static [&'static str],
    pub loaded_groups: &'static str,
}

/// The case this process runs as a child, if it is one.
pub fn child_case() -> Option<String> {
    std::env::var(CHILD).ok()
}

/// True if a child should run `group` (a loaded round runs only some groups).
pub fn wants_group(group: &str) -> bool {
    match std::env::var(GROUPS) {
        Ok(list) => list.split(',').any(|g| g == group),
        Err(_) => true,
    }
}

pub fn env_count(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Runs every round: idle rounds of all cases, then loaded rounds of the loaded cases.
pub fn drive(plan: Plan) {
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let selected = |cases: &[&'static str]| -> Vec<&'static str> {
        cases
            .iter()
            .copied()
            .filter(|c| filters.is_empty() || filters.iter().any(|f| c.contains(f.as_str())))
            .collect()
    };
    let idle = selected(plan.cases);
    let loaded = selected(plan.loaded_cases);
    for round in 0..env_count("SPINDLE_BENCH_ROUNDS", 3) {
        for case in rotated(&idle, round) {
            run_child(plan.bench, "idle", round + 1, case, None);
        }
    }
    for round in 0..env_count("SPINDLE_BENCH_LOADED_ROUNDS", 3) {
        let busy = Busy::start();
        for case in rotated(&loaded, round) {
            run_child(
                plan.bench,
                "loaded",
                round + 1,
                case,
                Some(plan.loaded_groups),
            );
        }
        drop(busy);
    }
}

/// The cases in this round's order: each round starts one case later, so that no tracer
/// always runs first.
pub fn rotated(cases: &[&'static str], round: usize) -> Vec<&'static str> {
    let mut order = cases.to_vec();
    let n = order.len();
    if n > 0 {
        order.rotate_left(round % n);
    }
    order
}

fn run_child(bench: &str, label: &str, round: usize, case: &str, groups: Option<&str>) {
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(e) => return eprintln!("rounds: cannot find this binary: {e}"),
    };
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    eprintln!(
        "== {bench} {label} round {round}: {case} (load {})",
        load.trim()
    );
    let started = SystemTime::now();
    let mut command = Command::new(exe);
    command.arg("--bench").env(CHILD, case);
    if let Some(groups) = groups {
        command.env(GROUPS, groups);
    }
    match command.status() {
        Ok(status) if status.success() => {}
        Ok(status) => return eprintln!("rounds: {case} failed ({status})"),
        Err(e) => return eprintln!("rounds: {case}: cannot start: {e}"),
    }
    let dir = criterion_dir()
        .join("rounds")
        .join(bench)
        .join(label)
        .join(round.to_string());
    if let Err(e) = keep_estimates(&dir, started, case, &load) {
        eprintln!(
            "rounds: cannot keep the estimates in {}: {e}",
            dir.display()
        );
    }
}

/// Copies every criterion estimate written since `started` into `dir`.
fn keep_estimates(dir: &Path, started: SystemTime, case: &str, load: &str) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join(format!("load__{case}.txt")), load)?;
    for (group, bench, file) in estimates(&criterion_dir())? {
        let fresh = std::fs::metadata(&file)?.modified()? >= started;
        if fresh {
            std::fs::copy(&file, dir.join(format!("{group}__{bench}.json")))?;
        }
    }
    Ok(())
}

/// `(group, bench, path)` of every `<group>/<bench>/new/estimates.json`.
fn estimates(criterion: &Path) -> std::io::Result<Vec<(String, String, PathBuf)>> {
    let mut found = Vec::new();
    for group in std::fs::read_dir(criterion)?.flatten() {
        let Ok(benches) = std::fs::read_dir(group.path()) else {
            continue;
        };
        for bench in benches.flatten() {
            let file = bench.path().join("new").join("estimates.json");
            if file.exists() {
                let name = |e: &std::fs::DirEntry| e.file_name().to_string_lossy().into_owned();
                found.push((name(&group), name(&bench), file));
            }
        }
    }
    Ok(found)
}

/// One thread per core spinning until dropped: a busy service's competing work.
pub struct Busy {
    stop: Arc<AtomicBool>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl Busy {
    pub fn start() -> Busy {
        let stop = Arc::new(AtomicBool::new(false));
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let threads = (0..cores)
            .map(|_| {
                let stop = stop.clone();
                std::thread::spawn(move || {
                    let mut x = 1u64;
                    while !stop.load(Relaxed) {
                        for _ in 0..10_000 {
                            x = std::hint::black_box(x.wrapping_mul(6364136223846793005) + 1);
                        }
                    }
                })
            })
            .collect();
        Busy { stop, threads }
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.stop.store(true, Relaxed);
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}
