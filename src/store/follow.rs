//! Several nodes on one database: the ingest node's publication log, and a
//! follower's own bookkeeping.
//!
//! The ingest node renders what a change left due and clears the marks;
//! each clearing appends what was rendered (feeds of which channels, which
//! item pages, which archive documents) to `publications`, in the same
//! transaction, and on PostgreSQL `NOTIFY`s the other nodes. A follower
//! renders the same documents from the same rows: rendering is
//! deterministic and every document's validators are the ones the ingest
//! node stored, so every node serves the same bytes, ETags and
//! `Last-Modified`.
//!
//! A follower never writes: its marks of what is due to render (its feeds
//! folder may lack what the ingest node's has) live in memory
//! ([`Local`]), and the validators, settings keys and marks in the
//! database are left to the ingest node.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::db::Db;
use super::{ArchiveKey, ItemKey, Store, StoreError};

/// The `NOTIFY` channel the ingest node announces publications on.
pub const CHANNEL: &str = "bulletind";

/// Log entries kept; a follower further behind renders everything again.
const KEEP: i64 = 10_000;

/// What one publishing step rendered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Publication {
    /// Channels whose feeds were rendered.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub channels: Vec<String>,
    /// Items whose pages were rendered.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pages: Vec<ItemKey>,
    /// Archive documents rendered.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub archives: Vec<ArchiveKey>,
}

/// The log after some entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Since {
    /// The entries after it, oldest first, with their numbers.
    Entries(Vec<(i64, Publication)>),
    /// Some of them are no longer kept: everything must be rendered again
    /// (up to the newest entry, the number given).
    Gap(i64),
}

/// A follower's own marks of what is due.
#[derive(Debug, Default)]
pub(super) struct Local {
    pub channels: BTreeSet<String>,
    pub pages: BTreeSet<ItemKey>,
    pub archives: BTreeSet<ArchiveKey>,
}

impl Store {
    /// Makes this store a follower's (`true`) or the ingest node's.
    /// Becoming a follower starts with nothing due; becoming the ingest node
    /// drops the follower's marks (the database's are the ones that count).
    pub fn set_follower(&mut self, follower: bool) {
        self.local = follower.then(Local::default);
    }

    /// Opens a new database session if the last one was lost (PostgreSQL);
    /// returns whether it did.
    pub fn reconnect(&mut self) -> Result<bool, StoreError> {
        self.conn.reconnect()
    }

    /// Whether this is a follower's store.
    pub fn is_follower(&self) -> bool {
        self.local.is_some()
    }

    /// Marks what a follower renders next: the documents of `publication`.
    pub fn mark_published(&mut self, publication: &Publication) {
        if let Some(local) = &mut self.local {
            local.channels.extend(publication.channels.iter().cloned());
            local.pages.extend(publication.pages.iter().copied());
            local.archives.extend(publication.archives.iter().cloned());
        }
    }

    /// The number of the newest log entry this store wrote (0 when none):
    /// where a node that stops ingesting follows from when it cannot ask.
    pub fn logged(&self) -> i64 {
        self.logged
    }

    /// The number of the newest log entry (0 when none).
    pub fn newest_publication(&self) -> Result<i64, StoreError> {
        let gen: Option<i64> =
            self.conn
                .query_row("SELECT MAX(gen) FROM publications", (), |r| r.get(0))?;
        Ok(gen.unwrap_or(0))
    }

    /// The log after entry `after`.
    pub fn publications_since(&self, after: i64) -> Result<Since, StoreError> {
        let oldest: Option<i64> =
            self.conn
                .query_row("SELECT MIN(gen) FROM publications", (), |r| r.get(0))?;
        if oldest.is_some_and(|oldest| oldest > after + 1) {
            return Ok(Since::Gap(self.newest_publication()?));
        }
        let rows = self.conn.query_map(
            "SELECT gen, what FROM publications WHERE gen > ?1 ORDER BY gen",
            [after],
            |r| Ok((r.get::<i64>(0)?, r.get::<String>(1)?)),
        )?;
        let mut out = Vec::with_capacity(rows.len());
        for (gen, what) in rows {
            let publication = serde_json::from_str(&what).map_err(|e| StoreError::Corrupt {
                what: "publication",
                detail: format!("{gen}: {e}"),
            })?;
            out.push((gen, publication));
        }
        Ok(Since::Entries(out))
    }
}

/// Appends `publication` to the log (inside the caller's transaction),
/// drops entries older than [`KEEP`], and on PostgreSQL tells the other
/// nodes. Returns the new entry's number (`None`: nothing to log).
pub(super) fn log(db: &Db, publication: &Publication) -> Result<Option<i64>, StoreError> {
    if publication.channels.is_empty()
        && publication.pages.is_empty()
        && publication.archives.is_empty()
    {
        return Ok(None);
    }
    let what = serde_json::to_string(publication).map_err(|e| StoreError::Corrupt {
        what: "publication",
        detail: e.to_string(),
    })?;
    let now = chrono::Utc::now().timestamp();
    let gen: i64 = db.query_row(
        "INSERT INTO publications (at, what) VALUES (?1, ?2) RETURNING gen",
        super::db::params![now, what],
        |r| r.get(0),
    )?;
    db.execute("DELETE FROM publications WHERE gen <= ?1", [gen - KEEP])?;
    if db.is_postgres() {
        db.query_row(
            "SELECT pg_notify(?1, ?2)",
            [CHANNEL, &gen.to_string()],
            |_| Ok(()),
        )?;
    }
    Ok(Some(gen))
}
