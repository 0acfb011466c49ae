//! The OTLP exporter configured from the standard `OTEL_EXPORTER_OTLP_*` variables: the
//! signal-specific `..._TRACES_...` form wins over the general one, and a value that cannot be
//! used is left out with a warning naming the variable.

use std::time::Duration;

use super::otlp_http::{DEFAULT_OTLP_ENDPOINT, OtlpHttpExporter};
use super::otlp_protocol::OtlpProtocol;
use crate::resource::percent_decode;

/// A variable's name and its value, when set and not blank.
type Found = Option<(String, String)>;

impl OtlpHttpExporter {
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
    /// - `OTEL_EXPORTER_OTLP_[TRACES_]PROTOCOL`: `http/protobuf` (the default) or `http/json`;
    ///   `grpc` or anything else warns and sends `http/protobuf`;
    /// - `OTEL_EXPORTER_OTLP_[TRACES_]COMPRESSION`: `gzip` or `none`;
    /// - `OTEL_EXPORTER_OTLP_[TRACES_]TIMEOUT`: milliseconds;
    /// - `OTEL_EXPORTER_OTLP_[TRACES_]CERTIFICATE`: a PEM file of the certificates trusted for
    ///   HTTPS instead of the built-in roots (see [`OtlpHttpExporter::certificate_file`]).
    ///
    /// For each pair, the `TRACES_` variable wins over the general one.
    ///
    /// ```
    /// let vars = [
    ///     ("OTEL_EXPORTER_OTLP_ENDPOINT", "https://otlp.example.com"),
    ///     ("OTEL_EXPORTER_OTLP_HEADERS", "Authorization=Basic%20dXNlcjpwYXNz"),
    ///     ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"),
    /// ];
    /// let env = |name: &str| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string());
    /// let (otlp, warnings) = spindle::OtlpHttpExporter::from_env_vars(env);
    /// assert_eq!(otlp.url(), "https://otlp.example.com/v1/traces");
    /// assert_eq!(otlp.otlp_protocol(), spindle::OtlpProtocol::HttpJson);
    /// assert!(warnings.is_empty());
    /// ```
    pub fn from_env_vars(env: impl Fn(&str) -> Option<String>) -> (OtlpHttpExporter, Vec<String>) {
        let mut warnings = Vec::new();
        let set = |name: &str| env(name).filter(|v| !v.trim().is_empty());
        let traces_or_all = |suffix: &str| -> Found {
            let traces = format!("OTEL_EXPORTER_OTLP_TRACES_{suffix}");
            let all = format!("OTEL_EXPORTER_OTLP_{suffix}");
            match set(&traces) {
                Some(value) => Some((traces, value)),
                None => set(&all).map(|value| (all, value)),
            }
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
        exporter = protocol(exporter, traces_or_all("PROTOCOL"), &mut warnings);
        exporter = compression(exporter, traces_or_all("COMPRESSION"), &mut warnings);
        exporter = timeout(exporter, traces_or_all("TIMEOUT"), &mut warnings);
        exporter = certificate(exporter, traces_or_all("CERTIFICATE"), &mut warnings);
        (exporter, warnings)
    }
}

fn protocol(
    exporter: OtlpHttpExporter,
    found: Found,
    warnings: &mut Vec<String>,
) -> OtlpHttpExporter {
    let Some((name, value)) = found else {
        return exporter;
    };
    match value.parse::<OtlpProtocol>() {
        Ok(protocol) => exporter.protocol(protocol),
        Err(refused) => {
            let fallback = OtlpProtocol::default();
            warnings.push(format!("{name}: {refused}; sending {fallback}"));
            exporter.protocol(fallback)
        }
    }
}

fn compression(
    exporter: OtlpHttpExporter,
    found: Found,
    warnings: &mut Vec<String>,
) -> OtlpHttpExporter {
    let Some((name, value)) = found else {
        return exporter;
    };
    match value.trim() {
        "gzip" => exporter.gzip(true),
        "none" => exporter.gzip(false),
        other => {
            warnings.push(format!(
                "{name}={other:?} is not gzip or none; sending uncompressed"
            ));
            exporter
        }
    }
}

fn timeout(
    exporter: OtlpHttpExporter,
    found: Found,
    warnings: &mut Vec<String>,
) -> OtlpHttpExporter {
    let Some((name, value)) = found else {
        return exporter;
    };
    match value.trim().parse::<u64>() {
        Ok(ms) => exporter.timeout(Duration::from_millis(ms)),
        Err(_) => {
            warnings.push(format!(
                "{name}={value:?} is not a whole number of milliseconds; ignored"
            ));
            exporter
        }
    }
}

/// Trusts the file's certificates; warns at once if it cannot be read (HTTPS requests then
/// fail with an error naming the file, rather than trusting the built-in roots unasked).
fn certificate(
    exporter: OtlpHttpExporter,
    found: Found,
    warnings: &mut Vec<String>,
) -> OtlpHttpExporter {
    let Some((name, value)) = found else {
        return exporter;
    };
    let path = value.trim();
    if let Err(error) = std::fs::metadata(path) {
        warnings.push(format!(
            "{name}={path:?} cannot be read ({error}); HTTPS exports will fail until it can"
        ));
    }
    exporter.certificate_file(path)
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

    /// The specification: `http/protobuf` unless configured; the `TRACES_` variable wins.
    #[test]
    fn protocol_defaults_to_protobuf_and_the_traces_variable_wins() {
        let protocol_of = |vars: &[(&str, &str)]| {
            let (otlp, warnings) = OtlpHttpExporter::from_env_vars(env(vars));
            let content_type = otlp.sender.settings.content_type;
            assert_eq!(content_type, otlp.otlp_protocol().content_type());
            (otlp.otlp_protocol(), warnings)
        };
        use OtlpProtocol::{HttpJson, HttpProtobuf};
        let general = "OTEL_EXPORTER_OTLP_PROTOCOL";
        let traces = "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL";
        assert_eq!(protocol_of(&[]), (HttpProtobuf, vec![]));
        assert_eq!(protocol_of(&[(general, "http/json")]), (HttpJson, vec![]));
        assert_eq!(protocol_of(&[(traces, "http/json")]), (HttpJson, vec![]));
        assert_eq!(
            protocol_of(&[(general, "http/json"), (traces, "http/protobuf")]),
            (HttpProtobuf, vec![])
        );
        assert_eq!(
            protocol_of(&[(general, "http/protobuf"), (traces, "http/json")]),
            (HttpJson, vec![])
        );
        assert_eq!(
            protocol_of(&[(general, "http/json"), (traces, "  ")]),
            (HttpJson, vec![]),
            "a blank variable is unset"
        );
        let (chosen, warnings) = protocol_of(&[(general, "http/json"), (traces, "grpc")]);
        assert_eq!(chosen, HttpProtobuf, "grpc falls back to the default");
        assert_eq!(warnings.len(), 1);
        let warning = &warnings[0];
        assert!(warning.starts_with(traces), "{warning}");
        assert!(
            warning.contains("\"grpc\"") && warning.contains("http/json"),
            "{warning}"
        );
        assert!(warning.ends_with("sending http/protobuf"), "{warning}");
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
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf2"),
        ]));
        assert!(!otlp.sender.settings.gzip);
        assert_eq!(otlp.sender.settings.timeout, None);
        assert_eq!(warnings.len(), 3, "{warnings:?}");
    }

    #[test]
    fn the_certificate_variable_names_the_trusted_file_and_warns_if_unreadable() {
        let missing = "/nonexistent/spindle-ca.pem";
        let (otlp, warnings) = OtlpHttpExporter::from_env_vars(env(&[
            ("OTEL_EXPORTER_OTLP_CERTIFICATE", "/etc/hostname"),
            ("OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE", missing),
        ]));
        assert_eq!(
            otlp.sender.settings.ca_file.as_deref(),
            Some(std::path::Path::new(missing)),
            "the TRACES_ variable wins"
        );
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].starts_with("OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE")
                && warnings[0].contains(missing),
            "{warnings:?}"
        );
        let (otlp, _) = OtlpHttpExporter::from_env_vars(env(&[]));
        assert_eq!(otlp.sender.settings.ca_file, None);
    }
}
