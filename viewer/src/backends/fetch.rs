//! Talking to a backend on a background thread, as [`crate::load`] reads files: the window
//! stays responsive, and `repaint` is called when the answer is in.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, TryRecvError, channel};

use super::progress::Progress;
use super::{Backend, BackendError, Connection, Fetched, Target};

/// What a finished request produced.
#[derive(Debug)]
pub struct Outcome {
    /// The backend that answered (when it was recognised).
    pub backend: Option<Backend>,
    /// The base URL asked.
    pub url: String,
    /// The trace (when one was asked for and found), or why not.
    pub result: Result<Option<Fetched>, BackendError>,
}

/// A request in flight.
#[derive(Debug)]
pub struct Fetching {
    /// The trace asked for (`None`: only recognising the backend).
    pub id: Option<String>,
    /// Where it was asked.
    pub target: Target,
    progress: Arc<Progress>,
    rx: Receiver<Outcome>,
}

impl Fetching {
    /// Connects to `target` (probing its kind unless given) and fetches trace `id` if given,
    /// on a new thread; `repaint` is called once the outcome is ready.
    pub fn start(
        target: Target,
        id: Option<String>,
        repaint: impl Fn() + Send + 'static,
    ) -> Fetching {
        let (tx, rx) = channel();
        let thread_target = target.clone();
        let thread_id = id.clone();
        let progress = Arc::new(Progress::default());
        let counted = Arc::clone(&progress);
        let spawned = std::thread::Builder::new()
            .name("spindle-backend".into())
            .spawn(move || {
                let outcome = run(&thread_target, thread_id.as_deref(), &counted);
                // The window may be gone; nothing to do then.
                let _ = tx.send(outcome);
                repaint();
            });
        let rx = match spawned {
            Ok(_) => rx,
            Err(error) => {
                // Say why here, where it is known.
                let (tx, rx) = channel();
                let _ = tx.send(gone(
                    &target.url,
                    &format!("cannot start a thread: {error}"),
                ));
                rx
            }
        };
        Fetching {
            id,
            target,
            progress,
            rx,
        }
    }

    /// How much of the answer has arrived (shared with the request's thread).
    pub fn progress(&self) -> Arc<Progress> {
        Arc::clone(&self.progress)
    }

    /// The outcome, once the thread is done.
    pub fn poll(&self) -> Option<Outcome> {
        match self.rx.try_recv() {
            Ok(outcome) => Some(outcome),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => Some(gone(&self.target.url, STOPPED)),
        }
    }

    /// Waits for the outcome (tests, and callers with no window).
    pub fn wait(self) -> Outcome {
        self.rx
            .recv()
            .unwrap_or_else(|_| gone(&self.target.url, STOPPED))
    }
}

/// Why there is no answer when the thread ended without one.
const STOPPED: &str = "the request stopped without an answer";

/// An outcome with no answer from `url`.
fn gone(url: &str, reason: &str) -> Outcome {
    Outcome {
        backend: None,
        url: url.to_string(),
        result: Err(BackendError::Unreachable {
            url: url.to_string(),
            reason: reason.to_string(),
        }),
    }
}

fn run(target: &Target, id: Option<&str>, progress: &Progress) -> Outcome {
    let connection = match Connection::connect(target) {
        Ok(connection) => connection,
        Err(error) => {
            return Outcome {
                backend: target.kind,
                url: target.url.clone(),
                result: Err(error),
            };
        }
    };
    let result = match id {
        Some(id) => connection.open_trace_counted(id, progress).map(Some),
        None => Ok(None),
    };
    Outcome {
        backend: Some(connection.backend),
        url: connection.url().to_string(),
        result,
    }
}

/// What a finished search found: the backend that answered and the traces, or why not.
pub type Found = Result<(Backend, Vec<super::search::Summary>), BackendError>;

/// A search in flight.
#[derive(Debug)]
pub struct Searching {
    url: String,
    rx: Receiver<Found>,
}

impl Searching {
    /// Connects to `target` and searches it on a new thread; `repaint` is called once the
    /// answer is ready.
    pub fn start(
        target: Target,
        query: super::search::Query,
        repaint: impl Fn() + Send + 'static,
    ) -> Searching {
        let (tx, rx) = channel();
        let url = target.url.clone();
        let _detached = std::thread::Builder::new()
            .name("spindle-search".into())
            .spawn(move || {
                let found = Connection::connect(&target)
                    .and_then(|c| c.search(&query).map(|found| (c.backend, found)));
                let _ = tx.send(found);
                repaint();
            });
        Searching { url, rx }
    }

    /// The answer, once the thread is done (`Some(Err)` if it stopped without one).
    pub fn poll(&self) -> Option<Found> {
        match self.rx.try_recv() {
            Ok(found) => Some(found),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => Some(Err(BackendError::Unreachable {
                url: self.url.clone(),
                reason: "the search stopped without an answer (the thread could not start)".into(),
            })),
        }
    }
}
