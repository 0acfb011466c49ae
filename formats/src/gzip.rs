//! gzip-compressed input of every format (`trace.json.gz`, a Collector file exporter's
//! `compression: gzip`), told by its magic bytes `1f 8b`, never by the file name.
//!
//! Every member of a multi-member file (appended `gzip` runs) is read. A stream cut short or
//! damaged keeps what was decompressed before the problem, with a warning at the byte of the
//! compressed input where it was found.

use std::io::Read;

use flate2::bufread::MultiGzDecoder;

use crate::context::ReadContext;
use crate::error::{Problem, Warning};

/// True if the input starts with gzip's magic bytes.
pub(crate) fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0x1f, 0x8b])
}

/// The decompressed bytes, and the problem that ended decompression early, if one did.
pub(crate) fn decompress(bytes: &[u8], source: &str) -> (Vec<u8>, Option<Warning>) {
    let mut rest = bytes;
    let mut out = Vec::with_capacity(bytes.len().saturating_mul(4));
    let mut decoder = MultiGzDecoder::new(&mut rest);
    let result = decoder.read_to_end(&mut out);
    drop(decoder);
    let problem = result.err().map(|error| {
        let at = bytes.len() - rest.len();
        let context = ReadContext::new(bytes, source, false);
        let message = error.to_string();
        context.binary_warning(at, String::new(), Problem::Gzip { message })
    });
    (out, problem)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        let written = encoder.write_all(bytes).and_then(|()| encoder.finish());
        written.unwrap_or_default()
    }

    #[test]
    fn reads_every_member_and_keeps_what_came_before_a_cut() {
        let mut two = gzip(b"hello ");
        two.extend(gzip(b"world"));
        assert!(is_gzip(&two));
        assert_eq!(decompress(&two, "t.gz"), (b"hello world".to_vec(), None));
        let long: Vec<u8> = (0..100_000u32).flat_map(|i| i.to_le_bytes()).collect();
        let packed = gzip(&long);
        let (cut, warning) = decompress(&packed[..packed.len() / 2], "t.gz");
        assert!(!cut.is_empty() && long.starts_with(&cut));
        let warning = warning.map(|w| w.to_string()).unwrap_or_default();
        assert!(warning.starts_with("t.gz (byte "), "{warning}");
        assert!(!is_gzip(b"{}"));
    }
}
