//! The installed tracer: the sampler and pipeline in force, and each thread's cached view of
//! them (so the hot path reads one shared atomic, never a lock).

use std::cell::RefCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Acquire, Ordering::Release};

use crate::pipeline::{Pipeline, RecordBox, RecordBoxes, ThreadBuffer};
use crate::sampler::{Sampler, SamplingInput, ShouldSample};
use crate::trace_state::TraceState;
use parking_lot::RwLock;

/// A tracer: how to sample, and where recorded spans go (none: spans are not recorded).
#[derive(Debug)]
pub(crate) struct Tracer {
    pub sampler: Sampler,
    pub pipeline: Option<Arc<Pipeline>>,
}

/// Bumped on every install, so threads know to refresh their cached tracer.
static GENERATION: AtomicU64 = AtomicU64::new(0);
static INSTALLED: RwLock<Option<Arc<Tracer>>> = RwLock::new(None);

/// Makes `tracer` the one new spans use.
pub(crate) fn install(tracer: Arc<Tracer>) {
    crate::clock::warm_up();
    let mut installed = INSTALLED.write();
    *installed = Some(tracer);
    GENERATION.fetch_add(1, Release);
}

/// The installed tracer, if any.
pub(crate) fn installed() -> Option<Arc<Tracer>> {
    INSTALLED.read().clone()
}

/// A thread's view of the installed tracer and its own span buffer.
#[derive(Default)]
struct ThreadCache {
    /// Set on the exporter's own thread: nothing it does is recorded.
    suppressed: bool,
    generation: u64,
    tracer: Option<Arc<Tracer>>,
    buffer: Option<Arc<ThreadBuffer>>,
    /// Empty record boxes (attribute capacity kept) for this thread's next spans: the
    /// exporter hands them back a chunk at a time, so span start neither allocates nor frees.
    spare_records: RecordBoxes,
}

impl ThreadCache {
    fn refresh(&mut self, generation: u64) {
        self.retire();
        self.tracer = installed();
        self.buffer = self
            .tracer
            .as_ref()
            .and_then(|t| t.pipeline.as_ref())
            .map(|p| p.register_thread());
        self.generation = generation;
    }

    fn retire(&mut self) {
        let pipeline = self.tracer.as_ref().and_then(|t| t.pipeline.as_ref());
        if let (Some(pipeline), Some(buffer)) = (pipeline, self.buffer.take()) {
            pipeline.retire_thread(&buffer);
        }
    }
}

impl Drop for ThreadCache {
    fn drop(&mut self) {
        self.retire();
    }
}

thread_local! {
    static CACHE: RefCell<ThreadCache> = RefCell::new(ThreadCache::default());
}

/// Runs `f` with this thread's up-to-date cache. Returns `None` without calling `f` during
/// thread teardown or from a re-entrant call (a custom sampler starting spans) that cannot
/// borrow the cache: never a panic.
#[inline]
fn with_cache<R>(f: impl FnOnce(&mut ThreadCache) -> R) -> Option<R> {
    let generation = GENERATION.load(Acquire);
    CACHE
        .try_with(|cache| {
            let mut cache = cache.try_borrow_mut().ok()?;
            if cache.generation != generation {
                cache.refresh(generation);
            }
            Some(f(&mut cache))
        })
        .ok()
        .flatten()
}

/// Makes every span started on the calling thread unrecorded (the pipeline runs this on the
/// exporter's thread when it starts, so its own work, HTTP client included, never creates
/// spans).
pub(crate) fn suppress_this_thread() {
    let _ = CACHE.try_with(|cache| {
        if let Ok(mut cache) = cache.try_borrow_mut() {
            cache.suppressed = true;
        }
    });
}

/// The outcome of sampling a new span.
#[derive(Debug)]
pub(crate) struct Sampling {
    /// The sampled flag the span propagates.
    pub sampled: bool,
    /// The trace state the sampler gave the span (`None`: the parent's).
    pub trace_state: Option<TraceState>,
    /// An empty record to fill if the span is recorded (sampled and a pipeline is installed).
    pub record: Option<RecordBox>,
}

/// Decides whether the span `input` describes is sampled and recorded; if recorded, counts
/// it as started and gives it a record box.
#[inline]
pub(crate) fn sample(input: &SamplingInput<'_>) -> Sampling {
    let cached = with_cache(|cache| {
        let result = match &cache.tracer {
            Some(tracer) => tracer.sampler.should_sample(input),
            None => default_sampler().should_sample(input),
        };
        let sampled = result.is_sampled();
        let record = match &cache.buffer {
            Some(buffer) if sampled && !cache.suppressed => {
                buffer.count_started();
                Some(crate::pipeline::take_spare(&mut cache.spare_records))
            }
            _ => None,
        };
        Sampling {
            sampled,
            trace_state: result.trace_state,
            record,
        }
    });
    cached.unwrap_or_else(|| {
        let result = default_sampler().should_sample(input);
        Sampling {
            sampled: result.is_sampled(),
            trace_state: result.trace_state,
            record: None,
        }
    })
}

/// The sampler used before any tracer is installed (built once, not per span).
fn default_sampler() -> &'static Sampler {
    static DEFAULT: std::sync::OnceLock<Sampler> = std::sync::OnceLock::new();
    DEFAULT.get_or_init(Sampler::default)
}

/// Hands an ended span's record to the pipeline.
pub(crate) fn submit(record: RecordBox) {
    let mut record = Some(record);
    with_cache(|cache| {
        let pipeline = cache.tracer.as_ref().and_then(|t| t.pipeline.as_ref());
        if let (Some(pipeline), Some(buffer)) = (pipeline, &cache.buffer)
            && let Some(record) = record.take()
        {
            pipeline.submit(buffer, record, &mut cache.spare_records);
        }
    });
    // Thread teardown: hand off through a one-off buffer.
    if let Some(record) = record
        && let Some(pipeline) = installed().and_then(|t| t.pipeline.clone())
    {
        let buffer = pipeline.register_thread();
        pipeline.submit(&buffer, record, &mut Vec::new());
        pipeline.retire_thread(&buffer);
    }
}
