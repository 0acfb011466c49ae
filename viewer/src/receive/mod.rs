//! The local trace receiver: OTLP/HTTP on 127.0.0.1:4318 (`POST /v1/traces`) and Zipkin on
//! 127.0.0.1:9411 (`POST /api/v2/spans`), answering as the OpenTelemetry Collector and Zipkin
//! do, so that an application's ordinary exporter settings send to the viewer.
//!
//! Bodies are decoded only through `spindle-formats`. What arrives leaves as a channel of
//! [`ReceivedBatch`]es ([`Receiver::batches`]) beside shared [`Counters`]; the application
//! merges the batches into its document. Loopback only unless an address is named
//! ([`ReceiveConfig::warnings`]); a request never names a file or path on this machine.
//!
//! - [`config`]: addresses and limits, from the command line.
//! - [`server`]: listeners, one thread per connection under a cap, deadlines.
//! - `exchange`: one request from head to answer; `http` reads requests, `response` writes
//!   answers, `cors` lets localhost pages send.
//! - `otlp`, `zipkin`: the two APIs. `decode`: gzip and the readers' results.
//! - [`collect`]: `spindle-viewer collect`, the receiver without a window.

pub mod collect;
pub mod config;
mod cors;
pub mod counters;
mod decode;
mod exchange;
mod http;
mod otlp;
mod response;
pub mod server;
mod zipkin;

pub use config::{ConfigError, ReceiveConfig};
pub use counters::{Counters, CountersSnapshot, Refusal};
pub use server::{Endpoint, ListenError, ListenStatus, ReceivedBatch, Receiver};
