//! One GET against a backend: the status and the body, or why nothing answered. HTTPS trusts
//! the built-in roots, or the certificates of a PEM file given (`--backend-ca`) instead;
//! verification is never turned off.

use std::io::Read;
use std::path::Path;
use std::time::Duration;

use ureq::tls::{PemItem, RootCerts, TlsConfig};

use super::progress::Progress;
use super::{Auth, BackendError};

/// The most a trace response may hold (a trace of a few million spans).
const MAX_BODY: u64 = 512 * 1024 * 1024;
/// How long one request may take in all.
const TIMEOUT: Duration = Duration::from_secs(60);
/// How long connecting may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How much of a body is read between progress updates.
const CHUNK: usize = 64 * 1024;

/// An answer: the status code and the whole body.
#[derive(Debug)]
pub(super) struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
}

/// The HTTP client: base URL (no trailing slash), auth header, agent.
#[derive(Debug, Clone)]
pub(super) struct Http {
    pub base: String,
    auth: Option<Auth>,
    agent: ureq::Agent,
}

impl Http {
    /// A client for `base` (http:// or https://), trusting `ca_file`'s certificates when given.
    pub fn new(
        base: &str,
        auth: Option<Auth>,
        ca_file: Option<&Path>,
    ) -> Result<Http, BackendError> {
        let trimmed = base.trim().trim_end_matches('/');
        let lower = trimmed.to_ascii_lowercase();
        let rest = lower
            .strip_prefix("http://")
            .or_else(|| lower.strip_prefix("https://"));
        if rest.is_none_or(str::is_empty) {
            return Err(BackendError::BadUrl {
                url: base.to_string(),
            });
        }
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(CONNECT_TIMEOUT))
            .timeout_global(Some(TIMEOUT))
            .tls_config(tls_config(ca_file)?)
            .user_agent(concat!("spindle-viewer/", env!("CARGO_PKG_VERSION")))
            .build()
            .new_agent();
        Ok(Http {
            base: trimmed.to_string(),
            auth,
            agent,
        })
    }

    /// The full URL of `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// GETs `path`; 401 and 403 are [`BackendError::AuthFailed`], no answer is
    /// [`BackendError::Unreachable`] (or [`BackendError::Untrusted`] for a certificate not
    /// trusted); every other status is the caller's to judge.
    pub fn get(&self, path: &str) -> Result<Answer, BackendError> {
        self.get_query(path, &[], &Progress::default())
    }

    /// [`Http::get`] with query parameters (encoded here); the body's bytes are counted into
    /// `progress` as they arrive.
    pub fn get_query(
        &self,
        path: &str,
        query: &[(&str, String)],
        progress: &Progress,
    ) -> Result<Answer, BackendError> {
        let url = self.url(path);
        let mut request = self
            .agent
            .get(&url)
            .header("Accept", "application/json")
            .query_pairs(query.iter().map(|(k, v)| (*k, v.as_str())));
        if let Some(auth) = &self.auth {
            request = request.header("Authorization", auth.header());
        }
        let mut response = request
            .call()
            .map_err(|e| no_answer(&self.base, &url, &e))?;
        let status = response.status().as_u16();
        if status == 401 || status == 403 {
            return Err(BackendError::AuthFailed { url, status });
        }
        let length = response
            .headers()
            .get("content-length")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok());
        progress.expect(length);
        let reader = response.body_mut().with_config().limit(MAX_BODY).reader();
        let body = read_counted(reader, progress).map_err(|e| BackendError::Unreachable {
            url: url.clone(),
            reason: format!("the answer was cut off: {e}"),
        })?;
        Ok(Answer { status, body })
    }
}

/// Reads all of `reader`, counting the bytes into `progress` chunk by chunk.
fn read_counted(mut reader: impl Read, progress: &Progress) -> std::io::Result<Vec<u8>> {
    let mut body = Vec::new();
    let mut chunk = vec![0; CHUNK];
    loop {
        match reader.read(&mut chunk) {
            Ok(0) => return Ok(body),
            Ok(n) => {
                body.extend_from_slice(&chunk[..n]);
                progress.received(n);
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// Why a request got no answer: a certificate not trusted is said with the host and what to
/// do; anything else as the client said it.
fn no_answer(base: &str, url: &str, error: &ureq::Error) -> BackendError {
    if is_certificate_error(error) {
        return BackendError::Untrusted {
            host: host_of(base).to_string(),
            reason: error.to_string(),
        };
    }
    BackendError::Unreachable {
        url: url.to_string(),
        reason: error.to_string(),
    }
}

/// `host:port` of a base URL (`https://host:port/prefix`).
fn host_of(base: &str) -> &str {
    let rest = base.split_once("://").map_or(base, |(_, rest)| rest);
    rest.split('/').next().unwrap_or(rest)
}

/// True for a TLS failure about the server's certificate (not trusted, expired, another
/// name): another attempt cannot fix it, trusting its CA can.
fn is_certificate_error(error: &ureq::Error) -> bool {
    let rustls = match error {
        ureq::Error::Rustls(e) => Some(e),
        ureq::Error::Io(io) => io.get_ref().and_then(|e| e.downcast_ref::<rustls::Error>()),
        _ => None,
    };
    matches!(
        rustls,
        Some(rustls::Error::InvalidCertificate(_) | rustls::Error::NoCertificatesPresented)
    )
}

/// The built-in roots, or only the certificates of `ca_file`.
fn tls_config(ca_file: Option<&Path>) -> Result<TlsConfig, BackendError> {
    let builder = TlsConfig::builder();
    let Some(path) = ca_file else {
        return Ok(builder.build());
    };
    let bad = |reason: String| BackendError::BadCa {
        path: path.display().to_string(),
        reason,
    };
    let pem = std::fs::read(path).map_err(|e| bad(e.to_string()))?;
    let mut certs = Vec::new();
    for (index, item) in ureq::tls::parse_pem(&pem).enumerate() {
        match item {
            Ok(PemItem::Certificate(cert)) => certs.push(cert),
            Ok(_) => {}
            Err(e) => return Err(bad(format!("PEM section {index} is invalid: {e}"))),
        }
    }
    if certs.is_empty() {
        return Err(bad(
            "no PEM certificate (-----BEGIN CERTIFICATE-----) in it".into(),
        ));
    }
    Ok(builder
        .root_certs(RootCerts::new_with_certs(&certs))
        .build())
}

/// The start of a body, for saying what came instead of what was expected.
pub(super) fn describe(answer: &Answer) -> String {
    const SHOWN: usize = 120;
    let text = String::from_utf8_lossy(&answer.body[..answer.body.len().min(SHOWN)]);
    let text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let more = if answer.body.len() > SHOWN { "…" } else { "" };
    if answer.body.is_empty() {
        format!("HTTP {} with an empty body", answer.status)
    } else {
        format!(
            "HTTP {} with a body starting \"{text}{more}\"",
            answer.status
        )
    }
}
