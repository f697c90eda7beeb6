//! The store's read paths: the newest items of a feed, items by id, the
//! channels, known bulletins, and the validators and settings kept for the
//! renderer.

use rusqlite::{params, OptionalExtension, Row};

use super::{parse_time, Store, StoreError};
use crate::model::{Article, Item};

/// State of a bulletin file as the store knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownBulletin {
    /// Path relative to the inbox.
    pub path: String,
    /// Channel it belongs to.
    pub channel: String,
    /// SHA-256 of the bytes last ingested or rejected.
    pub hash: String,
    /// `active`, `deleted` or `quarantined`.
    pub state: String,
}

/// A channel and what it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelInfo {
    /// The folder name (`""` for the main channel).
    pub name: String,
    /// Published items.
    pub items: usize,
    /// Whether its folder exists (a gone channel may still hold items kept
    /// under `on_delete = keep`).
    pub present: bool,
    /// Whether any bulletin was ever found in it.
    pub used: bool,
}

/// Validators of a served document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Validators {
    /// Strong ETag of the identity bytes (the digest, unquoted hex).
    pub etag: [u8; 16],
    /// When the bytes last changed, unix seconds.
    pub modified: i64,
}

const ITEM_COLUMNS: &str = "id, slug, channel, article, published, updated";
const FEED_ORDER: &str = "ORDER BY published_ts DESC, seen_seq DESC, position, id";

impl Store {
    /// The newest `limit` published items, of one channel or (`None`) of
    /// all: by published time, then the later-seen bulletin first, then page
    /// order.
    pub fn newest(&self, channel: Option<&str>, limit: usize) -> Result<Vec<Item>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        match channel {
            Some(ch) => {
                let mut stmt = self.conn.prepare_cached(&format!(
                    "SELECT {ITEM_COLUMNS} FROM items WHERE channel = ?1 AND retracted = 0 {FEED_ORDER} LIMIT ?2"
                ))?;
                let rows = stmt.query_map(params![ch, limit], raw_item)?;
                rows.map(|r| to_item(r?)).collect()
            }
            None => {
                let mut stmt = self.conn.prepare_cached(&format!(
                    "SELECT {ITEM_COLUMNS} FROM items WHERE retracted = 0 {FEED_ORDER} LIMIT ?1"
                ))?;
                let rows = stmt.query_map(params![limit], raw_item)?;
                rows.map(|r| to_item(r?)).collect()
            }
        }
    }

    /// The item with this id and whether it is retracted.
    pub fn item(&self, id: &str) -> Result<Option<(Item, bool)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {ITEM_COLUMNS}, retracted FROM items WHERE id = ?1"
        ))?;
        let row = stmt
            .query_row([id], |r| Ok((raw_item(r)?, r.get::<_, bool>(6)?)))
            .optional()?;
        row.map(|(raw, retracted)| Ok((to_item(raw)?, retracted)))
            .transpose()
    }

    /// Ids of every published item, and slugs of every retracted one.
    pub fn item_ids(&self) -> Result<(Vec<String>, Vec<String>), StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, slug, retracted FROM items ORDER BY id")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, bool>(2)?,
            ))
        })?;
        let (mut published, mut retracted) = (Vec::new(), Vec::new());
        for row in rows {
            let (id, slug, gone) = row?;
            if gone {
                retracted.push(slug);
            } else {
                published.push(id);
            }
        }
        Ok((published, retracted))
    }

    /// Every channel the inbox has had, by name, with its published item
    /// count. `""` is always included.
    pub fn channels(&self) -> Result<Vec<ChannelInfo>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT c.name, c.state = 'active',
                    (SELECT COUNT(*) FROM items i WHERE i.channel = c.name AND i.retracted = 0),
                    c.used
             FROM channels c ORDER BY c.name",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(ChannelInfo {
                name: r.get(0)?,
                present: r.get(1)?,
                items: usize::try_from(r.get::<_, i64>(2)?).unwrap_or(0),
                used: r.get(3)?,
            })
        })?;
        let mut out: Vec<ChannelInfo> = rows.collect::<Result<_, _>>()?;
        if out.first().is_none_or(|c| !c.name.is_empty()) {
            out.insert(
                0,
                ChannelInfo {
                    name: String::new(),
                    items: 0,
                    present: true,
                    used: true,
                },
            );
        }
        Ok(out)
    }

    /// The bulletin at `path`, if the store has seen one.
    pub fn bulletin(&self, path: &str) -> Result<Option<KnownBulletin>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT path, channel, hash, state FROM bulletins WHERE path = ?1")?;
        Ok(stmt.query_row([path], known_bulletin).optional()?)
    }

    /// Every bulletin the store has seen.
    pub fn known(&self) -> Result<Vec<KnownBulletin>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT path, channel, hash, state FROM bulletins ORDER BY path")?;
        let rows = stmt.query_map([], known_bulletin)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Number of published (not retracted) items.
    pub fn published_count(&self) -> Result<u64, StoreError> {
        let n: i64 =
            self.conn
                .query_row("SELECT COUNT(*) FROM items WHERE retracted = 0", [], |r| {
                    r.get(0)
                })?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// The stored validators of the document at `path`.
    pub fn validators(&self, path: &str) -> Result<Option<Validators>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT etag, modified FROM documents WHERE path = ?1")?;
        let row: Option<(String, i64)> = stmt
            .query_row([path], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        row.map(|(etag, modified)| {
            Ok(Validators {
                etag: decode_digest(&etag)?,
                modified,
            })
        })
        .transpose()
    }

    /// Stores the validators of several documents in one transaction.
    pub fn set_validators(&mut self, documents: &[(String, Validators)]) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO documents (path, etag, modified) VALUES (?1, ?2, ?3)
                 ON CONFLICT (path) DO UPDATE SET etag = ?2, modified = ?3",
            )?;
            for (path, v) in documents {
                stmt.execute(params![path, encode_digest(&v.etag), v.modified])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// A setting the daemon keeps between runs.
    pub fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    /// Stores a setting the daemon keeps between runs.
    pub fn set_meta(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = ?2",
            [key, value],
        )?;
        Ok(())
    }
}

type RawItem = (String, String, String, String, String, String);

fn raw_item(r: &Row<'_>) -> rusqlite::Result<RawItem> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
    ))
}

fn to_item((id, slug, channel, article, published, updated): RawItem) -> Result<Item, StoreError> {
    let article: Article = serde_json::from_str(&article).map_err(|e| StoreError::Corrupt {
        what: "article",
        detail: format!("{id}: {e}"),
    })?;
    Ok(Item {
        published: parse_time(&published, "published")?,
        updated: parse_time(&updated, "updated")?,
        id,
        slug,
        channel,
        article,
    })
}

fn known_bulletin(r: &Row<'_>) -> rusqlite::Result<KnownBulletin> {
    Ok(KnownBulletin {
        path: r.get(0)?,
        channel: r.get(1)?,
        hash: r.get(2)?,
        state: r.get(3)?,
    })
}

fn encode_digest(digest: &[u8; 16]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn decode_digest(hex: &str) -> Result<[u8; 16], StoreError> {
    let corrupt = || StoreError::Corrupt {
        what: "etag",
        detail: hex.to_string(),
    };
    if hex.len() != 32 || !hex.is_ascii() {
        return Err(corrupt());
    }
    let mut out = [0u8; 16];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).map_err(|_| corrupt())?;
    }
    Ok(out)
}
