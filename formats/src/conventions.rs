//! OpenTelemetry conventions the non-OTLP formats share: which tags stand for the status,
//! which belong to the resource, and which well-known keys are integers.

use crate::model::{Status, Str, Value};
use crate::text::owned;

/// Tag key prefixes of OpenTelemetry resource attributes (exporters copy them into tags).
pub(crate) const RESOURCE_PREFIXES: [&str; 11] = [
    "service.",
    "telemetry.sdk.",
    "telemetry.distro.",
    "host.",
    "os.",
    "process.",
    "container.",
    "k8s.",
    "cloud.",
    "deployment.",
    "device.",
];

/// True for a tag key that names a resource attribute.
pub(crate) fn is_resource_key(key: &str) -> bool {
    RESOURCE_PREFIXES.iter().any(|p| key.starts_with(p))
}

/// OpenTelemetry semantic-convention attributes whose type is defined as an integer.
///
/// Formats whose tags are all strings (Zipkin) give these back as integers when the text is
/// exactly a decimal integer (`"200"`, not `"0200"`, `"+5"` or `"2e2"`); any other key stays
/// text, since nothing says what type it had.
pub(crate) const INT_KEYS: [&str; 27] = [
    "http.status_code",
    "http.response.status_code",
    "http.request_content_length",
    "http.response_content_length",
    "http.request.body.size",
    "http.response.body.size",
    "http.request.resend_count",
    "net.peer.port",
    "net.host.port",
    "net.sock.peer.port",
    "net.sock.host.port",
    "server.port",
    "client.port",
    "source.port",
    "destination.port",
    "network.peer.port",
    "network.local.port",
    "rpc.grpc.status_code",
    "rpc.jsonrpc.error_code",
    "messaging.batch.message_count",
    "messaging.message.body.size",
    "db.operation.batch.size",
    "thread.id",
    "code.lineno",
    "code.line.number",
    "process.pid",
    "process.parent_pid",
];

/// The value of a string tag: an integer for an [`INT_KEYS`] key holding a canonical
/// decimal integer, else the text.
pub(crate) fn typed_tag(key: &str, text: Str) -> Value {
    if INT_KEYS.contains(&key) {
        if let Ok(number) = text.parse::<i64>() {
            if text == number.to_string() {
                return Value::I64(number);
            }
        }
    }
    Value::Str(text)
}

/// The status tags of a span: `otel.status_code`, `otel.status_description` and `error`
/// (`None` for an `error` tag that says `false`).
#[derive(Debug, Default)]
pub(crate) struct StatusTags<'a> {
    pub code: Option<&'a str>,
    pub description: Option<&'a str>,
    pub error: Option<&'a str>,
}

impl StatusTags<'_> {
    /// `otel.status_code` `ERROR` or `OK` decides; else an `error` tag means an error. The
    /// message is the description, else the `error` text unless that is just `true`.
    pub fn status(&self) -> Status {
        let message = || match self.description.or(self.error) {
            Some("true") | None => Str::default(),
            Some(text) => owned(text),
        };
        match self.code {
            Some("ERROR") => Status::Error { message: message() },
            Some("OK") => Status::Ok,
            _ if self.error.is_some() => Status::Error { message: message() },
            _ => Status::Unset,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_well_known_integer_keys_with_plain_integers_are_typed() {
        assert_eq!(typed_tag("http.status_code", "200".into()), Value::I64(200));
        assert_eq!(typed_tag("server.port", "-1".into()), Value::I64(-1));
        assert_eq!(
            typed_tag("http.status_code", "0200".into()),
            Value::from("0200")
        );
        assert_eq!(
            typed_tag("http.status_code", "+5".into()),
            Value::from("+5")
        );
        assert_eq!(typed_tag("order.id", "42".into()), Value::from("42"));
    }

    #[test]
    fn status_follows_the_tags() {
        let tags = |code, description, error| StatusTags {
            code,
            description,
            error,
        };
        assert_eq!(tags(Some("OK"), None, None).status(), Status::Ok);
        assert_eq!(
            tags(None, None, Some("true")).status(),
            Status::Error { message: "".into() }
        );
        assert_eq!(
            tags(Some("ERROR"), Some("boom"), Some("x")).status(),
            Status::Error {
                message: "boom".into()
            }
        );
        assert_eq!(tags(Some("UNSET"), None, None).status(), Status::Unset);
    }
}
