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
mod tests {
    use super::*;
    use crate::analysis::testing::{at, call, indexed, span};
    use spindle_formats::KeyValue;

    /// A database call under span 1 on svc1 with the given statement.
    fn query(id: u64, t: (u64, u64), statement: &str) -> Span {
        call(
            id,
            1,
            t,
            1,
            "SELECT orders",
            SpanKind::Client,
            vec![
                KeyValue::new("db.system.name", "postgresql"),
                KeyValue::new("db.query.text", statement.to_string()),
            ],
        )
    }

    /// `n` calls under a 1000 ns root, each 10 ns, `step` apart starting at 100.
    fn queries(n: u64, step: u64, statement: impl Fn(u64) -> String) -> Vec<Span> {
        let mut spans = vec![span(1, None, 0, 1000)];
        spans.extend((0..n).map(|k| {
            let start = 100 + k * step;
            query(10 + k, (start, start + 10), &statement(k))
        }));
        spans
    }

    fn findings(spans: Vec<Span>) -> Vec<NPlusOne> {
        let (data, index) = indexed(spans);
        let found = n_plus_one(&data, &index, &index.traces[0]);
        assert_eq!(
            has_n_plus_one(&data, &index, &index.traces[0]),
            !found.is_empty()
        );
        found
    }

    #[test]
    fn five_sequential_queries_differing_only_in_literals_are_one_finding() {
        let spans = queries(6, 20, |k| {
            format!("SELECT * FROM orders WHERE id = {k} AND note = 'n{k}''s'")
        });
        let (data, index) = indexed(spans.clone());
        let found = findings(spans);
        assert_eq!(found.len(), 1);
        let f = &found[0];
        assert_eq!(f.count(), 6);
        assert_eq!(f.total, 60);
        assert_eq!(f.parent, Node(at(&data, 1)));
        assert_eq!(f.operation, "SELECT orders");
        assert_eq!(index.service_name(f.service), "svc1");
        assert_eq!(
            f.statement.as_deref(),
            Some("SELECT * FROM orders WHERE id = ? AND note = ?")
        );
        assert_eq!(f.share_of_parent(), Some(0.06));
    }

    #[test]
    fn four_calls_are_not_enough() {
        assert!(findings(queries(4, 20, |k| format!("SELECT {k}"))).is_empty());
    }

    #[test]
    fn parallel_calls_are_not_n_plus_one() {
        // Ten calls, each starting 5 ns after the previous one: every one overlaps the next.
        assert!(findings(queries(10, 5, |k| format!("SELECT {k}"))).is_empty());
    }

    #[test]
    fn different_statements_are_different_operations() {
        let tables = ["orders", "items", "users"];
        let spans = queries(9, 20, |k| {
            format!("SELECT * FROM {}", tables[k as usize % 3])
        });
        assert!(findings(spans).is_empty(), "three of each");
    }

    #[test]
    fn interleaved_operations_are_each_found() {
        // orders, items, orders, items, ...: five of each, sequential.
        let spans = queries(10, 20, |k| {
            let table = if k % 2 == 0 { "orders" } else { "items" };
            format!("SELECT * FROM {table} WHERE id = {k}")
        });
        let found = findings(spans);
        let statements: Vec<_> = found.iter().map(|f| f.statement.as_deref()).collect();
        assert_eq!(
            statements,
            [
                Some("SELECT * FROM orders WHERE id = ?"),
                Some("SELECT * FROM items WHERE id = ?")
            ]
        );
    }

    #[test]
    fn a_sequential_run_ends_where_calls_start_to_overlap() {
        // Six sequential calls, then six overlapping ones: one finding of six.
        let mut spans = queries(6, 20, |k| format!("SELECT * FROM orders WHERE id = {k}"));
        spans.extend(
            (0..6).map(|k| query(30 + k, (300 + k * 5, 310 + k * 5), "SELECT * FROM items")),
        );
        let found = findings(spans);
        assert_eq!(found.iter().map(NPlusOne::count).collect::<Vec<_>>(), [6]);
    }

    #[test]
    fn internal_spans_repeat_but_are_not_calls() {
        let mut spans = vec![span(1, None, 0, 1000)];
        spans.extend((0..6).map(|k| {
            let start = 100 + k * 20;
            call(
                10 + k,
                1,
                (start, start + 10),
                0,
                "render",
                SpanKind::Internal,
                Vec::new(),
            )
        }));
        let (data, index) = indexed(spans.clone());
        assert!(findings(spans).is_empty());
        let found = repeats(&data, &index, &index.traces[0]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].count, 6);
        assert!(found[0].sequential);
    }

    #[test]
    fn client_calls_without_a_statement_share_their_name() {
        let mut spans = vec![span(1, None, 0, 1000)];
        spans.extend((0..5).map(|k| {
            let start = 100 + k * 20;
            call(
                10 + k,
                1,
                (start, start + 10),
                2,
                "cache.get",
                SpanKind::Client,
                Vec::new(),
            )
        }));
        let found = findings(spans);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].statement, None);
    }

    #[test]
    fn orphan_calls_are_found_under_the_placeholder() {
        let spans: Vec<Span> = queries(5, 20, |k| format!("SELECT {k}"))
            .into_iter()
            .skip(1)
            .collect();
        let found = findings(spans);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].parent, Node::MISSING_PARENT);
        assert_eq!(found[0].share_of_parent(), None);
    }

    #[test]
    fn runs_of_three_or_more_consecutive_siblings_are_repeats() {
        let get = |id, t: (u64, u64)| call(id, 1, t, 2, "get", SpanKind::Client, Vec::new());
        let spans = vec![
            span(1, None, 0, 1000),
            get(2, (10, 20)),
            get(3, (15, 30)),
            get(4, (30, 40)),
            get(5, (40, 45)),
            call(6, 1, (50, 60), 1, "SELECT", SpanKind::Client, Vec::new()),
            get(7, (60, 70)),
            get(8, (70, 80)),
        ];
        let (data, index) = indexed(spans);
        let found = repeats(&data, &index, &index.traces[0]);
        assert_eq!(
            found,
            [Repeat {
                parent: Node(at(&data, 1)),
                first: at(&data, 2),
                last: at(&data, 5),
                count: 4,
                total: 10 + 15 + 10 + 5,
                sequential: false,
            }]
        );
    }

    #[test]
    fn statements_lose_numbers_and_quoted_literals_only() {
        let cases = [
            (
                "SELECT * FROM t1 WHERE id = 42",
                "SELECT * FROM t1 WHERE id = ?",
            ),
            (
                "SELECT a FROM b WHERE x IN (1, 2.5, 0x1f)",
                "SELECT a FROM b WHERE x IN (?, ?, ?)",
            ),
            (
                "WHERE name = 'it''s' AND n = -7",
                "WHERE name = ? AND n = -?",
            ),
            (
                "SELECT \"order 1\"\n\t FROM  x",
                "SELECT \"order 1\" FROM x",
            ),
            ("WHERE s = 'unterminated", "WHERE s = ?"),
            ("SELECT $1, col_2", "SELECT $1, col_2"),
        ];
        for (text, normal) in cases {
            assert_eq!(normalize_statement(text), normal, "{text}");
        }
    }
}
