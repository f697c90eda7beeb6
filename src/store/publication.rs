//! Each channel's own settings (its `channel.toml`), kept with the channel
//! so that they survive restarts and follow a renamed folder.

use super::db::{params, Db, OptionalRow};

use super::archive::main_channel;
use super::{Changes, Store, StoreError};
use crate::model::Publication;

impl Store {
    /// Sets `channel`'s own settings, or clears them (`None`). When they
    /// differ from before, its feeds, pages and archive documents are marked
    /// due (the main channel's settings show on every page and feed); the
    /// changes name the feeds, and the publisher renders the pages and
    /// archive documents from the marks, a batch at a time.
    pub fn set_channel_settings(
        &mut self,
        channel: &str,
        settings: Option<&Publication>,
    ) -> Result<Changes, StoreError> {
        let json = settings
            .map(serde_json::to_string)
            .transpose()
            .map_err(|e| StoreError::Corrupt {
                what: "channel settings",
                detail: e.to_string(),
            })?;
        let size = self.archive_size;
        let tx = self.conn.transaction()?;
        let row: Option<(i64, Option<String>)> = tx
            .query_row(
                "SELECT id, settings FROM channels WHERE name = ?1",
                [channel],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let id = match row {
            Some((_, old)) if old == json => return Ok(Changes::default()),
            Some((id, _)) => id,
            None => tx.query_row(
                "INSERT INTO channels (name, present) VALUES (?1, 1) RETURNING id",
                [channel],
                |r| r.get(0),
            )?,
        };
        tx.execute(
            "UPDATE channels SET settings = ?2, dirty = 1 WHERE id = ?1",
            params![id, json],
        )?;
        let everywhere = id == main_channel(&tx)?;
        let mut changes = Changes {
            settings: true,
            ..Changes::default()
        };
        changes.channels.insert(channel.to_string());
        if everywhere {
            // Every channel's settings fall back on the main one's.
            tx.execute("UPDATE items SET page_dirty = 1 WHERE retracted = 0", ())?;
            tx.execute("UPDATE channels SET dirty = 1", ())?;
            for channel in all_channels(&tx)? {
                Store::mark_channel_archives_dirty(&tx, channel, size)?;
            }
            for name in all_channel_names(&tx)? {
                changes.channels.insert(name);
            }
        } else {
            tx.execute(
                "UPDATE items SET page_dirty = 1 WHERE retracted = 0 AND channel = ?1",
                [id],
            )?;
            Store::mark_channel_archives_dirty(&tx, id, size)?;
            Store::mark_channel_archives_dirty(&tx, main_channel(&tx)?, size)?;
        }
        tx.commit()?;
        Ok(changes)
    }

    /// Every channel's own settings, `""` (the main channel) first.
    pub fn channel_settings(&self) -> Result<Vec<(String, Publication)>, StoreError> {
        let rows = self.conn.query_map(
            "SELECT name, settings FROM channels WHERE settings IS NOT NULL ORDER BY name",
            (),
            |r| Ok((r.get::<String>(0)?, r.get::<String>(1)?)),
        )?;
        let mut out = Vec::new();
        for (name, json) in rows {
            let settings = serde_json::from_str(&json).map_err(|e| StoreError::Corrupt {
                what: "channel settings",
                detail: format!("{name}: {e}"),
            })?;
            out.push((name, settings));
        }
        Ok(out)
    }
}

/// Every channel's key.
fn all_channels(tx: &Db) -> Result<Vec<i64>, StoreError> {
    tx.query_map("SELECT id FROM channels ORDER BY id", (), |r| r.get(0))
}

/// Every channel's name.
fn all_channel_names(tx: &Db) -> Result<Vec<String>, StoreError> {
    tx.query_map("SELECT name FROM channels ORDER BY name", (), |r| r.get(0))
}
