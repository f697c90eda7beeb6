//! From store changes to what readers get: renders the documents a change
//! touched, gives each its validators, writes the feeds folder, and builds
//! the snapshot the HTTP tasks serve.
//!
//! Validators move with the bytes: every document's ETag is the digest of
//! its bytes, and its `Last-Modified` is when those bytes last changed,
//! kept in the store. A document rendered again to the same bytes keeps its
//! time, so restarts change nothing; one whose bytes differ gets the current
//! second, and always a later second than before, so a client revalidating
//! with `If-Modified-Since` sees every change. Feeds carry that time inside
//! (RSS `lastBuildDate`, Atom `updated`): a feed is rendered once and dated
//! twice ([`crate::render::Stamped`]), with the stored time to compare and
//! with the new one when its bytes changed.
//!
//! Feeds and the index are kept in memory ([`Published`]) with their
//! compressed copies; item pages live only in the feeds folder. The store
//! records what a change left to render (in the change's own transaction),
//! and the publisher clears it once written, so a restart renders exactly
//! what was not published before it stopped, and serves everything else as
//! it was, read back from the feeds folder.
//!
//! Layout: `start` (the first snapshot, reloads, and the keys saying what
//! must be rendered again), `feeds` (feeds, index and OPML), `pages` (item pages),
//! `archives` (the paged history), `site` (the settings they are written
//! with), [`mirror`] (writing files), `restore` (reading them back at
//! start), `snapshot` (the folder's account of what it holds, served when
//! the database cannot be reached at start).

mod archives;
mod feeds;
pub mod mirror;
mod pace;
mod pages;
mod restore;
mod site;
mod snapshot;
mod start;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use pace::Pace;

use crate::metrics::Metrics;
use crate::render::{
    feed_path, hex, Coding, Codings, Entity, Format, Published, RenderError, Site,
    ETAG_DIGEST_BYTES,
};
use crate::store::{Changes, ChannelInfo, Store, StoreError, Validators};

/// How long feeds and archive documents are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sizes {
    /// Items in a current feed.
    pub items_per_feed: usize,
    /// Items in an archive document.
    pub archive_size: usize,
}

/// Failures of publishing.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// Reading items or writing validators failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A feed could not be written.
    #[error(transparent)]
    Render(#[from] RenderError),
}

/// The publishing stage, owned by the ingest thread.
pub struct Publisher {
    /// The site as the configuration describes it.
    configured: Site,
    /// The site as written: the configuration with each channel's own
    /// `channel.toml` settings over it.
    site: Site,
    feeds_dir: PathBuf,
    items_per_feed: usize,
    archive_size: usize,
    metrics: Arc<Metrics>,
    /// The newest archive document of each channel that is written, which
    /// its current feeds link.
    archives: HashMap<String, u64>,
    /// Feeds and index currently served, by URL path.
    hot: HashMap<String, Arc<Entity>>,
    /// Paths answering 410.
    gone: Arc<HashSet<String>>,
    /// Whether everything must be rendered again (settings or renderer
    /// changed, or the feeds folder is not the one written last).
    full: bool,
    /// Hot documents changed (or gone) since they were last written to the
    /// feeds folder.
    unmirrored: BTreeSet<String>,
    /// The snapshot manifest last written into the feeds folder.
    manifest: Vec<u8>,
    /// The channels as the last publish read them, with their item counts:
    /// a publish recounts only the channels it touched, the backlog's
    /// batches (which change no items) none.
    channels: Vec<ChannelInfo>,
    /// Item pages, and archive documents, per backlog batch.
    page_pace: Pace,
    archive_pace: Pace,
}

impl Publisher {
    /// A publisher for `site`, writing into `feeds_dir`.
    pub fn new(site: Site, feeds_dir: PathBuf, sizes: Sizes, metrics: Arc<Metrics>) -> Publisher {
        Publisher {
            configured: site.clone(),
            site,
            feeds_dir,
            items_per_feed: sizes.items_per_feed,
            archive_size: sizes.archive_size,
            metrics,
            archives: HashMap::new(),
            hot: HashMap::new(),
            gone: Arc::new(HashSet::new()),
            full: false,
            unmirrored: BTreeSet::new(),
            manifest: Vec::new(),
            channels: Vec::new(),
            page_pace: Pace::new(16, pages::BATCH),
            archive_pace: Pace::new(1, archives::BATCH),
        }
    }

    /// The snapshot last written into the feeds folder, if it is all still
    /// there: what a node serves when the database cannot be reached.
    pub fn last_written(&self) -> Option<Arc<Published>> {
        snapshot::read(&self.feeds_dir, &self.site).map(Arc::new)
    }

    /// Renders a batch of what is left due besides the feeds: item pages
    /// first (after a start, a reload or a channel's new settings), then
    /// archive documents. Returns the snapshot to serve if it changed, and
    /// whether more is due.
    pub fn backlog(
        &mut self,
        store: &mut Store,
    ) -> Result<(Option<Arc<Published>>, bool), PublishError> {
        let started = Instant::now();
        let batch = self.page_pace.size();
        let mut due = store.due_pages(batch + 1)?;
        if !due.is_empty() {
            let more = due.len() > batch;
            due.truncate(batch);
            let mut gone = (*self.gone).clone();
            self.publish_pages(store, &due, &mut gone)?;
            let changed = gone != *self.gone;
            self.gone = Arc::new(gone);
            self.page_pace.took(started.elapsed());
            let more = more || !store.archive_dirty(1)?.is_empty();
            return Ok((changed.then(|| self.snapshot()), more));
        }
        let before = self.archives.clone();
        let more = self.publish_archives(store, self.archive_pace.size())?;
        self.archive_pace.took(started.elapsed());
        Ok(((self.archives != before).then(|| self.snapshot()), more))
    }

    /// Renders what `changes` touched: the pages of the items concerned
    /// (first, so that every link of a feed served opens), their channels'
    /// feeds, the main feed and the index. `serve` gets the feeds as soon
    /// as they are rendered, uncompressed (identity is always acceptable);
    /// then the pages are flushed to disk and recorded as done, the feeds'
    /// gzip copies made, and `serve` gets that snapshot. Brotli and zstd
    /// follow when the queue is idle ([`Publisher::complete_copies`]).
    pub fn publish(
        &mut self,
        store: &mut Store,
        changes: &Changes,
        serve: &mut dyn FnMut(Arc<Published>),
    ) -> Result<(), PublishError> {
        if changes.settings {
            self.refresh_site(store)?;
        }
        let pages = self.write_pages_of(store, changes)?;
        serve(self.publish_feeds_of(store, changes)?);
        for files in pages {
            files.sync();
        }
        if !changes.pages.is_empty() {
            let keys: Vec<i64> = changes.pages.iter().copied().collect();
            store.clear_dirty(&[], &keys)?;
        }
        if let Some(snapshot) = self.complete_copies(store, Codings::Gzip)? {
            serve(snapshot);
        }
        Ok(())
    }

    /// The feeds `changes` touched, the main feed and the index; returns
    /// the snapshot to serve.
    fn publish_feeds_of(
        &mut self,
        store: &mut Store,
        changes: &Changes,
    ) -> Result<Arc<Published>, PublishError> {
        let started = Instant::now();
        let channels = self.recount_channels(store, &changes.channels)?;
        let counted = started.elapsed();
        let mut gone = (*self.gone).clone();
        for channel in &channels {
            let paths = Format::ALL.map(|f| feed_path(&channel.name, f));
            if servable(channel) {
                for p in &paths {
                    gone.remove(p);
                }
            } else if changes.channels.contains(&channel.name) {
                for p in paths {
                    if self.hot.remove(&p).is_some() {
                        self.unmirrored.insert(p.clone());
                    }
                    if vanished(channel) {
                        gone.insert(p);
                    }
                }
            }
        }
        self.gone = Arc::new(gone);
        self.open_archives(store, &channels)?;
        let archived = started.elapsed();
        self.publish_feeds(store, &channels, &changes.channels, Codings::None)?;
        tracing::debug!(
            feeds = changes.channels.len(),
            "published feeds: channels {counted:?}, archives {:?}, feeds {:?}",
            archived - counted,
            started.elapsed() - archived
        );
        Ok(self.snapshot())
    }

    /// Writes the item pages `changes` touched, and what answers `410`
    /// (served with the feeds); returns the files to sync.
    fn write_pages_of(
        &mut self,
        store: &mut Store,
        changes: &Changes,
    ) -> Result<Vec<mirror::Unsynced>, PublishError> {
        if changes.pages.is_empty() {
            return Ok(Vec::new());
        }
        let started = Instant::now();
        let keys: Vec<i64> = changes.pages.iter().copied().collect();
        let mut gone = (*self.gone).clone();
        let mut written = Vec::new();
        for chunk in keys.chunks(pages::BATCH) {
            written.push(self.write_pages(store, chunk, &mut gone)?);
        }
        self.gone = Arc::new(gone);
        tracing::debug!(pages = keys.len(), "wrote pages: {:?}", started.elapsed());
        Ok(written)
    }

    /// The channels with their item counts as the last publish read them.
    pub fn channels(&self) -> &[ChannelInfo] {
        &self.channels
    }

    /// The store's channels, kept for the backlog (see [`Publisher::channels`]).
    fn read_channels(&mut self, store: &Store) -> Result<Vec<ChannelInfo>, StoreError> {
        self.channels = store.channels()?;
        Ok(self.channels.clone())
    }

    /// The store's channels after `changes`: the list read again, the item
    /// counts kept from the last read except for the channels `touched`
    /// (and new ones), which are counted through their index. Counting
    /// every item was a third of a drop's publish at 100,000 items.
    ///
    /// A follower counts everything: the log it follows names the feeds
    /// the ingest node rendered, which need not include every channel whose
    /// count changed (the check below found the main channel's count kept
    /// stale there).
    fn recount_channels(
        &mut self,
        store: &Store,
        touched: &BTreeSet<String>,
    ) -> Result<Vec<ChannelInfo>, StoreError> {
        if self.channels.is_empty() || store.is_follower() {
            return self.read_channels(store);
        }
        let known: HashMap<&str, usize> = self
            .channels
            .iter()
            .map(|c| (c.name.as_str(), c.items))
            .collect();
        let mut channels = store.channel_rows()?;
        for channel in &mut channels {
            channel.items = match known.get(channel.name.as_str()) {
                Some(&items) if !touched.contains(&channel.name) => items,
                _ => store.channel_items(&channel.name)?,
            };
        }
        // Tests run debug builds: there every publish checks the counts
        // kept against a full count.
        #[cfg(debug_assertions)]
        {
            let full = store.channels()?;
            assert_eq!(channels, full, "item counts kept per channel drifted");
        }
        self.channels = channels;
        Ok(self.channels.clone())
    }

    pub(super) fn snapshot(&self) -> Arc<Published> {
        Arc::new(Published {
            entities: self.hot.clone(),
            gone: Arc::clone(&self.gone),
            archives: Arc::new(self.archives.clone()),
        })
    }
}

/// Whether a channel's feeds answer: it is the main channel, or its folder
/// exists and has held a bulletin, or it still holds published items (kept
/// under `on_delete = keep`). A folder that never held a bulletin is not a
/// channel yet.
fn servable(channel: &ChannelInfo) -> bool {
    channel.name.is_empty() || (channel.present && channel.used) || channel.items > 0
}

/// Whether a channel's feeds answer `410`: it had bulletins, and neither its
/// folder nor any published item is left.
fn vanished(channel: &ChannelInfo) -> bool {
    channel.used && !servable(channel)
}

/// The new `Last-Modified` of a document whose digest differs from the
/// stored one, or `None` when it is the same: now, but always later than
/// before.
fn changed_time(
    old: Option<Validators>,
    digest: &[u8; ETAG_DIGEST_BYTES],
    now: i64,
) -> Option<i64> {
    match old {
        Some(v) if v.etag == *digest => None,
        Some(v) => Some(now.max(v.modified + 1)),
        None => Some(now),
    }
}

/// The validators of a document with `digest`, given the stored ones.
fn decide(old: Option<Validators>, digest: &[u8; ETAG_DIGEST_BYTES], now: i64) -> Validators {
    match (old, changed_time(old, digest, now)) {
        (Some(old), None) => old,
        (_, modified) => Validators {
            etag: *digest,
            modified: modified.unwrap_or(now),
        },
    }
}

/// The compressed copies' ETag digests in the store's notation:
/// `gzip=HEX br=HEX`.
fn encode_copies(entity: &Entity) -> String {
    entity
        .variants
        .iter()
        .filter(|v| v.coding != Coding::Identity)
        .map(|v| format!("{}={}", v.coding.token(), hex(&v.digest)))
        .collect::<Vec<_>>()
        .join(" ")
}
