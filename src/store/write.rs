//! The store's write paths: ingesting a bulletin, removing and renaming
//! bulletins and channels, and recording quarantine. Each is one
//! transaction.
//!
//! An item's published date is its primary claim's own date (the claim of
//! the bulletin first seen among those holding it), else the moment the
//! item was first seen. `updated` moves exactly when what readers see of the
//! item ([`item_hash`]) changes, and never to before its publication.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use rusqlite::{params, OptionalExtension, Transaction};

use super::identity::{self, Candidate, Incoming, Lookup, Previous};
use super::{item_hash, mint_id, parse_time, resolve_date, slug_for, Changes, Store, StoreError};
use crate::model::{Article, Bulletin};

impl Store {
    /// Ingests a parsed bulletin found at `path` (relative to the inbox) in
    /// `channel`, whose bytes hash to `hash`. `now` is the ingest time: the
    /// first-seen time of new bulletins and items, and `updated` of changed
    /// items.
    pub fn ingest(
        &mut self,
        path: &str,
        channel: &str,
        hash: &str,
        bulletin: &Bulletin,
        now: DateTime<Utc>,
    ) -> Result<Changes, StoreError> {
        let tx = self.conn.transaction()?;
        let seq = next_seq(&tx)?;
        let existing: Option<String> = tx
            .query_row(
                "SELECT channel FROM bulletins WHERE path = ?1",
                [path],
                |r| r.get(0),
            )
            .optional()?;
        let mut changes = Changes::default();
        if let Some(old_channel) = existing.filter(|c| c != channel) {
            // Same path, other channel: not possible for a real file, but a
            // store must not mix channels within one item's claims.
            changes.merge(release(&tx, path, true, now, self.tz, &old_channel)?);
        }
        tx.execute(
            "INSERT INTO bulletins (path, channel, hash, first_seen, state, seq)
             VALUES (?1, ?2, ?3, ?4, 'active', ?5)
             ON CONFLICT (path) DO UPDATE SET channel = ?2, hash = ?3, state = 'active'",
            params![path, channel, hash, now.to_rfc3339(), seq],
        )?;
        activate_channel(&tx, channel)?;
        tx.execute("UPDATE channels SET used = 1 WHERE name = ?1", [channel])?;

        let articles: Vec<Article> = bulletin
            .articles
            .iter()
            .map(|a| with_bulletin_section(a, bulletin))
            .collect();
        let incoming: Vec<Incoming> = articles.iter().map(Incoming::new).collect();
        let previous = previous_claims(&tx, path)?;
        let plan = {
            let mut lookup = SqlLookup { tx: &tx, channel };
            identity::assign(&incoming, &previous, &mut lookup)?
        };

        tx.execute("DELETE FROM claims WHERE bulletin = ?1", [path])?;
        let mut touched: BTreeSet<String> = previous.iter().map(|p| p.id.clone()).collect();
        for (position, ((article, seen), matched)) in
            articles.iter().zip(&incoming).zip(plan).enumerate()
        {
            let dated = article
                .date
                .or(bulletin.date)
                .map(|d| resolve_date(d, self.tz).to_rfc3339());
            let id = match matched {
                Some(id) => {
                    let moved_from = take_item(&tx, &id, channel)?;
                    if let Some(old) = moved_from {
                        changes.channels.insert(old);
                    }
                    store_article(&tx, &id, article, seen)?;
                    id
                }
                None => {
                    let id = mint_id(&self.authority, now, channel, path, position, seq);
                    insert_item(&tx, &id, channel, article, seen, now, seq, position)?;
                    changes.added += 1;
                    changes.pages.insert(id.clone());
                    id
                }
            };
            tx.prepare_cached(
                "INSERT INTO claims (bulletin, position, item, dated) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![path, position as i64, id, dated])?;
            touched.insert(id);
        }
        let settled = settle(&tx, &touched, now, self.tz)?;
        changes.merge(settled);
        if changes.any() {
            changes.channels.insert(channel.to_string());
        }
        tx.commit()?;
        Ok(changes)
    }

    /// Records that the file at `path` left the inbox. With `retract`, its
    /// items that no other bulletin holds are retracted; without, they stay
    /// published (its claims are kept). A quarantined file left on purpose:
    /// its items stay either way.
    pub fn remove(
        &mut self,
        path: &str,
        retract: bool,
        now: DateTime<Utc>,
    ) -> Result<Changes, StoreError> {
        let tx = self.conn.transaction()?;
        let row: Option<(String, String)> = tx
            .query_row(
                "SELECT state, channel FROM bulletins WHERE path = ?1",
                [path],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let mut changes = Changes::default();
        if let Some((state, channel)) = row {
            if state == "active" {
                tx.execute(
                    "UPDATE bulletins SET state = 'deleted' WHERE path = ?1",
                    [path],
                )?;
                if retract {
                    changes = release(&tx, path, true, now, self.tz, &channel)?;
                }
            }
        }
        tx.commit()?;
        Ok(changes)
    }

    /// Records that the file at `from` was renamed to `to` within its
    /// channel: the bulletin keeps its record and its items. A bulletin
    /// already at `to` (the rename replaced it) is released first.
    pub fn rename(
        &mut self,
        from: &str,
        to: &str,
        retract: bool,
        now: DateTime<Utc>,
    ) -> Result<Changes, StoreError> {
        let tx = self.conn.transaction()?;
        let mut changes = Changes::default();
        let source: Option<String> = tx
            .query_row(
                "SELECT channel FROM bulletins WHERE path = ?1 AND state = 'active'",
                [from],
                |r| r.get(0),
            )
            .optional()?;
        if source.is_some() {
            let target: Option<String> = tx
                .query_row("SELECT channel FROM bulletins WHERE path = ?1", [to], |r| {
                    r.get(0)
                })
                .optional()?;
            if let Some(channel) = target {
                changes.merge(release(&tx, to, retract, now, self.tz, &channel)?);
                tx.execute("DELETE FROM bulletins WHERE path = ?1", [to])?;
            }
            tx.execute("UPDATE bulletins SET path = ?2 WHERE path = ?1", [from, to])?;
            tx.execute(
                "UPDATE claims SET bulletin = ?2 WHERE bulletin = ?1",
                [from, to],
            )?;
        }
        tx.commit()?;
        Ok(changes)
    }

    /// Records that the file at `path` is being moved to quarantine, with
    /// the hash of the bytes that were rejected. Done before the move, so
    /// that a crash in between leaves a file the next scan quarantines
    /// again, never one whose disappearance retracts what it published.
    pub fn mark_quarantined(
        &mut self,
        path: &str,
        channel: &str,
        hash: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        let seq = next_seq(&tx)?;
        tx.execute(
            "INSERT INTO bulletins (path, channel, hash, first_seen, state, seq)
             VALUES (?1, ?2, ?3, ?4, 'quarantined', ?5)
             ON CONFLICT (path) DO UPDATE SET hash = ?3, state = 'quarantined'",
            params![path, channel, hash, now.to_rfc3339(), seq],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Records that a channel folder exists. Returns whether it was new or
    /// came back.
    pub fn channel_present(&mut self, name: &str) -> Result<bool, StoreError> {
        let tx = self.conn.transaction()?;
        let fresh = activate_channel(&tx, name)?;
        tx.commit()?;
        Ok(fresh)
    }

    /// Records that a channel folder is gone: each of its bulletins is
    /// removed as [`Store::remove`] does, and the channel is marked gone.
    pub fn channel_gone(
        &mut self,
        name: &str,
        retract: bool,
        now: DateTime<Utc>,
    ) -> Result<Changes, StoreError> {
        let paths: Vec<String> = {
            let mut stmt = self.conn.prepare(
                "SELECT path FROM bulletins WHERE channel = ?1 AND state = 'active' ORDER BY path",
            )?;
            let rows = stmt.query_map([name], |r| r.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        let mut changes = Changes::default();
        for path in paths {
            changes.merge(self.remove(&path, retract, now)?);
        }
        let changed = self.conn.execute(
            "UPDATE channels SET state = 'gone' WHERE name = ?1 AND state = 'active'",
            [name],
        )?;
        if changed > 0 {
            changes.channels.insert(name.to_string());
        }
        Ok(changes)
    }

    /// Records that the channel folder `from` was renamed to `to`: its
    /// bulletins and items move with it and keep their ids; `from` is gone.
    /// If `to` already had bulletins, returns `false` and changes nothing
    /// (the caller treats it as a removal plus new files).
    pub fn rename_channel(&mut self, from: &str, to: &str) -> Result<Option<Changes>, StoreError> {
        let tx = self.conn.transaction()?;
        let occupied: i64 = tx.query_row(
            "SELECT COUNT(*) FROM bulletins WHERE channel = ?1",
            [to],
            |r| r.get(0),
        )?;
        if occupied > 0 {
            return Ok(None);
        }
        let moved: Vec<(String, String)> = {
            let mut stmt = tx.prepare("SELECT path FROM bulletins WHERE channel = ?1")?;
            let rows = stmt.query_map([from], |r| r.get::<_, String>(0))?;
            let mut out = Vec::new();
            for path in rows {
                let path = path?;
                let name = path.rsplit('/').next().unwrap_or(&path).to_string();
                out.push((path, format!("{to}/{name}")));
            }
            out
        };
        for (old, new) in &moved {
            tx.execute(
                "UPDATE bulletins SET path = ?2, channel = ?3 WHERE path = ?1",
                params![old, new, to],
            )?;
            tx.execute(
                "UPDATE claims SET bulletin = ?2 WHERE bulletin = ?1",
                [old, new],
            )?;
        }
        let mut changes = Changes::default();
        {
            let mut stmt =
                tx.prepare("SELECT id FROM items WHERE channel = ?1 AND retracted = 0")?;
            let rows = stmt.query_map([from], |r| r.get::<_, String>(0))?;
            for id in rows {
                changes.pages.insert(id?);
            }
        }
        tx.execute(
            "UPDATE items SET channel = ?2 WHERE channel = ?1",
            [from, to],
        )?;
        tx.execute("UPDATE channels SET state = 'gone' WHERE name = ?1", [from])?;
        activate_channel(&tx, to)?;
        tx.execute(
            "UPDATE channels SET used = (SELECT used FROM channels WHERE name = ?1) WHERE name = ?2",
            [from, to],
        )?;
        changes.channels.insert(from.to_string());
        changes.channels.insert(to.to_string());
        tx.commit()?;
        Ok(Some(changes))
    }
}

/// The next number of the ingest sequence (bulletins' and items' first-seen
/// order). Never reused.
fn next_seq(tx: &Transaction<'_>) -> Result<i64, StoreError> {
    let last: Option<String> = tx
        .query_row("SELECT value FROM meta WHERE key = 'seq'", [], |r| r.get(0))
        .optional()?;
    let next = last.and_then(|v| v.parse::<i64>().ok()).unwrap_or(0) + 1;
    tx.execute(
        "INSERT INTO meta (key, value) VALUES ('seq', ?1)
         ON CONFLICT (key) DO UPDATE SET value = ?1",
        [next.to_string()],
    )?;
    Ok(next)
}

/// Marks a channel active; returns whether it was new or gone before.
fn activate_channel(tx: &Transaction<'_>, name: &str) -> Result<bool, StoreError> {
    let state: Option<String> = tx
        .query_row("SELECT state FROM channels WHERE name = ?1", [name], |r| {
            r.get(0)
        })
        .optional()?;
    if state.as_deref() == Some("active") {
        return Ok(false);
    }
    tx.execute(
        "INSERT INTO channels (name, state) VALUES (?1, 'active')
         ON CONFLICT (name) DO UPDATE SET state = 'active'",
        [name],
    )?;
    Ok(true)
}

/// A section the bulletin gives as a whole applies to each article that has
/// none of its own.
fn with_bulletin_section(article: &Article, bulletin: &Bulletin) -> Article {
    match (&article.section, &bulletin.section) {
        (None, Some(section)) => Article {
            section: Some(section.clone()),
            ..article.clone()
        },
        _ => article.clone(),
    }
}

/// The items `path` claimed before, with what they said.
fn previous_claims(tx: &Transaction<'_>, path: &str) -> Result<Vec<Previous>, StoreError> {
    let mut stmt = tx.prepare_cached(
        "SELECT c.position, i.id, i.article FROM claims c JOIN items i ON i.id = c.item
         WHERE c.bulletin = ?1 ORDER BY c.position",
    )?;
    let rows = stmt.query_map([path], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (position, id, json) = row?;
        let article = decode_article(&id, &json)?;
        out.push(Previous {
            id,
            position: usize::try_from(position).unwrap_or(0),
            seen: Incoming::new(&article),
        });
    }
    Ok(out)
}

fn decode_article(id: &str, json: &str) -> Result<Article, StoreError> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt {
        what: "article",
        detail: format!("{id}: {e}"),
    })
}

/// Candidates for [`identity::assign`], from the items table.
struct SqlLookup<'a, 'c> {
    tx: &'a Transaction<'c>,
    channel: &'a str,
}

impl Lookup for SqlLookup<'_, '_> {
    type Error = StoreError;

    fn by_source_key(&mut self, key: &str) -> Result<Vec<Candidate>, StoreError> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT id, retracted FROM items WHERE channel = ?1 AND source_key = ?2",
        )?;
        let rows = stmt.query_map(params![self.channel, key], |r| {
            Ok(Candidate {
                id: r.get(0)?,
                same_channel: true,
                published: !r.get::<_, bool>(1)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn by_fingerprint(&mut self, fingerprint: &str) -> Result<Vec<Candidate>, StoreError> {
        let mut stmt = self
            .tx
            .prepare_cached("SELECT id, channel, retracted FROM items WHERE fingerprint = ?1")?;
        let channel = self.channel;
        let rows = stmt.query_map([fingerprint], |r| {
            Ok(Candidate {
                id: r.get(0)?,
                same_channel: r.get::<_, String>(1)? == channel,
                published: !r.get::<_, bool>(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// Brings item `id` into `channel`; returns its old channel if it came from
/// another one (a retracted item revived by a renamed channel folder).
fn take_item(tx: &Transaction<'_>, id: &str, channel: &str) -> Result<Option<String>, StoreError> {
    let old: String = tx
        .prepare_cached("SELECT channel FROM items WHERE id = ?1")?
        .query_row([id], |r| r.get(0))?;
    if old == channel {
        return Ok(None);
    }
    tx.prepare_cached("UPDATE items SET channel = ?2 WHERE id = ?1")?
        .execute([id, channel])?;
    // Claims of deleted bulletins kept under `on_delete = keep` stay with
    // the old channel's files; the item now lives here.
    tx.prepare_cached(
        "DELETE FROM claims WHERE item = ?1 AND bulletin IN
         (SELECT path FROM bulletins WHERE channel = ?2)",
    )?
    .execute([id, old.as_str()])?;
    Ok(Some(old))
}

/// Stores the latest text of a matched item (dates are settled later).
fn store_article(
    tx: &Transaction<'_>,
    id: &str,
    article: &Article,
    seen: &Incoming,
) -> Result<(), StoreError> {
    tx.prepare_cached(
        "UPDATE items SET article = ?2, fingerprint = ?3, source_key = ?4 WHERE id = ?1",
    )?
    .execute(params![
        id,
        encode_article(article)?,
        seen.fingerprint,
        seen.source_key
    ])?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn insert_item(
    tx: &Transaction<'_>,
    id: &str,
    channel: &str,
    article: &Article,
    seen: &Incoming,
    now: DateTime<Utc>,
    seq: i64,
    position: usize,
) -> Result<(), StoreError> {
    // Dates and hash are set by `settle`, which sees the claim.
    tx.prepare_cached(
        "INSERT INTO items (id, slug, channel, source_key, fingerprint, first_seen, seen_seq,
                            position, published, published_ts, updated, hash, article, retracted)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, '', 0, '', '', ?9, 0)",
    )?
    .execute(params![
        id,
        slug_for(id),
        channel,
        seen.source_key,
        seen.fingerprint,
        now.to_rfc3339(),
        seq,
        position as i64,
        encode_article(article)?
    ])?;
    Ok(())
}

fn encode_article(article: &Article) -> Result<String, StoreError> {
    serde_json::to_string(article).map_err(|e| StoreError::Corrupt {
        what: "article",
        detail: e.to_string(),
    })
}

/// Withdraws the claims of `path`; with `retract`, items left without any
/// claim are retracted. Returns what changed.
fn release(
    tx: &Transaction<'_>,
    path: &str,
    retract: bool,
    now: DateTime<Utc>,
    tz: Tz,
    channel: &str,
) -> Result<Changes, StoreError> {
    if !retract {
        return Ok(Changes::default());
    }
    let held: BTreeSet<String> = {
        let mut stmt = tx.prepare_cached("SELECT item FROM claims WHERE bulletin = ?1")?;
        let rows = stmt.query_map([path], |r| r.get(0))?;
        rows.collect::<Result<_, _>>()?
    };
    tx.execute("DELETE FROM claims WHERE bulletin = ?1", [path])?;
    let mut changes = settle(tx, &held, now, tz)?;
    if changes.any() {
        changes.channels.insert(channel.to_string());
    }
    Ok(changes)
}

/// After claims changed, brings each of `ids` in line with its claims.
fn settle(
    tx: &Transaction<'_>,
    ids: &BTreeSet<String>,
    now: DateTime<Utc>,
    tz: Tz,
) -> Result<Changes, StoreError> {
    let mut changes = Changes::default();
    for id in ids {
        settle_one(tx, id, now, tz, &mut changes)?;
    }
    Ok(changes)
}

/// An item's row as `settle_one` needs it.
struct Settled {
    channel: String,
    first_seen: String,
    published: String,
    updated: String,
    hash: String,
    retracted: bool,
    position: i64,
    article: String,
}

/// Retracts item `id` when no claim is left; else takes published date and
/// place from its primary claim and moves `updated` when what readers see
/// changed.
fn settle_one(
    tx: &Transaction<'_>,
    id: &str,
    now: DateTime<Utc>,
    tz: Tz,
    changes: &mut Changes,
) -> Result<(), StoreError> {
    let old: Settled = tx
        .prepare_cached(
            "SELECT channel, first_seen, published, updated, hash, retracted, position, article
             FROM items WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok(Settled {
                channel: r.get(0)?,
                first_seen: r.get(1)?,
                published: r.get(2)?,
                updated: r.get(3)?,
                hash: r.get(4)?,
                retracted: r.get(5)?,
                position: r.get(6)?,
                article: r.get(7)?,
            })
        })?;
    let primary: Option<(Option<String>, i64)> = tx
        .prepare_cached(
            "SELECT c.dated, c.position FROM claims c JOIN bulletins b ON b.path = c.bulletin
             WHERE c.item = ?1 ORDER BY b.seq, c.position LIMIT 1",
        )?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((dated, position)) = primary else {
        if !old.retracted {
            tx.prepare_cached("UPDATE items SET retracted = 1 WHERE id = ?1")?
                .execute([id])?;
            changes.retracted += 1;
            changes.pages.insert(id.to_string());
            changes.channels.insert(old.channel);
        }
        return Ok(());
    };
    let published = match dated {
        Some(d) => parse_time(&d, "claim date")?,
        None => parse_time(&old.first_seen, "first_seen")?
            .with_timezone(&tz)
            .fixed_offset(),
    };
    let published_text = published.to_rfc3339();
    let hash = item_hash(&decode_article(id, &old.article)?, &published_text);
    let is_new = old.hash.is_empty();
    let changed = hash != old.hash || old.retracted;
    let updated = if is_new {
        // Until it is edited, an item was last updated when it was published.
        published_text.clone()
    } else if changed {
        changes.updated += 1;
        // An edit is dated now, but never before publication.
        now.with_timezone(published.offset())
            .max(published)
            .to_rfc3339()
    } else {
        old.updated
    };
    if changed {
        changes.pages.insert(id.to_string());
    }
    if changed || position != old.position || published_text != old.published {
        changes.channels.insert(old.channel);
    }
    tx.prepare_cached(
        "UPDATE items SET published = ?2, published_ts = ?3, updated = ?4, hash = ?5,
                          position = ?6, retracted = 0 WHERE id = ?1",
    )?
    .execute(params![
        id,
        published_text,
        published.timestamp(),
        updated,
        hash,
        position
    ])?;
    Ok(())
}
