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
//!
//! # Layout
//!
//! - this file: the [`Ingestor`] and its settings: opening the store, the
//!   start, reloads; the feed metadata and lengths taken from the
//!   configuration.
//! - `lead`: [`run`], the body of the thread: while this node leads, inbox
//!   events are applied in batches and each batch is published; while it
//!   does not, it follows (`follow`).
//! - `apply`: one inbox event turned into store changes: a bulletin read,
//!   parsed and ingested, a removal, a rename, a channel folder, a scan
//!   reconciled.
//! - `failure`: a rejected file marked in the store and moved to the
//!   quarantine folder; a store error noted (a fatal one stops the loop).
//! - `publishing`: store changes into snapshots for the HTTP tasks: the
//!   publish after a batch, the slow part left for an idle queue, the item
//!   gauges.
//! - `prepare`: queued bulletins read and parsed ahead, on the other cores.
//! - `settings`: a channel's own settings file, `channel.toml`.
//! - `follow`: the thread of a node that does not hold the ingest lock.
//! - `deferred`: the thread of a node that started without its database.
//! - `work`: the work the thread is given, its links to the rest of the
//!   daemon, and the bookkeeping of one batch.
//! - `test_hooks`: faults the end-to-end tests inject (debug builds only).

mod apply;
mod deferred;
mod failure;
mod follow;
mod lead;
mod prepare;
mod publishing;
mod settings;
mod test_hooks;
mod work;

pub use deferred::{last_written, run_deferred};
pub use lead::run;
pub use work::{Links, Reconfigure, Work};

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use crate::config::{Config, OnDelete};
use crate::metrics::Metrics;
use crate::parse::Limits;
use crate::publish::{PublishError, Publisher, Sizes};
use crate::render::{Published, Site};
use crate::store::{Store, StoreError};

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
