//! `spindle-viewer [FILE...]`: opens trace files (any format `spindle-formats` reads) in the
//! desktop viewer. More files can be opened from the File menu or by dropping them on the window.
#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::ExitCode;

use spindle_formats::Format;
use spindle_viewer::ViewerApp;
use spindle_viewer::eframe;

/// The formats `spindle_formats::read` accepts (Chrome Trace Event JSON is written, not read).
const READABLE: [Format; 4] = [
    Format::Spindle,
    Format::Zipkin,
    Format::Otlp,
    Format::Jaeger,
];

fn usage() -> String {
    let formats: Vec<String> = READABLE.iter().map(Format::to_string).collect();
    format!(
        "usage: spindle-viewer [FILE...]\n\nOpens trace files in the viewer; the format is told from the content: {}.\n\n{}\n\n\
         Prints each trace's duration, critical path, operations with the most self time and\n\
         N+1 findings, without a window (--json: the README's JSON; exit 1 with --fail-on n+1\n\
         when a finding is present, 2 when no input could be read).",
        formats.join(", "),
        spindle_viewer::report::USAGE
    )
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().is_some_and(|a| a == "report") {
        let code =
            spindle_viewer::report::run(&args[1..], &mut std::io::stdout(), &mut std::io::stderr());
        return ExitCode::from(code);
    }
    if args.iter().any(|a| a == "-h" || a == "--help") {
        println!("{}", usage());
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every format the help names is one `read` accepts, and the help names each of them.
    #[test]
    fn help_lists_every_readable_format() {
        let samples: [(&str, &[u8]); 4] = [
            (
                "Spindle JSON",
                br#"{"format":"spindle","version":1,"spans":[]}"#,
            ),
            ("Zipkin v2 JSON", b"[]"),
            ("OTLP/JSON", br#"{"resourceSpans":[]}"#),
            ("Jaeger JSON", br#"{"data":[{"traceID":"1","spans":[]}]}"#),
        ];
        let help = usage();
        for (name, bytes) in samples {
            assert!(help.contains(name), "{name} missing from: {help}");
            let loaded = spindle_formats::read(bytes, "sample", Default::default());
            let format = loaded.map(|l| l.format).map_err(|e| e.to_string());
            assert_eq!(format.map(|f| f.to_string()), Ok(name.to_string()));
        }
        let chrome = spindle_formats::read(br#"{"traceEvents":[]}"#, "sample", Default::default());
        assert!(chrome.is_err(), "Chrome is written, not read");
        assert!(!help.contains("Chrome"));
    }
}
