//! The embedded SQLite store: bulletins by path with their content hash and
//! first-seen time, and every article ever published with its permanent id.
//!
//! Ingest is idempotent: the same bytes change nothing; an edited file keeps
//! its articles' ids and bumps `updated` only for articles whose content
//! changed; articles that disappear are retracted (kept, not deleted).

mod ids;

use std::path::Path;

use chrono::{DateTime, FixedOffset, Utc};
use chrono_tz::Tz;
use rusqlite::{params, Connection, OptionalExtension};

pub use ids::{
    article_hash, article_keys, authority_of, hash_hex, mint_id, published_at, resolve_date,
    slug_for,
};

use crate::model::{Article, Bulletin, Item};

/// File name of the database inside the state directory.
pub const DB_FILE: &str = "bulletind.sqlite3";

/// Schema migrations, applied in order; `PRAGMA user_version` counts them.
const MIGRATIONS: &[&str] = &[r#"
CREATE TABLE bulletins (
    path        TEXT PRIMARY KEY,          -- relative to the inbox, '/'-separated
    channel     TEXT NOT NULL,             -- '' for the main channel
    hash        TEXT NOT NULL,             -- SHA-256 of the file's bytes
    first_seen  TEXT NOT NULL,             -- RFC 3339, UTC; never changes
    state       TEXT NOT NULL              -- 'active' | 'deleted' | 'quarantined'
);
CREATE TABLE items (
    id          TEXT PRIMARY KEY,          -- tag: URI, permanent
    slug        TEXT NOT NULL UNIQUE,
    bulletin    TEXT NOT NULL,
    key         TEXT NOT NULL,             -- article key within the bulletin
    channel     TEXT NOT NULL,
    position    INTEGER NOT NULL,          -- order in the bulletin
    published   TEXT NOT NULL,             -- RFC 3339 with offset
    published_ts INTEGER NOT NULL,         -- unix seconds, for ordering
    updated     TEXT NOT NULL,
    hash        TEXT NOT NULL,             -- article_hash()
    article     TEXT NOT NULL,             -- the Article as JSON
    retracted   INTEGER NOT NULL DEFAULT 0,
    UNIQUE (bulletin, key)
);
CREATE INDEX items_by_channel ON items (channel, retracted, published_ts DESC);
CREATE INDEX items_by_time ON items (retracted, published_ts DESC);
"#];

/// Failures of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite failed.
    #[error("database: {0}")]
    Sql(#[from] rusqlite::Error),
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

/// What an ingest changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Changes {
    /// New articles.
    pub added: usize,
    /// Articles whose content changed (or that came back).
    pub updated: usize,
    /// Articles withdrawn from the feeds.
    pub retracted: usize,
}

impl Changes {
    /// Whether anything visible changed.
    pub fn any(&self) -> bool {
        self.added + self.updated + self.retracted > 0
    }
}

/// State of a bulletin file as the store knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownBulletin {
    /// Path relative to the inbox.
    pub path: String,
    /// Channel it belongs to.
    pub channel: String,
    /// `active`, `deleted` or `quarantined`.
    pub state: String,
}

/// The store: one SQLite connection, owned by the ingest task.
pub struct Store {
    conn: Connection,
    authority: String,
    tz: Tz,
}

impl Store {
    /// Opens (creating if needed) the database in `dir`, in WAL mode.
    /// `authority` is used for new ids; `tz` resolves dates without offsets.
    pub fn open(dir: &Path, authority: &str, tz: Tz) -> Result<Store, StoreError> {
        std::fs::create_dir_all(dir).map_err(|err| StoreError::Dir {
            path: dir.display().to_string(),
            err,
        })?;
        let conn = Connection::open(dir.join(DB_FILE))?;
        Self::with_connection(conn, authority, tz)
    }

    /// An in-memory store, for previews and tests.
    pub fn in_memory(authority: &str, tz: Tz) -> Result<Store, StoreError> {
        Self::with_connection(Connection::open_in_memory()?, authority, tz)
    }

    fn with_connection(mut conn: Connection, authority: &str, tz: Tz) -> Result<Store, StoreError> {
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // WAL + NORMAL survives process crashes; only a power loss can drop the
        // last transactions, and the inbox still holds their files.
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        // Read pages through a memory map and keep a larger cache: feeds are
        // re-queried after every change, and copying pages through read(2)
        // dominated ingest time in profiles.
        conn.pragma_update(None, "mmap_size", 256 * 1024 * 1024)?;
        conn.pragma_update(None, "cache_size", -16 * 1024)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let version: usize = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let tx = conn.transaction()?;
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version) {
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", i + 1)?;
        }
        tx.commit()?;
        Ok(Store {
            conn,
            authority: authority.to_string(),
            tz,
        })
    }

    /// Whether `path` is stored, active, with exactly this content hash.
    pub fn is_current(&self, path: &str, hash: &str) -> Result<bool, StoreError> {
        let found: Option<String> = self
            .conn
            .query_row(
                "SELECT hash FROM bulletins WHERE path = ?1 AND state = 'active'",
                [path],
                |r| r.get(0),
            )
            .optional()?;
        Ok(found.as_deref() == Some(hash))
    }

    /// Ingests a parsed bulletin found at `path` (relative to the inbox) in
    /// `channel`, whose bytes hash to `hash`. `now` is the ingest time, used
    /// as first-seen time for new files and as `updated` for edited articles.
    pub fn ingest(
        &mut self,
        path: &str,
        channel: &str,
        hash: &str,
        bulletin: &Bulletin,
        now: DateTime<Utc>,
    ) -> Result<Changes, StoreError> {
        let tx = self.conn.transaction()?;
        let first_seen: Option<String> = tx
            .query_row(
                "SELECT first_seen FROM bulletins WHERE path = ?1",
                [path],
                |r| r.get(0),
            )
            .optional()?;
        let first_seen = match first_seen {
            Some(s) => parse_time(&s, "first_seen")?.with_timezone(&Utc),
            None => now,
        };
        tx.execute(
            "INSERT INTO bulletins (path, channel, hash, first_seen, state) VALUES (?1, ?2, ?3, ?4, 'active')
             ON CONFLICT (path) DO UPDATE SET channel = ?2, hash = ?3, state = 'active'",
            params![path, channel, hash, first_seen.to_rfc3339()],
        )?;

        let mut changes = Changes::default();
        let keys = article_keys(bulletin);
        for (position, (article, key)) in bulletin.articles.iter().zip(&keys).enumerate() {
            // A section the bulletin gives as a whole applies to each article.
            let with_section;
            let article = match (&article.section, &bulletin.section) {
                (None, Some(section)) => {
                    with_section = Article {
                        section: Some(section.clone()),
                        ..article.clone()
                    };
                    &with_section
                }
                _ => article,
            };
            let published = published_at(article, bulletin, first_seen, self.tz);
            let content = article_hash(article);
            let json = serde_json::to_string(article).map_err(|e| StoreError::Corrupt {
                what: "article",
                detail: e.to_string(),
            })?;
            let existing: Option<(String, String, String, bool)> = tx
                .prepare_cached("SELECT id, hash, updated, retracted FROM items WHERE bulletin = ?1 AND key = ?2")?
                .query_row(params![path, key], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                .optional()?;
            match existing {
                None => {
                    let id = mint_id(&self.authority, first_seen, channel, path, key);
                    tx.prepare_cached(
                        "INSERT INTO items (id, slug, bulletin, key, channel, position, published, published_ts, updated, hash, article)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?7, ?9, ?10)",
                    )?
                    .execute(params![
                            id,
                            slug_for(&id),
                            path,
                            key,
                            channel,
                            position as i64,
                            published.to_rfc3339(),
                            published.timestamp(),
                            content,
                            json
                        ],
                    )?;
                    changes.added += 1;
                }
                Some((id, old_hash, old_updated, retracted)) => {
                    let changed = old_hash != content || retracted;
                    let updated = if changed {
                        // An edit is dated now, but never before publication.
                        let now = now.with_timezone(published.offset());
                        changes.updated += 1;
                        now.max(published).to_rfc3339()
                    } else {
                        old_updated
                    };
                    tx.prepare_cached(
                        "UPDATE items SET channel = ?2, position = ?3, published = ?4, published_ts = ?5,
                                updated = ?6, hash = ?7, article = ?8, retracted = 0 WHERE id = ?1",
                    )?
                    .execute(params![
                            id,
                            channel,
                            position as i64,
                            published.to_rfc3339(),
                            published.timestamp(),
                            updated,
                            content,
                            json
                        ],
                    )?;
                }
            }
        }
        // Articles no longer in the file are withdrawn. (`+retracted` keeps
        // SQLite on the (bulletin, key) index: without statistics it would
        // pick items_by_time and scan every item, making ingest quadratic.)
        let gone: Vec<String> = {
            let mut stmt =
                tx.prepare("SELECT key FROM items WHERE bulletin = ?1 AND +retracted = 0")?;
            let rows = stmt.query_map([path], |r| r.get::<_, String>(0))?;
            let mut gone = Vec::new();
            for key in rows {
                let key = key?;
                if !keys.contains(&key) {
                    gone.push(key);
                }
            }
            gone
        };
        for key in gone {
            tx.execute(
                "UPDATE items SET retracted = 1 WHERE bulletin = ?1 AND key = ?2",
                params![path, key],
            )?;
            changes.retracted += 1;
        }
        tx.commit()?;
        Ok(changes)
    }

    /// Records that the file at `path` is gone. With `retract`, its items
    /// leave the feeds (they stay in the database). Returns what changed.
    pub fn remove(&mut self, path: &str, retract: bool) -> Result<Changes, StoreError> {
        let tx = self.conn.transaction()?;
        let state: Option<String> = tx
            .query_row("SELECT state FROM bulletins WHERE path = ?1", [path], |r| {
                r.get(0)
            })
            .optional()?;
        let mut changes = Changes::default();
        // A quarantined file left the inbox on purpose: its published items stay.
        if state.as_deref() == Some("active") {
            tx.execute(
                "UPDATE bulletins SET state = 'deleted' WHERE path = ?1",
                [path],
            )?;
            if retract {
                changes.retracted = tx.execute(
                    "UPDATE items SET retracted = 1 WHERE bulletin = ?1 AND +retracted = 0",
                    [path],
                )?;
            }
        }
        tx.commit()?;
        Ok(changes)
    }

    /// Records that the file at `path` was moved to quarantine, so that its
    /// disappearance from the inbox does not retract what it published.
    pub fn mark_quarantined(&mut self, path: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE bulletins SET state = 'quarantined' WHERE path = ?1",
            [path],
        )?;
        Ok(())
    }

    /// Every bulletin the store has seen.
    pub fn known(&self) -> Result<Vec<KnownBulletin>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT path, channel, state FROM bulletins ORDER BY path")?;
        let rows = stmt.query_map([], |r| {
            Ok(KnownBulletin {
                path: r.get(0)?,
                channel: r.get(1)?,
                state: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The newest `limit` published items, of one channel or (`None`) of all,
    /// newest first; ties in page order.
    pub fn newest(&self, channel: Option<&str>, limit: usize) -> Result<Vec<Item>, StoreError> {
        const COLUMNS: &str = "id, slug, channel, article, published, updated";
        const ORDER: &str = "ORDER BY published_ts DESC, bulletin, position LIMIT";
        let limit = limit as i64;
        let mut stmt;
        let rows = match channel {
            Some(ch) => {
                stmt = self.conn.prepare_cached(&format!(
                    "SELECT {COLUMNS} FROM items WHERE channel = ?1 AND retracted = 0 {ORDER} ?2"
                ))?;
                stmt.query(params![ch, limit])?
            }
            None => {
                stmt = self.conn.prepare_cached(&format!(
                    "SELECT {COLUMNS} FROM items WHERE retracted = 0 {ORDER} ?1"
                ))?;
                stmt.query(params![limit])?
            }
        };
        rows.mapped(|r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
            ))
        })
        .map(|row| {
            let (id, slug, channel, article, published, updated) = row?;
            let article: Article =
                serde_json::from_str(&article).map_err(|e| StoreError::Corrupt {
                    what: "article",
                    detail: format!("{id}: {e}"),
                })?;
            Ok(Item {
                id,
                slug,
                channel,
                article,
                published: parse_time(&published, "published")?,
                updated: parse_time(&updated, "updated")?,
            })
        })
        .collect()
    }

    /// Every channel the inbox has had, with its published item count, by
    /// name. `""` (files directly in the inbox) is included when it has files.
    /// A channel whose items were all retracted stays, with count 0, so its
    /// feed URLs keep answering.
    pub fn channels(&self) -> Result<Vec<(String, usize)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT c.channel, (SELECT COUNT(*) FROM items i WHERE i.channel = c.channel AND i.retracted = 0)
             FROM (SELECT DISTINCT channel FROM bulletins) c ORDER BY c.channel",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as usize))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Number of published (not retracted) items.
    pub fn published_count(&self) -> Result<u64, StoreError> {
        let n: i64 =
            self.conn
                .query_row("SELECT COUNT(*) FROM items WHERE retracted = 0", [], |r| {
                    r.get(0)
                })?;
        Ok(n as u64)
    }
}

fn parse_time(s: &str, what: &'static str) -> Result<DateTime<FixedOffset>, StoreError> {
    DateTime::parse_from_rfc3339(s).map_err(|e| StoreError::Corrupt {
        what,
        detail: format!("{s:?}: {e}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Block, Dated};
    use chrono::{NaiveDate, TimeZone};

    fn bulletin(items: &[(&str, &str)]) -> Bulletin {
        Bulletin {
            articles: items
                .iter()
                .map(|(t, body)| Article {
                    title: (*t).into(),
                    blocks: vec![Block::Paragraph((*body).into())],
                    ..Article::default()
                })
                .collect(),
            date: Some(Dated::Day(
                NaiveDate::from_ymd_opt(2022, 12, 9).expect("date"),
            )),
            ..Bulletin::default()
        }
    }

    fn at(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, h, 0, 0)
            .single()
            .expect("valid")
    }

    #[test]
    fn edit_keeps_ids_and_bumps_updated_only_where_changed() {
        let mut s = Store::in_memory("example.org", Tz::UTC).expect("store");
        let b1 = bulletin(&[("One", "a"), ("Two", "b")]);
        let c = s.ingest("p.txt", "", "h1", &b1, at(1)).expect("ingest");
        assert_eq!(
            c,
            Changes {
                added: 2,
                ..Changes::default()
            }
        );
        let before = s.newest(None, 10).expect("newest");
        assert!(s.is_current("p.txt", "h1").expect("q"));

        let b2 = bulletin(&[("One", "a"), ("Two", "b edited"), ("Three", "c")]);
        let c = s.ingest("p.txt", "", "h2", &b2, at(2)).expect("ingest");
        assert_eq!(
            c,
            Changes {
                added: 1,
                updated: 1,
                retracted: 0
            }
        );
        let after = s.newest(None, 10).expect("newest");
        let find = |items: &[Item], t: &str| {
            items
                .iter()
                .find(|i| i.article.title == t)
                .cloned()
                .expect(t)
        };
        assert_eq!(find(&before, "One"), find(&after, "One"));
        assert_eq!(find(&before, "Two").id, find(&after, "Two").id);
        assert_eq!(
            find(&after, "Two").updated.to_rfc3339(),
            "2026-01-01T02:00:00+00:00"
        );
        assert_eq!(
            find(&after, "Two").published.to_rfc3339(),
            "2022-12-09T00:00:00+00:00"
        );

        let b3 = bulletin(&[("Three", "c")]);
        let c = s.ingest("p.txt", "", "h3", &b3, at(3)).expect("ingest");
        assert_eq!(c.retracted, 2);
        assert_eq!(s.published_count().expect("count"), 1);
    }

    #[test]
    fn remove_retracts_unless_quarantined() {
        let mut s = Store::in_memory("example.org", Tz::UTC).expect("store");
        s.ingest("a.txt", "", "h", &bulletin(&[("A", "x")]), at(1))
            .expect("ingest");
        s.ingest("ch/b.txt", "ch", "h", &bulletin(&[("B", "y")]), at(1))
            .expect("ingest");
        assert_eq!(
            s.channels().expect("ch"),
            [("".to_string(), 1), ("ch".to_string(), 1)]
        );
        s.mark_quarantined("a.txt").expect("mark");
        assert!(!s.remove("a.txt", true).expect("remove").any());
        assert_eq!(s.remove("ch/b.txt", true).expect("remove").retracted, 1);
        assert_eq!(s.newest(None, 10).expect("newest").len(), 1);
        assert_eq!(s.newest(Some("ch"), 10).expect("newest").len(), 0);
        assert_eq!(
            s.channels().expect("ch"),
            [("".to_string(), 1), ("ch".to_string(), 0)]
        );
        // The same file coming back brings the same ids back.
        let again = s
            .ingest("ch/b.txt", "ch", "h", &bulletin(&[("B", "y")]), at(5))
            .expect("ingest");
        assert_eq!(again.updated, 1);
    }

    #[test]
    fn bulletin_section_applies_to_articles_without_one() {
        let mut s = Store::in_memory("example.org", Tz::UTC).expect("store");
        let mut b = bulletin(&[("A", "x"), ("B", "y")]);
        b.section = Some("Page".into());
        b.articles[1].section = Some("Own".into());
        s.ingest("p.txt", "", "h", &b, at(1)).expect("ingest");
        let mut got: Vec<(String, Option<String>)> = s
            .newest(None, 5)
            .expect("newest")
            .into_iter()
            .map(|i| (i.article.title, i.article.section))
            .collect();
        got.sort();
        assert_eq!(
            got,
            [
                ("A".into(), Some("Page".into())),
                ("B".into(), Some("Own".into()))
            ]
        );
    }

    /// Regression: the per-file retraction lookups scanned every item (the
    /// planner chose `items_by_time`), so ingesting N files cost O(N²).
    #[test]
    fn retraction_lookups_use_the_bulletin_index() {
        let s = Store::in_memory("example.org", Tz::UTC).expect("store");
        for sql in [
            "SELECT key FROM items WHERE bulletin = 'x' AND +retracted = 0",
            "UPDATE items SET retracted = 1 WHERE bulletin = 'x' AND +retracted = 0",
        ] {
            let plan: Vec<String> = s
                .conn
                .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                .expect("prepare")
                .query_map([], |r| r.get::<_, String>(3))
                .expect("query")
                .collect::<Result<_, _>>()
                .expect("rows");
            let plan = plan.join("; ");
            assert!(plan.contains("sqlite_autoindex_items"), "{sql}: {plan}");
        }
    }

    #[test]
    fn reopening_keeps_everything() {
        let dir = tempfile::tempdir().expect("tempdir");
        let ids = {
            let mut s = Store::open(dir.path(), "example.org", Tz::UTC).expect("open");
            s.ingest("a.txt", "", "h", &bulletin(&[("A", "x")]), at(1))
                .expect("ingest");
            s.newest(None, 5).expect("newest")
        };
        let s = Store::open(dir.path(), "other.example", Tz::UTC).expect("reopen");
        assert_eq!(s.newest(None, 5).expect("newest"), ids);
        assert!(s.is_current("a.txt", "h").expect("q"));
    }
}
