//! The whole-document read against the careful read: the same model, warnings and errors.

#![allow(clippy::unwrap_used)]

use proptest::prelude::*;

use super::read::{read, read_careful};
use super::write;
use crate::arbitrary::{assert_reads_agree, damaged, model};
use crate::loaded::ReadOptions;

fn written(data: &crate::model::TraceData) -> Vec<u8> {
    let mut bytes = Vec::new();
    write(data, &mut bytes).unwrap();
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn a_sound_document_reads_as_the_careful_read_does(data in model()) {
        let bytes = written(&data);
        let careful = read_careful(&bytes, "t.json", ReadOptions::default());
        let clean = careful.is_ok_and(|loaded| loaded.warnings.is_empty());
        // A clean file takes the one-pass road.
        prop_assert_eq!(super::read::read_whole(&bytes).is_some(), clean);
        assert_reads_agree(read, read_careful, &bytes)?;
        let two_lines = [bytes.clone(), bytes].concat();
        assert_reads_agree(read, read_careful, &two_lines)?;
    }

    #[test]
    fn a_damaged_document_reads_as_the_careful_read_does(
        bytes in model().prop_flat_map(|data| damaged(written(&data))),
    ) {
        assert_reads_agree(read, read_careful, &bytes)?;
    }
}
