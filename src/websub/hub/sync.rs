//! Keeping a hub's subscriptions those of the store when several nodes
//! share it: read again when another node changed them, and the owed
//! deliveries resumed when this node takes over.

use std::collections::HashSet;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use tokio::sync::mpsc;
use url::Url;

use super::{unix_now, Inner, Params};
use crate::store::{StoredSubscription, SubscriptionChange};
use crate::websub::{Notification, RoleChange, Secret};

impl Inner {
    /// Makes the subscriptions in memory those `kept` in the store (at
    /// start, or after another node changed them): unexpired ones become
    /// active or have their lease and secret renewed in place, those no
    /// longer kept are dropped (unless newer than id `horizon`: made here
    /// after the store was read), and with `resume` those still owed a
    /// change get the topic's current document.
    pub(super) fn reconcile(
        self: &Arc<Self>,
        kept: Vec<StoredSubscription>,
        horizon: u64,
        resume: bool,
    ) {
        let now = unix_now();
        let snapshot = self.published.load();
        let mut pending = 0;
        let mut seen: HashSet<(String, String)> = HashSet::new();
        for s in kept {
            let callback = match Url::parse(&s.callback) {
                Ok(url) if s.expires > now => url,
                _ => {
                    self.persist.send(SubscriptionChange::Remove {
                        topic: s.topic,
                        callback: s.callback,
                    });
                    continue;
                }
            };
            let params = Params {
                callback,
                secret: s.secret.map(Secret::new),
                expires: s.expires,
            };
            let queue = {
                let mut subs = self.lock();
                match subs.by_topic.get(&s.topic).and_then(|t| t.get(&s.callback)) {
                    Some(active) => {
                        let old = active.params.load();
                        if old.expires != params.expires || old.secret != params.secret {
                            active.params.store(Arc::new(params));
                        }
                        active.queue.clone()
                    }
                    None => self.insert(&mut subs, &s.topic, params),
                }
            };
            if resume && s.pending {
                if let Some(entity) = snapshot.entities.get(&s.topic) {
                    queue.send_replace(Some(Notification::of(&s.topic, entity)));
                    pending += 1;
                }
            }
            seen.insert((s.topic, s.callback));
        }
        let mut gone = self.select(|a| a.id <= horizon);
        gone.retain(|(path, cb, _)| !seen.contains(&(path.clone(), cb.clone())));
        for (path, callback, id) in &gone {
            drop(self.take(path, callback, Some(*id)));
        }
        let total = self.lock().total;
        if total > 0 || !gone.is_empty() {
            tracing::info!(
                "websub: {total} subscriptions kept, {} ended elsewhere, {pending} deliveries resumed",
                gone.len()
            );
        }
        self.count_subscriptions(&self.lock());
    }

    /// Reads the kept subscriptions again and reconciles (off the async
    /// workers); with `resume` the deliveries still owed are made.
    async fn reread(self: &Arc<Self>, resume: bool) {
        let horizon = self.lock().next_id;
        let persist = self.persist.clone();
        match tokio::task::spawn_blocking(move || persist.read()).await {
            Ok(Ok(kept)) => self.reconcile(kept, horizon, resume),
            Ok(Err(err)) => tracing::warn!("websub: reading the subscriptions: {err}"),
            Err(err) => tracing::warn!("websub: reading the subscriptions: {err}"),
        }
    }
}

/// Follows the role session: the hub leads (delivers) while this node runs
/// ingest, and reads the kept subscriptions again when another node changed
/// them or this node takes over.
pub(super) async fn follow_roles(
    inner: Arc<Inner>,
    mut roles: mpsc::UnboundedReceiver<RoleChange>,
) {
    while let Some(first) = roles.recv().await {
        // A burst of changes is one read; taking over resumes deliveries.
        let mut resume = false;
        let mut next = Some(first);
        while let Some(change) = next {
            match change {
                RoleChange::Lead => {
                    inner.leading.store(true, Ordering::Relaxed);
                    resume = true;
                }
                RoleChange::Follow => {
                    inner.leading.store(false, Ordering::Relaxed);
                    resume = false;
                }
                RoleChange::Changed => {}
            }
            next = roles.try_recv().ok();
        }
        inner.reread(resume).await;
    }
}
