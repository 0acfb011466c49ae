//! `spindle-viewer [FILE...]`: opens trace files (any format `spindle-formats` reads) in the
//! desktop viewer. More files can be opened from the File menu or by dropping them on the window.
#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::ExitCode;

use spindle_viewer::ViewerApp;
use spindle_viewer::eframe;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().is_some_and(|a| a == "report") {
        let code =
            spindle_viewer::report::run(&args[1..], &mut std::io::stdout(), &mut std::io::stderr());
        return ExitCode::from(code);
    }
    if args.iter().any(|a| a == "-h" || a == "--help") {
        println!(
            "usage: spindle-viewer [FILE...]\n\nOpens trace files (Spindle JSON, Zipkin v2 JSON) in the viewer.\n\n{}\n\nPrints each trace's duration, critical path, operations with the most self time and\nN+1 findings, without a window (--json: the README's JSON; exit 1 with --fail-on n+1\nwhen a finding is present, 2 when no input could be read).",
            spindle_viewer::report::USAGE
        );
        return ExitCode::SUCCESS;
    }
    let paths: Vec<PathBuf> = args.into_iter().map(PathBuf::from).collect();
    let options = eframe::NativeOptions {
        viewport: eframe::egui::ViewportBuilder::default()
            .with_title("Spindle viewer")
            .with_inner_size([1280.0, 800.0])
            .with_drag_and_drop(true),
        ..Default::default()
    };
    let result = eframe::run_native(
        "Spindle viewer",
        options,
        Box::new(move |cc| Ok(Box::new(ViewerApp::new(cc, paths)))),
    );
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("spindle-viewer: {error}");
            ExitCode::FAILURE
        }
    }
}
