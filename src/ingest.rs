//! The ingest task: the one owner of the store. It turns inbox events into
//! store changes (read, parse, ingest, retract, quarantine), hands the
//! changes to the [`Publisher`], and sends each new snapshot to the HTTP
//! tasks.
//!
//! It runs on its own thread because file reads, SQLite and rendering are
//! blocking work; HTTP tasks only ever see the [`Published`] snapshots it
//! sends. Besides inbox events it takes reloads ([`Work::Reconfigure`]) on
//! the same queue, tells the watchdog what it is doing
//! ([`Heartbeat`](crate::watchdog::Heartbeat)), and
//! keeps the content metrics.

mod deferred;
mod follow;
mod prepare;
mod settings;
mod work;

pub use deferred::{last_written, run_deferred};
pub use work::{Links, Reconfigure, Work};

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, TryRecvError};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use chrono::Utc;

use crate::config::{Config, OnDelete};
use crate::inbox::quarantine::quarantine;
use crate::inbox::read::{read_bulletin, ReadError};
use crate::inbox::{InboxEvent, RelPath};
use crate::metrics::{ChannelCounts, Metrics};
use crate::parse::{self, Limits};
use crate::publish::{PublishError, Publisher, Sizes};
use crate::render::{Codings, Published, Site};
use crate::store::{hash_hex, Changes, Staged, Store, StoreError};

/// During a burst, do the slow part of publishing (brotli and zstd copies,
/// the feeds folder) at least this often; otherwise when the queue is idle.
const CATCH_UP_AT_LEAST_EVERY: Duration = Duration::from_secs(5);
/// During a long burst of events (a big startup scan), publish at least this
/// often so readers see progress...
const PUBLISH_AT_LEAST_EVERY: Duration = Duration::from_secs(1);
/// ...but spend at most about a fifth of the burst rendering intermediate
/// snapshots: the pause between them is at least this many times as long
/// as the last publish took.
const PUBLISH_PAUSE_FACTOR: u32 = 4;

/// A publish of this many item pages or more gives freed memory back to
/// the system at once rather than when the queue is next idle.
const BIG_PUBLISH_PAGES: usize = 1000;

/// Where the ingest task reads and moves files.
#[derive(Debug, Clone)]
pub struct Folders {
    /// The watched inbox.
    pub inbox: PathBuf,
    /// Where rejected files go.
    pub quarantine: PathBuf,
}

/// State owned by the ingest task.
pub struct Ingestor {
    store: Store,
    publisher: Publisher,
    folders: Folders,
    limits: Limits,
    on_delete: OnDelete,
    metrics: Arc<Metrics>,
    /// Files that could not be read, with the error last logged for each,
    /// so that a lasting problem is logged once and retried on change.
    unreadable: HashMap<String, String>,
    /// Set when the store became unusable: the ingest loop then stops.
    fatal: Option<String>,
    /// The base URL the site was opened with (a restart changes it).
    base_url: String,
    /// When the ingestor was made: files older than that were waiting for
    /// the daemon, not for us.
    started: SystemTime,
    /// On a follower, the last entry of the publication log rendered.
    followed: i64,
    /// Bulletins of the queue read and parsed ahead of their events.
    ahead: prepare::Ahead,
}

impl Ingestor {
    /// Opens the store and prepares an ingestor for `config`, publishing
    /// under `base_url`.
    pub fn new(
        config: &Config,
        base_url: &str,
        metrics: Arc<Metrics>,
    ) -> Result<Ingestor, StoreError> {
        let opening = Instant::now();
        let store = Store::open_at(
            &config.store,
            &config.state_dir,
            "ingest",
            &crate::store::authority_of(base_url),
            config.timezone,
        )?;
        tracing::debug!("store opened in {:?}", opening.elapsed());
        let publisher = Publisher::new(
            site_for(config, base_url),
            config.feeds_dir.clone(),
            sizes_for(config),
            metrics.clone(),
        );
        Ok(Ingestor {
            store,
            publisher,
            folders: Folders {
                inbox: config.inbox.clone(),
                quarantine: config.quarantine_dir.clone(),
            },
            limits: Limits {
                max_bytes: config.max_bytes,
            },
            on_delete: config.on_delete,
            metrics,
            unreadable: HashMap::new(),
            fatal: None,
            base_url: base_url.to_string(),
            started: SystemTime::now(),
            followed: 0,
            ahead: prepare::Ahead::default(),
        })
    }

    /// Applies the live settings of `config` (feed metadata, items per
    /// feed, time zone, size limit, `on_delete`) and renders every feed
    /// again: the snapshot to serve from now on.
    pub fn reconfigure(&mut self, config: &Config) -> Result<Arc<Published>, PublishError> {
        self.store.set_timezone(config.timezone);
        self.limits.max_bytes = config.max_bytes;
        self.on_delete = config.on_delete;
        self.publisher.reconfigure(
            &mut self.store,
            site_for(config, &self.base_url),
            sizes_for(config),
        )
    }

    /// Refreshes the item gauges (per channel and in all): items as the
    /// publisher last counted them, bulletins from the store.
    fn count_channels(&self) {
        let bulletins = match self.store.bulletin_counts() {
            Ok(counts) => counts,
            Err(err) => return tracing::warn!("counting bulletins for /metrics: {err}"),
        };
        let channels = self.publisher.channels();
        let total: usize = channels.iter().map(|c| c.items).sum();
        self.metrics.items.store(total as u64, Ordering::Relaxed);
        self.metrics.set_channels(
            channels
                .iter()
                .filter(|c| c.name.is_empty() || c.present || c.items > 0)
                .map(|c| ChannelCounts {
                    name: c.name.clone(),
                    items: c.items as u64,
                    bulletins: bulletins.get(&c.name).copied().unwrap_or(0),
                })
                .collect(),
        )
    }

    /// The first snapshot: what changed while the daemon was down is
    /// rendered, the rest read back from the feeds folder.
    pub fn start(&mut self) -> Result<Arc<Published>, PublishError> {
        self.publisher.start(&mut self.store)
    }

    /// The rest of the start (or of a reload that changed what pages show):
    /// the pages left due are rendered a batch at a time from then on.
    pub fn finish_start(&mut self) {
        match self.publisher.finish_start(&mut self.store) {
            Ok(0) => {}
            Ok(n) => tracing::info!("{n} permalink pages to render, a batch at a time"),
            Err(err) => {
                tracing::error!("finishing the start: {err}");
                if let PublishError::Store(err) = &err {
                    self.note_fatal(err);
                }
            }
        }
    }

    /// The slow part of publishing, left for when the queue is idle:
    /// renders a batch of the pages and archive documents left due, makes
    /// the copies the first pass left out (serving them from then on),
    /// writes feeds changed since the last call into the feeds folder, and
    /// hands memory the burst freed back to the system. Returns whether
    /// more is left due.
    fn catch_up(&mut self, links: &Links) -> bool {
        links
            .heartbeat
            .busy("rendering pages and archive documents left due");
        let more = match self.publisher.backlog(&mut self.store) {
            Ok((snapshot, more)) => {
                if let Some(snapshot) = snapshot {
                    links.hand_over(snapshot);
                }
                more
            }
            Err(err) => {
                tracing::error!("rendering pages and archive documents: {err}");
                if let PublishError::Store(err) = &err {
                    self.note_fatal(err);
                }
                false
            }
        };
        links
            .heartbeat
            .busy("compressing and writing the feeds folder");
        match self
            .publisher
            .complete_copies(&mut self.store, Codings::All)
        {
            Ok(Some(snapshot)) => {
                links.hand_over(snapshot);
            }
            Ok(None) => {}
            Err(err) => {
                tracing::error!("compressing: {err}");
                if let PublishError::Store(err) = &err {
                    self.note_fatal(err);
                }
            }
        }
        self.publisher.flush_mirror();
        if !more {
            release_free_memory();
        }
        more
    }

    /// Applies one inbox event; returns what changed.
    pub fn apply(&mut self, event: InboxEvent) -> Changes {
        let retract = self.on_delete == OnDelete::Retract;
        let now = Utc::now();
        let what = work::describe(&self.folders.inbox, &event);
        let result = match event {
            InboxEvent::Ready(rel) if settings::is_settings(&rel) => self.settings_ready(&rel),
            InboxEvent::Gone(rel) if settings::is_settings(&rel) => self.settings_gone(&rel),
            InboxEvent::Renamed { from, to }
                if settings::is_settings(&from) || settings::is_settings(&to) =>
            {
                self.settings_renamed(&from, &to)
            }
            InboxEvent::Ready(rel) => self.ingest(&rel),
            InboxEvent::Gone(rel) => self.gone(&rel),
            InboxEvent::Renamed { from, to } => self
                .store
                .rename(&from.key(), &to.key(), retract, now)
                .map(|mut changes| {
                    tracing::info!(
                        "renamed {} to {}",
                        from.under(&self.folders.inbox).display(),
                        to.under(&self.folders.inbox).display()
                    );
                    changes.merge(self.ingest(&to).unwrap_or_default());
                    changes
                }),
            InboxEvent::ChannelPresent(name) => self.store.channel_present(&name).map(|fresh| {
                let mut changes = Changes::default();
                if fresh {
                    tracing::info!(channel = name.as_str(), "channel folder found");
                    changes.channels.insert(name);
                }
                changes
            }),
            InboxEvent::ChannelGone(name) => {
                tracing::info!(channel = name.as_str(), "channel folder gone");
                self.store.channel_gone(&name, retract, now)
            }
            InboxEvent::ChannelRenamed { from, to } => self.channel_renamed(&from, &to),
            InboxEvent::Present { channels, files } => self.reconcile(&channels, &files),
            InboxEvent::Scanned => Ok(Changes::default()),
        };
        result.unwrap_or_else(|err| {
            tracing::error!("store, while {what}: {err}");
            self.note_fatal(&err);
            Changes::default()
        })
    }

    fn note_fatal(&mut self, err: &StoreError) {
        if err.is_fatal() && self.fatal.is_none() {
            self.fatal = Some(format!("the store is unusable: {err}"));
        }
        // A lost PostgreSQL session is opened again for the next event (the
        // role session sees the loss too: ingest moves, and the next ingest
        // node rescans the inbox).
        if let Err(err) = self.store.reconnect() {
            tracing::debug!("reconnecting to the database: {err}");
        }
    }

    fn ingest(&mut self, rel: &RelPath) -> Result<Changes, StoreError> {
        let path = rel.under(&self.folders.inbox);
        let key = rel.key();
        if let Some((hash, parsed)) = self.ahead.take(&key) {
            self.unreadable.remove(&key);
            return self.ingest_parsed(rel, &hash, || parsed);
        }
        let bytes = match read_bulletin(&path, self.limits.max_bytes) {
            Ok(bytes) => bytes,
            Err(ReadError::NotFound) => return Ok(Changes::default()),
            Err(err @ ReadError::TooLarge { .. }) => {
                return self.reject(rel, "", &err.to_string());
            }
            Err(err) => {
                let said = err.to_string();
                if self.unreadable.get(&key) != Some(&said) {
                    tracing::error!(file = %path.display(), "not ingested: {said}");
                    self.unreadable.insert(key, said);
                }
                return Ok(Changes::default());
            }
        };
        self.unreadable.remove(&key);
        let hash = hash_hex(&bytes);
        let limits = self.limits;
        self.ingest_parsed(rel, &hash, || {
            test_hooks::before_parse(&rel.name);
            parse::parse_bulletin(&rel.name, &bytes, &limits).map(|b| (b, None))
        })
    }

    /// Ingests the file at `rel`, whose bytes hash to `hash`, unless the
    /// store holds these bytes already; `parse` gives its parse.
    fn ingest_parsed(
        &mut self,
        rel: &RelPath,
        hash: &str,
        parse: impl FnOnce() -> prepare::Parse,
    ) -> Result<Changes, StoreError> {
        let path = rel.under(&self.folders.inbox);
        let key = rel.key();
        let known = self.store.bulletin(&key)?;
        if let Some(known) = known.filter(|k| k.has_hash(hash)) {
            match known.state {
                "active" => {
                    tracing::debug!(file = %path.display(), "unchanged");
                    return Ok(Changes::default());
                }
                // Rejected before and marked, but the move did not happen
                // (a crash in between): finish it.
                "quarantined" => {
                    return self.move_to_quarantine(rel, "rejected before (same bytes)")
                }
                _ => {}
            }
        }
        let (bulletin, staged) = match parse() {
            Ok(parsed) => parsed,
            Err(err) => return self.reject(rel, hash, &err.to_string()),
        };
        for warning in &bulletin.warnings {
            tracing::warn!(file = %path.display(), "{warning}");
        }
        let staged = match staged {
            Some(staged) => staged,
            None => Staged::new(&bulletin)?,
        };
        let changes =
            self.store
                .ingest_staged(&key, &rel.channel, hash, &bulletin, staged, Utc::now())?;
        Metrics::bump(&self.metrics.bulletins_ingested);
        self.metrics.ingested(key, Utc::now().timestamp());
        tracing::info!(
            file = %path.display(),
            "ingested: {} articles ({} new, {} updated, {} retracted)",
            bulletin.articles.len(),
            changes.added,
            changes.updated,
            changes.retracted
        );
        Ok(changes)
    }

    /// Records the rejection, then moves the file: a crash in between
    /// leaves a marked file that the next scan moves, never a published
    /// bulletin whose disappearance would retract its items.
    fn reject(&mut self, rel: &RelPath, hash: &str, reason: &str) -> Result<Changes, StoreError> {
        self.store
            .mark_quarantined(&rel.key(), &rel.channel, hash, Utc::now())?;
        self.move_to_quarantine(rel, reason)
    }

    fn move_to_quarantine(&mut self, rel: &RelPath, reason: &str) -> Result<Changes, StoreError> {
        let path = rel.under(&self.folders.inbox);
        Metrics::bump(&self.metrics.bulletins_quarantined);
        test_hooks::before_quarantine_move(&rel.name);
        match quarantine(&self.folders.inbox, &self.folders.quarantine, rel, reason) {
            Ok(to) => tracing::error!(
                file = %path.display(),
                "rejected: {reason} (moved to {})",
                to.display()
            ),
            Err(err) => tracing::error!(
                file = %path.display(),
                "rejected: {reason} (could not quarantine it: {err})"
            ),
        }
        Ok(Changes::default())
    }

    fn gone(&mut self, rel: &RelPath) -> Result<Changes, StoreError> {
        let path = rel.under(&self.folders.inbox);
        if std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file()) {
            return Ok(Changes::default()); // replaced in the meantime; a Ready event follows
        }
        let changes =
            self.store
                .remove(&rel.key(), self.on_delete == OnDelete::Retract, Utc::now())?;
        if changes.retracted > 0 {
            tracing::info!(file = %path.display(), "removed: {} items retracted", changes.retracted);
        }
        Ok(changes)
    }

    fn channel_renamed(&mut self, from: &str, to: &str) -> Result<Changes, StoreError> {
        match self.store.rename_channel(from, to)? {
            Some(changes) => {
                tracing::info!("channel {from} renamed to {to}");
                Ok(changes)
            }
            None => {
                let retract = self.on_delete == OnDelete::Retract;
                let mut changes = self.store.channel_gone(from, retract, Utc::now())?;
                if self.store.channel_present(to)? {
                    changes.channels.insert(to.to_string());
                }
                Ok(changes)
            }
        }
    }

    fn reconcile(&mut self, channels: &[String], files: &[RelPath]) -> Result<Changes, StoreError> {
        let retract = self.on_delete == OnDelete::Retract;
        let now = Utc::now();
        let present: BTreeSet<String> = files.iter().map(RelPath::key).collect();
        let folders: BTreeSet<&str> = channels.iter().map(String::as_str).collect();
        let mut changes = Changes::default();
        for channel in self.store.channels()? {
            if !channel.name.is_empty()
                && channel.present
                && !folders.contains(channel.name.as_str())
            {
                changes.merge(self.store.channel_gone(&channel.name, retract, now)?);
            }
        }
        for known in self.store.known()? {
            if known.state == "active" && !present.contains(&known.path) {
                changes.merge(self.gone(&RelPath::from_key(&known.path))?);
            }
        }
        for (channel, _) in self.store.channel_settings()? {
            let file = RelPath {
                channel,
                name: settings::SETTINGS_FILE.to_string(),
            };
            if !present.contains(&file.key()) {
                changes.merge(self.settings_gone(&file)?);
            }
        }
        for name in channels {
            if self.store.channel_present(name)? {
                changes.channels.insert(name.clone());
            }
        }
        Ok(changes)
    }
}

/// Feed metadata from the configuration.
pub fn site_for(config: &Config, base_url: &str) -> Site {
    Site {
        title: config.title.clone(),
        description: config.description.clone(),
        language: config.language.clone(),
        author: config.author.clone(),
        icon: config.icon.clone(),
        homepage: config.homepage.clone(),
        base_url: base_url.to_string(),
        channels: config.channels.clone(),
        hub: config.websub.advertised_hub(base_url),
    }
}

/// Feed and archive lengths from the configuration.
pub fn sizes_for(config: &Config) -> Sizes {
    Sizes {
        items_per_feed: config.items_per_feed,
        archive_size: config.archive_size,
    }
}

/// The ingest loop: applies events as they come, batching bursts, and
/// publishes after each batch, after each full scan and before a reload.
/// Returns when `work` closes or `links.stop` is set (it then finishes the
/// file in hand, not the queue: the next start's scan picks the rest up),
/// or with the reason when the store became unusable.
pub fn run(mut ingestor: Ingestor, work: Receiver<Work>, links: Links) -> Result<(), String> {
    links.heartbeat.busy("finishing the start");
    ingestor.finish_start();
    ingestor.count_channels();
    loop {
        if ingestor.store.is_follower() {
            match ingestor.follow(&work, &links)? {
                follow::Next::Lead => ingestor.take_over(&links),
                follow::Next::Stop => break,
            }
        }
        if !lead(&mut ingestor, &work, &links)? {
            break;
        }
        ingestor.step_down();
    }
    ingestor.publisher.flush_mirror();
    Ok(())
}

/// Ingests until this node must follow (`Ok(true)`: it lost its database
/// session) or the daemon stops (`Ok(false)`).
fn lead(ingestor: &mut Ingestor, work: &Receiver<Work>, links: &Links) -> Result<bool, String> {
    let mut backlog = ingestor.catch_up(links);
    links.heartbeat.idle();
    let mut caught_up = Instant::now();
    let mut batch = work::Batch::new();
    let mut pause = PUBLISH_AT_LEAST_EVERY;
    loop {
        // Inbox events first; what is left due, a batch at a time, while
        // there are none.
        let first = if backlog {
            match work.try_recv() {
                Ok(first) => first,
                Err(TryRecvError::Empty) => {
                    backlog = ingestor.catch_up(links) && !links.stop.load(Ordering::Relaxed);
                    links.heartbeat.idle();
                    if let Some(reason) = ingestor.fatal.take() {
                        return Err(reason);
                    }
                    continue;
                }
                Err(TryRecvError::Disconnected) => break,
            }
        } else {
            match work.recv() {
                Ok(first) => first,
                Err(_) => break,
            }
        };
        batch.since = Instant::now();
        let mut next = Some(first);
        let mut queued = VecDeque::new();
        while let Some(item) = next {
            ingestor.read_ahead(&item, work, &mut queued);
            match item {
                Work::Inbox(InboxEvent::Scanned) => {
                    ingestor.flush(&mut batch, links);
                    links.scans.send_modify(|n| *n += 1);
                }
                Work::Inbox(event) => {
                    ingestor.take(event, &mut batch, links);
                    if batch.changes.any() && batch.since.elapsed() >= pause {
                        let took = ingestor.flush(&mut batch, links);
                        pause = PUBLISH_AT_LEAST_EVERY.max(took * PUBLISH_PAUSE_FACTOR);
                        if caught_up.elapsed() >= CATCH_UP_AT_LEAST_EVERY {
                            backlog = ingestor.catch_up(links);
                            caught_up = Instant::now();
                        }
                    }
                }
                Work::Reconfigure(request) => {
                    ingestor.flush(&mut batch, links);
                    ingestor.apply_reload(request, links);
                }
                Work::Follow => {
                    ingestor.flush(&mut batch, links);
                    return Ok(true);
                }
                Work::Lead | Work::Refresh => {}
            }
            next = match links.stop.load(Ordering::Relaxed) {
                true => None,
                false => queued.pop_front().or_else(|| work.try_recv().ok()),
            };
        }
        ingestor.ahead.clear();
        ingestor.flush(&mut batch, links);
        if !links.stop.load(Ordering::Relaxed) {
            // The queue is empty: the slow part of publishing now.
            backlog = ingestor.catch_up(links);
            caught_up = Instant::now();
        }
        links.heartbeat.idle();
        if let Some(reason) = ingestor.fatal.take() {
            return Err(reason);
        }
        if links.stop.load(Ordering::Relaxed) {
            break;
        }
    }
    Ok(false)
}

impl Ingestor {
    /// Applies one inbox event into `batch`, timing and counting it.
    fn take(&mut self, event: InboxEvent, batch: &mut work::Batch, links: &Links) {
        links
            .heartbeat
            .busy(work::describe(&self.folders.inbox, &event));
        let bulletin = match &event {
            InboxEvent::Ready(rel) | InboxEvent::Renamed { to: rel, .. } => Some(rel.clone()),
            _ => None,
        };
        if let Some(rel) = &bulletin {
            let path = rel.under(&self.folders.inbox);
            batch.arrivals.extend(work::landed(&path, self.started));
        }
        let started = Instant::now();
        tracing::trace!("applying {}", work::describe(&self.folders.inbox, &event));
        let changes = self.apply(event);
        if bulletin.is_some() {
            self.metrics
                .ingest_duration
                .observe_duration(started.elapsed());
        }
        work::count_changes(&self.metrics, &changes);
        batch.changes.merge(changes);
    }

    /// Publishes what `batch` changed, if anything; returns how long that
    /// took.
    fn flush(&mut self, batch: &mut work::Batch, links: &Links) -> Duration {
        if !batch.changes.any() {
            batch.reset();
            return Duration::ZERO;
        }
        links.heartbeat.busy("publishing a new snapshot");
        let started = Instant::now();
        let big = batch.changes.pages.len() >= BIG_PUBLISH_PAGES;
        let (metrics, arrivals) = (&self.metrics, &batch.arrivals);
        let mut first = true;
        let published = self
            .publisher
            .publish(&mut self.store, &batch.changes, &mut |snapshot| {
                let old = links.hand_over(Arc::clone(&snapshot));
                // The feeds' snapshot is the one readers waited for.
                if std::mem::take(&mut first) {
                    work::record_publish(metrics, &old, &snapshot, started.elapsed(), arrivals);
                }
            });
        match published {
            // Counted once readers can see them.
            Ok(()) => self.count_channels(),
            Err(err) => {
                tracing::error!("publishing: {err}");
                if let PublishError::Store(err) = &err {
                    self.note_fatal(err);
                }
            }
        }
        if big {
            // Its renders freed tens of megabytes the allocator would keep.
            release_free_memory();
        }
        batch.reset();
        started.elapsed()
    }

    /// Swaps in `snapshot` for the HTTP tasks and records its metrics.
    fn serve(
        &mut self,
        snapshot: Arc<Published>,
        started: Instant,
        arrivals: &[SystemTime],
        links: &Links,
    ) {
        let old = links.hand_over(Arc::clone(&snapshot));
        work::record_publish(&self.metrics, &old, &snapshot, started.elapsed(), arrivals);
        // Counted once readers can see them.
        self.count_channels();
    }

    /// A reload: new settings, everything rendered again and swapped in at
    /// once, then the pages; answers when done.
    fn apply_reload(&mut self, request: Box<Reconfigure>, links: &Links) {
        links.heartbeat.busy("applying a new configuration");
        let started = Instant::now();
        let result = match self.reconfigure(&request.config) {
            Ok(snapshot) => {
                self.serve(snapshot, started, &[], links);
                self.finish_start();
                self.catch_up(links);
                Ok(())
            }
            Err(err) => {
                if let PublishError::Store(err) = &err {
                    self.note_fatal(err);
                }
                Err(format!("rendering with the new configuration: {err}"))
            }
        };
        // The reload may have given up waiting; nothing to tell then.
        let _ = request.done.send(result);
    }
}

/// Hands memory freed after a burst back to the system: glibc keeps freed
/// blocks in its arenas, so a burst that rendered thousands of pages would
/// leave the process that much larger.
fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks glibc's own free lists; it takes no
    // pointer and is safe to call from any thread at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Faults the end-to-end tests inject, in debug builds only: a panic while
/// ingesting a named file (`BULLETIND_TEST_PANIC_ON`), an ingest stuck on
/// one (`BULLETIND_TEST_STALL_ON`), and the process killed between
/// recording a rejection and moving the file
/// (`BULLETIND_TEST_EXIT_BEFORE_QUARANTINE_MOVE`).
mod test_hooks {
    #[cfg(debug_assertions)]
    pub fn before_parse(name: &str) {
        if std::env::var("BULLETIND_TEST_PANIC_ON").is_ok_and(|v| v == name) {
            panic!("test hook: panic while ingesting {name}");
        }
        if std::env::var("BULLETIND_TEST_STALL_ON").is_ok_and(|v| v == name) {
            std::thread::sleep(std::time::Duration::from_secs(3600));
        }
    }

    #[cfg(debug_assertions)]
    pub fn before_quarantine_move(name: &str) {
        if std::env::var("BULLETIND_TEST_EXIT_BEFORE_QUARANTINE_MOVE").is_ok_and(|v| v == name) {
            // As abrupt as kill -9: no destructors, no flush.
            std::process::abort();
        }
    }

    #[cfg(not(debug_assertions))]
    pub fn before_parse(_name: &str) {}

    #[cfg(not(debug_assertions))]
    pub fn before_quarantine_move(_name: &str) {}
}
