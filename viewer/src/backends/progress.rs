//! How much of an answer has arrived: bytes counted by the request's thread, read by the
//! window's (atomics, no lock).

use std::sync::atomic::{AtomicU64, Ordering};

/// Bytes received so far and the length the server announced (0: not announced), plus
/// whether the spans are being read.
#[derive(Debug, Default)]
pub struct Progress {
    received: AtomicU64,
    total: AtomicU64,
    reading: std::sync::atomic::AtomicBool,
}

impl Progress {
    /// The announced length of the answer now coming (`None`: not announced); the count
    /// starts again.
    pub(super) fn expect(&self, total: Option<u64>) {
        self.received.store(0, Ordering::Relaxed);
        self.total.store(total.unwrap_or(0), Ordering::Relaxed);
    }

    /// `n` more bytes arrived.
    pub(super) fn received(&self, n: usize) {
        self.received.fetch_add(n as u64, Ordering::Relaxed);
    }

    /// All bytes are in; the spans are being read.
    pub(super) fn reading(&self) {
        self.reading.store(true, Ordering::Relaxed);
    }

    /// Bytes received so far and the announced length.
    pub fn bytes(&self) -> (u64, Option<u64>) {
        let total = self.total.load(Ordering::Relaxed);
        (
            self.received.load(Ordering::Relaxed),
            (total > 0).then_some(total),
        )
    }

    /// In words: "412 KB of 1.2 MB received", "412 KB received", or "reading spans".
    pub fn describe(&self) -> String {
        if self.reading.load(Ordering::Relaxed) {
            return "reading spans".into();
        }
        match self.bytes() {
            (0, None) => "waiting for the answer".into(),
            (received, None) => format!("{} received", size(received)),
            (received, Some(total)) => format!("{} of {} received", size(received), size(total)),
        }
    }
}

/// Bytes as B, KB or MB (decimal).
fn size(bytes: u64) -> String {
    match bytes {
        0..1_000 => format!("{bytes} B"),
        1_000..1_000_000 => format!("{} KB", bytes / 1_000),
        _ => format!("{:.1} MB", bytes as f64 / 1e6),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_is_said_in_bytes_then_reading() {
        let progress = Progress::default();
        assert_eq!(progress.describe(), "waiting for the answer");
        progress.expect(Some(2_500_000));
        progress.received(412_345);
        assert_eq!(progress.describe(), "412 KB of 2.5 MB received");
        assert_eq!(progress.bytes(), (412_345, Some(2_500_000)));
        progress.expect(None);
        progress.received(999);
        assert_eq!(progress.describe(), "999 B received");
        progress.reading();
        assert_eq!(progress.describe(), "reading spans");
    }
}
