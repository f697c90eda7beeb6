//! Counts for the operator (`/metrics`, `STATUS=`): per channel, how many
//! items are published and from how many bulletin files.

use super::{Store, StoreError};

/// One channel's published holdings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelStats {
    /// The folder name (`""` for the main channel).
    pub name: String,
    /// Whether its folder exists.
    pub present: bool,
    /// Published items.
    pub items: u64,
    /// Bulletin files in the inbox the store holds as active.
    pub bulletins: u64,
}

impl Store {
    /// Every channel with its published items and active bulletins; `""`
    /// (always in the store) comes first.
    pub fn channel_stats(&self) -> Result<Vec<ChannelStats>, StoreError> {
        let count = |n: i64| u64::try_from(n).unwrap_or(0);
        self.conn.query_map(
            // Grouped counts, one pass each (see `Store::channels`).
            "SELECT c.name, c.present, COALESCE(i.n, 0), COALESCE(b.n, 0)
             FROM channels c
             LEFT JOIN (SELECT channel, COUNT(*) AS n FROM items
                        WHERE retracted = 0 GROUP BY channel) i ON i.channel = c.id
             LEFT JOIN (SELECT channel, COUNT(*) AS n FROM bulletins
                        WHERE state = 0 GROUP BY channel) b ON b.channel = c.id
             ORDER BY c.name",
            (),
            |r| {
                Ok(ChannelStats {
                    name: r.get(0)?,
                    present: r.get(1)?,
                    items: count(r.get(2)?),
                    bulletins: count(r.get(3)?),
                })
            },
        )
    }
}
