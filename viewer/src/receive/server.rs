//! Listening: one accept thread per address and one thread per connection, at most
//! [`ReceiveConfig::max_connections`] at once, each read under a deadline, so that a slow or
//! stalled client holds up only its own connection.

use std::fmt;
use std::io::{self, BufRead, BufReader, Read};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver as Channel, Sender};
use spindle_formats::TraceData;

use super::config::ReceiveConfig;
use super::counters::{Counters, CountersSnapshot, Refusal};
use super::exchange::{self, Outcome};
use super::http::TimedStream;
use super::response::{Response, write_response};

/// Which API a listener serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Endpoint {
    /// OTLP/HTTP, `POST /v1/traces`.
    Otlp,
    /// Zipkin v2, `POST /api/v2/spans`.
    Zipkin,
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Endpoint::Otlp => "OTLP",
            Endpoint::Zipkin => "Zipkin",
        })
    }
}

/// The spans of one accepted request.
#[derive(Debug)]
pub struct ReceivedBatch {
    pub endpoint: Endpoint,
    pub data: TraceData,
}

/// Why a listener could not start (the receiver goes on without it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListenError {
    /// Another program listens there already.
    InUse { addr: SocketAddr },
    /// The system does not allow listening there (a privileged port, or not our address).
    Denied { addr: SocketAddr, message: String },
    /// Any other failure.
    Other { addr: SocketAddr, message: String },
}

impl fmt::Display for ListenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ListenError::InUse { addr } => write!(
                f,
                "cannot listen on {addr}: the port is in use (another collector or viewer?)"
            ),
            ListenError::Denied { addr, message } | ListenError::Other { addr, message } => {
                write!(f, "cannot listen on {addr}: {message}")
            }
        }
    }
}

impl std::error::Error for ListenError {}

/// What one listener is doing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListenStatus {
    /// Not asked to listen.
    Off,
    /// Listening at this address (the actual port when port 0 was asked for).
    Listening(SocketAddr),
    /// Could not listen.
    Failed(ListenError),
    /// Was listening, and stopped.
    Stopped,
}

/// What every connection thread shares.
#[derive(Debug)]
pub(crate) struct Shared {
    pub config: ReceiveConfig,
    pub counters: Arc<Counters>,
    pub batches: Sender<ReceivedBatch>,
    pub stop: AtomicBool,
    pub connections: AtomicUsize,
    pub notify: Option<Notify>,
}

/// Called after each batch is queued (e.g. to wake the UI thread).
pub(crate) struct Notify(pub Box<dyn Fn() + Send + Sync>);

impl fmt::Debug for Notify {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Notify")
    }
}

/// The running receiver. Dropping it stops the listeners.
#[derive(Debug)]
pub struct Receiver {
    shared: Arc<Shared>,
    batches: Channel<ReceivedBatch>,
    otlp: ListenStatus,
    zipkin: ListenStatus,
    accept_threads: Vec<(SocketAddr, JoinHandle<()>)>,
}

impl Receiver {
    /// Starts listening as configured. A listener that cannot start is reported in
    /// [`Receiver::status`]; the other one runs regardless.
    pub fn start(config: ReceiveConfig) -> Receiver {
        Receiver::start_inner(config, None)
    }

    /// As [`Receiver::start`], calling `notify` after each batch is queued.
    pub fn start_with_notify(
        config: ReceiveConfig,
        notify: impl Fn() + Send + Sync + 'static,
    ) -> Receiver {
        Receiver::start_inner(config, Some(Notify(Box::new(notify))))
    }

    fn start_inner(config: ReceiveConfig, notify: Option<Notify>) -> Receiver {
        let (sender, batches) = crossbeam_channel::bounded(config.queue_batches.max(1));
        let addresses = [
            (Endpoint::Otlp, config.otlp),
            (Endpoint::Zipkin, config.zipkin),
        ];
        let shared = Arc::new(Shared {
            config,
            counters: Arc::default(),
            batches: sender,
            stop: AtomicBool::new(false),
            connections: AtomicUsize::new(0),
            notify,
        });
        let mut receiver = Receiver {
            shared,
            batches,
            otlp: ListenStatus::Off,
            zipkin: ListenStatus::Off,
            accept_threads: Vec::new(),
        };
        for (endpoint, addr) in addresses {
            let Some(addr) = addr else { continue };
            let status = match receiver.listen(endpoint, addr) {
                Ok(local) => ListenStatus::Listening(local),
                Err(error) => ListenStatus::Failed(error),
            };
            *receiver.status_mut(endpoint) = status;
        }
        receiver
    }

    fn listen(&mut self, endpoint: Endpoint, addr: SocketAddr) -> Result<SocketAddr, ListenError> {
        let listener = TcpListener::bind(addr).map_err(|e| listen_error(addr, &e))?;
        let local = listener.local_addr().map_err(|e| listen_error(addr, &e))?;
        let shared = Arc::clone(&self.shared);
        let thread = std::thread::Builder::new()
            .name(format!("receive {endpoint} {local}"))
            .spawn(move || accept_loop(&listener, endpoint, &shared))
            .map_err(|e| listen_error(addr, &e))?;
        self.accept_threads.push((local, thread));
        Ok(local)
    }

    fn status_mut(&mut self, endpoint: Endpoint) -> &mut ListenStatus {
        match endpoint {
            Endpoint::Otlp => &mut self.otlp,
            Endpoint::Zipkin => &mut self.zipkin,
        }
    }

    /// What a listener is doing.
    pub fn status(&self, endpoint: Endpoint) -> &ListenStatus {
        match endpoint {
            Endpoint::Otlp => &self.otlp,
            Endpoint::Zipkin => &self.zipkin,
        }
    }

    /// The address a listener is bound to, when it listens.
    pub fn local_addr(&self, endpoint: Endpoint) -> Option<SocketAddr> {
        match self.status(endpoint) {
            ListenStatus::Listening(addr) => Some(*addr),
            _ => None,
        }
    }

    /// Decoded batches, in the order their requests were accepted.
    pub fn batches(&self) -> &Channel<ReceivedBatch> {
        &self.batches
    }

    /// The shared counters (live).
    pub fn counters(&self) -> &Arc<Counters> {
        &self.shared.counters
    }

    /// The counters now.
    pub fn snapshot(&self) -> CountersSnapshot {
        self.shared.counters.snapshot()
    }

    /// Connections open now.
    pub fn open_connections(&self) -> usize {
        self.shared.connections.load(Ordering::Relaxed)
    }

    /// Stops accepting connections and waits up to `wait` for requests in flight to finish
    /// (their batches are then in [`Receiver::batches`]). Idle connections are closed.
    pub fn stop(&mut self, wait: Duration) {
        self.shared.stop.store(true, Ordering::SeqCst);
        for (addr, thread) in self.accept_threads.drain(..) {
            wake(addr);
            let _ = thread.join();
        }
        for endpoint in [Endpoint::Otlp, Endpoint::Zipkin] {
            let status = self.status_mut(endpoint);
            if matches!(status, ListenStatus::Listening(_)) {
                *status = ListenStatus::Stopped;
            }
        }
        let until = Instant::now() + wait;
        while self.open_connections() > 0 && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.stop(Duration::ZERO);
    }
}

fn listen_error(addr: SocketAddr, error: &io::Error) -> ListenError {
    match error.kind() {
        io::ErrorKind::AddrInUse => ListenError::InUse { addr },
        io::ErrorKind::PermissionDenied | io::ErrorKind::AddrNotAvailable => ListenError::Denied {
            addr,
            message: error.to_string(),
        },
        _ => ListenError::Other {
            addr,
            message: error.to_string(),
        },
    }
}

/// Unblocks an accept loop by connecting to it.
fn wake(addr: SocketAddr) {
    let mut target = addr;
    if target.ip().is_unspecified() {
        target.set_ip(match addr {
            SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
            SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
        });
    }
    let _ = TcpStream::connect_timeout(&target, Duration::from_secs(1));
}

fn accept_loop(listener: &TcpListener, endpoint: Endpoint, shared: &Arc<Shared>) {
    for stream in listener.incoming() {
        if shared.stop.load(Ordering::SeqCst) {
            return;
        }
        let Ok(stream) = stream else {
            // Out of descriptors or a connection reset before accept: back off a little.
            std::thread::sleep(Duration::from_millis(10));
            continue;
        };
        let open = shared.connections.fetch_add(1, Ordering::SeqCst);
        if open >= shared.config.max_connections {
            shared.connections.fetch_sub(1, Ordering::SeqCst);
            refuse_busy(stream, shared);
            continue;
        }
        let worker = Arc::clone(shared);
        let spawned = std::thread::Builder::new()
            .name(format!("receive {endpoint} connection"))
            .spawn(move || {
                serve(stream, endpoint, &worker);
                worker.connections.fetch_sub(1, Ordering::SeqCst);
            });
        if spawned.is_err() {
            shared.connections.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

/// Over the connection cap: 503 and close, without reading the request.
fn refuse_busy(stream: TcpStream, shared: &Shared) {
    shared.counters.refused(Refusal::Busy);
    let _ = stream.set_write_timeout(Some(Duration::from_millis(200)));
    let response = Response::text(
        503,
        &format!(
            "too many connections (the limit is {}); try again",
            shared.config.max_connections
        ),
    )
    .header("Retry-After", "1");
    let _ = write_response(&mut &stream, &response, true);
    linger(stream, Duration::from_millis(100));
}

/// Serves requests on one connection until it closes, idles out or the receiver stops.
fn serve(stream: TcpStream, endpoint: Endpoint, shared: &Shared) {
    let config = &shared.config;
    let _ = stream.set_nodelay(true);
    let _ = stream.set_write_timeout(Some(config.request_timeout));
    let timed = TimedStream {
        stream,
        deadline: Instant::now() + config.idle_timeout,
    };
    let mut connection = BufReader::with_capacity(64 * 1024, timed);
    while wait_for_request(&mut connection, shared) {
        connection.get_mut().deadline = Instant::now() + config.request_timeout;
        let Some(Outcome { response, close }) = exchange::handle(&mut connection, endpoint, shared)
        else {
            return;
        };
        let stream = &connection.get_ref().stream;
        if write_response(&mut &*stream, &response, close).is_err() {
            return;
        }
        if close {
            let TimedStream { stream, .. } = connection.into_inner();
            linger(stream, Duration::from_secs(2));
            return;
        }
    }
}

/// Waits for the first byte of the next request: false when the connection closed, stayed
/// idle too long, or the receiver is stopping.
fn wait_for_request(connection: &mut BufReader<TimedStream>, shared: &Shared) -> bool {
    let idle_until = Instant::now() + shared.config.idle_timeout;
    loop {
        let now = Instant::now();
        let stopping = shared.stop.load(Ordering::SeqCst) && connection.buffer().is_empty();
        if stopping || now >= idle_until {
            return false;
        }
        connection.get_mut().deadline = idle_until.min(now + Duration::from_millis(250));
        match connection.fill_buf() {
            Ok(bytes) => return !bytes.is_empty(),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return false,
        }
    }
}

/// Closes after an answer sent before the request was read: stops writing, then reads and
/// drops what the client still sends for a while, so that the close does not reset the
/// connection before the client has read the answer.
fn linger(stream: TcpStream, wait: Duration) {
    let _ = stream.shutdown(Shutdown::Write);
    let mut timed = TimedStream {
        stream,
        deadline: Instant::now() + wait,
    };
    let mut scratch = [0u8; 64 * 1024];
    let mut left: usize = 256 << 20;
    while left > 0 {
        match timed.read(&mut scratch) {
            Ok(0) | Err(_) => return,
            Ok(n) => left = left.saturating_sub(n),
        }
    }
}
