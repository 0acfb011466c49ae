//! Where the receiver listens and its limits, from the command line or code.

use std::fmt;
use std::net::{SocketAddr, ToSocketAddrs};
use std::time::Duration;

/// The OTLP/HTTP port every local trace viewer listens on.
pub const DEFAULT_OTLP_ADDR: &str = "127.0.0.1:4318";
/// Zipkin's own port.
pub const DEFAULT_ZIPKIN_ADDR: &str = "127.0.0.1:9411";
/// The largest request body accepted (after gzip is undone): 20 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 20 << 20;

/// How the receiver listens. `Default` is OTLP on 127.0.0.1:4318 and Zipkin on 127.0.0.1:9411.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiveConfig {
    /// The OTLP/HTTP address (`POST /v1/traces`); `None`: not listening.
    pub otlp: Option<SocketAddr>,
    /// The Zipkin address (`POST /api/v2/spans`); `None`: not listening.
    pub zipkin: Option<SocketAddr>,
    /// The largest request body, after decompression; larger ones get 413.
    pub max_body_bytes: usize,
    /// Connections served at once; more get 503 and are closed.
    pub max_connections: usize,
    /// How long one request may take to arrive, head and body (a stalled client gets 408).
    pub request_timeout: Duration,
    /// How long a kept-alive connection may sit idle between requests.
    pub idle_timeout: Duration,
    /// Decoded batches waiting for the application; a full queue answers 503.
    pub queue_batches: usize,
}

impl Default for ReceiveConfig {
    fn default() -> Self {
        ReceiveConfig {
            otlp: DEFAULT_OTLP_ADDR.parse().ok(),
            zipkin: DEFAULT_ZIPKIN_ADDR.parse().ok(),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_connections: 128,
            request_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(60),
            queue_batches: 256,
        }
    }
}

/// A receiver option on the command line that could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    /// The option needs a value and none followed.
    MissingValue { option: &'static str },
    /// The address is not `HOST:PORT` or does not resolve.
    BadAddress { option: &'static str, value: String },
    /// The byte count is not a number (suffixes `k`, `M`/`MiB` accepted).
    BadSize { option: &'static str, value: String },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::MissingValue { option } => write!(f, "{option} needs a value"),
            ConfigError::BadAddress { option, value } => {
                write!(
                    f,
                    "{option} {value:?}: expected HOST:PORT, e.g. 127.0.0.1:4318"
                )
            }
            ConfigError::BadSize { option, value } => {
                write!(f, "{option} {value:?}: expected a byte count such as 20M")
            }
        }
    }
}

impl std::error::Error for ConfigError {}

impl ReceiveConfig {
    /// A configuration that listens nowhere (`--no-listen`).
    pub fn off() -> ReceiveConfig {
        ReceiveConfig {
            otlp: None,
            zipkin: None,
            ..ReceiveConfig::default()
        }
    }

    /// Takes the receiver's options out of `args` (`--listen ADDR`, `--zipkin ADDR`,
    /// `--no-listen`, `--max-body BYTES`, also as `--opt=value`) and returns the rest in order.
    ///
    /// ```
    /// use spindle_viewer::receive::ReceiveConfig;
    /// let args = ["--listen", "127.0.0.1:0", "trace.json", "--no-zipkin"].map(String::from);
    /// let (config, rest) = ReceiveConfig::from_args(args.to_vec()).unwrap();
    /// assert_eq!(config.otlp.map(|a| a.port()), Some(0));
    /// assert_eq!(config.zipkin, None);
    /// assert_eq!(rest, ["trace.json"]);
    /// ```
    pub fn from_args(args: Vec<String>) -> Result<(ReceiveConfig, Vec<String>), ConfigError> {
        let mut config = ReceiveConfig::default();
        let mut rest = Vec::new();
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let (name, inline) = match arg.split_once('=') {
                Some((name, value)) if name.starts_with("--") => (name, Some(value.to_owned())),
                _ => (arg.as_str(), None),
            };
            let mut value = |option: &'static str| {
                inline
                    .clone()
                    .or_else(|| args.next())
                    .ok_or(ConfigError::MissingValue { option })
            };
            match name {
                "--listen" => config.otlp = Some(address("--listen", &value("--listen")?)?),
                "--zipkin" => config.zipkin = Some(address("--zipkin", &value("--zipkin")?)?),
                "--no-listen" => (config.otlp, config.zipkin) = (None, None),
                "--no-zipkin" => config.zipkin = None,
                "--no-otlp" => config.otlp = None,
                "--max-body" => config.max_body_bytes = size("--max-body", &value("--max-body")?)?,
                _ => rest.push(arg),
            }
        }
        Ok((config, rest))
    }

    /// One warning per address that is not loopback: other machines can send there.
    pub fn warnings(&self) -> Vec<String> {
        [("OTLP", self.otlp), ("Zipkin", self.zipkin)]
            .into_iter()
            .filter_map(|(what, addr)| addr.map(|a| (what, a)))
            .filter(|(_, addr)| !addr.ip().is_loopback())
            .map(|(what, addr)| {
                format!(
                    "warning: the {what} receiver listens on {addr}, not loopback: any machine \
                     that reaches it can send spans"
                )
            })
            .collect()
    }
}

fn address(option: &'static str, value: &str) -> Result<SocketAddr, ConfigError> {
    let bad = || ConfigError::BadAddress {
        option,
        value: value.to_owned(),
    };
    let mut addrs = value.to_socket_addrs().map_err(|_| bad())?;
    addrs.next().ok_or_else(bad)
}

fn size(option: &'static str, value: &str) -> Result<usize, ConfigError> {
    let text = value.trim();
    let digits = text.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let scale = match text[digits.len()..].to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        _ => 0,
    };
    digits
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_mul(scale))
        .filter(|n| *n > 0)
        .ok_or_else(|| ConfigError::BadSize {
            option,
            value: value.to_owned(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<(ReceiveConfig, Vec<String>), ConfigError> {
        ReceiveConfig::from_args(args.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn defaults_are_loopback_on_the_usual_ports() {
        let config = ReceiveConfig::default();
        assert_eq!(
            config.otlp.map(|a| a.to_string()).as_deref(),
            Some("127.0.0.1:4318")
        );
        assert_eq!(
            config.zipkin.map(|a| a.to_string()).as_deref(),
            Some("127.0.0.1:9411")
        );
        assert_eq!(config.max_body_bytes, 20 * 1024 * 1024);
        assert!(config.warnings().is_empty());
    }

    #[test]
    fn options_are_taken_out_and_the_rest_kept() {
        let (config, rest) = parse(&[
            "a.json",
            "--zipkin=127.0.0.1:9999",
            "--max-body",
            "1M",
            "b.json",
        ])
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.zipkin.map(|a| a.port()), Some(9999));
        assert_eq!(config.max_body_bytes, 1 << 20);
        assert_eq!(rest, ["a.json", "b.json"]);
        let (config, _) = parse(&["--no-listen"]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((config.otlp, config.zipkin), (None, None));
    }

    #[test]
    fn bad_values_are_named() {
        assert_eq!(
            parse(&["--listen"]).err().map(|e| e.to_string()).as_deref(),
            Some("--listen needs a value")
        );
        assert!(matches!(
            parse(&["--listen", "nowhere"]),
            Err(ConfigError::BadAddress { .. })
        ));
        assert!(matches!(
            parse(&["--max-body", "12q"]),
            Err(ConfigError::BadSize { .. })
        ));
    }

    #[test]
    fn another_interface_is_warned_about() {
        let (config, _) = parse(&["--listen", "0.0.0.0:4318"]).unwrap_or_else(|e| panic!("{e}"));
        let warnings = config.warnings();
        assert_eq!(warnings.len(), 1);
        assert!(
            warnings[0].contains("0.0.0.0:4318, not loopback"),
            "{warnings:?}"
        );
    }
}
