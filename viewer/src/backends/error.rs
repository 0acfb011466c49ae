//! What can go wrong talking to a trace backend, in plain words.

use std::fmt;

use super::Backend;

/// Why a backend could not be used or a trace could not be fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BackendError {
    /// Nothing answered at the URL (refused, no such host, timed out, TLS failed).
    Unreachable {
        /// The URL asked.
        url: String,
        /// What the connection attempt said.
        reason: String,
    },
    /// The server's HTTPS certificate is not trusted (a private CA, expired, another name).
    Untrusted {
        /// `host:port` asked.
        host: String,
        /// What the TLS check said.
        reason: String,
    },
    /// The CA file given to trust cannot be used.
    BadCa {
        /// The file as given.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The backend answered 404 (or sent no spans) for the trace.
    NotFound {
        /// The backend asked.
        backend: Backend,
        /// The trace id asked for.
        id: String,
    },
    /// The backend refused the credentials (401 or 403).
    AuthFailed {
        /// The URL asked.
        url: String,
        /// 401 or 403.
        status: u16,
    },
    /// The answer is not what this backend sends.
    Unexpected {
        /// The backend asked.
        backend: Backend,
        /// The URL asked.
        url: String,
        /// What came instead, in a few words.
        what: String,
    },
    /// None of the probes (Jaeger, Tempo, Zipkin) got the answer its backend gives.
    NotRecognised {
        /// The base URL probed.
        url: String,
    },
    /// Not a trace id (1 to 32 hexadecimal digits).
    BadId {
        /// What was given.
        id: String,
    },
    /// Not an http:// or https:// URL.
    BadUrl {
        /// What was given.
        url: String,
    },
}

impl fmt::Display for BackendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BackendError::Unreachable { url, reason } => {
                write!(f, "cannot reach {url}: {reason}")
            }
            BackendError::Untrusted { host, reason } => write!(
                f,
                "the HTTPS certificate of {host} is not trusted ({reason}); if a private CA \
                 signed it, trust that CA's PEM file with --backend-ca FILE or the dialog's \
                 CA file field"
            ),
            BackendError::BadCa { path, reason } => {
                write!(f, "the CA file {path} cannot be used: {reason}")
            }
            BackendError::NotFound { backend, id } => {
                write!(f, "trace {id} was not found in {backend}")
            }
            BackendError::AuthFailed { url, status } => write!(
                f,
                "authentication failed at {url} (HTTP {status}): check the token or user and password"
            ),
            BackendError::Unexpected { backend, url, what } => {
                write!(f, "{url} did not answer as {backend} does: {what}")
            }
            BackendError::NotRecognised { url } => write!(
                f,
                "{url} is not a Jaeger query service, Tempo or Zipkin: none of their APIs answered"
            ),
            BackendError::BadId { id } => {
                write!(f, "\"{id}\" is not a trace id (1 to 32 hexadecimal digits)")
            }
            BackendError::BadUrl { url } => {
                write!(f, "\"{url}\" is not an http:// or https:// URL")
            }
        }
    }
}

impl std::error::Error for BackendError {}
