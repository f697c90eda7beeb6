//! The SQLite layout and its migrations. `PRAGMA user_version` counts
//! the migrations applied; each runs once, in order, in one transaction.
//! PostgreSQL's layout, at the same version, is in `schema_pg`.
//!
//! Everything is kept compactly (see [`codec`](super::codec)): rows refer
//! to each other by integer keys, instants are seconds plus offset, digests
//! 16-byte blobs, articles zstd-compressed JSON. What is kept is what
//! rendering and identity matching need, and no rendered copy.

use rusqlite::{params, Connection, OptionalExtension, Transaction};

use super::codec::{digest_of_hex, encode_article, split_time};
use super::db::Db;
use super::identity::fingerprint_bytes;
use super::{item_hash, StoreError};
use crate::model::Article;

/// The layout of version 2, which a fresh database starts from; the steps
/// of [`STEPS`] bring it to [`VERSION`].
const CREATE: &str = r#"
CREATE TABLE channels (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,      -- folder name, '' for the main channel
    present     INTEGER NOT NULL,          -- whether the folder exists
    used        INTEGER NOT NULL DEFAULT 0,-- whether it ever held a bulletin
    dirty       INTEGER NOT NULL DEFAULT 1 -- its feeds must be rendered again
);
CREATE TABLE bulletins (
    id          INTEGER PRIMARY KEY,
    path        TEXT NOT NULL UNIQUE,      -- relative to the inbox, '/'-separated
    channel     INTEGER NOT NULL,          -- channels.id
    hash        BLOB NOT NULL,             -- SHA-256 of the bytes (16 bytes)
    first_seen  INTEGER NOT NULL,          -- unix seconds; never changes
    state       INTEGER NOT NULL,          -- 0 active, 1 deleted, 2 quarantined
    seq         INTEGER NOT NULL           -- order in which bulletins were first seen
);
CREATE INDEX bulletins_by_channel ON bulletins (channel);
CREATE TABLE items (
    id          INTEGER PRIMARY KEY,
    tag         TEXT NOT NULL UNIQUE,      -- the tag: URI readers see; permanent
    channel     INTEGER NOT NULL,
    source_key  TEXT,                      -- the source's own id (JSON `id`)
    fingerprint BLOB NOT NULL,             -- identity::fingerprint (16 bytes)
    first_seen  INTEGER NOT NULL,          -- unix seconds
    seen_seq    INTEGER NOT NULL,          -- ingest sequence of first sight
    position    INTEGER NOT NULL,          -- place in its primary bulletin
    published   INTEGER NOT NULL,          -- unix seconds
    published_offset INTEGER NOT NULL,     -- seconds east of UTC
    updated     INTEGER NOT NULL,
    updated_offset INTEGER NOT NULL,
    hash        BLOB NOT NULL,             -- item_hash(): what readers see (16 bytes)
    article     BLOB NOT NULL,             -- the Article, zstd-compressed JSON
    retracted   INTEGER NOT NULL DEFAULT 0,
    page_etag   BLOB,                      -- validators of its permalink page
    page_modified INTEGER,
    page_dirty  INTEGER NOT NULL DEFAULT 1 -- its page must be rendered again
);
CREATE INDEX items_page_dirty ON items (id) WHERE page_dirty = 1;
CREATE INDEX items_by_channel ON items (channel, published DESC, seen_seq DESC, position) WHERE retracted = 0;
CREATE INDEX items_by_time ON items (published DESC, seen_seq DESC, position) WHERE retracted = 0;
CREATE INDEX items_by_fingerprint ON items (fingerprint);
CREATE INDEX items_by_source ON items (channel, source_key) WHERE source_key IS NOT NULL;
-- Which bulletin holds which item where. An item is published while some
-- claim holds it; all claims of an item are in the item's channel.
CREATE TABLE claims (
    bulletin    INTEGER NOT NULL,
    position    INTEGER NOT NULL,
    item        INTEGER NOT NULL,
    dated       INTEGER,                   -- the source's date for it, if any
    dated_offset INTEGER,
    PRIMARY KEY (bulletin, position)
) WITHOUT ROWID;
CREATE INDEX claims_by_item ON claims (item);
-- Validators of the documents served from memory (feeds, index): the
-- identity ETag, when the bytes last changed, and the compressed copies'
-- ETags as the renderer writes them.
CREATE TABLE documents (
    path        TEXT PRIMARY KEY,          -- URL path, not percent-encoded
    etag        BLOB NOT NULL,
    modified    INTEGER NOT NULL,          -- unix seconds
    copies      TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
CREATE TABLE meta (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO channels (name, present, used) VALUES ('', 1, 1);
"#;

/// The layout of version 1 (bulletind 0.1), kept to test the upgrade.
#[cfg(test)]
pub(crate) const VERSION_1: &str = r#"
CREATE TABLE bulletins (
    path TEXT PRIMARY KEY, channel TEXT NOT NULL, hash TEXT NOT NULL,
    first_seen TEXT NOT NULL, state TEXT NOT NULL
);
CREATE TABLE items (
    id TEXT PRIMARY KEY, slug TEXT NOT NULL UNIQUE, bulletin TEXT NOT NULL,
    key TEXT NOT NULL, channel TEXT NOT NULL, position INTEGER NOT NULL,
    published TEXT NOT NULL, published_ts INTEGER NOT NULL, updated TEXT NOT NULL,
    hash TEXT NOT NULL, article TEXT NOT NULL, retracted INTEGER NOT NULL DEFAULT 0,
    UNIQUE (bulletin, key)
);
CREATE INDEX items_by_channel ON items (channel, retracted, published_ts DESC);
CREATE INDEX items_by_time ON items (retracted, published_ts DESC);
"#;

/// A migration from the version before it.
type Step = fn(&Transaction<'_>) -> Result<(), StoreError>;

/// The migrations after version 2, in order: `STEPS[i]` makes version
/// `3 + i`.
const STEPS: [Step; 4] = [
    archives_and_publications,
    super::websub::add_subscriptions,
    publication_log,
    retracted_index,
];

/// The version a fresh or fully migrated database has.
pub const VERSION: usize = 2 + STEPS.len();

/// Version 3: the archive (each item's permanent place in its channel's
/// and in the all-channels history, by first sight, and which archive
/// documents are due), each channel's own settings (`channel.toml`), and
/// whether a published date is a day the source printed.
fn archives_and_publications(tx: &Transaction<'_>) -> Result<(), StoreError> {
    tx.execute_batch(
        "ALTER TABLE channels ADD COLUMN slots INTEGER NOT NULL DEFAULT 0; -- places handed out
         ALTER TABLE channels ADD COLUMN settings TEXT;                    -- its channel.toml, as JSON
         ALTER TABLE items ADD COLUMN slot INTEGER NOT NULL DEFAULT 0;     -- place in its channel
         ALTER TABLE items ADD COLUMN gslot INTEGER NOT NULL DEFAULT 0;    -- place among all
         ALTER TABLE items ADD COLUMN day INTEGER NOT NULL DEFAULT 0;      -- published is a printed day
         ALTER TABLE claims ADD COLUMN day INTEGER NOT NULL DEFAULT 0;
         CREATE TABLE archive_dirty (
             channel INTEGER NOT NULL,   -- channels.id; the main channel's: the all-channels archive
             number  INTEGER NOT NULL,
             PRIMARY KEY (channel, number)
         ) WITHOUT ROWID;
         CREATE TEMP TABLE ranks AS
             SELECT id,
                    ROW_NUMBER() OVER (ORDER BY seen_seq, position, id) - 1 AS g,
                    ROW_NUMBER() OVER (PARTITION BY channel ORDER BY seen_seq, position, id) - 1 AS s
             FROM items;
         UPDATE items SET gslot = (SELECT g FROM ranks WHERE ranks.id = items.id),
                          slot = (SELECT s FROM ranks WHERE ranks.id = items.id);
         DROP TABLE ranks;
         UPDATE items SET slot = gslot WHERE channel = (SELECT id FROM channels WHERE name = '');
         UPDATE channels SET slots = (SELECT COUNT(*) FROM items WHERE items.channel = channels.id);
         UPDATE channels SET slots = (SELECT COUNT(*) FROM items) WHERE name = '';
         CREATE INDEX items_by_slot ON items (channel, slot);
         CREATE INDEX items_by_gslot ON items (gslot);",
    )?;
    Ok(())
}

/// Version 5: the log of what the ingest node published, which the other
/// nodes of a shared database follow (see `follow`).
fn publication_log(tx: &Transaction<'_>) -> Result<(), StoreError> {
    tx.execute_batch(
        "CREATE TABLE publications (
             gen  INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused
             at   INTEGER NOT NULL,                  -- unix seconds
             what TEXT NOT NULL                      -- follow::Publication as JSON
         );",
    )?;
    Ok(())
}

/// Version 6: the retracted items' tags by themselves, so that a start
/// reads them without a pass over every item row.
fn retracted_index(tx: &Transaction<'_>) -> Result<(), StoreError> {
    tx.execute_batch(RETRACTED_INDEX)?;
    Ok(())
}

/// The index of version 6, the same in both backends.
pub(crate) const RETRACTED_INDEX: &str =
    "CREATE INDEX items_retracted ON items (tag) WHERE retracted = 1;";

/// Brings the database to [`VERSION`], either backend.
pub fn migrate(db: &mut Db) -> Result<(), StoreError> {
    match db {
        Db::Sqlite(conn) => migrate_sqlite(conn),
        Db::Pg(_) => super::schema_pg::migrate(db),
    }
}

/// Brings the SQLite database to [`VERSION`].
pub fn migrate_sqlite(conn: &mut Connection) -> Result<(), StoreError> {
    let version: usize = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version > VERSION {
        return Err(StoreError::Corrupt {
            what: "schema",
            detail: format!("database version {version} is newer than this bulletind ({VERSION})"),
        });
    }
    let tx = conn.transaction()?;
    match version {
        0 => tx.execute_batch(CREATE)?,
        1 => upgrade_from_1(&tx)?,
        _ => {}
    }
    for step in &STEPS[version.max(2) - 2..] {
        step(&tx)?;
    }
    tx.pragma_update(None, "user_version", VERSION)?;
    tx.commit()?;
    Ok(())
}

/// Version 1 keyed items by (bulletin, headline) and kept text everywhere;
/// version 2 keeps claims, fingerprints and the first-seen order. Ids, page
/// names and dates are kept as they were: a published date becomes the
/// claim's own date, so it does not move.
fn upgrade_from_1(tx: &Transaction<'_>) -> Result<(), StoreError> {
    tx.execute_batch(
        "ALTER TABLE bulletins RENAME TO bulletins_v1;
         ALTER TABLE items RENAME TO items_v1;
         DROP INDEX items_by_channel;
         DROP INDEX items_by_time;",
    )?;
    tx.execute_batch(CREATE)?;
    tx.execute(
        "INSERT OR IGNORE INTO channels (name, present, used) SELECT DISTINCT channel, 1, 1 FROM bulletins_v1",
        [],
    )?;
    let bulletins: Vec<(String, String, String, String, String)> = {
        let mut stmt = tx.prepare(
            "SELECT path, channel, hash, first_seen, state FROM bulletins_v1 ORDER BY first_seen, path",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?;
        rows.collect::<Result<_, _>>()?
    };
    for (seq, (path, channel, hash, first_seen, state)) in bulletins.iter().enumerate() {
        let first_seen = v1_time(first_seen)?.timestamp();
        let state = match state.as_str() {
            "active" => 0,
            "deleted" => 1,
            _ => 2,
        };
        tx.execute(
            "INSERT INTO bulletins (path, channel, hash, first_seen, state, seq)
             VALUES (?1, (SELECT id FROM channels WHERE name = ?2), ?3, ?4, ?5, ?6)",
            params![
                path,
                channel,
                digest_of_hex(hash).to_vec(),
                first_seen,
                state,
                seq as i64 + 1
            ],
        )?;
    }
    let rows: Vec<V1Item> = {
        let mut stmt = tx.prepare(
            "SELECT i.id, i.bulletin, i.key, i.position, i.published, i.updated, i.article,
                    i.retracted, b.id, b.channel, b.first_seen, b.seq
             FROM items_v1 i JOIN bulletins b ON b.path = i.bulletin",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(V1Item {
                tag: r.get(0)?,
                key: r.get(2)?,
                position: r.get(3)?,
                published: r.get(4)?,
                updated: r.get(5)?,
                article: r.get(6)?,
                retracted: r.get(7)?,
                bulletin: r.get(8)?,
                channel: r.get(9)?,
                first_seen: r.get(10)?,
                seq: r.get(11)?,
            })
        })?;
        rows.collect::<Result<_, _>>()?
    };
    for v1 in rows {
        let article: Article =
            serde_json::from_str(&v1.article).map_err(|e| StoreError::Corrupt {
                what: "article",
                detail: format!("{}: {e}", v1.tag),
            })?;
        let published = v1_time(&v1.published)?;
        let updated = v1_time(&v1.updated)?;
        let (p, p_off) = split_time(published);
        let (u, u_off) = split_time(updated);
        tx.execute(
            "INSERT INTO items (tag, channel, source_key, fingerprint, first_seen, seen_seq, position,
                                published, published_offset, updated, updated_offset, hash, article, retracted)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            params![
                v1.tag,
                v1.channel,
                v1.key.strip_prefix("id:"),
                fingerprint_bytes(&article).to_vec(),
                v1.first_seen,
                v1.seq,
                v1.position,
                p,
                p_off,
                u,
                u_off,
                item_hash(&article, published).to_vec(),
                encode_article(&article)?,
                v1.retracted
            ],
        )?;
        if !v1.retracted {
            tx.execute(
                "INSERT OR IGNORE INTO claims (bulletin, position, item, dated, dated_offset)
                 VALUES (?1, ?2, last_insert_rowid(), ?3, ?4)",
                params![v1.bulletin, v1.position, p, p_off],
            )?;
        }
    }
    let last_seq: Option<i64> = tx
        .query_row("SELECT MAX(seq) FROM bulletins", [], |r| r.get(0))
        .optional()?
        .flatten();
    tx.execute(
        "INSERT INTO meta (key, value) VALUES ('seq', ?1)",
        [last_seq.unwrap_or(0).to_string()],
    )?;
    tx.execute_batch("DROP TABLE items_v1; DROP TABLE bulletins_v1;")?;
    Ok(())
}

fn v1_time(s: &str) -> Result<chrono::DateTime<chrono::FixedOffset>, StoreError> {
    chrono::DateTime::parse_from_rfc3339(s).map_err(|e| StoreError::Corrupt {
        what: "version 1 date",
        detail: format!("{s:?}: {e}"),
    })
}

/// One item row of a version 1 database, with its bulletin's new keys.
struct V1Item {
    tag: String,
    key: String,
    position: i64,
    published: String,
    updated: String,
    article: String,
    retracted: bool,
    bulletin: i64,
    channel: i64,
    first_seen: i64,
    seq: i64,
}
