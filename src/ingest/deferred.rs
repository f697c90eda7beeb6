//! The ingest thread of a node that started without its database (a
//! PostgreSQL store out of reach): the node serves the snapshot its feeds
//! folder holds, reports itself degraded, and tries the store every
//! [`RETRY`]; once it opens, the stored feeds are published as on any
//! start and the thread goes on as the ingest thread.

use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::time::Duration;

use super::{run, Ingestor, Links, Work};
use crate::config::Config;
use crate::inbox::InboxEvent;
use crate::metrics::Metrics;
use crate::publish::Publisher;
use crate::render::Published;

/// How often the store is tried.
pub const RETRY: Duration = Duration::from_millis(500);

/// The snapshot last written into the feeds folder of `config`, with its
/// discovery links under `base_url`; `None` if there is none (or it is no
/// longer whole).
pub fn last_written(
    config: &Config,
    base_url: &str,
    metrics: Arc<Metrics>,
) -> Option<Arc<Published>> {
    Publisher::new(
        super::site_for(config, base_url),
        config.feeds_dir.clone(),
        super::sizes_for(config),
        metrics,
    )
    .last_written()
}

/// Waits for `open` to give the ingestor and its first snapshot (the node
/// reports degraded until then: the start set it), then runs
/// the ingest loop. Meanwhile inbox events are left for the rescan an
/// ingest node makes (`open` asks for it), scans are counted (so that the
/// node reports ready), and reloads are refused.
pub fn run_deferred(
    mut open: impl FnMut() -> Option<(Ingestor, Arc<Published>)>,
    work: Receiver<Work>,
    links: Links,
) -> Result<(), String> {
    loop {
        if links.stop.load(Ordering::Relaxed) {
            return Ok(());
        }
        links.heartbeat.busy("opening the store");
        if let Some((ingestor, first)) = open() {
            links.hand_over(first);
            links.metrics.store_degraded.store(0, Ordering::Relaxed);
            tracing::info!("the store is open: serving from it");
            return run(ingestor, work, links);
        }
        links.heartbeat.idle();
        let until = std::time::Instant::now() + RETRY;
        while let Some(left) = until.checked_duration_since(std::time::Instant::now()) {
            match work.recv_timeout(left) {
                Ok(Work::Inbox(InboxEvent::Scanned)) => links.scans.send_modify(|n| *n += 1),
                Ok(Work::Reconfigure(request)) => {
                    let _ = request.done.send(Err(
                        "the database cannot be reached yet; the running settings stay".into(),
                    ));
                }
                Ok(_) | Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return Ok(()),
            }
        }
    }
}
