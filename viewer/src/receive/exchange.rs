//! One request, from its head to the answer: route, check the content type and length, read
//! the body (after `100 Continue` if asked), gunzip, decode, queue the batch, answer.

use std::io::BufRead;
use std::time::Duration;

use crossbeam_channel::SendTimeoutError;

use super::cors::{preflight, with_cors};
use super::counters::Refusal;
use super::decode::{Decoded, Refused, gunzip, is_gzip};
use super::http::{BodyLength, Connection, Head, HttpError, read_body, read_head};
use super::otlp::{self, Encoding};
use super::response::{Response, write_continue};
use super::server::{Endpoint, ReceivedBatch, Shared};
use super::zipkin;

/// How long a request waits for room in the batch queue before it is answered 503.
const QUEUE_WAIT: Duration = Duration::from_secs(2);

/// The answer to send, and whether to close the connection after it.
#[derive(Debug)]
pub(crate) struct Outcome {
    pub response: Response,
    pub close: bool,
}

/// The body format of an accepted request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Body {
    Otlp(Encoding),
    Zipkin,
}

/// Reads and answers one request; `None` when the connection is gone (nothing to answer).
pub(crate) fn handle(
    connection: &mut Connection,
    endpoint: Endpoint,
    shared: &Shared,
) -> Option<Outcome> {
    let head = match read_head(connection) {
        Ok(head) => head,
        Err(HttpError::Closed | HttpError::Io(_)) => return None,
        Err(error) => return Some(http_refusal(error, shared)),
    };
    let outcome = match exchange(connection, &head, endpoint, shared) {
        Ok(outcome) => outcome,
        Err((refused, close)) => {
            shared.counters.refused(refused.reason);
            let response = match endpoint {
                Endpoint::Otlp => otlp::refused(otlp::encoding(&head).ok(), &refused),
                Endpoint::Zipkin => zipkin::refused(&refused),
            };
            let response = match refused.reason {
                Refusal::Busy => response.header("Retry-After", "1"),
                Refusal::MethodNotAllowed => response.header("Allow", "POST, OPTIONS"),
                _ => response,
            };
            Outcome { response, close }
        }
    };
    Some(Outcome {
        response: with_cors(outcome.response, &head),
        close: outcome.close || !head.keep_alive(),
    })
}

/// A refusal, and whether the connection must close after it (the body was not read).
type Refusing = (Refused, bool);

fn exchange(
    connection: &mut Connection,
    head: &Head,
    endpoint: Endpoint,
    shared: &Shared,
) -> Result<Outcome, Refusing> {
    let limit = shared.config.max_body_bytes;
    let length = head
        .body_length()
        .map_err(|e| (http_refused(e, limit), true))?;
    let early = |connection: &mut Connection, refused: Refused| {
        let kept = skip_body(connection, head, length, limit);
        (refused, !kept)
    };
    let path = match endpoint {
        Endpoint::Otlp => otlp::PATH,
        Endpoint::Zipkin => zipkin::PATH,
    };
    if head.path != path {
        let message = format!(
            "no such path {:?}; {endpoint} spans go to POST {path}",
            head.path
        );
        return Err(early(connection, Refused::new(Refusal::NotFound, message)));
    }
    if head.method == "OPTIONS" {
        let response = preflight(head);
        if response.status == 403 {
            shared.counters.refused(Refusal::ForbiddenOrigin);
        }
        let close = !skip_body(connection, head, length, limit);
        return Ok(Outcome { response, close });
    }
    if head.method != "POST" {
        let message = format!("{} is not allowed on {path}; use POST", head.method);
        return Err(early(
            connection,
            Refused::new(Refusal::MethodNotAllowed, message),
        ));
    }
    let body_kind = match endpoint {
        Endpoint::Otlp => otlp::encoding(head).map(Body::Otlp),
        Endpoint::Zipkin => zipkin::check_content_type(head).map(|()| Body::Zipkin),
    };
    let (body_kind, gzip) = match body_kind.and_then(|b| is_gzip(head).map(|g| (b, g))) {
        Ok(checked) => checked,
        Err(refused) => return Err(early(connection, refused)),
    };
    if let BodyLength::Fixed(n) = length
        && n > limit
    {
        return Err((too_large(limit), true));
    }
    if head.expects_continue() {
        write_continue(&mut &connection.get_ref().stream).map_err(|_| (timed_out(), true))?;
    }
    let body = read_body(connection, length, limit).map_err(|e| (http_refused(e, limit), true))?;
    shared.counters.bytes(body.len());
    let body = if gzip {
        gunzip(&body, limit).map_err(|r| (r, false))?
    } else {
        body
    };
    let decoded = match body_kind {
        Body::Otlp(encoding) => otlp::decode(&body, encoding),
        Body::Zipkin => zipkin::decode(&body),
    }
    .map_err(|r| (r, false))?;
    let response = match body_kind {
        Body::Otlp(encoding) => otlp::accepted(encoding, &decoded),
        Body::Zipkin => zipkin::accepted(&decoded),
    };
    queue(decoded, endpoint, shared).map_err(|r| (r, false))?;
    Ok(Outcome {
        response,
        close: false,
    })
}

/// Hands the spans to the application; 503 if it has not made room in time.
fn queue(decoded: Decoded, endpoint: Endpoint, shared: &Shared) -> Result<(), Refused> {
    let spans = decoded.data.spans.len();
    if spans > 0 {
        let batch = ReceivedBatch {
            endpoint,
            data: decoded.data,
        };
        match shared.batches.send_timeout(batch, QUEUE_WAIT) {
            Ok(()) => {}
            Err(SendTimeoutError::Timeout(_)) => {
                return Err(Refused::new(
                    Refusal::Busy,
                    "the viewer is not taking spans fast enough; try again",
                ));
            }
            Err(SendTimeoutError::Disconnected(_)) => {
                return Err(Refused::new(Refusal::Busy, "the receiver is shutting down"));
            }
        }
    }
    shared.counters.accepted(spans, decoded.rejected);
    if let Some(notify) = &shared.notify {
        (notify.0)();
    }
    Ok(())
}

/// Reads and drops the body of a request refused before its body was read, so that the
/// connection can serve the next one; false when it cannot (unknown length, too long, or the
/// client waits for `100 Continue`), and the connection is to close.
fn skip_body(connection: &mut impl BufRead, head: &Head, length: BodyLength, limit: usize) -> bool {
    match length {
        BodyLength::Fixed(0) => true,
        BodyLength::Fixed(n) if n <= limit && !head.expects_continue() => {
            read_body(connection, length, limit).is_ok()
        }
        _ => false,
    }
}

fn too_large(limit: usize) -> Refused {
    Refused::new(
        Refusal::TooLarge,
        format!("the body is over the limit of {limit} bytes"),
    )
}

fn timed_out() -> Refused {
    Refused::new(Refusal::Timeout, "the request did not arrive in time")
}

fn http_refused(error: HttpError, limit: usize) -> Refused {
    match error {
        HttpError::TooLarge => too_large(limit),
        HttpError::Timeout => timed_out(),
        HttpError::Malformed(message) => Refused::new(Refusal::Malformed, message),
        HttpError::Closed => Refused::new(Refusal::Malformed, "the connection closed"),
        HttpError::Io(error) => Refused::new(Refusal::Malformed, error.to_string()),
    }
}

/// A request whose head could not be read: answered in plain text, then closed.
fn http_refusal(error: HttpError, shared: &Shared) -> Outcome {
    let refused = http_refused(error, shared.config.max_body_bytes);
    shared.counters.refused(refused.reason);
    Outcome {
        response: Response::text(refused.reason.status(), &refused.message),
        close: true,
    }
}
