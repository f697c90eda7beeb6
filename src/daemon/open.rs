//! Opening the store at start, and what a node does when its PostgreSQL
//! store cannot be reached then: it serves the snapshot its feeds folder
//! holds (degraded) and opens the store on the ingest thread once it can.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use anyhow::Context;

use crate::config::{Config, StoreLocation};
use crate::ingest::Ingestor;
use crate::metrics::Metrics;
use crate::render::Published;
use crate::role::{Claim, RoleLinks};
use crate::websub::RoleChange;

/// What the start opened.
pub(super) struct Opened {
    /// The first snapshot to serve.
    pub first: Arc<Published>,
    /// The hub's kept state.
    pub websub: Option<crate::websub::Opened>,
    /// The ingestor and (on PostgreSQL) the role session; `None` when the
    /// PostgreSQL store could not be reached and `first` is the feeds
    /// folder's snapshot.
    pub store: Option<(Ingestor, Option<Claim>)>,
}

/// Opens the store, or (a PostgreSQL store out of reach, a snapshot in the
/// feeds folder) falls back to serving that snapshot. Blocking.
pub(super) fn open(
    config: &Config,
    base_url: &str,
    metrics: Arc<Metrics>,
) -> anyhow::Result<Opened> {
    let ready =
        open_store(config, base_url, metrics.clone()).and_then(|(ingestor, first, claim)| {
            let websub = crate::websub::open(&config.websub, &config.store, &config.state_dir)
                .context("reading the WebSub subscriptions")?;
            Ok(Opened {
                first,
                websub,
                store: Some((ingestor, claim)),
            })
        });
    let err = match (ready, &config.store) {
        (Ok(ready), _) => return Ok(ready),
        (Err(err), StoreLocation::Postgres(_)) => err,
        (Err(err), StoreLocation::Sqlite) => return Err(err),
    };
    let Some(first) = crate::ingest::last_written(config, base_url, metrics.clone()) else {
        return Err(err.context("and the feeds folder holds no snapshot to serve meanwhile"));
    };
    tracing::error!(
        "{err:#}; serving the snapshot in {} until the database can be reached",
        config.feeds_dir.display()
    );
    // Before the first request is answered.
    metrics.store_degraded.store(1, Ordering::Relaxed);
    let websub = crate::websub::open_later(&config.websub, &config.store, &config.state_dir);
    Ok(Opened {
        first,
        websub,
        store: None,
    })
}

/// The store opened: the ingestor, its first snapshot, the role session.
fn open_store(
    config: &Config,
    base_url: &str,
    metrics: Arc<Metrics>,
) -> anyhow::Result<(Ingestor, Arc<Published>, Option<Claim>)> {
    let mut ingestor =
        Ingestor::new(config, base_url, metrics).with_context(|| match &config.store {
            StoreLocation::Sqlite => format!("opening the store in {}", config.state_dir.display()),
            pg => format!("opening the store {pg}"),
        })?;
    let claim = claim_role(&config.store, &mut ingestor)?;
    let first = ingestor.start().context("publishing the stored feeds")?;
    Ok((ingestor, first, claim))
}

/// On a PostgreSQL store, opens the role session and makes `ingestor` a
/// follower unless this node got the ingest lock; `None` on SQLite (one
/// node, always ingesting). Blocking.
fn claim_role(store: &StoreLocation, ingestor: &mut Ingestor) -> anyhow::Result<Option<Claim>> {
    let StoreLocation::Postgres(url) = store else {
        return Ok(None);
    };
    let claim = Claim::open(url).context("opening the role session")?;
    if claim.is_ingest() {
        tracing::info!("this node runs ingest (it holds the lock)");
    } else {
        tracing::info!("another node runs ingest: following it");
        ingestor
            .become_follower()
            .context("reading the publication log")?;
    }
    Ok(Some(claim))
}

/// For the ingest thread of a degraded start: one try at the store; once it
/// opens, starts the role session (an ingest node rescans the inbox, whose
/// events were left meanwhile) and tells the hub. Blocking.
pub(super) fn opener(
    config: Config,
    base_url: String,
    metrics: Arc<Metrics>,
    roles: RoleLinks,
) -> impl FnMut() -> Option<(Ingestor, Arc<Published>)> {
    let mut roles = Some(roles);
    let mut tries = 0u32;
    move || {
        let (ingestor, first, claim) = match open_store(&config, &base_url, metrics.clone()) {
            Ok(opened) => opened,
            Err(err) => {
                tries += 1;
                // Every try at debug level; every minute or so at warn.
                if tries % 120 == 1 {
                    tracing::warn!("the database still cannot be reached: {err:#}");
                } else {
                    tracing::debug!("the database still cannot be reached: {err:#}");
                }
                return None;
            }
        };
        if let (Some(claim), Some(roles)) = (claim, roles.take()) {
            let ingest = claim.is_ingest();
            metrics
                .ingest_node
                .store(u64::from(ingest), Ordering::Relaxed);
            if let Some(hub) = &roles.websub {
                hub.send(if ingest {
                    RoleChange::Lead
                } else {
                    RoleChange::Changed
                });
            }
            if ingest {
                roles.rescan.rescan();
            }
            if let Err(err) = crate::role::spawn(claim, roles) {
                tracing::error!("starting the role session: {err}");
            }
        }
        Some((ingestor, first))
    }
}
