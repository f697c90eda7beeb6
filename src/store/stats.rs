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
            "SELECT c.name, c.present,
                    (SELECT COUNT(*) FROM items i WHERE i.channel = c.id AND i.retracted = 0),
                    (SELECT COUNT(*) FROM bulletins b WHERE b.channel = c.id AND b.state = 0)
             FROM channels c ORDER BY c.name",
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
