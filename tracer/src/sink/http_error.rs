//! Why an HTTP export failed: the answer, the connection, or the request itself, each naming
//! the URL.

use std::fmt;

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
