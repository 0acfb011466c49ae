//! Loading trace files on a background thread: progress in bytes, cancel, a repaint request
//! when something changes, several files merged into one [`Document`], and a watcher that
//! notices when a loaded file changes on disk.
//!
//! Files are read only through `spindle-formats`; the index is built here too, so the UI
//! thread never parses or indexes anything.

use std::collections::HashSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, TryRecvError, channel};
use std::time::{Duration, SystemTime};

use spindle_formats::{Format, ReadOptions, TraceData};

use crate::index::Index;
use crate::layout::FlameLayout;

/// Everything one load produced.
#[derive(Debug, Default)]
pub struct Document {
    pub data: TraceData,
    pub index: Index,
    /// The aggregated flame graph of all traces, laid out once per load.
    pub aggregate: FlameLayout,
    pub files: Vec<FileInfo>,
    pub problems: Vec<FileProblem>,
    /// Spans dropped while merging files because a span with the same trace and span id was
    /// already loaded from an earlier file (or received twice).
    pub duplicates: usize,
    /// Spans arrived since `aggregate` was laid out (see `Document::refresh_aggregate`).
    pub aggregate_stale: bool,
    /// Spans may still arrive (receiving is on): a trace whose root has not arrived is shown
    /// in progress.
    pub live: bool,
    /// Spans that arrived over the network, received or fetched from a backend (in no open
    /// file), kept when files are added or reloaded.
    pub received: usize,
    /// Traces that spans arrived for over the network: only these can still be "in progress"
    /// (a file's trace without its root stays as the file has it).
    pub received_traces: HashSet<spindle_formats::TraceId>,
}

impl Document {
    /// Indexes data that is already in memory (tests, benchmarks, generated traces).
    pub fn from_data(data: TraceData) -> Document {
        let index = Index::build(&data);
        let aggregate = FlameLayout::aggregate(&index);
        Document {
            data,
            index,
            aggregate,
            files: Vec::new(),
            problems: Vec::new(),
            duplicates: 0,
            aggregate_stale: false,
            live: false,
            received: 0,
            received_traces: Default::default(),
        }
    }
}

/// One opened file.
#[derive(Debug, Clone)]
pub struct FileInfo {
    pub path: PathBuf,
    pub format: Option<Format>,
    pub spans: usize,
    pub stamp: Option<Stamp>,
    /// Where lines appended later start (just after the last complete line read), for a
    /// file of lines; `None` when the file cannot be tailed (no line ends, or gzip).
    pub tail_from: Option<u64>,
}

/// A problem with one file, in plain words.
#[derive(Debug, Clone)]
pub struct FileProblem {
    pub file: String,
    /// Full sentence: `file:line:col (byte N): field: problem`.
    pub message: String,
    /// True when nothing of the file could be loaded; false for a skipped span.
    pub fatal: bool,
}

/// Size and modification time: what the watcher compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    pub len: u64,
    pub modified: Option<SystemTime>,
}

impl Stamp {
    pub fn of(path: &Path) -> Option<Stamp> {
        let meta = std::fs::metadata(path).ok()?;
        Some(Stamp {
            len: meta.len(),
            modified: meta.modified().ok(),
        })
    }
}

/// What the loader is doing now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Reading,
    Decoding,
    Indexing,
}

#[derive(Debug, Default)]
struct Progress {
    read: AtomicU64,
    total: AtomicU64,
    stage: AtomicU8,
}

/// Shared state a running load reports through.
#[derive(Debug)]
struct Shared {
    progress: Progress,
    cancel: AtomicBool,
}

/// Why files are loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadKind {
    /// Replace what is open.
    Open,
    /// The open files plus new ones.
    Add,
    /// The open files again, after they changed on disk.
    Reload,
}

impl LoadKind {
    /// Whether the selection, collapsed spans and view survive the load.
    pub fn keeps_view(self) -> bool {
        self != LoadKind::Open
    }

    /// The verb of the status line.
    pub fn verb(self) -> &'static str {
        match self {
            LoadKind::Open => "Opened",
            LoadKind::Add => "Merged",
            LoadKind::Reload => "Reloaded",
        }
    }
}

/// A load in progress.
#[derive(Debug)]
pub struct Loading {
    pub paths: Vec<PathBuf>,
    /// Why these files are loaded (a reload or an addition keeps the selection and view).
    pub kind: LoadKind,
    shared: Arc<Shared>,
    rx: Receiver<Option<Document>>,
}

/// How a load ended.
#[derive(Debug)]
pub enum Outcome {
    Done(Box<Document>),
    Cancelled,
}

impl Loading {
    /// Starts loading `paths` on a new thread; `repaint` is called whenever progress is made.
    pub fn start(
        paths: Vec<PathBuf>,
        kind: LoadKind,
        repaint: impl Fn() + Send + 'static,
    ) -> Loading {
        let shared = Arc::new(Shared {
            progress: Progress::default(),
            cancel: AtomicBool::new(false),
        });
        let (tx, rx) = channel();
        let thread_shared = Arc::clone(&shared);
        let thread_paths = paths.clone();
        let spawned = std::thread::Builder::new()
            .name("spindle-load".into())
            .spawn(move || {
                let document = load(&thread_paths, &thread_shared, &repaint);
                // The receiver may be gone (the window closed); nothing to do then.
                let _ = tx.send(document);
                repaint();
            });
        if spawned.is_err() {
            shared.cancel.store(true, Ordering::Relaxed);
        }
        Loading {
            paths,
            kind,
            shared,
            rx,
        }
    }

    /// Asks the thread to stop; [`Loading::poll`] then reports [`Outcome::Cancelled`].
    pub fn cancel(&self) {
        self.shared.cancel.store(true, Ordering::Relaxed);
    }

    /// The result, once the thread is done.
    pub fn poll(&self) -> Option<Outcome> {
        match self.rx.try_recv() {
            Ok(Some(document)) => Some(Outcome::Done(Box::new(document))),
            Ok(None) | Err(TryRecvError::Disconnected) => Some(Outcome::Cancelled),
            Err(TryRecvError::Empty) => None,
        }
    }

    /// Bytes read, bytes in total, and the stage.
    pub fn progress(&self) -> (u64, u64, Stage) {
        let p = &self.shared.progress;
        let stage = match p.stage.load(Ordering::Relaxed) {
            0 => Stage::Reading,
            1 => Stage::Decoding,
            _ => Stage::Indexing,
        };
        (
            p.read.load(Ordering::Relaxed),
            p.total.load(Ordering::Relaxed),
            stage,
        )
    }
}

const CHUNK: usize = 1 << 20;

fn load(paths: &[PathBuf], shared: &Shared, repaint: &dyn Fn()) -> Option<Document> {
    let progress = &shared.progress;
    let total: u64 = paths
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    progress.total.store(total, Ordering::Relaxed);
    let mut document = Document::default();
    for path in paths {
        let source = path.display().to_string();
        let stamp = Stamp::of(path);
        progress.stage.store(0, Ordering::Relaxed);
        let bytes = match read_bytes(path, shared, repaint) {
            Ok(Some(bytes)) => bytes,
            Ok(None) => return None,
            Err(error) => {
                document.problems.push(FileProblem {
                    message: format!("{source}: cannot read the file: {error}"),
                    file: source.clone(),
                    fatal: true,
                });
                document.files.push(FileInfo {
                    path: path.clone(),
                    format: None,
                    spans: 0,
                    stamp,
                    tail_from: None,
                });
                continue;
            }
        };
        progress.stage.store(1, Ordering::Relaxed);
        repaint();
        match spindle_formats::read(&bytes, &source, ReadOptions::default()) {
            Ok(loaded) => {
                document
                    .problems
                    .extend(loaded.warnings.iter().map(|w| FileProblem {
                        file: source.clone(),
                        message: w.to_string(),
                        fatal: false,
                    }));
                document.files.push(FileInfo {
                    path: path.clone(),
                    format: Some(loaded.format),
                    spans: loaded.data.spans.len(),
                    stamp,
                    tail_from: crate::live::tail::lines_end(&bytes),
                });
                if document.data.spans.is_empty() && document.data.resources.is_empty() {
                    document.data = loaded.data;
                } else {
                    document.data.merge(loaded.data);
                }
            }
            Err(error) => {
                document.problems.push(FileProblem {
                    file: source.clone(),
                    message: error.to_string(),
                    fatal: true,
                });
                document.files.push(FileInfo {
                    path: path.clone(),
                    format: None,
                    spans: 0,
                    stamp,
                    tail_from: None,
                });
            }
        }
        if shared.cancel.load(Ordering::Relaxed) {
            return None;
        }
    }
    progress.stage.store(2, Ordering::Relaxed);
    repaint();
    if document.files.len() > 1 {
        document.duplicates = drop_duplicate_spans(&mut document.data);
    }
    document.index = Index::build(&document.data);
    document.aggregate = FlameLayout::aggregate(&document.index);
    if shared.cancel.load(Ordering::Relaxed) {
        return None;
    }
    Some(document)
}

/// Keeps the first span of each (trace id, span id) and drops later copies (the same spans
/// read from a second file, or a file added twice); returns how many were dropped.
pub fn drop_duplicate_spans(data: &mut TraceData) -> usize {
    let before = data.spans.len();
    let mut seen = HashSet::with_capacity(before);
    data.spans.retain(|s| seen.insert((s.trace_id, s.span_id)));
    before - data.spans.len()
}

/// Reads a whole file in chunks, counting progress; `Ok(None)` when cancelled.
fn read_bytes(
    path: &Path,
    shared: &Shared,
    repaint: &dyn Fn(),
) -> std::io::Result<Option<Vec<u8>>> {
    let mut file = std::fs::File::open(path)?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0).saturating_add(1));
    let mut chunk = vec![0u8; CHUNK];
    loop {
        if shared.cancel.load(Ordering::Relaxed) {
            return Ok(None);
        }
        let n = match file.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        bytes.extend_from_slice(&chunk[..n]);
        shared.progress.read.fetch_add(n as u64, Ordering::Relaxed);
        repaint();
    }
    Ok(Some(bytes))
}

/// Polls the loaded files' size and modification time on its own thread.
#[derive(Debug)]
pub struct Watcher {
    stop: Arc<AtomicBool>,
    rx: Receiver<()>,
}

impl Watcher {
    /// Watches `files`, calling `repaint` when one changes.
    pub fn start(
        files: Vec<(PathBuf, Option<Stamp>)>,
        interval: Duration,
        repaint: impl Fn() + Send + 'static,
    ) -> Watcher {
        let stop = Arc::new(AtomicBool::new(false));
        let (tx, rx) = channel();
        let thread_stop = Arc::clone(&stop);
        let _detached = std::thread::Builder::new()
            .name("spindle-watch".into())
            .spawn(move || {
                while !thread_stop.load(Ordering::Relaxed) {
                    std::thread::sleep(interval);
                    let changed = files.iter().any(|(path, stamp)| Stamp::of(path) != *stamp);
                    if changed && !thread_stop.load(Ordering::Relaxed) {
                        let _ = tx.send(());
                        repaint();
                        return;
                    }
                }
            });
        Watcher { stop, rx }
    }

    /// True once a watched file changed.
    pub fn changed(&self) -> bool {
        self.rx.try_recv().is_ok()
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Loads `paths` on the calling thread, exactly as a background load does (for the `report`
/// command, which has no window to keep responsive).
pub fn load_now(paths: &[PathBuf]) -> Document {
    let shared = Shared {
        progress: Progress::default(),
        cancel: AtomicBool::new(false),
    };
    // Never cancelled, so the load always yields a document.
    load(paths, &shared, &|| {}).unwrap_or_default()
}
