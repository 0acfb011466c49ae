//! Keeping requests under a byte cap: a batch whose encoding is too large is halved and each
//! half encoded again, down to single spans; a span too large on its own is left out and
//! counted, never silently lost.

use spindle_formats::SpanBatch;

use super::ExportError;

/// Encodes a batch into a buffer (one of the `spindle-formats` writers).
pub(crate) type Encode = fn(SpanBatch<'_>, &mut Vec<u8>) -> std::io::Result<()>;

/// Sends `batch` as one or more bodies of at most `cap` bytes each, stopping at the first
/// failed send. Returns how many spans were left out for being too large on their own.
pub(crate) fn send_within_cap(
    batch: SpanBatch<'_>,
    cap: usize,
    encode: Encode,
    buffer: &mut Vec<u8>,
    send: &mut dyn FnMut(&[u8]) -> Result<(), ExportError>,
) -> Result<u64, ExportError> {
    if batch.spans.is_empty() {
        return Ok(0);
    }
    buffer.clear();
    encode(batch, buffer).map_err(encode_error)?;
    if buffer.len() <= cap {
        send(buffer)?;
        return Ok(0);
    }
    let len = batch.spans.len();
    let half = len / 2;
    if half == 0 {
        return Ok(1);
    }
    let mut oversized = 0;
    for range in [0..half, half..len] {
        oversized += send_within_cap(batch.part(range), cap, encode, buffer, send)?;
    }
    Ok(oversized)
}

fn encode_error(source: std::io::Error) -> ExportError {
    ExportError::Io {
        target: "encoding the batch".into(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use spindle_formats::{Span, SpanId, TraceData, TraceId};

    fn batch(sizes: &[usize]) -> TraceData {
        let spans = sizes
            .iter()
            .enumerate()
            .map(|(i, &size)| Span {
                trace_id: TraceId(1),
                span_id: SpanId(i as u64 + 1),
                name: "x".repeat(size).into(),
                ..Span::default()
            })
            .collect();
        TraceData {
            spans,
            ..TraceData::default()
        }
    }

    /// A made-up encoding: one byte per character of each name, plus one per span.
    fn encode(data: SpanBatch<'_>, out: &mut Vec<u8>) -> std::io::Result<()> {
        for span in data.spans {
            out.extend(span.name.bytes());
            out.push(b'|');
        }
        Ok(())
    }

    fn run(sizes: &[usize], cap: usize) -> (Result<u64, String>, Vec<usize>) {
        let mut bodies = Vec::new();
        let result = send_within_cap(
            (&batch(sizes)).into(),
            cap,
            encode,
            &mut Vec::new(),
            &mut |b| {
                bodies.push(b.len());
                Ok(())
            },
        );
        (result.map_err(|e| e.to_string()), bodies)
    }

    #[test]
    fn a_batch_under_the_cap_goes_in_one_request() {
        assert_eq!(run(&[9, 9, 9], 30), (Ok(0), vec![30]));
        assert_eq!(run(&[], 30), (Ok(0), vec![]));
    }

    #[test]
    fn a_batch_over_the_cap_is_halved_until_each_part_fits() {
        let (result, bodies) = run(&[9; 8], 25);
        assert_eq!(result, Ok(0));
        assert_eq!(bodies, [20, 20, 20, 20]);
        assert!(bodies.iter().all(|&b| b <= 25));
    }

    #[test]
    fn a_span_too_large_alone_is_left_out_and_counted() {
        let (result, bodies) = run(&[5, 100, 5, 5], 20);
        assert_eq!(result, Ok(1));
        assert_eq!(bodies.iter().sum::<usize>(), 18, "{bodies:?}");
        assert_eq!(run(&[100], 20), (Ok(1), vec![]));
    }

    #[test]
    fn the_first_failed_send_stops_the_batch() {
        let mut calls = 0;
        let result = send_within_cap(
            (&batch(&[9; 8])).into(),
            25,
            encode,
            &mut Vec::new(),
            &mut |_| {
                calls += 1;
                Err(ExportError::Other("down".into()))
            },
        );
        assert!(result.is_err());
        assert_eq!(calls, 1);
    }
}
