//! The store's read paths: the newest items of a feed, items by key, the
//! channels, known bulletins, and the validators and settings kept for the
//! publisher.

use super::db::{params, OptionalRow, Row};

use super::codec::{decode_article, digest_of_blob, digest_of_hex, join_time, Digest16};
use super::write::{ACTIVE, DELETED};
use super::{slug_for, ItemKey, Store, StoreError};
use crate::model::Item;

/// State of a bulletin file as the store knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownBulletin {
    /// Path relative to the inbox.
    pub path: String,
    /// Channel it belongs to.
    pub channel: String,
    /// Digest of the bytes last ingested or rejected.
    pub hash: Digest16,
    /// `active`, `deleted` or `quarantined`.
    pub state: &'static str,
}

impl KnownBulletin {
    /// Whether its bytes hash to `hex` (a SHA-256 in hex).
    pub fn has_hash(&self, hex: &str) -> bool {
        self.hash == digest_of_hex(hex)
    }
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
    /// Digest of the identity bytes, which the ETag is made of.
    pub etag: Digest16,
    /// When the bytes last changed, unix seconds.
    pub modified: i64,
}

/// What is kept of a document served from memory: its validators and the
/// ETags of its compressed copies, as the publisher writes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// Identity ETag digest and modification time.
    pub validators: Validators,
    /// The compressed copies, in the publisher's own notation.
    pub copies: String,
}

/// The columns [`to_item`] reads, in its order.
pub(super) const ITEM_COLUMNS: &str =
    "i.tag, c.name, i.article, i.published, i.published_offset, i.updated, i.updated_offset, i.day";
const FEED_ORDER: &str = "ORDER BY i.published DESC, i.seen_seq DESC, i.position";

/// The query behind [`Store::newest`], for one channel or for all.
pub(super) fn newest_sql(one_channel: bool) -> String {
    if one_channel {
        format!(
            "SELECT {ITEM_COLUMNS} FROM items i JOIN channels c ON c.id = i.channel
             WHERE i.channel = (SELECT id FROM channels WHERE name = ?1) AND i.retracted = 0
             {FEED_ORDER} LIMIT ?2"
        )
    } else {
        format!(
            "SELECT {ITEM_COLUMNS} FROM items i JOIN channels c ON c.id = i.channel
             WHERE i.retracted = 0 {FEED_ORDER} LIMIT ?1"
        )
    }
}

impl Store {
    /// The newest `limit` published items, of one channel or (`None`) of
    /// all: by published time, then the later-seen bulletin first, then page
    /// order.
    pub fn newest(&self, channel: Option<&str>, limit: usize) -> Result<Vec<Item>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        match channel {
            Some(ch) => self
                .conn
                .query_map(&newest_sql(true), params![ch, limit], to_item),
            None => self.conn.query_map(&newest_sql(false), [limit], to_item),
        }
    }

    /// The item with this key and whether it is retracted.
    pub fn item(&self, key: ItemKey) -> Result<Option<(Item, bool)>, StoreError> {
        self.conn
            .query_row(
                &format!(
                    "SELECT {ITEM_COLUMNS}, i.retracted FROM items i JOIN channels c ON c.id = i.channel
                     WHERE i.id = ?1"
                ),
                [key],
                |r| Ok((to_item(r)?, r.get::<bool>(8)?)),
            )
            .optional()
    }

    /// The key of the item with public id `tag`.
    pub fn item_key(&self, tag: &str) -> Result<Option<ItemKey>, StoreError> {
        self.conn
            .query_row("SELECT id FROM items WHERE tag = ?1", [tag], |r| r.get(0))
            .optional()
    }

    /// Keys of every published item, and slugs of every retracted one.
    pub fn item_keys(&self) -> Result<(Vec<ItemKey>, Vec<String>), StoreError> {
        let rows = self.conn.query_map(
            "SELECT id, tag, retracted FROM items ORDER BY id",
            (),
            |r| Ok((r.get::<i64>(0)?, r.get::<String>(1)?, r.get::<bool>(2)?)),
        )?;
        let (mut published, mut retracted) = (Vec::new(), Vec::new());
        for (key, tag, gone) in rows {
            if gone {
                retracted.push(slug_for(&tag));
            } else {
                published.push(key);
            }
        }
        Ok((published, retracted))
    }

    /// Every channel the inbox has had, by name, with its published item
    /// count; `""` comes first.
    pub fn channels(&self) -> Result<Vec<ChannelInfo>, StoreError> {
        self.conn.query_map(
            // One pass over the published items' index, grouped: a count
            // per channel in a subquery made SQLite count through the
            // (channel, slot) index and read every item row. Still 9-61 ms
            // at 100,000 items, so a publish recounts only the channels it
            // touched (`channel_items`).
            "SELECT c.name, c.present, c.used, COALESCE(n.items, 0)
             FROM channels c
             LEFT JOIN (SELECT channel, COUNT(*) AS items FROM items
                        WHERE retracted = 0 GROUP BY channel) n ON n.channel = c.id
             ORDER BY c.name",
            (),
            |r| {
                Ok(ChannelInfo {
                    name: r.get(0)?,
                    present: r.get(1)?,
                    used: r.get(2)?,
                    items: usize::try_from(r.get::<i64>(3)?).unwrap_or(0),
                })
            },
        )
    }

    /// Slugs of every retracted item (through their own index).
    pub fn retracted_slugs(&self) -> Result<Vec<String>, StoreError> {
        let tags = self
            .conn
            .query_map("SELECT tag FROM items WHERE retracted = 1", (), |r| {
                r.get::<String>(0)
            })?;
        Ok(tags.iter().map(|tag| slug_for(tag)).collect())
    }

    /// Every channel as [`Store::channels`] lists them, with no counts
    /// (`items` is 0): a read of the channels table alone.
    pub fn channel_rows(&self) -> Result<Vec<ChannelInfo>, StoreError> {
        self.conn.query_map(
            "SELECT name, present, used FROM channels ORDER BY name",
            (),
            |r| {
                Ok(ChannelInfo {
                    name: r.get(0)?,
                    present: r.get(1)?,
                    used: r.get(2)?,
                    items: 0,
                })
            },
        )
    }

    /// The published item count of one channel, through its index.
    pub fn channel_items(&self, name: &str) -> Result<usize, StoreError> {
        let n: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM items
             WHERE channel = (SELECT id FROM channels WHERE name = ?1) AND retracted = 0",
            [name],
            |r| r.get(0),
        )?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// The bulletin at `path`, if the store has seen one.
    pub fn bulletin(&self, path: &str) -> Result<Option<KnownBulletin>, StoreError> {
        self.conn
            .query_row(
                "SELECT b.path, c.name, b.hash, b.state FROM bulletins b JOIN channels c ON c.id = b.channel
                 WHERE b.path = ?1",
                [path],
                known_bulletin,
            )
            .optional()
    }

    /// Every bulletin the store has seen.
    pub fn known(&self) -> Result<Vec<KnownBulletin>, StoreError> {
        self.conn.query_map(
            "SELECT b.path, c.name, b.hash, b.state FROM bulletins b JOIN channels c ON c.id = b.channel
             ORDER BY b.path",
            (),
            known_bulletin,
        )
    }

    /// Number of published (not retracted) items.
    pub fn published_count(&self) -> Result<u64, StoreError> {
        let n: i64 =
            self.conn
                .query_row("SELECT COUNT(*) FROM items WHERE retracted = 0", (), |r| {
                    r.get(0)
                })?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// What is kept of the document at `path`.
    pub fn document(&self, path: &str) -> Result<Option<Document>, StoreError> {
        let row: Option<(Vec<u8>, i64, String)> = self
            .conn
            .query_row(
                "SELECT etag, modified, copies FROM documents WHERE path = ?1",
                [path],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        row.map(|(etag, modified, copies)| {
            Ok(Document {
                validators: Validators {
                    etag: digest_of_blob(&etag, "document etag")?,
                    modified,
                },
                copies,
            })
        })
        .transpose()
    }

    /// Stores several documents' validators in one transaction.
    pub fn set_documents(&mut self, documents: &[(String, Document)]) -> Result<(), StoreError> {
        if self.is_follower() {
            return Ok(());
        }
        let tx = self.conn.transaction()?;
        for (path, d) in documents {
            tx.execute(
                "INSERT INTO documents (path, etag, modified, copies) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (path) DO UPDATE SET etag = ?2, modified = ?3, copies = ?4",
                params![
                    path,
                    &d.validators.etag[..],
                    d.validators.modified,
                    d.copies
                ],
            )?;
        }
        tx.commit()
    }

    /// The validators of item `key`'s permalink page.
    pub fn page_validators(&self, key: ItemKey) -> Result<Option<Validators>, StoreError> {
        let row: Option<(Option<Vec<u8>>, Option<i64>)> = self
            .conn
            .query_row(
                "SELECT page_etag, page_modified FROM items WHERE id = ?1",
                [key],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        match row {
            Some((Some(etag), Some(modified))) => Ok(Some(Validators {
                etag: digest_of_blob(&etag, "page etag")?,
                modified,
            })),
            _ => Ok(None),
        }
    }

    /// Stores several pages' validators in one transaction.
    pub fn set_page_validators(
        &mut self,
        pages: &[(ItemKey, Validators)],
    ) -> Result<(), StoreError> {
        if self.is_follower() {
            return Ok(());
        }
        let tx = self.conn.transaction()?;
        for (key, v) in pages {
            tx.execute(
                "UPDATE items SET page_etag = ?2, page_modified = ?3 WHERE id = ?1",
                params![key, &v.etag[..], v.modified],
            )?;
        }
        tx.commit()
    }

    /// Channels whose feeds are due for rendering, and items whose pages are
    /// (changes recorded but not yet published, e.g. before a crash).
    pub fn dirty(&self) -> Result<(Vec<String>, Vec<ItemKey>), StoreError> {
        if let Some(local) = &self.local {
            let channels = local.channels.iter().cloned().collect();
            return Ok((channels, local.pages.iter().copied().collect()));
        }
        let channels = self.conn.query_map(
            "SELECT name FROM channels WHERE dirty = 1 ORDER BY name",
            (),
            |r| r.get(0),
        )?;
        let pages = self.conn.query_map(
            "SELECT id FROM items WHERE page_dirty = 1 ORDER BY id",
            (),
            |r| r.get(0),
        )?;
        Ok((channels, pages))
    }

    /// Up to `limit` items whose pages are due, in key order.
    pub fn due_pages(&self, limit: usize) -> Result<Vec<ItemKey>, StoreError> {
        if let Some(local) = &self.local {
            return Ok(local.pages.iter().copied().take(limit).collect());
        }
        self.conn.query_map(
            "SELECT id FROM items WHERE page_dirty = 1 ORDER BY id LIMIT ?1",
            [i64::try_from(limit).unwrap_or(i64::MAX)],
            |r| r.get(0),
        )
    }

    /// Records that these channels' feeds and these pages are rendered
    /// (and, on the ingest node, logs it for the other nodes).
    pub fn clear_dirty(
        &mut self,
        channels: &[String],
        pages: &[ItemKey],
    ) -> Result<(), StoreError> {
        if let Some(local) = &mut self.local {
            for name in channels {
                local.channels.remove(name);
            }
            for key in pages {
                local.pages.remove(key);
            }
            return Ok(());
        }
        let tx = self.conn.transaction()?;
        let gen = super::follow::log(
            &tx,
            &super::Publication {
                channels: channels.to_vec(),
                pages: pages.to_vec(),
                archives: Vec::new(),
            },
        )?;
        for name in channels {
            tx.execute("UPDATE channels SET dirty = 0 WHERE name = ?1", [name])?;
        }
        for key in pages {
            tx.execute("UPDATE items SET page_dirty = 0 WHERE id = ?1", [key])?;
        }
        tx.commit()?;
        self.logged = gen.unwrap_or(self.logged);
        Ok(())
    }

    /// Marks every channel and page as due for rendering (the site settings
    /// or the renderer changed).
    pub fn mark_all_dirty(&mut self) -> Result<(), StoreError> {
        if self.local.is_some() {
            self.mark_channels_dirty()?;
            let (pages, _) = self.item_keys()?;
            if let Some(local) = &mut self.local {
                local.pages.extend(pages);
            }
            return Ok(());
        }
        self.conn.batch(
            "UPDATE channels SET dirty = 1; UPDATE items SET page_dirty = 1 WHERE retracted = 0;",
        )
    }

    /// Marks every channel's feeds as due for rendering (the base URL or
    /// the feed length changed).
    pub fn mark_channels_dirty(&mut self) -> Result<(), StoreError> {
        if self.local.is_some() {
            let channels: Vec<String> = self.channels()?.into_iter().map(|c| c.name).collect();
            if let Some(local) = &mut self.local {
                local.channels.extend(channels);
            }
            return Ok(());
        }
        self.conn.execute("UPDATE channels SET dirty = 1", ())?;
        Ok(())
    }

    /// A setting the daemon keeps between runs.
    pub fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
    }

    /// Stores a setting the daemon keeps between runs.
    pub fn set_meta(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        if self.is_follower() {
            return Ok(());
        }
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = ?2",
            [key, value],
        )?;
        Ok(())
    }
}

/// An item from the columns of `ITEM_COLUMNS`.
pub(super) fn to_item(r: &Row<'_>) -> Result<Item, StoreError> {
    let tag: String = r.get(0)?;
    let stored: Vec<u8> = r.get(2)?;
    let (p, p_off, u, u_off): (i64, i32, i64, i32) = (r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?);
    Ok(Item {
        article: decode_article(&stored, &tag)?,
        published: join_time(p, p_off, "published")?,
        updated: join_time(u, u_off, "updated")?,
        slug: slug_for(&tag),
        channel: r.get(1)?,
        date_only: r.get(7)?,
        id: tag,
    })
}

fn known_bulletin(r: &Row<'_>) -> Result<KnownBulletin, StoreError> {
    let hash: Vec<u8> = r.get(2)?;
    let state = match r.get::<i64>(3)? {
        ACTIVE => "active",
        DELETED => "deleted",
        _ => "quarantined",
    };
    Ok(KnownBulletin {
        path: r.get(0)?,
        channel: r.get(1)?,
        hash: digest_of_blob(&hash, "bulletin hash")?,
        state,
    })
}
