//! The background worker: batches spans by size and by delay, and hands batches to the sinks.
//! Exports never overlap: there is one worker and it exports one batch at a time.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, TryRecvError};
use spindle_formats::{Resource, Scope, SpanBatch, Spans};

use super::buffer::{Chunk, ThreadBuffer};
use super::tail::{Owned, Released, TailStage};
use super::{Pipeline, RecordBoxes};
use crate::config::BatchConfig;
use crate::error::TraceError;
use crate::sampler::TailSampling;
use crate::sink::{ExportContext, ExportError, SpanExporter};

/// Requests from the application to the worker, each with a reply channel.
#[derive(Debug)]
pub(crate) enum Control {
    Flush(Sender<Result<(), TraceError>>),
    Shutdown(Sender<Result<(), TraceError>>),
}

pub(crate) struct Worker {
    pipeline: Arc<Pipeline>,
    sinks: Vec<(Box<dyn SpanExporter>, ExportContext)>,
    /// The resource and scope every span refers to (index 0 of each).
    resource: [Resource; 1],
    scope: [Scope; 1],
    /// The batch being filled, waiting for a full batch or the schedule delay: the records in
    /// their boxes, handed to the sinks as they are (not copied, not written to).
    batch: RecordBoxes,
    /// Whose boxes the batch holds, in order: runs of boxes from one thread's buffer.
    owners: Vec<(Arc<ThreadBuffer>, usize)>,
    /// Empty vectors to carry boxes back in.
    carriers: Vec<RecordBoxes>,
    /// Local tail sampling, if configured: spans wait here for their local root.
    tail: Option<TailStage>,
    /// What the tail stage let go since it was last settled.
    released: Released,
    chunk_size: usize,
    batch_size: usize,
    delay: Duration,
}

impl Worker {
    pub fn new(
        pipeline: Arc<Pipeline>,
        config: &BatchConfig,
        tail: Option<TailSampling>,
        resource: Resource,
        sinks: Vec<Box<dyn SpanExporter>>,
    ) -> Worker {
        let scope = Scope {
            name: "spindle".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            ..Scope::default()
        };
        let retries = pipeline.counters.retries.clone();
        let sinks = sinks
            .into_iter()
            .map(|mut sink| {
                let context =
                    ExportContext::with_retry_counter(config.export_timeout, retries.clone());
                sink.attach(context.clone());
                (sink, context)
            })
            .collect();
        Worker {
            chunk_size: pipeline.chunk_size,
            pipeline,
            sinks,
            resource: [resource],
            scope: [scope],
            batch: Vec::new(),
            owners: Vec::new(),
            carriers: Vec::new(),
            tail: tail.map(TailStage::new),
            released: Released::default(),
            batch_size: config.max_export_batch_size.max(1),
            delay: config.scheduled_delay,
        }
    }

    /// Sleeps until a batch is queued (producers wake it), a request arrives, or the
    /// schedule delay passes; producers are not woken-up per chunk, so span end stays cheap.
    pub fn run(mut self, chunks: Receiver<Chunk>, control: Receiver<Control>) {
        let mut next_tick = Instant::now() + self.delay;
        loop {
            self.report_first_drop();
            match control.try_recv() {
                Ok(Control::Flush(reply)) => {
                    let _ = reply.send(self.export_everything(&chunks, false));
                    continue;
                }
                Ok(Control::Shutdown(reply)) => {
                    let result = self.export_everything(&chunks, true);
                    self.sinks.iter_mut().for_each(|(sink, _)| sink.shutdown());
                    self.report_first_drop();
                    let _ = reply.send(result);
                    return;
                }
                Err(TryRecvError::Disconnected) => return,
                Err(TryRecvError::Empty) => {}
            }
            let mut took = false;
            while let Ok(chunk) = chunks.try_recv() {
                self.take_chunk(chunk);
                took = true;
            }
            let now = Instant::now();
            if now >= next_tick {
                let _ = self.export_everything(&chunks, false);
                next_tick = Instant::now() + self.delay;
            } else if !took {
                std::thread::park_timeout(next_tick - now);
            }
        }
    }

    /// Warns on stderr, once, that spans are being dropped (application threads only count
    /// their drops: writing to stderr could block them).
    fn report_first_drop(&self) {
        if let Some(warning) = self.pipeline.counters.take_drop_warning() {
            eprintln!("{warning}");
        }
    }

    fn take_chunk(&mut self, chunk: Chunk) {
        self.pipeline.queued.fetch_sub(chunk.boxes.len(), Relaxed);
        let _ = self.unbox(chunk);
    }

    /// Moves the records into the batch (through the tail stage, if there is one).
    fn unbox(&mut self, chunk: Chunk) -> Result<(), TraceError> {
        if self.tail.is_none() {
            return self.batch_boxes(chunk);
        }
        let Chunk { owner, mut boxes } = chunk;
        if let Some(tail) = &mut self.tail {
            for record in boxes.drain(..) {
                tail.take(owner.clone(), record, &mut self.released);
            }
        }
        self.keep_carrier(boxes);
        self.settle_released()
    }

    /// Decides every local trace still waiting (at shutdown).
    fn decide_waiting(&mut self) -> Result<(), TraceError> {
        if let Some(tail) = &mut self.tail {
            tail.decide_all(&mut self.released);
        }
        self.settle_released()
    }

    /// Batches what the tail stage kept, hands back the boxes of what it dropped (a run of
    /// one thread's boxes at a time), and publishes its counts.
    fn settle_released(&mut self) -> Result<(), TraceError> {
        let released = std::mem::take(&mut self.released);
        let mut dropped = released.dropped.into_iter().peekable();
        while let Some((owner, boxes)) = self.next_run(&mut dropped) {
            owner.hand_back(boxes);
        }
        let mut result = Ok(());
        let mut kept = released.kept.into_iter().peekable();
        while let Some((owner, boxes)) = self.next_run(&mut kept) {
            if let Err(e) = self.batch_boxes(Chunk { owner, boxes }) {
                result = Err(e);
            }
        }
        if let Some(tail) = &self.tail {
            let counters = &self.pipeline.counters;
            counters
                .tail_decided_early
                .store(tail.decided_early, Relaxed);
            counters.tail_dropped.store(tail.dropped_spans, Relaxed);
            counters.tail_waiting.store(tail.waiting() as u64, Relaxed);
        }
        result
    }

    /// The next run of records with one owner, in a carrier vector.
    fn next_run(
        &mut self,
        records: &mut std::iter::Peekable<std::vec::IntoIter<Owned>>,
    ) -> Option<(Arc<ThreadBuffer>, RecordBoxes)> {
        let (owner, first) = records.next()?;
        let mut boxes = self.carriers.pop().unwrap_or_default();
        boxes.push(first);
        while let Some((_, record)) = records.next_if(|(o, _)| Arc::ptr_eq(o, &owner)) {
            boxes.push(record);
        }
        Some((owner, boxes))
    }

    /// Keeps an emptied chunk vector to carry boxes in later.
    fn keep_carrier(&mut self, boxes: RecordBoxes) {
        if self.carriers.len() < super::MAX_RETURNED_CHUNKS && boxes.capacity() >= self.chunk_size {
            self.carriers.push(boxes);
        }
    }

    /// Moves the records (their boxes, not their contents) into the batch, noting whose they
    /// are, and exports each batch that fills up.
    fn batch_boxes(&mut self, chunk: Chunk) -> Result<(), TraceError> {
        let Chunk { owner, mut boxes } = chunk;
        let mut result = Ok(());
        let mut rest = boxes.drain(..);
        loop {
            let room = self.batch_size.saturating_sub(self.batch.len()).max(1);
            let before = self.batch.len();
            self.batch.extend(rest.by_ref().take(room));
            let added = self.batch.len() - before;
            if added == 0 {
                break;
            }
            match self.owners.last_mut() {
                Some((last, count)) if Arc::ptr_eq(last, &owner) => *count += added,
                _ => self.owners.push((owner.clone(), added)),
            }
            if self.batch.len() >= self.batch_size
                && let Err(e) = self.export()
            {
                result = Err(e);
            }
        }
        drop(rest);
        self.keep_carrier(boxes);
        result
    }

    /// Exports every span in thread buffers, in the queue and in the batch; local traces
    /// waiting in the tail stage are decided first if `decide_waiting` (at shutdown), and
    /// otherwise keep waiting for their roots.
    fn export_everything(
        &mut self,
        chunks: &Receiver<Chunk>,
        decide_waiting: bool,
    ) -> Result<(), TraceError> {
        let mut result = Ok(());
        for idle in self.pipeline.drain_threads() {
            if let Err(e) = self.unbox(idle) {
                result = Err(e);
            }
        }
        while let Ok(chunk) = chunks.try_recv() {
            self.pipeline.queued.fetch_sub(chunk.boxes.len(), Relaxed);
            if let Err(e) = self.unbox(chunk) {
                result = Err(e);
            }
        }
        if decide_waiting && let Err(e) = self.decide_waiting() {
            result = Err(e);
        }
        if !self.batch.is_empty()
            && let Err(e) = self.export()
        {
            result = Err(e);
        }
        for (sink, _) in &mut self.sinks {
            if let Err(e) = sink.flush() {
                result = Err(TraceError::Export(e));
            }
        }
        result
    }

    /// Hands the exported records back as they are to the threads that filled them, a run at
    /// a time: the producer that reuses a box resets it (so what its record holds is freed on
    /// the thread that allocated it, and the worker never writes to a record).
    fn hand_back_boxes(&mut self) {
        let mut records = self.batch.drain(..);
        for (owner, mut count) in self.owners.drain(..) {
            while count > 0 {
                let take = count.min(self.chunk_size);
                let mut carrier = self
                    .carriers
                    .pop()
                    .unwrap_or_else(|| Vec::with_capacity(self.chunk_size));
                carrier.extend(records.by_ref().take(take));
                owner.hand_back(carrier);
                count -= take;
            }
        }
    }

    /// Hands one batch to every sink. The spans count as exported if every sink took them,
    /// less those a sink left out for being too large or its receiver rejected (those of the
    /// sink that lost the most).
    fn export(&mut self) -> Result<(), TraceError> {
        let count = self.batch.len() as u64;
        let mut failure = None;
        let mut lost = Lost::default();
        for (sink, context) in &mut self.sinks {
            let before = Lost::of(context);
            // A panicking sink is an export error, not the end of the exporter thread.
            let batch = SpanBatch {
                resources: &self.resource,
                scopes: &self.scope,
                spans: Spans::Boxed(&self.batch),
            };
            match std::panic::catch_unwind(AssertUnwindSafe(|| sink.export(batch))) {
                Ok(Ok(())) => {}
                Ok(Err(e)) => failure = Some(e),
                Err(_) => failure = Some(ExportError::Other(format!("{sink:?} panicked"))),
            }
            let this = Lost::of(context).since(before);
            if this.total() > lost.total() {
                lost = this;
            }
            if let Some(message) = context.take_rejection_message() {
                self.pipeline.counters.set_last_error(message);
            }
        }
        self.hand_back_boxes();
        let counters = &self.pipeline.counters;
        match failure {
            None => {
                let oversized = lost.oversized.min(count);
                let rejected = lost.rejected.min(count - oversized);
                counters
                    .exported
                    .fetch_add(count - oversized - rejected, Relaxed);
                if oversized > 0 {
                    counters.drop_spans(&counters.dropped_oversized, oversized, "too large");
                }
                if rejected > 0 {
                    let why = "rejected by the receiver";
                    counters.drop_spans(&counters.dropped_rejected, rejected, why);
                }
                Ok(())
            }
            Some(error) => {
                counters.record_export_error(count, error.to_string());
                Err(TraceError::Export(error))
            }
        }
    }
}

/// Spans one sink did not deliver from a batch it took.
#[derive(Debug, Clone, Copy, Default)]
struct Lost {
    oversized: u64,
    rejected: u64,
}

impl Lost {
    fn of(context: &ExportContext) -> Lost {
        Lost {
            oversized: context.oversized(),
            rejected: context.rejected(),
        }
    }

    fn since(self, before: Lost) -> Lost {
        Lost {
            oversized: self.oversized.saturating_sub(before.oversized),
            rejected: self.rejected.saturating_sub(before.rejected),
        }
    }

    fn total(self) -> u64 {
        self.oversized + self.rejected
    }
}
