//! Hand-written HTTP/1.1, just what a trace receiver needs: request heads, bodies by
//! `Content-Length` or chunked within a byte limit, deadlines against stalled clients,
//! `Expect: 100-continue`, keep-alive, responses, and CORS for localhost origins.

use std::io::{self, BufRead, BufReader, Read, Write};
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

/// One response.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Response {
    pub status: u16,
    pub content_type: Option<&'static str>,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn new(status: u16) -> Response {
        Response {
            status,
            content_type: None,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    pub fn with_body(mut self, content_type: &'static str, body: Vec<u8>) -> Response {
        self.content_type = Some(content_type);
        self.body = body;
        self
    }

    /// A plain-text message (with a final newline).
    pub fn text(status: u16, message: &str) -> Response {
        Response::new(status).with_body("text/plain; charset=utf-8", format!("{message}\n").into())
    }

    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Response {
        self.headers.push((name, value.into()));
        self
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        202 => "Accepted",
        204 => "No Content",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "",
    }
}

/// Writes a response in one piece; `close` adds `Connection: close`.
pub(crate) fn write_response(
    out: &mut impl Write,
    response: &Response,
    close: bool,
) -> io::Result<()> {
    let mut bytes = Vec::with_capacity(256 + response.body.len());
    let status = response.status;
    write!(bytes, "HTTP/1.1 {status} {}\r\n", reason(status))?;
    if let Some(content_type) = response.content_type {
        write!(bytes, "Content-Type: {content_type}\r\n")?;
    }
    for (name, value) in &response.headers {
        write!(bytes, "{name}: {value}\r\n")?;
    }
    let connection = if close { "close" } else { "keep-alive" };
    write!(
        bytes,
        "Content-Length: {}\r\nConnection: {connection}\r\n\r\n",
        response.body.len()
    )?;
    bytes.extend_from_slice(&response.body);
    out.write_all(&bytes)?;
    out.flush()
}

/// Tells a client that sent `Expect: 100-continue` to go on with the body.
pub(crate) fn write_continue(out: &mut impl Write) -> io::Result<()> {
    out.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
    out.flush()
}

/// True for `http(s)://localhost[:port]`, `127.0.0.1` and `[::1]`: pages served during
/// development, the only origins a browser may send from.
pub(crate) fn is_local_origin(origin: &str) -> bool {
    let Some(rest) = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
    else {
        return false;
    };
    ["localhost", "127.0.0.1", "[::1]"].iter().any(|host| {
        rest.strip_prefix(host).is_some_and(|port| {
            port.is_empty()
                || port
                    .strip_prefix(':')
                    .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        })
    })
}

/// Adds the CORS headers a browser needs to read the answer, for a localhost `Origin`.
pub(crate) fn with_cors(response: Response, head: &Head) -> Response {
    match head.header("origin") {
        Some(origin) if is_local_origin(origin) => response
            .header("Access-Control-Allow-Origin", origin)
            .header("Vary", "Origin"),
        _ => response,
    }
}

/// The answer to a CORS preflight (`OPTIONS`): allowed for localhost origins only.
pub(crate) fn preflight(head: &Head) -> Response {
    let origin = head.header("origin").unwrap_or_default();
    if !is_local_origin(origin) {
        return Response::text(
            403,
            &format!(
                "origin {origin:?} is not allowed: this receiver answers browsers on \
                 http://localhost and http://127.0.0.1 only"
            ),
        );
    }
    let token = |c: char| c.is_ascii_alphanumeric() || "-_, ".contains(c);
    let requested = head
        .header("access-control-request-headers")
        .filter(|h| !h.is_empty() && h.chars().all(token))
        .unwrap_or("content-type, content-encoding");
    with_cors(Response::new(204), head)
        .header("Access-Control-Allow-Methods", "POST, OPTIONS")
        .header("Access-Control-Allow-Headers", requested.to_owned())
        .header("Access-Control-Max-Age", "86400")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_origins_only() {
        for origin in [
            "http://localhost",
            "http://localhost:5173",
            "https://127.0.0.1:8443",
            "http://[::1]:3000",
        ] {
            assert!(is_local_origin(origin), "{origin}");
        }
        for origin in [
            "http://localhost.evil.com",
            "http://localhost:",
            "http://localhost:80x",
            "http://example.com",
            "null",
            "file://",
        ] {
            assert!(!is_local_origin(origin), "{origin}");
        }
    }

    #[test]
    fn responses_are_framed() {
        let mut out = Vec::new();
        let response = Response::text(404, "no such path").header("Allow", "POST");
        write_response(&mut out, &response, true).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            String::from_utf8_lossy(&out),
            "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\nAllow: POST\r\n\
             Content-Length: 13\r\nConnection: close\r\n\r\nno such path\n"
        );
    }

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
