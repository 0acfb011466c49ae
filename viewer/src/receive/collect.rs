//! `spindle-viewer collect`: the receiver without a window. What arrives is written to a file,
//! batch by batch for the line-based formats (so a viewer can tail the file as it grows), or
//! once on exit for Chrome's; one status line a second goes to stderr; Ctrl-C or SIGTERM
//! flushes the file and exits 0.

use std::fmt;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use spindle_formats::TraceData;

use super::config::{ConfigError, ReceiveConfig};
use super::counters::CountersSnapshot;
use super::server::{Endpoint, ListenStatus, Receiver};

/// The usage text of `spindle-viewer collect`.
pub const USAGE: &str = "\
usage: spindle-viewer collect [--listen ADDR] [--zipkin ADDR] [--no-zipkin] [--no-otlp]
                              [--max-body BYTES] -o FILE [--format FORMAT]

Receives spans without a window: OTLP/HTTP (protobuf or JSON) on 127.0.0.1:4318
(POST /v1/traces) and Zipkin v2 JSON on 127.0.0.1:9411 (POST /api/v2/spans), and writes them
to FILE (replacing it).
FORMAT is spindle (the default), otlp or zipkin, written batch by batch as JSON Lines, or
chrome, written on exit. Prints a line a second; Ctrl-C or SIGTERM writes what is left, exits 0.";

/// The file formats `collect` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    Spindle,
    Otlp,
    Zipkin,
    Chrome,
}

impl OutputFormat {
    fn parse(name: &str) -> Option<OutputFormat> {
        match name.to_ascii_lowercase().as_str() {
            "spindle" => Some(OutputFormat::Spindle),
            "otlp" => Some(OutputFormat::Otlp),
            "zipkin" => Some(OutputFormat::Zipkin),
            "chrome" => Some(OutputFormat::Chrome),
            _ => None,
        }
    }

    /// Appending a write per batch makes a file the readers merge (JSON Lines).
    fn appends(self) -> bool {
        !matches!(self, OutputFormat::Chrome)
    }

    fn write(self, data: &TraceData, out: &mut impl Write) -> std::io::Result<()> {
        match self {
            OutputFormat::Spindle => spindle_formats::write_spindle_json(data, out),
            OutputFormat::Otlp => spindle_formats::write_otlp_json(data, out),
            OutputFormat::Zipkin => spindle_formats::write_zipkin(data, out),
            OutputFormat::Chrome => spindle_formats::write_chrome(data, out),
        }
    }
}

/// What `collect` was asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectArgs {
    pub config: ReceiveConfig,
    pub output: PathBuf,
    pub format: OutputFormat,
}

/// Why `collect` could not run or stopped early.
#[derive(Debug)]
pub enum CollectError {
    Usage(String),
    Config(ConfigError),
    /// Neither listener could start.
    NotListening(Vec<String>),
    Write {
        path: PathBuf,
        error: std::io::Error,
    },
}

impl fmt::Display for CollectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CollectError::Usage(message) => write!(f, "{message}\n\n{USAGE}"),
            CollectError::Config(error) => write!(f, "{error}"),
            CollectError::NotListening(reasons) if reasons.is_empty() => {
                f.write_str("nothing to listen on (--no-listen): no spans can arrive")
            }
            CollectError::NotListening(reasons) => write!(f, "{}", reasons.join("; ")),
            CollectError::Write { path, error } => {
                write!(f, "cannot write {}: {error}", path.display())
            }
        }
    }
}

impl std::error::Error for CollectError {}

impl CollectArgs {
    /// Parses the arguments after `collect`.
    pub fn parse(args: Vec<String>) -> Result<CollectArgs, CollectError> {
        let (config, rest) = ReceiveConfig::from_args(args).map_err(CollectError::Config)?;
        let mut output = None;
        let mut format = OutputFormat::Spindle;
        let mut rest = rest.into_iter();
        while let Some(arg) = rest.next() {
            let (name, inline) = match arg.split_once('=') {
                Some((name, value)) if name.starts_with("--") => (name, Some(value.to_owned())),
                _ => (arg.as_str(), None),
            };
            let mut value = || inline.clone().or_else(|| rest.next());
            match name {
                "-o" | "--output" => {
                    let path = value().ok_or_else(|| usage("-o needs a file name"))?;
                    output = Some(PathBuf::from(path));
                }
                "--format" => {
                    let name = value().ok_or_else(|| usage("--format needs a value"))?;
                    format = OutputFormat::parse(&name).ok_or_else(|| {
                        usage(&format!(
                            "unknown format {name:?}; use spindle, otlp, zipkin or chrome"
                        ))
                    })?;
                }
                other => return Err(usage(&format!("unknown argument {other:?}"))),
            }
        }
        let output = output.ok_or_else(|| usage("-o FILE is required"))?;
        Ok(CollectArgs {
            config,
            output,
            format,
        })
    }
}

fn usage(message: &str) -> CollectError {
    CollectError::Usage(message.to_owned())
}

/// What a finished `collect` wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CollectSummary {
    pub counters: CountersSnapshot,
    /// Spans written to the file.
    pub written: u64,
}

/// Runs until `stop` is set, then writes what is left and returns. Status lines go to `log`.
pub fn run(
    args: &CollectArgs,
    stop: &AtomicBool,
    log: &mut impl Write,
) -> Result<CollectSummary, CollectError> {
    for warning in args.config.warnings() {
        let _ = writeln!(log, "{warning}");
    }
    let write_error = |error| CollectError::Write {
        path: args.output.clone(),
        error,
    };
    let file = File::create(&args.output).map_err(write_error)?;
    let mut receiver = Receiver::start(args.config.clone());
    announce(&receiver, log)?;
    let mut out = Output {
        file: BufWriter::with_capacity(1 << 20, file),
        format: args.format,
        pending: TraceData::default(),
        written: 0,
    };
    let mut last_line = Instant::now();
    let mut last_spans = 0;
    while !stop.load(Ordering::SeqCst) {
        if let Ok(batch) = receiver.batches().recv_timeout(Duration::from_millis(100)) {
            out.add(batch.data).map_err(write_error)?;
            while let Ok(batch) = receiver.batches().try_recv() {
                out.add(batch.data).map_err(write_error)?;
            }
            out.flush().map_err(write_error)?;
        }
        if last_line.elapsed() >= Duration::from_secs(1) {
            let snapshot = receiver.snapshot();
            let rate = (snapshot.spans - last_spans) as f64 / last_line.elapsed().as_secs_f64();
            let _ = writeln!(log, "collect: {snapshot}; {rate:.0} spans/s");
            (last_line, last_spans) = (Instant::now(), snapshot.spans);
        }
    }
    receiver.stop(Duration::from_secs(5));
    while let Ok(batch) = receiver.batches().try_recv() {
        out.add(batch.data).map_err(write_error)?;
    }
    out.finish().map_err(write_error)?;
    let counters = receiver.snapshot();
    let _ = writeln!(
        log,
        "collect: stopped; {counters}; {} spans written to {}",
        out.written,
        args.output.display()
    );
    Ok(CollectSummary {
        counters,
        written: out.written,
    })
}

/// Says where it listens; fails when it listens nowhere.
fn announce(receiver: &Receiver, log: &mut impl Write) -> Result<(), CollectError> {
    let mut failures = Vec::new();
    let mut listening = false;
    for endpoint in [Endpoint::Otlp, Endpoint::Zipkin] {
        match receiver.status(endpoint) {
            ListenStatus::Listening(addr) => {
                listening = true;
                let _ = writeln!(log, "collect: {endpoint} receiver listening on {addr}");
            }
            ListenStatus::Failed(error) => {
                let _ = writeln!(log, "collect: {endpoint} receiver off: {error}");
                failures.push(error.to_string());
            }
            ListenStatus::Off | ListenStatus::Stopped => {}
        }
    }
    if listening {
        Ok(())
    } else {
        Err(CollectError::NotListening(failures))
    }
}

/// The file being written.
struct Output {
    file: BufWriter<File>,
    format: OutputFormat,
    /// Everything received, for a format written once on exit.
    pending: TraceData,
    written: u64,
}

impl Output {
    fn add(&mut self, data: TraceData) -> std::io::Result<()> {
        if self.format.appends() {
            self.format.write(&data, &mut self.file)?;
            self.written += data.spans.len() as u64;
        } else {
            self.pending.merge(data);
        }
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }

    fn finish(&mut self) -> std::io::Result<()> {
        if !self.format.appends() {
            let data = std::mem::take(&mut self.pending);
            self.format.write(&data, &mut self.file)?;
            self.written += data.spans.len() as u64;
        }
        self.file.flush()?;
        self.file.get_ref().sync_all()
    }
}

/// `spindle-viewer collect ARGS`: runs until Ctrl-C or SIGTERM.
pub fn main(args: Vec<String>) -> ExitCode {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let result = CollectArgs::parse(args).and_then(|args| {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        if let Err(error) = ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst)) {
            eprintln!("collect: cannot catch Ctrl-C/SIGTERM ({error}); stop it with SIGKILL");
        }
        run(&args, &stop, &mut std::io::stderr())
    });
    match result {
        Ok(_) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("spindle-viewer collect: {error}");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<CollectArgs, CollectError> {
        CollectArgs::parse(args.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn output_and_format_are_read() {
        let args = parse(&[
            "-o",
            "out.jsonl",
            "--format=zipkin",
            "--listen",
            "127.0.0.1:0",
        ])
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(args.output, PathBuf::from("out.jsonl"));
        assert_eq!(args.format, OutputFormat::Zipkin);
        assert_eq!(args.config.otlp.map(|a| a.port()), Some(0));
    }

    #[test]
    fn a_missing_output_or_unknown_format_is_a_usage_error() {
        let message = |args: &[&str]| parse(args).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(message(&[]).starts_with("-o FILE is required"));
        assert!(message(&["-o", "x", "--format", "xml"]).starts_with("unknown format \"xml\""));
        assert!(message(&["-o", "x", "--verbose"]).starts_with("unknown argument"));
    }
}
