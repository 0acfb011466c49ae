//! The parts of a URL the HTTP conventions record (`server.address`, `server.port`,
//! `url.scheme`), and the redaction they require: no credentials in `url.full`, and the
//! values of signature-like query parameters replaced by `REDACTED`.

use std::borrow::Cow;

/// What replaces credentials and sensitive query values.
const REDACTED: &str = "REDACTED";

/// Query parameters whose values the conventions redact by default (compared with case).
const SENSITIVE_QUERY_KEYS: [&str; 7] = [
    "AWSAccessKeyId",
    "Signature",
    "sig",
    "X-Amz-Credential",
    "X-Amz-Security-Token",
    "X-Amz-Signature",
    "X-Goog-Signature",
];

/// A URL's scheme, host and port, where it has them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct UrlParts<'a> {
    pub(crate) scheme: Option<&'a str>,
    /// The host without IPv6 brackets.
    pub(crate) host: Option<&'a str>,
    /// The explicit port, else the scheme's default (http, ws: 80; https, wss: 443).
    pub(crate) port: Option<u16>,
}

/// The scheme of `url` and where its authority starts (after `://`), if it is absolute.
fn split_scheme(url: &str) -> Option<(&str, usize)> {
    let end = url.find("://")?;
    let scheme = &url[..end];
    let mut chars = scheme.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then_some((scheme, end + 3))
}

/// The authority's byte range in `url` (from after `://` to the first `/`, `?` or `#`).
fn authority_range(url: &str, start: usize) -> (usize, usize) {
    let end = url[start..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |offset| start + offset);
    (start, end)
}

/// Reads the scheme, host and port of an absolute URL (all `None` for a relative one).
pub(crate) fn url_parts(url: &str) -> UrlParts<'_> {
    let Some((scheme, start)) = split_scheme(url) else {
        return UrlParts::default();
    };
    let (start, end) = authority_range(url, start);
    let authority = &url[start..end];
    let host_port = authority
        .rsplit_once('@')
        .map_or(authority, |(_, rest)| rest);
    let (host, port_text) = match host_port.strip_prefix('[') {
        Some(bracketed) => match bracketed.split_once(']') {
            Some((host, rest)) => (host, rest.strip_prefix(':')),
            None => (bracketed, None),
        },
        None => match host_port.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (host_port, None),
        },
    };
    let default_port = match scheme.to_ascii_lowercase().as_str() {
        "http" | "ws" => Some(80),
        "https" | "wss" => Some(443),
        _ => None,
    };
    let port = match port_text {
        Some(text) => text.parse().ok(),
        None => default_port,
    };
    UrlParts {
        scheme: Some(scheme),
        host: Some(host).filter(|h| !h.is_empty()),
        port,
    }
}

/// `url` without credentials (`https://REDACTED:REDACTED@host/`) and with sensitive query
/// values redacted; borrowed when nothing needed hiding.
pub(crate) fn redact_url(url: &str) -> Cow<'_, str> {
    let mut out = match split_scheme(url) {
        Some((_, start)) => {
            let (start, end) = authority_range(url, start);
            match url[start..end].rfind('@') {
                Some(at) => Cow::Owned(format!(
                    "{}{REDACTED}:{REDACTED}{}",
                    &url[..start],
                    &url[start + at..]
                )),
                None => Cow::Borrowed(url),
            }
        }
        None => Cow::Borrowed(url),
    };
    if let Some(query_start) = out.find('?') {
        let query_end = out[query_start..]
            .find('#')
            .map_or(out.len(), |offset| query_start + offset);
        if let Cow::Owned(query) = redact_query(&out[query_start + 1..query_end]) {
            let redacted = format!("{}?{query}{}", &out[..query_start], &out[query_end..]);
            out = Cow::Owned(redacted);
        }
    }
    out
}

/// A query string (without `?`) with the values of sensitive keys replaced by `REDACTED`;
/// borrowed when none was present.
pub(crate) fn redact_query(query: &str) -> Cow<'_, str> {
    let is_sensitive = |pair: &str| {
        pair.split_once('=')
            .is_some_and(|(key, _)| SENSITIVE_QUERY_KEYS.contains(&key))
    };
    if !query.split('&').any(is_sensitive) {
        return Cow::Borrowed(query);
    }
    let pairs: Vec<Cow<'_, str>> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((key, _)) if is_sensitive(pair) => Cow::Owned(format!("{key}={REDACTED}")),
            _ => Cow::Borrowed(pair),
        })
        .collect();
    Cow::Owned(pairs.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parts_of_common_urls() {
        let parts = |url| {
            let p = url_parts(url);
            (p.scheme, p.host, p.port)
        };
        assert_eq!(
            parts("https://api.example.com/v1?x=1"),
            (Some("https"), Some("api.example.com"), Some(443))
        );
        assert_eq!(
            parts("http://u:p@localhost:8080"),
            (Some("http"), Some("localhost"), Some(8080))
        );
        assert_eq!(
            parts("http://[::1]:9000/x"),
            (Some("http"), Some("::1"), Some(9000))
        );
        assert_eq!(parts("grpc://svc"), (Some("grpc"), Some("svc"), None));
        assert_eq!(parts("/relative/path"), (None, None, None));
        assert_eq!(
            parts("http://host:notaport/"),
            (Some("http"), Some("host"), None)
        );
    }

    #[test]
    fn credentials_and_signatures_are_redacted() {
        assert_eq!(
            redact_url("https://user:secret@example.com/p?color=blue&sig=abc#top"),
            "https://REDACTED:REDACTED@example.com/p?color=blue&sig=REDACTED#top"
        );
        assert_eq!(
            redact_url("https://s3.example.com/o?X-Amz-Signature=f00&SIG=kept"),
            "https://s3.example.com/o?X-Amz-Signature=REDACTED&SIG=kept"
        );
        assert!(matches!(
            redact_url("https://example.com/a?b=c"),
            Cow::Borrowed(_)
        ));
    }

    proptest! {
        #[test]
        fn reading_any_text_never_panics(url in any::<String>()) {
            let _ = url_parts(&url);
            let _ = redact_url(&url);
        }

        #[test]
        fn a_password_never_survives(user in "[a-z]{1,8}", password in "[a-z0-9]{6,12}", path in "(/[a-z]{0,5}){0,3}") {
            let url = format!("https://{user}:{password}@host.example{path}");
            let redacted = redact_url(&url);
            let leaked = redacted.contains(&format!(":{password}@"));
            prop_assert!(!leaked, "{}", redacted);
            prop_assert_eq!(url_parts(&url).host, Some("host.example"));
        }
    }
}
