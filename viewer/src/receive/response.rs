//! HTTP/1.1 responses: framed in one write, with `Connection` and `Content-Length`.

use std::io::{self, Write};

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
