//! The README's demo (`cargo run -p spindle --example shop`): run as a user runs it, its four
//! files hold three whole traces across four processes, with the N+1 loop, the cache miss and
//! hit, the queue hop and the failed third request.
//!
//! Runs the example binary that `cargo test` builds beside the test binaries
//! (`target/debug/examples/shop`); `cargo test --test shop_demo` alone does not build it.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use spindle_formats::{Span, SpanKind, Status, Value};

/// A span and the service whose file it came from.
struct Seen {
    service: String,
    span: Span,
}

fn example_binary() -> PathBuf {
    let deps = std::env::current_exe().unwrap();
    let debug = deps.parent().and_then(Path::parent).unwrap();
    let binary = debug
        .join("examples")
        .join(format!("shop{}", std::env::consts::EXE_SUFFIX));
    assert!(
        binary.exists(),
        "{} is missing: run `cargo test -p spindle` (which builds the examples) or \
         `cargo build -p spindle --example shop` first",
        binary.display()
    );
    binary
}

/// Runs the demo in a fresh folder; returns its output and every span of its four files.
fn run_demo() -> (String, Vec<Seen>) {
    let dir = std::env::temp_dir().join(format!("spindle-shop-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let output = Command::new(example_binary())
        .arg("--dir")
        .arg(&dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "the demo failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut seen = Vec::new();
    for service in ["gateway", "auth", "orders", "worker"] {
        let file = dir.join(format!("{service}.spindle.json"));
        let loaded = spindle_formats::read_file(&file).unwrap();
        assert!(
            loaded.warnings.is_empty(),
            "{service}: {:?}",
            loaded.warnings
        );
        for span in loaded.data.spans.iter().cloned() {
            assert_eq!(loaded.data.service_name_of(&span), service);
            let service = service.to_owned();
            seen.push(Seen { service, span });
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    (stdout, seen)
}

fn find<'a>(seen: &'a [Seen], service: &str, name: &str) -> Vec<&'a Seen> {
    let matching = seen
        .iter()
        .filter(|s| s.service == service && s.span.name == name);
    matching.collect()
}

fn parent_of<'a>(seen: &'a [Seen], child: &Span) -> Option<&'a Seen> {
    let parent = child.parent_span_id?;
    seen.iter()
        .find(|s| s.span.trace_id == child.trace_id && s.span.span_id == parent)
}

fn is_error(span: &Span) -> bool {
    matches!(span.status, Status::Error { .. })
}

#[test]
fn the_demo_writes_three_connected_traces_with_its_n_plus_one_and_its_error() {
    let (stdout, seen) = run_demo();
    for line in [
        "GET /api/customers/42/orders -> 200",
        "GET /api/customers/7/orders -> 502",
    ] {
        assert!(stdout.contains(line), "{line:?} not in:\n{stdout}");
    }

    // One root per request, the gateway's server span; every other span finds its parent,
    // whichever process wrote it.
    let roots: Vec<&Seen> = seen
        .iter()
        .filter(|s| s.span.parent_span_id.is_none())
        .collect();
    assert_eq!(roots.len(), 3);
    assert!(
        roots
            .iter()
            .all(|r| r.service == "gateway" && r.span.kind == SpanKind::Server)
    );
    for s in &seen {
        if s.span.parent_span_id.is_some() {
            let parent = parent_of(&seen, &s.span);
            assert!(
                parent.is_some(),
                "{} ({}) lost its parent",
                s.span.name,
                s.service
            );
        }
    }

    // Across HTTP: auth's and orders' server spans are children of the gateway's client spans.
    for (service, name) in [
        ("auth", "POST /verify"),
        ("orders", "GET /customers/{id}/orders"),
    ] {
        let servers = find(&seen, service, name);
        assert_eq!(servers.len(), 3, "{service} answered each request");
        for server in servers {
            let client = parent_of(&seen, &server.span).unwrap();
            assert_eq!(
                (client.service.as_str(), client.span.kind),
                ("gateway", SpanKind::Client)
            );
        }
    }

    // Across the queue: each consumer span is a child of orders' producer span.
    let consumers = find(&seen, "worker", "process order-events");
    assert_eq!(
        consumers.len(),
        2,
        "the two successful requests sent an event each"
    );
    for consumer in consumers {
        let producer = parent_of(&seen, &consumer.span).unwrap();
        assert_eq!(
            (producer.service.as_str(), producer.span.kind),
            ("orders", SpanKind::Producer)
        );
    }

    // The N+1: six item queries in a row under each "list orders" (the failing one's last
    // query is the one that times out).
    let lists = find(&seen, "orders", "list orders");
    assert_eq!(lists.len(), 3);
    for list in &lists {
        let mut items: Vec<&Span> = seen
            .iter()
            .map(|s| &s.span)
            .filter(|s| {
                s.parent_span_id == Some(list.span.span_id) && s.name == "SELECT order_items"
            })
            .collect();
        items.sort_by_key(|s| s.start_unix_nanos);
        assert_eq!(items.len(), 6);
        assert!(
            items
                .windows(2)
                .all(|w| w[1].start_unix_nanos >= w[0].end_unix_nanos)
        );
        assert!(items.iter().all(|s| s.attribute("db.query.text").is_some()));
    }

    // The cache: a miss for each customer's first request, then a hit.
    let mut lookups: Vec<&Span> = find(&seen, "orders", "GET customer-orders")
        .into_iter()
        .map(|s| &s.span)
        .collect();
    lookups.sort_by_key(|s| s.start_unix_nanos);
    let hits: Vec<Option<&Value>> = lookups.iter().map(|s| s.attribute("cache.hit")).collect();
    let (miss, hit) = (Value::Bool(false), Value::Bool(true));
    assert_eq!(hits, [Some(&miss), Some(&miss), Some(&hit)]);

    // The failed request: an error from the query up to the root, the statuses recorded.
    let failed = roots.iter().find(|r| is_error(&r.span)).unwrap();
    assert_eq!(
        failed.span.attribute("http.response.status_code"),
        Some(&Value::I64(502))
    );
    let in_failed = |s: &&Seen| s.span.trace_id == failed.span.trace_id;
    let errors: Vec<(&str, &str)> = seen
        .iter()
        .filter(in_failed)
        .filter(|s| is_error(&s.span))
        .map(|s| (s.service.as_str(), &*s.span.name))
        .collect();
    for expected in [
        ("gateway", "GET /api/customers/{id}/orders"),
        ("gateway", "GET /customers/{id}/orders"),
        ("orders", "GET /customers/{id}/orders"),
        ("orders", "list orders"),
        ("orders", "SELECT order_items"),
    ] {
        assert!(
            errors.contains(&expected),
            "{expected:?} is not an error: {errors:?}"
        );
    }
    assert_eq!(roots.iter().filter(|r| is_error(&r.span)).count(), 1);
    assert_eq!(
        errors.len(),
        5,
        "only the timed-out query and the spans waiting on it"
    );
}
