//! The built-in WebSub hub (W3C Recommendation, 2018), so that subscribers
//! get each change of a feed pushed within a second instead of polling.
//!
//! # Layout
//!
//! - [`request`]: `POST /websub` form → a checked subscribe or unsubscribe
//!   request, or the reason for a `400` (pure).
//! - [`policy`]: which callbacks may be called (schemes, allow and deny
//!   lists, no private addresses unless allowed).
//! - [`client`]: outgoing HTTP (hyper-util over rustls), every resolved
//!   address checked by the policy, every request bounded in time and size.
//! - `endpoint`: the HTTP side: body limits, answers.
//! - `hub`: the subscriptions in memory, caps, activation and removal;
//!   `hub::sync` keeps them those of the store when several nodes share it.
//! - `verify`: verification of intent (and `hub.mode=denied`).
//! - `deliver`: one task per subscriber, a queue of one (the latest
//!   change), signatures, retries with backoff, bounded concurrency.
//! - `ping`: external hub mode (`websub.hub`): `hub.mode=publish` pings.
//! - `persist`: writes subscriptions behind the hub on a connection of its
//!   own ([`Store`] methods in `store/websub.rs`), and reads them back
//!   when another node changed them.
//!
//! # Flow
//!
//! The ingest thread, after each published snapshot, hands the feeds whose
//! bytes changed to a [`Notifier`]. The distributor puts the new document
//! into the queue of every subscriber of that topic (replacing anything not
//! yet sent) and marks them pending in the store; each subscriber's task
//! sends it as soon as a delivery slot is free. Nothing here blocks the
//! ingest thread or a request: the HTTP side only checks a form and starts
//! a verification task.

mod client;
mod deliver;
mod endpoint;
mod hub;
mod persist;
mod ping;
pub mod policy;
pub mod request;
mod verify;

use std::sync::Arc;

use bytes::Bytes;
use hmac::{Hmac, Mac};
use hyper::header::HeaderValue;
use sha2::Sha256;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::config::WebSubConfig;
use crate::metrics::Metrics;
use crate::render::{feed_of, Entity, Latest, Published};
use crate::store::{StoreError, StoredSubscription};

pub use endpoint::answer;
pub use hub::Hub;

/// A subscriber's `hub.secret`. Its `Debug` shows nothing of it, so no log
/// line or error can carry it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Vec<u8>);

impl Secret {
    /// Wraps secret bytes.
    pub fn new(bytes: Vec<u8>) -> Secret {
        Secret(bytes)
    }

    /// The bytes, to sign with or to keep.
    pub fn bytes(&self) -> &[u8] {
        &self.0
    }

    /// `X-Hub-Signature` for `body`: `sha256=` and the HMAC-SHA256 in hex.
    pub fn sign(&self, body: &[u8]) -> String {
        // HMAC takes a key of any length: new_from_slice cannot fail.
        let mut mac = match Hmac::<Sha256>::new_from_slice(&self.0) {
            Ok(mac) => mac,
            Err(_) => return String::new(),
        };
        mac.update(body);
        format!(
            "sha256={}",
            crate::render::hex(&mac.finalize().into_bytes())
        )
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(redacted)")
    }
}

/// One change of a topic, as delivered: the full document and its headers.
#[derive(Debug)]
pub struct Notification {
    /// The feed's path.
    pub path: String,
    /// Its `Content-Type`.
    pub content_type: HeaderValue,
    /// Its `Link: <hub>; rel="hub", <self>; rel="self"`.
    pub link: Option<HeaderValue>,
    /// The identity bytes.
    pub body: Bytes,
    /// When the change was handed to the hub.
    pub at: std::time::Instant,
}

impl Notification {
    fn of(path: &str, entity: &Entity) -> Arc<Notification> {
        Arc::new(Notification {
            path: path.to_string(),
            content_type: entity.content_type.clone(),
            link: entity.link.clone(),
            body: entity.identity().body.clone(),
            at: std::time::Instant::now(),
        })
    }
}

/// Feeds whose bytes changed in one publish: path and new document.
type Changed = Vec<(String, Arc<Entity>)>;

/// Handed to the ingest thread: tells the hub (or the external hub's
/// pinger) which feeds a new snapshot changed. Never blocks.
#[derive(Debug, Clone)]
pub struct Notifier(mpsc::UnboundedSender<Changed>);

impl Notifier {
    /// Compares the feeds of `old` and `new` by digest and passes on those
    /// that are new or changed.
    pub fn published(&self, old: &Published, new: &Published) {
        let changed: Changed = new
            .entities
            .iter()
            .filter(|(path, _)| feed_of(path).is_some())
            .filter(|(path, entity)| {
                old.entities
                    .get(*path)
                    .is_none_or(|o| o.digest() != entity.digest())
            })
            .map(|(path, entity)| (path.clone(), Arc::clone(entity)))
            .collect();
        if !changed.is_empty() {
            // Only fails once the hub is gone (shutting down).
            let _ = self.0.send(changed);
        }
    }
}

/// What the role session tells the hub when several nodes share a
/// PostgreSQL store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleChange {
    /// This node took over ingest: the hub delivers from now on.
    Lead,
    /// This node stopped ingesting: another node's hub delivers.
    Follow,
    /// Another node saved or removed a subscription.
    Changed,
}

/// Where the role session reports [`RoleChange`]s. Never blocks.
#[derive(Debug, Clone)]
pub struct RoleEvents(mpsc::UnboundedSender<RoleChange>);

impl RoleEvents {
    /// Passes `change` on to the hub.
    pub fn send(&self, change: RoleChange) {
        // Only fails once the hub is gone (shutting down).
        let _ = self.0.send(change);
    }
}

/// The hub's kept state, opened before the daemon starts serving.
pub struct Opened {
    store: persist::Conn,
    kept: Vec<StoredSubscription>,
}

/// Opens the hub's own connection to the store and reads
/// the kept subscriptions; `None` when the built-in hub is off. Blocking.
pub fn open(
    config: &WebSubConfig,
    store: &crate::config::StoreLocation,
    state_dir: &std::path::Path,
) -> Result<Option<Opened>, StoreError> {
    if !config.builtin() {
        return Ok(None);
    }
    // Authority and time zone serve only the content tables' writers.
    let location = store;
    let store = crate::store::Store::open_at(location, state_dir, "websub", "", chrono_tz::UTC)?;
    let kept = store.websub_subscriptions()?;
    Ok(Some(Opened {
        store: persist::Conn::open(store, location, state_dir),
        kept,
    }))
}

/// The hub's state when the database cannot be reached at start: no
/// subscriptions yet (they are read once the role session connects), the
/// connection opened on first use. `None` when the built-in hub is off.
pub fn open_later(
    config: &WebSubConfig,
    store: &crate::config::StoreLocation,
    state_dir: &std::path::Path,
) -> Option<Opened> {
    config.builtin().then(|| Opened {
        store: persist::Conn::later(store, state_dir),
        kept: Vec::new(),
    })
}

/// The running hub (or pinger): its handle for HTTP, the notifier for the
/// ingest thread, and its tasks.
pub struct Running {
    /// Answers `POST /websub`; `None` unless the built-in hub runs.
    pub hub: Option<Hub>,
    /// Where the ingest thread reports changes; `None` when WebSub is off.
    pub notifier: Option<Notifier>,
    /// Where the role session reports; `None` unless the built-in hub runs.
    pub roles: Option<RoleEvents>,
    tasks: Vec<JoinHandle<()>>,
}

impl Running {
    /// Nothing: WebSub is off.
    pub fn off() -> Running {
        Running {
            hub: None,
            notifier: None,
            roles: None,
            tasks: Vec::new(),
        }
    }

    /// Stops delivering and writes what the store still lacks (bounded).
    pub async fn shut_down(self) {
        for task in &self.tasks {
            task.abort();
        }
        if let Some(hub) = self.hub {
            hub.shut_down().await;
        }
    }
}

/// Starts the hub (with `opened`; delivering when `leading`), or the
/// external hub's pinger, or nothing, as `config` says. Call inside the
/// runtime.
pub fn start(
    config: &WebSubConfig,
    (opened, leading): (Option<Opened>, bool),
    base_url: &str,
    published: Latest,
    metrics: Arc<Metrics>,
) -> std::io::Result<Running> {
    let (tx, rx) = mpsc::unbounded_channel();
    let notifier = Some(Notifier(tx));
    if let (Some(hub), true) = (&config.hub, config.enabled) {
        let task = ping::start(config, hub, base_url, rx, metrics);
        return Ok(Running {
            hub: None,
            notifier,
            roles: None,
            tasks: vec![task],
        });
    }
    let Some(opened) = opened.filter(|_| config.builtin()) else {
        return Ok(Running::off());
    };
    let (roles_tx, roles_rx) = mpsc::unbounded_channel();
    let (hub, tasks) = Hub::start(
        config,
        (opened, leading),
        base_url,
        published,
        metrics,
        (rx, roles_rx),
    )?;
    Ok(Running {
        hub: Some(hub),
        notifier,
        roles: Some(RoleEvents(roles_tx)),
        tasks,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_hmac_sha256_hex_and_secrets_stay_out_of_debug() {
        // RFC 4231 test case 2.
        let secret = Secret::new(b"Jefe".to_vec());
        assert_eq!(
            secret.sign(b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(format!("{secret:?}"), "Secret(redacted)");
    }
}
