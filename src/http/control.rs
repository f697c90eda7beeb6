//! What the daemon changes or asks while the server runs: the
//! `Cache-Control` max-age and the connection cap (both follow a reload),
//! and a probe the watchdog uses to see that each accept loop still turns.
//!
//! The probe is a number: the watchdog publishes a new one and every accept
//! loop echoes it into its own cell between two accepts. An accept loop
//! that stopped turning (a wedged runtime, a loop stuck on something) leaves
//! its cell behind, and the watchdog stops vouching for the process.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;
use hyper::header::HeaderValue;
use tokio::sync::watch;

use super::service::cache_control;

/// The server's side: read by one accept loop and its requests.
#[derive(Debug, Clone)]
pub struct Control {
    /// `Cache-Control` of feeds and pages (read by every request, without
    /// a lock).
    pub cache_control: Arc<ArcSwap<HeaderValue>>,
    /// Connections served at once, across all listeners.
    pub max_connections: Arc<AtomicUsize>,
    /// The latest probe number.
    pub probe: watch::Receiver<u64>,
    /// This loop's echo of the probe.
    pub answered: Arc<AtomicU64>,
}

/// The daemon's side: changes settings and probes the loops.
#[derive(Debug)]
pub struct ControlHandle {
    cache_control: Arc<ArcSwap<HeaderValue>>,
    max_connections: Arc<AtomicUsize>,
    probe: watch::Sender<u64>,
    answered: Vec<Arc<AtomicU64>>,
}

/// How often a probe checks whether every loop has answered.
const PROBE_POLL: Duration = Duration::from_millis(5);

impl ControlHandle {
    /// Settings for a server starting with `max_age` and `max_connections`.
    pub fn new(max_age: u32, max_connections: usize) -> ControlHandle {
        ControlHandle {
            cache_control: Arc::new(ArcSwap::from_pointee(cache_control(max_age))),
            max_connections: Arc::new(AtomicUsize::new(max_connections.max(1))),
            probe: watch::channel(0).0,
            answered: Vec::new(),
        }
    }

    /// The control for one more accept loop.
    pub fn control(&mut self) -> Control {
        let answered = Arc::new(AtomicU64::new(0));
        self.answered.push(Arc::clone(&answered));
        Control {
            cache_control: Arc::clone(&self.cache_control),
            max_connections: Arc::clone(&self.max_connections),
            probe: self.probe.subscribe(),
            answered,
        }
    }

    /// Serves `max-age=N` from now on.
    pub fn set_max_age(&self, max_age: u32) {
        self.cache_control.store(Arc::new(cache_control(max_age)));
    }

    /// Caps connections at `n` from now on (open ones stay).
    pub fn set_max_connections(&self, n: usize) {
        self.max_connections.store(n.max(1), Ordering::Relaxed);
    }

    /// Asks every accept loop to answer; `true` when all did within `within`.
    pub async fn probe(&self, within: Duration) -> bool {
        let n = self.probe.borrow().wrapping_add(1);
        self.probe.send_replace(n);
        let deadline = tokio::time::Instant::now() + within;
        loop {
            if self.answered.iter().all(|a| a.load(Ordering::Relaxed) == n) {
                return true;
            }
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(PROBE_POLL).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_loop_that_does_not_answer_fails_the_probe() {
        let mut handle = ControlHandle::new(60, 10);
        let mut control = handle.control();
        assert!(!handle.probe(Duration::from_millis(30)).await);
        let echo = tokio::spawn(async move {
            while control.probe.changed().await.is_ok() {
                let n = *control.probe.borrow_and_update();
                control.answered.store(n, Ordering::Relaxed);
            }
        });
        assert!(handle.probe(Duration::from_secs(5)).await);
        echo.abort();
    }
}
