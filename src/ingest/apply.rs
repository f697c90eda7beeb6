//! One inbox event applied to the store: a bulletin read (or taken from
//! those read ahead), parsed and ingested unless the store holds these
//! bytes already; a file removed or renamed; a channel folder found, gone
//! or renamed; a full scan reconciled with what the store knows. Each
//! returns the [`Changes`] to publish.

use std::collections::BTreeSet;

use chrono::Utc;

use super::{prepare, settings, test_hooks, work, Ingestor};
use crate::config::OnDelete;
use crate::inbox::read::{read_bulletin, ReadError};
use crate::inbox::{InboxEvent, RelPath};
use crate::metrics::Metrics;
use crate::parse;
use crate::store::{hash_hex, Changes, Staged, StoreError};

impl Ingestor {
    /// Applies one inbox event; returns what changed.
    pub fn apply(&mut self, event: InboxEvent) -> Changes {
        let retract = self.on_delete == OnDelete::Retract;
        let now = Utc::now();
        let what = work::describe(&self.folders.inbox, &event);
        let result = match event {
            InboxEvent::Ready(rel) if settings::is_settings(&rel) => self.settings_ready(&rel),
            InboxEvent::Gone(rel) if settings::is_settings(&rel) => self.settings_gone(&rel),
            InboxEvent::Renamed { from, to }
                if settings::is_settings(&from) || settings::is_settings(&to) =>
            {
                self.settings_renamed(&from, &to)
            }
            InboxEvent::Ready(rel) => self.ingest(&rel),
            InboxEvent::Gone(rel) => self.gone(&rel),
            InboxEvent::Renamed { from, to } => self
                .store
                .rename(&from.key(), &to.key(), retract, now)
                .map(|mut changes| {
                    tracing::info!(
                        "renamed {} to {}",
                        from.under(&self.folders.inbox).display(),
                        to.under(&self.folders.inbox).display()
                    );
                    changes.merge(self.ingest(&to).unwrap_or_default());
                    changes
                }),
            InboxEvent::ChannelPresent(name) => self.store.channel_present(&name).map(|fresh| {
                let mut changes = Changes::default();
                if fresh {
                    tracing::info!(channel = name.as_str(), "channel folder found");
                    changes.channels.insert(name);
                }
                changes
            }),
            InboxEvent::ChannelGone(name) => {
                tracing::info!(channel = name.as_str(), "channel folder gone");
                self.store.channel_gone(&name, retract, now)
            }
            InboxEvent::ChannelRenamed { from, to } => self.channel_renamed(&from, &to),
            InboxEvent::Present { channels, files } => self.reconcile(&channels, &files),
            InboxEvent::Scanned => Ok(Changes::default()),
        };
        result.unwrap_or_else(|err| {
            tracing::error!("store, while {what}: {err}");
            self.note_fatal(&err);
            Changes::default()
        })
    }

    /// Reads, parses and ingests the bulletin at `rel`, or takes its parse
    /// from those read ahead. A file gone meanwhile changes nothing; one too
    /// large is rejected; one that cannot be read is left for its next
    /// event, its error logged unless it is the one last logged for it.
    pub(super) fn ingest(&mut self, rel: &RelPath) -> Result<Changes, StoreError> {
        let path = rel.under(&self.folders.inbox);
        let key = rel.key();
        if let Some((hash, parsed)) = self.ahead.take(&key) {
            self.unreadable.remove(&key);
            return self.ingest_parsed(rel, &hash, || parsed);
        }
        let bytes = match read_bulletin(&path, self.limits.max_bytes) {
            Ok(bytes) => bytes,
            Err(ReadError::NotFound) => return Ok(Changes::default()),
            Err(err @ ReadError::TooLarge { .. }) => {
                return self.reject(rel, "", &err.to_string());
            }
            Err(err) => {
                let said = err.to_string();
                if self.unreadable.get(&key) != Some(&said) {
                    tracing::error!(file = %path.display(), "not ingested: {said}");
                    self.unreadable.insert(key, said);
                }
                return Ok(Changes::default());
            }
        };
        self.unreadable.remove(&key);
        let hash = hash_hex(&bytes);
        let limits = self.limits;
        self.ingest_parsed(rel, &hash, || {
            test_hooks::before_parse(&rel.name);
            parse::parse_bulletin(&rel.name, &bytes, &limits).map(|b| (b, None))
        })
    }

    /// Ingests the file at `rel`, whose bytes hash to `hash`, unless the
    /// store holds these bytes already; `parse` gives its parse.
    fn ingest_parsed(
        &mut self,
        rel: &RelPath,
        hash: &str,
        parse: impl FnOnce() -> prepare::Parse,
    ) -> Result<Changes, StoreError> {
        let path = rel.under(&self.folders.inbox);
        let key = rel.key();
        let known = self.store.bulletin(&key)?;
        if let Some(known) = known.filter(|k| k.has_hash(hash)) {
            match known.state {
                "active" => {
                    tracing::debug!(file = %path.display(), "unchanged");
                    return Ok(Changes::default());
                }
                // Rejected before and marked, but the move did not happen
                // (a crash in between): finish it.
                "quarantined" => {
                    return self.move_to_quarantine(rel, "rejected before (same bytes)")
                }
                _ => {}
            }
        }
        let (bulletin, staged) = match parse() {
            Ok(parsed) => parsed,
            Err(err) => return self.reject(rel, hash, &err.to_string()),
        };
        for warning in &bulletin.warnings {
            tracing::warn!(file = %path.display(), "{warning}");
        }
        let staged = match staged {
            Some(staged) => staged,
            None => Staged::new(&bulletin)?,
        };
        let changes =
            self.store
                .ingest_staged(&key, &rel.channel, hash, &bulletin, staged, Utc::now())?;
        Metrics::bump(&self.metrics.bulletins_ingested);
        self.metrics.ingested(key, Utc::now().timestamp());
        tracing::info!(
            file = %path.display(),
            "ingested: {} articles ({} new, {} updated, {} retracted)",
            bulletin.articles.len(),
            changes.added,
            changes.updated,
            changes.retracted
        );
        Ok(changes)
    }

    /// The file at `rel` left the inbox: the store records it (retracting
    /// its items when `on_delete` is `retract`), unless a file is back at
    /// that path.
    pub(super) fn gone(&mut self, rel: &RelPath) -> Result<Changes, StoreError> {
        let path = rel.under(&self.folders.inbox);
        if std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file()) {
            return Ok(Changes::default()); // replaced in the meantime; a Ready event follows
        }
        let changes =
            self.store
                .remove(&rel.key(), self.on_delete == OnDelete::Retract, Utc::now())?;
        if changes.retracted > 0 {
            tracing::info!(file = %path.display(), "removed: {} items retracted", changes.retracted);
        }
        Ok(changes)
    }

    fn channel_renamed(&mut self, from: &str, to: &str) -> Result<Changes, StoreError> {
        match self.store.rename_channel(from, to)? {
            Some(changes) => {
                tracing::info!("channel {from} renamed to {to}");
                Ok(changes)
            }
            None => {
                let retract = self.on_delete == OnDelete::Retract;
                let mut changes = self.store.channel_gone(from, retract, Utc::now())?;
                if self.store.channel_present(to)? {
                    changes.channels.insert(to.to_string());
                }
                Ok(changes)
            }
        }
    }

    fn reconcile(&mut self, channels: &[String], files: &[RelPath]) -> Result<Changes, StoreError> {
        let retract = self.on_delete == OnDelete::Retract;
        let now = Utc::now();
        let present: BTreeSet<String> = files.iter().map(RelPath::key).collect();
        let folders: BTreeSet<&str> = channels.iter().map(String::as_str).collect();
        let mut changes = Changes::default();
        for channel in self.store.channels()? {
            if !channel.name.is_empty()
                && channel.present
                && !folders.contains(channel.name.as_str())
            {
                changes.merge(self.store.channel_gone(&channel.name, retract, now)?);
            }
        }
        for known in self.store.known()? {
            if known.state == "active" && !present.contains(&known.path) {
                changes.merge(self.gone(&RelPath::from_key(&known.path))?);
            }
        }
        for (channel, _) in self.store.channel_settings()? {
            let file = RelPath {
                channel,
                name: settings::SETTINGS_FILE.to_string(),
            };
            if !present.contains(&file.key()) {
                changes.merge(self.settings_gone(&file)?);
            }
        }
        for name in channels {
            if self.store.channel_present(name)? {
                changes.channels.insert(name.clone());
            }
        }
        Ok(changes)
    }
}
