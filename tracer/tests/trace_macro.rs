//! `#[spindle::trace]`: names, kinds, nesting, attributes, async, early returns, errors and
//! sampling, observed through an in-memory exporter.
#![allow(clippy::unwrap_used)]

use std::error::Error;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use spindle::sampler::Sampler;
use spindle::{Config, ExportError, SpanExporter};
use spindle_formats::{Span, SpanBatch, SpanKind, Status, Value, find_attribute};

// ---------------------------------------------------------------------------------------
// Harness: a capturing exporter, one test at a time (the tracer is process-global).

#[derive(Debug, Clone, Default)]
struct Capture(Arc<Mutex<Vec<Span>>>);

impl SpanExporter for Capture {
    fn export(&mut self, batch: SpanBatch<'_>) -> Result<(), ExportError> {
        self.0.lock().unwrap().extend(batch.spans.iter().cloned());
        Ok(())
    }
}

static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Runs `f` with a fresh tracer (configured by `config`) and returns what it exported.
fn capture_with<R>(config: Config, f: impl FnOnce() -> R) -> (R, Vec<Span>) {
    let _serial = serial();
    let sink = Capture::default();
    let guard = spindle::init(config.exporter(sink.clone())).unwrap();
    let result = f();
    spindle::flush(Duration::from_secs(5)).unwrap();
    drop(guard);
    let spans = std::mem::take(&mut *sink.0.lock().unwrap());
    (result, spans)
}

fn capture<R>(f: impl FnOnce() -> R) -> (R, Vec<Span>) {
    capture_with(Config::new().sampler(Sampler::AlwaysOn), f)
}

fn named<'a>(spans: &'a [Span], name: &str) -> &'a Span {
    let matching: Vec<&Span> = spans.iter().filter(|s| s.name == name).collect();
    assert_eq!(
        matching.len(),
        1,
        "expected one span named {name:?}, got {:?}",
        spans.iter().map(|s| &s.name).collect::<Vec<_>>()
    );
    matching[0]
}

fn attr<'a>(span: &'a Span, key: &str) -> &'a Value {
    find_attribute(&span.attributes, key)
        .unwrap_or_else(|| panic!("span {:?} has no attribute {key:?}", span.name))
}

fn assert_child_of(child: &Span, parent: &Span) {
    assert_eq!(
        child.trace_id, parent.trace_id,
        "{} is in another trace",
        child.name
    );
    assert_eq!(
        child.parent_span_id,
        Some(parent.span_id),
        "{} is not a child of {}",
        child.name,
        parent.name
    );
}

// ---------------------------------------------------------------------------------------
// A tiny executor: polls on this thread, parks until woken.

struct ThreadWaker(std::thread::Thread);

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}

/// Polls `future` to completion; between polls, checks that no span leaked onto the thread.
fn block_on<F: Future>(future: F) -> (F::Output, usize) {
    let mut future = std::pin::pin!(future);
    let waker = Waker::from(Arc::new(ThreadWaker(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut polls = 0;
    loop {
        polls += 1;
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return (output, polls);
        }
        assert_eq!(
            spindle::current::span_context(),
            None,
            "a span stayed current on the executor thread between polls"
        );
        std::thread::park_timeout(Duration::from_millis(10));
    }
}

/// Returns `Pending` once (waking itself), then `Ready`.
#[derive(Default)]
struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

// ---------------------------------------------------------------------------------------
// Traced functions.

#[spindle::trace]
fn plain() -> u32 {
    7
}

#[spindle::trace(name = "custom name")]
fn renamed() {}

#[spindle::trace(kind = "server")]
fn server() {}

#[spindle::trace(kind = "client")]
fn client() {}

#[spindle::trace(kind = "producer")]
fn producer() {}

#[spindle::trace(kind = "consumer")]
fn consumer() {}

#[spindle::trace(kind = "internal")]
fn internal() {}

#[spindle::trace]
fn parent() {
    child();
    child();
}

#[spindle::trace]
fn child() {}

#[derive(Debug)]
#[allow(dead_code)]
struct Order {
    id: u32,
    items: Vec<&'static str>,
}

#[spindle::trace(
    attrs(user_id, name, vip, "order.total" = total_cents * 2, label = "fixed"),
    debug(order, "order.first" = order.items.first())
)]
fn with_attributes(
    user_id: i64,
    name: String,
    vip: bool,
    total_cents: i64,
    order: &Order,
) -> usize {
    name.len() + order.items.len() + usize::from(vip) + total_cents as usize + user_id as usize
}

#[spindle::trace(attrs(path, owner, limit, flag))]
fn borrowed_arguments(path: &str, owner: &String, limit: &i64, flag: &mut bool) -> usize {
    *flag = !*flag;
    path.len() + owner.len() + *limit as usize
}

#[spindle::trace(attrs(r#type))]
fn raw_identifier(r#type: &'static str) -> &'static str {
    r#type
}

#[spindle::trace]
fn early_return(stop: bool) -> &'static str {
    if stop {
        return "early";
    }
    spindle::current::set_attribute("reached.end", true);
    "end"
}

/// Doc comments and other attributes are kept.
#[spindle::trace]
#[must_use]
#[inline]
pub fn documented() -> u8 {
    1
}

#[spindle::trace]
fn generic<T: Clone + fmt::Debug, U>(value: T, extra: impl Into<String>, _unused: Option<U>) -> T
where
    U: Default,
{
    spindle::current::set_attribute("extra", extra.into());
    value.clone()
}

#[spindle::trace]
async fn async_leaf() -> u8 {
    1
}

#[spindle::trace(name = "async parent", attrs(n))]
async fn async_parent(n: i64) -> u8 {
    let before = spindle::current::span_id();
    YieldOnce::default().await;
    // Still current after resuming from Pending, and nested spans become children.
    assert_eq!(spindle::current::span_id(), before);
    child();
    let leaf = async_leaf().await;
    YieldOnce::default().await;
    if n > 100 {
        return 0;
    }
    leaf + 1
}

// Errors.

#[derive(Debug, PartialEq)]
struct Invalid(&'static str);

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid: {}", self.0)
    }
}

impl Error for Invalid {}

fn check(value: i32) -> Result<i32, Invalid> {
    if value < 0 {
        Err(Invalid("negative"))
    } else {
        Ok(value)
    }
}

#[spindle::trace(record_errors)]
fn fallible(value: i32) -> Result<i32, Invalid> {
    // `?` and early `return` keep working.
    let value = check(value)?;
    if value == 0 {
        return Err(Invalid("zero"));
    }
    Ok(value * 2)
}

#[spindle::trace(record_errors)]
fn boxed_error(text: &str) -> Result<i32, Box<dyn Error + Send + Sync>> {
    Ok(text.parse::<i32>()?)
}

#[spindle::trace(record_errors)]
fn dyn_error(text: &str) -> Result<i32, Box<dyn Error>> {
    Ok(text.parse::<i32>()?)
}

#[spindle::trace(record_errors)]
fn io_result(fail: bool) -> std::io::Result<()> {
    if fail {
        Err(std::io::Error::other("disk on fire"))?;
    }
    Ok(())
}

#[spindle::trace(record_errors)]
fn impl_trait_ok(n: u8) -> Result<impl Iterator<Item = u8>, Invalid> {
    if n == 0 {
        return Err(Invalid("empty"));
    }
    Ok(0..n)
}

#[spindle::trace(record_errors)]
async fn async_fallible(value: i32) -> Result<i32, Invalid> {
    YieldOnce::default().await;
    let value = check(value)?;
    Ok(value + 1)
}

// Methods.

#[derive(Debug, Clone, Default)]
struct Store {
    rows: Vec<i64>,
}

impl Store {
    #[spindle::trace(attrs(row))]
    fn insert(&mut self, row: i64) -> usize {
        self.rows.push(row);
        self.rows.len()
    }

    #[spindle::trace(name = "Store::sum", attrs(count = self.rows.len() as i64))]
    fn sum(&self) -> i64 {
        self.rows.iter().sum()
    }

    #[spindle::trace(record_errors)]
    fn get_mut(&mut self, index: usize) -> Result<&mut i64, Invalid> {
        self.rows.get_mut(index).ok_or(Invalid("no such row"))
    }

    #[spindle::trace]
    fn first(&self) -> Option<&i64> {
        self.rows.first()
    }

    #[spindle::trace(debug(self))]
    fn into_rows(self) -> Vec<i64> {
        self.rows
    }

    #[spindle::trace]
    fn map_rows<F>(&self, f: F) -> Vec<i64>
    where
        F: Fn(i64) -> i64,
    {
        self.rows.iter().copied().map(f).collect()
    }

    #[spindle::trace(record_errors)]
    async fn async_total(&self, limit: i64) -> Result<i64, Invalid> {
        YieldOnce::default().await;
        let total = self.sum();
        if total > limit {
            return Err(Invalid("over limit"));
        }
        Ok(total)
    }
}

trait Greeter {
    fn greet(&self, who: &str) -> String;
}

impl Greeter for Store {
    #[spindle::trace(attrs(who = who.to_owned()))]
    fn greet(&self, who: &str) -> String {
        format!("hello {who}")
    }
}

// Sampling.

static CLONES: AtomicUsize = AtomicUsize::new(0);
static DEBUG_FORMATS: AtomicUsize = AtomicUsize::new(0);

/// Counts its clones, to see whether the attribute closure ran.
#[derive(Debug)]
struct Counted(i64);

impl Clone for Counted {
    fn clone(&self) -> Self {
        CLONES.fetch_add(1, Ordering::SeqCst);
        Counted(self.0)
    }
}

impl From<Counted> for Value {
    fn from(counted: Counted) -> Value {
        Value::I64(counted.0)
    }
}

/// Counts its `Debug` formatting.
struct Loud;

impl fmt::Debug for Loud {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        DEBUG_FORMATS.fetch_add(1, Ordering::SeqCst);
        f.write_str("Loud")
    }
}

#[spindle::trace(attrs(counted), debug(loud))]
fn lazily_recorded(counted: Counted, loud: Loud) -> i64 {
    let _ = loud;
    counted.0
}

// ---------------------------------------------------------------------------------------
// Tests.

#[test]
fn name_defaults_to_the_function_name() {
    let (value, spans) = capture(plain);
    assert_eq!(value, 7);
    let span = named(&spans, "plain");
    assert_eq!(span.kind, SpanKind::Internal);
    assert_eq!(span.parent_span_id, None);
    assert!(span.end_unix_nanos >= span.start_unix_nanos);
    assert_eq!(span.status, Status::Unset);
}

#[test]
fn name_option_overrides_the_name() {
    let ((), spans) = capture(renamed);
    named(&spans, "custom name");
    assert!(spans.iter().all(|s| s.name != "renamed"));
}

#[test]
fn kind_option_sets_the_span_kind() {
    let ((), spans) = capture(|| {
        server();
        client();
        producer();
        consumer();
        internal();
    });
    assert_eq!(named(&spans, "server").kind, SpanKind::Server);
    assert_eq!(named(&spans, "client").kind, SpanKind::Client);
    assert_eq!(named(&spans, "producer").kind, SpanKind::Producer);
    assert_eq!(named(&spans, "consumer").kind, SpanKind::Consumer);
    assert_eq!(named(&spans, "internal").kind, SpanKind::Internal);
}

#[test]
fn traced_calls_nest() {
    let ((), spans) = capture(parent);
    let parent = named(&spans, "parent");
    let children: Vec<&Span> = spans.iter().filter(|s| s.name == "child").collect();
    assert_eq!(children.len(), 2);
    for child in &children {
        assert_child_of(child, parent);
        assert!(child.start_unix_nanos >= parent.start_unix_nanos);
        assert!(child.end_unix_nanos <= parent.end_unix_nanos);
    }
    assert_ne!(children[0].span_id, children[1].span_id);
    assert_eq!(parent.parent_span_id, None);
}

#[test]
fn traced_call_is_a_child_of_the_callers_span() {
    let ((), spans) = capture(|| spindle::in_span("outer", child));
    assert_child_of(named(&spans, "child"), named(&spans, "outer"));
}

#[test]
fn arguments_and_expressions_become_typed_attributes() {
    let order = Order {
        id: 9,
        items: vec!["tea", "cake"],
    };
    let (result, spans) = capture(|| with_attributes(42, "ada".to_owned(), true, 250, &order));
    assert_eq!(result, 3 + 2 + 1 + 250 + 42);
    let span = named(&spans, "with_attributes");
    assert_eq!(attr(span, "user_id"), &Value::I64(42));
    assert_eq!(attr(span, "name"), &Value::Str("ada".into()));
    assert_eq!(attr(span, "vip"), &Value::Bool(true));
    assert_eq!(attr(span, "order.total"), &Value::I64(500));
    assert_eq!(attr(span, "label"), &Value::Str("fixed".into()));
    assert_eq!(
        attr(span, "order"),
        &Value::Str(r#"Order { id: 9, items: ["tea", "cake"] }"#.into())
    );
    assert_eq!(
        attr(span, "order.first"),
        &Value::Str(r#"Some("tea")"#.into())
    );
    assert!(find_attribute(&span.attributes, "total_cents").is_none());
    assert_eq!(span.attributes.len(), 7, "{:?}", span.attributes);
}

#[test]
fn borrowed_arguments_are_recorded_by_value() {
    let path = String::from("/users/7");
    let mut flag = false;
    let (result, spans) = capture(|| borrowed_arguments(&path, &"ada".to_owned(), &3, &mut flag));
    assert_eq!(result, 8 + 3 + 3);
    assert!(flag);
    let span = named(&spans, "borrowed_arguments");
    assert_eq!(attr(span, "path"), &Value::Str("/users/7".into()));
    assert_eq!(attr(span, "owner"), &Value::Str("ada".into()));
    assert_eq!(attr(span, "limit"), &Value::I64(3));
    // Recorded when the span starts, before the body runs.
    assert_eq!(attr(span, "flag"), &Value::Bool(false));
}

#[test]
fn raw_identifiers_are_recorded_without_the_prefix() {
    let (value, spans) = capture(|| raw_identifier("kind"));
    assert_eq!(value, "kind");
    let span = named(&spans, "raw_identifier");
    assert_eq!(attr(span, "type"), &Value::Str("kind".into()));
}

#[test]
fn early_return_ends_the_span() {
    let (values, spans) = capture(|| {
        let early = early_return(true);
        // The span is no longer current: a new span starts a new trace.
        assert_eq!(spindle::current::span_context(), None);
        let after = spindle::Span::new("after");
        assert!(after.context().is_valid());
        drop(after);
        (early, early_return(false))
    });
    assert_eq!(values, ("early", "end"));
    let traced: Vec<&Span> = spans.iter().filter(|s| s.name == "early_return").collect();
    assert_eq!(traced.len(), 2);
    assert!(find_attribute(&traced[0].attributes, "reached.end").is_none());
    assert_eq!(attr(traced[1], "reached.end"), &Value::Bool(true));
    assert_eq!(named(&spans, "after").parent_span_id, None);
    assert!(
        traced
            .iter()
            .all(|s| s.end_unix_nanos >= s.start_unix_nanos)
    );
}

#[test]
fn attributes_and_docs_are_kept() {
    let (value, spans) = capture(documented);
    assert_eq!(value, 1);
    named(&spans, "documented");
}

#[test]
fn generic_functions_are_traced() {
    let (value, spans) = capture(|| generic::<_, u8>(vec![1, 2], "extra", None));
    assert_eq!(value, vec![1, 2]);
    let span = named(&spans, "generic");
    assert_eq!(attr(span, "extra"), &Value::Str("extra".into()));
}

#[test]
fn async_span_stays_current_across_await() {
    let ((value, polls), spans) = capture(|| block_on(async_parent(5)));
    assert_eq!(value, 2);
    assert!(polls >= 3, "the future was polled {polls} times");
    let parent = named(&spans, "async parent");
    assert_eq!(attr(parent, "n"), &Value::I64(5));
    assert_eq!(parent.parent_span_id, None);
    assert_child_of(named(&spans, "child"), parent);
    assert_child_of(named(&spans, "async_leaf"), parent);
    assert!(parent.end_unix_nanos >= named(&spans, "async_leaf").end_unix_nanos);
}

#[test]
fn async_early_return_ends_the_span() {
    let ((value, _), spans) = capture(|| block_on(async_parent(1000)));
    assert_eq!(value, 0);
    named(&spans, "async parent");
}

#[test]
fn async_span_is_a_child_of_the_pollers_span() {
    let (value, spans) = capture(|| {
        let _outer = spindle::Span::new("outer").enter();
        block_on_allowing_current(async_leaf())
    });
    assert_eq!(value, 1);
    assert_child_of(named(&spans, "async_leaf"), named(&spans, "outer"));
}

/// Like `block_on`, for futures polled while a span is current.
fn block_on_allowing_current<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let waker = Waker::from(Arc::new(ThreadWaker(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
    }
}

#[test]
fn record_errors_records_err_results() {
    let (results, spans) = capture(|| (fallible(-1), fallible(0), fallible(4)));
    assert_eq!(results.0.unwrap_err().0, "negative");
    assert_eq!(results.1.unwrap_err().0, "zero");
    assert_eq!(results.2.unwrap(), 8);
    let traced: Vec<&Span> = spans.iter().filter(|s| s.name == "fallible").collect();
    assert_eq!(traced.len(), 3);
    for (span, message) in traced[..2]
        .iter()
        .zip(["invalid: negative", "invalid: zero"])
    {
        assert_eq!(
            span.status,
            Status::Error {
                message: message.into()
            }
        );
        assert_eq!(span.events.len(), 1);
        let event = &span.events[0];
        assert_eq!(event.name, "exception");
        assert_eq!(
            find_attribute(&event.attributes, "exception.message"),
            Some(&Value::Str(message.into()))
        );
        let type_name = find_attribute(&event.attributes, "exception.type").unwrap();
        assert!(
            type_name.as_str().unwrap().ends_with("Invalid"),
            "{type_name:?}"
        );
    }
    assert_eq!(traced[2].status, Status::Unset);
    assert!(traced[2].events.is_empty());
}

fn exception_message(span: &Span) -> Option<&str> {
    let event = span.events.iter().find(|e| e.name == "exception")?;
    find_attribute(&event.attributes, "exception.message")?.as_str()
}

#[test]
fn record_errors_handles_boxed_and_aliased_errors() {
    let (results, spans) = capture(|| {
        (
            boxed_error("x").is_err(),
            dyn_error("y").is_err(),
            dyn_error("3").unwrap(),
            io_result(true).is_err(),
            impl_trait_ok(0).is_err(),
            impl_trait_ok(3).unwrap().sum::<u8>(),
        )
    });
    assert_eq!(results, (true, true, 3, true, true, 3));
    let parse_error = "invalid digit found in string";
    assert_eq!(
        exception_message(named(&spans, "boxed_error")),
        Some(parse_error)
    );
    let dyn_spans: Vec<&Span> = spans.iter().filter(|s| s.name == "dyn_error").collect();
    assert_eq!(exception_message(dyn_spans[0]), Some(parse_error));
    assert_eq!(exception_message(dyn_spans[1]), None);
    assert_eq!(
        exception_message(named(&spans, "io_result")),
        Some("disk on fire")
    );
    let impl_spans: Vec<&Span> = spans.iter().filter(|s| s.name == "impl_trait_ok").collect();
    assert_eq!(exception_message(impl_spans[0]), Some("invalid: empty"));
    assert_eq!(impl_spans[1].status, Status::Unset);
}

#[test]
fn record_errors_in_async_fns() {
    let (results, spans) = capture(|| {
        (
            block_on(async_fallible(-3)).0,
            block_on(async_fallible(3)).0,
        )
    });
    assert_eq!(results.0.unwrap_err().0, "negative");
    assert_eq!(results.1.unwrap(), 4);
    let traced: Vec<&Span> = spans
        .iter()
        .filter(|s| s.name == "async_fallible")
        .collect();
    assert_eq!(traced.len(), 2);
    assert_eq!(exception_message(traced[0]), Some("invalid: negative"));
    assert!(matches!(traced[0].status, Status::Error { .. }));
    assert_eq!(traced[1].status, Status::Unset);
    assert!(traced[1].events.is_empty());
}

#[test]
fn methods_are_traced() {
    let (results, spans) = capture(|| {
        let mut store = Store::default();
        store.insert(3);
        store.insert(4);
        *store.get_mut(0).unwrap() += 10;
        let missing = store.get_mut(7).is_err();
        let first = store.first().copied();
        let doubled = store.map_rows(|r| r * 2);
        let sum = store.sum();
        let greeting = store.greet("bob");
        let total = block_on(store.async_total(100)).0;
        let over = block_on(store.async_total(1)).0.is_err();
        let rows = store.into_rows();
        (missing, first, doubled, sum, greeting, total, over, rows)
    });
    assert_eq!(
        results,
        (
            true,
            Some(13),
            vec![26, 8],
            17,
            "hello bob".to_owned(),
            Ok(17),
            true,
            vec![13, 4]
        )
    );
    let inserts: Vec<&Span> = spans.iter().filter(|s| s.name == "insert").collect();
    assert_eq!(attr(inserts[0], "row"), &Value::I64(3));
    assert_eq!(attr(inserts[1], "row"), &Value::I64(4));
    let get_mut: Vec<&Span> = spans.iter().filter(|s| s.name == "get_mut").collect();
    assert_eq!(get_mut[0].status, Status::Unset);
    assert_eq!(exception_message(get_mut[1]), Some("invalid: no such row"));
    named(&spans, "first");
    named(&spans, "map_rows");
    let sums: Vec<&Span> = spans.iter().filter(|s| s.name == "Store::sum").collect();
    // One direct call, two from async_total (children of it).
    assert_eq!(sums.len(), 3);
    assert_eq!(attr(sums[0], "count"), &Value::I64(2));
    assert_eq!(
        attr(named(&spans, "greet"), "who"),
        &Value::Str("bob".into())
    );
    let totals: Vec<&Span> = spans.iter().filter(|s| s.name == "async_total").collect();
    assert_eq!(totals.len(), 2);
    assert_child_of(sums[1], totals[0]);
    assert_child_of(sums[2], totals[1]);
    assert_eq!(totals[0].status, Status::Unset);
    assert_eq!(exception_message(totals[1]), Some("invalid: over limit"));
    assert_eq!(
        attr(named(&spans, "into_rows"), "self"),
        &Value::Str("Store { rows: [13, 4] }".into())
    );
}

#[test]
fn unsampled_spans_do_not_evaluate_attributes() {
    let before = (
        CLONES.load(Ordering::SeqCst),
        DEBUG_FORMATS.load(Ordering::SeqCst),
    );
    let (value, spans) = capture_with(Config::new().sampler(Sampler::AlwaysOff), || {
        lazily_recorded(Counted(5), Loud)
    });
    assert_eq!(value, 5);
    assert!(spans.is_empty(), "{spans:?}");
    assert_eq!(CLONES.load(Ordering::SeqCst), before.0);
    assert_eq!(DEBUG_FORMATS.load(Ordering::SeqCst), before.1);

    // The same function, sampled: the closure runs (so the counters can move at all).
    let (value, spans) = capture(|| lazily_recorded(Counted(6), Loud));
    assert_eq!(value, 6);
    let span = named(&spans, "lazily_recorded");
    assert_eq!(attr(span, "counted"), &Value::I64(6));
    assert_eq!(attr(span, "loud"), &Value::Str("Loud".into()));
    assert_eq!(CLONES.load(Ordering::SeqCst), before.0 + 1);
    assert_eq!(DEBUG_FORMATS.load(Ordering::SeqCst), before.1 + 1);
}
