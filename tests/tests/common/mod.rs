//! Shared by the exporter tests: a local collector on 127.0.0.1 that behaves as told and
//! records what it receives, the process' resident memory, and latency percentiles.
#![allow(dead_code, clippy::unwrap_used)]

use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The tracer is process-wide: tests in one binary take turns.
pub fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// How the collector answers.
#[derive(Debug, Clone)]
pub enum Behaviour {
    /// This status, with these headers.
    Answer(u16, Vec<(&'static str, &'static str)>),
    /// Reads the request and never answers (until the collector stops).
    Hang,
}

/// One request as the collector saw it (the body gunzipped if it came compressed).
#[derive(Debug, Clone)]
pub struct Received {
    pub at: Instant,
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub raw_len: usize,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

/// A collector on 127.0.0.1 that stops when dropped.
pub struct Collector {
    pub port: u16,
    received: Arc<Mutex<Vec<Received>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Collector {
    pub fn start(behaviour: Behaviour) -> Collector {
        let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
        let port = server.server_addr().to_ip().unwrap().port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (log, stopping) = (received.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let mut held = Vec::new();
            while !stopping.load(Ordering::SeqCst) {
                let Ok(Some(mut request)) = server.recv_timeout(Duration::from_millis(20)) else {
                    continue;
                };
                let at = Instant::now();
                let mut raw = Vec::new();
                let _ = request.as_reader().read_to_end(&mut raw);
                let headers: Vec<(String, String)> = request
                    .headers()
                    .iter()
                    .map(|h| (h.field.to_string(), h.value.to_string()))
                    .collect();
                let gzipped = headers
                    .iter()
                    .any(|(n, v)| n.eq_ignore_ascii_case("content-encoding") && v == "gzip");
                let body = if gzipped {
                    let mut out = Vec::new();
                    flate2::read::GzDecoder::new(&raw[..])
                        .read_to_end(&mut out)
                        .unwrap();
                    out
                } else {
                    raw.clone()
                };
                log.lock().unwrap().push(Received {
                    at,
                    method: request.method().to_string(),
                    url: request.url().to_string(),
                    headers,
                    body,
                    raw_len: raw.len(),
                });
                match &behaviour {
                    Behaviour::Answer(status, headers) => {
                        let mut response =
                            tiny_http::Response::from_string("").with_status_code(*status);
                        for (name, value) in headers {
                            let header = tiny_http::Header::from_bytes(*name, *value).unwrap();
                            response = response.with_header(header);
                        }
                        let _ = request.respond(response);
                    }
                    Behaviour::Hang => held.push(request),
                }
            }
            drop(held);
        });
        Collector {
            port,
            received,
            stop,
            thread: Some(thread),
        }
    }

    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    pub fn request_count(&self) -> usize {
        self.received.lock().unwrap().len()
    }
}

impl Drop for Collector {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A port on 127.0.0.1 that refuses connections (bound, then released).
pub fn refused_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// The process' resident set size in bytes (Linux), 0 where unknown.
pub fn rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
        .map_or(0, |kb| kb * 1024)
}

/// The `p`-th percentile (0–100) of `samples` (sorted in place).
pub fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    if samples.is_empty() {
        return Duration::ZERO;
    }
    samples.sort_unstable();
    let index = ((samples.len() - 1) as f64 * p / 100.0).round() as usize;
    samples[index]
}

/// Waits until `done` holds or `limit` passes; returns whether it held.
pub fn wait_until(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    done()
}
