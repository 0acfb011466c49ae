//! The comparison as JSON (the shape is documented in the README).

use std::io::Write;

use serde::Serialize;

use crate::analysis::compare::{PathMeasure, SetComparison, SetSummary};

use super::{Loaded, Outcome};

#[derive(Serialize)]
struct JsonCompare {
    mode: &'static str,
    a: JsonSide,
    b: JsonSide,
    duration_change_percent: Option<f64>,
    spans: Option<JsonSpans>,
    call_paths: Vec<JsonPath>,
}

#[derive(Serialize)]
struct JsonSide {
    file: String,
    traces: u64,
    spans: u64,
    mean_duration_ns: f64,
}

#[derive(Serialize)]
struct JsonSpans {
    matched: usize,
    added: usize,
    removed: usize,
}

#[derive(Serialize)]
struct JsonStep {
    service: String,
    operation: String,
}

#[derive(Serialize)]
struct JsonPath {
    path: Vec<JsonStep>,
    status: &'static str,
    a: JsonMeasure,
    b: JsonMeasure,
    total_change_ns: f64,
    self_change_ns: f64,
    calls_ratio: Option<f64>,
}

#[derive(Serialize)]
struct JsonMeasure {
    calls: f64,
    total_ns: f64,
    self_ns: f64,
    mean_ns: f64,
}

/// What became of a call path from A to B.
pub(super) fn status(a: &PathMeasure, b: &PathMeasure, changed: bool) -> &'static str {
    match (a.count, b.count) {
        (0, 0) => "same",
        (0, _) => "added",
        (_, 0) => "removed",
        _ if changed => "changed",
        _ => "same",
    }
}

pub(super) fn write(
    out: &mut dyn Write,
    a: &Loaded,
    b: &Loaded,
    outcome: &Outcome,
    top: Option<usize>,
) -> std::io::Result<()> {
    let sets = outcome.sets();
    let side = |loaded: &Loaded, summary: &SetSummary| JsonSide {
        file: loaded.path.display().to_string(),
        traces: summary.traces,
        spans: summary.spans,
        mean_duration_ns: summary.mean_duration(),
    };
    let spans = match outcome {
        Outcome::Traces(tree, _) => {
            let (matched, added, removed) = tree.counts();
            Some(JsonSpans {
                matched,
                added,
                removed,
            })
        }
        Outcome::Sets(_) => None,
    };
    let mut paths: Vec<u32> = sets.by_change(false);
    // The placeholder path of orphans has no spans of its own.
    paths.retain(|&p| {
        let node = &sets.paths[p as usize];
        node.a.count + node.b.count > 0
    });
    paths.truncate(top.unwrap_or(usize::MAX));
    let report = JsonCompare {
        mode: match outcome {
            Outcome::Traces(..) => "traces",
            Outcome::Sets(_) => "sets",
        },
        a: side(a, &sets.a),
        b: side(b, &sets.b),
        duration_change_percent: outcome.duration_change(),
        spans,
        call_paths: paths.iter().map(|&p| json_path(sets, p)).collect(),
    };
    serde_json::to_writer(&mut *out, &report)?;
    writeln!(out)
}

fn json_path(sets: &SetComparison, p: u32) -> JsonPath {
    let node = &sets.paths[p as usize];
    let change = sets.change(p);
    let measure = |side: usize| {
        let pick = |pair: (f64, f64)| if side == 0 { pair.0 } else { pair.1 };
        JsonMeasure {
            calls: pick(change.calls_per_trace),
            total_ns: pick(change.total_per_trace),
            self_ns: pick(change.self_per_trace),
            mean_ns: pick(change.mean_per_call),
        }
    };
    let changed = change.total_diff() != 0.0 || change.self_diff() != 0.0;
    JsonPath {
        path: sets
            .path_keys(p)
            .into_iter()
            .map(|k| JsonStep {
                service: k.service.clone(),
                operation: k.operation.clone(),
            })
            .collect(),
        status: status(
            &node.a,
            &node.b,
            changed || change.calls_ratio() != Some(1.0),
        ),
        a: measure(0),
        b: measure(1),
        total_change_ns: change.total_diff(),
        self_change_ns: change.self_diff(),
        calls_ratio: change.calls_ratio(),
    }
}
