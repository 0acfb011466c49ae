//! Hand-written HTTP/1.1 requests, just what a trace receiver needs: heads, bodies by
//! `Content-Length` or chunked within a byte limit, deadlines against stalled clients,
//! `Expect: 100-continue` and keep-alive. Answers are in [`super::response`], CORS in
//! [`super::cors`].

use std::io::{self, BufRead, BufReader, Read};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// The longest request head (request line and headers).
const MAX_HEAD_BYTES: usize = 64 * 1024;
/// The most header lines in one head.
const MAX_HEADERS: usize = 128;

/// Why a request could not be read.
#[derive(Debug)]
pub(crate) enum HttpError {
    /// The client closed the connection before sending a request (the normal end).
    Closed,
    /// The request did not arrive before its deadline.
    Timeout,
    /// The bytes are not an HTTP/1.x request: what was wrong.
    Malformed(String),
    /// The body is over the limit.
    TooLarge,
    /// The connection failed.
    Io(io::Error),
}

impl HttpError {
    fn from_io(error: io::Error) -> HttpError {
        match error.kind() {
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => HttpError::Timeout,
            io::ErrorKind::UnexpectedEof => HttpError::Malformed(
                "the connection closed in the middle of the request".to_owned(),
            ),
            _ => HttpError::Io(error),
        }
    }
}

/// A socket whose reads give up at a deadline, however slowly the bytes trickle in.
#[derive(Debug)]
pub(crate) struct TimedStream {
    pub stream: TcpStream,
    pub deadline: Instant,
}

impl Read for TimedStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::ErrorKind::TimedOut.into());
        }
        self.stream
            .set_read_timeout(Some(left.max(Duration::from_millis(1))))?;
        self.stream.read(buf)
    }
}

pub(crate) type Connection = BufReader<TimedStream>;

/// A request line and its headers (names in lower case).
#[derive(Debug, Clone)]
pub(crate) struct Head {
    pub method: String,
    /// The path, without a query.
    pub path: String,
    /// HTTP/1.1 or later (keep-alive by default).
    pub http11: bool,
    pub headers: Vec<(String, String)>,
}

impl Head {
    /// The first value of a header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether the connection stays open after this request.
    pub fn keep_alive(&self) -> bool {
        let connection = self.header("connection").unwrap_or_default();
        let has = |token: &str| {
            connection
                .split(',')
                .any(|t| t.trim().eq_ignore_ascii_case(token))
        };
        if self.http11 {
            !has("close")
        } else {
            has("keep-alive")
        }
    }

    /// The client waits for `100 Continue` before it sends the body.
    pub fn expects_continue(&self) -> bool {
        self.header("expect")
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("100-continue"))
    }

    /// How the body is delimited.
    pub fn body_length(&self) -> Result<BodyLength, HttpError> {
        let lengths: Vec<&str> = self
            .headers
            .iter()
            .filter(|(n, _)| n == "content-length")
            .flat_map(|(_, v)| v.split(','))
            .map(str::trim)
            .collect();
        if let Some(coding) = self.header("transfer-encoding") {
            if !lengths.is_empty() {
                return Err(malformed(
                    "both Transfer-Encoding and Content-Length are set",
                ));
            }
            let last = coding.rsplit(',').next().unwrap_or_default().trim();
            return if last.eq_ignore_ascii_case("chunked") {
                Ok(BodyLength::Chunked)
            } else {
                Err(malformed(&format!(
                    "Transfer-Encoding {coding:?} is not chunked"
                )))
            };
        }
        let Some(first) = lengths.first() else {
            return Ok(BodyLength::Fixed(0));
        };
        if lengths.iter().any(|l| l != first) {
            return Err(malformed("Content-Length values differ"));
        }
        match first.parse::<u64>() {
            Ok(n) if first.bytes().all(|b| b.is_ascii_digit()) => {
                Ok(BodyLength::Fixed(usize::try_from(n).unwrap_or(usize::MAX)))
            }
            _ => Err(malformed(&format!(
                "Content-Length {first:?} is not a number"
            ))),
        }
    }
}

/// How a request body is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BodyLength {
    Fixed(usize),
    Chunked,
}

fn malformed(message: &str) -> HttpError {
    HttpError::Malformed(message.to_owned())
}

/// Reads one line of the head (without its `\r\n`), counting it against `budget`.
fn read_line(connection: &mut impl BufRead, budget: &mut usize) -> Result<String, HttpError> {
    let mut line = Vec::new();
    let limit = (*budget as u64).saturating_add(1);
    let read = connection
        .take(limit)
        .read_until(b'\n', &mut line)
        .map_err(HttpError::from_io)?;
    if read == 0 {
        return Err(HttpError::from_io(io::ErrorKind::UnexpectedEof.into()));
    }
    if read > *budget || line.last() != Some(&b'\n') {
        if read > *budget {
            return Err(malformed("the request head is over 64 KiB"));
        }
        return Err(HttpError::from_io(io::ErrorKind::UnexpectedEof.into()));
    }
    *budget -= read;
    line.pop();
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    String::from_utf8(line).map_err(|_| malformed("the request head is not UTF-8 text"))
}

/// Reads a request head. `Closed` if the connection ends before its first byte.
pub(crate) fn read_head(connection: &mut impl BufRead) -> Result<Head, HttpError> {
    if connection
        .fill_buf()
        .map_err(HttpError::from_io)?
        .is_empty()
    {
        return Err(HttpError::Closed);
    }
    let mut budget = MAX_HEAD_BYTES;
    let mut request_line = read_line(connection, &mut budget)?;
    while request_line.is_empty() {
        // RFC 9112 2.2: ignore empty lines before the request line.
        request_line = read_line(connection, &mut budget)?;
    }
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(malformed(&format!("bad request line {request_line:?}")));
    };
    let http11 = match version {
        "HTTP/1.1" => true,
        "HTTP/1.0" => false,
        _ => return Err(malformed(&format!("unsupported HTTP version {version:?}"))),
    };
    let path = target
        .split(['?', '#'])
        .next()
        .unwrap_or_default()
        .to_owned();
    let mut headers = Vec::new();
    loop {
        let line = read_line(connection, &mut budget)?;
        if line.is_empty() {
            break;
        }
        if headers.len() == MAX_HEADERS {
            return Err(malformed("more than 128 header lines"));
        }
        let Some((name, value)) = line.split_once(':') else {
            return Err(malformed(&format!("header line without a colon: {line:?}")));
        };
        if name.is_empty() || name.contains([' ', '\t']) {
            return Err(malformed(&format!("bad header name {name:?}")));
        }
        headers.push((name.to_ascii_lowercase(), value.trim().to_owned()));
    }
    Ok(Head {
        method: method.to_owned(),
        path,
        http11,
        headers,
    })
}

/// Reads the body, failing with `TooLarge` as soon as it is over `limit` bytes.
pub(crate) fn read_body(
    connection: &mut impl BufRead,
    length: BodyLength,
    limit: usize,
) -> Result<Vec<u8>, HttpError> {
    match length {
        BodyLength::Fixed(n) if n > limit => Err(HttpError::TooLarge),
        BodyLength::Fixed(n) => {
            let mut body = Vec::new();
            body.try_reserve_exact(n).map_err(|_| HttpError::TooLarge)?;
            let read = connection
                .take(n as u64)
                .read_to_end(&mut body)
                .map_err(HttpError::from_io)?;
            if read < n {
                return Err(malformed(&format!(
                    "the body ended after {read} of {n} bytes (Content-Length)"
                )));
            }
            Ok(body)
        }
        BodyLength::Chunked => read_chunked(connection, limit),
    }
}

fn read_chunked(connection: &mut impl BufRead, limit: usize) -> Result<Vec<u8>, HttpError> {
    let mut body = Vec::new();
    let mut budget = MAX_HEAD_BYTES;
    loop {
        let line = read_line(connection, &mut budget)?;
        let digits = line.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(digits, 16)
            .map_err(|_| malformed(&format!("bad chunk size {digits:?}")))?;
        if size == 0 {
            // Trailers, up to the empty line.
            while !read_line(connection, &mut budget)?.is_empty() {}
            return Ok(body);
        }
        if size > limit.saturating_sub(body.len()) {
            return Err(HttpError::TooLarge);
        }
        let read = connection
            .take(size as u64)
            .read_to_end(&mut body)
            .map_err(HttpError::from_io)?;
        if read < size {
            return Err(malformed("the body ended in the middle of a chunk"));
        }
        if !read_line(connection, &mut budget)?.is_empty() {
            return Err(malformed("a chunk is longer than its size says"));
        }
        budget = MAX_HEAD_BYTES;
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    fn head_of(raw: &[u8]) -> Result<Head, HttpError> {
        read_head(&mut &raw[..])
    }

    #[test]
    fn heads_are_parsed_and_bad_ones_named() {
        let head = head_of(
            b"\r\nPOST /v1/traces?x=1 HTTP/1.1\r\nContent-Type:  application/json \r\n\r\n",
        );
        let head = head.unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            (head.method.as_str(), head.path.as_str()),
            ("POST", "/v1/traces")
        );
        assert_eq!(head.header("content-type"), Some("application/json"));
        assert!(head.keep_alive());
        let close = head_of(b"POST / HTTP/1.0\r\n\r\n").unwrap_or_else(|e| panic!("{e:?}"));
        assert!(!close.keep_alive());
        for (raw, says) in [
            (&b"POST /\r\n\r\n"[..], "bad request line"),
            (b"POST / HTTP/2\r\n\r\n", "unsupported HTTP version"),
            (b"POST / HTTP/1.1\r\nX : y\r\n\r\n", "bad header name"),
            (b"POST / HTTP/1.1\r\nX", "closed in the middle"),
        ] {
            match head_of(raw) {
                Err(HttpError::Malformed(message)) => assert!(message.contains(says), "{message}"),
                other => panic!("{other:?}"),
            }
        }
        assert!(matches!(head_of(b""), Err(HttpError::Closed)));
    }

    #[test]
    fn body_lengths_are_checked() {
        let length = |raw: &[u8]| head_of(raw).and_then(|h| h.body_length());
        assert!(matches!(
            length(b"POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n"),
            Ok(BodyLength::Fixed(5))
        ));
        assert!(matches!(
            length(b"POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n"),
            Err(HttpError::Malformed(_))
        ));
        assert!(matches!(
            length(b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n"),
            Err(HttpError::Malformed(_))
        ));
        assert!(matches!(
            length(b"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n"),
            Err(HttpError::Malformed(_))
        ));
        assert!(matches!(
            length(b"POST / HTTP/1.1\r\n\r\n"),
            Ok(BodyLength::Fixed(0))
        ));
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_are_answered_without_panicking(raw in proptest::collection::vec(proptest::num::u8::ANY, 0..600)) {
            let mut input = &raw[..];
            if let Ok(head) = read_head(&mut input)
                && let Ok(length) = head.body_length()
            {
                let _ = read_body(&mut input, length, 256);
            }
        }

        #[test]
        fn chunked_bodies_are_joined(
            body in proptest::collection::vec(proptest::num::u8::ANY, 0..2000),
            sizes in proptest::collection::vec(1usize..300, 1..20),
        ) {
            let mut raw = Vec::new();
            let mut rest = &body[..];
            let mut sizes = sizes.iter().cycle();
            while !rest.is_empty() {
                let n = (*sizes.next().unwrap_or(&1)).min(rest.len());
                raw.extend_from_slice(format!("{n:X}\r\n").as_bytes());
                raw.extend_from_slice(&rest[..n]);
                raw.extend_from_slice(b"\r\n");
                rest = &rest[n..];
            }
            raw.extend_from_slice(b"0\r\n\r\n");
            let read = read_body(&mut &raw[..], BodyLength::Chunked, 2000);
            proptest::prop_assert_eq!(read.ok(), Some(body.clone()));
            if body.len() > 10 {
                let over = read_body(&mut &raw[..], BodyLength::Chunked, 10);
                proptest::prop_assert!(matches!(over, Err(HttpError::TooLarge)));
            }
        }
    }
}
