//! The sinks the standard `OTEL_TRACES_EXPORTER` variable names.

use std::time::Duration;

use crate::sink::{
    ConsoleExporter, FileExporter, FileFormat, OtlpHttpExporter, SpanExporter, ZipkinHttpExporter,
};

/// Where `OTEL_TRACES_EXPORTER=zipkin` posts when `OTEL_EXPORTER_ZIPKIN_ENDPOINT` is unset.
pub(crate) const DEFAULT_ZIPKIN_URL: &str = "http://localhost:9411/api/v2/spans";

/// The sinks `OTEL_TRACES_EXPORTER` names, looked up with `env`, and warnings for names and
/// values ignored (the rules are on [`Config::exporters_from_env`](crate::Config::exporters_from_env)).
pub(crate) fn exporters_from_env_vars(
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Config;
    use crate::config::tests::env;

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
    fn traces_exporter_lists_several_sinks() {
        let env = |name: &str| match name {
            "OTEL_TRACES_EXPORTER" => Some("zipkin,console".to_string()),
            _ => None,
        };
        let (exporters, warnings) = exporters_from_env_vars(env);
        assert_eq!(exporters.len(), 2);
        assert!(warnings.is_empty());
    }
}
