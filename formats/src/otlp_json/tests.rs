//! The whole-document read against the careful read: the same model, warnings and errors.

#![allow(clippy::unwrap_used)]

use proptest::prelude::*;

use super::read::{read, read_careful};
use super::write;
use crate::arbitrary::model;
use crate::loaded::ReadOptions;

fn written(data: &crate::model::TraceData) -> Vec<u8> {
    let mut bytes = Vec::new();
    write(data, &mut bytes).unwrap();
    bytes
}

fn assert_reads_agree(bytes: &[u8]) -> Result<(), TestCaseError> {
    for strict in [false, true] {
        let options = ReadOptions { strict };
        let whole = read(bytes, "t.json", options);
        let careful = read_careful(bytes, "t.json", options);
        // Compared as text: a NaN attribute is not equal to itself.
        prop_assert_eq!(format!("{whole:?}"), format!("{careful:?}"));
    }
    Ok(())
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
        assert_reads_agree(&bytes)?;
        let two_lines = [bytes.clone(), bytes].concat();
        assert_reads_agree(&two_lines)?;
    }

    #[test]
    fn a_damaged_document_reads_as_the_careful_read_does(
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
