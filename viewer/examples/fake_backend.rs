//! A fake Jaeger v2 query service on 127.0.0.1 serving the viewer's fixtures (the shop, a few
//! small traces and one of 20,000 spans sent slowly), for looking at File > Open from
//! backend… by hand: `cargo run -p spindle-viewer --example fake_backend -- 16686`, then
//! `spindle-viewer --backend http://127.0.0.1:16686`. Every search answers all traces (as
//! `{"result": OTLP/JSON}`); `/api/v3/traces/{id}` answers that trace, the big one at about
//! 1 MB/s so its progress shows.

use std::io::Read;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use spindle_formats::{TraceData, TraceId, write_otlp_json};
use spindle_viewer::fixture;

/// `extra` appended to `data`, its resource and scope indices moved past `data`'s.
fn merge(mut data: TraceData, extra: TraceData) -> TraceData {
    let (resources, scopes) = (data.resources.len() as u32, data.scopes.len() as u32);
    data.resources.extend(extra.resources);
    data.scopes.extend(extra.scopes);
    data.spans.extend(extra.spans.into_iter().map(|mut s| {
        s.resource.0 += resources;
        s.scope.0 += scopes;
        s
    }));
    data
}

/// The fixtures, moved to have started in the last few minutes.
fn traces() -> TraceData {
    let data = merge(
        merge(fixture::shop(), fixture::many_traces(6, 40)),
        fixture::wide_trace(20_000, 8),
    );
    let mut data = data;
    let first = data
        .spans
        .iter()
        .map(|s| s.start_unix_nanos)
        .min()
        .unwrap_or(0);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let shift = (now - 5 * 60 * 1_000_000_000).saturating_sub(first);
    for span in &mut data.spans {
        span.start_unix_nanos += shift;
        span.end_unix_nanos += shift;
    }
    data
}

fn answer(data: &TraceData, trace: Option<TraceId>) -> Vec<u8> {
    let kept = TraceData {
        spans: data
            .spans
            .iter()
            .filter(|s| trace.is_none_or(|t| s.trace_id == t))
            .cloned()
            .collect(),
        ..data.clone()
    };
    let mut otlp = Vec::new();
    write_otlp_json(&kept, &mut otlp).expect("write");
    [b"{\"result\":".as_slice(), &otlp, b"}"].concat()
}

/// A body read out at about 1 MB/s.
struct Slow(std::io::Cursor<Vec<u8>>);

impl Read for Slow {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        std::thread::sleep(Duration::from_millis(16));
        let n = buf.len().min(16 * 1024);
        self.0.read(&mut buf[..n])
    }
}

fn main() {
    let port = std::env::args().nth(1).unwrap_or_else(|| "16686".into());
    let server = tiny_http::Server::http(format!("127.0.0.1:{port}")).expect("bind");
    let data = traces();
    let search = answer(&data, None);
    eprintln!("fake Jaeger v2 on http://127.0.0.1:{port}");
    for request in server.incoming_requests() {
        let url = request.url().to_string();
        let path = url.split('?').next().unwrap_or("").to_string();
        let json =
            tiny_http::Header::from_bytes("Content-Type", "application/json").expect("header");
        let trace = path
            .strip_prefix("/api/v3/traces/")
            .and_then(|id| u128::from_str_radix(id, 16).ok())
            .map(TraceId)
            .filter(|t| data.spans.iter().any(|s| s.trace_id == *t));
        let body = match (path.as_str(), trace) {
            ("/api/services", _) => br#"{"data":["frontend","edge","api"]}"#.to_vec(),
            ("/api/v3/traces", _) => search.clone(),
            (_, Some(t)) => answer(&data, Some(t)),
            _ => {
                let missing = br#"{"error":{"httpCode":404,"message":"No traces found"}}"#;
                let response =
                    tiny_http::Response::from_data(missing.to_vec()).with_status_code(404);
                let _ = request.respond(response);
                continue;
            }
        };
        if trace.is_none() {
            let _ = request.respond(tiny_http::Response::from_data(body).with_header(json));
            continue;
        }
        let length = body.len();
        let response = tiny_http::Response::new(
            200.into(),
            vec![json],
            Slow(std::io::Cursor::new(body)),
            Some(length),
            None,
        );
        let _ = request.respond(response);
    }
}
