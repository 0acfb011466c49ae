//! OTLP/HTTP with JSON encoding: `POST {endpoint}/v1/traces`, `Content-Type: application/json`,
//! one `ExportTraceServiceRequest` per request, as Jaeger, Tempo and the OpenTelemetry
//! Collector accept. Configurable from the standard `OTEL_EXPORTER_OTLP_*` variables.

use std::time::Duration;

use spindle_formats::SpanBatch;

use super::http::{HttpSender, HttpSettings, export_batch, http_options};
use super::retry::Protocol;
use super::{ExportContext, ExportError, SpanExporter};
use crate::resource::percent_decode;

/// Where OTLP/HTTP goes when no endpoint is configured (the specification's default).
pub(crate) const DEFAULT_OTLP_ENDPOINT: &str = "http://localhost:4318";

/// Posts batches to an OTLP/HTTP receiver as JSON. Retries 429, 502, 503, 504 and connection
/// failures.
///
/// ```
/// let otlp = spindle::OtlpHttpExporter::new("http://collector:4318/")
///     .header("Authorization", "Bearer token")
///     .gzip(true);
/// assert_eq!(otlp.url(), "http://collector:4318/v1/traces");
/// ```
#[derive(Debug)]
pub struct OtlpHttpExporter {
    sender: HttpSender,
    buffer: Vec<u8>,
}

impl OtlpHttpExporter {
    /// Posts to `{endpoint}/v1/traces` (the form of `OTEL_EXPORTER_OTLP_ENDPOINT`).
    pub fn new(endpoint: &str) -> OtlpHttpExporter {
        OtlpHttpExporter::with_url(signal_url(endpoint))
    }

    /// Posts to `url` exactly (the form of `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`).
    pub fn with_url(url: impl Into<String>) -> OtlpHttpExporter {
        let settings = HttpSettings::new(url.into(), Protocol::Otlp, "application/json");
        OtlpHttpExporter {
            sender: HttpSender::new(settings),
            buffer: Vec::new(),
        }
    }

    /// Configured from the process environment; see [`OtlpHttpExporter::from_env_vars`].
    pub fn from_env() -> (OtlpHttpExporter, Vec<String>) {
        OtlpHttpExporter::from_env_vars(|name| std::env::var(name).ok())
    }

    /// Configured from variables looked up with `env`, returning warnings for values ignored:
    ///
    /// - `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (used as is), else `OTEL_EXPORTER_OTLP_ENDPOINT`
    ///   (with `/v1/traces` appended), else `http://localhost:4318/v1/traces`;
    /// - `OTEL_EXPORTER_OTLP_HEADERS` then `OTEL_EXPORTER_OTLP_TRACES_HEADERS`: `k=v,k2=v2`,
    ///   percent-decoded (the second wins for a name in both);
    /// - `OTEL_EXPORTER_OTLP_[TRACES_]COMPRESSION`: `gzip` or `none`;
    /// - `OTEL_EXPORTER_OTLP_[TRACES_]TIMEOUT`: milliseconds;
    /// - `OTEL_EXPORTER_OTLP_[TRACES_]PROTOCOL`: only `http/json` is spoken (others warn).
    ///
    /// ```
    /// let vars = [
    ///     ("OTEL_EXPORTER_OTLP_ENDPOINT", "https://otlp.example.com"),
    ///     ("OTEL_EXPORTER_OTLP_HEADERS", "Authorization=Basic%20dXNlcjpwYXNz"),
    /// ];
    /// let env = |name: &str| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string());
    /// let (otlp, warnings) = spindle::OtlpHttpExporter::from_env_vars(env);
    /// assert_eq!(otlp.url(), "https://otlp.example.com/v1/traces");
    /// assert!(warnings.is_empty());
    /// ```
    pub fn from_env_vars(env: impl Fn(&str) -> Option<String>) -> (OtlpHttpExporter, Vec<String>) {
        let mut warnings = Vec::new();
        let set = |name: &str| env(name).filter(|v| !v.trim().is_empty());
        let traces_or_all = |suffix: &str| {
            set(&format!("OTEL_EXPORTER_OTLP_TRACES_{suffix}"))
                .map(|v| (format!("OTEL_EXPORTER_OTLP_TRACES_{suffix}"), v))
                .or_else(|| {
                    set(&format!("OTEL_EXPORTER_OTLP_{suffix}"))
                        .map(|v| (format!("OTEL_EXPORTER_OTLP_{suffix}"), v))
                })
        };
        let mut exporter = match (
            set("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"),
            set("OTEL_EXPORTER_OTLP_ENDPOINT"),
        ) {
            (Some(url), _) => OtlpHttpExporter::with_url(url.trim()),
            (None, Some(base)) => OtlpHttpExporter::new(base.trim()),
            (None, None) => OtlpHttpExporter::new(DEFAULT_OTLP_ENDPOINT),
        };
        for name in [
            "OTEL_EXPORTER_OTLP_HEADERS",
            "OTEL_EXPORTER_OTLP_TRACES_HEADERS",
        ] {
            if let Some(raw) = set(name) {
                let (headers, problems) = parse_headers(&raw);
                warnings.extend(problems.into_iter().map(|p| format!("{name}: {p}")));
                for (key, value) in headers {
                    exporter = exporter.header(key, value);
                }
            }
        }
        if let Some((name, value)) = traces_or_all("COMPRESSION") {
            match value.trim() {
                "gzip" => exporter = exporter.gzip(true),
                "none" => exporter = exporter.gzip(false),
                other => warnings.push(format!(
                    "{name}={other:?} is not gzip or none; sending uncompressed"
                )),
            }
        }
        if let Some((name, value)) = traces_or_all("TIMEOUT") {
            match value.trim().parse::<u64>() {
                Ok(ms) => exporter = exporter.timeout(Duration::from_millis(ms)),
                Err(_) => warnings.push(format!(
                    "{name}={value:?} is not a whole number of milliseconds; ignored"
                )),
            }
        }
        if let Some((name, value)) = traces_or_all("PROTOCOL")
            && value.trim() != "http/json"
        {
            warnings.push(format!(
                "{name}={value:?}: spindle speaks OTLP/HTTP with JSON only; sending http/json"
            ));
        }
        (exporter, warnings)
    }

    http_options!();
}

/// `{endpoint}/v1/traces`, without a doubled slash.
fn signal_url(endpoint: &str) -> String {
    format!("{}/v1/traces", endpoint.trim_end_matches('/'))
}

/// Parses `key=value,key2=value2` (W3C Baggage form, percent-encoded). Returns the headers and
/// a description of each entry left out.
pub(crate) fn parse_headers(raw: &str) -> (Vec<(String, String)>, Vec<String>) {
    let mut headers = Vec::new();
    let mut problems = Vec::new();
    for (index, entry) in raw.split(',').enumerate() {
        if entry.trim().is_empty() {
            continue;
        }
        let Some((key, value)) = entry.split_once('=') else {
            problems.push(format!("entry {index} has no '='; left out"));
            continue;
        };
        match (percent_decode(key.trim()), percent_decode(value.trim())) {
            (Some(key), Some(value)) if valid_header(&key, &value) => headers.push((key, value)),
            _ => problems.push(format!(
                "entry {index} is not a valid header once percent-decoded; left out"
            )),
        }
    }
    (headers, problems)
}

/// A header name is an RFC 9110 token; a value has no control characters but tab.
fn valid_header(name: &str, value: &str) -> bool {
    let token = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    !name.is_empty()
        && name.chars().all(token)
        && value.chars().all(|c| c == '\t' || !c.is_control())
}

fn encode(data: SpanBatch<'_>, out: &mut Vec<u8>) -> std::io::Result<()> {
    spindle_formats::otlp_json::write(data, out)
}

impl SpanExporter for OtlpHttpExporter {
    fn attach(&mut self, context: ExportContext) {
        self.sender.attach(context);
    }

    fn export(&mut self, batch: SpanBatch<'_>) -> Result<(), ExportError> {
        export_batch(&mut self.sender, batch, encode, &mut self.buffer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |key| {
            vars.iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn headers_are_percent_decoded_and_bad_entries_left_out() {
        let (headers, problems) =
            parse_headers("Authorization=Basic%20abc%3D%3D, x-tenant = acme ,bad,=x,a b=c,k=%zz,");
        assert_eq!(
            headers,
            [
                ("Authorization".to_string(), "Basic abc==".to_string()),
                ("x-tenant".to_string(), "acme".to_string())
            ]
        );
        assert_eq!(problems.len(), 4, "{problems:?}");
    }

    #[test]
    fn endpoint_variables_follow_the_specification() {
        let (otlp, _) = OtlpHttpExporter::from_env_vars(env(&[]));
        assert_eq!(otlp.url(), "http://localhost:4318/v1/traces");
        let (otlp, _) = OtlpHttpExporter::from_env_vars(env(&[(
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            "http://c:4318/",
        )]));
        assert_eq!(otlp.url(), "http://c:4318/v1/traces");
        let (otlp, _) = OtlpHttpExporter::from_env_vars(env(&[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"),
            ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://t:1234/custom"),
        ]));
        assert_eq!(otlp.url(), "http://t:1234/custom", "used as is");
    }

    #[test]
    fn compression_timeout_and_protocol_are_read_with_warnings_for_bad_values() {
        let (otlp, warnings) = OtlpHttpExporter::from_env_vars(env(&[
            ("OTEL_EXPORTER_OTLP_COMPRESSION", "gzip"),
            ("OTEL_EXPORTER_OTLP_TIMEOUT", "2500"),
            ("OTEL_EXPORTER_OTLP_TRACES_HEADERS", "b=2"),
            ("OTEL_EXPORTER_OTLP_HEADERS", "a=1,b=1"),
        ]));
        assert!(warnings.is_empty(), "{warnings:?}");
        assert!(otlp.sender.settings.gzip);
        assert_eq!(
            otlp.sender.settings.timeout,
            Some(Duration::from_millis(2500))
        );
        assert_eq!(
            otlp.sender.settings.headers,
            [("a".into(), "1".into()), ("b".into(), "2".into())]
        );
        let (otlp, warnings) = OtlpHttpExporter::from_env_vars(env(&[
            ("OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", "zstd"),
            ("OTEL_EXPORTER_OTLP_TIMEOUT", "10s"),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
        ]));
        assert!(!otlp.sender.settings.gzip);
        assert_eq!(otlp.sender.settings.timeout, None);
        assert_eq!(warnings.len(), 3, "{warnings:?}");
    }
}
