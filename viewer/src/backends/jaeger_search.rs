//! Searching Jaeger: `GET /api/v3/traces` as Jaeger v2's HTTP gateway takes it
//! (`query.service_name`, `query.operation_name`, `query.start_time_min`/`max` in RFC 3339,
//! `query.duration_min`/`max` as Go durations, `query.search_depth` and its older name
//! `query.num_traces`, `query.attributes` as a JSON map), answered with
//! `{"result":{"resourceSpans":[…]}}` holding every matching trace's spans, or 404 with a
//! gateway error when none matched. A 404 that is not the gateway's (no v3 API: Jaeger
//! before 1.35's HTTP gateway) falls back to the legacy `/api/traces?service=…`.

use std::collections::HashSet;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use spindle_formats::{Format, ReadOptions, TraceData, TraceId, time::rfc3339};

use super::progress::Progress;
use super::search::{Query, Summary, millis, push, summarise};
use super::{BackendError, Connection};

/// How far back a search looks when the query names no start (Jaeger UI's default).
pub const DEFAULT_LOOKBACK: Duration = Duration::from_secs(60 * 60);

const V3_PATH: &str = "/api/v3/traces";
const LEGACY_PATH: &str = "/api/traces";

impl Connection {
    /// v3 first; the legacy API when v3 is not there.
    pub(super) fn search_jaeger(&self, query: &Query) -> Result<Vec<Summary>, BackendError> {
        let params = v3_params(query, now_unix_nanos());
        let answer = self
            .http
            .get_query(V3_PATH, &params, &Progress::default())?;
        let url = self.http.url(V3_PATH);
        match answer.status {
            200..=299 => read_v3(&answer.body, &url, &query.tags)
                .ok_or_else(|| self.unexpected(&url, &answer)),
            404 if is_gateway_error(&answer.body) => Ok(Vec::new()),
            404 => self.search_at(LEGACY_PATH, &legacy_params(query), |body, url| {
                read_as(body, url, Format::Jaeger).map(|data| summarise(&data))
            }),
            _ => Err(self.unexpected(&url, &answer)),
        }
    }
}

fn now_unix_nanos() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

/// The v3 gateway's parameters; the time range is required there, so a query without one
/// asks for the last [`DEFAULT_LOOKBACK`] before `now`.
pub(super) fn v3_params(q: &Query, now: u64) -> Vec<(&'static str, String)> {
    let end = q.end_unix_nanos.unwrap_or(now);
    let start = q.start_unix_nanos.unwrap_or_else(|| {
        let lookback = u64::try_from(DEFAULT_LOOKBACK.as_nanos()).unwrap_or(u64::MAX);
        end.saturating_sub(lookback)
    });
    let mut p = Vec::new();
    let text = |t: &str| (!t.is_empty()).then(|| t.to_string());
    push(&mut p, "query.service_name", text(&q.service));
    push(&mut p, "query.operation_name", text(&q.operation));
    p.push(("query.start_time_min", rfc3339(start)));
    p.push(("query.start_time_max", rfc3339(end)));
    push(
        &mut p,
        "query.duration_min",
        q.min_duration.map(go_duration),
    );
    push(
        &mut p,
        "query.duration_max",
        q.max_duration.map(go_duration),
    );
    let limit = (q.limit > 0).then(|| q.limit.to_string());
    push(&mut p, "query.search_depth", limit.clone());
    push(&mut p, "query.num_traces", limit);
    push(&mut p, "query.attributes", tags_json(&q.tags));
    p
}

/// The legacy API's parameters (`service` is required there).
fn legacy_params(q: &Query) -> Vec<(&'static str, String)> {
    let mut p = vec![("service", q.service.clone())];
    push(
        &mut p,
        "operation",
        (!q.operation.is_empty()).then(|| q.operation.clone()),
    );
    push(&mut p, "tags", tags_json(&q.tags));
    push(&mut p, "minDuration", q.min_duration.map(millis));
    push(&mut p, "maxDuration", q.max_duration.map(millis));
    let micros = |n: u64| (n / 1000).to_string();
    push(&mut p, "start", q.start_unix_nanos.map(micros));
    push(&mut p, "end", q.end_unix_nanos.map(micros));
    push(&mut p, "limit", (q.limit > 0).then(|| q.limit.to_string()));
    p
}

/// `{"key":"value",…}`, or nothing without tags.
fn tags_json(tags: &[(String, String)]) -> Option<String> {
    let map: serde_json::Map<String, serde_json::Value> = tags
        .iter()
        .map(|(k, v)| (k.clone(), v.clone().into()))
        .collect();
    (!map.is_empty()).then(|| serde_json::Value::Object(map).to_string())
}

/// A duration as Go's `time.ParseDuration` reads it, in the largest exact unit.
pub(super) fn go_duration(d: Duration) -> String {
    let nanos = d.as_nanos();
    if nanos.is_multiple_of(1_000_000) {
        format!("{}ms", nanos / 1_000_000)
    } else if nanos.is_multiple_of(1_000) {
        format!("{}us", nanos / 1_000)
    } else {
        format!("{nanos}ns")
    }
}

/// Whether a body is the gateway's `{"error":{"httpCode":…,"message":…}}`.
fn is_gateway_error(body: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("error")?.get("httpCode").cloned())
        .is_some()
}

/// A body read as `format`, or `None` when it is not that.
fn read_as(body: &[u8], url: &str, format: Format) -> Option<TraceData> {
    let loaded = spindle_formats::read(body, url, ReadOptions::default()).ok()?;
    (loaded.format == format).then_some(loaded.data)
}

/// The v3 answer's traces; those missing one of `tags` are left out (gateways before
/// `query.attributes` ignore the tags).
pub(super) fn read_v3(body: &[u8], url: &str, tags: &[(String, String)]) -> Option<Vec<Summary>> {
    let data = read_as(body, url, Format::Otlp)?;
    let tagged = traces_with_tags(&data, tags);
    let mut found = summarise(&data);
    found.retain(|s| u128::from_str_radix(&s.id, 16).is_ok_and(|id| tagged.contains(&TraceId(id))));
    Some(found)
}

/// The traces with a span carrying every tag (on the span or its resource).
pub(super) fn traces_with_tags(data: &TraceData, tags: &[(String, String)]) -> HashSet<TraceId> {
    let has = |span: &spindle_formats::Span, (key, value): &(String, String)| {
        let resource = &data.resource_of(span).attributes;
        span.attributes
            .iter()
            .chain(resource)
            .any(|kv| &*kv.key == key.as_str() && kv.value.to_string() == *value)
    };
    data.spans
        .iter()
        .filter(|span| tags.iter().all(|tag| has(span, tag)))
        .map(|span| span.trace_id)
        .collect()
}
