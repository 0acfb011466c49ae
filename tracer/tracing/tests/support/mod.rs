//! Shared by the bridge tests: a Spindle tracer into memory, a subscriber with the layer,
//! lookups in the exported spans, and a tiny executor.
#![allow(dead_code, clippy::unwrap_used)]

use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use spindle::{Config, InMemoryExporter, TracerGuard, Value};
use spindle_formats::Span;
use spindle_tracing::SpindleLayer;
use tracing::Dispatch;
use tracing_subscriber::layer::SubscriberExt;

/// The tracer is process-wide: tests in one binary take turns.
pub fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// A tracer exporting into memory, with the lock that keeps other tests out.
pub struct Memory {
    _lock: MutexGuard<'static, ()>,
    tracer: TracerGuard,
    memory: InMemoryExporter,
}

impl Memory {
    pub fn start() -> Memory {
        let lock = serial();
        let memory = InMemoryExporter::default();
        let tracer = spindle::init(
            Config::new()
                .service_name("bridge-test")
                .exporter(memory.clone()),
        )
        .unwrap();
        Memory {
            _lock: lock,
            tracer,
            memory,
        }
    }

    /// Every span ended so far.
    pub fn spans(&self) -> Vec<Span> {
        self.tracer.flush(Duration::from_secs(5)).unwrap();
        self.memory.spans()
    }
}

/// A registry with the Spindle layer.
pub fn dispatch(layer: SpindleLayer) -> Dispatch {
    tracing_subscriber::registry().with(layer).into()
}

pub fn by_name<'a>(spans: &'a [Span], name: &str) -> &'a Span {
    spans
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no span named {name} in {:?}", names(spans)))
}

pub fn names(spans: &[Span]) -> Vec<String> {
    spans.iter().map(|s| s.name.to_string()).collect()
}

pub fn attribute<'a>(attributes: &'a [spindle::KeyValue], key: &str) -> Option<&'a Value> {
    attributes
        .iter()
        .find(|kv| kv.key == key)
        .map(|kv| &kv.value)
}

pub fn text(value: &str) -> Value {
    Value::from(value.to_owned())
}

/// Polls `future` to completion on this thread.
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let waker = Waker::from(Arc::new(NoopWake));
    let mut cx = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
    }
}

struct NoopWake;

impl Wake for NoopWake {
    fn wake(self: Arc<Self>) {}
}

/// A future that is pending once, then ready: an `.await` point.
pub async fn yield_once() {
    let mut pending = true;
    std::future::poll_fn(move |cx| {
        if pending {
            pending = false;
            cx.waker().wake_by_ref();
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    })
    .await
}
