//! Zipkin's HTTP API: `POST {endpoint}/api/v2/spans` with a JSON list of Zipkin v2 spans, what
//! Zipkin and Jaeger's Zipkin receiver accept (202 expected; any 2xx is success).

use spindle_formats::SpanBatch;

use super::http::{HttpSender, HttpSettings, export_batch, http_options};
use super::retry::Protocol;
use super::{ExportContext, ExportError, SpanExporter};

/// Posts batches to a Zipkin collector. Retries 5xx, 429 and connection failures.
///
/// ```
/// let zipkin = spindle::ZipkinHttpExporter::new("http://localhost:9411");
/// assert_eq!(zipkin.url(), "http://localhost:9411/api/v2/spans");
/// ```
#[derive(Debug)]
pub struct ZipkinHttpExporter {
    sender: HttpSender,
    buffer: Vec<u8>,
}

impl ZipkinHttpExporter {
    /// Posts to `{endpoint}/api/v2/spans`, `endpoint` being the collector's base URL.
    pub fn new(endpoint: &str) -> ZipkinHttpExporter {
        let base = endpoint.trim_end_matches('/');
        ZipkinHttpExporter::with_url(format!("{base}/api/v2/spans"))
    }

    /// Posts to `url` exactly (the form of `OTEL_EXPORTER_ZIPKIN_ENDPOINT`).
    pub fn with_url(url: impl Into<String>) -> ZipkinHttpExporter {
        let settings = HttpSettings::new(url.into(), Protocol::Zipkin, "application/json");
        ZipkinHttpExporter {
            sender: HttpSender::new(settings),
            buffer: Vec::new(),
        }
    }

    http_options!();
}

fn encode(data: SpanBatch<'_>, out: &mut Vec<u8>) -> std::io::Result<()> {
    spindle_formats::zipkin::write(data, out)
}

impl SpanExporter for ZipkinHttpExporter {
    fn attach(&mut self, context: ExportContext) {
        self.sender.attach(context);
    }

    fn export(&mut self, batch: SpanBatch<'_>) -> Result<(), ExportError> {
        export_batch(&mut self.sender, batch, encode, &mut self.buffer)
    }
}
