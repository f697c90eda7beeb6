//! What the ingest thread is given besides inbox events, what it hands
//! back, and the bookkeeping of one batch: the files it brought in (for
//! the inbox-to-publish latency) and the metrics of each publish.

use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use tokio::sync::{oneshot, watch};

use crate::config::Config;
use crate::inbox::InboxEvent;
use crate::metrics::Metrics;
use crate::render::{Latest, Published};
use crate::store::Changes;
use crate::watchdog::Heartbeat;

/// One piece of work for the ingest thread, in arrival order.
#[derive(Debug)]
pub enum Work {
    /// Something happened in the inbox.
    Inbox(InboxEvent),
    /// A reload: apply these settings, render everything again, publish.
    Reconfigure(Box<Reconfigure>),
    /// This node took the ingest lock: ingest from now on (a rescan of the
    /// inbox follows).
    Lead,
    /// This node lost its database session: stop ingesting, follow.
    Follow,
    /// The ingest node published something (or the session is back):
    /// a follower reads the log.
    Refresh,
}

impl From<InboxEvent> for Work {
    fn from(event: InboxEvent) -> Work {
        Work::Inbox(event)
    }
}

/// New settings, and where to say when they are in force.
#[derive(Debug)]
pub struct Reconfigure {
    /// The new configuration (only its live settings are used).
    pub config: Config,
    /// Answered once the new snapshot is served and the pages are written,
    /// or with why not.
    pub done: oneshot::Sender<Result<(), String>>,
}

/// How the ingest thread talks to the rest of the daemon.
#[derive(Debug)]
pub struct Links {
    /// Where each new snapshot goes.
    pub published: Latest,
    /// Set at shutdown: finish the file in hand, then return.
    pub stop: Arc<AtomicBool>,
    /// What the thread is doing, for the watchdog.
    pub heartbeat: Arc<Heartbeat>,
    /// Counts full inbox scans whose files are ingested and published.
    pub scans: watch::Sender<u64>,
    /// Told which feeds each new snapshot changed (WebSub), when on.
    pub websub: Option<crate::websub::Notifier>,
    /// Whether this node runs ingest (`ingest_node`): only that one
    /// delivers to WebSub subscribers.
    pub metrics: Arc<Metrics>,
}

impl Links {
    /// Swaps in `snapshot` for the HTTP tasks, tells WebSub which feeds
    /// changed, and returns the snapshot it replaces.
    pub(super) fn hand_over(&self, snapshot: Arc<Published>) -> Arc<Published> {
        let old = self.published.swap(Arc::clone(&snapshot));
        let ingest_node = self.metrics.ingest_node.load(Ordering::Relaxed) != 0;
        if let (Some(websub), true) = (&self.websub, ingest_node) {
            websub.published(&old, &snapshot);
        }
        old
    }
}

/// Changes not yet published, and when the files behind them arrived.
#[derive(Debug)]
pub(super) struct Batch {
    pub changes: Changes,
    pub arrivals: Vec<SystemTime>,
    /// When the batch began or was last published.
    pub since: Instant,
}

impl Batch {
    pub fn new() -> Batch {
        Batch {
            changes: Changes::default(),
            arrivals: Vec::new(),
            since: Instant::now(),
        }
    }

    /// Starts over after a publish.
    pub fn reset(&mut self) {
        self.changes = Changes::default();
        self.arrivals.clear();
        self.since = Instant::now();
    }
}

/// When `path` landed in the inbox: its ctime, which a write, a rename
/// into place or a link sets. Files older than the daemon (found by the
/// start-up scan) have no arrival to measure.
pub(super) fn landed(path: &Path, daemon_started: SystemTime) -> Option<SystemTime> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    let secs = u64::try_from(meta.ctime()).ok()?;
    let nanos = u32::try_from(meta.ctime_nsec()).ok()?;
    let at = SystemTime::UNIX_EPOCH + Duration::new(secs, nanos);
    (at >= daemon_started).then_some(at)
}

/// The metrics of one publish: its duration, the bytes that changed, the
/// snapshot's size, and each arrival's wait.
pub(super) fn record_publish(
    metrics: &Metrics,
    old: &Published,
    new: &Published,
    took: Duration,
    arrivals: &[SystemTime],
) {
    use std::sync::atomic::Ordering;
    metrics.render_duration.observe_duration(took);
    let mut total = 0u64;
    let mut changed = 0u64;
    for (path, entity) in &new.entities {
        let len = entity.identity().body.len() as u64;
        total += len;
        if old
            .entities
            .get(path)
            .is_none_or(|e| !Arc::ptr_eq(e, entity))
        {
            changed += len;
        }
    }
    metrics.snapshot_bytes.store(total, Ordering::Relaxed);
    Metrics::add(&metrics.render_bytes, changed);
    let now = SystemTime::now();
    for at in arrivals {
        let waited = now.duration_since(*at).unwrap_or_default();
        metrics.inbox_to_publish.observe_duration(waited);
    }
}

/// Counts what one event changed.
pub(super) fn count_changes(metrics: &Metrics, changes: &Changes) {
    Metrics::add(&metrics.items_added, changes.added as u64);
    Metrics::add(&metrics.items_updated, changes.updated as u64);
    Metrics::add(&metrics.items_retracted, changes.retracted as u64);
}

/// What the thread is busy with, for the watchdog's report.
pub(super) fn describe(inbox: &Path, event: &InboxEvent) -> String {
    match event {
        InboxEvent::Ready(rel) => format!("ingesting {}", rel.under(inbox).display()),
        InboxEvent::Gone(rel) => format!("removing {}", rel.under(inbox).display()),
        InboxEvent::Renamed { from, to } => format!(
            "renaming {} to {}",
            from.under(inbox).display(),
            to.under(inbox).display()
        ),
        InboxEvent::ChannelPresent(name)
        | InboxEvent::ChannelGone(name)
        | InboxEvent::ChannelRenamed { from: name, .. } => {
            format!("channel folder {}", inbox.join(name).display())
        }
        InboxEvent::Present { .. } | InboxEvent::Scanned => {
            format!("reconciling a scan of {}", inbox.display())
        }
    }
}
