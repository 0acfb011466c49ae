use spindle::semconv::cache;
use spindle::{SpanKind, Status, Value};
use spindle_formats::find_attribute;

use super::{has, only_span, text};

#[test]
fn a_lookup_says_hit_or_miss() {
    for hit in [true, false] {
        let span = only_span(|| {
            let mut lookup = cache::lookup("redis", "GET").namespace("sessions").start();
            lookup.record_hit(hit);
        });
        assert_eq!(span.name, "GET sessions");
        assert_eq!(span.kind, SpanKind::Client);
        assert_eq!(text(&span, "db.system.name"), "redis");
        assert_eq!(text(&span, "db.operation.name"), "GET");
        assert_eq!(text(&span, "db.namespace"), "sessions");
        assert_eq!(
            find_attribute(&span.attributes, "cache.hit"),
            Some(&Value::Bool(hit))
        );
        assert_eq!(span.status, Status::Unset, "a miss is no error");
    }
}

#[test]
fn the_key_is_recorded_only_when_asked() {
    let without = only_span(|| drop(cache::lookup("moka", "get").in_process().start()));
    assert_eq!(
        (without.kind, has(&without, "cache.key")),
        (SpanKind::Internal, false)
    );
    let with = only_span(|| drop(cache::lookup("redis", "GET").key("user:7").start()));
    assert_eq!(text(&with, "cache.key"), "user:7");
}
