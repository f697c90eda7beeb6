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
    /// is always included.
    pub fn channel_stats(&self) -> Result<Vec<ChannelStats>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT c.name, c.state = 'active',
                    (SELECT COUNT(*) FROM items i WHERE i.channel = c.name AND i.retracted = 0),
                    (SELECT COUNT(*) FROM bulletins b WHERE b.channel = c.name AND b.state = 'active')
             FROM channels c ORDER BY c.name",
        )?;
        let count = |n: i64| u64::try_from(n).unwrap_or(0);
        let rows = stmt.query_map([], |r| {
            Ok(ChannelStats {
                name: r.get(0)?,
                present: r.get(1)?,
                items: count(r.get(2)?),
                bulletins: count(r.get(3)?),
            })
        })?;
        let mut out: Vec<ChannelStats> = rows.collect::<Result<_, _>>()?;
        if out.first().is_none_or(|c| !c.name.is_empty()) {
            let (items, bulletins) = self.conn.query_row(
                "SELECT (SELECT COUNT(*) FROM items WHERE channel = '' AND retracted = 0),
                        (SELECT COUNT(*) FROM bulletins WHERE channel = '' AND state = 'active')",
                [],
                |r| Ok((count(r.get(0)?), count(r.get(1)?))),
            )?;
            out.insert(
                0,
                ChannelStats {
                    name: String::new(),
                    present: true,
                    items,
                    bulletins,
                },
            );
        }
        Ok(out)
    }
}
