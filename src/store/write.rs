//! The store's write paths: ingesting a bulletin, removing and renaming
//! bulletins and channels, and recording quarantine. Each is one
//! transaction.
//!
//! An item's published date is its primary claim's own date (the claim of
//! the bulletin first seen among those holding it), else the moment the
//! item was first seen. `updated` moves exactly when what readers see of the
//! item ([`item_hash`]) changes, and never to before its publication.

use std::collections::BTreeSet;

use super::db::{params, Db, OptionalRow};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::archive::{mark_item, place_item};
use super::codec::{decode_article, digest_of_hex, join_time, split_time};
use super::identity::{self, Candidate, Incoming, Lookup, Previous};
use super::staged::Staged;
use super::{item_hash, mint_id, resolve_date, Changes, ItemKey, Store, StoreError};
use crate::model::{Article, Bulletin, Dated};

/// `bulletins.state` values.
pub(super) const ACTIVE: i64 = 0;
pub(super) const DELETED: i64 = 1;
pub(super) const QUARANTINED: i64 = 2;

impl Store {
    /// Ingests a parsed bulletin found at `path` (relative to the inbox) in
    /// `channel`, whose bytes hash to `hash` (hex SHA-256). `now` is the
    /// ingest time: the first-seen time of new bulletins and items, and
    /// `updated` of changed items.
    pub fn ingest(
        &mut self,
        path: &str,
        channel: &str,
        hash: &str,
        bulletin: &Bulletin,
        now: DateTime<Utc>,
    ) -> Result<Changes, StoreError> {
        let staged = Staged::new(bulletin)?;
        self.ingest_staged(path, channel, hash, bulletin, staged, now)
    }

    /// [`Store::ingest`] with the articles of `bulletin` already staged.
    pub fn ingest_staged(
        &mut self,
        path: &str,
        channel: &str,
        hash: &str,
        bulletin: &Bulletin,
        staged: Staged,
        now: DateTime<Utc>,
    ) -> Result<Changes, StoreError> {
        let (tz, size) = (self.tz, self.archive_size);
        let tx = self.conn.transaction()?;
        let seq = next_seq(&tx)?;
        let channel_id = activate_channel(&tx, channel)?.0;
        tx.execute("UPDATE channels SET used = 1 WHERE id = ?1", [channel_id])?;
        let mut changes = Changes::default();
        let existing: Option<(i64, i64)> = tx
            .query_row(
                "SELECT id, channel FROM bulletins WHERE path = ?1",
                [path],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let bulletin_id = match existing {
            Some((id, old_channel)) => {
                if old_channel != channel_id {
                    // Same path, other channel: not possible for a real file,
                    // but an item's claims must not mix channels.
                    changes.merge(release(&tx, id, true, now, tz)?);
                }
                tx.execute(
                    "UPDATE bulletins SET channel = ?2, hash = ?3, state = ?4 WHERE id = ?1",
                    params![id, channel_id, digest_of_hex(hash).to_vec(), ACTIVE],
                )?;
                id
            }
            None => tx.query_row(
                "INSERT INTO bulletins (path, channel, hash, first_seen, state, seq)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
                params![
                    path,
                    channel_id,
                    digest_of_hex(hash).to_vec(),
                    now.timestamp(),
                    ACTIVE,
                    seq
                ],
                |r| r.get(0),
            )?,
        };

        let Staged {
            articles,
            incoming,
            encoded,
        } = staged;
        let previous = previous_claims(&tx, bulletin_id)?;
        let plan = {
            let mut lookup = SqlLookup {
                tx: &tx,
                channel: channel_id,
            };
            identity::assign(&incoming, &previous, &mut lookup)?
        };

        tx.execute("DELETE FROM claims WHERE bulletin = ?1", [bulletin_id])?;
        let mut touched: BTreeSet<ItemKey> = previous.iter().map(|p| p.id).collect();
        let rows = articles.iter().zip(&incoming).zip(&encoded);
        for (position, (((article, seen), encoded), matched)) in rows.zip(plan).enumerate() {
            let source_date = article.date.or(bulletin.date);
            let day = matches!(source_date, Some(Dated::Day(_)));
            let dated = source_date.map(|d| resolve_date(d, tz));
            let key = match matched {
                Some(key) => {
                    if let Some(old) = take_item(&tx, key, channel_id, size)? {
                        changes.channels.insert(channel_name(&tx, old)?);
                    }
                    store_article(&tx, key, encoded, seen)?;
                    touched.insert(key);
                    key
                }
                None => {
                    let published = dated.unwrap_or_else(|| now.with_timezone(&tz).fixed_offset());
                    let tag = mint_id(&self.authority, now, channel, path, position, seq);
                    let key = insert_item(
                        &tx,
                        &tag,
                        channel_id,
                        (article, encoded, seen),
                        (published, dated.is_some() && day),
                        now,
                        seq,
                        position,
                    )?;
                    place_item(&tx, key, channel_id, false, size)?;
                    changes.added += 1;
                    changes.pages.insert(key);
                    key
                }
            };
            let (d, d_off) = dated.map(split_time).unzip();
            tx.execute(
                "INSERT INTO claims (bulletin, position, item, dated, dated_offset, day)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![bulletin_id, position as i64, key, d, d_off, day],
            )?;
        }
        changes.merge(settle(&tx, &touched, now, tz)?);
        if changes.any() {
            changes.channels.insert(channel.to_string());
        }
        mark_dirty(&tx, &changes, size)?;
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
        let (tz, size) = (self.tz, self.archive_size);
        let tx = self.conn.transaction()?;
        let row: Option<(i64, i64)> = tx
            .query_row(
                "SELECT id, state FROM bulletins WHERE path = ?1",
                [path],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let mut changes = Changes::default();
        if let Some((id, ACTIVE)) = row {
            tx.execute(
                "UPDATE bulletins SET state = ?2 WHERE id = ?1",
                [id, DELETED],
            )?;
            if retract {
                changes = release(&tx, id, true, now, tz)?;
            }
        }
        mark_dirty(&tx, &changes, size)?;
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
        let (tz, size) = (self.tz, self.archive_size);
        let tx = self.conn.transaction()?;
        let mut changes = Changes::default();
        let source: Option<i64> = tx
            .query_row(
                "SELECT id FROM bulletins WHERE path = ?1 AND state = ?2",
                params![from, ACTIVE],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(source) = source {
            let target: Option<i64> = tx
                .query_row("SELECT id FROM bulletins WHERE path = ?1", [to], |r| {
                    r.get(0)
                })
                .optional()?;
            if let Some(target) = target {
                changes.merge(release(&tx, target, retract, now, tz)?);
                tx.execute("DELETE FROM claims WHERE bulletin = ?1", [target])?;
                tx.execute("DELETE FROM bulletins WHERE id = ?1", [target])?;
            }
            tx.execute(
                "UPDATE bulletins SET path = ?2 WHERE id = ?1",
                params![source, to],
            )?;
        }
        mark_dirty(&tx, &changes, size)?;
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
        let channel_id = activate_channel(&tx, channel)?.0;
        tx.execute(
            "INSERT INTO bulletins (path, channel, hash, first_seen, state, seq)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (path) DO UPDATE SET hash = ?3, state = ?5",
            params![
                path,
                channel_id,
                digest_of_hex(hash).to_vec(),
                now.timestamp(),
                QUARANTINED,
                seq
            ],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Forgets that the file at `path` was quarantined (a settings file that
    /// now reads well); a bulletin record with claims is kept.
    pub fn forget_quarantined(&mut self, path: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "DELETE FROM bulletins WHERE path = ?1 AND state = ?2
               AND NOT EXISTS (SELECT 1 FROM claims WHERE bulletin = bulletins.id)",
            params![path, QUARANTINED],
        )?;
        Ok(())
    }

    /// Records that a channel folder exists. Returns whether it was new or
    /// came back.
    pub fn channel_present(&mut self, name: &str) -> Result<bool, StoreError> {
        let tx = self.conn.transaction()?;
        let fresh = activate_channel(&tx, name)?.1;
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
        let paths: Vec<String> = self.conn.query_map(
            "SELECT b.path FROM bulletins b JOIN channels c ON c.id = b.channel
             WHERE c.name = ?1 AND b.state = ?2 ORDER BY b.path",
            params![name, ACTIVE],
            |r| r.get(0),
        )?;
        let mut changes = Changes::default();
        for path in paths {
            changes.merge(self.remove(&path, retract, now)?);
        }
        let changed = self.conn.execute(
            "UPDATE channels SET present = 0, dirty = 1 WHERE name = ?1 AND present = 1 AND name != ''",
            [name],
        )?;
        if changed > 0 {
            changes.channels.insert(name.to_string());
        }
        Ok(changes)
    }

    /// Records that the channel folder `from` was renamed to `to`: its
    /// bulletins and items move with it and keep their ids; `from` is gone.
    /// If `to` already had bulletins, returns `None` and changes nothing
    /// (the caller treats it as a removal plus new files).
    pub fn rename_channel(&mut self, from: &str, to: &str) -> Result<Option<Changes>, StoreError> {
        let size = self.archive_size;
        let tx = self.conn.transaction()?;
        let (old, _) = activate_channel(&tx, from)?;
        let (new, _) = activate_channel(&tx, to)?;
        let occupied: i64 = tx.query_row(
            "SELECT COUNT(*) FROM bulletins WHERE channel = ?1",
            [new],
            |r| r.get(0),
        )?;
        if occupied > 0 {
            return Ok(None);
        }
        let moved: Vec<(i64, String)> = tx.query_map(
            "SELECT id, path FROM bulletins WHERE channel = ?1 ORDER BY id",
            [old],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        for (id, path) in &moved {
            let name = path.rsplit('/').next().unwrap_or(path);
            tx.execute(
                "UPDATE bulletins SET path = ?2, channel = ?3 WHERE id = ?1",
                params![id, format!("{to}/{name}"), new],
            )?;
        }
        let mut changes = Changes::default();
        changes.pages.extend(tx.query_map(
            "SELECT id FROM items WHERE channel = ?1 AND retracted = 0",
            [old],
            |r| r.get::<i64>(0),
        )?);
        // Every item, retracted ones too, takes a place in the new channel,
        // in the order of its old one; the settings come along.
        let items: Vec<ItemKey> = tx.query_map(
            "SELECT id FROM items WHERE channel = ?1 ORDER BY slot",
            [old],
            |r| r.get(0),
        )?;
        tx.execute(
            "UPDATE items SET channel = ?2 WHERE channel = ?1",
            [old, new],
        )?;
        for key in items {
            place_item(&tx, key, new, true, size)?;
        }
        tx.execute(
            "UPDATE channels SET used = (SELECT used FROM channels WHERE id = ?1),
                                 settings = (SELECT settings FROM channels WHERE id = ?1) WHERE id = ?2",
            [old, new],
        )?;
        tx.execute("UPDATE channels SET present = 0 WHERE id = ?1", [old])?;
        changes.channels.insert(from.to_string());
        changes.channels.insert(to.to_string());
        mark_dirty(&tx, &changes, size)?;
        tx.commit()?;
        Ok(Some(changes))
    }
}

/// Records what `changes` touched as due for rendering, in the same
/// transaction: a crash before the publisher is done leaves it due, and the
/// next start renders it.
fn mark_dirty(tx: &Db, changes: &Changes, size: i64) -> Result<(), StoreError> {
    if changes.channels.is_empty() && changes.pages.is_empty() {
        return Ok(());
    }
    for name in &changes.channels {
        tx.execute(
            "UPDATE channels SET dirty = 1 WHERE name = ?1 OR name = ''",
            [name],
        )?;
    }
    for key in &changes.pages {
        tx.execute("UPDATE items SET page_dirty = 1 WHERE id = ?1", [key])?;
        mark_item(tx, *key, size)?;
    }
    Ok(())
}

/// The next number of the ingest sequence (bulletins' and items' first-seen
/// order). Never reused.
fn next_seq(tx: &Db) -> Result<i64, StoreError> {
    let last: Option<String> = tx
        .query_row("SELECT value FROM meta WHERE key = 'seq'", (), |r| r.get(0))
        .optional()?;
    let next = last.and_then(|v| v.parse::<i64>().ok()).unwrap_or(0) + 1;
    tx.execute(
        "INSERT INTO meta (key, value) VALUES ('seq', ?1) ON CONFLICT (key) DO UPDATE SET value = ?1",
        [next.to_string()],
    )?;
    Ok(next)
}

/// The channel's key, creating or reviving it; and whether it was new or
/// gone before.
fn activate_channel(tx: &Db, name: &str) -> Result<(i64, bool), StoreError> {
    let row: Option<(i64, bool)> = tx
        .query_row(
            "SELECT id, present FROM channels WHERE name = ?1",
            [name],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    match row {
        Some((id, true)) => Ok((id, false)),
        Some((id, false)) => {
            tx.execute("UPDATE channels SET present = 1 WHERE id = ?1", [id])?;
            Ok((id, true))
        }
        None => {
            let id = tx.query_row(
                "INSERT INTO channels (name, present) VALUES (?1, 1) RETURNING id",
                [name],
                |r| r.get(0),
            )?;
            Ok((id, true))
        }
    }
}

fn channel_name(tx: &Db, id: i64) -> Result<String, StoreError> {
    tx.query_row("SELECT name FROM channels WHERE id = ?1", [id], |r| {
        r.get(0)
    })
}

/// A section the bulletin gives as a whole applies to each article that has
/// none of its own.
/// The items bulletin `id` claimed before, with what they said.
fn previous_claims(tx: &Db, bulletin: i64) -> Result<Vec<Previous>, StoreError> {
    let rows = tx.query_map(
        "SELECT c.position, i.id, i.article FROM claims c JOIN items i ON i.id = c.item
         WHERE c.bulletin = ?1 ORDER BY c.position",
        [bulletin],
        |r| Ok((r.get::<i64>(0)?, r.get::<i64>(1)?, r.get::<Vec<u8>>(2)?)),
    )?;
    let mut out = Vec::new();
    for (position, id, stored) in rows {
        let article = decode_article(&stored, &id.to_string())?;
        out.push(Previous {
            id,
            position: usize::try_from(position).unwrap_or(0),
            seen: Incoming::new(&article),
        });
    }
    Ok(out)
}

/// Candidates for [`identity::assign`], from the items table.
struct SqlLookup<'a> {
    tx: &'a Db,
    channel: i64,
}

impl Lookup for SqlLookup<'_> {
    type Error = StoreError;

    fn by_source_key(&mut self, key: &str) -> Result<Vec<Candidate>, StoreError> {
        self.tx.query_map(
            "SELECT id, retracted FROM items WHERE channel = ?1 AND source_key = ?2 ORDER BY id",
            params![self.channel, key],
            |r| {
                Ok(Candidate {
                    id: r.get(0)?,
                    same_channel: true,
                    published: !r.get::<bool>(1)?,
                })
            },
        )
    }

    fn by_fingerprint(&mut self, fingerprint: &[u8; 16]) -> Result<Vec<Candidate>, StoreError> {
        let channel = self.channel;
        self.tx.query_map(
            "SELECT id, channel, retracted FROM items WHERE fingerprint = ?1 ORDER BY id",
            [&fingerprint[..]],
            |r| {
                Ok(Candidate {
                    id: r.get(0)?,
                    same_channel: r.get::<i64>(1)? == channel,
                    published: !r.get::<bool>(2)?,
                })
            },
        )
    }
}

/// Brings item `key` into `channel`; returns its old channel if it came from
/// another one (a retracted item revived by a renamed channel folder).
fn take_item(tx: &Db, key: ItemKey, channel: i64, size: i64) -> Result<Option<i64>, StoreError> {
    let old: i64 = tx.query_row("SELECT channel FROM items WHERE id = ?1", [key], |r| {
        r.get(0)
    })?;
    if old == channel {
        return Ok(None);
    }
    // It leaves its old channel's archive document for a new place in this
    // channel's.
    mark_item(tx, key, size)?;
    tx.execute(
        "UPDATE items SET channel = ?2 WHERE id = ?1",
        [key, channel],
    )?;
    place_item(tx, key, channel, true, size)?;
    // Claims of deleted bulletins kept under `on_delete = keep` stay with
    // the old channel's files; the item now lives here.
    tx.execute("DELETE FROM claims WHERE item = ?1 AND bulletin IN (SELECT id FROM bulletins WHERE channel = ?2)", [key, old])?;
    Ok(Some(old))
}

/// Stores the latest text of a matched item (dates are settled later).
fn store_article(tx: &Db, key: ItemKey, encoded: &[u8], seen: &Incoming) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE items SET article = ?2, fingerprint = ?3, source_key = ?4 WHERE id = ?1",
        params![key, encoded, &seen.fingerprint[..], seen.source_key],
    )?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn insert_item(
    tx: &Db,
    tag: &str,
    channel: i64,
    (article, encoded, seen): (&Article, &[u8], &Incoming),
    (published, day): (chrono::DateTime<chrono::FixedOffset>, bool),
    now: DateTime<Utc>,
    seq: i64,
    position: usize,
) -> Result<ItemKey, StoreError> {
    let (p, p_off) = split_time(published);
    tx.query_row("INSERT INTO items (tag, channel, source_key, fingerprint, first_seen, seen_seq, position,
                            published, published_offset, updated, updated_offset, hash, article, day)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?8, ?9, ?10, ?11, ?12) RETURNING id", params![
        tag,
        channel,
        seen.source_key,
        &seen.fingerprint[..],
        now.timestamp(),
        seq,
        position as i64,
        p,
        p_off,
        &item_hash(article, published)[..],
        encoded,
        day
    ], |r| r.get(0))
}

/// Withdraws the claims of bulletin `id`; with `retract`, items left without
/// any claim are retracted. Returns what changed.
fn release(
    tx: &Db,
    id: i64,
    retract: bool,
    now: DateTime<Utc>,
    tz: Tz,
) -> Result<Changes, StoreError> {
    if !retract {
        return Ok(Changes::default());
    }
    let held: BTreeSet<ItemKey> = tx
        .query_map("SELECT item FROM claims WHERE bulletin = ?1", [id], |r| {
            r.get(0)
        })?
        .into_iter()
        .collect();
    tx.execute("DELETE FROM claims WHERE bulletin = ?1", [id])?;
    settle(tx, &held, now, tz)
}

/// After claims changed, brings each of `keys` in line with its claims.
fn settle(
    tx: &Db,
    keys: &BTreeSet<ItemKey>,
    now: DateTime<Utc>,
    tz: Tz,
) -> Result<Changes, StoreError> {
    let mut changes = Changes::default();
    for &key in keys {
        settle_one(tx, key, now, tz, &mut changes)?;
    }
    Ok(changes)
}

/// An item's row as `settle_one` needs it.
struct Settled {
    channel: i64,
    first_seen: i64,
    published: (i64, i32),
    updated: (i64, i32),
    hash: Vec<u8>,
    retracted: bool,
    position: i64,
    article: Vec<u8>,
}

/// Retracts item `key` when no claim is left; else takes published date
/// and place from its primary claim and moves `updated` when what readers
/// see changed.
fn settle_one(
    tx: &Db,
    key: ItemKey,
    now: DateTime<Utc>,
    tz: Tz,
    changes: &mut Changes,
) -> Result<(), StoreError> {
    let old: Settled = tx.query_row(
        "SELECT channel, first_seen, published, published_offset, updated, updated_offset, hash,
                    retracted, position, article FROM items WHERE id = ?1",
        [key],
        |r| {
            Ok(Settled {
                channel: r.get(0)?,
                first_seen: r.get(1)?,
                published: (r.get(2)?, r.get(3)?),
                updated: (r.get(4)?, r.get(5)?),
                hash: r.get(6)?,
                retracted: r.get(7)?,
                position: r.get(8)?,
                article: r.get(9)?,
            })
        },
    )?;
    let primary: Option<(Option<i64>, Option<i32>, i64, bool)> = tx
        .query_row("SELECT c.dated, c.dated_offset, c.position, c.day FROM claims c JOIN bulletins b ON b.id = c.bulletin
             WHERE c.item = ?1 ORDER BY b.seq, c.position LIMIT 1", [key], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .optional()?;
    let channel = channel_name(tx, old.channel)?;
    let Some((dated, dated_offset, position, day)) = primary else {
        if !old.retracted {
            tx.execute("UPDATE items SET retracted = 1 WHERE id = ?1", [key])?;
            changes.retracted += 1;
            changes.pages.insert(key);
            changes.channels.insert(channel);
        }
        return Ok(());
    };
    let (published, day) = match (dated, dated_offset) {
        (Some(d), Some(off)) => (join_time(d, off, "claim date")?, day),
        _ => (
            join_time(old.first_seen, 0, "first seen")?
                .with_timezone(&tz)
                .fixed_offset(),
            false,
        ),
    };
    let hash = item_hash(&decode_article(&old.article, &key.to_string())?, published);
    let changed = hash[..] != old.hash[..] || old.retracted;
    let updated = if changed {
        changes.updated += 1;
        changes.pages.insert(key);
        // An edit is dated now, but never before publication.
        split_time(now.with_timezone(published.offset()).max(published))
    } else {
        old.updated
    };
    let published_parts = split_time(published);
    if changed || position != old.position || published_parts != old.published {
        changes.channels.insert(channel);
    }
    tx.execute(
        "UPDATE items SET published = ?2, published_offset = ?3, updated = ?4, updated_offset = ?5,
                          hash = ?6, position = ?7, retracted = 0, day = ?8 WHERE id = ?1",
        params![
            key,
            published_parts.0,
            published_parts.1,
            updated.0,
            updated.1,
            &hash[..],
            position,
            day
        ],
    )?;
    Ok(())
}
