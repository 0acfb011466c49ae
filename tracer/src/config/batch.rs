//! Batch exporter settings: the `OTEL_BSP_*` variables and the specification's defaults.

use std::time::Duration;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::env;

    #[test]
    fn defaults_follow_the_opentelemetry_specification() {
        let (config, warnings) = BatchConfig::from_env_vars(env(&[]));
        assert_eq!(config.max_queue_size, 2048);
        assert_eq!(config.max_export_batch_size, 512);
        assert_eq!(config.scheduled_delay, Duration::from_millis(5000));
        assert_eq!(config.export_timeout, Duration::from_millis(30000));
        assert!(warnings.is_empty());
    }
}
