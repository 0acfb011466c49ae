//! `spindle-viewer [--listen ADDR] [--zipkin ADDR] [--no-listen] [--backend URL [--trace ID]]
//! [FILE...]`: opens trace files (any format `spindle-formats` reads) in the desktop viewer, and
//! receives spans while it runs (OTLP/HTTP on 127.0.0.1:4318 and Zipkin on 127.0.0.1:9411 unless
//! told otherwise). More files can be opened from the File menu or by dropping them on the
//! window. `--backend` names a Jaeger, Tempo or Zipkin server; `--trace` opens that trace
//! from it at start (see [`spindle_viewer::backends`]).
//!
//! `spindle-viewer collect [--listen ADDR] [--zipkin ADDR] -o FILE [--format F]`: receives spans
//! over OTLP/HTTP and Zipkin without a window and writes them to FILE (see
//! [`spindle_viewer::receive::collect`]).
#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::ExitCode;

use spindle_formats::Format;
use spindle_viewer::ViewerApp;
use spindle_viewer::backends;
use spindle_viewer::eframe;
use spindle_viewer::receive::ReceiveConfig;

/// The formats `spindle_formats::read` accepts (Chrome Trace Event JSON is written, not read).
const READABLE: [Format; 5] = [
    Format::Spindle,
    Format::Zipkin,
    Format::Otlp,
    Format::OtlpProto,
    Format::Jaeger,
];

fn usage() -> String {
    let formats: Vec<String> = READABLE.iter().map(Format::to_string).collect();
    format!(
        "usage: spindle-viewer [--listen ADDR] [--zipkin ADDR] [--no-listen]\n                      [--backend URL [--backend-kind K] [--backend-ca FILE] [--trace ID]] [FILE...]\n       spindle-viewer collect -o FILE [--listen ADDR] [--zipkin ADDR] [--format F]\n       {}\n\n\
         Opens trace files in the viewer; the format is told from the content: {}.\n\
         While it runs it receives spans: OTLP/HTTP (protobuf or JSON) on --listen\n\
         (default 127.0.0.1:4318) and Zipkin v2 JSON on --zipkin (default 127.0.0.1:9411);\n\
         --no-listen turns both off, --no-otlp / --no-zipkin one of them.\n\
         --backend URL: a Jaeger query service, Tempo or Zipkin (recognised by probing, or\n\
         --backend-kind jaeger|tempo|zipkin); --trace ID opens that trace from it at start,\n\
         without it File > Open from backend… opens for that URL.\n\
         --backend-ca FILE: trust the CA certificates of a PEM file for an HTTPS backend\n\
         signed by a private CA (instead of the built-in roots).\n\
         Auth for hosted backends: SPINDLE_BACKEND_AUTH=\"bearer TOKEN\" or \"basic USER:PASSWORD\".\n\
         `collect` receives spans without a window and writes them to FILE\n\
         (see `spindle-viewer collect --help`).\n\
         `report` prints each trace's duration, critical path, operations with the most self\n\
         time and N+1 findings, without a window (--json: the README's JSON; exit 1 with\n\
         --fail-on n+1 when a finding is present, 2 when no input could be read).\n\
         `report --compare A B` prints the call paths whose time changed most from A to B\n\
         (exit 1 with --fail-on slower:PCT when B is slower by more than PCT percent).",
        spindle_viewer::report::USAGE.trim_start_matches("usage: "),
        formats.join(", ")
    )
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("collect") {
        return spindle_viewer::receive::collect::main(args.into_iter().skip(1).collect());
    }
    if args.first().is_some_and(|a| a == "report") {
        let code =
            spindle_viewer::report::run(&args[1..], &mut std::io::stdout(), &mut std::io::stderr());
        return ExitCode::from(code);
    }
    if args.iter().any(|a| a == "-h" || a == "--help") {
        println!("{}", usage());
        return ExitCode::SUCCESS;
    }
    let auth = std::env::var(backends::cli::AUTH_ENV).ok();
    let dialog_auth = auth.clone().unwrap_or_default();
    let (backend, args) = match backends::cli::from_args(args, auth) {
        Ok(parsed) => parsed,
        Err(error) => {
            eprintln!("spindle-viewer: {error}\n\n{}", usage());
            return ExitCode::from(2);
        }
    };
    let (receive, rest) = match ReceiveConfig::from_args(args) {
        Ok(parsed) => parsed,
        Err(error) => {
            eprintln!("spindle-viewer: {error}\n\n{}", usage());
            return ExitCode::from(2);
        }
    };
    for warning in receive.warnings() {
        eprintln!("spindle-viewer: {warning}");
    }
    let paths: Vec<PathBuf> = rest.into_iter().map(PathBuf::from).collect();
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
        Box::new(move |cc| {
            let mut app = ViewerApp::new(cc, paths);
            if receive.otlp.is_some() || receive.zipkin.is_some() {
                app.listen(receive);
            }
            if let Some(backend) = backend {
                // The dialog holds the backend either way (to find or open more traces);
                // without --trace it opens, ready to search.
                let dialog = &mut app.backend_dialog;
                (dialog.url, dialog.kind) = (backend.target.url.clone(), backend.target.kind);
                dialog.ca_file = backend
                    .target
                    .ca_file
                    .as_ref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default();
                dialog.auth = dialog_auth;
                if backend.trace.is_none() {
                    app.show_backend_dialog();
                }
                app.open_from_backend(backend.target, backend.trace);
            }
            Ok(Box::new(app))
        }),
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
        let samples: [(&str, &[u8]); 5] = [
            (
                "Spindle JSON",
                br#"{"format":"spindle","version":1,"spans":[]}"#,
            ),
            ("Zipkin v2 JSON", b"[]"),
            ("OTLP/JSON", br#"{"resourceSpans":[]}"#),
            (
                "OTLP/protobuf",
                include_bytes!("../../formats/tests/data/otlp-python.binpb"),
            ),
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
