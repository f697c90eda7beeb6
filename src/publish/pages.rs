//! Item pages: rendered for the items a change touched, with gzip and
//! brotli copies, validators kept in the store, written into the feeds
//! folder (which is where the HTTP server reads them); retracted items'
//! pages removed.

use std::collections::HashSet;

use bytes::Bytes;
use chrono::Utc;

use super::{decide, mirror, par_map, PublishError, Publisher};
use crate::model::Item;
use crate::render::{self, item_path, system_time, Codings, Entity, HTML_TYPE};
use crate::store::{ItemKey, Store, Validators};

/// Pages rendered and written per batch: bounds the memory one batch
/// holds (a few hundred small pages and their copies) however many are due.
pub(super) const BATCH: usize = 256;

/// A page's files relative to the feeds folder: the page and its copies.
pub(super) fn files(slug: &str) -> Vec<String> {
    let rel = mirror::rel_of(&item_path(slug));
    std::iter::once(rel.clone())
        .chain(
            Codings::Page
                .list()
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
        let olds: Vec<Option<Validators>> = live
            .iter()
            .map(|(key, _)| store.page_validators(*key))
            .collect::<Result<_, _>>()?;
        let site = &self.site;
        let pages: Vec<(Entity, Validators)> = par_map(
            &live.iter().zip(&olds).collect::<Vec<_>>(),
            |((_, item), old)| {
                let bytes = render::render_item_page(site, item);
                let v = decide(**old, &render::digest(&bytes), now);
                (
                    Entity::new(HTML_TYPE, bytes, system_time(v.modified), Codings::Page),
                    v,
                )
            },
        );
        let mut validators = Vec::new();
        let mut writes: Vec<(String, Bytes, std::time::SystemTime)> = Vec::new();
        let mut stale = Vec::new();
        for (((key, item), old), (entity, v)) in live.iter().zip(&olds).zip(&pages) {
            if *old != Some(*v) {
                validators.push((*key, *v));
            }
            let rel = mirror::rel_of(&item_path(&item.slug));
            writes.push((
                rel.clone(),
                entity.identity().body.clone(),
                entity.last_modified,
            ));
            for &coding in Codings::Page.list() {
                let name = format!("{rel}{}", coding.suffix());
                match entity.variant(coding) {
                    Some(c) => writes.push((name, c.body.clone(), entity.last_modified)),
                    None => stale.push(name),
                }
            }
        }
        for (rel, err) in mirror::remove(&self.feeds_dir, &stale) {
            tracing::warn!("removing {rel}: {err}");
        }
        let files: Vec<mirror::MirrorFile> = writes
            .iter()
            .map(|(rel, bytes, modified)| mirror::MirrorFile {
                rel: rel.clone(),
                bytes,
                modified: *modified,
            })
            .collect();
        for (rel, err) in mirror::write_batch(&self.feeds_dir, &files) {
            tracing::warn!("writing {rel} into {}: {err}", self.feeds_dir.display());
        }
        store.set_page_validators(&validators)?;
        store.clear_dirty(&[], keys)?;
        Ok(())
    }
}
