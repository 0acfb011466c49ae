//! `spindle-viewer [FILE...]`: opens trace files (any format `spindle-formats` reads) in the
//! desktop viewer. More files can be opened from the File menu or by dropping them on the window.
//!
//! `spindle-viewer collect [--listen ADDR] [--zipkin ADDR] -o FILE [--format F]`: receives spans
//! over OTLP/HTTP and Zipkin without a window and writes them to FILE (see
//! [`spindle_viewer::receive::collect`]).
#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::ExitCode;

use spindle_viewer::ViewerApp;
use spindle_viewer::eframe;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("collect") {
        return spindle_viewer::receive::collect::main(args.into_iter().skip(1).collect());
    }
    if args.iter().any(|a| a == "-h" || a == "--help") {
        println!(
            "usage: spindle-viewer [FILE...]\n       spindle-viewer collect -o FILE [--listen ADDR] [--zipkin ADDR] [--format F]\n\nOpens trace files (Spindle JSON, Zipkin v2 JSON) in the viewer; `collect` receives spans\nwithout a window and writes them to FILE (see `spindle-viewer collect --help`)."
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
