//! Configuration: code settings, the standard `OTEL_*` environment variables, and defaults.
//! Code wins over the environment, which wins over the defaults.

use std::path::PathBuf;
use std::time::Duration;

use spindle_formats::{KeyValue, Str, Value};

use crate::resource::ResourceConfig;
use crate::sampler::{Sampler, TailSampling};
use crate::sink::{FileExporter, FileFormat, SpanExporter};

mod batch;
mod exporters;

pub use batch::BatchConfig;
use exporters::exporters_from_env_vars;

/// Everything `spindle::init` needs. Unset fields come from the environment, then defaults.
///
/// ```no_run
/// let _tracer = spindle::init(
///     spindle::Config::new()
///         .service_name("checkout")
///         .export_to_file("trace.json", spindle::FileFormat::Spindle),
/// )
/// .expect("tracer starts");
/// ```
#[derive(Debug, Default)]
pub struct Config {
    pub(crate) resource: ResourceConfig,
    pub(crate) sampler: Option<Sampler>,
    pub(crate) tail_sampling: Option<TailSampling>,
    pub(crate) max_queue_size: Option<usize>,
    pub(crate) max_export_batch_size: Option<usize>,
    pub(crate) scheduled_delay: Option<Duration>,
    pub(crate) export_timeout: Option<Duration>,
    pub(crate) exporters: Vec<Box<dyn SpanExporter>>,
    pub(crate) env_exporters: bool,
}

impl Config {
    /// Settings from the environment and defaults only.
    pub fn new() -> Config {
        Config::default()
    }

    /// `service.name` (overrides `OTEL_SERVICE_NAME`).
    pub fn service_name(mut self, name: impl Into<String>) -> Self {
        self.resource.service_name = Some(name.into());
        self
    }

    /// `service.version`.
    pub fn service_version(mut self, version: impl Into<String>) -> Self {
        self.resource.service_version = Some(version.into());
        self
    }

    /// `service.instance.id` (default: random per process).
    pub fn service_instance_id(mut self, id: impl Into<String>) -> Self {
        self.resource.service_instance_id = Some(id.into());
        self
    }

    /// `deployment.environment`.
    pub fn deployment_environment(mut self, environment: impl Into<String>) -> Self {
        self.resource.deployment_environment = Some(environment.into());
        self
    }

    /// Any other resource attribute (overrides `OTEL_RESOURCE_ATTRIBUTES`).
    pub fn resource_attribute(mut self, key: impl Into<Str>, value: impl Into<Value>) -> Self {
        self.resource.attributes.push(KeyValue::new(key, value));
        self
    }

    /// The sampler (overrides `OTEL_TRACES_SAMPLER`).
    pub fn sampler(mut self, sampler: Sampler) -> Self {
        self.sampler = Some(sampler);
        self
    }

    /// Local tail sampling on the exporter's thread: keep errors and slow traces, and a
    /// ratio of the rest (see [`TailSampling`]).
    pub fn tail_sampling(mut self, tail: TailSampling) -> Self {
        self.tail_sampling = Some(tail);
        self
    }

    /// Queue capacity in spans.
    pub fn max_queue_size(mut self, spans: usize) -> Self {
        self.max_queue_size = Some(spans);
        self
    }

    /// Spans per export.
    pub fn max_export_batch_size(mut self, spans: usize) -> Self {
        self.max_export_batch_size = Some(spans);
        self
    }

    /// Longest wait before a partial batch is exported.
    pub fn scheduled_delay(mut self, delay: Duration) -> Self {
        self.scheduled_delay = Some(delay);
        self
    }

    /// Longest time one export may take.
    pub fn export_timeout(mut self, timeout: Duration) -> Self {
        self.export_timeout = Some(timeout);
        self
    }

    /// Writes spans to a file (one JSON document per batch, appended as the program runs).
    pub fn export_to_file(self, path: impl Into<PathBuf>, format: FileFormat) -> Self {
        self.exporter(FileExporter::new(path, format))
    }

    /// Adds a sink; several sinks each receive every batch.
    pub fn exporter(mut self, exporter: impl SpanExporter + 'static) -> Self {
        self.exporters.push(Box::new(exporter));
        self
    }

    /// Also adds the sinks `OTEL_TRACES_EXPORTER` names. Without this, the environment chooses
    /// sinks only when none is given in code.
    ///
    /// `OTEL_TRACES_EXPORTER` is a comma-separated list of:
    ///
    /// - `otlp`: OTLP/HTTP (protobuf unless `OTEL_EXPORTER_OTLP_PROTOCOL=http/json`), configured by `OTEL_EXPORTER_OTLP_*`
    ///   (see [`OtlpHttpExporter::from_env_vars`](crate::OtlpHttpExporter::from_env_vars));
    /// - `zipkin`: Zipkin JSON to `OTEL_EXPORTER_ZIPKIN_ENDPOINT` (a full URL, default
    ///   `http://localhost:9411/api/v2/spans`), `OTEL_EXPORTER_ZIPKIN_TIMEOUT` in milliseconds;
    /// - `console`: Spindle JSON lines on stdout;
    /// - `spindle_file` or `zipkin_file`: a file at `SPINDLE_EXPORT_FILE`;
    /// - `none`: nothing.
    ///
    /// Unset, it means `otlp` if `OTEL_EXPORTER_OTLP_ENDPOINT` or
    /// `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` is set, and nothing otherwise. (The specification's
    /// default is `otlp` to `localhost:4318`; a library that starts posting to a collector nobody
    /// configured only fills the statistics with connection errors, so Spindle asks for a sign.)
    pub fn exporters_from_env(mut self) -> Self {
        self.env_exporters = true;
        self
    }

    /// The sinks given in code, plus those the environment names if asked for or if none was
    /// given in code.
    pub(crate) fn take_exporters(
        &mut self,
        env: impl Fn(&str) -> Option<String>,
    ) -> (Vec<Box<dyn SpanExporter>>, Vec<String>) {
        let mut exporters = std::mem::take(&mut self.exporters);
        let mut warnings = Vec::new();
        if self.env_exporters || exporters.is_empty() {
            let (from_env, problems) = exporters_from_env_vars(env);
            exporters.extend(from_env);
            warnings = problems;
        }
        (exporters, warnings)
    }

    /// Batch settings: code, then `OTEL_BSP_*`, then defaults.
    pub(crate) fn batch_config(
        &self,
        env: impl Fn(&str) -> Option<String>,
    ) -> (BatchConfig, Vec<String>) {
        let (mut config, warnings) = BatchConfig::from_env_vars(env);
        config.max_queue_size = self.max_queue_size.unwrap_or(config.max_queue_size).max(1);
        config.max_export_batch_size = self
            .max_export_batch_size
            .unwrap_or(config.max_export_batch_size)
            .clamp(1, config.max_queue_size);
        config.scheduled_delay = self.scheduled_delay.unwrap_or(config.scheduled_delay);
        config.export_timeout = self.export_timeout.unwrap_or(config.export_timeout);
        (config, warnings)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// An environment holding just `vars`.
    pub(crate) fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |key| {
            vars.iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn environment_overrides_defaults_and_code_overrides_environment() {
        let vars = [
            ("OTEL_BSP_MAX_QUEUE_SIZE", "100"),
            ("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "500"),
            ("OTEL_BSP_SCHEDULE_DELAY", "250"),
            ("OTEL_BSP_EXPORT_TIMEOUT", "soon"),
        ];
        let (config, warnings) = Config::new().batch_config(env(&vars));
        assert_eq!(config.max_queue_size, 100);
        assert_eq!(
            config.max_export_batch_size, 100,
            "batch size is capped at the queue size"
        );
        assert_eq!(config.scheduled_delay, Duration::from_millis(250));
        assert_eq!(config.export_timeout, Duration::from_millis(30000));
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].contains("OTEL_BSP_EXPORT_TIMEOUT"));

        let code = Config::new()
            .max_queue_size(4096)
            .scheduled_delay(Duration::from_secs(1));
        let (config, _) = code.batch_config(env(&vars));
        assert_eq!(config.max_queue_size, 4096);
        assert_eq!(config.max_export_batch_size, 500);
        assert_eq!(config.scheduled_delay, Duration::from_secs(1));
    }
}
