//! The shop: four services, each a real HTTP server on 127.0.0.1 in a process of its own,
//! traced with Spindle and joined into one trace per request by W3C `traceparent` headers.
//!
//! ```text
//! cargo run -p spindle --example shop && cargo run -p spindle-viewer -- spindle-demo/*.spindle.json
//! ```
//!
//! ```text
//!  shop (this process, untraced)          3 × GET /api/customers/{id}/orders
//!   └─ gateway ──POST /verify──────────▶ auth
//!             └─GET /customers/{id}/orders▶ orders ── postgresql: orders, then order_items
//!                                                │     once per order (an N+1 loop)
//!                                                ├── redis: the customer's orders, cached
//!                                                └── queue "order-events" ──▶ worker
//! ```
//!
//! Every request lists an order's lines one query at a time (the N+1 the viewer finds). The
//! first request fails: customer 7's sixth order's lines take longer than the database's
//! statement timeout, so orders answers 500 and the gateway 502. The cache misses on the
//! first look at each customer (7, then 42) and hits on the third request (42 again). Each service writes
//! `spindle-demo/<service>.spindle.json`; if a Spindle viewer (or any OTLP/HTTP receiver) is
//! listening on 127.0.0.1:4318, the spans are sent there too.
//!
//! Run without arguments it is the launcher: it starts itself four times as
//! `shop --service NAME --out FILE [--otlp URL] [--peer NAME=URL]...`, sends the requests
//! through the gateway, then closes the services' standard input, on which they stop, flush
//! their spans and exit.

mod auth;
mod gateway;
mod http;
mod launcher;
mod orders;
mod queue;
mod service;
mod store;
mod worker;

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: shop [--dir DIR]\n       \
                     shop --service gateway|auth|orders|worker --out FILE \
                     [--otlp URL] [--peer NAME=URL]...";

/// What this process is: the launcher, or one of the services.
enum Role {
    Launcher { dir: PathBuf },
    Service(service::Options),
    Help,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match parse(&args) {
        Ok(Role::Launcher { dir }) => launcher::run(&dir),
        Ok(Role::Service(options)) => service::run(options),
        Ok(Role::Help) => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("shop: {message}\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn parse(args: &[String]) -> Result<Role, String> {
    let mut dir = PathBuf::from("spindle-demo");
    let mut name = None;
    let mut out = None;
    let mut otlp = None;
    let mut peers = Vec::new();
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let mut value = || {
            args.next()
                .cloned()
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match flag.as_str() {
            "--dir" => dir = PathBuf::from(value()?),
            "--service" => name = Some(value()?.parse::<service::Name>()?),
            "--out" => out = Some(PathBuf::from(value()?)),
            "--otlp" => otlp = Some(value()?),
            "--peer" => {
                let peer = value()?;
                let (peer_name, url) = peer
                    .split_once('=')
                    .ok_or_else(|| format!("--peer takes NAME=URL, not {peer:?}"))?;
                peers.push((peer_name.to_owned(), url.to_owned()));
            }
            "--help" | "-h" => return Ok(Role::Help),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    match (name, out) {
        (None, None) => Ok(Role::Launcher { dir }),
        (Some(name), Some(out)) => Ok(Role::Service(service::Options {
            name,
            out,
            otlp,
            peers,
        })),
        _ => Err("--service and --out go together".into()),
    }
}
