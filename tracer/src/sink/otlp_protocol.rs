//! Which OTLP/HTTP encoding the exporter speaks: protobuf (the specification's default, what
//! SDKs send and every receiver takes) or JSON. gRPC is not spoken.

use std::fmt;
use std::str::FromStr;

use spindle_formats::SpanBatch;

use super::split::Encode;

/// The OTLP transport and encoding, as named by `OTEL_EXPORTER_OTLP_PROTOCOL`.
///
/// ```
/// use spindle::OtlpProtocol;
/// assert_eq!(OtlpProtocol::default(), OtlpProtocol::HttpProtobuf);
/// assert_eq!("http/json".parse(), Ok(OtlpProtocol::HttpJson));
/// let refused = "grpc".parse::<OtlpProtocol>().unwrap_err();
/// assert!(refused.to_string().contains("http/protobuf"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OtlpProtocol {
    /// `http/protobuf`: binary protobuf bodies, `Content-Type: application/x-protobuf`. The
    /// default, as the OpenTelemetry specification says.
    #[default]
    HttpProtobuf,
    /// `http/json`: protobuf's JSON mapping, `Content-Type: application/json`.
    HttpJson,
}

impl OtlpProtocol {
    /// The name the `OTEL_EXPORTER_OTLP_PROTOCOL` variable uses (`http/protobuf`, `http/json`).
    pub fn name(self) -> &'static str {
        match self {
            OtlpProtocol::HttpProtobuf => "http/protobuf",
            OtlpProtocol::HttpJson => "http/json",
        }
    }

    /// The `Content-Type` of request (and response) bodies.
    pub fn content_type(self) -> &'static str {
        match self {
            OtlpProtocol::HttpProtobuf => "application/x-protobuf",
            OtlpProtocol::HttpJson => "application/json",
        }
    }

    /// The `spindle-formats` writer for this encoding.
    pub(crate) fn encoder(self) -> Encode {
        match self {
            OtlpProtocol::HttpProtobuf => encode_protobuf,
            OtlpProtocol::HttpJson => encode_json,
        }
    }
}

impl fmt::Display for OtlpProtocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A protocol name spindle does not speak (`grpc`, or a misspelling).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsupportedProtocol {
    /// The name as given.
    pub name: String,
}

impl fmt::Display for UnsupportedProtocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = &self.name;
        if name.trim().eq_ignore_ascii_case("grpc") {
            write!(
                f,
                "OTLP protocol \"grpc\" is not supported by spindle; use http/protobuf (the \
                 default) or http/json, sent to the receiver's OTLP/HTTP port (4318, not gRPC's 4317)"
            )
        } else {
            write!(
                f,
                "OTLP protocol {name:?} is not http/protobuf or http/json (spindle speaks these two)"
            )
        }
    }
}

impl std::error::Error for UnsupportedProtocol {}

impl FromStr for OtlpProtocol {
    type Err = UnsupportedProtocol;

    /// Reads `http/protobuf` or `http/json` (surrounding spaces and letter case ignored).
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match name.trim().to_ascii_lowercase().as_str() {
            "http/protobuf" => Ok(OtlpProtocol::HttpProtobuf),
            "http/json" => Ok(OtlpProtocol::HttpJson),
            _ => Err(UnsupportedProtocol {
                name: name.to_string(),
            }),
        }
    }
}

fn encode_protobuf(data: SpanBatch<'_>, out: &mut Vec<u8>) -> std::io::Result<()> {
    spindle_formats::otlp_proto::encode(data, out);
    Ok(())
}

fn encode_json(data: SpanBatch<'_>, out: &mut Vec<u8>) -> std::io::Result<()> {
    spindle_formats::otlp_json::write(data, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_others_are_refused_naming_the_alternatives() {
        for protocol in [OtlpProtocol::HttpProtobuf, OtlpProtocol::HttpJson] {
            assert_eq!(protocol.name().parse(), Ok(protocol));
            assert_eq!(protocol.to_string(), protocol.name());
        }
        assert_eq!(" HTTP/JSON ".parse(), Ok(OtlpProtocol::HttpJson));
        for bad in ["grpc", "http/proto", "", "json"] {
            let error = bad.parse::<OtlpProtocol>().expect_err(bad);
            let text = error.to_string();
            assert!(
                text.contains("http/protobuf") && text.contains("http/json"),
                "{text}"
            );
            assert!(text.contains(&format!("{bad:?}")), "{text}");
        }
        let grpc = "grpc".parse::<OtlpProtocol>().expect_err("grpc");
        assert!(grpc.to_string().contains("4318"), "{grpc}");
    }

    #[test]
    fn content_types_follow_the_otlp_http_specification() {
        assert_eq!(
            OtlpProtocol::default().content_type(),
            "application/x-protobuf"
        );
        assert_eq!(OtlpProtocol::HttpJson.content_type(), "application/json");
    }
}
