//! Reading a 200 answer's `partial_success`: the receiver took the request but rejected some
//! spans (or warns). The body is decoded by `spindle-formats` in the encoding the response's
//! `Content-Type` names (the request's when it names none).

use spindle_formats::otlp_proto::PartialSuccess;

/// What a receiver said about an accepted request, when it said anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rejection {
    /// Spans the receiver rejected (0 for a warning alone).
    pub spans: u64,
    /// The message for the statistics' `last_error`, naming the URL.
    pub message: String,
}

/// Reads `body` of a 2xx answer from `url`: `None` for a full success, else what to count and
/// report (an unreadable body is reported, with nothing counted: the request was accepted).
pub(crate) fn read(
    url: &str,
    response_type: Option<&str>,
    request_type: &str,
    body: &[u8],
) -> Option<Rejection> {
    if body.is_empty() {
        return None;
    }
    let content_type = response_type.unwrap_or(request_type);
    let json = content_type.to_ascii_lowercase().contains("json");
    let decoded = match json {
        true => spindle_formats::otlp_json::decode_response(body),
        false => spindle_formats::otlp_proto::decode_response(body),
    };
    match decoded {
        Ok(partial) if partial == PartialSuccess::default() => None,
        Ok(PartialSuccess {
            rejected_spans,
            error_message,
        }) => {
            let spans = rejected_spans.max(0) as u64;
            let why = match error_message.trim() {
                "" => "no reason given",
                text => text,
            };
            let message = match spans {
                0 => format!("{url}: accepted with a warning: {why}"),
                n => format!("{url}: partial success, {n} spans rejected: {why}"),
            };
            Some(Rejection { spans, message })
        }
        Err(error) => Some(Rejection {
            spans: 0,
            message: format!(
                "{url}: accepted, but the response ({content_type}) is unreadable: {error}"
            ),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use spindle_formats::{otlp_json, otlp_proto};

    const URL: &str = "http://c:4318/v1/traces";
    const PROTO: &str = "application/x-protobuf";
    const JSON: &str = "application/json";

    fn partial(rejected_spans: i64, message: &str) -> PartialSuccess {
        PartialSuccess {
            rejected_spans,
            error_message: message.into(),
        }
    }

    #[test]
    fn both_encodings_are_read_by_the_response_content_type() {
        let body = otlp_proto::encode_response(&partial(3, "too old"));
        let expected = Some(Rejection {
            spans: 3,
            message: format!("{URL}: partial success, 3 spans rejected: too old"),
        });
        assert_eq!(read(URL, Some(PROTO), JSON, &body), expected);
        assert_eq!(
            read(URL, None, PROTO, &body),
            expected,
            "the request's type"
        );
        let body = otlp_json::encode_response(&partial(3, "too old"));
        assert_eq!(
            read(URL, Some("application/json; charset=utf-8"), PROTO, &body),
            expected
        );
        let warning = otlp_json::encode_response(&partial(0, "slow down"));
        let rejection = read(URL, Some(JSON), JSON, &warning).expect("a warning");
        assert_eq!(rejection.spans, 0);
        assert!(
            rejection.message.contains("warning: slow down"),
            "{rejection:?}"
        );
    }

    #[test]
    fn full_successes_say_nothing_and_bad_bodies_are_reported_uncounted() {
        assert_eq!(read(URL, Some(PROTO), PROTO, b""), None);
        assert_eq!(read(URL, Some(JSON), JSON, b"{}"), None);
        let empty = otlp_proto::encode_response(&PartialSuccess::default());
        assert_eq!(read(URL, None, PROTO, &empty), None);
        let bad = read(URL, Some(JSON), JSON, b"<html>").expect("reported");
        assert_eq!(bad.spans, 0);
        assert!(
            bad.message.starts_with(URL) && bad.message.contains("unreadable"),
            "{bad:?}"
        );
        let negative = otlp_proto::encode_response(&partial(-4, "odd"));
        assert_eq!(read(URL, None, PROTO, &negative).map(|r| r.spans), Some(0));
    }
}
