//! The launcher: starts the four services (this program again, one process each), sends three
//! requests through the gateway, stops the services so that their files are complete, and
//! says what was written.

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use crate::http::Client;
use crate::service::Name;

/// Where a Spindle viewer (or any OTLP/HTTP receiver) listens by default.
const VIEWER: &str = "127.0.0.1:4318";

/// The requests sent, with the status the gateway should answer. The failing one goes first:
/// the viewer opens on the earliest trace, so a newcomer sees the error at once.
const REQUESTS: [(&str, u16); 3] = [
    ("/api/customers/7/orders", 502), // an order's lines time out: orders 500, gateway 502
    ("/api/customers/42/orders", 200), // cache miss: orders from the database
    ("/api/customers/42/orders", 200), // cache hit
];

/// A started service.
struct Running {
    name: Name,
    url: String,
    child: Child,
    stdin: Option<ChildStdin>,
}

pub fn run(dir: &Path) -> ExitCode {
    match launch(dir) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(message) => {
            eprintln!("shop: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Runs the demo; `Ok(false)` if an answer or a service's exit was not as expected.
fn launch(dir: &Path) -> Result<bool, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    let otlp = viewer_listening().then(|| format!("http://{VIEWER}"));
    match &otlp {
        Some(url) => {
            println!("A Spindle viewer is listening on {VIEWER}: sending spans to {url} too.")
        }
        None => println!("(No viewer on {VIEWER}; start one first to watch the spans arrive.)"),
    }
    let mut running: Vec<Running> = Vec::new();
    let mut ok = true;
    for name in Name::ALL {
        let file = trace_file(dir, name);
        // A file from an earlier run would otherwise stay if this one wrote nothing.
        let _ = std::fs::remove_file(&file);
        match start(name, &file, otlp.as_deref(), &running) {
            Ok(service) => running.push(service),
            Err(e) => {
                eprintln!("shop: {e}");
                ok = false;
                break;
            }
        }
    }
    if ok {
        let gateway = running.iter().find(|s| s.name == Name::Gateway);
        ok = gateway.is_some_and(|gateway| send_requests(&gateway.url));
    }
    for service in &mut running {
        service.stdin.take(); // end of input: the service stops
    }
    for service in running {
        ok &= wait(service);
    }
    println!("\nSpans written:");
    for name in Name::ALL {
        let file = trace_file(dir, name);
        let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
        println!("  {:<40} {size:>7} bytes", file.display());
    }
    println!(
        "\nOpen them: cargo run -p spindle-viewer -- {}/*.spindle.json",
        dir.display()
    );
    Ok(ok)
}

fn trace_file(dir: &Path, name: Name) -> PathBuf {
    dir.join(format!("{}.spindle.json", name.as_str()))
}

fn viewer_listening() -> bool {
    let address: SocketAddr = match VIEWER.parse() {
        Ok(address) => address,
        Err(_) => return false,
    };
    TcpStream::connect_timeout(&address, Duration::from_millis(300)).is_ok()
}

/// Starts `name` and waits for the line that says its port.
fn start(
    name: Name,
    file: &Path,
    otlp: Option<&str>,
    running: &[Running],
) -> Result<Running, String> {
    let program = std::env::current_exe().map_err(|e| format!("finding this program: {e}"))?;
    let mut command = Command::new(program);
    command
        .arg("--service")
        .arg(name.as_str())
        .arg("--out")
        .arg(file);
    if let Some(url) = otlp {
        command.arg("--otlp").arg(url);
    }
    for peer in name.peers() {
        let url = running
            .iter()
            .find(|s| s.name == *peer)
            .map(|s| &s.url)
            .ok_or_else(|| format!("{} starts before {}", name.as_str(), peer.as_str()))?;
        command
            .arg("--peer")
            .arg(format!("{}={url}", peer.as_str()));
    }
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("starting {}: {e}", name.as_str()))?;
    let stdin = child.stdin.take();
    let mut line = String::new();
    if let Some(stdout) = child.stdout.take() {
        let _ = BufReader::new(stdout).read_line(&mut line);
    }
    let Some(address) = line.trim().strip_prefix("listening on ") else {
        let _ = child.kill();
        let _ = child.wait();
        return Err(format!("{} did not start", name.as_str()));
    };
    let url = format!("http://{address}");
    println!("{:<8} {url}", name.as_str());
    Ok(Running {
        name,
        url,
        child,
        stdin,
    })
}

/// Sends the requests; true if each got the status it should.
fn send_requests(gateway: &str) -> bool {
    let client = Client::new();
    let mut ok = true;
    println!();
    for (path, expected) in REQUESTS {
        let headers = [("Authorization", "Bearer demo-token")];
        let url = format!("{gateway}{path}");
        match client.send_untraced("GET", &url, &headers_owned(&headers), None) {
            Ok(answer) => {
                let trace = answer.trace_id.as_deref().unwrap_or("?");
                println!("GET {path} -> {}   trace {trace}", answer.status);
                ok &= answer.status == expected;
            }
            Err(e) => {
                println!("GET {path} failed: {e}");
                ok = false;
            }
        }
    }
    ok
}

fn headers_owned(headers: &[(&str, &str)]) -> Vec<(String, String)> {
    let owned = headers.iter().map(|(n, v)| (n.to_string(), v.to_string()));
    owned.collect()
}

/// Waits up to ten seconds for a stopped service to exit; true if it exited cleanly.
fn wait(mut service: Running) -> bool {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match service.child.try_wait() {
            Ok(Some(status)) => {
                if !status.success() {
                    eprintln!("shop: {} exited with {status}", service.name.as_str());
                }
                return status.success();
            }
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            _ => {
                eprintln!("shop: {} did not stop; killing it", service.name.as_str());
                let _ = service.child.kill();
                let _ = service.child.wait();
                return false;
            }
        }
    }
}
