//! The hand-written writer against the serde-based reference writer (byte-for-byte equal output
//! for arbitrary models), and the one-pass read against the careful read.

#![allow(clippy::unwrap_used)]

use proptest::prelude::*;

use super::read::{read, read_careful};
use super::{one_pass, reference, write};
use crate::arbitrary::{assert_reads_agree, damaged, model};
use crate::model::{KeyValue, Resource, Scope, Span, TraceData};

fn both(data: &TraceData) -> (String, String) {
    let (mut new, mut old) = (Vec::new(), Vec::new());
    write(data, &mut new).unwrap();
    reference::write(data, &mut old).unwrap();
    (
        String::from_utf8(new).unwrap(),
        String::from_utf8(old).unwrap(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn writes_what_the_serde_writer_wrote(data in model()) {
        let (new, old) = both(&data);
        prop_assert_eq!(new, old);
    }
}

#[test]
fn resource_tags_give_way_to_span_attributes_with_their_key() {
    let data = TraceData {
        resources: vec![Resource {
            attributes: vec![
                KeyValue::new("service.name", "shop"),
                KeyValue::new("host.name", "a"),
                KeyValue::new("peer.service", "resource"),
                KeyValue::new("os.type", "linux"),
            ],
            ..Default::default()
        }],
        scopes: vec![Scope {
            name: "lib".into(),
            version: "1".into(),
            attributes: Vec::new(),
            ..Default::default()
        }],
        spans: vec![
            Span {
                attributes: vec![KeyValue::new("host.name", "b")],
                ..Span::default()
            },
            Span {
                attributes: vec![KeyValue::new("peer.service", "db")],
                ..Span::default()
            },
            Span::default(),
        ],
    };
    let (new, old) = both(&data);
    assert_eq!(new, old);
    assert!(
        new.contains(r#""tags":{"host.name":"b","peer.service":"resource","os.type":"linux","#)
    );
    assert!(new.contains(
        r#""remoteEndpoint":{"serviceName":"db"},"tags":{"host.name":"a","os.type":"linux","#
    ));
}

fn written(data: &TraceData) -> Vec<u8> {
    let mut bytes = Vec::new();
    write(data, &mut bytes).unwrap();
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn one_pass_reads_a_clean_list_as_the_careful_read_does(data in model()) {
        let bytes = written(&data);
        prop_assert_eq!(one_pass::read(&bytes).is_some(), !data.spans.is_empty());
        assert_reads_agree(read, read_careful, &bytes)?;
        let nested = format!("[{}]", String::from_utf8_lossy(&bytes).trim_end());
        assert_reads_agree(read, read_careful, nested.as_bytes())?;
    }

    #[test]
    fn a_damaged_list_reads_as_the_careful_read_does(
        bytes in model().prop_flat_map(|data| damaged(written(&data))),
    ) {
        assert_reads_agree(read, read_careful, &bytes)?;
    }
}
