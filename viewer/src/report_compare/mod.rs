//! `spindle-viewer report --compare A B [--json] [--top N] [--fail-on slower:PCT]`: what
//! changed from file A to file B, without a window. When each file holds one trace the two
//! traces are merged by call path ([`TraceComparison`]); otherwise each file is a set of
//! traces aggregated by call path ([`SetComparison`]), per trace of each set. Either way the
//! call paths whose total or self time changed most are listed, then those added or removed.
//!
//! Exit status: 0; 1 with `--fail-on slower:PCT` when B's (mean) trace duration exceeds A's
//! by more than PCT percent; 2 when a file cannot be read or holds no trace, or on bad
//! arguments.

mod json;
mod text;

use std::io::Write;
use std::path::PathBuf;

use crate::analysis::compare::{SetComparison, Side, TraceComparison, percent_change};
use crate::load::{Document, load_now};
use crate::report::{EXIT_ERROR, EXIT_FINDING, EXIT_OK};

pub const USAGE: &str = "usage: spindle-viewer report --compare A B [--json] [--top N] \
                         [--fail-on slower:PCT]";

const HELP: &str = "Compares trace file B with trace file A by call path (service and operation \
from the root): one trace each is compared as two traces, more as two sets (per trace).
  --json               JSON as documented in the README
  --top N              list N call paths per section (text: 10; JSON: all)
  --fail-on slower:PCT exit 1 when B's mean trace duration exceeds A's by more than PCT %
Exit status: 0; 1 (--fail-on) when B is slower; 2 when a file cannot be read or has no trace.";

const TEXT_TOP: usize = 10;

/// The parsed command line.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Options {
    pub a: PathBuf,
    pub b: PathBuf,
    pub json: bool,
    pub top: Option<usize>,
    pub fail_slower_percent: Option<f64>,
}

impl Options {
    /// Parses the arguments after `report` (one of them `--compare`).
    pub fn parse(args: &[String]) -> Result<Options, String> {
        let mut options = Options::default();
        let mut paths = Vec::new();
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let mut value = |flag: &str| {
                args.next()
                    .ok_or_else(|| format!("{flag} needs a value"))
                    .cloned()
            };
            match arg.as_str() {
                "--compare" => {}
                "--json" => options.json = true,
                "--top" => {
                    let n = value("--top")?;
                    let parsed = n.parse().map_err(|_| format!("--top {n}: not a number"))?;
                    options.top = Some(parsed);
                }
                "--fail-on" => {
                    options.fail_slower_percent = Some(parse_slower(&value("--fail-on")?)?)
                }
                flag if flag.starts_with("--") => {
                    return Err(format!("unknown option {flag} (with --compare)"));
                }
                path => paths.push(PathBuf::from(path)),
            }
        }
        match <[PathBuf; 2]>::try_from(paths) {
            Ok([a, b]) => {
                options.a = a;
                options.b = b;
                Ok(options)
            }
            Err(paths) => Err(format!(
                "--compare needs two files, A and B ({} given)",
                paths.len()
            )),
        }
    }
}

/// `slower:PCT` → PCT.
fn parse_slower(value: &str) -> Result<f64, String> {
    let bad =
        || format!("--fail-on {value}: with --compare only slower:PCT is known (e.g. slower:10)");
    let pct = value.strip_prefix("slower:").ok_or_else(bad)?;
    let pct: f64 = pct.trim_end_matches('%').parse().map_err(|_| bad())?;
    if pct.is_finite() && pct >= 0.0 {
        Ok(pct)
    } else {
        Err(bad())
    }
}

/// Runs the comparison; returns the exit status.
pub fn run(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    match compare(args, out, err) {
        Ok(status) => status,
        Err(message) => {
            // Nowhere left to report a failing stderr.
            let _ = writeln!(err, "spindle-viewer report: {message}");
            EXIT_ERROR
        }
    }
}

/// One side as loaded: its file and document.
pub(crate) struct Loaded {
    pub path: PathBuf,
    pub doc: Document,
}

impl Loaded {
    fn side(&self) -> Side<'_> {
        Side::new(&self.doc.data, &self.doc.index)
    }
}

/// What was compared: two traces, or two sets.
pub(crate) enum Outcome {
    Traces(TraceComparison, SetComparison),
    Sets(SetComparison),
}

impl Outcome {
    pub fn sets(&self) -> &SetComparison {
        match self {
            Outcome::Traces(_, sets) | Outcome::Sets(sets) => sets,
        }
    }

    /// B's mean trace duration against A's, in percent.
    pub fn duration_change(&self) -> Option<f64> {
        let sets = self.sets();
        percent_change(sets.a.mean_duration(), sets.b.mean_duration())
    }
}

fn compare(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> Result<u8, String> {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        writeln!(out, "{USAGE}\n\n{HELP}").map_err(|e| format!("cannot write: {e}"))?;
        return Ok(EXIT_OK);
    }
    let options = Options::parse(args).map_err(|e| format!("{e}\n{USAGE}"))?;
    let a = load(&options.a, "A", err)?;
    let b = load(&options.b, "B", err)?;
    let (ta, tb) = (&a.doc.index.traces, &b.doc.index.traces);
    let sets = SetComparison::of(a.side(), ta, b.side(), tb);
    let outcome = if ta.len() == 1 && tb.len() == 1 {
        Outcome::Traces(
            TraceComparison::of(a.side(), &ta[0], b.side(), &tb[0]),
            sets,
        )
    } else {
        Outcome::Sets(sets)
    };
    let written = if options.json {
        json::write(out, &a, &b, &outcome, options.top)
    } else {
        text::write(out, &a, &b, &outcome, options.top.unwrap_or(TEXT_TOP))
    };
    written.map_err(|e| format!("cannot write the report: {e}"))?;
    let slower = match (options.fail_slower_percent, outcome.duration_change()) {
        (Some(limit), Some(change)) => change > limit,
        // From nothing to something: slower by any percentage.
        (Some(_), None) => true,
        (None, _) => false,
    };
    Ok(if slower { EXIT_FINDING } else { EXIT_OK })
}

/// Loads one side; a file that cannot be read or holds no trace is an error naming it.
fn load(path: &std::path::Path, which: &str, err: &mut dyn Write) -> Result<Loaded, String> {
    let doc = load_now(&[path.to_path_buf()]);
    for problem in &doc.problems {
        let kind = if problem.fatal { "error" } else { "warning" };
        let _ = writeln!(
            err,
            "spindle-viewer report: {which}: {kind}: {}",
            problem.message
        );
    }
    if doc.files.iter().all(|f| f.format.is_none()) {
        return Err(format!("{which} ({}) could not be read", path.display()));
    }
    if doc.index.traces.is_empty() {
        return Err(format!("{which} ({}) holds no trace", path.display()));
    }
    Ok(Loaded {
        path: path.to_path_buf(),
        doc,
    })
}
