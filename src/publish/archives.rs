//! Archive documents (RFC 5005 §4): rendered when the store marks them due,
//! given validators, written into the feeds folder, where the HTTP server
//! reads them like item pages.
//!
//! They are rendered after the change that made them due is published (when
//! the queue is idle, or every few seconds during a burst), in order of
//! channel and number, a few at a time. The current feeds link only the
//! newest archive document already written, so a reader following
//! `prev-archive` never meets a missing one; opening a new document renders
//! its channel's feeds again to link it.

use std::collections::{BTreeSet, HashMap};

use chrono::Utc;

use super::{decide, mirror, par_map, servable, PublishError, Publisher};
use crate::model::Item;
use crate::render::{
    self, archive_path, digest, system_time, utc_time, Codings, FeedDoc, Format, Page,
};
use crate::store::{ArchiveKey, Document, Store, Validators};

/// Archive documents rendered per call: a call stays well under a second,
/// so inbox events wait little behind a long backlog.
pub(super) const BATCH: usize = 16;

impl Publisher {
    /// Renders up to [`BATCH`] due archive documents; returns whether more
    /// are due.
    pub(super) fn publish_archives(&mut self, store: &mut Store) -> Result<bool, PublishError> {
        let mut due = store.archive_dirty(BATCH + 1)?;
        let more = due.len() > BATCH;
        due.truncate(BATCH);
        if due.is_empty() {
            return Ok(false);
        }
        let newest: HashMap<String, u64> = store.newest_archives()?.into_iter().collect();
        let channels = store.channels()?;
        let live = |name: &str| channels.iter().any(|c| c.name == name && servable(c));
        let mut loaded: Vec<(ArchiveKey, u64, Vec<Item>)> = Vec::new();
        for (channel, number) in &due {
            match newest.get(channel) {
                Some(&last) if *number <= last && live(channel) => {
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
        store.clear_archive_dirty(&due)?;
        // Newer documents written: the current feeds link them, at once for
        // a channel that had none, else once the backlog is done (a long one
        // would otherwise rewrite the feeds with every batch).
        // (Documents are rendered in order of number, so every one before a
        // written document is written too.)
        let links: Vec<(&String, u64)> = if more {
            loaded
                .iter()
                .rev()
                .map(|((channel, number), _, _)| (channel, *number))
                .collect()
        } else {
            newest
                .iter()
                .filter(|(channel, _)| live(channel))
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
