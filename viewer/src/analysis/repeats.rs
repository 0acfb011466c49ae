//! Repeated calls: runs of consecutive siblings with the same service and operation (for the
//! timeline to collapse), and N+1 findings: at least [`N_PLUS_ONE_MIN`] sequential client or
//! database calls of one parent that share an operation once their statements are normalised.

use std::collections::HashMap;

use spindle_formats::{Span, SpanKind, TraceData};

use crate::index::{Index, Node, Trace};

/// Consecutive siblings needed for a [`Repeat`].
pub const REPEAT_MIN: usize = 3;
/// Sequential calls needed for an [`NPlusOne`] finding.
pub const N_PLUS_ONE_MIN: usize = 5;

/// Consecutive siblings (in start order) with the same service and operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repeat {
    pub parent: Node,
    /// Span indices of the first and last sibling of the run.
    pub first: u32,
    pub last: u32,
    pub count: usize,
    /// Sum of the siblings' durations.
    pub total: u64,
    /// True when no sibling of the run overlaps another.
    pub sequential: bool,
}

/// Calls of one parent that should probably have been one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NPlusOne {
    pub parent: Node,
    /// Span indices of the calls, in start order.
    pub calls: Vec<u32>,
    pub service: u32,
    /// The first call's span name.
    pub operation: String,
    /// The statement shared after normalising, when the calls carry one.
    pub statement: Option<String>,
    /// Sum of the calls' durations.
    pub total: u64,
    /// The parent span's duration (`None` under the 'missing parent' placeholder).
    pub parent_duration: Option<u64>,
}

impl NPlusOne {
    pub fn count(&self) -> usize {
        self.calls.len()
    }

    /// The calls' total as a fraction of the parent's duration.
    pub fn share_of_parent(&self) -> Option<f64> {
        self.parent_duration
            .filter(|&d| d > 0)
            .map(|d| self.total as f64 / d as f64)
    }
}

/// Every run of [`REPEAT_MIN`] or more consecutive siblings, in tree order of their parents.
pub fn repeats(data: &TraceData, index: &Index, trace: &Trace) -> Vec<Repeat> {
    let mut found = Vec::new();
    for &parent in &trace.order {
        let children = index.node_children(trace, parent);
        let same = |a: u32, b: u32| {
            index.service_of[a as usize] == index.service_of[b as usize]
                && data.spans[a as usize].name == data.spans[b as usize].name
        };
        for run in children.chunk_by(|&a, &b| same(a, b)) {
            if run.len() >= REPEAT_MIN {
                found.push(Repeat {
                    parent,
                    first: run[0],
                    last: run[run.len() - 1],
                    count: run.len(),
                    total: run
                        .iter()
                        .map(|&i| data.spans[i as usize].duration_nanos())
                        .sum(),
                    sequential: sequential_len(data, run) == run.len(),
                });
            }
        }
    }
    found
}

/// Every N+1 finding of the trace, in tree order of their parents.
pub fn n_plus_one(data: &TraceData, index: &Index, trace: &Trace) -> Vec<NPlusOne> {
    let mut found = Vec::new();
    for &parent in &trace.order {
        find_under(data, index, trace, parent, &mut found);
    }
    found
}

/// Whether the trace holds an N+1 finding (the trace-list filter "has N+1").
pub fn has_n_plus_one(data: &TraceData, index: &Index, trace: &Trace) -> bool {
    let mut found = Vec::new();
    trace.order.iter().any(|&parent| {
        find_under(data, index, trace, parent, &mut found);
        !found.is_empty()
    })
}

fn find_under(
    data: &TraceData,
    index: &Index,
    trace: &Trace,
    parent: Node,
    found: &mut Vec<NPlusOne>,
) {
    let children = index.node_children(trace, parent);
    if children.len() < N_PLUS_ONE_MIN {
        return;
    }
    // Calls by (service, operation), each list in start order.
    let mut by_operation: HashMap<(u32, String), Vec<u32>> = HashMap::new();
    for &c in children {
        let span = &data.spans[c as usize];
        if let Some(operation) = call_operation(span) {
            by_operation
                .entry((index.service_of[c as usize], operation))
                .or_default()
                .push(c);
        }
    }
    let mut groups: Vec<_> = by_operation.into_iter().collect();
    groups.sort_by_key(|(_, calls)| (data.spans[calls[0] as usize].start_unix_nanos, calls[0]));
    for ((service, _), calls) in groups {
        let mut rest = calls.as_slice();
        while !rest.is_empty() {
            let len = sequential_len(data, rest);
            if len >= N_PLUS_ONE_MIN {
                found.push(finding(data, parent, service, &rest[..len]));
            }
            rest = &rest[len..];
        }
    }
}

fn finding(data: &TraceData, parent: Node, service: u32, calls: &[u32]) -> NPlusOne {
    let first = &data.spans[calls[0] as usize];
    NPlusOne {
        parent,
        calls: calls.to_vec(),
        service,
        operation: first.name.to_string(),
        statement: statement_of(first).map(normalize_statement),
        total: calls
            .iter()
            .map(|&i| data.spans[i as usize].duration_nanos())
            .sum(),
        parent_duration: parent.span().map(|p| data.spans[p].duration_nanos()),
    }
}

/// How many spans at the front of `spans` (in start order) run one after another, each
/// starting no earlier than every one before it ended.
fn sequential_len(data: &TraceData, spans: &[u32]) -> usize {
    let mut end = 0u64;
    for (k, &i) in spans.iter().enumerate() {
        let span = &data.spans[i as usize];
        if k > 0 && span.start_unix_nanos < end {
            return k;
        }
        end = end.max(span.end_unix_nanos);
    }
    spans.len()
}

/// What an outgoing call does: its normalised statement if it has one, else its name; `None`
/// for spans that are neither client nor database calls.
fn call_operation(span: &Span) -> Option<String> {
    let statement = statement_of(span);
    let is_db = statement.is_some()
        || span.attribute("db.system").is_some()
        || span.attribute("db.system.name").is_some();
    if !is_db && span.kind != SpanKind::Client {
        return None;
    }
    Some(match statement {
        Some(text) => normalize_statement(text),
        None => span.name.to_string(),
    })
}

fn statement_of(span: &Span) -> Option<&str> {
    span.attribute("db.query.text")
        .or_else(|| span.attribute("db.statement"))
        .and_then(|v| v.as_str())
}

/// A statement with its literals replaced by `?`: numbers (not digits inside names such as
/// `t1` or `$1`) and single-quoted strings (`''` is a quote inside one); runs of whitespace
/// become one space. Double-quoted text is an SQL identifier and stays as it is.
pub fn normalize_statement(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut prev_word = false;
    while let Some(c) = chars.next() {
        if c == '\'' {
            skip_quoted(&mut chars);
            out.push('?');
            prev_word = false;
        } else if c == '"' {
            out.push(c);
            for d in chars.by_ref() {
                out.push(d);
                if d == '"' {
                    break;
                }
            }
            prev_word = true;
        } else if c.is_ascii_digit() && !prev_word {
            while chars
                .peek()
                .is_some_and(|&d| d.is_ascii_alphanumeric() || d == '.' || d == '_')
            {
                chars.next();
            }
            out.push('?');
            prev_word = false;
        } else if c.is_whitespace() {
            while chars.peek().is_some_and(|d| d.is_whitespace()) {
                chars.next();
            }
            out.push(' ');
            prev_word = false;
        } else {
            out.push(c);
            prev_word = c.is_alphanumeric() || c == '_' || c == '$';
        }
    }
    out.trim().to_string()
}

/// Skips past the closing quote of a single-quoted literal (`''` inside it is a quote).
fn skip_quoted(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(c) = chars.next() {
        if c == '\'' {
            if chars.peek() == Some(&'\'') {
                chars.next();
            } else {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests;
