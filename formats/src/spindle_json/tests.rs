//! The one-pass read against the careful read: the same model, warnings and errors.

#![allow(clippy::unwrap_used)]

use proptest::prelude::*;

use super::read::{read, read_careful};
use super::{one_pass, write};
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
        let whole = read(bytes, "s.json", options);
        let careful = read_careful(bytes, "s.json", options);
        // Compared as text: a NaN attribute is not equal to itself.
        prop_assert_eq!(format!("{whole:?}"), format!("{careful:?}"));
    }
    Ok(())
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
        assert_reads_agree(&bytes)?;
        assert_reads_agree(&[bytes, written(&other)].concat())?;
    }

    #[test]
    fn damaged_documents_read_as_the_careful_read_does(
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
