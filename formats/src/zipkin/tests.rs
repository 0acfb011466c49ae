//! The hand-written writer against the serde-based reference writer (byte-for-byte equal output
//! for arbitrary models), and the one-pass read against the careful read.

#![allow(clippy::unwrap_used)]

use proptest::prelude::*;

use super::read::{read, read_careful};
use super::{one_pass, reference, write};
use crate::arbitrary::model;
use crate::loaded::ReadOptions;
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

/// The one-pass read and the careful read of the same bytes, lenient and strict.
fn assert_reads_agree(bytes: &[u8]) -> Result<(), TestCaseError> {
    for strict in [false, true] {
        let options = ReadOptions { strict };
        let whole = read(bytes, "z.json", options);
        let careful = read_careful(bytes, "z.json", options);
        // Compared as text: a NaN attribute is not equal to itself.
        prop_assert_eq!(format!("{whole:?}"), format!("{careful:?}"));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn one_pass_reads_a_clean_list_as_the_careful_read_does(data in model()) {
        let bytes = written(&data);
        prop_assert_eq!(one_pass::read(&bytes).is_some(), !data.spans.is_empty());
        assert_reads_agree(&bytes)?;
        let nested = format!("[{}]", String::from_utf8_lossy(&bytes).trim_end());
        assert_reads_agree(nested.as_bytes())?;
    }

    #[test]
    fn a_damaged_list_reads_as_the_careful_read_does(
        data in model(),
        at in any::<prop::sample::Index>(),
        byte in prop_oneof![Just(b'"'), Just(b'}'), Just(b'x'), Just(b'1'), Just(0xff), any::<u8>()],
        cut in any::<bool>(),
    ) {
        let mut bytes = written(&data);
        let at = at.index(bytes.len());
        if cut {
            bytes.truncate(at);
        } else {
            bytes[at] = byte;
        }
        assert_reads_agree(&bytes)?;
    }
}
