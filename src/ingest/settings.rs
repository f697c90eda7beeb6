//! A channel's own settings file, `channel.toml`, in its folder (or at the
//! top of the inbox, for the main channel): read when it is complete, its
//! values kept by the store; removing it brings back the configuration's.
//! A file that does not parse is quarantined like a bad bulletin, with the
//! line and key at fault, and the settings in force stay as they were.

use super::Ingestor;
use crate::config::parse_channel_settings;
use crate::inbox::read::{read_bulletin, ReadError};
use crate::inbox::RelPath;
use crate::store::{hash_hex, Changes, StoreError};

/// The name of a channel's settings file.
pub const SETTINGS_FILE: &str = "channel.toml";

/// Whether `rel` is a channel's settings file rather than a bulletin.
pub fn is_settings(rel: &RelPath) -> bool {
    rel.name == SETTINGS_FILE
}

/// Largest settings file read: a few keys, never more than this.
const MAX_SETTINGS_BYTES: u64 = 64 * 1024;

impl Ingestor {
    /// Reads `rel` (a settings file) and applies it.
    pub(super) fn settings_ready(&mut self, rel: &RelPath) -> Result<Changes, StoreError> {
        let path = rel.under(&self.folders.inbox);
        let bytes = match read_bulletin(&path, MAX_SETTINGS_BYTES) {
            Ok(bytes) => bytes,
            Err(ReadError::NotFound) => return Ok(Changes::default()),
            Err(err) => return self.reject(rel, "", &err.to_string()),
        };
        let hash = hash_hex(&bytes);
        let parsed = std::str::from_utf8(&bytes)
            .map_err(|e| format!("not UTF-8: {e}"))
            .and_then(parse_channel_settings);
        match parsed {
            Ok(settings) => {
                self.store.forget_quarantined(&rel.key())?;
                let changes = self
                    .store
                    .set_channel_settings(&rel.channel, Some(&settings))?;
                if changes.any() {
                    tracing::info!(file = %path.display(), "channel settings applied");
                }
                Ok(changes)
            }
            Err(why) => self.reject(rel, &hash, &format!("channel settings: {why}")),
        }
    }

    /// A rename to or from a settings file: the old name's settings go, the
    /// new name's come.
    pub(super) fn settings_renamed(
        &mut self,
        from: &RelPath,
        to: &RelPath,
    ) -> Result<Changes, StoreError> {
        let mut changes = Changes::default();
        if is_settings(from) {
            changes.merge(self.settings_gone(from)?);
        } else {
            changes.merge(self.gone(from)?);
        }
        if is_settings(to) {
            changes.merge(self.settings_ready(to)?);
        } else {
            changes.merge(self.ingest(to)?);
        }
        Ok(changes)
    }

    /// `rel` (a settings file) left the inbox: the configuration's settings
    /// apply again, unless it left for the quarantine.
    pub(super) fn settings_gone(&mut self, rel: &RelPath) -> Result<Changes, StoreError> {
        let path = rel.under(&self.folders.inbox);
        if std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file()) {
            return Ok(Changes::default()); // replaced in the meantime
        }
        if self
            .store
            .bulletin(&rel.key())?
            .is_some_and(|known| known.state == "quarantined")
        {
            return Ok(Changes::default());
        }
        let changes = self.store.set_channel_settings(&rel.channel, None)?;
        if changes.any() {
            tracing::info!(file = %path.display(), "channel settings removed");
        }
        Ok(changes)
    }
}
