//! One application thread's side of the hand-off: its buffer of ended spans, its counters, and
//! its own channel of record boxes coming back from the exporter.
//!
//! Boxes go back to the thread that filled them, never to another producer: a box reused on
//! another core would bring its record's lines (and its attribute vector's) over from the
//! core that last wrote them, on every span, and two producers would spend their time moving
//! each other's cache lines.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use crossbeam_channel::{Receiver, Sender, bounded};
use parking_lot::Mutex;
use spindle_formats::{Span, Status, Str};

use super::{RecordBox, RecordBoxes};

/// Attribute, event and link vectors up to this capacity are kept with their box for reuse
/// (larger ones are freed rather than kept).
const MAX_KEPT_ATTRIBUTES: usize = 32;

/// One thread's ended spans waiting for hand-off, and its counters. On lines of its own: the
/// thread writes it for every span, and another thread's buffer may be allocated next to it.
#[derive(Debug)]
#[repr(align(128))]
pub(crate) struct ThreadBuffer {
    started: AtomicU64,
    pub(super) inner: Mutex<BufferInner>,
    /// Chunks of this thread's exported boxes, handed back by the worker.
    returned: (Sender<RecordBoxes>, Receiver<RecordBoxes>),
}

#[derive(Debug, Default)]
pub(super) struct BufferInner {
    pub spans: RecordBoxes,
    pub ended: u64,
}

/// Spans handed off together, with the buffer they came from (where their boxes go back).
#[derive(Debug)]
pub(crate) struct Chunk {
    pub owner: Arc<ThreadBuffer>,
    pub boxes: RecordBoxes,
}

impl ThreadBuffer {
    /// A buffer whose return channel holds up to `returned_chunks` chunks of boxes.
    pub fn new(returned_chunks: usize) -> ThreadBuffer {
        ThreadBuffer {
            started: AtomicU64::new(0),
            inner: Mutex::new(BufferInner::default()),
            returned: bounded(returned_chunks.max(1)),
        }
    }

    /// Counts a started span (only the owning thread writes this counter).
    #[inline]
    pub fn count_started(&self) {
        self.started.store(self.started.load(Relaxed) + 1, Relaxed);
    }

    /// Sampled spans this thread started.
    pub fn started(&self) -> u64 {
        self.started.load(Relaxed)
    }

    /// Hands a chunk of this thread's exported boxes back (dropped if enough are waiting).
    pub fn hand_back(&self, boxes: RecordBoxes) {
        let _ = self.returned.0.try_send(boxes);
    }

    /// Moves a chunk of handed-back boxes into `spare` if it runs below `chunk_size`, and
    /// returns an empty vector for the next chunk (the handed-back one when it is big enough).
    pub fn restock(&self, spare: &mut RecordBoxes, chunk_size: usize) -> RecordBoxes {
        if spare.len() < chunk_size
            && let Ok(mut returned) = self.returned.1.try_recv()
        {
            if spare.is_empty() {
                std::mem::swap(spare, &mut returned);
            } else {
                spare.append(&mut returned);
            }
            if returned.capacity() >= chunk_size {
                return returned;
            }
        }
        Vec::with_capacity(chunk_size)
    }
}

/// Keeps the boxes of a chunk the queue had no room for as spare (on the application thread
/// that allocated them), so an overloaded tracer does not turn every span into an allocation
/// here and a free on the exporter's thread. They are reset when reused.
pub(super) fn reuse_dropped(mut dropped: RecordBoxes, spare: &mut RecordBoxes, chunk_size: usize) {
    let room = (2 * chunk_size).saturating_sub(spare.len());
    spare.extend(dropped.drain(..).take(room));
}

/// A record box for a new span: a spare one made ready (what its old record held is freed
/// here, on the thread that allocated it), or a new one.
#[inline]
pub(crate) fn take_spare(spare: &mut RecordBoxes) -> RecordBox {
    spare.pop().map_or_else(Box::default, |mut record| {
        reset(&mut record);
        record
    })
}

/// Makes a reused record box ready for a new span: its vectors keep their capacity (up to a
/// bound). The new span sets every other field itself.
#[inline]
fn reset(record: &mut Span) {
    clear_keeping_capacity(&mut record.attributes);
    clear_keeping_capacity(&mut record.events);
    clear_keeping_capacity(&mut record.links);
    if !matches!(record.status, Status::Unset) {
        record.status = Status::Unset;
    }
    if !record.trace_state.is_empty() {
        record.trace_state = Str::default();
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
