//! The resource: which service produced the spans. Built from defaults, then the standard
//! environment variables, then code (code wins).

use spindle_formats::{KeyValue, Resource, Str, Value};

/// Resource settings given in code; each `Some` overrides the environment.
#[derive(Debug, Clone, Default)]
pub(crate) struct ResourceConfig {
    pub service_name: Option<String>,
    pub service_version: Option<String>,
    pub service_instance_id: Option<String>,
    pub deployment_environment: Option<String>,
    pub attributes: Vec<KeyValue>,
}

/// Builds the resource: SDK defaults, then `OTEL_RESOURCE_ATTRIBUTES`, then `OTEL_SERVICE_NAME`,
/// then code. Returns a warning when `OTEL_RESOURCE_ATTRIBUTES` was malformed (it is then
/// ignored whole, as the OpenTelemetry specification says).
pub(crate) fn build_resource(
    config: &ResourceConfig,
    env: impl Fn(&str) -> Option<String>,
) -> (Resource, Option<String>) {
    let mut attributes = default_attributes();
    let mut warning = None;
    if let Some(raw) = env("OTEL_RESOURCE_ATTRIBUTES") {
        match parse_resource_attributes(&raw) {
            Ok(parsed) => parsed
                .into_iter()
                .for_each(|kv| upsert(&mut attributes, kv)),
            Err(e) => warning = Some(format!("OTEL_RESOURCE_ATTRIBUTES ignored: {e}")),
        }
    }
    if let Some(name) = env("OTEL_SERVICE_NAME").filter(|n| !n.is_empty()) {
        upsert(&mut attributes, KeyValue::new("service.name", name));
    }
    for kv in config_attributes(config) {
        upsert(&mut attributes, kv);
    }
    let resource = Resource {
        attributes,
        ..Resource::default()
    };
    (resource, warning)
}

fn config_attributes(config: &ResourceConfig) -> Vec<KeyValue> {
    let named = [
        ("service.name", &config.service_name),
        ("service.version", &config.service_version),
        ("service.instance.id", &config.service_instance_id),
        ("deployment.environment", &config.deployment_environment),
    ];
    let mut out: Vec<KeyValue> = config.attributes.clone();
    out.extend(
        named
            .into_iter()
            .filter_map(|(key, value)| value.as_ref().map(|v| KeyValue::new(key, v.clone()))),
    );
    out
}

fn default_attributes() -> Vec<KeyValue> {
    let exe = std::env::current_exe()
        .ok()
        .and_then(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .unwrap_or_default();
    let instance = format!("{:032x}", crate::id::new_trace_id().0);
    vec![
        KeyValue::new("service.name", format!("unknown_service:{exe}")),
        KeyValue::new("service.instance.id", instance),
        KeyValue::new("telemetry.sdk.name", "spindle"),
        KeyValue::new("telemetry.sdk.language", "rust"),
        KeyValue::new("telemetry.sdk.version", env!("CARGO_PKG_VERSION")),
    ]
}

fn upsert(attributes: &mut Vec<KeyValue>, kv: KeyValue) {
    match attributes
        .iter_mut()
        .find(|existing| existing.key == kv.key)
    {
        Some(existing) => existing.value = kv.value,
        None => attributes.push(kv),
    }
}

/// Parses `key1=value1,key2=value2` with percent-encoded values (W3C Baggage octets).
fn parse_resource_attributes(raw: &str) -> Result<Vec<KeyValue>, String> {
    let mut out = Vec::new();
    for (index, member) in raw.split(',').enumerate() {
        if member.trim().is_empty() {
            continue;
        }
        let (key, value) = member
            .split_once('=')
            .ok_or_else(|| format!("entry {index} ({member:?}) has no '='"))?;
        let key = key.trim();
        if key.is_empty() {
            return Err(format!("entry {index} ({member:?}) has an empty key"));
        }
        let value = percent_decode(value.trim())
            .ok_or_else(|| format!("entry {index} ({member:?}) has a bad percent-encoding"))?;
        out.push(KeyValue {
            key: Str::new(key),
            value: Value::from(value),
        });
    }
    Ok(out)
}

pub(crate) fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use spindle_formats::find_attribute;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |key| {
            vars.iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| v.to_string())
        }
    }

    fn get(resource: &Resource, key: &str) -> String {
        find_attribute(&resource.attributes, key)
            .map(|v| v.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn code_wins_over_environment_which_wins_over_defaults() {
        let vars = [
            ("OTEL_SERVICE_NAME", "from-env"),
            (
                "OTEL_RESOURCE_ATTRIBUTES",
                "service.name=attr,deployment.environment=staging,team=a%20b",
            ),
        ];
        let (resource, warning) = build_resource(&ResourceConfig::default(), env(&vars));
        assert_eq!(warning, None);
        assert_eq!(get(&resource, "service.name"), "from-env");
        assert_eq!(get(&resource, "deployment.environment"), "staging");
        assert_eq!(get(&resource, "team"), "a b");

        let config = ResourceConfig {
            service_name: Some("from-code".into()),
            deployment_environment: Some("prod".into()),
            ..Default::default()
        };
        let (resource, _) = build_resource(&config, env(&vars));
        assert_eq!(get(&resource, "service.name"), "from-code");
        assert_eq!(get(&resource, "deployment.environment"), "prod");
        assert_eq!(get(&resource, "team"), "a b");
    }

    #[test]
    fn defaults_name_the_executable_and_the_sdk() {
        let (resource, _) = build_resource(&ResourceConfig::default(), env(&[]));
        assert!(get(&resource, "service.name").starts_with("unknown_service:"));
        assert_eq!(get(&resource, "telemetry.sdk.name"), "spindle");
        assert_eq!(get(&resource, "service.instance.id").len(), 32);
    }

    #[test]
    fn malformed_resource_attributes_are_ignored_whole_with_a_warning() {
        let vars = [("OTEL_RESOURCE_ATTRIBUTES", "team=a,broken,env=%zz")];
        let (resource, warning) = build_resource(&ResourceConfig::default(), env(&vars));
        assert!(warning.unwrap().contains("\"broken\""));
        assert_eq!(get(&resource, "team"), "");
    }
}
