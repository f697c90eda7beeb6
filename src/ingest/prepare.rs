//! Reading and parsing queued bulletins ahead of the store, on the other
//! cores.
//!
//! The store takes one bulletin at a time, in the order the inbox saw
//! them; parsing needs nothing but the bytes. So while new bulletins wait
//! in the queue (a start-up scan, a burst of drops), the ingest thread
//! keeps up to [`AHEAD_FILES`] of them taken from the queue: it reads each,
//! skips those the store already holds with the same bytes, and hands the
//! rest to the work pool to parse, then applies the events one by one as
//! before, each waiting for its own parse if that is not done yet. An
//! event finds its file's [`Prepared`] by key; anything not prepared (a read
//! error, a file past the byte budget) takes the ordinary path, which reads
//! and parses it then.

use std::collections::{HashMap, VecDeque};
use std::sync::mpsc::{self, Receiver};

use super::work::Work;
use super::{settings, Ingestor};
use crate::inbox::read::read_bulletin;
use crate::inbox::{InboxEvent, RelPath};
use crate::model::Bulletin;
use crate::parse::{self, ParseError};
use crate::store::{hash_hex, Staged, StoreError};

/// Bulletin events taken from the queue ahead of the one being applied.
const AHEAD_FILES: usize = 64;
/// Bytes of bulletins read ahead and not yet applied.
const AHEAD_BYTES: usize = 8 << 20;

/// A bulletin parsed and, when that worked, staged for the store.
pub(super) type Parse = Result<(Bulletin, Option<Staged>), ParseError>;

/// What a parse on the pool sends back: its result, or its panic.
type Parsed = std::thread::Result<Parse>;

/// A bulletin read ahead of its event, its parse under way or done.
pub(super) struct Prepared {
    pub hash: String,
    size: usize,
    parsed: Receiver<Parsed>,
}

/// Prepared bulletins by inbox key, each taken by its event.
#[derive(Default)]
pub(super) struct Ahead {
    prepared: HashMap<String, Prepared>,
    /// Bytes of the prepared bulletins.
    bytes: usize,
}

impl Ahead {
    /// The prepared bulletin at `key`, once its parse is done: its hash
    /// and parse (staged unless staging failed: the store then stages it
    /// again and reports why). `None` when it was not prepared. A panic in the parse
    /// goes on here, in the ingest thread, as if it had parsed the file.
    pub fn take(&mut self, key: &str) -> Option<(String, Parse)> {
        let ready = self.prepared.remove(key)?;
        self.bytes -= ready.size;
        match ready.parsed.recv() {
            Ok(Ok(parsed)) => Some((ready.hash, parsed)),
            Ok(Err(panic)) => std::panic::resume_unwind(panic),
            // The pool dropped the job unrun: parse it here instead.
            Err(_) => None,
        }
    }

    /// Forgets everything prepared (its events will not be applied).
    pub fn clear(&mut self) {
        self.prepared.clear();
        self.bytes = 0;
    }
}

/// A plain bulletin arriving (not a channel's settings file).
fn bulletin_ready(work: &Work) -> Option<&RelPath> {
    match work {
        Work::Inbox(InboxEvent::Ready(rel)) if !settings::is_settings(rel) => Some(rel),
        _ => None,
    }
}

impl Ingestor {
    /// While `current` and the work queued behind it are bulletins
    /// arriving, moves more of them from `work` into `queued` (up to
    /// [`AHEAD_FILES`] and [`AHEAD_BYTES`], stopping after the first other
    /// work) and starts parsing each changed one. The caller applies
    /// `queued` before taking more work.
    pub(super) fn read_ahead(
        &mut self,
        current: &Work,
        work: &Receiver<Work>,
        queued: &mut VecDeque<Work>,
    ) {
        let run_goes_on = match queued.back() {
            Some(last) => bulletin_ready(last).is_some(),
            None => bulletin_ready(current).is_some(),
        };
        if !run_goes_on || queued.len() >= AHEAD_FILES / 2 {
            return;
        }
        let before = self.ahead.prepared.len();
        while queued.len() < AHEAD_FILES && self.ahead.bytes < AHEAD_BYTES {
            let Ok(next) = work.try_recv() else { break };
            let rel = bulletin_ready(&next).cloned();
            queued.push_back(next);
            let Some(rel) = rel else { break };
            if let Err(err) = self.prepare(&rel) {
                // Only the head start is lost: the event reads the file
                // itself, and meets the error again.
                tracing::debug!("store, while reading ahead: {err}");
            }
        }
        let started = self.ahead.prepared.len().saturating_sub(before);
        if started > 0 {
            tracing::debug!(
                "read ahead: {} events queued, {started} more parsing",
                queued.len()
            );
        }
    }

    /// Reads `rel` and, unless the store holds these bytes already, starts
    /// its parse on the pool.
    fn prepare(&mut self, rel: &RelPath) -> Result<(), StoreError> {
        let key = rel.key();
        if self.ahead.prepared.contains_key(&key) {
            return Ok(());
        }
        let path = rel.under(&self.folders.inbox);
        let Ok(bytes) = read_bulletin(&path, self.limits.max_bytes) else {
            return Ok(());
        };
        let hash = hash_hex(&bytes);
        let known = self.store.bulletin(&key)?;
        if known.is_some_and(|k| k.has_hash(&hash) && k.state == "active") {
            return Ok(());
        }
        let (send, parsed) = mpsc::sync_channel(1);
        let (name, limits, size) = (rel.name.clone(), self.limits, bytes.len());
        rayon::spawn(move || {
            let result = std::panic::catch_unwind(|| {
                super::test_hooks::before_parse(&name);
                let bulletin = parse::parse_bulletin(&name, &bytes, &limits)?;
                let staged = Staged::new(&bulletin).ok();
                Ok((bulletin, staged))
            });
            // The receiver is gone only when the run was given up.
            let _ = send.send(result);
        });
        self.ahead.bytes += size;
        let prepared = Prepared { hash, size, parsed };
        self.ahead.prepared.insert(key, prepared);
        Ok(())
    }
}
