//! The HTTP transport the network sinks share: one reused `ureq` agent with explicit connect
//! and request timeouts and the TLS roots configured, statuses returned rather than raised,
//! optional gzip request bodies, the retry loop of [`super::retry`], and OTLP's partial
//! success read from accepted answers.

use std::fmt;
use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::context::ExportContext;
use super::http_error::HttpError;
pub(crate) use super::http_options::http_options;
use super::retry::{Attempt, Decision, Protocol, RetryPolicy};

/// The default byte cap of one request body (before compression): 4 MiB, under the usual
/// collector limits (the OpenTelemetry Collector and Tempo default to 4 MiB or more).
pub(crate) const DEFAULT_MAX_REQUEST_BYTES: usize = 4 << 20;

/// The longest wait for a TCP (and TLS) connection, whatever the export timeout.
const MAX_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Bytes of an error response kept for the statistics' `last_error`.
const ERROR_BODY_BYTES: usize = 512;

/// Where and how a sink posts its bodies. Built by the sinks' builder methods.
/// (No `Debug`: header values may be credentials.)
#[derive(Clone)]
pub(crate) struct HttpSettings {
    pub url: String,
    pub protocol: Protocol,
    pub content_type: &'static str,
    pub headers: Vec<(String, String)>,
    pub gzip: bool,
    /// The sink's own timeout; the pipeline's export timeout if `None` (the shorter wins).
    pub timeout: Option<Duration>,
    /// The sink's own byte cap; the default if `None`.
    pub max_request_bytes: Option<usize>,
    pub retry: RetryPolicy,
    /// A PEM file whose certificates are trusted instead of the built-in roots.
    pub ca_file: Option<PathBuf>,
}

impl HttpSettings {
    pub fn new(url: String, protocol: Protocol, content_type: &'static str) -> HttpSettings {
        HttpSettings {
            url,
            protocol,
            content_type,
            headers: Vec::new(),
            gzip: false,
            timeout: None,
            max_request_bytes: None,
            retry: RetryPolicy::default(),
            ca_file: None,
        }
    }

    /// Sets `name` (case-insensitively) to `value`.
    pub fn set_header(&mut self, name: String, value: String) {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(&name));
        self.headers.push((name, value));
    }

    pub fn max_request_bytes(&self) -> usize {
        self.max_request_bytes
            .unwrap_or(DEFAULT_MAX_REQUEST_BYTES)
            .max(1)
    }
}

/// Posts bodies with retries; owns the one agent of its sink.
pub(crate) struct HttpSender {
    pub settings: HttpSettings,
    context: ExportContext,
    agent: Option<ureq::Agent>,
    compressed: Vec<u8>,
}

impl fmt::Debug for HttpSender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Header values may be credentials: names only.
        let names: Vec<&str> = self.settings.headers.iter().map(|(n, _)| &**n).collect();
        f.debug_struct("HttpSender")
            .field("url", &self.settings.url)
            .field("protocol", &self.settings.protocol)
            .field("headers", &names)
            .field("gzip", &self.settings.gzip)
            .field("timeout", &self.settings.timeout)
            .field("max_request_bytes", &self.settings.max_request_bytes())
            .field("retry", &self.settings.retry)
            .field("content_type", &self.settings.content_type)
            .field("ca_file", &self.settings.ca_file)
            .finish()
    }
}

impl HttpSender {
    pub fn new(settings: HttpSettings) -> HttpSender {
        HttpSender {
            settings,
            context: ExportContext::default(),
            agent: None,
            compressed: Vec::new(),
        }
    }

    pub fn attach(&mut self, context: ExportContext) {
        self.context = context;
        self.agent = None;
    }

    pub fn context(&self) -> &ExportContext {
        &self.context
    }

    /// How long one export may take: the shorter of the sink's and the pipeline's timeouts.
    pub fn timeout(&self) -> Duration {
        let pipeline = self.context.export_timeout();
        self.settings.timeout.map_or(pipeline, |t| t.min(pipeline))
    }

    /// The sink's agent, built on first use; fails (naming the file) if the configured
    /// certificate file cannot be used.
    fn agent(&mut self) -> Result<ureq::Agent, HttpError> {
        if let Some(agent) = &self.agent {
            return Ok(agent.clone());
        }
        let timeout = self.timeout();
        let tls = super::tls::tls_config(self.settings.ca_file.as_deref())
            .map_err(|message| self.invalid(message))?;
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .max_redirects_will_error(false)
            .timeout_connect(Some(timeout.min(MAX_CONNECT_TIMEOUT)))
            .timeout_global(Some(timeout))
            .user_agent(concat!("spindle/", env!("CARGO_PKG_VERSION")))
            .tls_config(tls)
            .build()
            .new_agent();
        self.agent = Some(agent.clone());
        Ok(agent)
    }

    /// Posts `body`, retrying as the protocol allows until `deadline`.
    pub fn send(&mut self, body: &[u8], deadline: Instant) -> Result<(), HttpError> {
        let agent = self.agent()?;
        let mut compressed = std::mem::take(&mut self.compressed);
        let payload = if self.settings.gzip {
            compressed.clear();
            gzip(body, &mut compressed).map_err(|e| self.invalid(format!("gzip: {e}")))?;
            &compressed[..]
        } else {
            body
        };
        let mut retries = 0;
        let result = loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            let (attempt, error) = if remaining.is_zero() {
                let message = format!("export timed out after {:?}", self.timeout());
                (Attempt::ConnectionFailed, Some(self.connection(message)))
            } else {
                self.post_once(&agent, payload, remaining)
            };
            let remaining = deadline.saturating_duration_since(Instant::now());
            let jitter = rand::random::<f64>();
            let decision = self.settings.retry.decide(
                self.settings.protocol,
                attempt,
                retries,
                remaining,
                jitter,
            );
            match decision {
                Decision::Success => break Ok(()),
                Decision::Retry(wait) => {
                    self.context.count_retry();
                    retries += 1;
                    std::thread::sleep(wait);
                }
                Decision::Fail => {
                    break Err(error.unwrap_or_else(|| self.invalid("no answer".into())));
                }
            }
        };
        self.compressed = compressed;
        result
    }

    /// One request: what happened, and the error to report if it is the last attempt.
    fn post_once(
        &self,
        agent: &ureq::Agent,
        payload: &[u8],
        timeout: Duration,
    ) -> (Attempt, Option<HttpError>) {
        let settings = &self.settings;
        let mut request = agent
            .post(&settings.url)
            .header("Content-Type", settings.content_type);
        for (name, value) in &settings.headers {
            request = request.header(name, value);
        }
        if settings.gzip {
            request = request.header("Content-Encoding", "gzip");
        }
        let request = request.config().timeout_global(Some(timeout)).build();
        match request.send(payload) {
            Ok(mut response) => {
                let code = response.status().as_u16();
                let retry_after = response
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .map(Duration::from_secs);
                // Read the body so the connection can be reused; keep its start for errors.
                let body = response
                    .body_mut()
                    .with_config()
                    .limit(64 * 1024)
                    .read_to_vec()
                    .unwrap_or_default();
                if (200..300).contains(&code) {
                    self.read_partial_success(&response, &body);
                    return (Attempt::Status { code, retry_after }, None);
                }
                let error = Some(HttpError::Status {
                    url: settings.url.clone(),
                    status: code,
                    body: String::from_utf8_lossy(&body[..body.len().min(ERROR_BODY_BYTES)])
                        .trim()
                        .to_string(),
                });
                (Attempt::Status { code, retry_after }, error)
            }
            Err(error) => {
                let invalid = matches!(
                    error,
                    ureq::Error::BadUri(_)
                        | ureq::Error::Http(_)
                        | ureq::Error::InvalidProxyUrl
                        | ureq::Error::RequireHttpsOnly(_)
                        | ureq::Error::Tls(_)
                ) || is_certificate_error(&error);
                let message = describe(&error);
                match invalid {
                    true => (Attempt::Invalid, Some(self.invalid(message))),
                    false => (Attempt::ConnectionFailed, Some(self.connection(message))),
                }
            }
        }
    }

    /// Counts what an OTLP receiver rejected from an accepted request (other protocols'
    /// answers carry nothing to read).
    fn read_partial_success(&self, response: &ureq::http::Response<ureq::Body>, body: &[u8]) {
        if self.settings.protocol != Protocol::Otlp {
            return;
        }
        let response_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok());
        let settings = &self.settings;
        let read = super::partial_success::read;
        if let Some(rejection) = read(&settings.url, response_type, settings.content_type, body) {
            self.context
                .count_rejected(rejection.spans, rejection.message);
        }
    }

    fn invalid(&self, message: String) -> HttpError {
        HttpError::Invalid {
            url: self.settings.url.clone(),
            message,
        }
    }

    fn connection(&self, message: String) -> HttpError {
        HttpError::Connection {
            url: self.settings.url.clone(),
            message,
        }
    }
}

/// True for a TLS failure that another attempt cannot fix: the server's certificate is not
/// trusted, expired, or for another name.
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

/// What the HTTP client reported, in words a user can act on.
fn describe(error: &ureq::Error) -> String {
    match is_certificate_error(error) {
        true => format!(
            "TLS: the server's certificate is not trusted ({error}); trust its CA with \
             the exporter's certificate_file (for OTLP: OTEL_EXPORTER_OTLP_CERTIFICATE)"
        ),
        false => error.to_string(),
    }
}

/// Compresses `body` into `out` with gzip at the default level (`flate2`, pure-Rust backend).
fn gzip(body: &[u8], out: &mut Vec<u8>) -> std::io::Result<()> {
    let mut encoder = flate2::write::GzEncoder::new(out, flate2::Compression::default());
    encoder.write_all(body)?;
    encoder.finish().map(drop)
}

/// Exports one batch through `sender` within its timeout and byte cap, counting oversized spans.
pub(crate) fn export_batch(
    sender: &mut HttpSender,
    batch: spindle_formats::SpanBatch<'_>,
    encode: super::split::Encode,
    buffer: &mut Vec<u8>,
) -> Result<(), super::ExportError> {
    let deadline = Instant::now() + sender.timeout();
    let cap = sender.settings.max_request_bytes();
    let oversized = super::split::send_within_cap(batch, cap, encode, buffer, &mut |body| {
        sender
            .send(body, deadline)
            .map_err(super::ExportError::Http)
    })?;
    if oversized > 0 {
        sender.context().count_oversized(oversized);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_round_trips() {
        use std::io::Read;
        let body = br#"{"resourceSpans":[]}"#.repeat(100);
        let mut out = Vec::new();
        gzip(&body, &mut out).expect("compresses");
        assert!(out.len() < body.len());
        let mut back = Vec::new();
        flate2::read::GzDecoder::new(&out[..])
            .read_to_end(&mut back)
            .expect("decompresses");
        assert_eq!(back, body);
    }

    #[test]
    fn debug_output_hides_header_values() {
        let mut settings = HttpSettings::new("http://x".into(), Protocol::Otlp, "application/json");
        settings.set_header("Authorization".into(), "Bearer secret".into());
        settings.set_header("authorization".into(), "Bearer other".into());
        assert_eq!(settings.headers.len(), 1);
        let text = format!("{:?}", HttpSender::new(settings));
        assert!(
            text.contains("authorization") && !text.contains("secret") && !text.contains("other")
        );
    }
}
