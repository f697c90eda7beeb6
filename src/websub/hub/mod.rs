//! The subscriptions in memory, and what changes them: a verified
//! subscription becomes active (or renews one), a verified unsubscription,
//! a `410` or the end of a lease removes one. Each active subscription has
//! a delivery task and a queue of one; the distributor fills the queues of
//! a topic's subscribers when it changes.
//!
//! One mutex guards the map; it is held only to look up, insert or remove,
//! never across an await.
//!
//! With several nodes on one PostgreSQL store, every node's hub verifies
//! and keeps subscriptions, but only the ingest node's hub is *leading*
//! and delivers. Each hub reads the kept subscriptions again when the role
//! session says another node changed them, and the leading one resumes the
//! deliveries still owed when it takes over.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use arc_swap::ArcSwap;
use tokio::sync::{mpsc, watch, Semaphore};
use tokio::task::JoinHandle;
use url::Url;

use super::client::Client;
use super::deliver::{Lanes, Worker};
use super::persist::Writer;
use super::policy::Policy;
use super::request::{Leases, Request};
use super::{Changed, Notification, Opened, RoleChange, Secret};
use crate::config::WebSubConfig;
use crate::metrics::Metrics;
use crate::render::{feed_of, Latest};
use crate::store::{StoredSubscription, SubscriptionChange};

mod sync;

/// How often leases are checked for their end (a worker also checks before
/// each delivery, so an expired subscriber never gets one).
const SWEEP_EVERY: Duration = Duration::from_secs(1);
/// Verifications in flight at once; past that, requests get `503`.
const MAX_VERIFYING: usize = 256;

/// What a subscription's delivery task reads for each delivery; renewed in
/// place by a re-subscription.
#[derive(Debug)]
pub(super) struct Params {
    /// Where to deliver.
    pub callback: Url,
    /// Signs deliveries when present.
    pub secret: Option<Secret>,
    /// End of the lease, unix seconds.
    pub expires: i64,
}

/// One active subscription.
struct Active {
    /// Told apart from a later subscription with the same key.
    id: u64,
    params: Arc<ArcSwap<Params>>,
    queue: watch::Sender<Option<Arc<Notification>>>,
    worker: JoinHandle<()>,
}

impl Drop for Active {
    fn drop(&mut self) {
        self.worker.abort();
    }
}

/// Active subscriptions: topic (path) → callback → subscription.
#[derive(Default)]
struct Subscriptions {
    by_topic: HashMap<String, HashMap<String, Active>>,
    total: usize,
    next_id: u64,
}

/// What the hub's tasks and the HTTP side share.
pub(super) struct Inner {
    pub config: WebSubConfig,
    pub base_url: String,
    pub published: Latest,
    pub metrics: Arc<Metrics>,
    pub policy: Policy,
    pub client: Client,
    pub lanes: Lanes,
    pub verifying: Arc<Semaphore>,
    pub persist: Writer,
    /// Whether this node delivers (it runs ingest).
    leading: AtomicBool,
    subs: Mutex<Subscriptions>,
}

/// The built-in hub: answers `POST /websub` (see [`super::answer`]).
#[derive(Clone)]
pub struct Hub(pub(super) Arc<Inner>);

impl std::fmt::Debug for Hub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hub")
            .field("base_url", &self.0.base_url)
            .finish_non_exhaustive()
    }
}

impl Hub {
    /// Starts the hub with the subscriptions kept in `opened`: the
    /// distributor (fed by `changes`), the lease sweeper, the follower of
    /// `roles`, one delivery task per subscription, and (when `leading`)
    /// deliveries left pending by the last run.
    pub(super) fn start(
        config: &WebSubConfig,
        (opened, leading): (Opened, bool),
        base_url: &str,
        published: Latest,
        metrics: Arc<Metrics>,
        (changes, roles): (
            mpsc::UnboundedReceiver<Changed>,
            mpsc::UnboundedReceiver<RoleChange>,
        ),
    ) -> std::io::Result<(Hub, Vec<JoinHandle<()>>)> {
        let policy = Policy::new(config);
        let persist = Writer::spawn(opened.store)?;
        let inner = Arc::new(Inner {
            config: config.clone(),
            base_url: base_url.to_string(),
            published,
            metrics,
            client: Client::new(policy.clone(), config.timeout),
            policy,
            lanes: Lanes::new(config.concurrency),
            verifying: Arc::new(Semaphore::new(MAX_VERIFYING)),
            persist,
            leading: AtomicBool::new(leading),
            subs: Mutex::new(Subscriptions::default()),
        });
        inner.reconcile(opened.kept, 0, leading);
        let tasks = vec![
            tokio::spawn(distribute(Arc::clone(&inner), changes)),
            tokio::spawn(sweep(Arc::clone(&inner))),
            tokio::spawn(sync::follow_roles(Arc::clone(&inner), roles)),
        ];
        Ok((Hub(inner), tasks))
    }

    /// Stops every delivery task and flushes the store writer (bounded).
    pub(super) async fn shut_down(self) {
        let active = {
            let mut subs = self.0.lock();
            subs.total = 0;
            std::mem::take(&mut subs.by_topic)
        };
        // Dropping them aborts every delivery task.
        drop(active);
        let persist = self.0.persist.clone();
        let _ = tokio::task::spawn_blocking(move || persist.flush(Duration::from_secs(2))).await;
    }
}

impl Inner {
    fn lock(&self) -> std::sync::MutexGuard<'_, Subscriptions> {
        self.subs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The lease rules from the configuration.
    pub fn leases(&self) -> Leases {
        Leases {
            default: self.config.lease,
            min: self.config.min_lease,
            max: self.config.max_lease,
        }
    }

    /// Whether `path` is a feed being served now.
    pub fn is_feed(&self, path: &str) -> bool {
        feed_of(path).is_some() && self.published.load().entities.contains_key(path)
    }

    /// Why a new subscription to `path` would exceed a cap, if it would;
    /// renewals never do.
    pub fn over_cap(&self, path: &str, callback: &str) -> Option<String> {
        cap_reason(&self.config, &self.lock(), path, callback)
    }

    /// A verified subscription: renews the one with the same topic and
    /// callback, or makes a new one; `Err` with the reason to deny it.
    pub fn activate(self: &Arc<Self>, request: &Request) -> Result<(), String> {
        if !self.is_feed(&request.path) {
            return Err("the topic is no longer published".into());
        }
        let lease = i64::try_from(request.lease.as_secs()).unwrap_or(i64::MAX / 2);
        let expires = unix_now().saturating_add(lease);
        let params = Params {
            callback: request.callback.clone(),
            secret: request.secret.clone(),
            expires,
        };
        let key = request.callback.as_str().to_string();
        {
            let mut subs = self.lock();
            match subs.by_topic.get(&request.path).and_then(|t| t.get(&key)) {
                Some(active) => active.params.store(Arc::new(params)),
                None => {
                    if let Some(reason) = cap_reason(&self.config, &subs, &request.path, &key) {
                        return Err(reason);
                    }
                    self.insert(&mut subs, &request.path, params);
                }
            }
            self.count_subscriptions(&subs);
        }
        self.persist
            .send(SubscriptionChange::Save(StoredSubscription {
                topic: request.path.clone(),
                topic_url: request.topic.clone(),
                callback: key,
                secret: request.secret.as_ref().map(|s| s.bytes().to_vec()),
                expires,
                pending: false,
            }));
        Ok(())
    }

    /// Adds an active subscription with its delivery task; returns its
    /// queue.
    fn insert(
        self: &Arc<Self>,
        subs: &mut Subscriptions,
        path: &str,
        params: Params,
    ) -> watch::Sender<Option<Arc<Notification>>> {
        let key = params.callback.as_str().to_string();
        let params = Arc::new(ArcSwap::from_pointee(params));
        let (queue, rx) = watch::channel(None);
        subs.next_id += 1;
        let id = subs.next_id;
        let worker = Worker {
            inner: Arc::clone(self),
            path: path.to_string(),
            key: key.clone(),
            id,
            params: Arc::clone(&params),
            queue: rx,
        };
        let active = Active {
            id,
            params,
            queue: queue.clone(),
            worker: tokio::spawn(worker.run()),
        };
        let topic = subs.by_topic.entry(path.to_string()).or_default();
        if topic.insert(key, active).is_none() {
            subs.total += 1;
        }
        queue
    }

    /// Removes a subscription (an unsubscription, a `410`, an expired
    /// lease); with `only` the one with that id, not a newer one.
    pub fn remove(&self, path: &str, callback: &str, only: Option<u64>) -> bool {
        let Some(active) = self.take(path, callback, only) else {
            return false;
        };
        self.persist.send(SubscriptionChange::Remove {
            topic: path.to_string(),
            callback: callback.to_string(),
        });
        // Dropped outside the lock: that aborts its task (maybe the caller's
        // own, which returns right after).
        drop(active);
        true
    }

    /// Takes a subscription out of memory; with `only` the one with that
    /// id, not a newer one.
    fn take(&self, path: &str, callback: &str, only: Option<u64>) -> Option<Active> {
        let mut subs = self.lock();
        let topic = subs.by_topic.get_mut(path)?;
        if only.is_some_and(|id| topic.get(callback).is_some_and(|a| a.id != id)) {
            return None;
        }
        let removed = topic.remove(callback);
        if topic.is_empty() {
            subs.by_topic.remove(path);
        }
        if removed.is_some() {
            subs.total -= 1;
            self.count_subscriptions(&subs);
        }
        removed
    }

    /// Puts `changed` documents into the queues of their subscribers (on
    /// the leading node only).
    fn fan_out(&self, changed: Changed) {
        if !self.leading.load(Ordering::Relaxed) {
            return;
        }
        for (path, entity) in changed {
            let subs = self.lock();
            let Some(topic) = subs.by_topic.get(&path) else {
                continue;
            };
            let note = Notification::of(&path, &entity);
            for active in topic.values() {
                active.queue.send_replace(Some(Arc::clone(&note)));
            }
            let n = topic.len();
            drop(subs);
            tracing::debug!(
                topic = path.as_str(),
                "websub: distributing to {n} subscribers"
            );
            self.persist
                .send(SubscriptionChange::Pending { topic: path });
        }
    }

    /// Topic, callback and id of each subscription `pick` chooses.
    fn select(&self, pick: impl Fn(&Active) -> bool) -> Vec<(String, String, u64)> {
        let subs = self.lock();
        subs.by_topic
            .iter()
            .flat_map(|(path, topic)| {
                topic
                    .iter()
                    .filter(|(_, a)| pick(a))
                    .map(|(cb, a)| (path.clone(), cb.clone(), a.id))
            })
            .collect()
    }

    /// Ends the leases that ran out.
    fn expire(&self) {
        let now = unix_now();
        let ended = self.select(|a| a.params.load().expires <= now);
        for (path, callback, _) in ended {
            if self.remove(&path, &callback, None) {
                crate::metrics::Metrics::bump(&self.metrics.websub.expired);
                tracing::info!(
                    topic = path.as_str(),
                    "websub: lease ended for {}",
                    host_of(&callback)
                );
            }
        }
    }

    /// Refreshes the per-topic subscription gauges from `subs`. Callers
    /// hold the lock while they change it and count, so a subscriber told
    /// of a change finds it in the gauges, and two changes cannot publish
    /// their counts out of order.
    fn count_subscriptions(&self, subs: &Subscriptions) {
        let counts: Vec<(String, u64)> = subs
            .by_topic
            .iter()
            .map(|(p, t)| (p.clone(), t.len() as u64))
            .collect();
        self.metrics.websub.set_subscriptions(counts);
    }
}

/// Why a new subscription to `path` by `callback` would exceed a cap.
fn cap_reason(
    config: &WebSubConfig,
    subs: &Subscriptions,
    path: &str,
    callback: &str,
) -> Option<String> {
    let topic = subs.by_topic.get(path);
    if topic.is_some_and(|t| t.contains_key(callback)) {
        return None;
    }
    if subs.total >= config.max_subscriptions {
        return Some(format!(
            "the hub holds its maximum of {} subscriptions",
            config.max_subscriptions
        ));
    }
    if topic.map_or(0, HashMap::len) >= config.max_per_topic {
        return Some(format!(
            "this topic has its maximum of {} subscriptions",
            config.max_per_topic
        ));
    }
    None
}

/// The distributor: hands each change to the subscribers' queues.
async fn distribute(inner: Arc<Inner>, mut changes: mpsc::UnboundedReceiver<Changed>) {
    while let Some(changed) = changes.recv().await {
        inner.fan_out(changed);
    }
}

/// Ends leases as they run out.
async fn sweep(inner: Arc<Inner>) {
    let mut tick = tokio::time::interval(SWEEP_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        inner.expire();
    }
}

/// Now, unix seconds.
pub(super) fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// The host of a callback, for logs (its path and query may carry a
/// subscriber's token).
pub(super) fn host_of(callback: &str) -> String {
    Url::parse(callback)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_else(|| "?".into())
}
