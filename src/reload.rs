//! Reload (`systemctl reload`, SIGHUP): read the configuration again with
//! the same command line and environment, and apply what can be applied to
//! a running daemon.
//!
//! Live: feed `title`, `description`, `language`, `author`,
//! `items_per_feed`, `timezone` (for bulletins ingested from now on),
//! `on_delete`, `max_bytes` (through the ingest thread, which renders every
//! feed again and swaps the snapshot in at once: requests never wait and
//! never see half of it), `max_age`, `max_connections` (the HTTP tasks) and
//! `log`. Needing a restart, and named in the log when changed: `listen`,
//! `state_dir`, `inbox`, `feeds_dir`, `quarantine_dir`, `base_url` (item
//! ids and links derive from it) and `settle_ms`.
//!
//! An invalid file changes nothing: the error (file, line, key) is logged
//! and shown in `STATUS=` until a reload succeeds.

use std::sync::mpsc::Sender;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{oneshot, watch};

use crate::config::{Config, ServeArgs};
use crate::http::ControlHandle;
use crate::ingest::{Reconfigure, Work};
use crate::logging::LogHandle;
use crate::metrics::Metrics;

/// How long a reload waits for the ingest thread to render with the new
/// settings before it stops waiting (they still apply when it gets there).
const RELOAD_WAIT: Duration = Duration::from_secs(30);

/// Everything a reload touches.
pub struct Reloader {
    /// The command line (and environment) the daemon started with.
    pub args: ServeArgs,
    /// The configuration in force.
    pub current: Config,
    /// The ingest thread's queue.
    pub work: Sender<Work>,
    /// The HTTP tasks' live settings.
    pub http: Arc<ControlHandle>,
    /// The log filter, when this process installed the logger.
    pub logging: Option<Arc<LogHandle>>,
    /// The soft descriptor limit, which bounds `max_connections`.
    pub nofile: u64,
    /// Reload counters and the connection cap gauge.
    pub metrics: Arc<Metrics>,
    /// The last reload's failure, for `STATUS=`.
    pub failed: watch::Sender<Option<String>>,
}

impl Reloader {
    /// Reloads, telling systemd (`RELOADING=1` … `READY=1`).
    pub async fn reload(&mut self) {
        tracing::info!("SIGHUP: reloading the configuration");
        crate::notify::reloading();
        match self.try_reload().await {
            Ok(summary) => {
                tracing::info!("reloaded: {summary}");
                Metrics::bump(&self.metrics.reloads_ok);
                self.failed.send_replace(None);
            }
            Err(why) => {
                tracing::error!("reload failed, the previous configuration stays in force: {why}");
                Metrics::bump(&self.metrics.reloads_failed);
                self.failed.send_replace(Some(why));
            }
        }
        let facts = crate::notify::Facts::gather(&self.metrics, self.failed.borrow().clone(), None);
        crate::notify::ready(&facts.line());
    }

    async fn try_reload(&mut self) -> Result<String, String> {
        let new = Config::resolve(&self.args).map_err(|e| e.to_string())?;
        if let Some(logging) = &self.logging {
            logging.apply(&new.log)?;
        }
        for warning in &new.warnings {
            tracing::warn!("{warning}");
        }
        let restart = restart_needed(&self.current, &new);
        if !restart.is_empty() {
            tracing::warn!(
                "changed, but only a restart applies them: {}",
                restart.join(", ")
            );
        }
        let live = live_changes(&self.current, &new);
        let running = keep_restart_settings(&self.current, new);
        if renders_differ(&self.current, &running) {
            self.rerender(&running).await?;
        }
        self.http.set_max_age(running.max_age);
        let cap = crate::capacity::connection_cap(running.max_connections, self.nofile);
        self.http.set_max_connections(cap);
        self.metrics
            .connections_max
            .store(cap as u64, std::sync::atomic::Ordering::Relaxed);
        self.current = running;
        Ok(match live.is_empty() {
            true => "no live setting changed".to_string(),
            false => format!("applied {}", live.join(", ")),
        })
    }

    /// Has the ingest thread render everything with `config`, and waits.
    async fn rerender(&self, config: &Config) -> Result<(), String> {
        let (done, answer) = oneshot::channel();
        let request = Reconfigure {
            config: config.clone(),
            done,
        };
        self.work
            .send(Work::Reconfigure(Box::new(request)))
            .map_err(|_| "the ingest thread is gone".to_string())?;
        match tokio::time::timeout(RELOAD_WAIT, answer).await {
            Ok(Ok(result)) => result,
            Ok(Err(_)) => Err("the ingest thread stopped during the reload".into()),
            Err(_) => {
                tracing::warn!(
                    "the ingest thread did not get to the new settings within {RELOAD_WAIT:?}; \
                     they apply when it does"
                );
                Ok(())
            }
        }
    }
}

/// The settings that differ and only apply at the next start.
pub fn restart_needed(old: &Config, new: &Config) -> Vec<String> {
    let mut out = Vec::new();
    let mut check = |key: &str, a: String, b: String| {
        if a != b {
            out.push(format!("{key} ({a} -> {b})"));
        }
    };
    check("listen", old.listen.to_string(), new.listen.to_string());
    check("state_dir", path(&old.state_dir), path(&new.state_dir));
    check("store", old.store.to_string(), new.store.to_string());
    check("inbox", path(&old.inbox), path(&new.inbox));
    check("feeds_dir", path(&old.feeds_dir), path(&new.feeds_dir));
    check(
        "quarantine_dir",
        path(&old.quarantine_dir),
        path(&new.quarantine_dir),
    );
    check(
        "base_url",
        format!("{:?}", old.base_url),
        format!("{:?}", new.base_url),
    );
    check("settle_ms", ms(old.settle), ms(new.settle));
    if old.websub != new.websub {
        out.push("[websub]".to_string());
    }
    out
}

fn path(p: &std::path::Path) -> String {
    p.display().to_string()
}

fn ms(d: Duration) -> String {
    d.as_millis().to_string()
}

/// The live settings that differ, by key.
pub fn live_changes(old: &Config, new: &Config) -> Vec<&'static str> {
    [
        ("title", old.title != new.title),
        ("description", old.description != new.description),
        ("language", old.language != new.language),
        ("author", old.author != new.author),
        ("items_per_feed", old.items_per_feed != new.items_per_feed),
        ("max_age", old.max_age != new.max_age),
        ("timezone", old.timezone != new.timezone),
        ("on_delete", old.on_delete != new.on_delete),
        ("max_bytes", old.max_bytes != new.max_bytes),
        (
            "max_connections",
            old.max_connections != new.max_connections,
        ),
        ("log", old.log != new.log),
    ]
    .into_iter()
    .filter_map(|(key, changed)| changed.then_some(key))
    .collect()
}

/// Whether the ingest thread must take the new settings (and render).
fn renders_differ(old: &Config, new: &Config) -> bool {
    old.title != new.title
        || old.description != new.description
        || old.language != new.language
        || old.author != new.author
        || old.items_per_feed != new.items_per_feed
        || old.timezone != new.timezone
        || old.on_delete != new.on_delete
        || old.max_bytes != new.max_bytes
}

/// `new`, with the settings that need a restart kept as they run now.
fn keep_restart_settings(old: &Config, new: Config) -> Config {
    Config {
        listen: old.listen,
        state_dir: old.state_dir.clone(),
        store: old.store.clone(),
        inbox: old.inbox.clone(),
        feeds_dir: old.feeds_dir.clone(),
        quarantine_dir: old.quarantine_dir.clone(),
        base_url: old.base_url.clone(),
        settle: old.settle,
        websub: old.websub.clone(),
        ..new
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn live_and_restart_settings_are_told_apart() {
        let old = Config::for_preview(None).expect("defaults");
        let mut new = old.clone();
        new.title = "New".into();
        new.items_per_feed = 3;
        new.listen = "127.0.0.1:9999".parse().expect("addr");
        new.inbox = "/elsewhere".into();
        assert_eq!(live_changes(&old, &new), ["title", "items_per_feed"]);
        let restart = restart_needed(&old, &new);
        assert_eq!(restart.len(), 2, "{restart:?}");
        assert!(restart[0].starts_with("listen (127.0.0.1:8080 -> 127.0.0.1:9999)"));
        let running = keep_restart_settings(&old, new);
        assert_eq!(running.listen, old.listen);
        assert_eq!(running.inbox, old.inbox);
        assert_eq!(running.title, "New");
        assert!(renders_differ(&old, &running));
    }
}
