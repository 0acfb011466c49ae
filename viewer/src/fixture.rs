//! Small deterministic traces for tests, snapshots, the screenshot script and benchmarks.

use spindle_formats::{
    Event, KeyValue, Link, Resource, ResourceIndex, Span, SpanId, SpanKind, Status, TraceData,
    TraceId,
};

/// 2023-11-14 22:13:20 UTC: fixed so snapshots do not change.
pub const BASE: u64 = 1_700_000_000_000_000_000;
const MS: u64 = 1_000_000;

struct Builder {
    data: TraceData,
}

impl Builder {
    fn new(services: &[&str]) -> Builder {
        let resources = services
            .iter()
            .map(|s| Resource {
                attributes: vec![
                    KeyValue::new("service.name", s.to_string()),
                    KeyValue::new("host.name", format!("{s}-1")),
                ],
                ..Default::default()
            })
            .collect();
        Builder {
            data: TraceData {
                resources,
                ..TraceData::default()
            },
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn span(
        &mut self,
        trace: u128,
        id: u64,
        parent: Option<u64>,
        service: u32,
        name: &str,
        start_ms: f64,
        end_ms: f64,
        attributes: Vec<KeyValue>,
    ) -> &mut Span {
        self.data.spans.push(Span {
            trace_id: TraceId(trace),
            span_id: SpanId(id),
            parent_span_id: parent.map(SpanId),
            name: name.to_string().into(),
            kind: if parent.is_none() {
                SpanKind::Server
            } else {
                SpanKind::Internal
            },
            start_unix_nanos: BASE + (start_ms * MS as f64) as u64,
            end_unix_nanos: BASE + (end_ms * MS as f64) as u64,
            attributes,
            resource: ResourceIndex(service),
            flags: 1,
            ..Span::default()
        });
        let last = self.data.spans.len() - 1;
        &mut self.data.spans[last]
    }
}

/// An online shop: `frontend: GET /checkout` (7 spans, one error, an event, a link) and
/// `frontend: GET /products` (3 spans), over four services.
pub fn shop() -> TraceData {
    let mut b = Builder::new(&["frontend", "checkout", "payments", "db"]);
    let t1 = 0x4bf9_2f35_77b3_4da6_a3ce_929d_0e0e_4736;
    let t2 = 0x5c0a_3046_88c4_5eb7_b4df_a3ae_1f1f_5847;
    b.span(
        t1,
        0x100,
        None,
        0,
        "GET /checkout",
        0.0,
        120.0,
        vec![
            KeyValue::new("http.method", "GET"),
            KeyValue::new("http.route", "/checkout"),
            KeyValue::new("http.status_code", 500i64),
        ],
    );
    b.span(
        t1,
        0x101,
        Some(0x100),
        0,
        "auth.verify",
        2.0,
        12.0,
        vec![KeyValue::new("user.id", 7i64)],
    );
    b.span(
        t1,
        0x102,
        Some(0x100),
        1,
        "POST /cart/checkout",
        15.0,
        110.0,
        vec![
            KeyValue::new("http.method", "POST"),
            KeyValue::new("rpc.attempt", 1i64),
        ],
    )
    .kind = SpanKind::Server;
    b.span(
        t1,
        0x103,
        Some(0x102),
        1,
        "load cart",
        20.0,
        40.0,
        vec![KeyValue::new("cart.items", 3i64)],
    );
    b.span(
        t1,
        0x104,
        Some(0x103),
        3,
        "SELECT cart",
        22.0,
        38.0,
        vec![
            KeyValue::new("db.system", "postgresql"),
            KeyValue::new("db.statement", "SELECT * FROM cart WHERE id = $1"),
        ],
    )
    .kind = SpanKind::Client;
    let charge = b.span(
        t1,
        0x105,
        Some(0x102),
        2,
        "charge card",
        45.0,
        100.0,
        vec![
            KeyValue::new("payment.amount", 42.5),
            KeyValue::new("payment.currency", "EUR"),
            KeyValue::new("payment.retry", true),
        ],
    );
    charge.status = Status::Error {
        message: "card declined".into(),
    };
    charge.events.push(Event {
        time_unix_nanos: BASE + 60 * MS,
        name: "retry".into(),
        attributes: vec![KeyValue::new("attempt", 2i64)],
        ..Default::default()
    });
    charge.links.push(Link {
        trace_id: TraceId(t2),
        span_id: SpanId(0x200),
        trace_state: "".into(),
        attributes: Vec::new(),
        ..Default::default()
    });
    b.span(
        t1,
        0x106,
        Some(0x105),
        2,
        "fraud check",
        50.0,
        70.0,
        vec![KeyValue::new("fraud.score", 0.12)],
    );
    b.span(
        t2,
        0x200,
        None,
        0,
        "GET /products",
        200.0,
        260.0,
        vec![KeyValue::new("http.method", "GET")],
    );
    b.span(
        t2,
        0x201,
        Some(0x200),
        3,
        "SELECT products",
        205.0,
        240.0,
        vec![KeyValue::new("db.system", "postgresql")],
    );
    b.span(
        t2,
        0x202,
        Some(0x200),
        0,
        "render",
        241.0,
        258.0,
        Vec::new(),
    );
    b.data
}

/// Spans whose parents were recorded by a service whose file is not loaded.
pub fn orphans() -> TraceData {
    let mut b = Builder::new(&["worker"]);
    let t = 0x77;
    b.span(
        t,
        0x10,
        Some(0xdead),
        0,
        "consume job",
        300.0,
        330.0,
        Vec::new(),
    );
    b.span(
        t,
        0x11,
        Some(0x10),
        0,
        "process job",
        305.0,
        325.0,
        Vec::new(),
    );
    b.span(
        t,
        0x12,
        Some(0xbeef),
        0,
        "ack job",
        331.0,
        333.0,
        Vec::new(),
    );
    b.data
}

/// `api: GET /orders` (80 ms): a cache lookup beside the first query (off the critical path),
/// then six sequential `SELECT item` queries differing only in their literals (a run of
/// repeated siblings and an N+1 finding: 60 ms, 75% of the request), then `render`.
pub fn n_plus_one() -> TraceData {
    let mut b = Builder::new(&["api", "db", "cache"]);
    let t = 0x0e0e_0001;
    b.span(t, 1, None, 0, "GET /orders", 0.0, 80.0, Vec::new());
    b.span(t, 2, Some(1), 2, "cache.get", 1.0, 3.0, Vec::new())
        .kind = SpanKind::Client;
    let db = |statement: String| {
        vec![
            KeyValue::new("db.system", "postgresql"),
            KeyValue::new("db.statement", statement),
        ]
    };
    let orders = db("SELECT * FROM orders WHERE user = 'ann'".into());
    b.span(t, 3, Some(1), 1, "SELECT orders", 1.0, 10.0, orders)
        .kind = SpanKind::Client;
    for k in 0..6u64 {
        let start = 10.0 + 10.0 * k as f64;
        let statement = format!("SELECT * FROM items WHERE id = {}", 100 + k);
        b.span(
            t,
            10 + k,
            Some(1),
            1,
            "SELECT item",
            start,
            start + 10.0,
            db(statement),
        )
        .kind = SpanKind::Client;
    }
    b.span(t, 4, Some(1), 0, "render", 70.0, 79.0, Vec::new());
    b.data
}

/// One trace of `n` spans: a root with `fanout` children per level, each span a bit shorter
/// than its parent, with many sub-pixel spans at the bottom (what big traces look like).
pub fn wide_trace(n: usize, fanout: usize) -> TraceData {
    let mut b = Builder::new(&["api", "db", "cache", "queue"]);
    let trace = 0xabc;
    b.span(trace, 1, None, 0, "root", 0.0, 10_000.0, Vec::new());
    let mut next = 2u64;
    let mut frontier = vec![(1u64, 0.0f64, 10_000.0f64)];
    while (next as usize) <= n && !frontier.is_empty() {
        let mut deeper = Vec::new();
        for (parent, a, z) in frontier {
            let width = (z - a) / fanout as f64;
            for k in 0..fanout {
                if next as usize > n {
                    break;
                }
                let s = a + k as f64 * width;
                let e = s + width * 0.9;
                let service = (next % 4) as u32;
                let name = ["query", "get", "publish", "handle"][service as usize];
                b.span(
                    trace,
                    next,
                    Some(parent),
                    service,
                    name,
                    s,
                    e,
                    vec![KeyValue::new("i", next as i64)],
                );
                deeper.push((next, s, e));
                next += 1;
            }
        }
        frontier = deeper;
    }
    b.data
}

/// `traces` traces of `per_trace` spans each (a root, a few levels below it), over eight
/// services, with a couple of attributes per span: the 1M-span benchmark file.
pub fn many_traces(traces: usize, per_trace: usize) -> TraceData {
    let services = [
        "edge", "auth", "cart", "payments", "search", "db", "cache", "queue",
    ];
    let mut b = Builder::new(&services);
    b.data.spans.reserve(traces * per_trace);
    for t in 0..traces {
        let trace = 0x1000_0000_0000 + t as u128;
        let t0 = t as f64 * 3.0;
        b.span(
            trace,
            1,
            None,
            0,
            "GET /api",
            t0,
            t0 + 100.0,
            vec![KeyValue::new("http.route", "/api")],
        );
        for s in 1..per_trace {
            let id = s as u64 + 1;
            let parent = if s < 5 { 1 } else { (s as u64 % 4) + 2 };
            let service = (s % services.len()) as u32;
            let start = t0 + 1.0 + (s as f64 * 97.0 / per_trace as f64);
            b.span(
                trace,
                id,
                Some(parent),
                service,
                ["query", "get", "call", "publish"][s % 4],
                start,
                start + 0.5,
                vec![
                    KeyValue::new("n", s as i64),
                    KeyValue::new("peer", services[(s + 1) % services.len()]),
                ],
            );
        }
    }
    b.data
}
