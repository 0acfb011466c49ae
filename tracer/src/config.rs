//! Configuration: code settings, the standard `OTEL_*` environment variables, and defaults.
//! Code wins over the environment, which wins over the defaults.

use std::path::PathBuf;
use std::time::Duration;

use spindle_formats::{KeyValue, Str, Value};

use crate::resource::ResourceConfig;
use crate::sampler::Sampler;
use crate::sink::{
    ConsoleExporter, FileExporter, FileFormat, OtlpHttpExporter, SpanExporter, ZipkinHttpExporter,
};

/// Where `OTEL_TRACES_EXPORTER=zipkin` posts when `OTEL_EXPORTER_ZIPKIN_ENDPOINT` is unset.
pub const DEFAULT_ZIPKIN_URL: &str = "http://localhost:9411/api/v2/spans";

/// The sinks `OTEL_TRACES_EXPORTER` names (comma-separated), looked up with `env`, and
/// warnings for names and values ignored:
///
/// - `otlp`: OTLP/HTTP JSON, configured by `OTEL_EXPORTER_OTLP_*`
///   (see [`OtlpHttpExporter::from_env_vars`]);
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
///
/// ```
/// let env = |name: &str| match name {
///     "OTEL_TRACES_EXPORTER" => Some("zipkin,console".to_string()),
///     _ => None,
/// };
/// let (exporters, warnings) = spindle::config::exporters_from_env_vars(env);
/// assert_eq!(exporters.len(), 2);
/// assert!(warnings.is_empty());
/// ```
pub fn exporters_from_env_vars(
    env: impl Fn(&str) -> Option<String>,
) -> (Vec<Box<dyn SpanExporter>>, Vec<String>) {
    let set = |name: &str| env(name).filter(|v| !v.trim().is_empty());
    let names = set("OTEL_TRACES_EXPORTER").unwrap_or_else(|| {
        let otlp_endpoint = set("OTEL_EXPORTER_OTLP_ENDPOINT")
            .or_else(|| set("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"));
        match otlp_endpoint {
            Some(_) => "otlp".into(),
            None => "none".into(),
        }
    });
    let mut exporters: Vec<Box<dyn SpanExporter>> = Vec::new();
    let mut warnings = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    let mut file_taken = false;
    for name in names.split(',').map(|n| n.trim().to_ascii_lowercase()) {
        if name.is_empty() || name == "none" || seen.contains(&name) {
            continue;
        }
        seen.push(name.clone());
        match name.as_str() {
            "otlp" => {
                let (otlp, problems) = OtlpHttpExporter::from_env_vars(&env);
                warnings.extend(problems);
                exporters.push(Box::new(otlp));
            }
            "zipkin" => {
                let url = set("OTEL_EXPORTER_ZIPKIN_ENDPOINT");
                let mut zipkin = ZipkinHttpExporter::with_url(
                    url.as_deref().unwrap_or(DEFAULT_ZIPKIN_URL).trim(),
                );
                if let Some(raw) = set("OTEL_EXPORTER_ZIPKIN_TIMEOUT") {
                    match raw.trim().parse::<u64>() {
                        Ok(ms) => zipkin = zipkin.timeout(Duration::from_millis(ms)),
                        Err(_) => warnings.push(format!(
                            "OTEL_EXPORTER_ZIPKIN_TIMEOUT={raw:?} is not a whole number of milliseconds; ignored"
                        )),
                    }
                }
                exporters.push(Box::new(zipkin));
            }
            "console" => exporters.push(Box::new(ConsoleExporter::stdout())),
            "spindle_file" | "zipkin_file" => {
                let format = match name.as_str() {
                    "spindle_file" => FileFormat::Spindle,
                    _ => FileFormat::Zipkin,
                };
                match set("SPINDLE_EXPORT_FILE") {
                    None => warnings.push(format!(
                        "OTEL_TRACES_EXPORTER names {name} but SPINDLE_EXPORT_FILE is not set; ignored"
                    )),
                    Some(_) if file_taken => warnings.push(format!(
                        "OTEL_TRACES_EXPORTER names two files for one SPINDLE_EXPORT_FILE; {name} ignored"
                    )),
                    Some(path) => {
                        file_taken = true;
                        exporters.push(Box::new(FileExporter::new(path, format)));
                    }
                }
            }
            other => warnings.push(format!(
                "OTEL_TRACES_EXPORTER names {other:?}, which is not otlp, zipkin, console, \
                 spindle_file, zipkin_file or none; ignored"
            )),
        }
    }
    (exporters, warnings)
}

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

    /// Also adds the sinks `OTEL_TRACES_EXPORTER` names (see [`exporters_from_env_vars`]).
    /// Without this, the environment chooses sinks only when none is given in code.
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
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |key| {
            vars.iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| v.to_string())
        }
    }

    fn debug_of(exporters: &[Box<dyn SpanExporter>]) -> Vec<String> {
        exporters.iter().map(|e| format!("{e:?}")).collect()
    }

    #[test]
    fn traces_exporter_chooses_sinks_and_code_wins() {
        let (none, warnings) = exporters_from_env_vars(env(&[]));
        assert!(none.is_empty() && warnings.is_empty());
        let (otlp, _) =
            exporters_from_env_vars(env(&[("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318")]));
        assert_eq!(otlp.len(), 1, "an OTLP endpoint alone means otlp");
        assert!(debug_of(&otlp)[0].contains("http://c:4318/v1/traces"));

        let vars = [
            (
                "OTEL_TRACES_EXPORTER",
                "zipkin, otlp,console,none,zipkin,spindle_file,zipkin_file,jaeger",
            ),
            (
                "OTEL_EXPORTER_ZIPKIN_ENDPOINT",
                "http://z:9411/api/v2/spans",
            ),
            ("SPINDLE_EXPORT_FILE", "/tmp/trace.json"),
        ];
        let (exporters, warnings) = exporters_from_env_vars(env(&vars));
        let debug = debug_of(&exporters);
        assert_eq!(debug.len(), 4, "{debug:?}");
        assert!(debug[0].contains("http://z:9411/api/v2/spans"), "{debug:?}");
        assert!(
            debug[1].contains("http://localhost:4318/v1/traces"),
            "{debug:?}"
        );
        assert!(debug[2].contains("ConsoleExporter"), "{debug:?}");
        assert!(debug[3].contains("/tmp/trace.json") && debug[3].contains("Spindle"));
        assert_eq!(warnings.len(), 2, "{warnings:?}");

        let (zipkin, _) = exporters_from_env_vars(env(&[("OTEL_TRACES_EXPORTER", "zipkin")]));
        assert!(debug_of(&zipkin)[0].contains(DEFAULT_ZIPKIN_URL));
        let (nothing, _) = exporters_from_env_vars(env(&[
            ("OTEL_TRACES_EXPORTER", "none"),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"),
        ]));
        assert!(nothing.is_empty());

        let memory = crate::sink::InMemoryExporter::default();
        let mut code = Config::new().exporter(memory.clone());
        assert_eq!(code.take_exporters(env(&vars)).0.len(), 1, "code wins");
        let mut both = Config::new().exporter(memory).exporters_from_env();
        assert_eq!(both.take_exporters(env(&vars)).0.len(), 5);
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
