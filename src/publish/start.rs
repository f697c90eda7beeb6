//! The first snapshot at start, a reload's, and the keys that say what a
//! start or a reload must render again: the settings each kind of document
//! depends on besides its items, hashed, kept in the store and in a marker
//! file in the feeds folder.

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;
use std::time::Instant;

use super::{mirror, pages, vanished, PublishError, Publisher, Sizes};
use crate::render::{feed_path, item_path, Codings, Format, Published, Site};
use crate::store::{hash_hex, Store};

/// Bumped when the renderers change what they write, so that a new version
/// renders everything again (validators still move only where bytes did).
const RENDER_VERSION: u32 = 4;

/// The file in the feeds folder saying which settings and renderer wrote it.
const MARKER: &str = ".bulletind-render";

impl Publisher {
    /// Takes new site settings and sizes (a reload) and publishes with
    /// them: the feeds and the index at once; the pages, if what they show
    /// changed, by the next [`Publisher::finish_start`]; the archive by the
    /// next catch-up.
    pub fn reconfigure(
        &mut self,
        store: &mut Store,
        site: Site,
        sizes: Sizes,
    ) -> Result<Arc<Published>, PublishError> {
        let (pages_before, archives_before) = (self.pages_key(), self.archives_key());
        self.configured = site;
        self.items_per_feed = sizes.items_per_feed;
        self.archive_size = sizes.archive_size;
        store.set_archive_size(self.archive_size);
        self.refresh_site(store)?;
        if self.pages_key() != pages_before {
            store.mark_all_dirty()?;
        } else {
            store.mark_channels_dirty()?;
        }
        if self.archives_key() != archives_before {
            store.mark_all_archives_dirty()?;
            store.set_meta("archives_key", &self.archives_key())?;
        }
        let channels = self.read_channels(store)?;
        let all: BTreeSet<String> = channels.iter().map(|c| c.name.clone()).collect();
        self.publish_feeds(store, &channels, &all, Codings::Gzip)?;
        Ok(self.snapshot())
    }

    /// The first snapshot, at start: feeds that changed while the daemon
    /// was down (or were never published) are rendered, the others read
    /// back from the feeds folder.
    pub fn start(&mut self, store: &mut Store) -> Result<Arc<Published>, PublishError> {
        let started = Instant::now();
        store.set_archive_size(self.archive_size);
        self.refresh_site(store)?;
        let archives_key = self.archives_key();
        if store.meta("archives_key")?.as_deref() != Some(archives_key.as_str()) {
            store.mark_all_archives_dirty()?;
            store.set_meta("archives_key", &archives_key)?;
        }
        self.find_written_archives(store)?;
        let (pages_key, feeds_key) = (self.pages_key(), self.feeds_key());
        let marker = std::fs::read_to_string(self.feeds_dir.join(MARKER)).unwrap_or_default();
        let mut marked = marker.split_whitespace();
        let (marked_pages, marked_feeds) = (marked.next(), marked.next());
        if store.meta("pages_key")?.as_deref() != Some(pages_key.as_str())
            || marked_pages != Some(pages_key.as_str())
        {
            store.mark_all_dirty()?;
            self.full = true;
        } else if store.meta("feeds_key")?.as_deref() != Some(feeds_key.as_str())
            || marked_feeds != Some(feeds_key.as_str())
        {
            // Only the feeds depend on the base URL and the feed length.
            store.mark_channels_dirty()?;
        }
        let channels = self.read_channels(store)?;
        let retracted = store.retracted_slugs()?;
        let mut gone: HashSet<String> = retracted.iter().map(|s| item_path(s)).collect();
        for channel in channels.iter().filter(|c| vanished(c)) {
            gone.extend(Format::ALL.map(|f| feed_path(&channel.name, f)));
        }
        self.gone = Arc::new(gone);
        let (dirty, _) = store.dirty()?;
        let mut due: BTreeSet<String> = dirty.into_iter().collect();
        let read = started.elapsed();
        due.extend(self.restore_hot(store, &channels, &due)?);
        let restored = started.elapsed();
        let linked = self.archives.clone();
        self.open_archives(store, &channels)?;
        due.extend(
            self.archives
                .iter()
                .filter(|(channel, k)| linked.get(*channel) != Some(k))
                .map(|(channel, _)| channel.clone()),
        );
        // Identity only: the first response as soon as possible; the copies
        // follow right after (`complete_copies`).
        self.publish_feeds(store, &channels, &due, Codings::None)?;
        tracing::debug!(
            due = due.len(),
            "start: state read in {read:?}, documents read back in {:?}, the rest in {:?}",
            restored - read,
            started.elapsed() - restored
        );
        Ok(self.snapshot())
    }

    /// The rest of the start, after the first snapshot is out: removes the
    /// pages of retracted items after a full render, and marks the feeds
    /// folder. The pages and archive documents left due are rendered by
    /// [`Publisher::backlog`]. Returns how many pages are due.
    pub fn finish_start(&mut self, store: &mut Store) -> Result<usize, PublishError> {
        let due = store.due_pages(usize::MAX)?.len();
        if self.full {
            let retracted = store.retracted_slugs()?;
            let stale: Vec<String> = retracted.iter().flat_map(|s| pages::files(s)).collect();
            for (rel, err) in mirror::remove(&self.feeds_dir, &stale) {
                tracing::warn!("removing {rel}: {err}");
            }
        }
        let (pages_key, feeds_key) = (self.pages_key(), self.feeds_key());
        store.set_meta("pages_key", &pages_key)?;
        store.set_meta("feeds_key", &feeds_key)?;
        let marked = std::fs::create_dir_all(&self.feeds_dir).and_then(|()| {
            std::fs::write(
                self.feeds_dir.join(MARKER),
                format!("{pages_key} {feeds_key}\n"),
            )
        });
        if let Err(err) = marked {
            tracing::warn!("writing {}: {err}", self.feeds_dir.join(MARKER).display());
        }
        self.full = false;
        Ok(due)
    }

    /// What item pages depend on besides their item: the configured
    /// settings of the site and its channels, and the renderer (not the
    /// base URL: their links are relative; not the channels' own
    /// `channel.toml`, whose changes the store marks as they come).
    fn pages_key(&self) -> String {
        let s = &self.configured;
        hash_hex(
            format!(
                "{RENDER_VERSION}\n{}\n{}\n{}\n{}\n{:?}\n{:?}\n{:?}\n{:?}",
                env!("CARGO_PKG_VERSION"),
                s.title,
                s.description,
                s.language,
                s.author,
                s.icon,
                s.homepage,
                s.channels
            )
            .as_bytes(),
        )
    }

    /// What archive documents depend on besides their items: the pages'
    /// settings, the base URL and their size.
    fn archives_key(&self) -> String {
        hash_hex(
            format!(
                "{}\n{}\n{}",
                self.pages_key(),
                self.configured.base_url,
                self.archive_size
            )
            .as_bytes(),
        )
    }

    /// What the feeds and the index depend on besides the items: the pages'
    /// settings, the base URL, the feed length and the WebSub hub.
    fn feeds_key(&self) -> String {
        hash_hex(
            format!(
                "{}\n{}\n{}\n{:?}",
                self.pages_key(),
                self.configured.base_url,
                self.items_per_feed,
                self.configured.hub
            )
            .as_bytes(),
        )
    }
}
