//! Searching a backend for traces through its own search API: Jaeger `/api/v3/traces` (or
//! the legacy `/api/traces`, see `jaeger_search.rs`), Tempo `/api/search`, Zipkin
//! `/api/v2/traces`. Traces in the answers (Jaeger, Zipkin) are read by
//! `spindle_formats::read`; Tempo's answer is a list of summaries, not spans.

use std::collections::HashMap;
use std::time::Duration;

use spindle_formats::{ReadOptions, TraceData, TraceId};

use super::progress::Progress;
use super::{Backend, BackendError, Connection};

/// What to search for; empty fields do not narrow the search.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    /// The service (required by Jaeger and Zipkin).
    pub service: String,
    /// The operation (span name).
    pub operation: String,
    /// Attributes that must be present with these values.
    pub tags: Vec<(String, String)>,
    /// Traces at least this long.
    pub min_duration: Option<Duration>,
    /// Traces at most this long.
    pub max_duration: Option<Duration>,
    /// Traces started at or after this time (Unix nanoseconds).
    pub start_unix_nanos: Option<u64>,
    /// Traces started at or before this time (Unix nanoseconds).
    pub end_unix_nanos: Option<u64>,
    /// The most traces to return (0: the backend's default).
    pub limit: usize,
}

/// One trace found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// The trace id (lower-case hex: 16 digits for a 64-bit id, 32 otherwise).
    pub id: String,
    /// The root span's service ("" when the root is not known).
    pub service: String,
    /// The root span's name.
    pub name: String,
    /// When the trace started.
    pub start_unix_nanos: u64,
    /// How long it took.
    pub duration_nanos: u64,
    /// How many spans the backend says the trace has (`None`: it does not say).
    pub span_count: Option<usize>,
}

impl Connection {
    /// Searches for traces matching `query`, in the order the backend answered. Jaeger is
    /// asked through its v3 API first, and its legacy API when v3 is not there.
    pub fn search(&self, query: &Query) -> Result<Vec<Summary>, BackendError> {
        match self.backend {
            Backend::Jaeger => self.search_jaeger(query),
            Backend::Tempo => self.search_at("/api/search", &tempo_params(query), |body, _| {
                tempo_summaries(body)
            }),
            Backend::Zipkin => {
                self.search_at("/api/v2/traces", &zipkin_params(query), zipkin_summaries)
            }
        }
    }

    /// GETs a search path; a 2xx answer `read` can read is the traces found, anything else
    /// is said as unexpected.
    pub(super) fn search_at(
        &self,
        path: &str,
        params: &[(&'static str, String)],
        read: impl Fn(&[u8], &str) -> Option<Vec<Summary>>,
    ) -> Result<Vec<Summary>, BackendError> {
        let answer = self.http.get_query(path, params, &Progress::default())?;
        let url = self.http.url(path);
        if !(200..300).contains(&answer.status) {
            return Err(self.unexpected(&url, &answer));
        }
        read(&answer.body, &url).ok_or_else(|| self.unexpected(&url, &answer))
    }
}

pub(super) fn millis(d: Duration) -> String {
    format!("{}ms", d.as_millis())
}

/// Tempo's `tags` is logfmt: `service.name=shop name="GET /"`.
fn tempo_params(q: &Query) -> Vec<(&'static str, String)> {
    let mut tags = Vec::new();
    let mut tag = |k: &str, v: &str| tags.push(format!("{k}={}", logfmt_value(v)));
    if !q.service.is_empty() {
        tag("service.name", &q.service);
    }
    if !q.operation.is_empty() {
        tag("name", &q.operation);
    }
    for (k, v) in &q.tags {
        tag(k, v);
    }
    let mut p = Vec::new();
    push(&mut p, "tags", (!tags.is_empty()).then(|| tags.join(" ")));
    push(&mut p, "minDuration", q.min_duration.map(millis));
    push(&mut p, "maxDuration", q.max_duration.map(millis));
    push(
        &mut p,
        "start",
        q.start_unix_nanos.map(|n| (n / 1_000_000_000).to_string()),
    );
    push(
        &mut p,
        "end",
        q.end_unix_nanos
            .map(|n| n.div_ceil(1_000_000_000).to_string()),
    );
    push(&mut p, "limit", (q.limit > 0).then(|| q.limit.to_string()));
    p
}

fn logfmt_value(v: &str) -> String {
    if v.is_empty() || v.contains([' ', '"', '=']) {
        format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\""))
    } else {
        v.to_string()
    }
}

/// Zipkin: durations in microseconds, `endTs` and `lookback` in milliseconds.
fn zipkin_params(q: &Query) -> Vec<(&'static str, String)> {
    let mut p = vec![("serviceName", q.service.clone())];
    push(
        &mut p,
        "spanName",
        (!q.operation.is_empty()).then(|| q.operation.clone()),
    );
    let tags: Vec<String> = q.tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
    push(
        &mut p,
        "annotationQuery",
        (!tags.is_empty()).then(|| tags.join(" and ")),
    );
    push(
        &mut p,
        "minDuration",
        q.min_duration.map(|d| d.as_micros().to_string()),
    );
    push(
        &mut p,
        "maxDuration",
        q.max_duration.map(|d| d.as_micros().to_string()),
    );
    let end_ms = q.end_unix_nanos.map(|n| n / 1_000_000);
    push(&mut p, "endTs", end_ms.map(|n| n.to_string()));
    if let (Some(start), Some(end)) = (q.start_unix_nanos.map(|n| n / 1_000_000), end_ms) {
        p.push(("lookback", end.saturating_sub(start).to_string()));
    }
    push(&mut p, "limit", (q.limit > 0).then(|| q.limit.to_string()));
    p
}

pub(super) fn push(p: &mut Vec<(&'static str, String)>, key: &'static str, value: Option<String>) {
    if let Some(value) = value {
        p.push((key, value));
    }
}

/// 16 hex digits for a 64-bit id (as Jaeger and Zipkin store those), 32 otherwise.
fn id_text(id: TraceId) -> String {
    if id.0 >> 64 == 0 {
        format!("{:016x}", id.0)
    } else {
        format!("{:032x}", id.0)
    }
}

/// One summary per trace of `data`, in the order the traces first appear.
pub(super) fn summarise(data: &TraceData) -> Vec<Summary> {
    let mut order: Vec<TraceId> = Vec::new();
    let mut by_trace: HashMap<TraceId, Summary> = HashMap::new();
    for span in &data.spans {
        let entry = by_trace.entry(span.trace_id).or_insert_with(|| {
            order.push(span.trace_id);
            Summary {
                id: id_text(span.trace_id),
                service: String::new(),
                name: String::new(),
                start_unix_nanos: span.start_unix_nanos,
                duration_nanos: 0,
                span_count: Some(0),
            }
        });
        entry.span_count = entry.span_count.map(|n| n + 1);
        let end = (entry.start_unix_nanos + entry.duration_nanos).max(span.end_unix_nanos);
        entry.start_unix_nanos = entry.start_unix_nanos.min(span.start_unix_nanos);
        entry.duration_nanos = end.saturating_sub(entry.start_unix_nanos);
        if span.parent_span_id.is_none() {
            entry.service = data.service_name_of(span).to_string();
            entry.name = span.name.to_string();
        }
    }
    order.iter().filter_map(|t| by_trace.remove(t)).collect()
}

/// Tempo's `{"traces":[{"traceID","rootServiceName","rootTraceName","startTimeUnixNano",
/// "durationMs"}]}`; ids are hex, sometimes without leading zeros.
pub(super) fn tempo_summaries(body: &[u8]) -> Option<Vec<Summary>> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let traces = value.get("traces")?.as_array()?;
    let text = |t: &serde_json::Value, k: &str| {
        t.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string()
    };
    traces
        .iter()
        .map(|t| {
            let id = super::normalise_id(t.get("traceID")?.as_str()?).ok()?;
            let start = text(t, "startTimeUnixNano").parse().unwrap_or(0);
            let millis = t
                .get("durationMs")
                .and_then(serde_json::Value::as_u64)
                .unwrap_or(0);
            Some(Summary {
                id,
                service: text(t, "rootServiceName"),
                name: text(t, "rootTraceName"),
                start_unix_nanos: start,
                duration_nanos: millis.saturating_mul(1_000_000),
                span_count: tempo_span_count(t),
            })
        })
        .collect()
}

/// The sum of Tempo's `serviceStats: {"svc": {"spanCount": n}}`, when it sends them.
fn tempo_span_count(trace: &serde_json::Value) -> Option<usize> {
    let stats = trace.get("serviceStats")?.as_object()?;
    let counts = stats.values().map(|s| s.get("spanCount")?.as_u64());
    counts
        .sum::<Option<u64>>()
        .and_then(|n| usize::try_from(n).ok())
}

/// Zipkin's `[[span…], [span…]]`: each inner list is one trace, read by spindle-formats.
pub(super) fn zipkin_summaries(body: &[u8], url: &str) -> Option<Vec<Summary>> {
    let traces: Vec<serde_json::Value> = serde_json::from_slice(body).ok()?;
    let mut found = Vec::new();
    for trace in traces {
        let bytes = serde_json::to_vec(&trace).ok()?;
        let loaded = spindle_formats::read(&bytes, url, ReadOptions::default()).ok()?;
        found.extend(summarise(&loaded.data));
    }
    Some(found)
}
