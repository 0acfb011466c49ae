//! The Spindle tracer's own exporters send to the viewer's receiver: every span arrives with
//! its parents and attributes (OTLP/JSON, gzip or not, and Zipkin). And under load, 4 senders
//! at once into the live document as the app takes them in: every span is received or
//! refused with a status the sender sees, none lost, and the document never holds more than
//! its retention limit (the rest counted as evicted).
#![allow(clippy::unwrap_used)]

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use spindle::{
    Config, ExportContext, InMemoryExporter, KeyValue, OtlpHttpExporter, Span, SpanExporter,
    SpanKind, ZipkinHttpExporter,
};
use spindle_formats::{Resource, Scope, SpanBatch, SpanId, TraceData, TraceId};
use spindle_viewer::live::LiveFeed;
use spindle_viewer::load::Document;
use spindle_viewer::receive::{Endpoint, ReceiveConfig, Receiver, Refusal};

fn loopback() -> ReceiveConfig {
    ReceiveConfig {
        otlp: "127.0.0.1:0".parse().ok(),
        zipkin: "127.0.0.1:0".parse().ok(),
        ..ReceiveConfig::default()
    }
}

/// Takes batches until `spans` spans came in (waiting at most 20 s), by endpoint.
fn take(receiver: &Receiver, spans: usize) -> HashMap<Endpoint, Vec<spindle_formats::Span>> {
    let mut got: HashMap<Endpoint, Vec<spindle_formats::Span>> = HashMap::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while got.values().map(Vec::len).sum::<usize>() < spans && Instant::now() < deadline {
        if let Ok(batch) = receiver.batches().recv_timeout(Duration::from_millis(50)) {
            let data = batch.data;
            assert!(data.spans.iter().all(|s| data.service_name_of(s) == "shop"));
            got.entry(batch.endpoint).or_default().extend(data.spans);
        }
    }
    got
}

#[test]
fn the_tracers_exporters_deliver_every_span_with_parents_and_attributes() {
    let receiver = Receiver::start(loopback());
    let otlp = receiver.local_addr(Endpoint::Otlp).unwrap();
    let zipkin = receiver.local_addr(Endpoint::Zipkin).unwrap();
    let memory = InMemoryExporter::default();
    let tracer = spindle::init(
        Config::new()
            .service_name("shop")
            .exporter(memory.clone())
            .exporter(OtlpHttpExporter::new(&format!("http://{otlp}")).gzip(true))
            .exporter(ZipkinHttpExporter::new(&format!("http://{zipkin}"))),
    )
    .unwrap();
    for order in 0..50 {
        let root = Span::builder("GET /cart")
            .kind(SpanKind::Server)
            .attribute("order", order as i64)
            .start()
            .enter();
        spindle::in_span("SELECT", || {
            spindle::current::set_attribute("db.rows", 12);
            spindle::in_span("decode", || {});
        });
        drop(root);
    }
    tracer.flush(Duration::from_secs(20)).unwrap();
    let truth: HashMap<SpanId, spindle_formats::Span> =
        memory.spans().into_iter().map(|s| (s.span_id, s)).collect();
    assert_eq!(truth.len(), 150);

    let mut got = take(&receiver, 2 * truth.len());
    for endpoint in [Endpoint::Otlp, Endpoint::Zipkin] {
        let got = got.remove(&endpoint).unwrap_or_default();
        assert_eq!(got.len(), truth.len(), "{endpoint}: every span arrives");
        for span in &got {
            let sent = &truth[&span.span_id];
            assert_eq!(span.trace_id, sent.trace_id, "{endpoint}");
            assert_eq!(span.parent_span_id, sent.parent_span_id, "{endpoint}");
            assert_eq!(
                span.name.to_lowercase(),
                sent.name.to_lowercase(),
                "{endpoint}"
            );
            for key in ["order", "db.rows"] {
                // Zipkin tags are strings: compare the values as text.
                let text = |s: &spindle_formats::Span| s.attribute(key).map(|v| v.to_string());
                assert_eq!(text(span), text(sent), "{endpoint}: {key}");
            }
        }
    }
    let snapshot = receiver.snapshot();
    assert_eq!(snapshot.spans, 300);
    assert_eq!(snapshot.refused_total(), 0);
    tracer.shutdown(Duration::from_secs(5)).unwrap();
}

/// Senders at once, spans each, spans per request.
const SENDERS: usize = 4;
const SPANS_PER_SENDER: usize = 250_000;
const SPANS_PER_REQUEST: usize = 2_000;
/// The live document's retention limit in the load test: a fifth of what is sent.
const RETENTION: usize = 200_000;

/// One request's spans: traces of 10 spans (a root and its children), ids unique per sender.
fn batch(sender: usize, number: usize) -> TraceData {
    let resource = Resource {
        attributes: vec![KeyValue::new("service.name", format!("sender-{sender}"))],
        ..Default::default()
    };
    let mut data = TraceData {
        resources: vec![resource],
        scopes: vec![Scope::default()],
        spans: Vec::with_capacity(SPANS_PER_REQUEST),
    };
    for i in 0..SPANS_PER_REQUEST {
        let n = (sender * SPANS_PER_SENDER + number * SPANS_PER_REQUEST + i) as u64 + 1;
        let root = n - (i as u64 % 10);
        data.spans.push(spindle_formats::Span {
            trace_id: TraceId(u128::from(root) << 32 | 7),
            span_id: SpanId(n),
            parent_span_id: (n != root).then_some(SpanId(root)),
            name: "work".into(),
            start_unix_nanos: 1_700_000_000_000_000_000 + n,
            end_unix_nanos: 1_700_000_000_000_001_000 + n,
            attributes: vec![KeyValue::new("i", i as i64)],
            ..Default::default()
        });
    }
    data
}

#[test]
fn four_senders_at_once_lose_no_span_silently_and_memory_stays_bounded() {
    let config = ReceiveConfig {
        // Small enough that the queue fills at times: refusals (503) must be seen and retried.
        queue_batches: 8,
        ..loopback()
    };
    let mut feed = LiveFeed::start(config, || {});
    let url = format!(
        "http://{}",
        feed.receiver().local_addr(Endpoint::Otlp).unwrap()
    );
    let started = Instant::now();
    let senders: Vec<_> = (0..SENDERS)
        .map(|sender| {
            let url = url.clone();
            std::thread::spawn(move || {
                let mut exporter = OtlpHttpExporter::new(&url);
                exporter.attach(ExportContext::new(Duration::from_secs(60)));
                let (mut delivered, mut refused) = (0, 0);
                for number in 0..SPANS_PER_SENDER / SPANS_PER_REQUEST {
                    let data = batch(sender, number);
                    match exporter.export(SpanBatch::from(&data)) {
                        Ok(()) => delivered += data.spans.len(),
                        Err(_) => refused += data.spans.len(),
                    }
                }
                (delivered, refused)
            })
        })
        .collect();
    // The app's side: what arrived goes into the document, the oldest traces out past the
    // retention limit.
    let mut doc = Document::from_data(TraceData::default());
    let mut ids = HashSet::with_capacity(SENDERS * SPANS_PER_SENDER);
    let (mut received, mut evicted, mut most_held) = (0, 0, 0);
    loop {
        let running = senders.iter().any(|s| !s.is_finished());
        let Some(batches) = feed.due(true) else {
            if !running && feed.receiver().batches().is_empty() {
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
            continue;
        };
        for batch in &batches {
            received += batch.spans.len();
            ids.extend(batch.spans.iter().map(|s| s.span_id));
        }
        let appended = doc.append(batches);
        assert_eq!(appended.duplicates, 0, "every span arrives once");
        evicted += doc.evict_oldest(RETENTION).spans;
        most_held = most_held.max(doc.data.spans.len());
        assert!(
            doc.data.spans.len() <= RETENTION,
            "{} held",
            doc.data.spans.len()
        );
    }
    let (delivered, refused) = senders
        .into_iter()
        .map(|s| s.join().unwrap())
        .fold((0, 0), |(d, r), (sd, sr)| (d + sd, r + sr));
    let elapsed = started.elapsed();
    let snapshot = feed.receiver().snapshot();
    let held = doc.data.spans.len();
    eprintln!(
        "{} spans from {SENDERS} senders in {elapsed:.1?}: {snapshot}; the document holds \
         {held} (at most {most_held}), {evicted} evicted",
        SENDERS * SPANS_PER_SENDER
    );
    assert_eq!(delivered + refused, SENDERS * SPANS_PER_SENDER);
    assert_eq!(
        received, delivered,
        "every span the senders saw accepted arrived"
    );
    assert_eq!(ids.len(), received, "and arrived once");
    assert_eq!(snapshot.spans, received as u64);
    assert_eq!(
        evicted + held + refused,
        SENDERS * SPANS_PER_SENDER,
        "each span sent is held, evicted or refused"
    );
    assert!(
        (RETENTION * 8 / 10..=RETENTION).contains(&held),
        "{held} held"
    );
    let whole = doc.index.traces.iter().all(|t| t.span_count == 10);
    assert!(whole, "whole traces are kept and evicted");
    let refused_requests = snapshot.refused_total() - snapshot.refused(Refusal::Busy);
    assert_eq!(
        refused_requests, 0,
        "only busy refusals, which the senders retry"
    );
    assert_eq!(refused, 0, "retries got every batch through");
}
