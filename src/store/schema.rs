//! The database layout and its migrations. `PRAGMA user_version` counts
//! the migrations applied; each runs once, in order, in one transaction.

use rusqlite::{params, Connection, OptionalExtension, Transaction};

use super::identity::fingerprint;
use super::{item_hash, StoreError};
use crate::model::Article;

/// The current layout, as a fresh database gets it (version 2).
const CREATE: &str = r#"
CREATE TABLE bulletins (
    path        TEXT PRIMARY KEY,          -- relative to the inbox, '/'-separated
    channel     TEXT NOT NULL,             -- '' for the main channel
    hash        TEXT NOT NULL,             -- SHA-256 of the file's bytes
    first_seen  TEXT NOT NULL,             -- RFC 3339, UTC; never changes
    state       TEXT NOT NULL,             -- 'active' | 'deleted' | 'quarantined'
    seq         INTEGER NOT NULL           -- order in which bulletins were first seen
);
CREATE INDEX bulletins_by_channel ON bulletins (channel);
CREATE TABLE items (
    id          TEXT PRIMARY KEY,          -- tag: URI, permanent
    slug        TEXT NOT NULL UNIQUE,      -- permalink page name
    channel     TEXT NOT NULL,
    source_key  TEXT,                      -- the source's own id (JSON `id`)
    fingerprint TEXT NOT NULL,             -- identity::fingerprint
    first_seen  TEXT NOT NULL,             -- RFC 3339, UTC: when first seen
    seen_seq    INTEGER NOT NULL,          -- ingest sequence of first sight
    position    INTEGER NOT NULL,          -- place in its first-seen bulletin
    published   TEXT NOT NULL,             -- RFC 3339 with offset
    published_ts INTEGER NOT NULL,         -- unix seconds, for ordering
    updated     TEXT NOT NULL,
    hash        TEXT NOT NULL,             -- item_hash(): what readers see
    article     TEXT NOT NULL,             -- the Article as JSON
    retracted   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX items_by_channel ON items (channel, retracted, published_ts DESC, seen_seq DESC, position);
CREATE INDEX items_by_time ON items (retracted, published_ts DESC, seen_seq DESC, position);
CREATE INDEX items_by_fingerprint ON items (fingerprint);
CREATE INDEX items_by_source ON items (channel, source_key) WHERE source_key IS NOT NULL;
-- Which bulletin holds which item where. An item is published while some
-- claim holds it; all claims of an item are in the item's channel.
CREATE TABLE claims (
    bulletin    TEXT NOT NULL,
    position    INTEGER NOT NULL,
    item        TEXT NOT NULL,
    dated       TEXT,                      -- the source's date for it, resolved (RFC 3339)
    PRIMARY KEY (bulletin, position)
) WITHOUT ROWID;
CREATE INDEX claims_by_item ON claims (item);
CREATE TABLE channels (
    name        TEXT PRIMARY KEY,
    state       TEXT NOT NULL,             -- 'active' | 'gone'
    used        INTEGER NOT NULL DEFAULT 0 -- whether it ever held a bulletin
) WITHOUT ROWID;
-- Validators of every served document: its ETag and when its bytes last changed.
CREATE TABLE documents (
    path        TEXT PRIMARY KEY,          -- URL path, not percent-encoded
    etag        TEXT NOT NULL,
    modified    INTEGER NOT NULL           -- unix seconds
) WITHOUT ROWID;
CREATE TABLE meta (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL
) WITHOUT ROWID;
"#;

/// The layout of version 1 (bulletind 0.1), kept to upgrade old databases
/// and to test that upgrade.
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

/// The version a fresh or fully migrated database has.
pub const VERSION: usize = 2;

/// Brings the database to [`VERSION`].
pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let version: usize = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version > VERSION {
        return Err(StoreError::Corrupt {
            what: "schema",
            detail: format!("database version {version} is newer than this bulletind ({VERSION})"),
        });
    }
    let tx = conn.transaction()?;
    match version {
        0 => {
            // A v1 database has tables but no version only if it was never
            // migrated: the v1 code always set user_version.
            tx.execute_batch(CREATE)?;
        }
        1 => upgrade_from_1(&tx)?,
        _ => {}
    }
    tx.pragma_update(None, "user_version", VERSION)?;
    tx.commit()?;
    Ok(())
}

/// Version 1 keyed items by (bulletin, headline); version 2 keeps claims,
/// fingerprints and the first-seen order. Ids, slugs and dates are kept as
/// they were: a published date becomes the claim's own date, so it does not
/// move.
fn upgrade_from_1(tx: &Transaction<'_>) -> Result<(), StoreError> {
    tx.execute_batch(
        "ALTER TABLE bulletins RENAME TO bulletins_v1;
         ALTER TABLE items RENAME TO items_v1;
         DROP INDEX items_by_channel;
         DROP INDEX items_by_time;",
    )?;
    tx.execute_batch(CREATE)?;
    tx.execute(
        "INSERT INTO bulletins (path, channel, hash, first_seen, state, seq)
         SELECT path, channel, hash, first_seen, state,
                ROW_NUMBER() OVER (ORDER BY first_seen, path)
         FROM bulletins_v1",
        [],
    )?;
    tx.execute(
        "INSERT INTO channels (name, state, used) SELECT DISTINCT channel, 'active', 1 FROM bulletins",
        [],
    )?;
    let rows: Vec<V1Item> = {
        let mut stmt = tx.prepare(
            "SELECT i.id, i.slug, i.bulletin, b.channel, i.key, i.position, i.published,
                    i.published_ts, i.updated, i.article, i.retracted, b.first_seen, b.seq
             FROM items_v1 i JOIN bulletins b ON b.path = i.bulletin",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(V1Item {
                id: r.get(0)?,
                slug: r.get(1)?,
                bulletin: r.get(2)?,
                channel: r.get(3)?,
                key: r.get(4)?,
                position: r.get(5)?,
                published: r.get(6)?,
                published_ts: r.get(7)?,
                updated: r.get(8)?,
                article: r.get(9)?,
                retracted: r.get(10)?,
                first_seen: r.get(11)?,
                seq: r.get(12)?,
            })
        })?;
        rows.collect::<Result<_, _>>()?
    };
    for v1 in rows {
        let article: Article =
            serde_json::from_str(&v1.article).map_err(|e| StoreError::Corrupt {
                what: "article",
                detail: format!("{}: {e}", v1.id),
            })?;
        let source_key = v1.key.strip_prefix("id:").map(str::to_string);
        tx.execute(
            "INSERT INTO items (id, slug, channel, source_key, fingerprint, first_seen, seen_seq,
                                position, published, published_ts, updated, hash, article, retracted)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            params![
                v1.id,
                v1.slug,
                v1.channel,
                source_key,
                fingerprint(&article),
                v1.first_seen,
                v1.seq,
                v1.position,
                v1.published,
                v1.published_ts,
                v1.updated,
                item_hash(&article, &v1.published),
                v1.article,
                v1.retracted
            ],
        )?;
        if !v1.retracted {
            tx.execute(
                "INSERT OR IGNORE INTO claims (bulletin, position, item, dated) VALUES (?1, ?2, ?3, ?4)",
                params![v1.bulletin, v1.position, v1.id, v1.published],
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

/// One item row of a version 1 database.
struct V1Item {
    id: String,
    slug: String,
    bulletin: String,
    channel: String,
    key: String,
    position: i64,
    published: String,
    published_ts: i64,
    updated: String,
    article: String,
    retracted: bool,
    first_seen: String,
    seq: i64,
}
