//! A fake trace backend on 127.0.0.1 for the backend tests: fixed answers by path, every
//! request recorded.

use std::sync::{Arc, Mutex};

use super::Target;

pub(super) const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../formats/tests/data/");
/// The trace every golden file holds (Tempo's base64 `S/kvNXezTaajzpKdDg5HNg==`).
pub(super) const ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

pub(super) fn golden(name: &str) -> Vec<u8> {
    std::fs::read(format!("{DATA}{name}")).expect("golden file")
}

/// Each request's URL (path and query) and Authorization header, in order.
pub(super) type Seen = Arc<Mutex<Vec<(String, Option<String>)>>>;

/// A fake backend: fixed answers by path; everything else is 404. Records each request's
/// path and Authorization header. Stops when dropped.
pub(super) struct Fake {
    pub url: String,
    pub seen: Seen,
    server: Arc<tiny_http::Server>,
}

/// What a fake answers: the status and body for a request's URL (path and query).
pub(super) type Handler = Box<dyn Fn(&str) -> (u16, Vec<u8>) + Send>;

impl Fake {
    /// Answers `routes`; when `auth` is set, any other Authorization header gets 401.
    pub fn start(routes: Vec<(String, u16, Vec<u8>)>, auth: Option<&str>) -> Fake {
        Fake::serve(Box::new(move |url| answer_route(&routes, url)), auth)
    }

    /// Answers each request with `handler`; when `auth` is set, any other Authorization
    /// header gets 401.
    pub fn serve(handler: Handler, auth: Option<&str>) -> Fake {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").expect("bind"));
        let port = server.server_addr().to_ip().expect("ip").port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (thread_server, thread_seen) = (Arc::clone(&server), Arc::clone(&seen));
        let auth = auth.map(str::to_string);
        std::thread::spawn(move || {
            for request in thread_server.incoming_requests() {
                let header = request
                    .headers()
                    .iter()
                    .find(|h| h.field.equiv("Authorization"))
                    .map(|h| h.value.to_string());
                let url = request.url().to_string();
                thread_seen
                    .lock()
                    .expect("lock")
                    .push((url.clone(), header.clone()));
                let (status, body) = if auth.is_some() && header != auth {
                    (401, b"{\"message\":\"unauthorized\"}".to_vec())
                } else {
                    handler(&url)
                };
                let _ =
                    request.respond(tiny_http::Response::from_data(body).with_status_code(status));
            }
        });
        Fake {
            url: format!("http://127.0.0.1:{port}"),
            seen,
            server,
        }
    }

    pub fn paths(&self) -> Vec<String> {
        self.seen
            .lock()
            .expect("lock")
            .iter()
            .map(|(p, _)| p.clone())
            .collect()
    }

    pub fn target(&self) -> Target {
        Target {
            url: self.url.clone(),
            kind: None,
            auth: None,
            ..Target::default()
        }
    }
}

impl Drop for Fake {
    fn drop(&mut self) {
        self.server.unblock();
    }
}

/// The route's answer for `url`'s path (the query is not compared), else Go's 404.
pub(super) fn answer_route(routes: &[(String, u16, Vec<u8>)], url: &str) -> (u16, Vec<u8>) {
    let path = url.split('?').next().unwrap_or("");
    routes
        .iter()
        .find(|(p, _, _)| p == path)
        .map_or((404, b"404 page not found\n".to_vec()), |(_, s, b)| {
            (*s, b.clone())
        })
}

pub(super) fn route(path: &str, status: u16, body: &[u8]) -> (String, u16, Vec<u8>) {
    (path.to_string(), status, body.to_vec())
}

pub(super) fn jaeger_services() -> (String, u16, Vec<u8>) {
    route(
        "/api/services",
        200,
        br#"{"data":["frontend"],"total":1,"limit":0,"offset":0,"errors":null}"#,
    )
}
