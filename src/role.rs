//! Which node runs ingest, when several share one PostgreSQL store.
//!
//! Every node serves. Ingest runs on the node holding a session-level
//! advisory lock: PostgreSQL releases it when that node's session ends (the
//! process died, the network went), and another node takes it within a
//! [`TICK`] or two. The same session `LISTEN`s for the ingest node's
//! publications and wakes the ingest thread, which then follows the log.
//! A node whose session is lost stops ingesting at once (another may take
//! over), keeps serving its last snapshot, reports itself degraded, and
//! reconnects every tick.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::sync::Arc;
use std::time::Duration;

use postgres::fallible_iterator::FallibleIterator;
use postgres::{Client, NoTls};

use crate::inbox::Rescanner;
use crate::ingest::Work;
use crate::metrics::Metrics;
use crate::store::{NOTIFY_CHANNEL, SUBSCRIPTIONS_CHANGED};
use crate::websub::{RoleChange, RoleEvents};

/// The advisory lock key of the ingest role (`ingest` in ASCII).
pub const INGEST_LOCK: i64 = 0x696e_6765_7374;

/// How often a follower tries the lock and a session is checked.
pub const TICK: Duration = Duration::from_millis(500);

/// The role session as opened at start, and whether it holds the lock.
pub struct Claim {
    url: String,
    client: Option<Client>,
    ingest: bool,
}

impl Claim {
    /// Opens the role session on `url`, listens, and tries the lock once.
    pub fn open(url: &str) -> Result<Claim, postgres::Error> {
        let mut client = connect(url)?;
        let ingest = try_lock(&mut client)?;
        Ok(Claim {
            url: url.to_string(),
            client: Some(client),
            ingest,
        })
    }

    /// Whether this node runs ingest.
    pub fn is_ingest(&self) -> bool {
        self.ingest
    }
}

/// Where the role session reports.
pub struct RoleLinks {
    /// The ingest thread's queue: [`Work::Lead`], [`Work::Follow`],
    /// [`Work::Refresh`].
    pub work: Sender<Work>,
    /// Asks the inbox for a full scan when this node takes over ingest.
    pub rescan: Rescanner,
    /// `bulletind_ingest_node`, `bulletind_store_degraded`.
    pub metrics: Arc<Metrics>,
    /// Set at shutdown.
    pub stop: Arc<AtomicBool>,
    /// The built-in WebSub hub, if it runs.
    pub websub: Option<RoleEvents>,
}

impl RoleLinks {
    fn tell_hub(&self, change: RoleChange) {
        if let Some(hub) = &self.websub {
            hub.send(change);
        }
    }
}

/// Runs the role session on a thread of its own until `links.stop`.
pub fn spawn(claim: Claim, links: RoleLinks) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new()
        .name("role".into())
        .spawn(move || run(claim, links))
}

fn run(mut claim: Claim, links: RoleLinks) {
    let set = |gauge: &std::sync::atomic::AtomicU64, on: bool| {
        gauge.store(u64::from(on), Ordering::Relaxed)
    };
    set(&links.metrics.ingest_node, claim.ingest);
    while !links.stop.load(Ordering::Relaxed) {
        let Some(client) = claim.client.as_mut() else {
            std::thread::sleep(TICK);
            match connect(&claim.url) {
                Ok(client) => {
                    tracing::info!("database reachable again; catching up");
                    claim.client = Some(client);
                    set(&links.metrics.store_degraded, false);
                    let _ = links.work.send(Work::Refresh);
                    links.tell_hub(RoleChange::Changed);
                }
                Err(err) => tracing::debug!("database still unreachable: {err}"),
            }
            continue;
        };
        let result = wait(client, &links, claim.ingest).and_then(|()| {
            if claim.ingest {
                client.batch_execute("SELECT 1").map(|()| false)
            } else {
                try_lock(client)
            }
        });
        match result {
            Ok(true) => {
                tracing::info!("this node now runs ingest (it holds the lock)");
                claim.ingest = true;
                set(&links.metrics.ingest_node, true);
                let _ = links.work.send(Work::Lead);
                links.tell_hub(RoleChange::Lead);
                links.rescan.rescan();
            }
            Ok(false) => {}
            Err(err) => {
                tracing::error!("database session lost: {err}; serving the last snapshot");
                claim.client = None;
                set(&links.metrics.store_degraded, true);
                if claim.ingest {
                    claim.ingest = false;
                    set(&links.metrics.ingest_node, false);
                    let _ = links.work.send(Work::Follow);
                    links.tell_hub(RoleChange::Follow);
                }
            }
        }
    }
}

/// Waits up to a tick for notifications: a publication wakes a follower's
/// ingest thread (the ingest node hears its own, and has nothing to
/// follow); a subscription change, the hub.
fn wait(client: &mut Client, links: &RoleLinks, ingest: bool) -> Result<(), postgres::Error> {
    let mut notifications = client.notifications();
    let mut arriving = notifications.timeout_iter(TICK);
    while let Some(note) = arriving.next()? {
        if note.payload() == SUBSCRIPTIONS_CHANGED {
            links.tell_hub(RoleChange::Changed);
        } else if !ingest {
            let _ = links.work.send(Work::Refresh);
        }
    }
    Ok(())
}

fn connect(url: &str) -> Result<Client, postgres::Error> {
    let mut config: postgres::Config = url.parse()?;
    config
        .application_name("bulletind role")
        .connect_timeout(Duration::from_secs(2))
        .keepalives_idle(Duration::from_secs(5));
    let mut client = config.connect(NoTls)?;
    client.batch_execute(&format!("LISTEN {NOTIFY_CHANNEL}"))?;
    Ok(client)
}

fn try_lock(client: &mut Client) -> Result<bool, postgres::Error> {
    client
        .query_one("SELECT pg_try_advisory_lock($1)", &[&INGEST_LOCK])
        .map(|row| row.get(0))
}
