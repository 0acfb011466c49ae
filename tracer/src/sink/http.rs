//! The HTTP transport the network sinks share: one reused `ureq` agent with explicit connect
//! and request timeouts, statuses returned rather than raised, optional gzip request bodies,
//! and the retry loop of [`super::retry`].

use std::fmt;
use std::io::Write;
use std::time::{Duration, Instant};

use super::context::ExportContext;
use super::retry::{Attempt, Decision, Protocol, RetryPolicy};

/// The default byte cap of one request body (before compression): 4 MiB, under the usual
/// collector limits (the OpenTelemetry Collector and Tempo default to 4 MiB or more).
pub(crate) const DEFAULT_MAX_REQUEST_BYTES: usize = 4 << 20;

/// The longest wait for a TCP (and TLS) connection, whatever the export timeout.
const MAX_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Bytes of an error response kept for the statistics' `last_error`.
const ERROR_BODY_BYTES: usize = 512;

/// Why an HTTP export failed (after the retries the protocol allows).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HttpError {
    /// The server answered with a status that is not a success.
    Status {
        /// Where the request went.
        url: String,
        /// The HTTP status code of the last answer.
        status: u16,
        /// The start of the response body, for the log.
        body: String,
    },
    /// No answer: connection refused or reset, name not resolved, TLS failure or timeout.
    Connection {
        /// Where the request went.
        url: String,
        /// What the HTTP client reported.
        message: String,
    },
    /// The request itself is malformed (URL, header); sending it again cannot help.
    Invalid {
        /// The URL as given.
        url: String,
        /// What is wrong with the request.
        message: String,
    },
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HttpError::Status { url, status, body } if body.is_empty() => {
                write!(f, "{url}: HTTP {status}")
            }
            HttpError::Status { url, status, body } => write!(f, "{url}: HTTP {status}: {body}"),
            HttpError::Connection { url, message } => write!(f, "{url}: {message}"),
            HttpError::Invalid { url, message } => write!(f, "{url}: {message}"),
        }
    }
}

impl std::error::Error for HttpError {}

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

    fn agent(&mut self) -> ureq::Agent {
        let timeout = self.timeout();
        self.agent
            .get_or_insert_with(|| {
                ureq::Agent::config_builder()
                    .http_status_as_error(false)
                    .max_redirects(0)
                    .max_redirects_will_error(false)
                    .timeout_connect(Some(timeout.min(MAX_CONNECT_TIMEOUT)))
                    .timeout_global(Some(timeout))
                    .user_agent(concat!("spindle/", env!("CARGO_PKG_VERSION")))
                    .build()
                    .new_agent()
            })
            .clone()
    }

    /// Posts `body`, retrying as the protocol allows until `deadline`.
    pub fn send(&mut self, body: &[u8], deadline: Instant) -> Result<(), HttpError> {
        let agent = self.agent();
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
                let error = (!(200..300).contains(&code)).then(|| HttpError::Status {
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
                );
                let message = error.to_string();
                match invalid {
                    true => (Attempt::Invalid, Some(self.invalid(message))),
                    false => (Attempt::ConnectionFailed, Some(self.connection(message))),
                }
            }
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

/// Compresses `body` into `out` with gzip at the default level (`flate2`, pure-Rust backend).
fn gzip(body: &[u8], out: &mut Vec<u8>) -> std::io::Result<()> {
    let mut encoder = flate2::write::GzEncoder::new(out, flate2::Compression::default());
    encoder.write_all(body)?;
    encoder.finish().map(drop)
}

/// The builder methods both HTTP sinks offer (each has a `sender: HttpSender` field).
macro_rules! http_options {
    () => {
        /// Adds a header to every request (e.g. `Authorization`); replaces one of the same name.
        pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
            self.sender.settings.set_header(name.into(), value.into());
            self
        }

        /// Compresses request bodies with gzip (`Content-Encoding: gzip`).
        pub fn gzip(mut self, enabled: bool) -> Self {
            self.sender.settings.gzip = enabled;
            self
        }

        /// The longest one export may take, retries included (default and upper bound: the
        /// pipeline's export timeout).
        pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
            self.sender.settings.timeout = Some(timeout);
            self
        }

        /// The byte cap of one request body before compression (default 4 MiB). Larger
        /// batches are split; a span larger on its own is dropped and counted.
        pub fn max_request_bytes(mut self, bytes: usize) -> Self {
            self.sender.settings.max_request_bytes = Some(bytes);
            self
        }

        /// How often and how patiently to retry retryable failures.
        pub fn retry_policy(mut self, policy: crate::sink::RetryPolicy) -> Self {
            self.sender.settings.retry = policy;
            self
        }

        /// The URL requests are posted to.
        pub fn url(&self) -> &str {
            &self.sender.settings.url
        }
    };
}
pub(crate) use http_options;

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
