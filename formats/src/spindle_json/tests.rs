//! The one-pass read against the careful read: the same model, warnings and errors.

#![allow(clippy::unwrap_used)]

use proptest::prelude::*;

use super::read::{read, read_careful};
use super::{one_pass, write};
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
    fn sound_documents_read_as_the_careful_read_does(data in model(), other in model()) {
        let bytes = written(&data);
        let careful = read_careful(&bytes, "s.json", ReadOptions::default());
        let clean = careful.is_ok_and(|loaded| loaded.warnings.is_empty());
        // A clean file takes the one-pass road.
        prop_assert_eq!(one_pass::read(&bytes).is_some(), clean);
        assert_reads_agree(read, read_careful, &bytes)?;
        assert_reads_agree(read, read_careful, &[bytes, written(&other)].concat())?;
    }

    #[test]
    fn damaged_documents_read_as_the_careful_read_does(
        bytes in model().prop_flat_map(|data| damaged(written(&data))),
    ) {
        assert_reads_agree(read, read_careful, &bytes)?;
    }
}
