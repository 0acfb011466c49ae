//! One GET against a backend: the status and the body, or why nothing answered.

use std::time::Duration;

use super::{Auth, BackendError};

/// The most a trace response may hold (a trace of a few million spans).
const MAX_BODY: u64 = 512 * 1024 * 1024;
/// How long one request may take in all.
const TIMEOUT: Duration = Duration::from_secs(60);
/// How long connecting may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

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
    /// A client for `base` (http:// or https://).
    pub fn new(base: &str, auth: Option<Auth>) -> Result<Http, BackendError> {
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
    /// [`BackendError::Unreachable`]; every other status is the caller's to judge.
    pub fn get(&self, path: &str) -> Result<Answer, BackendError> {
        self.get_query(path, &[])
    }

    /// [`Http::get`] with query parameters (encoded here).
    pub fn get_query(&self, path: &str, query: &[(&str, String)]) -> Result<Answer, BackendError> {
        let url = self.url(path);
        let mut request = self
            .agent
            .get(&url)
            .header("Accept", "application/json")
            .query_pairs(query.iter().map(|(k, v)| (*k, v.as_str())));
        if let Some(auth) = &self.auth {
            request = request.header("Authorization", auth.header());
        }
        let mut response = request.call().map_err(|e| BackendError::Unreachable {
            url: url.clone(),
            reason: e.to_string(),
        })?;
        let status = response.status().as_u16();
        if status == 401 || status == 403 {
            return Err(BackendError::AuthFailed { url, status });
        }
        let body = response
            .body_mut()
            .with_config()
            .limit(MAX_BODY)
            .read_to_vec()
            .map_err(|e| BackendError::Unreachable {
                url: url.clone(),
                reason: format!("the answer was cut off: {e}"),
            })?;
        Ok(Answer { status, body })
    }
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
