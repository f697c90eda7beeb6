//! The systemd watchdog: `WATCHDOG=1` only while the daemon is healthy, so
//! that a hung daemon is restarted instead of kept alive by a timer.
//!
//! Healthy means both:
//! - the ingest thread is idle or makes progress: no single piece of work
//!   (one inbox event, one publish) has been in hand for longer than the
//!   stall limit (the watchdog interval, so a daemon systemd would have
//!   killed for silence is also one we stop vouching for); and
//! - every HTTP accept loop answers a probe (see [`crate::http::control`]).
//!
//! Without `WATCHDOG_USEC` nothing is sent, but a stall is still logged and
//! shown in `STATUS=`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::watch;

use crate::http::ControlHandle;

/// Stall limit and check interval when systemd asks for no watchdog.
const UNWATCHED_STALL_LIMIT: Duration = Duration::from_secs(60);

/// What the ingest thread is doing, and since when.
#[derive(Debug)]
pub struct Heartbeat {
    origin: Instant,
    /// Milliseconds since `origin` (plus one) when the current work began;
    /// 0 while idle.
    busy_since: AtomicU64,
    doing: Mutex<String>,
}

impl Default for Heartbeat {
    fn default() -> Heartbeat {
        Heartbeat {
            origin: Instant::now(),
            busy_since: AtomicU64::new(0),
            doing: Mutex::new(String::new()),
        }
    }
}

impl Heartbeat {
    /// Work on `doing` starts now (and the previous piece is done).
    pub fn busy(&self, doing: impl Into<String>) {
        *lock(&self.doing) = doing.into();
        let ms = u64::try_from(self.origin.elapsed().as_millis()).unwrap_or(u64::MAX - 1);
        self.busy_since.store(ms + 1, Ordering::Relaxed);
    }

    /// Waiting for work.
    pub fn idle(&self) {
        self.busy_since.store(0, Ordering::Relaxed);
    }

    /// How long the current work has been in hand, and what it is, when
    /// that is longer than `limit`.
    pub fn stuck(&self, limit: Duration) -> Option<(Duration, String)> {
        let since = self.busy_since.load(Ordering::Relaxed);
        if since == 0 {
            return None;
        }
        let started = Duration::from_millis(since - 1);
        let held = self.origin.elapsed().saturating_sub(started);
        (held > limit).then(|| (held, lock(&self.doing).clone()))
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The interval systemd expects pings within, if it expects any.
pub fn interval() -> Option<Duration> {
    let mut usec = 0;
    (sd_notify::watchdog_enabled(false, &mut usec) && usec > 0).then(|| Duration::from_micros(usec))
}

/// Checks health every quarter of the interval and pings systemd while
/// healthy; publishes the current problem (for `STATUS=`) into `problem`.
/// Runs until the task is dropped.
pub async fn run(
    heartbeat: Arc<Heartbeat>,
    http: Arc<ControlHandle>,
    interval: Option<Duration>,
    problem: watch::Sender<Option<String>>,
) {
    let limit = interval.unwrap_or(UNWATCHED_STALL_LIMIT);
    // A ping at least every half interval (sd_watchdog_enabled(3)), with
    // room for the probe: check every quarter, probe within an eighth.
    let tick = (limit / 4).max(Duration::from_millis(20));
    let probe_within = (limit / 8).max(Duration::from_millis(10));
    let mut ticker = tokio::time::interval(tick);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        let mut why = heartbeat.stuck(limit).map(|(held, doing)| {
            format!("ingest thread stuck for {} s on {doing}", held.as_secs())
        });
        if why.is_none() && !http.probe(probe_within).await {
            why = Some(format!(
                "an HTTP accept loop did not answer within {probe_within:?}"
            ));
        }
        match (&why, problem.borrow().as_ref()) {
            (Some(now), None) => {
                tracing::error!("unhealthy: {now}; not pinging the systemd watchdog");
            }
            (None, Some(_)) => tracing::info!("healthy again"),
            _ => {}
        }
        let healthy = why.is_none();
        problem.send_if_modified(|old| {
            let changed = old.is_some() != why.is_some();
            *old = why;
            changed
        });
        if healthy && interval.is_some() {
            crate::notify::watchdog();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idle_is_never_stuck_and_busy_is_after_the_limit() {
        let beat = Heartbeat::default();
        assert_eq!(beat.stuck(Duration::ZERO), None);
        beat.busy("a.txt");
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(beat.stuck(Duration::from_secs(60)), None);
        let (_, doing) = beat.stuck(Duration::ZERO).expect("stuck past zero");
        assert_eq!(doing, "a.txt");
        beat.idle();
        assert_eq!(beat.stuck(Duration::ZERO), None);
    }
}
