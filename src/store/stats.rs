//! Counts for the operator (`/metrics`, `STATUS=`): per channel, how many
//! bulletin files the published items come from. The item counts are the
//! publisher's (see `Publisher::channels`).

use std::collections::HashMap;

use super::{Store, StoreError};

impl Store {
    /// The active bulletins of every channel that has any, by channel name:
    /// one pass over the bulletins table (a row per file, not per item).
    pub fn bulletin_counts(&self) -> Result<HashMap<String, u64>, StoreError> {
        let rows = self.conn.query_map(
            "SELECT c.name, COUNT(*) FROM bulletins b JOIN channels c ON c.id = b.channel
             WHERE b.state = 0 GROUP BY c.name",
            (),
            |r| Ok((r.get::<String>(0)?, r.get::<i64>(1)?)),
        )?;
        Ok(rows
            .into_iter()
            .map(|(name, n)| (name, u64::try_from(n).unwrap_or(0)))
            .collect())
    }
}
