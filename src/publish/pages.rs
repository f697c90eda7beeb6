//! Item pages: rendered for the items a change touched, validators kept in
//! the store, written into the feeds folder (which is where the HTTP server
//! reads them, compressing per request); retracted items' pages removed.

use std::collections::HashSet;

use chrono::Utc;

use super::{decide, mirror, PublishError, Publisher};
use crate::model::Item;
use crate::par::par_map;
use crate::render::{self, item_path, system_time, Coding};
use crate::store::{ItemKey, Store, Validators};

/// Pages rendered and written per batch: bounds the memory one batch
/// holds (a few hundred small pages) however many are due.
pub(super) const BATCH: usize = 256;

/// A page's files relative to the feeds folder: the page, and the copies
/// earlier versions kept beside it.
pub(super) fn files(slug: &str) -> Vec<String> {
    let rel = mirror::rel_of(&item_path(slug));
    std::iter::once(rel.clone())
        .chain(
            Coding::COMPRESSED
                .iter()
                .map(|c| format!("{rel}{}", c.suffix())),
        )
        .collect()
}

impl Publisher {
    /// Renders the pages of `keys` (or removes them, for retracted items),
    /// with validators, into the feeds folder; then records them as done.
    pub(super) fn publish_pages(
        &mut self,
        store: &mut Store,
        keys: &[ItemKey],
        gone: &mut HashSet<String>,
    ) -> Result<(), PublishError> {
        self.write_pages(store, keys, gone)?.sync();
        store.clear_dirty(&[], keys)?;
        Ok(())
    }

    /// Renders the pages of `keys` (or removes them, for retracted items)
    /// into the feeds folder and records their validators; returns the
    /// files to sync, after which the pages may be recorded as done (until
    /// then the store keeps them due, so a crash renders them again).
    pub(super) fn write_pages(
        &mut self,
        store: &mut Store,
        keys: &[ItemKey],
        gone: &mut HashSet<String>,
    ) -> Result<mirror::Unsynced, PublishError> {
        let mut live: Vec<(ItemKey, Item)> = Vec::new();
        let mut removed: Vec<String> = Vec::new();
        for &key in keys {
            match store.item(key)? {
                Some((item, false)) => {
                    gone.remove(&item_path(&item.slug));
                    live.push((key, item));
                }
                Some((item, true)) => {
                    gone.insert(item_path(&item.slug));
                    removed.extend(files(&item.slug));
                }
                None => {}
            }
        }
        for (rel, err) in mirror::remove(&self.feeds_dir, &removed) {
            tracing::warn!("removing {rel}: {err}");
        }
        let now = Utc::now().timestamp();
        let jobs: Vec<(&Item, Option<Validators>)> = live
            .iter()
            .map(|(key, item)| Ok((item, store.page_validators(*key)?)))
            .collect::<Result<_, PublishError>>()?;
        let site = &self.site;
        let pages: Vec<(Vec<u8>, Validators)> = par_map(&jobs, |(item, old)| {
            let bytes = render::render_item_page(site, item);
            let v = decide(*old, &render::digest(&bytes), now);
            (bytes, v)
        });
        let mut validators = Vec::new();
        let mut files = Vec::with_capacity(pages.len());
        for (((key, item), (_, old)), (bytes, v)) in live.iter().zip(&jobs).zip(&pages) {
            if *old != Some(*v) {
                validators.push((*key, *v));
            }
            files.push(mirror::MirrorFile {
                rel: mirror::rel_of(&item_path(&item.slug)),
                bytes,
                modified: system_time(v.modified),
            });
        }
        let (unsynced, failed) = mirror::write_unsynced(&self.feeds_dir, &files);
        for (rel, err) in failed {
            tracing::warn!("writing {rel} into {}: {err}", self.feeds_dir.display());
        }
        store.set_page_validators(&validators)?;
        Ok(unsynced)
    }
}
