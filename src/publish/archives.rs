//! Archive documents (RFC 5005 §4): rendered when the store marks them due,
//! given validators, written into the feeds folder, where the HTTP server
//! reads them like item pages.
//!
//! A change that opens new documents renders them (and the one before, which
//! gains its `next-archive` link) with the change, before its feeds, so the
//! current feeds link a document that is already written. Everything else
//! due (edits of older articles, a new base URL) is rendered after the
//! change is published, a batch at a time, in order of channel and number;
//! a current feed links only the newest document written, so a reader
//! following `prev-archive` never meets a missing one.

use std::collections::{BTreeSet, HashMap};

use chrono::Utc;

use super::{decide, mirror, servable, PublishError, Publisher};
use crate::model::Item;
use crate::par::par_map;
use crate::render::{
    self, archive_path, digest, system_time, utc_time, Codings, FeedDoc, Format, Page,
};
use crate::store::{ArchiveKey, ChannelInfo, Document, Store, Validators};

/// Archive documents rendered per backlog batch, at most (the batches are
/// sized by time, `pace`).
pub(super) const BATCH: usize = 16;

/// Newly opened documents a change renders itself, per channel; more (a
/// first start over a large store) are left to the batches.
const OPEN_WITH_CHANGE: u64 = 4;

impl Publisher {
    /// Renders the documents the last changes opened, with the one before
    /// each, and links them from the current feeds (which the caller renders
    /// next).
    pub(super) fn open_archives(
        &mut self,
        store: &mut Store,
        channels: &[ChannelInfo],
    ) -> Result<(), PublishError> {
        let mut due = Vec::new();
        let newest = store.newest_archives()?;
        for (channel, last) in &newest {
            let first = self.archives.get(channel).copied().unwrap_or(0);
            let opened = match self.archives.get(channel) {
                Some(&linked) => *last > linked,
                None => true,
            };
            if opened && last - first < OPEN_WITH_CHANGE && live(channels, channel) {
                due.extend((first..=*last).map(|k| (channel.clone(), k)));
            }
        }
        if due.is_empty() {
            return Ok(());
        }
        let newest: HashMap<String, u64> = newest.into_iter().collect();
        self.render_archives(store, &due, &newest, channels)?;
        for (channel, number) in due {
            self.archives.insert(channel, number);
        }
        Ok(())
    }

    /// Renders up to `batch` due archive documents; returns whether more
    /// are due.
    pub(super) fn publish_archives(
        &mut self,
        store: &mut Store,
        batch: usize,
    ) -> Result<bool, PublishError> {
        let mut due = store.archive_dirty(batch + 1)?;
        let more = due.len() > batch;
        due.truncate(batch);
        if due.is_empty() {
            return Ok(false);
        }
        let newest: HashMap<String, u64> = store.newest_archives()?.into_iter().collect();
        let channels = self.channels.clone();
        let rendered = self.render_archives(store, &due, &newest, &channels)?;
        // Newer documents written: the current feeds link them, at once for
        // a channel that had none, else once the backlog is done (a long one
        // would otherwise rewrite the feeds with every batch). Documents are
        // rendered in order of number, so every one before a written
        // document is written too.
        let links: Vec<(&String, u64)> = if more {
            rendered.iter().rev().map(|(c, k)| (c, *k)).collect()
        } else {
            newest
                .iter()
                .filter(|(channel, _)| live(&channels, channel))
                .map(|(channel, number)| (channel, *number))
                .collect()
        };
        let mut relink = BTreeSet::new();
        for (channel, number) in links {
            let linked = self.archives.get(channel).copied();
            if linked != Some(number) && (!more || linked.is_none()) {
                self.archives.insert(channel.clone(), number);
                relink.insert(channel.clone());
            }
        }
        if !relink.is_empty() {
            self.publish_feeds(store, &channels, &relink, Codings::Gzip)?;
        }
        Ok(more)
    }

    /// Renders the archive documents `due` (those of channels still served,
    /// up to their newest) in every format, writes them, records their
    /// validators and clears their marks; returns the ones rendered.
    fn render_archives(
        &mut self,
        store: &mut Store,
        due: &[ArchiveKey],
        newest: &HashMap<String, u64>,
        channels: &[ChannelInfo],
    ) -> Result<Vec<ArchiveKey>, PublishError> {
        let mut loaded: Vec<(ArchiveKey, u64, Vec<Item>)> = Vec::new();
        for (channel, number) in due {
            match newest.get(channel) {
                Some(&last) if *number <= last && live(channels, channel) => {
                    let items = store.archive(channel, *number)?;
                    loaded.push(((channel.clone(), *number), last, items));
                }
                _ => {} // Renumbered or gone since it was marked.
            }
        }
        let mut jobs = Vec::new();
        for ((channel, number), last, items) in &loaded {
            for format in Format::ALL {
                let path = archive_path(channel, *number, format);
                let old = store.document(&path)?.map(|d| d.validators);
                let doc = FeedDoc {
                    channel,
                    format,
                    page: Page::Archive {
                        number: *number,
                        newest: *last,
                    },
                };
                jobs.push((path, doc, items.as_slice(), old));
            }
        }
        let now = Utc::now().timestamp();
        let site = &self.site;
        let rendered: Vec<(Vec<u8>, Validators)> = par_map(&jobs, |(_, doc, items, old)| {
            render_archive(site, doc, items, *old, now)
        })
        .into_iter()
        .collect::<Result<_, _>>()?;
        let mut documents = Vec::new();
        let mut files = Vec::new();
        for ((path, _, _, old), (bytes, validators)) in jobs.iter().zip(&rendered) {
            if *old != Some(*validators) {
                documents.push((
                    path.clone(),
                    Document {
                        validators: *validators,
                        copies: String::new(),
                    },
                ));
            }
            files.push(mirror::MirrorFile {
                rel: mirror::rel_of(path),
                bytes,
                modified: system_time(validators.modified),
            });
        }
        for (rel, err) in mirror::write_batch(&self.feeds_dir, &files) {
            tracing::warn!("writing {rel} into {}: {err}", self.feeds_dir.display());
        }
        store.set_documents(&documents)?;
        store.clear_archive_dirty(due)?;
        Ok(loaded.into_iter().map(|(key, _, _)| key).collect())
    }

    /// The newest archive document of each channel that is in the feeds
    /// folder, at start: the store's newest, or the one before it when that
    /// one was opened but not written yet.
    pub(super) fn find_written_archives(&mut self, store: &Store) -> Result<(), PublishError> {
        self.archives.clear();
        for (channel, newest) in store.newest_archives()? {
            let written = (0..=newest).rev().take(2).find(|&k| {
                let rel = mirror::rel_of(&archive_path(&channel, k, Format::Json));
                self.feeds_dir.join(rel).is_file()
            });
            if let Some(k) = written {
                self.archives.insert(channel, k);
            }
        }
        Ok(())
    }
}

/// Whether `channel`'s feeds (and so its archive) are served.
fn live(channels: &[ChannelInfo], channel: &str) -> bool {
    channels.iter().any(|c| c.name == channel && servable(c))
}

/// Renders one archive document and decides its validators, as feeds are:
/// with the stored time first, again with a new one if the bytes differ.
fn render_archive(
    site: &render::Site,
    doc: &FeedDoc<'_>,
    items: &[Item],
    old: Option<Validators>,
    now: i64,
) -> Result<(Vec<u8>, Validators), render::RenderError> {
    let when = old.map_or(now, |v| v.modified);
    let mut bytes = render::render_document(site, doc, items, utc_time(when))?;
    let mut validators = decide(old, &digest(&bytes), now);
    if validators.modified != when {
        bytes = render::render_document(site, doc, items, utc_time(validators.modified))?;
        validators.etag = digest(&bytes);
    }
    Ok((bytes, validators))
}
