//! `spindle-viewer FILE...`: opens trace files in any format `spindle-formats` reads and prints
//! a summary (the desktop UI replaces this).

use std::collections::HashSet;
use std::process::ExitCode;

fn main() -> ExitCode {
    let paths: Vec<String> = std::env::args().skip(1).collect();
    if paths.is_empty() {
        eprintln!("usage: spindle-viewer FILE...");
        return ExitCode::from(2);
    }
    let mut failed = false;
    for path in &paths {
        match spindle_formats::read_file(path) {
            Ok(loaded) => print_summary(path, &loaded),
            Err(error) => {
                eprintln!("{error}");
                failed = true;
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn print_summary(path: &str, loaded: &spindle_formats::Loaded) {
    let data = &loaded.data;
    let traces: HashSet<_> = data.spans.iter().map(|s| s.trace_id).collect();
    let services: HashSet<_> = data.spans.iter().map(|s| data.service_name_of(s)).collect();
    let errors = data.spans.iter().filter(|s| s.status.is_error()).count();
    let start = data
        .spans
        .iter()
        .map(|s| s.start_unix_nanos)
        .min()
        .unwrap_or(0);
    let end = data
        .spans
        .iter()
        .map(|s| s.end_unix_nanos)
        .max()
        .unwrap_or(0);
    println!("{path} ({:?})", loaded.format);
    println!(
        "  {} spans in {} traces, {} services, {} errors",
        data.spans.len(),
        traces.len(),
        services.len(),
        errors
    );
    println!(
        "  time range: {:.3} ms",
        end.saturating_sub(start) as f64 / 1e6
    );
    for warning in &loaded.warnings {
        println!("  warning: {warning}");
    }
}
