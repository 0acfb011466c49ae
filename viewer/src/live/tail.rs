//! Following a file that grows by lines (Spindle JSON, OTLP JSON Lines, Zipkin lists one per
//! line): only the bytes appended since the last read are read and decoded, up to the last
//! complete line; a file that was rewritten, shrank, or is not made of lines is loaded again
//! instead.

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use spindle_formats::{Format, ReadOptions, TraceData, Warning};

use crate::load::{FileInfo, Stamp};

/// Appended bytes read at most in one go; more is loaded again in the background instead
/// (reading happens on the UI thread).
pub const MAX_TAIL_BYTES: u64 = 64 << 20;

/// Where lines appended after `bytes` would start: just after its last line end. `None` for
/// bytes with no line end, or gzip-compressed bytes.
pub fn lines_end(bytes: &[u8]) -> Option<u64> {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        return None;
    }
    let last = bytes.iter().rposition(|&b| b == b'\n')?;
    Some(last as u64 + 1)
}

/// What a changed file gave.
#[derive(Debug)]
pub enum Tailed {
    /// Nothing complete was appended (a line is still being written, or nothing changed);
    /// the file's stamp now.
    Nothing { stamp: Option<Stamp> },
    /// Complete lines were appended: their spans, the reader's warnings, where the next
    /// lines start, and the file's stamp now.
    Lines {
        data: TraceData,
        warnings: Vec<Warning>,
        tail_from: u64,
        stamp: Option<Stamp>,
    },
    /// The file has to be loaded again (rewritten, shorter, not lines, or too much at once).
    Reload,
}

/// Reads the complete lines appended to `file` since it was read.
pub fn read_appended(file: &FileInfo) -> Tailed {
    let stamp = Stamp::of(&file.path);
    if stamp == file.stamp {
        return Tailed::Nothing { stamp };
    }
    let (Some(from), Some(format), Some(now)) = (file.tail_from, file.format, stamp) else {
        return Tailed::Reload;
    };
    let shrank = now.len < file.stamp.map_or(0, |s| s.len);
    match now.len.checked_sub(from) {
        Some(appended) if !shrank && appended <= MAX_TAIL_BYTES => {}
        _ => return Tailed::Reload,
    }
    match read_range(&file.path, from, now.len) {
        Ok(bytes) => decode(&file.path, &bytes, from, format, stamp),
        Err(_) => Tailed::Reload,
    }
}

/// The bytes `from..to` of the file, checking that the byte before `from` ends a line (so
/// the file was appended to, not rewritten).
fn read_range(path: &Path, from: u64, to: u64) -> std::io::Result<Vec<u8>> {
    let mut file = std::fs::File::open(path)?;
    let start = from.saturating_sub(1);
    file.seek(SeekFrom::Start(start))?;
    let mut bytes = Vec::with_capacity((to - start) as usize);
    file.take(to - start).read_to_end(&mut bytes)?;
    if from > 0 && bytes.first() != Some(&b'\n') {
        return Err(std::io::Error::other("the file was rewritten"));
    }
    if from > 0 {
        bytes.remove(0);
    }
    Ok(bytes)
}

fn decode(path: &Path, bytes: &[u8], from: u64, format: Format, stamp: Option<Stamp>) -> Tailed {
    let Some(end) = lines_end(bytes) else {
        return Tailed::Nothing { stamp };
    };
    let complete = &bytes[..end as usize];
    if complete.iter().all(u8::is_ascii_whitespace) {
        return Tailed::Lines {
            data: TraceData::default(),
            warnings: Vec::new(),
            tail_from: from + end,
            stamp,
        };
    }
    let source = format!("{} (from byte {from})", path.display());
    match spindle_formats::read(complete, &source, ReadOptions::default()) {
        Ok(loaded) if loaded.format == format => Tailed::Lines {
            data: loaded.data,
            warnings: loaded.warnings,
            tail_from: from + end,
            stamp,
        },
        _ => Tailed::Reload,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture;

    fn spindle_line(data: &TraceData) -> Vec<u8> {
        let mut bytes = Vec::new();
        spindle_formats::write_spindle_json(data, &mut bytes).expect("write");
        bytes
    }

    fn opened(path: &Path, bytes: &[u8]) -> FileInfo {
        std::fs::write(path, bytes).expect("write");
        FileInfo {
            path: path.to_path_buf(),
            format: Some(Format::Spindle),
            spans: 0,
            stamp: Stamp::of(path),
            tail_from: lines_end(bytes),
        }
    }

    fn temp(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("spindle-tail-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        dir.join(name)
    }

    #[test]
    fn line_ends_and_gzip() {
        assert_eq!(lines_end(b"{}\n{"), Some(3));
        assert_eq!(lines_end(b"{}"), None);
        assert_eq!(lines_end(&[0x1f, 0x8b, b'\n']), None);
    }

    #[test]
    fn only_complete_appended_lines_are_read() {
        let path = temp("appended.jsonl");
        let line = spindle_line(&fixture::shop());
        let mut file = opened(&path, &line);
        let mut grown = line.clone();
        grown.extend_from_slice(&line);
        grown.extend_from_slice(&line[..10]);
        std::fs::write(&path, &grown).expect("append");
        match read_appended(&file) {
            Tailed::Lines {
                data, tail_from, ..
            } => {
                assert_eq!(data.spans.len(), fixture::shop().spans.len());
                assert_eq!(tail_from, 2 * line.len() as u64);
                file.tail_from = Some(tail_from);
                file.stamp = Stamp::of(&path);
            }
            other => panic!("expected lines, got {other:?}"),
        }
        assert!(matches!(read_appended(&file), Tailed::Nothing { .. }));
    }

    #[test]
    fn a_rewritten_or_shorter_file_is_loaded_again() {
        let path = temp("rewritten.jsonl");
        let line = spindle_line(&fixture::shop());
        let file = opened(&path, &line);
        let mut other = vec![b' '; line.len() + 5];
        other.extend_from_slice(&line);
        std::fs::write(&path, &other).expect("rewrite");
        assert!(matches!(read_appended(&file), Tailed::Reload));
        std::fs::write(&path, &line[..5]).expect("shorter");
        assert!(matches!(read_appended(&file), Tailed::Reload));
    }
}
