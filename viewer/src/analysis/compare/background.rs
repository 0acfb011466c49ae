//! A comparison computed on a worker thread: the state a view keeps (idle, computing, ready)
//! and the swap when the result arrives. A newer request supersedes an older one: the older
//! result is dropped when it comes (its thread runs to its end; nothing waits for it). No egui:
//! the caller passes the repaint request to call when the result is ready.

use std::sync::mpsc::{Receiver, TryRecvError, channel};

/// Where a computation for key `K` with result `T` stands.
#[derive(Debug, Default)]
pub enum Background<K, T> {
    /// Nothing asked for yet.
    #[default]
    Idle,
    /// Running on a worker thread for `key`.
    Computing { key: K, rx: Receiver<T> },
    /// The result for `key`.
    Ready { key: K, value: T },
    /// The worker could not be started, or it ended without a result.
    Failed { key: K, reason: String },
}

impl<K: PartialEq, T: Send + 'static> Background<K, T> {
    /// The key asked for last, whatever its state.
    pub fn key(&self) -> Option<&K> {
        match self {
            Background::Idle => None,
            Background::Computing { key, .. }
            | Background::Ready { key, .. }
            | Background::Failed { key, .. } => Some(key),
        }
    }

    /// Starts `work` for `key` on a worker thread unless `key` is already asked for; `repaint`
    /// is called once the result is ready. Returns true when a computation was started.
    pub fn request(
        &mut self,
        key: K,
        work: impl FnOnce() -> T + Send + 'static,
        repaint: impl Fn() + Send + 'static,
    ) -> bool {
        if self.key() == Some(&key) {
            return false;
        }
        let (tx, rx) = channel();
        let spawned = std::thread::Builder::new()
            .name("spindle-compare".into())
            .spawn(move || {
                // The receiver is gone when a newer request superseded this one.
                let _ = tx.send(work());
                repaint();
            });
        *self = match spawned {
            Ok(_) => Background::Computing { key, rx },
            Err(e) => Background::Failed {
                key,
                reason: format!("cannot start the comparison thread: {e}"),
            },
        };
        true
    }

    /// Takes the result in when it has arrived; call once per frame.
    pub fn poll(&mut self) {
        let Background::Computing { rx, .. } = self else {
            return;
        };
        let outcome = match rx.try_recv() {
            Ok(value) => Ok(value),
            Err(TryRecvError::Empty) => return,
            Err(TryRecvError::Disconnected) => Err(()),
        };
        if let Background::Computing { key, .. } = std::mem::take(self) {
            *self = match outcome {
                Ok(value) => Background::Ready { key, value },
                Err(()) => Background::Failed {
                    key,
                    reason: "the comparison ended without a result".into(),
                },
            };
        }
    }

    /// The result, when ready.
    pub fn ready(&self) -> Option<&T> {
        match self {
            Background::Ready { value, .. } => Some(value),
            _ => None,
        }
    }

    /// The result, when ready, to change (a view's caches).
    pub fn ready_mut(&mut self) -> Option<&mut T> {
        match self {
            Background::Ready { value, .. } => Some(value),
            _ => None,
        }
    }

    /// True while a worker computes.
    pub fn is_computing(&self) -> bool {
        matches!(self, Background::Computing { .. })
    }

    /// Forgets what was asked (the next request starts anew).
    pub fn clear(&mut self) {
        *self = Background::Idle;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    fn wait(job: &mut Background<u32, u32>) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while job.is_computing() {
            assert!(Instant::now() < deadline, "the worker did not answer");
            std::thread::sleep(Duration::from_millis(2));
            job.poll();
        }
    }

    #[test]
    fn the_result_arrives_and_the_same_request_is_not_started_again() {
        let mut job = Background::default();
        assert!(job.ready().is_none());
        assert!(job.request(1, || 10, || {}));
        assert!(!job.request(1, || 99, || {}), "already asked for");
        wait(&mut job);
        assert_eq!((job.key(), job.ready()), (Some(&1), Some(&10)));
    }

    #[test]
    fn a_newer_request_supersedes_an_older_one() {
        let mut job = Background::default();
        let slow = || {
            std::thread::sleep(Duration::from_millis(200));
            1
        };
        job.request(1, slow, || {});
        job.request(2, || 2, || {});
        wait(&mut job);
        assert_eq!((job.key(), job.ready()), (Some(&2), Some(&2)));
        std::thread::sleep(Duration::from_millis(300));
        job.poll();
        assert_eq!(job.ready(), Some(&2), "the older result is dropped");
    }

    #[test]
    fn repaint_is_requested_when_the_result_is_ready() {
        let (tx, rx) = channel();
        let mut job = Background::default();
        job.request(3, || 30, move || tx.send(()).expect("test receiver"));
        rx.recv_timeout(Duration::from_secs(10)).expect("a repaint");
        job.poll();
        assert_eq!(job.ready(), Some(&30));
    }

    #[test]
    fn a_worker_that_panics_leaves_a_failure_to_show() {
        let mut job: Background<u32, u32> = Background::default();
        job.request(4, || panic!("boom"), || {});
        wait(&mut job);
        assert!(matches!(job, Background::Failed { key: 4, .. }));
    }
}
