//! The WebSub hub's subscriptions, so that they survive restarts, and
//! which of them still owe their subscriber a change (`pending`), so that
//! a delivery cut short by a crash is made once the daemon is back (with
//! the topic's content as it is then: subscribers want the latest).
//!
//! The hub keeps its subscriptions in memory and writes here behind itself,
//! on a connection of its own ([`SubscriptionChange`]s applied in batches);
//! the ingest thread never reads these rows.

use rusqlite::Transaction;

use super::db::params;

use super::{Store, StoreError};

/// Schema version 3: the hub's table.
const CREATE_SUBSCRIPTIONS: &str = r#"
CREATE TABLE websub_subscriptions (
    id          INTEGER PRIMARY KEY,
    topic       TEXT NOT NULL,             -- the feed's URL path, not percent-encoded
    topic_url   TEXT NOT NULL,             -- hub.topic as the subscriber sent it
    callback    TEXT NOT NULL,             -- hub.callback
    secret      BLOB,                      -- hub.secret; signs deliveries, never logged
    expires     INTEGER NOT NULL,          -- unix seconds: end of the lease
    pending     INTEGER NOT NULL DEFAULT 0,-- a change not yet delivered
    UNIQUE (topic, callback)
);
"#;

/// Version 4: the hub's subscriptions.
pub(super) fn add_subscriptions(tx: &Transaction<'_>) -> Result<(), StoreError> {
    tx.execute_batch(CREATE_SUBSCRIPTIONS)?;
    Ok(())
}

/// The payload of the notification sent (on PostgreSQL) when a node saved
/// or removed a subscription, so that the other nodes' hubs read them again.
pub const SUBSCRIPTIONS_CHANGED: &str = "websub";

/// A subscription as kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSubscription {
    /// The feed's path.
    pub topic: String,
    /// `hub.topic` as sent.
    pub topic_url: String,
    /// `hub.callback`.
    pub callback: String,
    /// `hub.secret`, if one was given.
    pub secret: Option<Vec<u8>>,
    /// End of the lease, unix seconds.
    pub expires: i64,
    /// Whether a change is still owed.
    pub pending: bool,
}

/// One change to the kept subscriptions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubscriptionChange {
    /// A verified subscription, new or renewed (its `pending` is kept).
    Save(StoredSubscription),
    /// A subscription ended: unsubscribed, gone (`410`) or expired.
    Remove {
        /// The feed's path.
        topic: String,
        /// `hub.callback`.
        callback: String,
    },
    /// Every subscriber of `topic` is owed its new content.
    Pending {
        /// The feed's path.
        topic: String,
    },
    /// This subscriber has the latest content (or it was given up).
    Delivered {
        /// The feed's path.
        topic: String,
        /// `hub.callback`.
        callback: String,
    },
}

impl Store {
    /// Every kept subscription, expired ones included (the hub drops them).
    pub fn websub_subscriptions(&self) -> Result<Vec<StoredSubscription>, StoreError> {
        self.conn.query_map(
            "SELECT topic, topic_url, callback, secret, expires, pending
             FROM websub_subscriptions ORDER BY id",
            (),
            |r| {
                Ok(StoredSubscription {
                    topic: r.get(0)?,
                    topic_url: r.get(1)?,
                    callback: r.get(2)?,
                    secret: r.get(3)?,
                    expires: r.get(4)?,
                    pending: r.get(5)?,
                })
            },
        )
    }

    /// Applies `changes` in order, in one transaction.
    pub fn websub_apply(&mut self, changes: &[SubscriptionChange]) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        for change in changes {
            match change {
                SubscriptionChange::Save(s) => {
                    tx.execute(
                        "INSERT INTO websub_subscriptions (topic, topic_url, callback, secret, expires, pending)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                         ON CONFLICT (topic, callback) DO UPDATE SET
                             topic_url = excluded.topic_url, secret = excluded.secret,
                             expires = excluded.expires",
                        params![s.topic, s.topic_url, s.callback, s.secret, s.expires, s.pending],
                    )?;
                }
                SubscriptionChange::Remove { topic, callback } => {
                    tx.execute(
                        "DELETE FROM websub_subscriptions WHERE topic = ?1 AND callback = ?2",
                        params![topic, callback],
                    )?;
                }
                SubscriptionChange::Pending { topic } => {
                    tx.execute(
                        "UPDATE websub_subscriptions SET pending = 1 WHERE topic = ?1",
                        params![topic],
                    )?;
                }
                SubscriptionChange::Delivered { topic, callback } => {
                    tx.execute(
                        "UPDATE websub_subscriptions SET pending = 0 WHERE topic = ?1 AND callback = ?2",
                        params![topic, callback],
                    )?;
                }
            }
        }
        let joined_or_left = changes.iter().any(|c| {
            matches!(
                c,
                SubscriptionChange::Save(_) | SubscriptionChange::Remove { .. }
            )
        });
        if joined_or_left && tx.is_postgres() {
            tx.query_row(
                "SELECT pg_notify(?1, ?2)",
                [super::NOTIFY_CHANNEL, SUBSCRIPTIONS_CHANGED],
                |_| Ok(()),
            )?;
        }
        tx.commit()?;
        Ok(())
    }
}
