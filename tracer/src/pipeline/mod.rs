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
//! time, to the thread that filled them (`buffer.rs`), for that thread's next spans; a producer
//! resets a box when it reuses it. So in steady state span start and end neither allocate nor
//! free, the worker never writes to a record (with a sink that does not read them, records
//! never leave the producer's cache), a box never moves between producers, and no memory
//! allocated on an application thread is freed on the exporter's (which, with glibc's malloc,
//! contends on the arena lock of the thread that allocated it).

mod buffer;
mod stats;
mod tail;
mod worker;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, OnceLock};
use std::thread::{JoinHandle, Thread};
use std::time::{Duration, Instant};

use crossbeam_channel::{Sender, bounded};
use parking_lot::Mutex;
use spindle_formats::{Resource, Span};

use crate::config::BatchConfig;
use crate::error::TraceError;
use crate::sampler::TailSampling;
use crate::sink::SpanExporter;
use buffer::{Chunk, reuse_dropped};
pub(crate) use buffer::{ThreadBuffer, take_spare};
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

/// The running pipeline of one installed tracer.
#[derive(Debug)]
pub(crate) struct Pipeline {
    /// The queue: chunks of ended spans on their way to the worker. Its limit is in spans, not
    /// chunks: `queued` counts the spans in it and [`Pipeline::enqueue`] drops a chunk that
    /// would take it past `max_queued`. (The channel's own capacity, `max_queued` chunks, is
    /// never reached: every chunk holds at least one span.)
    chunks: Sender<Chunk>,
    /// Spans in the queue: written by producers and the worker for every chunk, so kept away
    /// from the fields producers read for every span.
    queued: OwnLines<AtomicUsize>,
    /// Most spans the queue holds (`max_queue_size`).
    max_queued: usize,
    /// Spans per hand-off (`CHUNK`, or less for a small queue or batch).
    chunk_size: usize,
    /// Queued spans at which producers wake the worker (one batch, or half the queue).
    wake_at: usize,
    /// Chunks of exported boxes each thread's return channel holds: room for every box the
    /// queue can hold, so that a worker catching up on a backlog hands all of it back instead
    /// of freeing boxes that producers would then allocate again (and freeing them on the
    /// wrong thread). So the boxes kept are bounded by the queue size, as the records in
    /// flight are.
    returned_chunks: usize,
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
    /// (the tracer passes what keeps that thread's work from being traced); with `tail`, the
    /// worker applies local tail sampling before batching.
    pub fn start(
        config: &BatchConfig,
        tail: Option<TailSampling>,
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
            returned_chunks: max_queued / chunk_size + 2,
            worker_thread: OnceLock::new(),
            control,
            counters: OwnLines::default(),
            threads: Mutex::new(Vec::new()),
            shut_down: AtomicBool::new(false),
            worker: Mutex::new(None),
        });
        let worker = Worker::new(pipeline.clone(), config, tail, resource, sinks);
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
        let buffer = Arc::new(ThreadBuffer::new(self.returned_chunks));
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
            .fetch_add(buffer.started(), Relaxed);
        self.counters.retired_ended.fetch_add(ended, Relaxed);
        if !spans.is_empty() {
            let _ = self.enqueue(buffer, spans);
        }
    }

    /// Takes an ended span's record. Never blocks on the exporter. At each hand-off the
    /// thread's `spare` boxes are restocked from those the worker handed back.
    pub fn submit(&self, buffer: &Arc<ThreadBuffer>, record: RecordBox, spare: &mut RecordBoxes) {
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
            let fresh = buffer.restock(spare, self.chunk_size);
            let chunk = std::mem::replace(&mut inner.spans, fresh);
            drop(inner);
            if let Err(dropped) = self.enqueue(buffer, chunk) {
                reuse_dropped(dropped, spare, self.chunk_size);
            }
        }
    }

    /// Puts a chunk on the queue, or drops and counts it if the queue is full (and gives the
    /// chunk back, so its boxes can be reused).
    fn enqueue(&self, owner: &Arc<ThreadBuffer>, chunk: RecordBoxes) -> Result<(), RecordBoxes> {
        let n = chunk.len();
        let before = self.queued.fetch_add(n, Relaxed);
        if before + n > self.max_queued {
            self.queued.fetch_sub(n, Relaxed);
            self.counters
                .drop_spans(&self.counters.dropped_queue_full, n as u64, "queue full");
            return Err(chunk);
        }
        let chunk = Chunk {
            owner: owner.clone(),
            boxes: chunk,
        };
        if let Err(full) = self.chunks.try_send(chunk) {
            self.queued.fetch_sub(n, Relaxed);
            let counter = &self.counters.dropped_after_shutdown;
            self.counters
                .drop_spans(counter, n as u64, "exporter stopped");
            return Err(full.into_inner().boxes);
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

    /// Takes every span waiting in thread buffers, a chunk per thread (the worker calls this).
    fn drain_threads(&self) -> Vec<Chunk> {
        let threads = self.threads.lock().clone();
        threads
            .into_iter()
            .filter_map(|owner| {
                let boxes = std::mem::take(&mut owner.inner.lock().spans);
                (!boxes.is_empty()).then_some(Chunk { owner, boxes })
            })
            .collect()
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
        let started = threads.iter().map(|b| b.started()).sum();
        let ended = threads.iter().map(|b| b.inner.lock().ended).sum();
        self.counters.snapshot(started, ended)
    }
}
