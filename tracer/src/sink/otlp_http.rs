//! OTLP/HTTP: `POST {endpoint}/v1/traces` with one `ExportTraceServiceRequest` per request, in
//! protobuf (`application/x-protobuf`, the default) or JSON (`application/json`), as Jaeger,
//! Tempo and the OpenTelemetry Collector accept. A 200 answer's `partial_success` is read
//! (rejected spans are counted). Configurable from the standard `OTEL_EXPORTER_OTLP_*`
//! variables (`otlp_env.rs`).

use spindle_formats::SpanBatch;

use super::http::{HttpSender, HttpSettings, export_batch, http_options};
use super::otlp_protocol::OtlpProtocol;
use super::retry::Protocol;
use super::{ExportContext, ExportError, SpanExporter};

/// Where OTLP/HTTP goes when no endpoint is configured (the specification's default).
pub(crate) const DEFAULT_OTLP_ENDPOINT: &str = "http://localhost:4318";

/// Posts batches to an OTLP/HTTP receiver, as protobuf unless told otherwise. Retries 429,
/// 502, 503, 504 and connection failures.
///
/// ```
/// use spindle::{OtlpHttpExporter, OtlpProtocol};
/// let otlp = OtlpHttpExporter::new("http://collector:4318/")
///     .header("Authorization", "Bearer token")
///     .gzip(true);
/// assert_eq!(otlp.url(), "http://collector:4318/v1/traces");
/// assert_eq!(otlp.otlp_protocol(), OtlpProtocol::HttpProtobuf);
/// let json = otlp.protocol(OtlpProtocol::HttpJson);
/// assert_eq!(json.otlp_protocol().content_type(), "application/json");
/// ```
#[derive(Debug)]
pub struct OtlpHttpExporter {
    pub(super) sender: HttpSender,
    buffer: Vec<u8>,
    protocol: OtlpProtocol,
}

impl OtlpHttpExporter {
    /// Posts to `{endpoint}/v1/traces` (the form of `OTEL_EXPORTER_OTLP_ENDPOINT`).
    pub fn new(endpoint: &str) -> OtlpHttpExporter {
        OtlpHttpExporter::with_url(signal_url(endpoint))
    }

    /// Posts to `url` exactly (the form of `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`).
    pub fn with_url(url: impl Into<String>) -> OtlpHttpExporter {
        let protocol = OtlpProtocol::default();
        let settings = HttpSettings::new(url.into(), Protocol::Otlp, protocol.content_type());
        OtlpHttpExporter {
            sender: HttpSender::new(settings),
            buffer: Vec::new(),
            protocol,
        }
    }

    /// Sends in this encoding (default [`OtlpProtocol::HttpProtobuf`]).
    pub fn protocol(mut self, protocol: OtlpProtocol) -> Self {
        self.protocol = protocol;
        self.sender.settings.content_type = protocol.content_type();
        self
    }

    /// The encoding requests are sent in.
    pub fn otlp_protocol(&self) -> OtlpProtocol {
        self.protocol
    }

    http_options!();
}

/// `{endpoint}/v1/traces`, without a doubled slash.
fn signal_url(endpoint: &str) -> String {
    format!("{}/v1/traces", endpoint.trim_end_matches('/'))
}

impl SpanExporter for OtlpHttpExporter {
    fn attach(&mut self, context: ExportContext) {
        self.sender.attach(context);
    }

    fn export(&mut self, batch: SpanBatch<'_>) -> Result<(), ExportError> {
        let encode = self.protocol.encoder();
        export_batch(&mut self.sender, batch, encode, &mut self.buffer)
    }
}
