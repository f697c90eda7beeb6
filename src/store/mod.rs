//! The store: bulletins by path, every article ever
//! published with its permanent id, which bulletin claims which item, the
//! channels, and the validators of every served document.
//!
//! Ingest is idempotent: the same bytes change nothing. An article keeps its
//! id across edits, renames and moves by the rules of [`identity`]; an item
//! is published while at least one bulletin claims it, and retracted (kept,
//! never deleted, never reused) when none does.
//!
//! It lives in SQLite (embedded, one node) or PostgreSQL (shared by
//! several nodes); [`db`] runs the same queries on either.
//!
//! Layout: [`db`] (the two databases), [`schema`] (tables, migrations), `codec` (how values are kept),
//! [`identity`] (matching rules, pure), `write` (ingest, removal, renames,
//! quarantine records), `read` (feeds, channels, validators), [`archive`]
//! (the paged history), `publication` (channels' own settings), `ids`
//! (ids, slugs, dates), `websub` (the hub's subscriptions), `follow` (the
//! publication log other nodes follow, and a follower's own marks).

mod archive;
mod codec;
pub mod db;
mod follow;
pub mod identity;
mod ids;
mod publication;
mod read;
pub mod schema;
mod schema_pg;
mod staged;
mod stats;
mod websub;
mod write;

use std::collections::BTreeSet;
use std::path::Path;

use chrono_tz::Tz;

use crate::config::StoreLocation;
use db::Db;

pub use archive::ArchiveKey;
pub use codec::digest_of_hex;
pub use follow::{Publication, Since, CHANNEL as NOTIFY_CHANNEL};
pub use ids::{
    article_hash, authority_of, digest16, hash_hex, item_hash, mint_id, resolve_date, slug_for,
};
pub use read::{ChannelInfo, Document, KnownBulletin, Validators};
pub use staged::Staged;
pub use websub::{StoredSubscription, SubscriptionChange, SUBSCRIPTIONS_CHANGED};

/// An item's key inside the store (not its public id, which is a `tag:`
/// URI).
pub type ItemKey = i64;

/// Items per archive document until told otherwise.
const DEFAULT_ARCHIVE_SIZE: i64 = 50;

/// File name of the database inside the state directory.
pub const DB_FILE: &str = "bulletind.sqlite3";

/// Failures of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite failed.
    #[error("database: {0}")]
    Sql(#[from] rusqlite::Error),
    /// PostgreSQL failed.
    #[error("postgresql: {0}")]
    Pg(#[from] postgres::Error),
    /// A query that must find a row found none.
    #[error("database: no row")]
    NoRow,
    /// A stored value could not be read back.
    #[error("stored {what} is corrupt: {detail}")]
    Corrupt {
        /// Which value.
        what: &'static str,
        /// Why it could not be read.
        detail: String,
    },
    /// The state directory could not be created.
    #[error("state directory {path}: {err}")]
    Dir {
        /// The directory.
        path: String,
        /// The I/O error.
        err: std::io::Error,
    },
}

impl StoreError {
    /// Whether the database could not be reached (a PostgreSQL session that
    /// failed or was lost, not an error the server reported): trying again
    /// later may work.
    pub fn is_unreachable(&self) -> bool {
        matches!(self, StoreError::Pg(e) if e.as_db_error().is_none())
    }

    /// Whether the database itself is unusable (corrupt, gone, read-only,
    /// out of disk), so that going on would only fail again: the daemon
    /// then stops for its supervisor to restart it.
    pub fn is_fatal(&self) -> bool {
        use rusqlite::ErrorCode::*;
        match self {
            StoreError::Sql(rusqlite::Error::SqliteFailure(e, _)) => matches!(
                e.code,
                DatabaseCorrupt | NotADatabase | SystemIoFailure | DiskFull | ReadOnly | CannotOpen
            ),
            StoreError::Dir { .. } => true,
            _ => false,
        }
    }
}

/// What a change to the store did, for the log and for deciding what to
/// render again.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// New items.
    pub added: usize,
    /// Items whose content or date changed, or that came back.
    pub updated: usize,
    /// Items withdrawn from the feeds.
    pub retracted: usize,
    /// Channels whose feeds may show something else now.
    pub channels: BTreeSet<String>,
    /// Items whose permalink page may differ now: new, changed, moved or
    /// retracted ones.
    pub pages: BTreeSet<ItemKey>,
    /// Some channel's own settings changed: the site is read again.
    pub settings: bool,
}

impl Changes {
    /// Whether readers can see any difference.
    pub fn any(&self) -> bool {
        !self.channels.is_empty() || !self.pages.is_empty()
    }

    /// Adds `other`'s changes to these.
    pub fn merge(&mut self, other: Changes) {
        self.added += other.added;
        self.updated += other.updated;
        self.retracted += other.retracted;
        self.channels.extend(other.channels);
        self.pages.extend(other.pages);
        self.settings |= other.settings;
    }
}

/// The store: one database connection, owned by the ingest task.
pub struct Store {
    conn: Db,
    authority: String,
    tz: Tz,
    /// Items per archive document ([`Store::set_archive_size`]).
    archive_size: i64,
    /// A follower's own marks of what is due; `None` on the ingest node.
    local: Option<follow::Local>,
    /// The newest publication log entry this store wrote.
    logged: i64,
}

impl Store {
    /// Opens (creating if needed) the SQLite database in `dir`.
    /// `authority` is used for new ids; `tz` resolves dates without offsets.
    pub fn open(dir: &Path, authority: &str, tz: Tz) -> Result<Store, StoreError> {
        std::fs::create_dir_all(dir).map_err(|err| StoreError::Dir {
            path: dir.display().to_string(),
            err,
        })?;
        Self::with_db(Db::sqlite(&dir.join(DB_FILE))?, authority, tz)
    }

    /// Opens the store `location` names: SQLite in `state_dir`, or a
    /// PostgreSQL database; `role` names the connection in PostgreSQL's
    /// activity view.
    pub fn open_at(
        location: &StoreLocation,
        state_dir: &Path,
        role: &str,
        authority: &str,
        tz: Tz,
    ) -> Result<Store, StoreError> {
        match location {
            StoreLocation::Sqlite => Self::open(state_dir, authority, tz),
            StoreLocation::Postgres(url) => {
                let options = db::PgOptions {
                    schema: None,
                    application_name: Some(format!("bulletind {role}")),
                };
                Self::open_postgres(url, &options, authority, tz)
            }
        }
    }

    /// Opens the PostgreSQL database at `url`, bringing its tables up to
    /// date.
    pub fn open_postgres(
        url: &str,
        options: &db::PgOptions,
        authority: &str,
        tz: Tz,
    ) -> Result<Store, StoreError> {
        Self::with_db(Db::postgres(url, options)?, authority, tz)
    }

    /// An in-memory store, for previews and tests.
    pub fn in_memory(authority: &str, tz: Tz) -> Result<Store, StoreError> {
        Self::with_db(Db::sqlite_in_memory()?, authority, tz)
    }

    fn with_db(mut conn: Db, authority: &str, tz: Tz) -> Result<Store, StoreError> {
        schema::migrate(&mut conn)?;
        Ok(Store {
            conn,
            authority: authority.to_string(),
            tz,
            archive_size: DEFAULT_ARCHIVE_SIZE,
            local: None,
            logged: 0,
        })
    }

    /// The time zone dates without an offset are read in.
    pub fn timezone(&self) -> Tz {
        self.tz
    }

    /// Reads dates without an offset in `tz` from now on (a reload); dates
    /// already stored stay as they were.
    pub fn set_timezone(&mut self, tz: Tz) {
        self.tz = tz;
    }
}

#[cfg(test)]
mod tests;
