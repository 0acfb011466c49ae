//! One service process: its tracer, its HTTP server on an ephemeral port of 127.0.0.1, and a
//! clean stop when its standard input closes (spans flushed before it exits).

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use spindle::{Config, FileFormat, OtlpHttpExporter};

use crate::http::{self, Endpoint};
use crate::{auth, gateway, orders, worker};

/// The four services.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Name {
    Gateway,
    Auth,
    Orders,
    Worker,
}

impl Name {
    /// In the order the launcher starts them: each after those it calls.
    pub const ALL: [Name; 4] = [Name::Worker, Name::Auth, Name::Orders, Name::Gateway];

    pub fn as_str(self) -> &'static str {
        match self {
            Name::Gateway => "gateway",
            Name::Auth => "auth",
            Name::Orders => "orders",
            Name::Worker => "worker",
        }
    }

    /// The services this one calls, by name.
    pub fn peers(self) -> &'static [Name] {
        match self {
            Name::Gateway => &[Name::Auth, Name::Orders],
            Name::Orders => &[Name::Worker],
            Name::Auth | Name::Worker => &[],
        }
    }
}

impl FromStr for Name {
    type Err = String;
    fn from_str(text: &str) -> Result<Name, String> {
        Name::ALL
            .into_iter()
            .find(|name| name.as_str() == text)
            .ok_or_else(|| format!("no service named {text:?}"))
    }
}

/// A service's command line.
pub struct Options {
    pub name: Name,
    pub out: PathBuf,
    pub otlp: Option<String>,
    pub peers: Vec<(String, String)>,
}

impl Options {
    /// The base URL of the peer `name`.
    pub fn peer(&self, name: Name) -> Result<String, String> {
        self.peers
            .iter()
            .find(|(peer, _)| peer == name.as_str())
            .map(|(_, url)| url.clone())
            .ok_or_else(|| format!("{} needs --peer {}=URL", self.name.as_str(), name.as_str()))
    }
}

/// Runs the service until its standard input closes.
pub fn run(options: Options) -> ExitCode {
    match serve(&options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("shop {}: {message}", options.name.as_str());
            ExitCode::FAILURE
        }
    }
}

fn serve(options: &Options) -> Result<(), String> {
    let mut config = Config::new()
        .service_name(options.name.as_str())
        .service_version(env!("CARGO_PKG_VERSION"))
        .resource_attribute("service.namespace", "shop")
        .scheduled_delay(Duration::from_millis(200))
        .export_to_file(&options.out, FileFormat::Spindle);
    if let Some(url) = &options.otlp {
        config = config.exporter(OtlpHttpExporter::new(url));
    }
    let tracer = spindle::init(config).map_err(|e| format!("tracer: {e}"))?;

    let server = tiny_http::Server::http("127.0.0.1:0").map_err(|e| format!("listen: {e}"))?;
    let server = Arc::new(server);
    let port = server
        .server_addr()
        .to_ip()
        .map(|address| address.port())
        .ok_or("not listening on an IP address")?;
    // The launcher reads this line to learn the port.
    println!("listening on 127.0.0.1:{port}");
    std::io::stdout().flush().map_err(|e| e.to_string())?;
    stop_when_stdin_closes(server.clone());

    match options.name {
        Name::Gateway => listen(&server, port, &gateway::Gateway::new(options)?),
        Name::Auth => listen(&server, port, &auth::Auth),
        Name::Orders => listen(&server, port, &orders::Orders::new(options)?),
        // The worker drains its queue when dropped, before the tracer shuts down.
        Name::Worker => listen(&server, port, &worker::Worker::start()),
    }
    tracer
        .shutdown(Duration::from_secs(5))
        .map_err(|e| format!("writing spans: {e}"))
}

/// What a service answers: its endpoints.
pub trait Service {
    fn endpoints(&self) -> Vec<Endpoint<'_>>;
}

fn listen(server: &tiny_http::Server, port: u16, service: &dyn Service) {
    let endpoints = service.endpoints();
    for request in server.incoming_requests() {
        http::answer(request, port, &endpoints);
    }
}

/// Unblocks the server (ending `listen`) once standard input reaches its end: the launcher
/// closed it, or exited.
fn stop_when_stdin_closes(server: Arc<tiny_http::Server>) {
    std::thread::spawn(move || {
        let mut sink = [0u8; 64];
        let mut stdin = std::io::stdin();
        while matches!(stdin.read(&mut sink), Ok(n) if n > 0) {}
        server.unblock();
    });
}
