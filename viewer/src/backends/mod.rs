//! Trace backends: Jaeger's query service, Grafana Tempo and Zipkin. A base URL is recognised
//! by probing their APIs (or told), and traces are opened by id through each one's own API.
//! Every response is read by `spindle_formats::read`; nothing here parses traces.
//!
//! No egui here: [`fetch`] runs a request on a background thread for the app.

pub mod cli;
mod error;
#[cfg(test)]
mod fake;
#[cfg(test)]
mod fake_jaeger;
#[cfg(test)]
mod fake_tls;
pub mod fetch;
mod http;
mod jaeger_search;
#[cfg(test)]
mod jaeger_search_tests;
pub mod progress;
pub mod search;
#[cfg(test)]
mod search_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tls_tests;

use std::fmt;
use std::path::PathBuf;

use base64::Engine;
use spindle_formats::{Format, ReadOptions, TraceData};

pub use error::BackendError;
use http::{Answer, Http, describe};
use progress::Progress;

/// Which kind of backend answers at a URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Jaeger's query service (`:16686`).
    Jaeger,
    /// Grafana Tempo (`:3200`).
    Tempo,
    /// Zipkin (`:9411`).
    Zipkin,
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Backend::Jaeger => "Jaeger",
            Backend::Tempo => "Tempo",
            Backend::Zipkin => "Zipkin",
        })
    }
}

impl Backend {
    /// `jaeger`, `tempo` or `zipkin` (any case).
    pub fn parse(name: &str) -> Option<Backend> {
        match name.to_ascii_lowercase().as_str() {
            "jaeger" => Some(Backend::Jaeger),
            "tempo" => Some(Backend::Tempo),
            "zipkin" => Some(Backend::Zipkin),
            _ => None,
        }
    }

    /// The paths a trace is fetched from, the preferred first (later ones are fallbacks for
    /// older versions).
    fn trace_paths(self, id: &str) -> Vec<String> {
        match self {
            Backend::Jaeger => vec![format!("/api/v3/traces/{id}"), format!("/api/traces/{id}")],
            Backend::Tempo => vec![format!("/api/v2/traces/{id}"), format!("/api/traces/{id}")],
            Backend::Zipkin => vec![format!("/api/v2/trace/{id}")],
        }
    }

    /// Whether `format` is one this backend's trace API answers in.
    fn sends(self, format: Format) -> bool {
        match self {
            Backend::Jaeger => matches!(format, Format::Jaeger | Format::Otlp),
            Backend::Tempo => matches!(format, Format::Otlp | Format::OtlpProto),
            Backend::Zipkin => format == Format::Zipkin,
        }
    }
}

/// The Authorization header for hosted backends.
#[derive(Clone, PartialEq, Eq)]
pub enum Auth {
    /// `Authorization: Bearer TOKEN`.
    Bearer(String),
    /// `Authorization: Basic base64(USER:PASSWORD)`.
    Basic {
        /// The user name.
        user: String,
        /// The password.
        password: String,
    },
}

impl fmt::Debug for Auth {
    /// Never shows the secret.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Auth::Bearer(_) => f.write_str("Bearer(…)"),
            Auth::Basic { user, .. } => write!(f, "Basic({user}:…)"),
        }
    }
}

impl Auth {
    /// `bearer TOKEN` or `basic USER:PASSWORD` (the word in any case; the password exactly as
    /// given after the colon); `None` otherwise.
    pub fn parse(text: &str) -> Option<Auth> {
        let (scheme, rest) = text.trim_start().split_once(' ')?;
        // Only the token is trimmed: a password may end in spaces.
        let rest = rest.trim_start();
        match scheme.to_ascii_lowercase().as_str() {
            "bearer" if !rest.trim().is_empty() => Some(Auth::Bearer(rest.trim().to_string())),
            "basic" => {
                let (user, password) = rest.split_once(':')?;
                Some(Auth::Basic {
                    user: user.to_string(),
                    password: password.to_string(),
                })
            }
            _ => None,
        }
    }

    /// The header's value.
    pub fn header(&self) -> String {
        match self {
            Auth::Bearer(token) => format!("Bearer {token}"),
            Auth::Basic { user, password } => {
                let pair = format!("{user}:{password}");
                format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(pair)
                )
            }
        }
    }
}

/// Where to connect: a base URL, the kind if known (probed otherwise), optional auth, and
/// the CA to trust for HTTPS instead of the built-in roots.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Target {
    /// The base URL (`http://localhost:16686`).
    pub url: String,
    /// The kind, or `None` to probe.
    pub kind: Option<Backend>,
    /// The Authorization header to send.
    pub auth: Option<Auth>,
    /// A PEM file whose certificates are trusted for HTTPS (`--backend-ca`).
    pub ca_file: Option<PathBuf>,
}

/// A trace fetched from a backend.
#[derive(Debug)]
pub struct Fetched {
    /// The trace id as asked (lower-case hex).
    pub id: String,
    /// The URL that answered.
    pub url: String,
    /// The spans.
    pub data: TraceData,
    /// Spans skipped while reading, in plain words.
    pub warnings: Vec<String>,
}

/// A backend whose kind is known.
#[derive(Debug, Clone)]
pub struct Connection {
    /// What answers.
    pub backend: Backend,
    http: Http,
}

impl Connection {
    /// Connects to `target`: probes for the kind unless it is given.
    pub fn connect(target: &Target) -> Result<Connection, BackendError> {
        let http = Http::new(&target.url, target.auth.clone(), target.ca_file.as_deref())?;
        let backend = match target.kind {
            Some(kind) => kind,
            None => probe(&http)?,
        };
        Ok(Connection { backend, http })
    }

    /// The base URL (no trailing slash).
    pub fn url(&self) -> &str {
        &self.http.base
    }

    /// Fetches the trace `id` (hex, any case, leading zeros optional), trying the older API
    /// when the newer one does not answer with a trace.
    pub fn open_trace(&self, id: &str) -> Result<Fetched, BackendError> {
        self.open_trace_counted(id, &Progress::default())
    }

    /// [`Connection::open_trace`], counting the answer's bytes into `progress`.
    pub fn open_trace_counted(
        &self,
        id: &str,
        progress: &Progress,
    ) -> Result<Fetched, BackendError> {
        let id = normalise_id(id)?;
        let mut last = None;
        for path in self.backend.trace_paths(&id) {
            match self.try_path(&path, &id, progress) {
                Ok(fetched) => return Ok(fetched),
                Err(
                    error @ (BackendError::AuthFailed { .. } | BackendError::Unreachable { .. }),
                ) => {
                    return Err(error);
                }
                Err(error) => last = Some(error),
            }
        }
        Err(last.unwrap_or(BackendError::NotFound {
            backend: self.backend,
            id,
        }))
    }

    /// One trace path: 404 or no spans is not found; a body not in this backend's format is
    /// unexpected.
    fn try_path(&self, path: &str, id: &str, progress: &Progress) -> Result<Fetched, BackendError> {
        let answer = self.http.get_query(path, &[], progress)?;
        let url = self.http.url(path);
        let not_found = || BackendError::NotFound {
            backend: self.backend,
            id: id.to_string(),
        };
        if answer.status == 404 {
            return Err(not_found());
        }
        if !(200..300).contains(&answer.status) {
            return Err(self.unexpected(&url, &answer));
        }
        progress.reading();
        let loaded = spindle_formats::read(&answer.body, &url, ReadOptions::default())
            .map_err(|_| self.unexpected(&url, &answer))?;
        if !self.backend.sends(loaded.format) {
            return Err(BackendError::Unexpected {
                backend: self.backend,
                url,
                what: format!("a {} response", loaded.format),
            });
        }
        if loaded.data.spans.is_empty() {
            return Err(not_found());
        }
        Ok(Fetched {
            id: id.to_string(),
            url,
            warnings: loaded.warnings.iter().map(ToString::to_string).collect(),
            data: loaded.data,
        })
    }

    fn unexpected(&self, url: &str, answer: &Answer) -> BackendError {
        BackendError::Unexpected {
            backend: self.backend,
            url: url.to_string(),
            what: describe(answer),
        }
    }
}

/// Lower-case hex, at most 32 digits, left-padded to 16 or 32 (as the backends store ids).
fn normalise_id(id: &str) -> Result<String, BackendError> {
    let trimmed = id.trim();
    if trimmed.is_empty() || trimmed.len() > 32 || !trimmed.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(BackendError::BadId { id: id.to_string() });
    }
    let width = if trimmed.len() <= 16 { 16 } else { 32 };
    Ok(format!("{:0>width$}", trimmed.to_ascii_lowercase()))
}

/// A probe: the backend it tells, the path asked, and whether an answer is that backend's.
type Probe = (Backend, &'static str, fn(&Answer) -> bool);

/// Which backend answers: Tempo's echo, Zipkin's service list (a JSON array), Jaeger's
/// service list (`{"data":…}`), asked in that order.
fn probe(http: &Http) -> Result<Backend, BackendError> {
    let probes: [Probe; 4] = [
        (Backend::Tempo, "/api/echo", |a| {
            a.body.trim_ascii() == b"echo"
        }),
        (Backend::Tempo, "/api/status/buildinfo", |a| {
            json(&a.body).is_some_and(|v| v.get("version").is_some())
        }),
        (Backend::Zipkin, "/api/v2/services", |a| {
            json(&a.body).is_some_and(|v| v.is_array())
        }),
        (Backend::Jaeger, "/api/services", |a| {
            json(&a.body).is_some_and(|v| v.get("data").is_some())
        }),
    ];
    for (backend, path, answers) in probes {
        let answer = http.get(path)?;
        if (200..300).contains(&answer.status) && answers(&answer) {
            return Ok(backend);
        }
    }
    Err(BackendError::NotRecognised {
        url: http.base.clone(),
    })
}

fn json(body: &[u8]) -> Option<serde_json::Value> {
    serde_json::from_slice(body).ok()
}
