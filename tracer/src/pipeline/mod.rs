//! From span end to the exporter: per-thread buffers handed off in chunks through a bounded
//! queue to one background worker that batches, encodes and writes.
//!
//! Span end locks only its own thread's buffer (uncontended: the worker takes it only to drain
//! idle threads), pushes the record's box, and every `CHUNK` spans does one non-blocking
//! `try_send`. A full queue drops the chunk and counts it; nothing on the application thread
//! waits for the exporter.
//!
//! Records travel in boxes that go round: the worker hands the boxed records to the sinks as
//! they are (no copy), and after the export sends the boxes back as they are, a chunk at a
//! time, for the producers' next spans; a producer resets a box when it reuses it. So in steady
//! state span start and end neither allocate nor free, the worker never writes to a record
//! (with a sink that does not read them, records never leave the producer's cache), and no
//! memory allocated on an application thread is freed on the exporter's (which, with glibc's
//! malloc, contends on the arena lock of the thread that allocated it).

mod stats;
mod worker;

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, OnceLock};
use std::thread::{JoinHandle, Thread};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, bounded};
use parking_lot::Mutex;
use spindle_formats::{Resource, Span, Status, Str};

use crate::config::BatchConfig;
use crate::error::TraceError;
use crate::sink::SpanExporter;
use stats::Counters;
pub use stats::Stats;
use worker::{Control, Worker};

/// Spans handed off together from a thread's buffer. Every hand-off touches lines the other
/// producers and the worker write too (the queue's and the returned boxes' channels, the
/// queued count), so larger chunks scale better across producer threads: two producers on two
/// cores delivered 1.5-1.7x one producer's spans/s with 64, 1.8-2.0x with 256.
const CHUNK: usize = 256;

/// Most empty chunk vectors the worker keeps to carry boxes back.
const MAX_RETURNED_CHUNKS: usize = 64;

/// Attribute, event and link vectors up to this capacity are kept with their box for reuse
/// (larger ones are freed rather than kept).
const MAX_KEPT_ATTRIBUTES: usize = 32;

/// An ended span's recorded data (the model's `Span`) in its box, so that it moves as a
/// pointer; emptied, the same box carries a later span's record.
pub(crate) type RecordBox = Box<Span>;

/// Record boxes moved together: a thread's spare boxes, a chunk handed off to the worker, the
/// worker's batch, or emptied boxes handed back.
/// The boxes are the point: each is an allocation reused for another span's record.
#[allow(clippy::vec_box)]
pub(crate) type RecordBoxes = Vec<RecordBox>;

/// A value on cache lines of its own (128 bytes: a line and the neighbour the prefetcher pairs
/// with it), so that one core writing it does not make other cores miss on what sits next to
/// it, and the other way round.
#[derive(Debug, Default)]
#[repr(align(128))]
pub(crate) struct OwnLines<T>(pub T);

impl<T> std::ops::Deref for OwnLines<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

/// One thread's ended spans waiting for hand-off, and its counters. On lines of its own: the
/// thread writes it for every span, and another thread's buffer may be allocated next to it.
#[derive(Debug, Default)]
#[repr(align(128))]
pub(crate) struct ThreadBuffer {
    started: AtomicU64,
    inner: Mutex<BufferInner>,
}

#[derive(Debug, Default)]
struct BufferInner {
    spans: RecordBoxes,
    ended: u64,
}

impl ThreadBuffer {
    /// Counts a started span (only the owning thread writes this counter).
    pub fn count_started(&self) {
        self.started.store(self.started.load(Relaxed) + 1, Relaxed);
    }
}

/// The running pipeline of one installed tracer.
#[derive(Debug)]
pub(crate) struct Pipeline {
    /// The queue: chunks of ended spans on their way to the worker. Its limit is in spans, not
    /// chunks: `queued` counts the spans in it and [`Pipeline::enqueue`] drops a chunk that
    /// would take it past `max_queued`. (The channel's own capacity, `max_queued` chunks, is
    /// never reached: every chunk holds at least one span.)
    chunks: Sender<RecordBoxes>,
    /// Spans in the queue: written by producers and the worker for every chunk, so kept away
    /// from the fields producers read for every span.
    queued: OwnLines<AtomicUsize>,
    /// Most spans the queue holds (`max_queue_size`).
    max_queued: usize,
    /// Spans per hand-off (`CHUNK`, or less for a small queue or batch).
    chunk_size: usize,
    /// Queued spans at which producers wake the worker (one batch, or half the queue).
    wake_at: usize,
    /// Chunks of exported record boxes going back to producers.
    returned: (Sender<RecordBoxes>, Receiver<RecordBoxes>),
    worker_thread: OnceLock<Thread>,
    control: Sender<Control>,
    /// Written by the worker for every batch (and by producers only when they drop).
    counters: OwnLines<Counters>,
    threads: Mutex<Vec<Arc<ThreadBuffer>>>,
    shut_down: AtomicBool,
    worker: Mutex<Option<JoinHandle<()>>>,
}

impl Pipeline {
    /// Starts the background worker, which first runs `on_worker_start` on its own thread
    /// (the tracer passes what keeps that thread's work from being traced).
    pub fn start(
        config: &BatchConfig,
        resource: Resource,
        sinks: Vec<Box<dyn SpanExporter>>,
        on_worker_start: fn(),
    ) -> Result<Arc<Pipeline>, TraceError> {
        let max_queued = config.max_queue_size.max(1);
        // Bounded by `queued`, not by the channel (see `Pipeline::chunks`).
        let (chunks, queued_chunks) = bounded(max_queued);
        let (control, control_rx) = bounded(16);
        // A chunk fits a batch, and the queue holds at least two.
        let chunk_size = CHUNK
            .min(config.max_export_batch_size)
            .min(max_queued / 2)
            .max(1);
        let pipeline = Arc::new(Pipeline {
            chunks,
            queued: OwnLines(AtomicUsize::new(0)),
            max_queued,
            chunk_size,
            wake_at: config
                .max_export_batch_size
                .clamp(1, max_queued.div_ceil(2)),
            // Room for every box the queue can hold: a worker that catches up on a backlog
            // hands all of it back instead of freeing boxes that producers would then allocate
            // again (and freeing them on the wrong thread). So the boxes kept are bounded by
            // the queue size, as the records in flight are.
            returned: bounded(max_queued / chunk_size + 2),
            worker_thread: OnceLock::new(),
            control,
            counters: OwnLines::default(),
            threads: Mutex::new(Vec::new()),
            shut_down: AtomicBool::new(false),
            worker: Mutex::new(None),
        });
        let worker = Worker::new(pipeline.clone(), config, resource, sinks);
        let handle = std::thread::Builder::new()
            .name("spindle-exporter".into())
            .spawn(move || {
                on_worker_start();
                worker.run(queued_chunks, control_rx)
            })
            .map_err(|e| TraceError::Other(format!("cannot start the exporter thread: {e}")))?;
        let _ = pipeline.worker_thread.set(handle.thread().clone());
        *pipeline.worker.lock() = Some(handle);
        Ok(pipeline)
    }

    /// A new buffer for the calling thread, drained by the worker when the thread is idle.
    pub fn register_thread(&self) -> Arc<ThreadBuffer> {
        let buffer = Arc::new(ThreadBuffer::default());
        self.threads.lock().push(buffer.clone());
        buffer
    }

    /// Hands off what an exiting thread still holds and keeps its counts.
    pub fn retire_thread(&self, buffer: &Arc<ThreadBuffer>) {
        self.threads.lock().retain(|b| !Arc::ptr_eq(b, buffer));
        let (spans, ended) = {
            let mut inner = buffer.inner.lock();
            (std::mem::take(&mut inner.spans), inner.ended)
        };
        self.counters
            .retired_started
            .fetch_add(buffer.started.load(Relaxed), Relaxed);
        self.counters.retired_ended.fetch_add(ended, Relaxed);
        if !spans.is_empty() {
            let _ = self.enqueue(spans);
        }
    }

    /// Takes an ended span's record. Never blocks on the exporter. At each hand-off the
    /// thread's `spare` boxes are restocked from those the worker handed back.
    pub fn submit(&self, buffer: &ThreadBuffer, record: RecordBox, spare: &mut RecordBoxes) {
        let mut inner = buffer.inner.lock();
        inner.ended += 1;
        if self.shut_down.load(Relaxed) {
            drop(inner);
            self.counters
                .drop_spans(&self.counters.dropped_after_shutdown, 1, "after shutdown");
            return;
        }
        inner.spans.push(record);
        if inner.spans.len() >= self.chunk_size {
            let fresh = self.restock(spare);
            let chunk = std::mem::replace(&mut inner.spans, fresh);
            drop(inner);
            if let Err(dropped) = self.enqueue(chunk) {
                reuse_dropped(dropped, spare, self.chunk_size);
            }
        }
    }

    /// Moves a chunk of handed-back boxes into `spare` if it runs low, and returns an empty
    /// vector for the next chunk (the handed-back one when there is one).
    fn restock(&self, spare: &mut RecordBoxes) -> RecordBoxes {
        if spare.len() < self.chunk_size
            && let Ok(mut returned) = self.returned.1.try_recv()
        {
            if spare.is_empty() {
                std::mem::swap(spare, &mut returned);
            } else {
                spare.append(&mut returned);
            }
            if returned.capacity() >= self.chunk_size {
                return returned;
            }
        }
        Vec::with_capacity(self.chunk_size)
    }

    /// Puts a chunk on the queue, or drops and counts it if the queue is full (and gives the
    /// chunk back, so its boxes can be reused).
    fn enqueue(&self, chunk: RecordBoxes) -> Result<(), RecordBoxes> {
        let n = chunk.len();
        let before = self.queued.fetch_add(n, Relaxed);
        if before + n > self.max_queued {
            self.queued.fetch_sub(n, Relaxed);
            self.counters
                .drop_spans(&self.counters.dropped_queue_full, n as u64, "queue full");
            return Err(chunk);
        }
        if let Err(full) = self.chunks.try_send(chunk) {
            self.queued.fetch_sub(n, Relaxed);
            let counter = &self.counters.dropped_after_shutdown;
            self.counters
                .drop_spans(counter, n as u64, "exporter stopped");
            return Err(full.into_inner());
        }
        if before < self.wake_at && before + n >= self.wake_at {
            self.wake_worker();
        }
        Ok(())
    }

    /// Wakes the worker if it sleeps (cheap if it does not).
    fn wake_worker(&self) {
        if let Some(thread) = self.worker_thread.get() {
            thread.unpark();
        }
    }

    /// Hands a chunk of emptied boxes back to the producers (dropped if enough are waiting).
    fn hand_back(&self, boxes: RecordBoxes) {
        let _ = self.returned.0.try_send(boxes);
    }

    /// Takes every span waiting in thread buffers (the worker calls this).
    fn drain_threads(&self, into: &mut RecordBoxes) {
        let threads = self.threads.lock().clone();
        for buffer in threads {
            into.append(&mut buffer.inner.lock().spans);
        }
    }

    /// Exports everything ended before the call; waits at most `timeout`.
    pub fn flush(&self, timeout: Duration) -> Result<(), TraceError> {
        if self.shut_down.load(Relaxed) {
            return Err(TraceError::AlreadyShutdown);
        }
        self.request(Control::Flush, timeout)
    }

    /// Flushes, then stops the worker. A second call returns `AlreadyShutdown`.
    pub fn shutdown(&self, timeout: Duration) -> Result<(), TraceError> {
        if self.shut_down.swap(true, Relaxed) {
            return Err(TraceError::AlreadyShutdown);
        }
        let result = self.request(Control::Shutdown, timeout);
        if result.is_ok()
            && let Some(handle) = self.worker.lock().take()
        {
            let _ = handle.join();
        }
        result
    }

    /// Sends a request to the worker and waits for its answer, all within `timeout` (the
    /// worker may be stuck in a slow export: the caller still returns at the deadline).
    fn request(
        &self,
        message: fn(Sender<Result<(), TraceError>>) -> Control,
        timeout: Duration,
    ) -> Result<(), TraceError> {
        let deadline = Instant::now() + timeout;
        let (reply, answer) = bounded(1);
        self.control
            .send_deadline(message(reply), deadline)
            .map_err(|_| TraceError::Timeout(timeout))?;
        self.wake_worker();
        answer
            .recv_deadline(deadline)
            .unwrap_or(Err(TraceError::Timeout(timeout)))
    }

    /// Current counters.
    pub fn stats(&self) -> Stats {
        let threads = self.threads.lock().clone();
        let started = threads.iter().map(|b| b.started.load(Relaxed)).sum();
        let ended = threads.iter().map(|b| b.inner.lock().ended).sum();
        self.counters.snapshot(started, ended)
    }
}

/// Keeps the boxes of a chunk the queue had no room for as spare (on the application thread
/// that allocated them), so an overloaded tracer does not turn every span into an allocation
/// here and a free on the exporter's thread. They are reset when reused.
fn reuse_dropped(mut dropped: RecordBoxes, spare: &mut RecordBoxes, chunk_size: usize) {
    let room = (2 * chunk_size).saturating_sub(spare.len());
    spare.extend(dropped.drain(..).take(room));
}

/// Makes a reused record box ready for a new span: what the old record held is freed here, on
/// the thread that allocated it, and its vectors keep their capacity (up to a bound). The new
/// span sets every other field itself.
#[inline]
pub(crate) fn reset(record: &mut Span) {
    clear_keeping_capacity(&mut record.attributes);
    clear_keeping_capacity(&mut record.events);
    clear_keeping_capacity(&mut record.links);
    if !matches!(record.status, Status::Unset) {
        record.status = Status::Unset;
    }
    if !record.trace_state.is_empty() {
        record.trace_state = Str::Borrowed("");
    }
}

/// Empties a vector, keeping its allocation unless it is larger than `MAX_KEPT_ATTRIBUTES`.
#[inline]
fn clear_keeping_capacity<T>(items: &mut Vec<T>) {
    if items.capacity() > MAX_KEPT_ATTRIBUTES {
        *items = Vec::new();
    } else {
        items.clear();
    }
}
