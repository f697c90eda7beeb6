//! Writes the hub's subscription changes into the store behind it, on a
//! thread and a connection of its own, a batch per transaction: the hub
//! never waits on SQLite, and the ingest thread's connection is left alone.
//! The same thread reads the subscriptions back when the hub asks (another
//! node changed them), after everything sent before is written.
//!
//! While the database cannot be reached (a PostgreSQL store lost, or not
//! yet reached at start), changes wait, up to [`BACKLOG`], and are written
//! with the next batch that can be; a failed write of another kind is
//! logged and the hub goes on from memory.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use crate::config::StoreLocation;
use crate::store::{Store, StoreError, StoredSubscription, SubscriptionChange};

/// Changes applied in one transaction at most.
const BATCH: usize = 1024;
/// Changes kept at most while the database is out of reach.
const BACKLOG: usize = 100_000;

/// The writer's connection, opened when first needed if the database
/// could not be reached at start.
pub(crate) struct Conn {
    store: Option<Box<Store>>,
    location: StoreLocation,
    state_dir: PathBuf,
}

impl Conn {
    /// A connection already open on `location`.
    pub fn open(store: Store, location: &StoreLocation, state_dir: &Path) -> Conn {
        Conn {
            store: Some(Box::new(store)),
            ..Conn::later(location, state_dir)
        }
    }

    /// A connection to `location`, opened on first use.
    pub fn later(location: &StoreLocation, state_dir: &Path) -> Conn {
        Conn {
            store: None,
            location: location.clone(),
            state_dir: state_dir.to_path_buf(),
        }
    }

    fn get(&mut self) -> Result<&mut Store, StoreError> {
        match &mut self.store {
            Some(store) => Ok(store),
            slot => {
                let store = Store::open_at(
                    &self.location,
                    &self.state_dir,
                    "websub",
                    "",
                    chrono_tz::UTC,
                )?;
                Ok(slot.insert(Box::new(store)))
            }
        }
    }
}

enum Op {
    Change(SubscriptionChange),
    /// Answered once everything sent before it is written.
    Flush(mpsc::Sender<()>),
    /// Answered with every kept subscription, read after the writes.
    Read(mpsc::Sender<Result<Vec<StoredSubscription>, StoreError>>),
}

/// The sending side; the thread ends when every copy is dropped.
#[derive(Clone)]
pub(super) struct Writer(mpsc::Sender<Op>);

impl Writer {
    /// Starts the writer thread, owning `conn`.
    pub fn spawn(mut conn: Conn) -> std::io::Result<Writer> {
        let (tx, rx) = mpsc::channel::<Op>();
        std::thread::Builder::new()
            .name("websub-store".into())
            .spawn(move || {
                let mut changes = Vec::new();
                while let Ok(first) = rx.recv() {
                    let mut flushes = Vec::new();
                    let mut reads = Vec::new();
                    let mut next = Some(first);
                    while let Some(op) = next {
                        match op {
                            Op::Change(c) => changes.push(c),
                            Op::Flush(done) => flushes.push(done),
                            Op::Read(reply) => reads.push(reply),
                        }
                        next = (changes.len() < BATCH)
                            .then(|| rx.try_recv().ok())
                            .flatten();
                    }
                    write(&mut conn, &mut changes);
                    for done in flushes {
                        let _ = done.send(());
                    }
                    for reply in reads {
                        let _ = reply.send(conn.get().and_then(|s| s.websub_subscriptions()));
                    }
                }
            })?;
        Ok(Writer(tx))
    }

    /// Queues a change.
    pub fn send(&self, change: SubscriptionChange) {
        // Fails only once the thread is gone (it logged why).
        let _ = self.0.send(Op::Change(change));
    }

    /// Every kept subscription, read after the changes sent so far are
    /// written. Blocking.
    pub fn read(&self) -> Result<Vec<StoredSubscription>, String> {
        let (tx, rx) = mpsc::channel();
        self.0
            .send(Op::Read(tx))
            .map_err(|_| "the store writer has stopped".to_string())?;
        match rx.recv() {
            Ok(read) => read.map_err(|err| err.to_string()),
            Err(_) => Err("the store writer has stopped".into()),
        }
    }

    /// Waits (at most `within`) until every change sent so far is written.
    /// Blocking.
    pub fn flush(&self, within: Duration) {
        let (tx, rx) = mpsc::channel();
        if self.0.send(Op::Flush(tx)).is_ok() && rx.recv_timeout(within).is_err() {
            tracing::warn!("websub: subscription changes still unwritten after {within:?}");
        }
    }
}

/// Applies `changes` and empties it; on a lost PostgreSQL session,
/// reconnects and tries once more. Kept (the newest [`BACKLOG`]) while the
/// database cannot be reached.
fn write(conn: &mut Conn, changes: &mut Vec<SubscriptionChange>) {
    if changes.is_empty() {
        return;
    }
    let result = conn.get().and_then(|store| {
        let first = store.websub_apply(changes);
        if first.is_err() && store.reconnect().unwrap_or(false) {
            return store.websub_apply(changes);
        }
        first
    });
    if let Err(err) = &result {
        if err.is_unreachable() {
            let over = changes.len().saturating_sub(BACKLOG);
            changes.drain(..over);
            tracing::warn!(
                "websub: {} subscription changes wait for the database: {err}",
                changes.len()
            );
            return;
        }
    }
    if let Err(err) = result {
        tracing::error!(
            "websub: writing {} subscription changes: {err}",
            changes.len()
        );
    }
    changes.clear();
}
