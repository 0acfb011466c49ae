//! Attribute keys that nearly every trace repeats (OpenTelemetry semantic conventions, old and
//! new, and the keys the formats' mappings use), read as static text: a million spans then hold
//! no copies of `http.request.method`, and reading them allocates nothing for the key.

use std::borrow::Cow;
use std::sync::OnceLock;

use crate::model::Str;

/// The key as a model string: static text when it is well known, a copy otherwise.
pub(crate) fn attribute_key<'a>(key: impl Into<Cow<'a, str>>) -> Str {
    let key = key.into();
    match known(&key) {
        Some(known) => Str::from(known),
        None => crate::text::owned(key),
    }
}

/// Slots of the lookup table (a power of two, several times the keys: few probes).
const SLOTS: usize = 1024;

/// The well-known key equal to `key`: one hash and about one comparison (cheaper than the
/// copy it saves).
fn known(key: &str) -> Option<&'static str> {
    static TABLE: OnceLock<Vec<Option<&'static str>>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut table = vec![None; SLOTS];
        for known in KNOWN {
            let mut slot = hash(known);
            while table[slot].is_some() {
                slot = (slot + 1) % SLOTS;
            }
            table[slot] = Some(known);
        }
        table
    });
    let mut slot = hash(key);
    loop {
        match table.get(slot).copied().flatten() {
            None => return None,
            Some(known) if known == key => return Some(known),
            Some(_) => slot = (slot + 1) % SLOTS,
        }
    }
}

/// FNV-1a of the length and of at most the last 16 bytes (keys differ most at their ends).
fn hash(key: &str) -> usize {
    let bytes = key.as_bytes();
    let tail = &bytes[bytes.len().saturating_sub(16)..];
    let mut hash = 0xcbf2_9ce4_8422_2325_u64 ^ bytes.len() as u64;
    for byte in tail {
        hash = (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3);
    }
    (hash as usize) % SLOTS
}

/// Sorted and unique (a test checks): one entry per key.
static KNOWN: [&str; 145] = [
    "busy_ns",
    "cache.hit",
    "client.address",
    "client.port",
    "code.column",
    "code.file.path",
    "code.filepath",
    "code.function",
    "code.function.name",
    "code.line.number",
    "code.lineno",
    "code.namespace",
    "component",
    "container.id",
    "container.name",
    "db.cassandra.keyspace",
    "db.collection.name",
    "db.connection_string",
    "db.elasticsearch.path_parts.index",
    "db.mongodb.collection",
    "db.name",
    "db.namespace",
    "db.operation",
    "db.operation.batch.size",
    "db.operation.name",
    "db.query.text",
    "db.redis.database_index",
    "db.response.status_code",
    "db.sql.table",
    "db.statement",
    "db.system",
    "db.system.name",
    "db.user",
    "deployment.environment",
    "deployment.environment.name",
    "destination.port",
    "enduser.id",
    "error",
    "error.message",
    "error.type",
    "event",
    "exception.escaped",
    "exception.message",
    "exception.stacktrace",
    "exception.type",
    "host.arch",
    "host.name",
    "http.client_ip",
    "http.flavor",
    "http.host",
    "http.method",
    "http.request.body.size",
    "http.request.method",
    "http.request.resend_count",
    "http.request_content_length",
    "http.response.body.size",
    "http.response.status_code",
    "http.response_content_length",
    "http.route",
    "http.scheme",
    "http.server_name",
    "http.status_code",
    "http.target",
    "http.url",
    "http.user_agent",
    "idle_ns",
    "k8s.namespace.name",
    "k8s.node.name",
    "k8s.pod.name",
    "level",
    "message",
    "messaging.batch.message_count",
    "messaging.consumer.group.name",
    "messaging.destination",
    "messaging.destination.name",
    "messaging.kafka.message.key",
    "messaging.kafka.partition",
    "messaging.message.body.size",
    "messaging.message.id",
    "messaging.operation",
    "messaging.operation.name",
    "messaging.operation.type",
    "messaging.system",
    "net.host.name",
    "net.host.port",
    "net.peer.ip",
    "net.peer.name",
    "net.peer.port",
    "net.sock.host.port",
    "net.sock.peer.addr",
    "net.sock.peer.port",
    "net.transport",
    "network.local.address",
    "network.local.port",
    "network.peer.address",
    "network.peer.port",
    "network.protocol.name",
    "network.protocol.version",
    "network.transport",
    "network.type",
    "os.type",
    "os.version",
    "otel.library.name",
    "otel.library.version",
    "otel.scope.name",
    "otel.scope.version",
    "otel.status_code",
    "otel.status_description",
    "peer.hostname",
    "peer.service",
    "process.command",
    "process.executable.name",
    "process.parent_pid",
    "process.pid",
    "process.runtime.name",
    "process.runtime.version",
    "rpc.grpc.status_code",
    "rpc.jsonrpc.error_code",
    "rpc.method",
    "rpc.service",
    "rpc.system",
    "server.address",
    "server.port",
    "service.instance.id",
    "service.name",
    "service.namespace",
    "service.version",
    "session.id",
    "source.port",
    "span.kind",
    "target",
    "telemetry.sdk.language",
    "telemetry.sdk.name",
    "telemetry.sdk.version",
    "thread.id",
    "thread.name",
    "url.full",
    "url.path",
    "url.query",
    "url.scheme",
    "user.id",
    "user_agent.original",
    "zipkin.debug",
    "zipkin.id",
    "zipkin.shared",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_without_repeats() {
        let sorted = KNOWN.windows(2).all(|pair| pair[0] < pair[1]);
        assert!(
            sorted,
            "KNOWN must be sorted and unique for the binary search"
        );
    }

    #[test]
    fn a_known_key_allocates_nothing_and_any_other_is_a_copy() {
        for key in KNOWN {
            let read = attribute_key(key.to_owned());
            assert!(read == key && !read.is_heap_allocated(), "{key}");
        }
        for key in ["rows", "http.methods", "", "HTTP.METHOD"] {
            assert_eq!(attribute_key(key), key);
        }
        let long = "an.unknown.attribute.key.of.some.length";
        assert!(attribute_key(long).is_heap_allocated());
    }
}
