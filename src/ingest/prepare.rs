//! Reading and parsing a run of queued bulletins ahead of the store, on
//! every core.
//!
//! The store takes one bulletin at a time, in the order the inbox saw
//! them; parsing needs nothing but the bytes. So when several new
//! bulletins wait in the queue (a start-up scan, a burst of drops), the
//! ingest thread reads them, skips those the store already holds with the
//! same bytes, and parses the rest in parallel before applying the events
//! one by one. An event finds its file's [`Prepared`] by key; anything not
//! prepared (a read error, a file past the run's byte budget) takes the
//! ordinary path, which reads and parses it then.

use std::collections::{HashMap, VecDeque};
use std::sync::mpsc::Receiver;

use super::work::Work;
use super::{settings, Ingestor};
use crate::inbox::read::read_bulletin;
use crate::inbox::{InboxEvent, RelPath};
use crate::model::Bulletin;
use crate::par::par_map;
use crate::parse::{self, ParseError};
use crate::store::{hash_hex, StoreError};

/// Bulletin events taken from the queue to be prepared together.
const RUN_FILES: usize = 64;
/// Bytes of bulletins held at once while a run is prepared.
const RUN_BYTES: usize = 8 << 20;

/// A bulletin read and parsed ahead of its event.
pub(super) struct Prepared {
    pub bytes: Vec<u8>,
    pub hash: String,
    pub parsed: Result<Bulletin, ParseError>,
}

/// Prepared bulletins by inbox key, each taken by its event.
pub(super) type PreparedMap = HashMap<String, Prepared>;

/// A plain bulletin arriving (not a channel's settings file).
fn bulletin_ready(work: &Work) -> Option<&RelPath> {
    match work {
        Work::Inbox(InboxEvent::Ready(rel)) if !settings::is_settings(rel) => Some(rel),
        _ => None,
    }
}

impl Ingestor {
    /// [`Ingestor::prepare_run`]; a store error only costs the head start
    /// (each event then reads its file itself, and meets the error again).
    pub(super) fn prepare(
        &mut self,
        first: &Work,
        work: &Receiver<Work>,
        queued: &mut VecDeque<Work>,
    ) {
        if let Err(err) = self.prepare_run(first, work, queued) {
            tracing::debug!("store, while reading ahead: {err}");
        }
    }

    /// When `first` is a bulletin arriving, moves the bulletin events
    /// queued right behind it (up to [`RUN_FILES`], stopping at the first
    /// other work) into `queued`, and prepares every changed file of that
    /// run. The caller applies `queued` before taking more work.
    pub(super) fn prepare_run(
        &mut self,
        first: &Work,
        work: &Receiver<Work>,
        queued: &mut VecDeque<Work>,
    ) -> Result<(), StoreError> {
        let Some(first) = bulletin_ready(first) else {
            return Ok(());
        };
        let mut files = vec![first.clone()];
        while files.len() < RUN_FILES {
            let Ok(next) = work.try_recv() else { break };
            let more = bulletin_ready(&next).cloned();
            queued.push_back(next);
            match more {
                Some(rel) => files.push(rel),
                None => break,
            }
        }
        if files.len() < 2 {
            return Ok(());
        }
        let changed = self.read_changed(&files)?;
        tracing::debug!(
            "read ahead {} bulletins, {} to parse",
            files.len(),
            changed.len()
        );
        let limits = &self.limits;
        let parsed = par_map(&changed, |(rel, bytes, _)| {
            super::test_hooks::before_parse(&rel.name);
            parse::parse_bulletin(&rel.name, bytes, limits)
        });
        for ((rel, bytes, hash), parsed) in changed.into_iter().zip(parsed) {
            let prepared = Prepared {
                bytes,
                hash,
                parsed,
            };
            self.prepared.insert(rel.key(), prepared);
        }
        Ok(())
    }

    /// The files of `files` that read cleanly and whose bytes the store
    /// does not hold yet, within [`RUN_BYTES`], with their hashes.
    fn read_changed(
        &self,
        files: &[RelPath],
    ) -> Result<Vec<(RelPath, Vec<u8>, String)>, StoreError> {
        let mut changed: Vec<(RelPath, Vec<u8>, String)> = Vec::new();
        let mut held = 0;
        for rel in files {
            let key = rel.key();
            let seen = changed.iter().any(|(other, _, _)| other == rel);
            if held >= RUN_BYTES || seen || self.prepared.contains_key(&key) {
                continue;
            }
            let path = rel.under(&self.folders.inbox);
            let Ok(bytes) = read_bulletin(&path, self.limits.max_bytes) else {
                continue;
            };
            let hash = hash_hex(&bytes);
            let known = self.store.bulletin(&key)?;
            if known.is_some_and(|k| k.has_hash(&hash) && k.state == "active") {
                continue;
            }
            held += bytes.len();
            changed.push((rel.clone(), bytes, hash));
        }
        Ok(changed)
    }
}
