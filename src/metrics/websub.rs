//! The WebSub hub's counters: subscriptions and deliveries per topic (a
//! topic is a feed path, so the label set is bounded by the channels),
//! verifications, refused requests, external-hub pings, and the time from
//! a change to its delivery.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use super::histogram::Histogram;
use super::text::Text;

/// What became of one delivery attempt or notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// A 2xx answer.
    Delivered,
    /// A failed attempt that will be tried again.
    Retried,
    /// Given up after the last retry (the subscription stays).
    Dropped,
    /// A newer change replaced it before it could be delivered.
    Superseded,
    /// The subscriber answered `410 Gone`: subscription removed.
    Gone,
}

impl Delivery {
    const ALL: [Delivery; 5] = [
        Delivery::Delivered,
        Delivery::Retried,
        Delivery::Dropped,
        Delivery::Superseded,
        Delivery::Gone,
    ];

    fn label(self) -> &'static str {
        match self {
            Delivery::Delivered => "delivered",
            Delivery::Retried => "retried",
            Delivery::Dropped => "dropped",
            Delivery::Superseded => "superseded",
            Delivery::Gone => "gone",
        }
    }
}

/// One topic's counts.
#[derive(Debug, Clone, Default)]
struct Topic {
    subscriptions: u64,
    deliveries: [u64; Delivery::ALL.len()],
}

/// The hub's metrics.
#[derive(Debug)]
pub struct WebSubMetrics {
    topics: Mutex<BTreeMap<String, Topic>>,
    /// Requests answered `202`.
    pub accepted: AtomicU64,
    /// Requests answered `4xx` (bad, not ours, over a cap, refused callback).
    pub rejected: AtomicU64,
    /// Intents verified (subscribe and unsubscribe).
    pub verified: AtomicU64,
    /// Verifications that failed (no 2xx, wrong challenge, unreachable).
    pub unverified: AtomicU64,
    /// Subscriptions denied after the request was accepted.
    pub denied: AtomicU64,
    /// Leases that ran out.
    pub expired: AtomicU64,
    /// External hub pings answered 2xx.
    pub pings_ok: AtomicU64,
    /// External hub pings given up.
    pub pings_failed: AtomicU64,
    /// From a change being published to a subscriber's 2xx.
    pub latency: Histogram,
}

impl Default for WebSubMetrics {
    fn default() -> WebSubMetrics {
        let zero = || AtomicU64::new(0);
        WebSubMetrics {
            topics: Mutex::new(BTreeMap::new()),
            accepted: zero(),
            rejected: zero(),
            verified: zero(),
            unverified: zero(),
            denied: zero(),
            expired: zero(),
            pings_ok: zero(),
            pings_failed: zero(),
            latency: Histogram::seconds(),
        }
    }
}

impl WebSubMetrics {
    /// Sets the active subscriptions of each topic (others to zero).
    pub fn set_subscriptions(&self, counts: impl IntoIterator<Item = (String, u64)>) {
        let mut topics = lock(&self.topics);
        for topic in topics.values_mut() {
            topic.subscriptions = 0;
        }
        for (path, n) in counts {
            topics.entry(path).or_default().subscriptions = n;
        }
    }

    /// Counts one delivery outcome for `topic`.
    pub fn count(&self, topic: &str, what: Delivery) {
        let mut topics = lock(&self.topics);
        let slot = Delivery::ALL.iter().position(|d| *d == what).unwrap_or(0);
        match topics.get_mut(topic) {
            Some(t) => t.deliveries[slot] += 1,
            None => {
                let mut t = Topic::default();
                t.deliveries[slot] = 1;
                topics.insert(topic.to_string(), t);
            }
        }
    }

    /// `topic`'s count of `what` (for tests and reports).
    pub fn deliveries(&self, topic: &str, what: Delivery) -> u64 {
        let slot = Delivery::ALL.iter().position(|d| *d == what).unwrap_or(0);
        lock(&self.topics)
            .get(topic)
            .map_or(0, |t| t.deliveries[slot])
    }

    /// Writes the hub's families.
    pub(super) fn write(&self, out: &mut Text) {
        let topics = lock(&self.topics).clone();
        out.family(
            "bulletind_websub_subscriptions",
            "gauge",
            "Active (verified, unexpired) WebSub subscriptions, per topic (feed path).",
        );
        for (path, t) in &topics {
            out.sample(
                "bulletind_websub_subscriptions",
                &[("topic", path)],
                t.subscriptions,
            );
        }
        out.family(
            "bulletind_websub_deliveries_total",
            "counter",
            "WebSub content distribution per topic: delivered, retried attempts, dropped after the last retry, superseded by a newer change, gone (410).",
        );
        for (path, t) in &topics {
            for (what, n) in Delivery::ALL.iter().zip(t.deliveries) {
                out.sample(
                    "bulletind_websub_deliveries_total",
                    &[("topic", path), ("result", what.label())],
                    n,
                );
            }
        }
        out.family(
            "bulletind_websub_requests_total",
            "counter",
            "Subscription requests to the hub, by answer.",
        );
        for (what, c) in [("accepted", &self.accepted), ("rejected", &self.rejected)] {
            out.sample(
                "bulletind_websub_requests_total",
                &[("result", what)],
                get(c),
            );
        }
        out.family(
            "bulletind_websub_verifications_total",
            "counter",
            "Verifications of intent, by outcome; denied subscriptions; expired leases.",
        );
        for (what, c) in [
            ("verified", &self.verified),
            ("failed", &self.unverified),
            ("denied", &self.denied),
            ("expired", &self.expired),
        ] {
            out.sample(
                "bulletind_websub_verifications_total",
                &[("result", what)],
                get(c),
            );
        }
        out.family(
            "bulletind_websub_hub_pings_total",
            "counter",
            "Pings of the external hub (websub.hub), by outcome.",
        );
        for (what, c) in [("ok", &self.pings_ok), ("failed", &self.pings_failed)] {
            out.sample(
                "bulletind_websub_hub_pings_total",
                &[("result", what)],
                get(c),
            );
        }
        self.latency.write(
            out,
            "bulletind_websub_delivery_seconds",
            "From a feed change being published to a subscriber's 2xx for it.",
        );
    }
}

fn get(c: &AtomicU64) -> u64 {
    c.load(Ordering::Relaxed)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
