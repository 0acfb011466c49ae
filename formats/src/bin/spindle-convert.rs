//! `spindle-convert`: converts trace files between formats and summarizes them.
//!
//! ```text
//! spindle-convert IN... --to zipkin|otlp|otlp-proto|spindle|chrome -o OUT [--strict] [--summary]
//! spindle-convert IN... --summary [--strict]
//! ```
//!
//! Inputs may be in any format `spindle-formats` reads (detected from the content) and are
//! merged. `-o -` writes to standard output. Exit status: 0 done, 1 an input could not be read
//! or the output not written, 2 a usage error.

use std::collections::BTreeSet;
use std::io::Write;
use std::process::ExitCode;

use spindle_formats::time::rfc3339;
use spindle_formats::{Format, ReadOptions, TraceData, Warning};

const USAGE: &str =
    "usage: spindle-convert IN... --to zipkin|otlp|otlp-proto|spindle|chrome -o OUT [--strict] [--summary]
       spindle-convert IN... --summary [--strict]

  --to FORMAT   write the spans of all inputs in FORMAT: zipkin, otlp (OTLP/JSON), otlp-proto
                (OTLP protobuf), spindle or chrome
  -o, --output OUT  the file to write (- for standard output)
  --summary     print traces, spans, services, time range, errors and warnings
  --strict      fail on the first problem instead of skipping bad spans with a warning
  -h, --help    print this help";

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Zipkin,
    Otlp,
    OtlpProto,
    Spindle,
    Chrome,
}

/// What the command line asks for.
#[derive(Debug, Default)]
struct Command {
    inputs: Vec<String>,
    to: Option<Target>,
    output: Option<String>,
    summary: bool,
    strict: bool,
    help: bool,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = match parse(&args) {
        Ok(command) => command,
        Err(message) => {
            eprintln!("spindle-convert: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if command.help {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    match run(&command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("spindle-convert: {message}");
            ExitCode::FAILURE
        }
    }
}

fn parse(args: &[String]) -> Result<Command, String> {
    let mut command = Command::default();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => (flag, Some(value.to_owned())),
            _ => (arg.as_str(), None),
        };
        let mut value = |name: &str| {
            inline
                .clone()
                .or_else(|| args.next().cloned())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match flag {
            "--to" => command.to = Some(target(&value("--to")?)?),
            "-o" | "--output" => command.output = Some(value(flag)?),
            "--summary" => command.summary = true,
            "--strict" => command.strict = true,
            "-h" | "--help" => command.help = true,
            "-" => command.inputs.push(arg.clone()),
            _ if flag.starts_with('-') => return Err(format!("unknown option {arg}")),
            _ => command.inputs.push(arg.clone()),
        }
    }
    check(command)
}

fn target(name: &str) -> Result<Target, String> {
    match name {
        "zipkin" => Ok(Target::Zipkin),
        "otlp" => Ok(Target::Otlp),
        "otlp-proto" => Ok(Target::OtlpProto),
        "spindle" => Ok(Target::Spindle),
        "chrome" => Ok(Target::Chrome),
        other => Err(format!(
            "unknown output format {other:?} (expected zipkin, otlp, otlp-proto, spindle or chrome)"
        )),
    }
}

/// Checks that the options make sense together.
fn check(command: Command) -> Result<Command, String> {
    if command.help {
        return Ok(command);
    }
    if command.inputs.is_empty() {
        return Err("no input files".into());
    }
    match (command.to, &command.output) {
        (Some(_), None) => Err("--to needs -o OUT (or -o - for standard output)".into()),
        (None, Some(_)) => Err("-o needs --to FORMAT".into()),
        (None, None) if !command.summary => {
            Err("nothing to do: give --to and -o, or --summary".into())
        }
        _ => Ok(command),
    }
}

fn run(command: &Command) -> Result<(), String> {
    let options = ReadOptions {
        strict: command.strict,
    };
    let mut data = TraceData::default();
    let mut formats = Vec::new();
    let mut warnings = Vec::new();
    for input in &command.inputs {
        let loaded = if input == "-" {
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes)
                .map_err(|e| format!("cannot read standard input: {e}"))?;
            spindle_formats::read(&bytes, "<stdin>", options)
        } else {
            spindle_formats::read_file_with(input, options)
        }
        .map_err(|e| e.to_string())?;
        formats.push((input.as_str(), loaded.format));
        warnings.extend(loaded.warnings);
        data.merge(loaded.data);
    }
    for warning in &warnings {
        eprintln!("warning: {warning}");
    }
    if let (Some(to), Some(output)) = (command.to, &command.output) {
        write(to, &data, output)?;
    }
    if command.summary {
        print!("{}", summary(&formats, &data, &warnings));
    }
    Ok(())
}

fn write(to: Target, data: &TraceData, output: &str) -> Result<(), String> {
    let mut bytes = Vec::new();
    let written = match to {
        Target::Zipkin => spindle_formats::write_zipkin(data, &mut bytes),
        Target::Otlp => spindle_formats::write_otlp_json(data, &mut bytes),
        Target::OtlpProto => spindle_formats::write_otlp_proto(data, &mut bytes),
        Target::Spindle => spindle_formats::write_spindle_json(data, &mut bytes),
        Target::Chrome => spindle_formats::write_chrome(data, &mut bytes),
    };
    written.map_err(|e| format!("cannot write {output}: {e}"))?;
    let result = if output == "-" {
        std::io::stdout().write_all(&bytes)
    } else {
        std::fs::write(output, &bytes)
    };
    result.map_err(|e| format!("cannot write {output}: {e}"))
}

/// The summary: inputs, then traces, spans, services, time range, errors and warnings.
fn summary(formats: &[(&str, Format)], data: &TraceData, warnings: &[Warning]) -> String {
    let mut text = String::new();
    for (input, format) in formats {
        text.push_str(&format!("{input}: {format}\n"));
    }
    let traces: BTreeSet<_> = data.spans.iter().map(|s| s.trace_id).collect();
    let services: BTreeSet<&str> = data.spans.iter().map(|s| data.service_name_of(s)).collect();
    let errors = data.spans.iter().filter(|s| s.status.is_error()).count();
    text.push_str(&format!("traces: {}\n", traces.len()));
    text.push_str(&format!("spans: {}\n", data.spans.len()));
    let names: Vec<&str> = services.iter().copied().collect();
    text.push_str(&format!(
        "services: {} ({})\n",
        names.len(),
        names.join(", ")
    ));
    text.push_str(&format!("time range: {}\n", time_range(data)));
    text.push_str(&format!("errors: {errors}\n"));
    text.push_str(&format!("warnings: {}\n", warnings.len()));
    text
}

fn time_range(data: &TraceData) -> String {
    let start = data.spans.iter().map(|s| s.start_unix_nanos).min();
    let end = data.spans.iter().map(|s| s.end_unix_nanos).max();
    match (start, end) {
        (Some(start), Some(end)) => format!(
            "{} to {} ({})",
            rfc3339(start),
            rfc3339(end),
            duration(end.saturating_sub(start))
        ),
        _ => "none (no spans)".into(),
    }
}

/// A duration in milliseconds, or seconds from one second up.
fn duration(nanos: u64) -> String {
    if nanos >= 1_000_000_000 {
        format!("{:.3} s", nanos as f64 / 1e9)
    } else {
        format!("{:.3} ms", nanos as f64 / 1e6)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn parses_conversions_and_summaries() {
        let command = parse(&args("a.json b.json --to=otlp -o out.json --strict")).ok();
        let command = command.unwrap_or_default();
        assert_eq!(command.inputs, ["a.json", "b.json"]);
        assert_eq!(command.to, Some(Target::Otlp));
        assert!(command.strict && !command.summary);
        assert!(parse(&args("a.json --summary")).is_ok());
    }

    #[test]
    fn refuses_what_makes_no_sense() {
        let error = |text: &str| parse(&args(text)).err().unwrap_or_default();
        assert_eq!(
            error("a.json"),
            "nothing to do: give --to and -o, or --summary"
        );
        assert_eq!(
            error("a.json --to otlp"),
            "--to needs -o OUT (or -o - for standard output)"
        );
        assert_eq!(error("--summary"), "no input files");
        assert!(error("a.json --to xml -o b").starts_with("unknown output format \"xml\""));
        assert_eq!(error("a.json --bogus"), "unknown option --bogus");
        assert_eq!(error("a.json -o"), "-o needs a value");
    }
}
