//! A generated topology of many services for tests and benchmarks of the service map: tiers
//! of edge, API, domain, data and storage services; each trace a request entering at an edge
//! service and fanning out down the tiers (now and then skipping a tier, calling back up to
//! an earlier tier, or calling its own service), every call a CLIENT span and the SERVER
//! span answering it. Deterministic for a given seed.

use spindle_formats::{
    KeyValue, Resource, ResourceIndex, Span, SpanId, SpanKind, Status, TraceData, TraceId,
};

const BASE: u64 = 1_700_000_000_000_000_000;
const TIER_NAMES: [&str; 6] = ["edge", "api", "domain", "data", "store", "ext"];
/// Share of the services in each tier, in percent.
const TIER_SHARE: [usize; 6] = [4, 14, 32, 26, 18, 6];

/// A small deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// The tiers: each a range of service indices, top tier first.
fn tiers(services: usize) -> Vec<std::ops::Range<usize>> {
    let mut start = 0;
    let mut out = Vec::new();
    for (k, share) in TIER_SHARE.iter().enumerate() {
        let n = if k + 1 == TIER_SHARE.len() {
            services.saturating_sub(start)
        } else {
            (services * share / 100).max(1)
        };
        let end = (start + n).min(services);
        out.push(start..end);
        start = end;
    }
    out.retain(|t| !t.is_empty());
    out
}

/// `services` services (named `edge-00`, `api-03`, …) and `traces` traces over them.
pub fn mesh(services: usize, traces: usize, seed: u64) -> TraceData {
    let tiers = tiers(services.max(1));
    let mut resources = Vec::new();
    for (k, tier) in tiers.iter().enumerate() {
        for s in tier.clone() {
            let name = format!(
                "{}-{:02}",
                TIER_NAMES[k.min(TIER_NAMES.len() - 1)],
                s - tier.start
            );
            resources.push(Resource {
                attributes: vec![KeyValue::new("service.name", name)],
                ..Default::default()
            });
        }
    }
    // Each service calls a few fixed services of the next tiers: the topology.
    let mut rng = Rng(seed);
    let callees: Vec<Vec<usize>> = (0..resources.len())
        .map(|s| {
            let tier = tiers.iter().position(|t| t.contains(&s)).unwrap_or(0);
            let mut out = Vec::new();
            if tier + 1 < tiers.len() {
                for _ in 0..1 + rng.below(3) {
                    // Most calls go one tier down, some skip one, a few go back up.
                    let to_tier = if rng.chance(12) && tier + 2 < tiers.len() {
                        tier + 2
                    } else if rng.chance(4) && tier > 1 {
                        tier - 1
                    } else {
                        tier + 1
                    };
                    let t = &tiers[to_tier];
                    out.push(t.start + rng.below(t.len()));
                }
            }
            if rng.chance(3) {
                out.push(s);
            }
            out.sort_unstable();
            out.dedup();
            out
        })
        .collect();
    let callees = everyone_called(callees, &tiers);
    let mut traces_out = Gen {
        spans: Vec::new(),
        rng,
        callees,
        next_id: 1,
    };
    let entry = tiers[0].clone();
    for t in 0..traces {
        let root = entry.start + t % entry.len();
        let start = BASE + t as u64 * 5_000_000;
        traces_out.serve(
            TraceId(0x7000 + t as u128),
            None,
            root,
            (start, start + 4_000_000),
            0,
        );
    }
    TraceData {
        resources,
        scopes: Vec::new(),
        spans: traces_out.spans,
    }
}

/// Adds each service nobody calls to the callees of one service of the tier above it.
fn everyone_called(
    mut callees: Vec<Vec<usize>>,
    tiers: &[std::ops::Range<usize>],
) -> Vec<Vec<usize>> {
    for pair in tiers.windows(2) {
        let (above, tier) = (&pair[0], &pair[1]);
        for s in tier.clone() {
            if !(callees.iter().enumerate()).any(|(c, to)| c != s && to.contains(&s)) {
                let caller = above.start + (s - tier.start) % above.len();
                callees[caller].push(s);
            }
        }
    }
    callees
}

struct Gen {
    spans: Vec<Span>,
    rng: Rng,
    callees: Vec<Vec<usize>>,
    next_id: u64,
}

impl Gen {
    /// A SERVER span of `service` over `time` and the calls it makes, at most 10 deep.
    fn serve(
        &mut self,
        trace: TraceId,
        parent: Option<u64>,
        service: usize,
        time: (u64, u64),
        depth: usize,
    ) {
        let id = self.span(trace, parent, service, "handle", SpanKind::Server, time);
        let callees = self.callees[service].clone();
        if depth >= 10 || callees.is_empty() {
            return;
        }
        let slot = (time.1 - time.0) / (callees.len() as u64 + 1);
        for (k, &to) in callees.iter().enumerate() {
            // Each call made in about half the requests; a self call less often.
            let skip = if to == service { 75 } else { 40 };
            if self.rng.chance(skip) {
                continue;
            }
            let a = time.0 + slot / 2 + k as u64 * slot;
            let b = a + slot * 9 / 10;
            let client = self.span(trace, Some(id), service, "call", SpanKind::Client, (a, b));
            let pad = (b - a) / 10;
            self.serve(trace, Some(client), to, (a + pad, b - pad), depth + 1);
        }
    }

    fn span(
        &mut self,
        trace: TraceId,
        parent: Option<u64>,
        service: usize,
        name: &str,
        kind: SpanKind,
        (a, b): (u64, u64),
    ) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        // One span in 500 fails.
        let status = if self.rng.next().is_multiple_of(500) {
            Status::Error {
                message: "failed".into(),
            }
        } else {
            Status::Unset
        };
        self.spans.push(Span {
            trace_id: trace,
            span_id: SpanId(id),
            parent_span_id: parent.map(SpanId),
            name: name.to_string().into(),
            kind,
            start_unix_nanos: a,
            end_unix_nanos: b.max(a + 1),
            resource: ResourceIndex(service as u32),
            status,
            ..Span::default()
        });
        id
    }
}
