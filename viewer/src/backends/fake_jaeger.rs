//! A fake Jaeger v2 query service answering `GET /api/v3/traces` as its HTTP gateway does:
//! `query.start_time_min` and `query.start_time_max` required (RFC 3339), durations as Go
//! durations, `query.search_depth` (or `query.num_traces`) traces at most,
//! `query.attributes` a JSON map; a trace matches when one of its spans matches every
//! criterion; the answer is `{"result":{"resourceSpans":[…]}}` with all matching traces'
//! spans, or 404 `{"error":{"httpCode":404,"message":"No traces found"}}`. Bad parameters
//! get 400 with the gateway's message.

use std::collections::HashMap;

use spindle_formats::{Span, TraceData, TraceId, time::civil_from_days};

use super::fake::Handler;

/// The gateway's error body (Go's `http.Error` ends it with a newline).
fn gateway_error(status: u16, message: &str) -> (u16, Vec<u8>) {
    let body = serde_json::json!({"error": {"httpCode": status, "message": message}});
    (status, format!("{body}\n").into_bytes())
}

/// Serves `data` as Jaeger v2 does.
pub(super) fn jaeger_v2(data: TraceData) -> Handler {
    Box::new(move |url| {
        let (path, query) = url.split_once('?').unwrap_or((url, ""));
        match path {
            "/api/services" => (
                200,
                br#"{"data":["frontend","payments"],"total":2}"#.to_vec(),
            ),
            "/api/v3/traces" => match find(&data, &decode_query(query)) {
                Ok(found) if found.is_empty() => gateway_error(404, "No traces found"),
                Ok(found) => (200, result(&data, &found)),
                Err(message) => gateway_error(400, &message),
            },
            _ => match path.strip_prefix("/api/v3/traces/") {
                Some(id) => match u128::from_str_radix(id, 16) {
                    Ok(id) if data.spans.iter().any(|s| s.trace_id.0 == id) => {
                        (200, result(&data, &[TraceId(id)]))
                    }
                    Ok(_) => gateway_error(404, "trace not found"),
                    Err(e) => gateway_error(400, &format!("malformed parameter trace_id: {e}")),
                },
                None => (404, b"404 page not found\n".to_vec()),
            },
        }
    })
}

/// `{"result": OTLP/JSON}` with every span of `traces`.
fn result(data: &TraceData, traces: &[TraceId]) -> Vec<u8> {
    let kept = TraceData {
        spans: data
            .spans
            .iter()
            .filter(|s| traces.contains(&s.trace_id))
            .cloned()
            .collect(),
        ..data.clone()
    };
    let mut otlp = Vec::new();
    spindle_formats::write_otlp_json(&kept, &mut otlp).expect("write");
    let mut body = b"{\"result\":".to_vec();
    body.extend_from_slice(&otlp);
    body.push(b'}');
    body
}

/// The traces matching the query, in the order they first appear, at most the search depth.
fn find(data: &TraceData, q: &HashMap<String, String>) -> Result<Vec<TraceId>, String> {
    let get = |name: &str| q.get(name).filter(|v| !v.is_empty());
    let (Some(min), Some(max)) = (get("query.start_time_min"), get("query.start_time_max")) else {
        return Err("query.start_time_min and query.start_time_max are required".into());
    };
    let time = |name: &str, text: &str| {
        parse_rfc3339(text).ok_or(format!("malformed parameter {name}: {text}"))
    };
    let (min, max) = (
        time("query.start_time_min", min)?,
        time("query.start_time_max", max)?,
    );
    let duration = |name: &str| match get(name) {
        None => Ok(None),
        Some(text) => parse_go_duration(text)
            .map(Some)
            .ok_or(format!("malformed parameter {name}: {text}")),
    };
    let (dmin, dmax) = (
        duration("query.duration_min")?,
        duration("query.duration_max")?,
    );
    let depth = match get("query.search_depth").or(get("query.num_traces")) {
        None => 100,
        Some(n) => n
            .parse::<usize>()
            .map_err(|e| format!("malformed parameter: {e}"))?,
    };
    let attributes: HashMap<String, String> = match q.get("query.attributes") {
        None => HashMap::new(),
        Some(json) => serde_json::from_str(json)
            .map_err(|e| format!("malformed parameter query.attributes: {e}"))?,
    };
    let matches = |span: &Span| {
        let service = data.service_name_of(span);
        let resource = &data.resource_of(span).attributes;
        get("query.service_name").is_none_or(|s| s == service)
            && get("query.operation_name").is_none_or(|o| *o == *span.name)
            && (min..=max).contains(&span.start_unix_nanos)
            && dmin.is_none_or(|d| span.duration_nanos() >= d)
            && dmax.is_none_or(|d| span.duration_nanos() <= d)
            && attributes.iter().all(|(k, v)| {
                span.attributes
                    .iter()
                    .chain(resource)
                    .any(|kv| *kv.key == **k && kv.value.to_string() == *v)
            })
    };
    let mut found = Vec::new();
    for span in data.spans.iter().filter(|s| matches(s)) {
        if !found.contains(&span.trace_id) && found.len() < depth {
            found.push(span.trace_id);
        }
    }
    Ok(found)
}

/// `a=b&c=d%20e` (and `+` as a space) into a map.
fn decode_query(query: &str) -> HashMap<String, String> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (percent_decode(k), percent_decode(v)))
        .collect()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                out.push(u8::from_str_radix(hex, 16).unwrap_or(b'?'));
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `2023-11-14T22:13:20.000000123Z` (fraction optional, UTC only) as Unix nanoseconds.
pub(super) fn parse_rfc3339(text: &str) -> Option<u64> {
    let (date, time) = text.strip_suffix('Z')?.split_once('T')?;
    let mut d = date.split('-').map(|p| p.parse::<i64>().ok());
    let (year, month, day) = (d.next()??, d.next()??, d.next()??);
    let (clock, fraction) = time.split_once('.').unwrap_or((time, ""));
    let mut c = clock.split(':').map(|p| p.parse::<u64>().ok());
    let (h, m, s) = (c.next()??, c.next()??, c.next()??);
    let nanos: u64 = format!("{fraction:0<9}").get(..9)?.parse().ok()?;
    let days = days_from_civil(year, month, day)?;
    let seconds = u64::try_from(days).ok()? * 86_400 + h * 3600 + m * 60 + s;
    Some(seconds * 1_000_000_000 + nanos)
}

/// Days since 1970-01-01, checked against `civil_from_days`.
fn days_from_civil(year: i64, month: i64, day: i64) -> Option<i64> {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let back = civil_from_days(days);
    (back == (year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)).then_some(days)
}

/// One Go duration term: `250ms`, `1.5s`, `10us`, `3m`, `2h`, `42ns` (whole numbers exactly).
pub(super) fn parse_go_duration(text: &str) -> Option<u64> {
    let split = text.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let (number, unit) = text.split_at(split);
    let scale: u64 = match unit {
        "ns" => 1,
        "us" | "µs" => 1_000,
        "ms" => 1_000_000,
        "s" => 1_000_000_000,
        "m" => 60_000_000_000,
        "h" => 3_600_000_000_000,
        _ => return None,
    };
    if let Ok(whole) = number.parse::<u64>() {
        return whole.checked_mul(scale);
    }
    let value: f64 = number.parse().ok()?;
    Some((value * scale as f64).round() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fakes_parsers_read_what_jaeger_reads() {
        let t = 1_700_000_000_000_000_123;
        assert_eq!(parse_rfc3339(&spindle_formats::time::rfc3339(t)), Some(t));
        assert_eq!(parse_rfc3339("2023-11-14T22:13:20Z"), Some(t - 123));
        assert_eq!(parse_rfc3339("2023-02-30T00:00:00Z"), None);
        assert_eq!(parse_go_duration("1.5s"), Some(1_500_000_000));
        assert_eq!(parse_go_duration("10us"), Some(10_000));
        assert_eq!(parse_go_duration("10"), None);
        assert_eq!(percent_decode("GET%20%2Fcart+x"), "GET /cart x");
    }
}
