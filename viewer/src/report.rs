//! `spindle-viewer report FILE... [--trace ID] [--top N] [--json] [--fail-on n+1]`: why each
//! trace is slow, without a window. Per trace (slowest first, or the `N` slowest): duration,
//! critical path, the operations with the most self time, and N+1 findings; as text, or as the
//! JSON documented in the README.
//!
//! Files are loaded by [`crate::load::load_now`], the app's own loader. Exit status: 0; 1 with
//! `--fail-on n+1` when a trace has an N+1 finding; 2 when no input could be read (or the
//! arguments are wrong, or `--trace` names a trace that is not there).

use std::io::Write;
use std::path::PathBuf;

use serde::Serialize;
use spindle_formats::{SpanId, TraceData, TraceId};

use crate::analysis::critical_path::CriticalPath;
use crate::analysis::repeats::{self, NPlusOne, Repeat};
use crate::analysis::stats::{GroupBy, Grouping, Statistics};
use crate::index::{Index, Node, Trace};
use crate::load::load_now;
use crate::units;

pub const USAGE: &str =
    "usage: spindle-viewer report FILE... [--trace ID] [--top N] [--json] [--fail-on n+1]";

const HELP: &str =
    "Prints, per trace (slowest first), its duration, critical path, the operations with the
most self time and N+1 findings, without opening a window.
  --trace ID    only this trace (32 hex digits)
  --top N       only the N slowest traces
  --json        JSON as documented in the README
  --fail-on n+1 exit 1 when a trace has an N+1 finding
Exit status: 0; 1 (--fail-on n+1) on a finding; 2 when no input could be read.";

/// Exit statuses.
pub const EXIT_OK: u8 = 0;
pub const EXIT_FINDING: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

/// Sections and operations the text form lists per trace.
const TEXT_SECTIONS: usize = 20;
const TEXT_OPERATIONS: usize = 5;

/// The parsed command line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    pub paths: Vec<PathBuf>,
    pub trace: Option<TraceId>,
    pub top: Option<usize>,
    pub json: bool,
    pub fail_on_n_plus_one: bool,
}

impl Options {
    /// Parses the arguments after `report`.
    pub fn parse(args: &[String]) -> Result<Options, String> {
        let mut options = Options::default();
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let mut value = |flag: &str| {
                args.next()
                    .ok_or_else(|| format!("{flag} needs a value"))
                    .cloned()
            };
            match arg.as_str() {
                "--json" => options.json = true,
                "--trace" => {
                    let id = value("--trace")?;
                    let parsed = TraceId::from_hex(&id)
                        .map_err(|e| format!("--trace {id}: not a trace id: {e}"))?;
                    options.trace = Some(parsed);
                }
                "--top" => {
                    let n = value("--top")?;
                    let parsed = n
                        .parse()
                        .map_err(|_| format!("--top {n}: not a number of traces"))?;
                    options.top = Some(parsed);
                }
                "--fail-on" => match value("--fail-on")?.as_str() {
                    "n+1" => options.fail_on_n_plus_one = true,
                    other => return Err(format!("--fail-on {other}: only n+1 is known")),
                },
                flag if flag.starts_with("--") => return Err(format!("unknown option {flag}")),
                path => options.paths.push(PathBuf::from(path)),
            }
        }
        if options.paths.is_empty() {
            return Err("no trace file given".into());
        }
        Ok(options)
    }
}

/// Runs the report; returns the exit status.
pub fn run(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    match report(args, out, err) {
        Ok(status) => status,
        Err(message) => {
            // Nowhere left to report a failing stderr.
            let _ = writeln!(err, "spindle-viewer report: {message}");
            EXIT_ERROR
        }
    }
}

fn report(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> Result<u8, String> {
    if args.iter().any(|a| a == "--compare") {
        return Ok(crate::report_compare::run(args, out, err));
    }
    if args.iter().any(|a| a == "-h" || a == "--help") {
        writeln!(out, "{USAGE}\n{}\n\n{HELP}", crate::report_compare::USAGE)
            .map_err(|e| format!("cannot write: {e}"))?;
        return Ok(EXIT_OK);
    }
    let options = Options::parse(args).map_err(|e| format!("{e}\n{USAGE}"))?;
    let document = load_now(&options.paths);
    for problem in &document.problems {
        let kind = if problem.fatal { "error" } else { "warning" };
        let _ = writeln!(err, "spindle-viewer report: {kind}: {}", problem.message);
    }
    if document.files.iter().all(|f| f.format.is_none()) {
        return Err("no input could be read".into());
    }
    let (data, index) = (&document.data, &document.index);
    let traces = select(index, &options)?;
    let summaries: Vec<Summary> = traces
        .into_iter()
        .map(|trace| Summary::of(data, index, trace))
        .collect();
    let written = if options.json {
        write_json(out, data, &summaries)
    } else {
        write_text(out, data, index, &summaries)
    };
    written.map_err(|e| format!("cannot write the report: {e}"))?;
    let found = summaries.iter().any(|s| !s.n_plus_one.is_empty());
    Ok(if options.fail_on_n_plus_one && found {
        EXIT_FINDING
    } else {
        EXIT_OK
    })
}

/// The traces to report: the one asked for, or the slowest first (the `--top` slowest).
fn select<'a>(index: &'a Index, options: &Options) -> Result<Vec<&'a Trace>, String> {
    if let Some(id) = options.trace {
        return index
            .trace(id)
            .map(|t| vec![t])
            .ok_or_else(|| format!("trace {id} is not in the input"));
    }
    let mut traces: Vec<&Trace> = index.traces.iter().collect();
    traces.sort_by(|a, b| {
        b.duration()
            .cmp(&a.duration())
            .then(a.trace_id.cmp(&b.trace_id))
    });
    traces.truncate(options.top.unwrap_or(usize::MAX));
    Ok(traces)
}

/// What the report says about one trace.
struct Summary<'a> {
    trace: &'a Trace,
    path: CriticalPath,
    /// By service, then operation; flattened, most self time first.
    operations: Vec<Operation>,
    n_plus_one: Vec<NPlusOne>,
    repeats: Vec<Repeat>,
}

impl<'a> Summary<'a> {
    fn of(data: &TraceData, index: &Index, trace: &'a Trace) -> Summary<'a> {
        let grouping = Grouping::by(GroupBy::Service).then(GroupBy::Operation);
        let stats = Statistics::of_trace(data, index, trace, &grouping);
        let mut operations: Vec<Operation> = stats
            .groups
            .iter()
            .flat_map(|service| {
                service.subgroups.iter().map(move |op| Operation {
                    service: service.key.clone().unwrap_or_default(),
                    operation: op.key.clone().unwrap_or_default(),
                    count: op.measure.count,
                    total_ns: op.measure.total,
                    self_ns: op.measure.self_total,
                    min_ns: op.measure.min,
                    max_ns: op.measure.max,
                })
            })
            .collect();
        operations.sort_by(|a, b| {
            (b.self_ns, b.total_ns)
                .cmp(&(a.self_ns, a.total_ns))
                .then_with(|| (&a.service, &a.operation).cmp(&(&b.service, &b.operation)))
        });
        let n_plus_one = repeats::n_plus_one(data, index, trace);
        // A run the N+1 findings already report is listed once, as the finding.
        let covered = |r: &Repeat| {
            n_plus_one.iter().any(|f| {
                f.parent == r.parent && (f.calls.contains(&r.first) || f.calls.contains(&r.last))
            })
        };
        let repeats = repeats::repeats(data, index, trace)
            .into_iter()
            .filter(|r| !covered(r))
            .collect();
        Summary {
            path: CriticalPath::of(data, index, trace),
            trace,
            operations,
            n_plus_one,
            repeats,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
struct Operation {
    service: String,
    operation: String,
    count: u64,
    total_ns: u64,
    self_ns: u64,
    min_ns: u64,
    max_ns: u64,
}

#[derive(Serialize)]
struct JsonReport {
    traces: Vec<JsonTrace>,
}

#[derive(Serialize)]
struct JsonTrace {
    trace_id: String,
    duration_ns: u64,
    span_count: usize,
    critical_path: Vec<JsonSection>,
    operations: Vec<Operation>,
    repeats: Vec<JsonRepeat>,
}

#[derive(Serialize)]
struct JsonSection {
    span_id: String,
    start_unix_nanos: u64,
    end_unix_nanos: u64,
}

#[derive(Serialize)]
struct JsonRepeat {
    parent_span_id: String,
    service: String,
    operation: String,
    count: usize,
    total_ns: u64,
    sequential: bool,
}

fn write_json(out: &mut dyn Write, data: &TraceData, summaries: &[Summary]) -> std::io::Result<()> {
    let traces = summaries.iter().map(|s| json_trace(data, s)).collect();
    serde_json::to_writer(&mut *out, &JsonReport { traces })?;
    writeln!(out)
}

fn json_trace(data: &TraceData, summary: &Summary) -> JsonTrace {
    let span_id = |i: u32| data.spans[i as usize].span_id.to_string();
    // The parent's id, or under the placeholder the id the calls name but nobody loaded.
    let parent_id = |parent: Node, first: u32| match parent.span() {
        Some(p) => data.spans[p].span_id.to_string(),
        None => data.spans[first as usize]
            .parent_span_id
            .unwrap_or(SpanId(0))
            .to_string(),
    };
    let service_of = |i: u32| data.service_name_of(&data.spans[i as usize]).to_string();
    let findings = summary.n_plus_one.iter().map(|f| JsonRepeat {
        parent_span_id: parent_id(f.parent, f.calls[0]),
        service: service_of(f.calls[0]),
        operation: f.operation.clone(),
        count: f.count(),
        total_ns: f.total,
        sequential: true,
    });
    let runs = summary.repeats.iter().map(|r| JsonRepeat {
        parent_span_id: parent_id(r.parent, r.first),
        service: service_of(r.first),
        operation: data.spans[r.first as usize].name.to_string(),
        count: r.count,
        total_ns: r.total,
        sequential: r.sequential,
    });
    JsonTrace {
        trace_id: summary.trace.trace_id.to_string(),
        duration_ns: summary.trace.duration(),
        span_count: summary.trace.span_count,
        critical_path: summary
            .path
            .sections
            .iter()
            .map(|s| JsonSection {
                span_id: span_id(s.span),
                start_unix_nanos: s.start,
                end_unix_nanos: s.end,
            })
            .collect(),
        operations: summary.operations.clone(),
        repeats: findings.chain(runs).collect(),
    }
}

fn write_text(
    out: &mut dyn Write,
    data: &TraceData,
    index: &Index,
    summaries: &[Summary],
) -> std::io::Result<()> {
    if summaries.is_empty() {
        writeln!(out, "no traces in the input")?;
    }
    let label = |i: usize| {
        format!(
            "{}: {}",
            index.service_name(index.service_of[i]),
            data.spans[i].name
        )
    };
    for s in summaries {
        let t = s.trace;
        writeln!(
            out,
            "trace {}  {}  {}, {} spans",
            t.trace_id,
            t.label(index),
            units::duration(t.duration()),
            t.span_count
        )?;
        writeln!(
            out,
            "  critical path: {} sections, {}",
            s.path.sections.len(),
            units::duration(s.path.total())
        )?;
        for section in s.path.sections.iter().take(TEXT_SECTIONS) {
            writeln!(
                out,
                "    {:>12}  {:>10}  {}",
                units::offset(t.start, section.start),
                units::duration(section.duration()),
                label(section.span as usize)
            )?;
        }
        if s.path.sections.len() > TEXT_SECTIONS {
            writeln!(
                out,
                "    ... {} more sections",
                s.path.sections.len() - TEXT_SECTIONS
            )?;
        }
        writeln!(out, "  most self time:")?;
        for op in s.operations.iter().take(TEXT_OPERATIONS) {
            writeln!(
                out,
                "    {:>10} self  {:>10} total  {:>6}x  {}: {}",
                units::duration(op.self_ns),
                units::duration(op.total_ns),
                op.count,
                op.service,
                op.operation
            )?;
        }
        if s.n_plus_one.is_empty() {
            writeln!(out, "  no N+1 findings")?;
        }
        for f in &s.n_plus_one {
            let parent = f
                .parent
                .span()
                .map_or("(missing parent)".to_string(), label);
            let share = f.share_of_parent().map_or(String::new(), |x| {
                format!(", {:.0}% of the parent", x * 100.0)
            });
            let statement = f
                .statement
                .as_ref()
                .map_or(String::new(), |s| format!(" [{s}]"));
            writeln!(
                out,
                "  N+1: {}x {}: {}{statement} under {parent}: {}{share}",
                f.count(),
                index.service_name(f.service),
                f.operation,
                units::duration(f.total)
            )?;
        }
    }
    Ok(())
}
