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
//! (RSS `lastBuildDate`, Atom `updated`), so a feed that changed is rendered
//! a second time with its new time.
//!
//! Feeds and the index are kept in memory ([`Published`]); permalink pages
//! live only in the feeds folder (`items/SLUG.html` and a `.gz` copy), with
//! their `Last-Modified` as the file's mtime, and are served from there.

pub mod mirror;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use bytes::Bytes;
use chrono::Utc;

use crate::metrics::Metrics;
use crate::model::Item;
use crate::render::{
    self, digest, feed_path, item_path, system_time, utc_time, Entity, Format, Published,
    RenderError, Site, ETAG_DIGEST_BYTES, HTML_TYPE,
};
use crate::store::{hash_hex, Changes, ChannelInfo, Store, StoreError, Validators};
use mirror::MirrorFile;

/// Pages rendered per batch when many are due at once (first start on an
/// old database, a changed site): bounds the memory held by one batch.
const PAGE_BATCH: usize = 2000;

/// Bumped when the renderers change what they write, so that a new version
/// renders every page again (validators still move only where bytes did).
const RENDER_VERSION: u32 = 2;

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

/// What one render produced, before validators are decided.
struct Rendered {
    path: String,
    content_type: &'static str,
    bytes: Vec<u8>,
    digest: [u8; ETAG_DIGEST_BYTES],
}

/// The publishing stage, owned by the ingest thread.
pub struct Publisher {
    site: Site,
    feeds_dir: PathBuf,
    items_per_feed: usize,
    metrics: Arc<Metrics>,
    /// Feeds and index currently served, by URL path.
    hot: HashMap<String, Arc<Entity>>,
    /// Paths answering 410.
    gone: Arc<HashSet<String>>,
    /// Digest of each hot document as last written to the feeds folder.
    mirrored: HashMap<String, [u8; ETAG_DIGEST_BYTES]>,
}

impl Publisher {
    /// A publisher for `site`, writing into `feeds_dir`.
    pub fn new(
        site: Site,
        feeds_dir: PathBuf,
        items_per_feed: usize,
        metrics: Arc<Metrics>,
    ) -> Publisher {
        Publisher {
            site,
            feeds_dir,
            items_per_feed,
            metrics,
            hot: HashMap::new(),
            gone: Arc::new(HashSet::new()),
            mirrored: HashMap::new(),
        }
    }

    /// Takes new site settings and feed length (a reload): the next
    /// [`Publisher::publish_all`] renders with them, and
    /// [`Publisher::repair_pages`] renders every page again if the site
    /// settings changed.
    pub fn reconfigure(&mut self, site: Site, items_per_feed: usize) {
        self.site = site;
        self.items_per_feed = items_per_feed;
    }

    /// Renders every feed and the index (at start): the first snapshot.
    pub fn publish_all(&mut self, store: &mut Store) -> Result<Arc<Published>, PublishError> {
        let (_, retracted) = store.item_ids()?;
        let mut gone: HashSet<String> = retracted.iter().map(|s| item_path(s)).collect();
        let channels = store.channels()?;
        for channel in &channels {
            if vanished(channel) {
                gone.extend(Format::ALL.map(|f| feed_path(&channel.name, f)));
            }
        }
        self.gone = Arc::new(gone);
        let all: BTreeSet<String> = channels.iter().map(|c| c.name.clone()).collect();
        self.publish_feeds(store, &channels, &all)?;
        Ok(self.snapshot())
    }

    /// Renders what `changes` touched: their channels' feeds, the main feed,
    /// the index, and the pages of the items concerned.
    pub fn publish(
        &mut self,
        store: &mut Store,
        changes: &Changes,
    ) -> Result<Arc<Published>, PublishError> {
        let channels = store.channels()?;
        let mut gone = (*self.gone).clone();
        for channel in &channels {
            let paths = Format::ALL.map(|f| feed_path(&channel.name, f));
            if servable(channel) {
                for p in &paths {
                    gone.remove(p);
                }
            } else if changes.channels.contains(&channel.name) {
                for p in paths {
                    self.hot.remove(&p);
                    if vanished(channel) {
                        gone.insert(p);
                    }
                }
            }
        }
        let ids: Vec<String> = changes.pages.iter().cloned().collect();
        self.publish_pages(store, &ids, &mut gone)?;
        self.gone = Arc::new(gone);
        self.publish_feeds(store, &channels, &changes.channels)?;
        Ok(self.snapshot())
    }

    /// Makes sure every published item has its page in the feeds folder and
    /// no retracted one does (at start, after the first snapshot is out).
    /// Pages are rendered again when missing, or all of them when the site
    /// settings or the renderer changed since they were written.
    pub fn repair_pages(&mut self, store: &mut Store) -> Result<usize, PublishError> {
        let key = self.pages_key();
        let all = store.meta("pages_key")?.as_deref() != Some(key.as_str());
        let (published, retracted) = store.item_ids()?;
        let due: Vec<String> = published
            .into_iter()
            .filter(|id| {
                all || !self
                    .feeds_dir
                    .join(page_rel(&crate::store::slug_for(id)))
                    .exists()
            })
            .collect();
        let mut gone = (*self.gone).clone();
        for chunk in due.chunks(PAGE_BATCH) {
            self.publish_pages(store, chunk, &mut gone)?;
        }
        let stale: Vec<String> = retracted.iter().flat_map(|s| page_files(s)).collect();
        for (rel, err) in mirror::remove(&self.feeds_dir, &stale) {
            tracing::warn!("removing {rel}: {err}");
        }
        store.set_meta("pages_key", &key)?;
        Ok(due.len())
    }

    fn snapshot(&self) -> Arc<Published> {
        Arc::new(Published {
            entities: self.hot.clone(),
            gone: Arc::clone(&self.gone),
        })
    }

    /// Renders the main feed, the feeds of `dirty` channels and the index.
    fn publish_feeds(
        &mut self,
        store: &mut Store,
        channels: &[ChannelInfo],
        dirty: &BTreeSet<String>,
    ) -> Result<(), PublishError> {
        let mut feeds: Vec<(String, Vec<Item>)> = Vec::new();
        for channel in channels.iter().filter(|c| servable(c)) {
            if channel.name.is_empty() || dirty.contains(&channel.name) {
                let items = if channel.name.is_empty() {
                    store.newest(None, self.items_per_feed)?
                } else {
                    store.newest(Some(&channel.name), self.items_per_feed)?
                };
                feeds.push((channel.name.clone(), items));
            }
        }
        let now = Utc::now().timestamp();
        let mut documents: Vec<(Rendered, Option<Validators>)> = Vec::new();
        let site = &self.site;
        for (channel, items) in &feeds {
            for format in Format::ALL {
                let path = feed_path(channel, format);
                let old = store.validators(&path)?;
                let when = old.map_or(now, |v| v.modified);
                let bytes = render::render_feed(site, channel, items, format, utc_time(when))?;
                let mut rendered = Rendered {
                    digest: digest(&bytes),
                    path,
                    content_type: format.content_type(),
                    bytes,
                };
                if let Some(new_time) = changed_time(old, &rendered, now) {
                    if new_time != when {
                        rendered.bytes =
                            render::render_feed(site, channel, items, format, utc_time(new_time))?;
                        rendered.digest = digest(&rendered.bytes);
                    }
                }
                documents.push((rendered, old));
                crate::metrics::Metrics::bump(&self.metrics.renders);
            }
        }
        let named: Vec<(String, usize)> = channels
            .iter()
            .filter(|c| !c.name.is_empty() && servable(c))
            .map(|c| (c.name.clone(), c.items))
            .collect();
        let latest = feeds.first().map_or(&[][..], |(_, items)| items.as_slice());
        let index = render::render_index(site, &named, latest);
        documents.push((
            Rendered {
                path: "/".into(),
                content_type: HTML_TYPE,
                digest: digest(&index),
                bytes: index,
            },
            store.validators("/")?,
        ));
        let mut validators = Vec::new();
        for (rendered, old) in documents {
            let v = decide(old, &rendered, now);
            if old != Some(v) {
                validators.push((rendered.path.clone(), v));
            }
            let current = self.hot.get(&rendered.path);
            if current
                .is_none_or(|e| e.digest != v.etag || e.last_modified != system_time(v.modified))
            {
                let entity = Entity::new(
                    rendered.content_type,
                    rendered.bytes,
                    system_time(v.modified),
                );
                self.hot.insert(rendered.path, Arc::new(entity));
            }
        }
        store.set_validators(&validators)?;
        self.metrics
            .items
            .store(store.published_count()?, Ordering::Relaxed);
        self.mirror_hot();
        Ok(())
    }

    /// Renders the pages of `ids` (or removes them, for retracted items),
    /// with validators, into the feeds folder.
    fn publish_pages(
        &mut self,
        store: &mut Store,
        ids: &[String],
        gone: &mut HashSet<String>,
    ) -> Result<(), PublishError> {
        let mut live: Vec<Item> = Vec::new();
        let mut removed: Vec<String> = Vec::new();
        for id in ids {
            match store.item(id)? {
                Some((item, false)) => {
                    gone.remove(&item_path(&item.slug));
                    live.push(item);
                }
                Some((item, true)) => {
                    gone.insert(item_path(&item.slug));
                    removed.extend(page_files(&item.slug));
                }
                None => {}
            }
        }
        for (rel, err) in mirror::remove(&self.feeds_dir, &removed) {
            tracing::warn!("removing {rel}: {err}");
        }
        let site = &self.site;
        let pages: Vec<(Rendered, Option<Bytes>)> = par_map(&live, |item| {
            let bytes = render::render_item_page(site, item);
            let gzip = render::compress(&bytes).map(|(z, _)| z);
            (
                Rendered {
                    path: item_path(&item.slug),
                    content_type: HTML_TYPE,
                    digest: digest(&bytes),
                    bytes,
                },
                gzip,
            )
        });
        let now = Utc::now().timestamp();
        let mut validators = Vec::new();
        let mut decided = Vec::with_capacity(pages.len());
        for (rendered, gzip) in &pages {
            let old = store.validators(&rendered.path)?;
            let v = decide(old, rendered, now);
            if old != Some(v) {
                validators.push((rendered.path.clone(), v));
            }
            decided.push((rendered, gzip, v));
        }
        let mut files = Vec::new();
        for (rendered, gzip, v) in &decided {
            let rel = rendered.path.trim_start_matches('/').to_string();
            let modified = system_time(v.modified);
            if let Some(z) = gzip {
                files.push(MirrorFile {
                    rel: format!("{rel}.gz"),
                    bytes: z,
                    modified,
                });
            } else {
                removed_gzip(&self.feeds_dir, &rel);
            }
            files.push(MirrorFile {
                rel,
                bytes: &rendered.bytes,
                modified,
            });
        }
        for (rel, err) in mirror::write_batch(&self.feeds_dir, &files) {
            tracing::warn!("writing {rel} into {}: {err}", self.feeds_dir.display());
        }
        store.set_validators(&validators)?;
        Ok(())
    }

    /// Writes the hot documents whose bytes changed into the feeds folder.
    fn mirror_hot(&mut self) {
        let mut files = Vec::new();
        let mut written = Vec::new();
        for (path, entity) in &self.hot {
            if self.mirrored.get(path) == Some(&entity.digest) {
                continue;
            }
            let rel = if path == "/" {
                "index.html".to_string()
            } else {
                path.trim_start_matches('/').to_string()
            };
            files.push(MirrorFile {
                rel,
                bytes: &entity.identity,
                modified: entity.last_modified,
            });
            written.push((path.clone(), entity.digest));
        }
        for (rel, err) in mirror::write_batch(&self.feeds_dir, &files) {
            tracing::warn!("writing {rel} into {}: {err}", self.feeds_dir.display());
        }
        self.mirrored.extend(written);
    }

    /// What the pages' bytes depend on besides their item: the site settings
    /// and the renderer.
    fn pages_key(&self) -> String {
        let s = &self.site;
        hash_hex(
            format!(
                "{RENDER_VERSION}\n{}\n{}\n{}\n{}\n{:?}\n{}",
                env!("CARGO_PKG_VERSION"),
                s.title,
                s.description,
                s.language,
                s.author,
                s.base_url
            )
            .as_bytes(),
        )
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

/// The new `Last-Modified` of a document whose bytes differ from the stored
/// ones, or `None` when they are the same: now, but always later than before.
fn changed_time(old: Option<Validators>, rendered: &Rendered, now: i64) -> Option<i64> {
    match old {
        Some(v) if v.etag == rendered.digest => None,
        Some(v) => Some(now.max(v.modified + 1)),
        None => Some(now),
    }
}

/// The validators of `rendered`, given the stored ones.
fn decide(old: Option<Validators>, rendered: &Rendered, now: i64) -> Validators {
    match changed_time(old, rendered, now) {
        None => old.unwrap_or(Validators {
            etag: rendered.digest,
            modified: now,
        }),
        Some(modified) => Validators {
            etag: rendered.digest,
            modified,
        },
    }
}

/// The page file of a slug, relative to the feeds folder.
fn page_rel(slug: &str) -> String {
    item_path(slug).trim_start_matches('/').to_string()
}

/// A page's files: the page and its gzip copy.
fn page_files(slug: &str) -> [String; 2] {
    let rel = page_rel(slug);
    [format!("{rel}.gz"), rel]
}

/// A page too small to compress must not keep an old `.gz` copy.
fn removed_gzip(root: &std::path::Path, rel: &str) {
    let _ = std::fs::remove_file(root.join(format!("{rel}.gz")));
}

/// Maps `f` over `items` on every core: renders are CPU-bound and
/// independent, and a first start may render every page.
fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    /// Below this many jobs a thread costs more than it saves.
    const MIN_JOBS: usize = 8;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads < 2 || items.len() < MIN_JOBS {
        return items.iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let workers: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(|| part.iter().map(&f).collect::<Vec<R>>()))
            .collect();
        workers
            .into_iter()
            .flat_map(|w| {
                w.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}
