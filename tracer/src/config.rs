//! Configuration: code settings, the standard `OTEL_*` environment variables, and defaults.
//! Code wins over the environment, which wins over the defaults.

use std::path::PathBuf;
use std::time::Duration;

use spindle_formats::{KeyValue, Str, Value};

use crate::resource::ResourceConfig;
use crate::sampler::Sampler;
use crate::sink::{FileExporter, FileFormat, SpanExporter};

/// Batch exporter settings, with the OpenTelemetry specification's defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchConfig {
    /// Spans the queue holds before new ones are dropped (`OTEL_BSP_MAX_QUEUE_SIZE`, 2048).
    pub max_queue_size: usize,
    /// Spans per export (`OTEL_BSP_MAX_EXPORT_BATCH_SIZE`, 512; at most the queue size).
    pub max_export_batch_size: usize,
    /// Longest wait before a partial batch is exported (`OTEL_BSP_SCHEDULE_DELAY`, 5 s).
    pub scheduled_delay: Duration,
    /// Longest time one export may take (`OTEL_BSP_EXPORT_TIMEOUT`, 30 s).
    pub export_timeout: Duration,
}

impl Default for BatchConfig {
    fn default() -> Self {
        BatchConfig {
            max_queue_size: 2048,
            max_export_batch_size: 512,
            scheduled_delay: Duration::from_millis(5000),
            export_timeout: Duration::from_millis(30000),
        }
    }
}

impl BatchConfig {
    /// Defaults overridden by `OTEL_BSP_*` variables; returns warnings for values ignored.
    /// (The batch size is capped at the queue size once code settings are applied.)
    pub fn from_env_vars(env: impl Fn(&str) -> Option<String>) -> (BatchConfig, Vec<String>) {
        let mut config = BatchConfig::default();
        let mut warnings = Vec::new();
        let mut number = |name: &str| -> Option<u64> {
            let raw = env(name)?;
            match raw.trim().parse::<u64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    warnings.push(format!(
                        "{name}={raw:?} is not a whole number; using the default"
                    ));
                    None
                }
            }
        };
        if let Some(n) = number("OTEL_BSP_MAX_QUEUE_SIZE").filter(|n| *n > 0) {
            config.max_queue_size = n as usize;
        }
        if let Some(n) = number("OTEL_BSP_MAX_EXPORT_BATCH_SIZE").filter(|n| *n > 0) {
            config.max_export_batch_size = n as usize;
        }
        if let Some(ms) = number("OTEL_BSP_SCHEDULE_DELAY") {
            config.scheduled_delay = Duration::from_millis(ms);
        }
        if let Some(ms) = number("OTEL_BSP_EXPORT_TIMEOUT") {
            config.export_timeout = Duration::from_millis(ms);
        }
        (config, warnings)
    }
}

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
    pub(crate) max_queue_size: Option<usize>,
    pub(crate) max_export_batch_size: Option<usize>,
    pub(crate) scheduled_delay: Option<Duration>,
    pub(crate) export_timeout: Option<Duration>,
    pub(crate) exporters: Vec<Box<dyn SpanExporter>>,
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
    fn defaults_follow_the_opentelemetry_specification() {
        let (config, warnings) = BatchConfig::from_env_vars(env(&[]));
        assert_eq!(config.max_queue_size, 2048);
        assert_eq!(config.max_export_batch_size, 512);
        assert_eq!(config.scheduled_delay, Duration::from_millis(5000));
        assert_eq!(config.export_timeout, Duration::from_millis(30000));
        assert!(warnings.is_empty());
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
