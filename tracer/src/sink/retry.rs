//! When to send a request again: only what the protocol calls retryable, with exponential
//! backoff and jitter, honouring `Retry-After`, within a retry budget and the export timeout.
//!
//! The decision is a pure function of what happened, so it is tested as a table.

use std::time::Duration;

/// Whose rules decide which failures are worth another attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Protocol {
    /// OTLP/HTTP: 429, 502, 503, 504 and connection failures.
    Otlp,
    /// Zipkin's HTTP API: any 5xx, 429 and connection failures.
    Zipkin,
}

/// What one attempt came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Attempt {
    /// The server answered with this status (and maybe a `Retry-After` in seconds).
    Status {
        code: u16,
        retry_after: Option<Duration>,
    },
    /// No answer: connection refused or reset, or timed out.
    ConnectionFailed,
    /// The request cannot work however often it is sent (a malformed URL or header).
    Invalid,
}

/// What to do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// The batch was accepted.
    Success,
    /// Send it again after this wait.
    Retry(Duration),
    /// Give up: not retryable, out of retries, or out of time.
    Fail,
}

/// How hard to try. The defaults follow the OpenTelemetry SDKs: up to 5 attempts, backoff
/// from 1 s doubling up to 5 s, each wait jittered down to half its length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (the retry budget of one export).
    pub max_retries: u32,
    /// The wait before the first retry (before jitter).
    pub initial_backoff: Duration,
    /// The longest wait between attempts (before jitter; `Retry-After` may ask for longer).
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 4,
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(5),
        }
    }
}

impl RetryPolicy {
    /// Never retries.
    pub fn none() -> RetryPolicy {
        RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        }
    }

    /// Decides after an attempt. `retries_done` counts earlier retries of this request,
    /// `remaining` is what is left of the export timeout, and `jitter` is a random number in
    /// `[0, 1)` (the wait is between half and all of the backoff).
    pub(crate) fn decide(
        &self,
        protocol: Protocol,
        attempt: Attempt,
        retries_done: u32,
        remaining: Duration,
        jitter: f64,
    ) -> Decision {
        let retry_after = match attempt {
            Attempt::Status {
                code: 200..=299, ..
            } => return Decision::Success,
            Attempt::Status { code, retry_after } if retryable(protocol, code) => retry_after,
            Attempt::ConnectionFailed => None,
            Attempt::Status { .. } | Attempt::Invalid => return Decision::Fail,
        };
        if retries_done >= self.max_retries {
            return Decision::Fail;
        }
        let wait = retry_after.unwrap_or_else(|| self.backoff(retries_done, jitter));
        // Waiting past the deadline only to be cut off helps nobody.
        if wait >= remaining {
            return Decision::Fail;
        }
        Decision::Retry(wait)
    }

    /// `initial · 2^retries`, capped at `max_backoff`, scaled into `[½, 1)` of itself.
    fn backoff(&self, retries_done: u32, jitter: f64) -> Duration {
        let doubled = self
            .initial_backoff
            .saturating_mul(1u32 << retries_done.min(31));
        let base = doubled.min(self.max_backoff);
        base.mul_f64(0.5 + 0.5 * jitter.clamp(0.0, 1.0))
    }
}

/// Whether the protocol calls this status worth another attempt.
pub(crate) fn retryable(protocol: Protocol, code: u16) -> bool {
    match protocol {
        Protocol::Otlp => matches!(code, 429 | 502 | 503 | 504),
        Protocol::Zipkin => code == 429 || (500..=599).contains(&code),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: fn(u64) -> Duration = Duration::from_secs;
    const MS: fn(u64) -> Duration = Duration::from_millis;

    fn status(code: u16) -> Attempt {
        Attempt::Status {
            code,
            retry_after: None,
        }
    }

    #[test]
    fn decision_table() {
        use Decision::*;
        use Protocol::*;
        let policy = RetryPolicy::default();
        let plenty = S(30);
        let after = |code, secs| Attempt::Status {
            code,
            retry_after: Some(S(secs)),
        };
        #[rustfmt::skip]
        let table: &[(Protocol, Attempt, u32, Duration, f64, Decision)] = &[
            // protocol, attempt, retries done, remaining, jitter, decision
            (Otlp, status(200), 0, plenty, 0.0, Success),
            (Otlp, status(202), 3, plenty, 0.0, Success),
            (Zipkin, status(202), 0, plenty, 0.0, Success),
            (Otlp, status(400), 0, plenty, 0.0, Fail),
            (Zipkin, status(400), 0, plenty, 0.0, Fail),
            (Otlp, status(401), 0, plenty, 0.0, Fail),
            (Otlp, status(404), 0, plenty, 0.0, Fail),
            (Otlp, status(413), 0, plenty, 0.0, Fail),
            (Otlp, status(500), 0, plenty, 0.0, Fail),
            (Otlp, status(501), 0, plenty, 0.0, Fail),
            (Zipkin, status(500), 0, plenty, 0.0, Retry(MS(500))),
            (Zipkin, status(501), 0, plenty, 1.0, Retry(MS(1000))),
            (Otlp, status(429), 0, plenty, 0.0, Retry(MS(500))),
            (Zipkin, status(429), 0, plenty, 0.0, Retry(MS(500))),
            (Otlp, status(502), 1, plenty, 0.0, Retry(MS(1000))),
            (Otlp, status(503), 2, plenty, 0.0, Retry(MS(2000))),
            (Otlp, status(504), 3, plenty, 1.0, Retry(S(5))),
            (Otlp, status(503), 4, plenty, 0.0, Fail),
            (Otlp, Attempt::ConnectionFailed, 0, plenty, 0.0, Retry(MS(500))),
            (Zipkin, Attempt::ConnectionFailed, 0, plenty, 0.5, Retry(MS(750))),
            (Otlp, Attempt::ConnectionFailed, 4, plenty, 0.0, Fail),
            (Otlp, Attempt::Invalid, 0, plenty, 0.0, Fail),
            // Retry-After wins over the backoff, even past max_backoff.
            (Otlp, after(429, 7), 0, plenty, 0.0, Retry(S(7))),
            (Otlp, after(503, 0), 0, plenty, 0.0, Retry(S(0))),
            (Zipkin, after(503, 2), 1, plenty, 0.9, Retry(S(2))),
            // ...but not over the rules: a 400 with Retry-After is still final.
            (Otlp, after(400, 1), 0, plenty, 0.0, Fail),
            // The export timeout bounds the wait.
            (Otlp, after(429, 7), 0, S(5), 0.0, Fail),
            (Otlp, status(503), 0, MS(400), 0.0, Fail),
            (Otlp, status(503), 0, MS(600), 0.0, Retry(MS(500))),
            (Otlp, Attempt::ConnectionFailed, 0, Duration::ZERO, 0.0, Fail),
        ];
        for (i, &(protocol, attempt, done, remaining, jitter, expected)) in table.iter().enumerate()
        {
            assert_eq!(
                policy.decide(protocol, attempt, done, remaining, jitter),
                expected,
                "row {i}: {protocol:?} {attempt:?} after {done} retries"
            );
        }
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_without_overflowing() {
        let policy = RetryPolicy {
            max_retries: u32::MAX,
            initial_backoff: MS(10),
            max_backoff: MS(100),
        };
        let waits: Vec<_> = (0..6).map(|n| policy.backoff(n, 1.0)).collect();
        assert_eq!(waits, [MS(10), MS(20), MS(40), MS(80), MS(100), MS(100)]);
        assert_eq!(policy.backoff(1000, 1.0), MS(100));
        assert_eq!(policy.backoff(0, 0.0), MS(5), "jitter halves at most");
        assert_eq!(
            RetryPolicy::none().decide(Protocol::Otlp, status(503), 0, S(30), 0.0),
            Decision::Fail
        );
    }
}
