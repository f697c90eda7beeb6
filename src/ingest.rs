//! The ingest task: the one owner of the store. It turns inbox events into
//! store changes (parse, ingest, retract, quarantine), then renders what
//! changed and publishes the new set of prepared responses.
//!
//! It runs on its own thread because SQLite and rendering are blocking
//! work; HTTP tasks only ever see the [`Published`] snapshots it sends.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use tokio::sync::{mpsc, watch};

use crate::config::{Config, OnDelete};
use crate::inbox::{quarantine::quarantine, InboxEvent, RelPath};
use crate::metrics::Metrics;
use crate::model::Item;
use crate::parse::{self, Limits, ParseError};
use crate::render::{self, Entity, Format, Published, Site};
use crate::store::{hash_hex, Store, StoreError};

/// During a long burst of events (a big startup scan), publish at least this
/// often so readers see progress...
const PUBLISH_AT_LEAST_EVERY: Duration = Duration::from_secs(1);
/// ...but spend at most about a fifth of the burst rendering intermediate
/// snapshots: the pause between them is at least this many times as long
/// as the last publish took.
const PUBLISH_PAUSE_FACTOR: u32 = 4;

/// Where the ingest task reads, moves and writes files.
#[derive(Debug, Clone)]
pub struct Folders {
    /// The watched inbox.
    pub inbox: PathBuf,
    /// Where rejected files go.
    pub quarantine: PathBuf,
    /// Where rendered feeds are mirrored.
    pub feeds: PathBuf,
}

/// State owned by the ingest task.
pub struct Ingestor {
    store: Store,
    site: Site,
    folders: Folders,
    limits: Limits,
    on_delete: OnDelete,
    items_per_feed: usize,
    metrics: Arc<Metrics>,
    /// Feed and index responses currently published, by URL path.
    feeds: HashMap<String, Arc<Entity>>,
    /// Slugs shown in each feed (`""` = the main feed), to know which
    /// permalink pages must exist.
    feed_slugs: HashMap<String, Vec<String>>,
    /// Permalink pages by slug, with the `updated` time they were made from.
    pages: HashMap<String, (String, Arc<Entity>)>,
    /// ETag of each file last written to the feeds folder, by URL path.
    mirrored: HashMap<String, String>,
}

impl Ingestor {
    /// Opens the store and prepares an ingestor for `config`, publishing
    /// under `base_url`.
    pub fn new(
        config: &Config,
        base_url: &str,
        metrics: Arc<Metrics>,
    ) -> Result<Ingestor, StoreError> {
        let store = Store::open(
            &config.state_dir,
            &crate::store::authority_of(base_url),
            config.timezone,
        )?;
        Ok(Ingestor {
            store,
            site: site_for(config, base_url),
            folders: Folders {
                inbox: config.inbox.clone(),
                quarantine: config.quarantine_dir.clone(),
                feeds: config.feeds_dir.clone(),
            },
            limits: Limits {
                max_bytes: config.max_bytes,
            },
            on_delete: config.on_delete,
            items_per_feed: config.items_per_feed,
            metrics,
            feeds: HashMap::new(),
            feed_slugs: HashMap::new(),
            pages: HashMap::new(),
            mirrored: HashMap::new(),
        })
    }

    /// Applies one inbox event; returns the channels whose items changed.
    pub fn apply(&mut self, event: InboxEvent) -> BTreeSet<String> {
        let mut dirty = BTreeSet::new();
        let result = match event {
            InboxEvent::Ready(rel) => self.ingest(&rel, &mut dirty),
            InboxEvent::Gone(rel) => self.gone(&rel, &mut dirty),
            InboxEvent::Present(found) => self.reconcile(&found, &mut dirty),
        };
        if let Err(err) = result {
            tracing::error!("store: {err}");
        }
        dirty
    }

    fn ingest(&mut self, rel: &RelPath, dirty: &mut BTreeSet<String>) -> Result<(), StoreError> {
        let path = rel.under(&self.folders.inbox);
        let key = rel.key();
        let size = match std::fs::metadata(&path) {
            Ok(meta) if meta.is_file() => meta.len(),
            Ok(_) => return Ok(()),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(err) => {
                tracing::error!(file = %path.display(), "cannot read: {err}");
                return Ok(());
            }
        };
        if size > self.limits.max_bytes {
            let err = ParseError::TooLarge {
                size,
                limit: self.limits.max_bytes,
            };
            return self.reject(rel, &err.to_string());
        }
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(err) => {
                tracing::error!(file = %path.display(), "cannot read: {err}");
                return Ok(());
            }
        };
        let hash = hash_hex(&bytes);
        if self.store.is_current(&key, &hash)? {
            tracing::debug!(file = %path.display(), "unchanged");
            return Ok(());
        }
        let bulletin = match parse::parse_bulletin(&rel.name, &bytes, &self.limits) {
            Ok(bulletin) => bulletin,
            Err(err) => return self.reject(rel, &err.to_string()),
        };
        for warning in &bulletin.warnings {
            tracing::warn!("{}: {warning}", path.display());
        }
        let changes = self
            .store
            .ingest(&key, &rel.channel, &hash, &bulletin, Utc::now())?;
        Metrics::bump(&self.metrics.bulletins_ingested);
        tracing::info!(
            "ingested {}: {} articles ({} new, {} updated, {} retracted)",
            path.display(),
            bulletin.articles.len(),
            changes.added,
            changes.updated,
            changes.retracted
        );
        if changes.any() {
            dirty.insert(rel.channel.clone());
        }
        Ok(())
    }

    fn reject(&mut self, rel: &RelPath, reason: &str) -> Result<(), StoreError> {
        let path = rel.under(&self.folders.inbox);
        Metrics::bump(&self.metrics.bulletins_quarantined);
        match quarantine(&self.folders.inbox, &self.folders.quarantine, rel, reason) {
            Ok(to) => tracing::error!("{}: {reason} (moved to {})", path.display(), to.display()),
            Err(err) => tracing::error!(
                "{}: {reason} (could not quarantine it: {err})",
                path.display()
            ),
        }
        self.store.mark_quarantined(&rel.key())
    }

    fn gone(&mut self, rel: &RelPath, dirty: &mut BTreeSet<String>) -> Result<(), StoreError> {
        if rel.under(&self.folders.inbox).exists() {
            return Ok(()); // replaced in the meantime; a Ready event follows
        }
        let changes = self
            .store
            .remove(&rel.key(), self.on_delete == OnDelete::Retract)?;
        if changes.any() {
            tracing::info!(
                "{} removed: {} items retracted",
                rel.key(),
                changes.retracted
            );
            dirty.insert(rel.channel.clone());
        }
        Ok(())
    }

    fn reconcile(
        &mut self,
        found: &[RelPath],
        dirty: &mut BTreeSet<String>,
    ) -> Result<(), StoreError> {
        let present: BTreeSet<String> = found.iter().map(RelPath::key).collect();
        for known in self.store.known()? {
            if known.state == "active" && !present.contains(&known.path) {
                self.gone(&RelPath::from_key(&known.path), dirty)?;
            }
        }
        Ok(())
    }

    /// Renders the main feed, the feeds of `dirty` channels (all channels
    /// when `everything`), the index and the permalink pages they need, and
    /// returns the new snapshot.
    pub fn publish(
        &mut self,
        dirty: &BTreeSet<String>,
        everything: bool,
    ) -> Result<Arc<Published>, StoreError> {
        let channels = self.store.channels()?;
        let mut feeds: Vec<String> = vec![String::new()];
        feeds.extend(
            channels
                .iter()
                .map(|(c, _)| c)
                .filter(|c| !c.is_empty() && (everything || dirty.contains(*c)))
                .cloned(),
        );
        let mut shown: Vec<(String, Vec<Item>)> = Vec::with_capacity(feeds.len());
        for channel in feeds {
            let items = if channel.is_empty() {
                self.store.newest(None, self.items_per_feed)?
            } else {
                self.store.newest(Some(&channel), self.items_per_feed)?
            };
            shown.push((channel, items));
        }
        let jobs: Vec<(&str, &[Item], Format)> = shown
            .iter()
            .flat_map(|(channel, items)| {
                Format::ALL.map(|f| (channel.as_str(), items.as_slice(), f))
            })
            .collect();
        let site = &self.site;
        let rendered = par_map(&jobs, |(channel, items, format)| {
            render::render_feed(site, channel, items, *format)
        });
        for ((channel, _, format), result) in jobs.iter().zip(rendered) {
            let path = render::feed_path(channel, *format);
            match result {
                Ok(entity) => {
                    self.feeds.insert(path, Arc::new(entity));
                }
                Err(err) => tracing::error!("rendering {path}: {err}"),
            }
        }
        // `shown` starts with the main feed: its items head the index page.
        let main_len = shown.first().map_or(0, |(_, items)| items.len());
        let mut fresh_items: Vec<Item> = Vec::new();
        for (channel, items) in shown {
            Metrics::bump(&self.metrics.renders);
            self.feed_slugs
                .insert(channel, items.iter().map(|i| i.slug.clone()).collect());
            fresh_items.extend(items);
        }
        let named: Vec<(String, usize)> = channels
            .into_iter()
            .filter(|(c, _)| !c.is_empty())
            .collect();
        self.feeds.insert(
            "/".into(),
            Arc::new(render::render_index(
                &self.site,
                &named,
                &fresh_items[..main_len],
            )),
        );

        // Permalink pages: exactly the items some feed shows.
        let wanted: BTreeSet<&String> = self.feed_slugs.values().flatten().collect();
        self.pages.retain(|slug, _| wanted.contains(slug));
        let stale: Vec<&Item> = fresh_items
            .iter()
            .filter(|item| {
                self.pages
                    .get(&item.slug)
                    .is_none_or(|(u, _)| *u != item.updated.to_rfc3339())
            })
            .collect();
        let site = &self.site;
        let pages = par_map(&stale, |item| render::render_item_page(site, item));
        for (item, page) in stale.iter().zip(pages) {
            self.pages.insert(
                item.slug.clone(),
                (item.updated.to_rfc3339(), Arc::new(page)),
            );
        }

        let mut entities = self.feeds.clone();
        for (slug, (_, page)) in &self.pages {
            entities.insert(render::item_path(slug), page.clone());
        }
        self.metrics
            .items
            .store(self.store.published_count()?, Ordering::Relaxed);
        Ok(Arc::new(Published { entities }))
    }

    /// Writes changed feed files (not permalink pages) into the feeds
    /// folder, each atomically (temp file + rename).
    pub fn mirror(&mut self) {
        for (url_path, entity) in &self.feeds {
            if self.mirrored.get(url_path) == Some(&entity.etag) {
                continue;
            }
            let rel = if url_path == "/" {
                "index.html"
            } else {
                url_path.trim_start_matches('/')
            };
            let target = self.folders.feeds.join(rel);
            match write_atomically(&target, &entity.identity) {
                Ok(()) => {
                    self.mirrored.insert(url_path.clone(), entity.etag.clone());
                }
                Err(err) => tracing::warn!("writing {}: {err}", target.display()),
            }
        }
    }
}

/// Feed metadata from the configuration.
pub fn site_for(config: &Config, base_url: &str) -> Site {
    Site {
        title: config.title.clone(),
        description: config.description.clone(),
        language: config.language.clone(),
        author: config.author.clone(),
        base_url: base_url.to_string(),
    }
}

/// Maps `f` over `items` on every core: renders are CPU-bound and
/// independent, and a restart renders every feed and page before serving.
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

fn write_atomically(target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = target.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut tmp = target.as_os_str().to_owned();
    tmp.push(".tmp");
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, target)
}

/// The ingest loop: applies events as they come, batching bursts, and
/// publishes after each batch. Returns when `events` closes or `stop` is set
/// (it then finishes the file in hand, not the queue: the next start's scan
/// picks the rest up).
pub fn run(
    mut ingestor: Ingestor,
    mut events: mpsc::UnboundedReceiver<InboxEvent>,
    published: watch::Sender<Arc<Published>>,
    stop: Arc<AtomicBool>,
) {
    // Publishes a snapshot and returns how long that took.
    let publish = |ingestor: &mut Ingestor, dirty: &BTreeSet<String>| {
        let started = Instant::now();
        match ingestor.publish(dirty, false) {
            Ok(snapshot) => {
                published.send_replace(snapshot);
                ingestor.mirror();
            }
            Err(err) => tracing::error!("publishing: {err}"),
        }
        started.elapsed()
    };
    let mut pause = PUBLISH_AT_LEAST_EVERY;
    while let Some(event) = events.blocking_recv() {
        let mut dirty = ingestor.apply(event);
        let mut since = Instant::now();
        while !stop.load(Ordering::Relaxed) {
            let Ok(event) = events.try_recv() else { break };
            dirty.extend(ingestor.apply(event));
            if !dirty.is_empty() && since.elapsed() >= pause {
                let took = publish(&mut ingestor, &dirty);
                pause = PUBLISH_AT_LEAST_EVERY.max(took * PUBLISH_PAUSE_FACTOR);
                dirty.clear();
                since = Instant::now();
            }
        }
        if !dirty.is_empty() {
            publish(&mut ingestor, &dirty);
        }
        if stop.load(Ordering::Relaxed) {
            break;
        }
    }
}
