//! The archive: every item's permanent place in its channel's history and
//! in the history of all channels, and which archive documents are due.
//!
//! A place (`slot` in its channel, `gslot` among all) is handed out once,
//! when the store first sees the item (or when a renamed channel folder
//! brings it into another channel), from the channel's own counter; it never
//! changes after. Archive document `k` of a channel holds the places
//! `k·size` to `(k+1)·size − 1`, so a back-dated article that arrives
//! today goes into the newest document and never shifts older ones. The
//! main channel's counter numbers the places among all channels, and its
//! archive is the archive of all channels (its own items' `slot` is their
//! `gslot`).
//!
//! A document is due when one of its items changes what readers see, and
//! once more when the next document is opened (it gains its
//! `next-archive` link); these marks are written in the change's own
//! transaction, like the feeds' and pages'.

use super::db::{params, Db};

use super::read::to_item;
use super::{ItemKey, Store, StoreError};
use crate::model::Item;

/// One archive document: the channel (`""`: all channels) and its number.
pub type ArchiveKey = (String, u64);

impl Store {
    /// Sets how many items an archive document holds; documents due are
    /// numbered with it from now on. The caller marks every document due
    /// when it changed ([`Store::mark_all_archives_dirty`]).
    pub fn set_archive_size(&mut self, size: usize) {
        self.archive_size = i64::try_from(size.max(1)).unwrap_or(i64::MAX);
    }

    /// The published items of archive document `number` of `channel` (`""`:
    /// of all channels), latest place first.
    pub fn archive(&self, channel: &str, number: u64) -> Result<Vec<Item>, StoreError> {
        let size = self.archive_size;
        let first = i64::try_from(number)
            .unwrap_or(i64::MAX)
            .saturating_mul(size);
        let end = first.saturating_add(size);
        let sql = if channel.is_empty() {
            format!(
                "SELECT {} FROM items i JOIN channels c ON c.id = i.channel
                 WHERE i.gslot >= ?2 AND i.gslot < ?3 AND i.retracted = 0 AND ?1 = ''
                 ORDER BY i.gslot DESC",
                super::read::ITEM_COLUMNS
            )
        } else {
            format!(
                "SELECT {} FROM items i JOIN channels c ON c.id = i.channel
                 WHERE i.channel = (SELECT id FROM channels WHERE name = ?1)
                   AND i.slot >= ?2 AND i.slot < ?3 AND i.retracted = 0
                 ORDER BY i.slot DESC",
                super::read::ITEM_COLUMNS
            )
        };
        self.conn
            .query_map(&sql, params![channel, first, end], to_item)
    }

    /// The number of the newest archive document of each channel (`""`: of
    /// all channels), for channels that have one.
    pub fn newest_archives(&self) -> Result<Vec<ArchiveKey>, StoreError> {
        let size = self.archive_size;
        self.conn.query_map(
            "SELECT name, (slots - 1) / ?1 FROM channels WHERE slots > 0 ORDER BY name",
            [size],
            archive_key,
        )
    }

    /// Archive documents due for rendering, at most `limit`, oldest change
    /// first within each channel.
    pub fn archive_dirty(&self, limit: usize) -> Result<Vec<ArchiveKey>, StoreError> {
        if let Some(local) = &self.local {
            return Ok(local.archives.iter().take(limit).cloned().collect());
        }
        self.conn.query_map(
            "SELECT c.name, d.number FROM archive_dirty d JOIN channels c ON c.id = d.channel
             ORDER BY d.channel, d.number LIMIT ?1",
            [i64::try_from(limit).unwrap_or(i64::MAX)],
            archive_key,
        )
    }

    /// Records that these archive documents are rendered (and, on the
    /// ingest node, logs it for the other nodes).
    pub fn clear_archive_dirty(&mut self, done: &[ArchiveKey]) -> Result<(), StoreError> {
        if let Some(local) = &mut self.local {
            for key in done {
                local.archives.remove(key);
            }
            return Ok(());
        }
        let tx = self.conn.transaction()?;
        let gen = super::follow::log(
            &tx,
            &super::Publication {
                archives: done.to_vec(),
                ..super::Publication::default()
            },
        )?;
        for (channel, number) in done {
            tx.execute(
                "DELETE FROM archive_dirty
                 WHERE channel = (SELECT id FROM channels WHERE name = ?1) AND number = ?2",
                params![channel, i64::try_from(*number).unwrap_or(i64::MAX)],
            )?;
        }
        tx.commit()?;
        self.logged = gen.unwrap_or(self.logged);
        Ok(())
    }

    /// Marks every archive document of every channel due (the archive size,
    /// the site or the renderer changed).
    pub fn mark_all_archives_dirty(&mut self) -> Result<(), StoreError> {
        if self.local.is_some() {
            let all: Vec<ArchiveKey> = self
                .newest_archives()?
                .into_iter()
                .flat_map(|(channel, newest)| (0..=newest).map(move |k| (channel.clone(), k)))
                .collect();
            if let Some(local) = &mut self.local {
                local.archives.extend(all);
            }
            return Ok(());
        }
        self.conn.execute(
            "WITH RECURSIVE docs (channel, number, last) AS (
                 SELECT id, 0, (slots - 1) / ?1 FROM channels WHERE slots > 0
                 UNION ALL SELECT channel, number + 1, last FROM docs WHERE number < last)
             INSERT INTO archive_dirty (channel, number) SELECT channel, number FROM docs WHERE true
             ON CONFLICT DO NOTHING",
            [self.archive_size],
        )?;
        Ok(())
    }

    /// Marks every archive document of `channel` due (its settings changed).
    pub(super) fn mark_channel_archives_dirty(
        tx: &Db,
        channel: i64,
        size: i64,
    ) -> Result<(), StoreError> {
        tx.execute(
            "WITH RECURSIVE docs (number, last) AS (
                 SELECT 0, (slots - 1) / ?2 FROM channels WHERE id = ?1 AND slots > 0
                 UNION ALL SELECT number + 1, last FROM docs WHERE number < last)
             INSERT INTO archive_dirty (channel, number) SELECT CAST(?1 AS BIGINT), number FROM docs
             WHERE true ON CONFLICT DO NOTHING",
            [channel, size],
        )?;
        Ok(())
    }
}

/// An archive document's key from a (name, number) row.
fn archive_key(r: &super::db::Row<'_>) -> Result<ArchiveKey, StoreError> {
    Ok((r.get(0)?, u64::try_from(r.get::<i64>(1)?).unwrap_or(0)))
}

/// The main channel's key.
pub(super) fn main_channel(tx: &Db) -> Result<i64, StoreError> {
    tx.query_row("SELECT id FROM channels WHERE name = ''", (), |r| r.get(0))
}

/// Hands out the next place of `channel`.
fn next_place(tx: &Db, channel: i64) -> Result<i64, StoreError> {
    tx.query_row(
        "UPDATE channels SET slots = slots + 1 WHERE id = ?1 RETURNING slots - 1",
        [channel],
        |r| r.get(0),
    )
}

/// Marks archive document `number` of `channel` due.
fn mark(tx: &Db, channel: i64, number: i64) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO archive_dirty (channel, number) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
        [channel, number],
    )?;
    Ok(())
}

/// Gives item `key`, new in `channel`, its places: among all (unless
/// `keep_global`: it had one) and in its channel. Opening a document marks
/// the one before it due too (it gains its `next-archive` link).
pub(super) fn place_item(
    tx: &Db,
    key: ItemKey,
    channel: i64,
    keep_global: bool,
    size: i64,
) -> Result<(), StoreError> {
    let main = main_channel(tx)?;
    let gslot = if keep_global {
        tx.query_row("SELECT gslot FROM items WHERE id = ?1", [key], |r| r.get(0))?
    } else {
        let g = next_place(tx, main)?;
        opened(tx, main, g, size)?;
        g
    };
    let slot = if channel == main {
        gslot
    } else {
        let s = next_place(tx, channel)?;
        opened(tx, channel, s, size)?;
        s
    };
    tx.execute(
        "UPDATE items SET slot = ?2, gslot = ?3 WHERE id = ?1",
        [key, slot, gslot],
    )?;
    Ok(())
}

/// A place that opens a new document marks the previous one due.
fn opened(tx: &Db, channel: i64, place: i64, size: i64) -> Result<(), StoreError> {
    if place > 0 && place % size == 0 {
        mark(tx, channel, place / size - 1)?;
    }
    Ok(())
}

/// Marks the archive documents holding item `key` due: its channel's and
/// the one of all channels.
pub(super) fn mark_item(tx: &Db, key: ItemKey, size: i64) -> Result<(), StoreError> {
    let main = main_channel(tx)?;
    let (channel, slot, gslot): (i64, i64, i64) = tx.query_row(
        "SELECT channel, slot, gslot FROM items WHERE id = ?1",
        [key],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    mark(tx, main, gslot / size)?;
    if channel != main {
        mark(tx, channel, slot / size)?;
    }
    Ok(())
}
