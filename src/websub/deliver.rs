//! Content distribution (WebSub §7): one task per subscription, reading a
//! queue of one that always holds the latest change, so a slow subscriber
//! costs one document in memory however often the feed changes.
//!
//! Each attempt POSTs the full document with its `Content-Type`, the
//! `Link` header and, with a secret, `X-Hub-Signature: sha256=…`. A 2xx
//! ends it; `410 Gone` ends the subscription; anything else (another
//! status, no answer in time, no connection) is retried after 1, 2, 4, …
//! times the configured base delay, up to the configured number of retries,
//! and then the notification is dropped and counted (the subscription
//! stays). A newer change arriving meanwhile replaces the one being retried.
//!
//! Bounded concurrency in two lanes: subscribers whose last attempt worked
//! share most of the delivery slots; those whose last attempt failed (dead
//! or slow ones) wait for a few slots of their own, so they can never hold
//! up the healthy ones for longer than their first timeout.

use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;
use hyper::header::{self, HeaderValue};
use tokio::sync::{watch, Semaphore};

use super::hub::{host_of, unix_now, Inner, Params};
use super::Notification;
use crate::metrics::websub::Delivery;
use crate::store::SubscriptionChange;

/// How much of a subscriber's answer is read (to reuse the connection).
const ANSWER_LIMIT: usize = 16 * 1024;
/// Longest pause between two retries, however the base is set.
const MAX_BACKOFF: Duration = Duration::from_secs(15 * 60);

/// The delivery slots, in two lanes (see the module docs).
pub(super) struct Lanes {
    healthy: Semaphore,
    suspect: Semaphore,
}

impl Lanes {
    /// `concurrency` slots: three quarters for healthy subscribers, the
    /// rest (at least one) for those whose last attempt failed.
    pub fn new(concurrency: usize) -> Lanes {
        let suspect = (concurrency / 4).max(1);
        Lanes {
            healthy: Semaphore::new(concurrency.saturating_sub(suspect).max(1)),
            suspect: Semaphore::new(suspect),
        }
    }
}

/// What one attempt came to.
enum Attempt {
    Delivered,
    Gone,
    Failed(String),
}

/// One subscription's delivery task.
pub(super) struct Worker {
    pub inner: Arc<Inner>,
    pub path: String,
    pub key: String,
    pub id: u64,
    pub params: Arc<ArcSwap<Params>>,
    pub queue: watch::Receiver<Option<Arc<Notification>>>,
}

impl Worker {
    /// Delivers every change put in the queue until the subscription ends.
    pub async fn run(mut self) {
        let mut suspect = false;
        loop {
            let note = self.queue.borrow_and_update().clone();
            let Some(note) = note else {
                if self.queue.changed().await.is_err() {
                    return;
                }
                continue;
            };
            if !self.deliver(note, &mut suspect).await {
                return;
            }
            // Pending in the store until nothing newer waits.
            if !self.queue.has_changed().unwrap_or(false) {
                self.inner.persist.send(SubscriptionChange::Delivered {
                    topic: self.path.clone(),
                    callback: self.key.clone(),
                });
                if self.queue.changed().await.is_err() {
                    return;
                }
            }
        }
    }

    /// Delivers `note` (or a newer change that replaces it while retrying);
    /// `false` once the subscription ended.
    async fn deliver(&mut self, mut note: Arc<Notification>, suspect: &mut bool) -> bool {
        let metrics = &self.inner.metrics.websub;
        let mut failures = 0u32;
        loop {
            if self.params.load().expires <= unix_now() {
                self.inner.remove(&self.path, &self.key, Some(self.id));
                return false;
            }
            match self.attempt(&note, *suspect).await {
                Attempt::Delivered => {
                    *suspect = false;
                    metrics.count(&self.path, Delivery::Delivered);
                    metrics.latency.observe_duration(note.at.elapsed());
                    return true;
                }
                Attempt::Gone => {
                    metrics.count(&self.path, Delivery::Gone);
                    tracing::info!(
                        topic = self.path.as_str(),
                        "websub: {} answered 410 Gone: subscription removed",
                        host_of(&self.key)
                    );
                    self.inner.remove(&self.path, &self.key, Some(self.id));
                    return false;
                }
                Attempt::Failed(why) => {
                    *suspect = true;
                    failures += 1;
                    if failures > self.inner.config.retries {
                        metrics.count(&self.path, Delivery::Dropped);
                        tracing::warn!(
                            topic = self.path.as_str(),
                            "websub: delivery to {} dropped after {failures} attempts: {why}",
                            host_of(&self.key)
                        );
                        return true;
                    }
                    metrics.count(&self.path, Delivery::Retried);
                    tracing::debug!(
                        topic = self.path.as_str(),
                        "websub: delivery to {} failed ({why}); retrying",
                        host_of(&self.key)
                    );
                    let pause = backoff(self.inner.config.retry_base, failures);
                    tokio::select! {
                        () = tokio::time::sleep(pause) => {}
                        changed = self.queue.changed() => {
                            if changed.is_err() {
                                return false;
                            }
                            if let Some(newer) = self.queue.borrow_and_update().clone() {
                                metrics.count(&self.path, Delivery::Superseded);
                                note = newer;
                                failures = 0;
                            }
                        }
                    }
                }
            }
        }
    }

    /// One POST, in its lane's slot.
    async fn attempt(&self, note: &Notification, suspect: bool) -> Attempt {
        let lane = if suspect {
            &self.inner.lanes.suspect
        } else {
            &self.inner.lanes.healthy
        };
        let Ok(_slot) = lane.acquire().await else {
            return Attempt::Failed("shutting down".into());
        };
        let params = self.params.load();
        let mut request =
            hyper::Request::post("/").header(header::CONTENT_TYPE, note.content_type.clone());
        if let Some(link) = &note.link {
            request = request.header(header::LINK, link.clone());
        }
        if let Some(secret) = &params.secret {
            if let Ok(signature) = HeaderValue::from_str(&secret.sign(&note.body)) {
                request = request.header("x-hub-signature", signature);
            }
        }
        let sent = self
            .inner
            .client
            .send(&params.callback, request, note.body.clone(), ANSWER_LIMIT)
            .await;
        match sent {
            Ok(answer) if answer.status.is_success() => Attempt::Delivered,
            Ok(answer) if answer.status == hyper::StatusCode::GONE => Attempt::Gone,
            Ok(answer) => Attempt::Failed(format!("answered {}", answer.status)),
            Err(why) => Attempt::Failed(why),
        }
    }
}

/// The pause before retry number `failures` (1-based): `base`, doubling.
pub(super) fn backoff(base: Duration, failures: u32) -> Duration {
    let factor = 1u32 << failures.saturating_sub(1).min(20);
    base.saturating_mul(factor).min(MAX_BACKOFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        let s = Duration::from_secs;
        for (failures, want) in [(1, s(1)), (2, s(2)), (3, s(4)), (6, s(32)), (40, s(900))] {
            assert_eq!(backoff(s(1), failures), want, "{failures}");
        }
    }
}
