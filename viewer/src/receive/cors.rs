//! CORS for pages served on localhost during development (OpenTelemetry JS web, Grafana Faro):
//! preflights answered and `Access-Control-Allow-Origin` set for localhost origins only.

use super::http::Head;
use super::response::Response;

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
}
