//! Talking to systemd (`sd_notify(3)`): `READY=1`, `RELOADING=1` with
//! `MONOTONIC_USEC=`, `STOPPING=1`, `WATCHDOG=1`, and the `STATUS=` line an
//! operator reads in `systemctl status`.
//!
//! Every message is sent from the main process (`NotifyAccess=main`); with
//! no `$NOTIFY_SOCKET` (not under systemd) they are no-ops. A failed send
//! is logged at debug level only: the service manager being gone is no
//! reason to stop serving.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sd_notify::NotifyState;
use tokio::sync::watch;

use crate::metrics::Metrics;

/// How often `STATUS=` is refreshed (only sent when its text changed).
const STATUS_EVERY: Duration = Duration::from_secs(1);

fn send(states: &[NotifyState]) {
    if let Err(err) = sd_notify::notify(false, states) {
        tracing::debug!("sd_notify: {err}");
    }
}

/// Start-up or a reload finished; `status` says what the daemon is doing.
pub fn ready(status: &str) {
    send(&[NotifyState::Ready, NotifyState::Status(status)]);
}

/// A reload begins (systemd ≥ 253 pairs it with `MONOTONIC_USEC=`).
pub fn reloading() {
    match NotifyState::monotonic_usec_now() {
        Ok(now) => send(&[
            NotifyState::Reloading,
            now,
            NotifyState::Status("reloading the configuration"),
        ]),
        Err(_) => send(&[NotifyState::Reloading]),
    }
}

/// Shutdown begins.
pub fn stopping() {
    send(&[NotifyState::Stopping, NotifyState::Status("stopping")]);
}

/// The daemon is healthy (see [`crate::watchdog`]).
pub fn watchdog() {
    send(&[NotifyState::Watchdog]);
}

/// Start-up is still progressing: systemd should wait `by` longer.
pub fn extend_start(by: Duration) {
    let usec = u32::try_from(by.as_micros()).unwrap_or(u32::MAX);
    send(&[
        NotifyState::ExtendTimeoutUsec(usec),
        NotifyState::Status("starting: ingesting the files found in the inbox"),
    ]);
}

/// A status text.
pub fn status(text: &str) {
    send(&[NotifyState::Status(text)]);
}

/// What the status line is made of.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Facts {
    /// Items published.
    pub items: u64,
    /// Channels with feeds.
    pub channels: usize,
    /// The last ingest: when, and which file.
    pub last_ingest: Option<(DateTime<Utc>, String)>,
    /// Files quarantined since start.
    pub quarantined: u64,
    /// Error lines logged since start.
    pub errors: u64,
    /// The last reload's failure, while the old configuration runs.
    pub reload_failed: Option<String>,
    /// What the watchdog finds wrong.
    pub unhealthy: Option<String>,
}

impl Facts {
    /// Gathers the facts from the counters and the problem channels.
    pub fn gather(
        metrics: &Metrics,
        reload_failed: Option<String>,
        unhealthy: Option<String>,
    ) -> Facts {
        let (errors, _) = crate::logging::counts();
        Facts {
            items: metrics.items.load(std::sync::atomic::Ordering::Relaxed),
            channels: metrics.channel_counts().len(),
            last_ingest: metrics
                .last_ingest()
                .and_then(|l| DateTime::from_timestamp(l.at, 0).map(|at| (at, l.file))),
            quarantined: metrics
                .bulletins_quarantined
                .load(std::sync::atomic::Ordering::Relaxed),
            errors,
            reload_failed,
            unhealthy,
        }
    }

    /// One line: `6 items in 2 channels; last ingest 12:00:03 UTC
    /// (a.txt); 1 quarantined, 2 errors logged`, then any problem.
    pub fn line(&self) -> String {
        let mut line = format!(
            "{} item{} in {} channel{}",
            self.items,
            plural(self.items),
            self.channels,
            plural(self.channels as u64)
        );
        match &self.last_ingest {
            Some((at, file)) => line.push_str(&format!(
                "; last ingest {} ({file})",
                at.format("%Y-%m-%d %H:%M:%S UTC")
            )),
            None => line.push_str("; nothing ingested since start"),
        }
        line.push_str(&format!(
            "; {} quarantined, {} error{} logged",
            self.quarantined,
            self.errors,
            plural(self.errors)
        ));
        if let Some(why) = &self.unhealthy {
            line.push_str(&format!("; UNHEALTHY: {why}"));
        }
        if let Some(why) = &self.reload_failed {
            line.push_str(&format!("; RELOAD FAILED, old configuration kept: {why}"));
        }
        line
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Sends `STATUS=` whenever its text changes (checked every second).
pub async fn report_status(
    metrics: Arc<Metrics>,
    reload_failed: watch::Receiver<Option<String>>,
    unhealthy: watch::Receiver<Option<String>>,
) {
    let mut last = String::new();
    let mut ticker = tokio::time::interval(STATUS_EVERY);
    loop {
        ticker.tick().await;
        let facts = Facts::gather(
            &metrics,
            reload_failed.borrow().clone(),
            unhealthy.borrow().clone(),
        );
        let line = facts.line();
        if line != last {
            status(&line);
            last = line;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_lines() {
        let mut f = Facts {
            items: 1,
            channels: 2,
            ..Facts::default()
        };
        assert_eq!(
            f.line(),
            "1 item in 2 channels; nothing ingested since start; 0 quarantined, 0 errors logged"
        );
        f.last_ingest = Some((
            DateTime::from_timestamp(1_670_544_000, 0).expect("time"),
            "江海/a.txt".into(),
        ));
        f.errors = 1;
        f.reload_failed = Some("config file c.toml, line 2, key `timezone`: bad".into());
        assert_eq!(
            f.line(),
            "1 item in 2 channels; last ingest 2022-12-09 00:00:00 UTC (江海/a.txt); 0 quarantined, \
             1 error logged; RELOAD FAILED, old configuration kept: config file c.toml, line 2, key `timezone`: bad"
        );
    }
}
