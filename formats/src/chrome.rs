//! Chrome Trace Event JSON, written so that a trace opens in Perfetto UI and chrome://tracing.
//! Write only.
//!
//! ```json
//! {"traceEvents":[
//! {"name":"process_name","ph":"M","pid":1,"tid":0,"args":{"name":"checkout"}},
//! {"name":"thread_name","ph":"M","pid":1,"tid":1,"args":{"name":"trace 4bf92f35"}},
//! {"name":"GET /cart","cat":"server","ph":"X","ts":0.000,"dur":250000.333,"pid":1,"tid":1,
//!  "args":{"trace_id":"…","span_id":"…","attributes":{"http.method":"GET"}}}
//! ],"displayTimeUnit":"ms","otherData":{"time_origin_unix_nanos":"1700000000000000123"}}
//! ```
//!
//! - Every span is a complete event (`"ph":"X"`); `ts` and `dur` are microseconds with three
//!   decimals (exact nanoseconds), `ts` counted from the earliest span start, which
//!   `otherData.time_origin_unix_nanos` gives. `cat` is the span kind.
//! - `pid` is the span's resource (one process per service, named by `process_name` metadata);
//!   `tid` is a lane of one trace in that process (`thread_name` "trace 4bf92f35", then
//!   "trace 4bf92f35 (2)", …; `thread_sort_index` orders them by start).
//! - These tools need the events of one thread exactly nested. Lanes are assigned greedily per
//!   trace and process: a span goes to the first lane where it nests inside the innermost span
//!   still open, or starts after it ended; otherwise to a new lane. So spans that overlap
//!   without nesting never share a lane.
//! - `args` carry the ids (`trace_id`, `span_id`, `parent_span_id`), `status`, `status_message`,
//!   the attributes (as plain JSON; bytes as hex) and the links. Span events are instant events
//!   (`"ph":"i"`, thread scope) on the span's lane, with their attributes as `args`.

use std::io::Write;

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use crate::hex::{span_id_hex, trace_id_hex};
use crate::model::{Span, Status, TraceData, TraceId};
use crate::plain_json::JsonObjectOut;

/// Writes `data` as one Chrome Trace Event JSON document (`{"traceEvents":[…]}`), one event
/// per line.
///
/// ```
/// use spindle_formats::{Span, SpanId, TraceData, TraceId};
/// let span = |id, start, end| Span {
///     trace_id: TraceId(1),
///     span_id: SpanId(id),
///     start_unix_nanos: start,
///     end_unix_nanos: end,
///     ..Default::default()
/// };
/// // The second span overlaps the first without nesting in it: it gets its own lane.
/// let data = TraceData { spans: vec![span(1, 0, 10_000), span(2, 5_000, 15_000)], ..Default::default() };
/// let mut out = Vec::new();
/// spindle_formats::chrome::write(&data, &mut out).unwrap();
/// let text = String::from_utf8(out).unwrap();
/// assert!(text.contains(r#""ph":"X","cat":"internal","ts":0.000,"dur":10.000,"pid":1,"tid":1,"#));
/// assert!(text.contains(r#""ph":"X","cat":"internal","ts":5.000,"dur":10.000,"pid":1,"tid":2,"#));
/// ```
pub fn write(data: &TraceData, out: &mut impl Write) -> std::io::Result<()> {
    let origin = data
        .spans
        .iter()
        .map(|s| s.start_unix_nanos)
        .min()
        .unwrap_or(0);
    let layout = layout(data);
    let mut events = Events::new(data.spans.len());
    for (pid, name) in layout.processes(data) {
        events.metadata("process_name", pid, 0, "name", &Name(name))?;
    }
    for thread in &layout.threads {
        let name = thread.name();
        events.metadata("thread_name", thread.pid, thread.tid, "name", &name)?;
        let order = thread.tid;
        events.metadata(
            "thread_sort_index",
            thread.pid,
            thread.tid,
            "sort_index",
            &order,
        )?;
    }
    for placed in &layout.spans {
        if let Some(span) = data.spans.get(placed.index) {
            events.span(span, placed, origin)?;
        }
    }
    events.finish(origin, out)
}

/// Where a span goes.
#[derive(Debug, Clone, Copy)]
struct Placed {
    index: usize,
    pid: u32,
    tid: u32,
}

/// One lane of one trace in one process.
#[derive(Debug)]
struct Thread {
    pid: u32,
    tid: u32,
    trace: TraceId,
    lane: usize,
}

impl Thread {
    fn name(&self) -> String {
        let hex = trace_id_hex(self.trace);
        let short = hex.as_str().get(..8).unwrap_or_default();
        match self.lane {
            0 => format!("trace {short}"),
            lane => format!("trace {short} ({})", lane + 1),
        }
    }
}

#[derive(Debug, Default)]
struct Layout {
    spans: Vec<Placed>,
    threads: Vec<Thread>,
}

impl Layout {
    /// The pid and service name of every resource that has spans.
    fn processes<'a>(&self, data: &'a TraceData) -> Vec<(u32, &'a str)> {
        let mut pids: Vec<u32> = self.threads.iter().map(|t| t.pid).collect();
        pids.dedup();
        pids.into_iter()
            .map(|pid| {
                let resource = data.resources.get(pid as usize - 1);
                let name = resource.and_then(|r| r.service_name());
                (pid, name.unwrap_or("unknown_service"))
            })
            .collect()
    }
}

/// Groups spans by resource and trace, orders each group's threads by start, assigns lanes.
fn layout(data: &TraceData) -> Layout {
    let mut order: Vec<usize> = (0..data.spans.len()).collect();
    let key = |i: &usize| {
        let span = data.spans.get(*i);
        let (start, end) = span.map_or((0, 0), interval);
        let group = span.map(|s| (s.resource, s.trace_id));
        (group, start, std::cmp::Reverse(end), *i)
    };
    order.sort_by_key(key);
    let mut groups: Vec<&[usize]> = order.chunk_by(|a, b| key(a).0 == key(b).0).collect();
    groups.sort_by_key(|group| group.first().map(|i| (key(i).0.map(|g| g.0), key(i).1)));
    let mut layout = Layout::default();
    let mut next_tid = (u32::MAX, 1);
    for group in groups {
        place_group(data, group, &mut next_tid, &mut layout);
    }
    layout
}

/// Places one trace's spans of one resource on lanes (threads) of its process.
fn place_group(data: &TraceData, group: &[usize], next: &mut (u32, u32), layout: &mut Layout) {
    let spans: Vec<&Span> = group.iter().filter_map(|i| data.spans.get(*i)).collect();
    let Some(first) = spans.first() else { return };
    let pid = first.resource.0.saturating_add(1);
    if next.0 != pid {
        *next = (pid, 1);
    }
    let lanes = lanes(spans.iter().map(|s| interval(s)));
    let count = lanes.iter().max().map_or(0, |m| m + 1);
    for lane in 0..count {
        layout.threads.push(Thread {
            pid,
            tid: next.1 + lane as u32,
            trace: first.trace_id,
            lane,
        });
    }
    for (index, lane) in group.iter().zip(&lanes) {
        let tid = next.1 + *lane as u32;
        layout.spans.push(Placed {
            index: *index,
            pid,
            tid,
        });
    }
    next.1 += count as u32;
}

/// A span's start and end in nanoseconds (an end before the start counts as the start).
fn interval(span: &Span) -> (u64, u64) {
    (
        span.start_unix_nanos,
        span.end_unix_nanos.max(span.start_unix_nanos),
    )
}

/// Lanes for intervals sorted by start, then longest first: on each lane every interval nests
/// inside the innermost one still open there, or starts after it ended.
fn lanes(intervals: impl Iterator<Item = (u64, u64)>) -> Vec<usize> {
    let mut open: Vec<Vec<u64>> = Vec::new();
    intervals
        .map(|(start, end)| {
            for stack in &mut open {
                while stack.last().is_some_and(|&e| e <= start) {
                    stack.pop();
                }
            }
            let fits = |stack: &Vec<u64>| stack.last().is_none_or(|&e| e >= end);
            let lane = match open.iter().position(fits) {
                Some(lane) => lane,
                None => {
                    open.push(Vec::new());
                    open.len() - 1
                }
            };
            if let Some(stack) = open.get_mut(lane) {
                stack.push(end);
            }
            lane
        })
        .collect()
}

/// Nanoseconds as microseconds with three decimals (exact).
struct Micros(u64);

impl std::fmt::Display for Micros {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{:03}", self.0 / 1000, self.0 % 1000)
    }
}

/// A string serialized as itself.
struct Name<'a>(&'a str);

impl Serialize for Name<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0)
    }
}

/// The `traceEvents` list being written.
struct Events {
    buffer: Vec<u8>,
    count: usize,
}

impl Events {
    fn new(spans: usize) -> Self {
        let mut buffer = Vec::with_capacity(64 + spans * 256);
        buffer.extend_from_slice(b"{\"traceEvents\":[");
        Events { buffer, count: 0 }
    }

    /// Starts the next event: a separator, then `{"name":…,"ph":…`.
    fn start(&mut self, name: &str, ph: &str) -> std::io::Result<()> {
        let separator: &[u8] = if self.count == 0 { b"\n" } else { b",\n" };
        self.buffer.extend_from_slice(separator);
        self.count += 1;
        self.buffer.extend_from_slice(b"{\"name\":");
        serde_json::to_writer(&mut self.buffer, name)?;
        write!(self.buffer, ",\"ph\":\"{ph}\"")
    }

    fn metadata(
        &mut self,
        name: &str,
        pid: u32,
        tid: u32,
        key: &str,
        value: &impl Serialize,
    ) -> std::io::Result<()> {
        self.start(name, "M")?;
        write!(self.buffer, ",\"pid\":{pid},\"tid\":{tid},\"args\":{{")?;
        serde_json::to_writer(&mut self.buffer, key)?;
        self.buffer.push(b':');
        serde_json::to_writer(&mut self.buffer, value)?;
        self.buffer.extend_from_slice(b"}}");
        Ok(())
    }

    fn span(&mut self, span: &Span, placed: &Placed, origin: u64) -> std::io::Result<()> {
        let (start, end) = interval(span);
        self.start(&span.name, "X")?;
        write!(
            self.buffer,
            ",\"cat\":\"{}\",\"ts\":{},\"dur\":{},\"pid\":{},\"tid\":{},\"args\":",
            span.kind.as_str(),
            Micros(start - origin.min(start)),
            Micros(end - start),
            placed.pid,
            placed.tid
        )?;
        serde_json::to_writer(&mut self.buffer, &SpanArgs(span))?;
        self.buffer.push(b'}');
        for event in &span.events {
            self.start(&event.name, "i")?;
            write!(
                self.buffer,
                ",\"s\":\"t\",\"ts\":{},\"pid\":{},\"tid\":{},\"args\":",
                Micros(event.time_unix_nanos.saturating_sub(origin)),
                placed.pid,
                placed.tid
            )?;
            serde_json::to_writer(&mut self.buffer, &JsonObjectOut(&event.attributes))?;
            self.buffer.push(b'}');
        }
        Ok(())
    }

    fn finish(mut self, origin: u64, out: &mut impl Write) -> std::io::Result<()> {
        write!(
            self.buffer,
            "\n],\"displayTimeUnit\":\"ms\",\"otherData\":{{\"time_origin_unix_nanos\":\"{origin}\"}}}}\n"
        )?;
        out.write_all(&self.buffer)
    }
}

/// A span's `args`: ids, status, attributes and links.
struct SpanArgs<'a>(&'a Span);

impl Serialize for SpanArgs<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let span = self.0;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("trace_id", &trace_id_hex(span.trace_id))?;
        map.serialize_entry("span_id", &span_id_hex(span.span_id))?;
        if let Some(parent) = span.parent_span_id {
            map.serialize_entry("parent_span_id", &span_id_hex(parent))?;
        }
        match &span.status {
            Status::Unset => {}
            Status::Ok => map.serialize_entry("status", "ok")?,
            Status::Error { message } => {
                map.serialize_entry("status", "error")?;
                if !message.is_empty() {
                    map.serialize_entry("status_message", message)?;
                }
            }
        }
        if !span.attributes.is_empty() {
            map.serialize_entry("attributes", &JsonObjectOut(&span.attributes))?;
        }
        if !span.links.is_empty() {
            let links: Vec<String> = span
                .links
                .iter()
                .map(|l| {
                    format!(
                        "{}/{}",
                        trace_id_hex(l.trace_id).as_str(),
                        span_id_hex(l.span_id).as_str()
                    )
                })
                .collect();
            map.serialize_entry("links", &links)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlapping_spans_get_separate_lanes_and_nested_ones_share() {
        let intervals = [(0, 100), (10, 50), (20, 30), (40, 60), (60, 70), (100, 120)];
        assert_eq!(lanes(intervals.into_iter()), [0, 0, 0, 1, 0, 0]);
    }

    #[test]
    fn micros_are_exact() {
        assert_eq!(Micros(1_234_567).to_string(), "1234.567");
        assert_eq!(Micros(5).to_string(), "0.005");
    }
}
