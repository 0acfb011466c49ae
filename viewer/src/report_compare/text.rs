//! The comparison as text: a headline, then the call paths whose total or self time per trace
//! changed most, then the added and removed ones.

use std::io::Write;

use crate::analysis::compare::{PathChange, SetComparison, SetSummary};
use crate::units;

use super::{Loaded, Outcome};

pub(super) fn write(
    out: &mut dyn Write,
    a: &Loaded,
    b: &Loaded,
    outcome: &Outcome,
    top: usize,
) -> std::io::Result<()> {
    let sets = outcome.sets();
    let change = outcome
        .duration_change()
        .map_or("slower from nothing".to_string(), |p| format!("{p:+.1}%"));
    writeln!(out, "A {}: {}", a.path.display(), side(&sets.a))?;
    writeln!(out, "B {}: {}", b.path.display(), side(&sets.b))?;
    let per = match outcome {
        Outcome::Traces(..) => "",
        Outcome::Sets(_) => " (means per trace)",
    };
    writeln!(out, "B against A: {change}{per}")?;
    if let Outcome::Traces(tree, _) = outcome {
        let (matched, added, removed) = tree.counts();
        writeln!(
            out,
            "spans: {matched} matched, {added} added, {removed} removed"
        )?;
    }
    let both = |p: &u32| {
        let node = &sets.paths[*p as usize];
        node.a.count > 0 && node.b.count > 0
    };
    for (title, self_time) in [("total time", false), ("self time", true)] {
        let changed: Vec<u32> = sets
            .by_change(self_time)
            .into_iter()
            .filter(both)
            .filter(|&p| diff(&sets.change(p), self_time) != 0.0)
            .take(top)
            .collect();
        writeln!(out, "{title} changed most:")?;
        if changed.is_empty() {
            writeln!(out, "  none")?;
        }
        for p in changed {
            line(out, sets, p, self_time)?;
        }
    }
    for (title, paths) in [("added", sets.added()), ("removed", sets.removed())] {
        writeln!(out, "{title} call paths: {}", paths.len())?;
        for &p in paths.iter().take(top) {
            line(out, sets, p, false)?;
        }
        if paths.len() > top {
            writeln!(out, "  ... {} more", paths.len() - top)?;
        }
    }
    Ok(())
}

fn side(summary: &SetSummary) -> String {
    let traces = if summary.traces == 1 {
        "1 trace".to_string()
    } else {
        format!("{} traces", summary.traces)
    };
    format!(
        "{traces}, {} spans, mean {}",
        summary.spans,
        units::duration(summary.mean_duration() as u64)
    )
}

fn diff(change: &PathChange, self_time: bool) -> f64 {
    if self_time {
        change.self_diff()
    } else {
        change.total_diff()
    }
}

/// `+1.20 ms  3.00 ms → 4.20 ms  calls 1 → 3  svc: op > svc: op`.
fn line(out: &mut dyn Write, sets: &SetComparison, p: u32, self_time: bool) -> std::io::Result<()> {
    let change = sets.change(p);
    let (from, to) = if self_time {
        change.self_per_trace
    } else {
        change.total_per_trace
    };
    let calls = change.calls_per_trace;
    writeln!(
        out,
        "  {:>11}  {:>10} → {:<10}  calls {} → {}  {}",
        units::offset(from as u64, to as u64),
        units::duration(from as u64),
        units::duration(to as u64),
        count(calls.0),
        count(calls.1),
        sets.path_label(p)
    )
}

/// A count per trace: whole numbers plain, means with one decimal.
fn count(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    }
}
