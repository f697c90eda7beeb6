//! What the ingest task does when a file or the store fails. A file that
//! cannot be ingested is rejected: recorded in the store, then moved to the
//! quarantine folder, and the run goes on. A store error is noted: a fatal
//! one stops the ingest loop, and a lost database session is opened again
//! for the next event.

use chrono::Utc;

use super::{test_hooks, Ingestor};
use crate::inbox::quarantine::quarantine;
use crate::inbox::RelPath;
use crate::metrics::Metrics;
use crate::store::{Changes, StoreError};

impl Ingestor {
    /// Notes a store error: the first fatal one becomes the reason the
    /// ingest loop stops; either way the store is asked to reconnect.
    pub(super) fn note_fatal(&mut self, err: &StoreError) {
        if err.is_fatal() && self.fatal.is_none() {
            self.fatal = Some(format!("the store is unusable: {err}"));
        }
        // A lost PostgreSQL session is opened again for the next event (the
        // role session sees the loss too: ingest moves, and the next ingest
        // node rescans the inbox).
        if let Err(err) = self.store.reconnect() {
            tracing::debug!("reconnecting to the database: {err}");
        }
    }

    /// Records the rejection, then moves the file: a crash in between
    /// leaves a marked file that the next scan moves, never a published
    /// bulletin whose disappearance would retract its items.
    pub(super) fn reject(
        &mut self,
        rel: &RelPath,
        hash: &str,
        reason: &str,
    ) -> Result<Changes, StoreError> {
        self.store
            .mark_quarantined(&rel.key(), &rel.channel, hash, Utc::now())?;
        self.move_to_quarantine(rel, reason)
    }

    /// Counts the rejection and moves the file at `rel` into the quarantine
    /// folder with `reason`, logging where it went (or why it could not be
    /// moved). Changes nothing in the store.
    pub(super) fn move_to_quarantine(
        &mut self,
        rel: &RelPath,
        reason: &str,
    ) -> Result<Changes, StoreError> {
        let path = rel.under(&self.folders.inbox);
        Metrics::bump(&self.metrics.bulletins_quarantined);
        test_hooks::before_quarantine_move(&rel.name);
        match quarantine(&self.folders.inbox, &self.folders.quarantine, rel, reason) {
            Ok(to) => tracing::error!(
                file = %path.display(),
                "rejected: {reason} (moved to {})",
                to.display()
            ),
            Err(err) => tracing::error!(
                file = %path.display(),
                "rejected: {reason} (could not quarantine it: {err})"
            ),
        }
        Ok(Changes::default())
    }
}
