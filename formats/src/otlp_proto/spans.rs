//! The second step of a read: every span the [plan](super::plan) found, decoded. A request
//! with many spans is cut into one run of steps per core and the runs decode at once on
//! scoped threads; the results come back in file order. Few spans (an exporter's request, a
//! small file) decode on the caller's thread: a thread costs more than they do.

use super::decode::{self, DecodeFault};
use super::plan::Step;
use crate::model::{KeyValue, Span};

/// Below this many steps the spans decode on the caller's thread.
const PARALLEL_FROM: usize = 16_384;

/// At most this many threads decode one request.
const MAX_THREADS: usize = 8;

/// The spans of `steps` decoded from `input`, one result per [`Step::Span`], in order.
pub(super) fn decode(
    input: &[u8],
    steps: &[Step],
) -> impl Iterator<Item = Result<Span, DecodeFault>> + use<> {
    decode_on(input, steps, threads_for(steps.len()))
}

/// [`decode`] on `threads` threads.
fn decode_on(
    input: &[u8],
    steps: &[Step],
    threads: usize,
) -> impl Iterator<Item = Result<Span, DecodeFault>> + use<> {
    let runs: Vec<Vec<Result<Span, DecodeFault>>> = if threads <= 1 {
        vec![run(input, steps)]
    } else {
        let per_run = steps.len().div_ceil(threads);
        std::thread::scope(|scope| {
            let handles: Vec<_> = steps
                .chunks(per_run)
                .map(|chunk| (chunk, scope.spawn(move || run(input, chunk))))
                .collect();
            handles
                .into_iter()
                .map(|(chunk, handle)| handle.join().unwrap_or_else(|_| lost_run(chunk)))
                .collect()
        })
    };
    runs.into_iter().flatten()
}

/// How many threads to use for `steps` steps.
fn threads_for(steps: usize) -> usize {
    if steps < PARALLEL_FROM {
        return 1;
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    cores.min(MAX_THREADS).min(steps / (PARALLEL_FROM / 2))
}

/// The spans of one run of steps, decoded on this thread.
fn run(input: &[u8], steps: &[Step]) -> Vec<Result<Span, DecodeFault>> {
    let mut scratch: Vec<KeyValue> = Vec::new();
    let mut out = Vec::with_capacity(steps.len());
    for step in steps {
        if let Step::Span { start, len, .. } = *step {
            out.push(match input.get(start..start + len) {
                Some(bytes) => decode::span(bytes, start, &mut scratch),
                None => Err(outside(start)),
            });
        }
    }
    out
}

/// A run whose thread panicked (a bug, not bad input): each of its spans is reported as not
/// decoded, so the read goes on with the others and says what it lost.
fn lost_run(steps: &[Step]) -> Vec<Result<Span, DecodeFault>> {
    let spans = steps.iter().filter_map(|step| match *step {
        Step::Span { start, .. } => Some(start),
        _ => None,
    });
    spans
        .map(|start| {
            Err(fault(
                start,
                "the span could not be decoded (a bug: please report it)",
            ))
        })
        .collect()
}

/// A span step that points outside the input (cannot happen for a plan of that input).
fn outside(start: usize) -> DecodeFault {
    fault(start, "a span outside the input")
}

fn fault(at: usize, message: &str) -> DecodeFault {
    DecodeFault {
        at,
        path: String::new(),
        problem: crate::error::Problem::Protobuf {
            message: message.into(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::super::plan::Plan;
    use super::*;
    use crate::context::ReadContext;
    use crate::model::{Resource, ResourceIndex, Scope, SpanId, TraceData, TraceId};
    use crate::{KeyValue, Warning};

    /// `n` spans over three resources; every 1000th is named `BAD!` (made invalid below).
    fn request(n: usize) -> (Vec<u8>, usize) {
        let resources = (0..3)
            .map(|r| Resource {
                attributes: vec![KeyValue::new("service.name", format!("s{r}"))],
                ..Default::default()
            })
            .collect();
        let spans = (0..n)
            .map(|i| Span {
                trace_id: TraceId(1 + i as u128 / 10),
                span_id: SpanId(1 + i as u64),
                name: if i % 1000 == 7 {
                    "BAD!".into()
                } else {
                    format!("op{}", i % 5).into()
                },
                attributes: vec![KeyValue::new("i", i as i64)],
                resource: ResourceIndex((i % 3) as u32),
                ..Default::default()
            })
            .collect();
        let data = TraceData {
            resources,
            scopes: vec![Scope::default()],
            spans,
        };
        let mut bytes = Vec::new();
        crate::otlp_proto::encode(&data, &mut bytes);
        let mut bad = 0;
        let mut at = 0;
        while let Some(p) = bytes[at..].windows(4).position(|w| w == b"BAD!") {
            bytes[at + p..at + p + 4].copy_from_slice(&[0xff; 4]);
            at += p + 4;
            bad += 1;
        }
        (bytes, bad)
    }

    fn read_on(
        bytes: &[u8],
        threads: usize,
        strict: bool,
    ) -> Result<(TraceData, Vec<Warning>), String> {
        let mut context = ReadContext::new(bytes, "t.binpb", strict);
        let plan = Plan::of(bytes);
        let decoded = decode_on(bytes, &plan.steps, threads);
        let data = plan
            .assemble(&mut context, decoded)
            .map_err(|e| e.to_string())?;
        Ok((data, context.into_warnings()))
    }

    #[test]
    fn several_threads_read_what_one_reads_bad_spans_and_all() {
        let (bytes, bad) = request(40_000);
        assert_eq!(bad, 40);
        let one = read_on(&bytes, 1, false).expect("lenient");
        let three = read_on(&bytes, 3, false).expect("lenient");
        assert_eq!(one.0.spans.len(), 40_000 - bad);
        assert_eq!(one.0.resources.len(), 3);
        assert_eq!(one, three);
        assert!(one.1[0].to_string().contains(".spans["), "{}", one.1[0]);
        assert!(
            one.1[0].to_string().contains("invalid UTF-8"),
            "{}",
            one.1[0]
        );
    }

    #[test]
    fn several_threads_keep_a_cut_request_s_complete_spans_and_report_the_cut_once() {
        let (bytes, _) = request(30_000);
        let cut = &bytes[..bytes.len() - 1000];
        let one = read_on(cut, 1, false).expect("lenient");
        let four = read_on(cut, 4, false).expect("lenient");
        assert_eq!(one, four);
        assert!(one.0.spans.len() > 29_900, "{}", one.0.spans.len());
        let cuts = one
            .1
            .iter()
            .filter(|w| w.to_string().contains("runs past the end"))
            .count();
        assert!(cuts >= 1, "{:?}", one.1);
    }

    #[test]
    fn a_strict_read_fails_on_the_first_bad_span_whatever_the_threads() {
        let (bytes, _) = request(20_000);
        let one = read_on(&bytes, 1, true).expect_err("strict");
        let two = read_on(&bytes, 2, true).expect_err("strict");
        assert_eq!(one, two);
        assert!(
            one.contains("resource_spans[0].scope_spans[0].spans[669].name"),
            "{one}"
        );
    }

    #[test]
    fn a_small_request_decodes_on_the_caller_s_thread() {
        assert_eq!(threads_for(100), 1);
        assert!(threads_for(1_000_000) <= MAX_THREADS);
    }
}
