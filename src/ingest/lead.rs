//! The ingest loop. [`run`] is the body of the ingest thread: while this
//! node holds the ingest lock it leads, applying inbox events as they come,
//! batching bursts and publishing each batch; while it does not, it follows
//! the ingest node's log (`follow`).

use std::collections::VecDeque;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, TryRecvError};
use std::time::{Duration, Instant};

use super::{follow, work, Ingestor, Links, Work};
use crate::inbox::InboxEvent;

/// During a burst, do the slow part of publishing (brotli and zstd copies,
/// the feeds folder) at least this often; otherwise when the queue is idle.
const CATCH_UP_AT_LEAST_EVERY: Duration = Duration::from_secs(5);
/// During a long burst of events (a big startup scan), publish at least this
/// often so readers see progress...
const PUBLISH_AT_LEAST_EVERY: Duration = Duration::from_secs(1);
/// ...but spend at most about a fifth of the burst rendering intermediate
/// snapshots: the pause between them is at least this many times as long
/// as the last publish took.
const PUBLISH_PAUSE_FACTOR: u32 = 4;

/// The ingest loop: applies events as they come, batching bursts, and
/// publishes after each batch, after each full scan and before a reload.
/// Returns when `work` closes or `links.stop` is set (it then finishes the
/// file in hand, not the queue: the next start's scan picks the rest up),
/// or with the reason when the store became unusable.
pub fn run(mut ingestor: Ingestor, work: Receiver<Work>, links: Links) -> Result<(), String> {
    links.heartbeat.busy("finishing the start");
    ingestor.finish_start();
    ingestor.count_channels();
    loop {
        if ingestor.store.is_follower() {
            match ingestor.follow(&work, &links)? {
                follow::Next::Lead => ingestor.take_over(&links),
                follow::Next::Stop => break,
            }
        }
        if !lead(&mut ingestor, &work, &links)? {
            break;
        }
        ingestor.step_down();
    }
    ingestor.publisher.flush_mirror();
    Ok(())
}

/// Ingests until this node must follow (`Ok(true)`: it lost its database
/// session) or the daemon stops (`Ok(false)`).
fn lead(ingestor: &mut Ingestor, work: &Receiver<Work>, links: &Links) -> Result<bool, String> {
    let mut backlog = ingestor.catch_up(links);
    links.heartbeat.idle();
    let mut caught_up = Instant::now();
    let mut batch = work::Batch::new();
    let mut pause = PUBLISH_AT_LEAST_EVERY;
    loop {
        // Inbox events first; what is left due, a batch at a time, while
        // there are none.
        let first = if backlog {
            match work.try_recv() {
                Ok(first) => first,
                Err(TryRecvError::Empty) => {
                    backlog = ingestor.catch_up(links) && !links.stop.load(Ordering::Relaxed);
                    links.heartbeat.idle();
                    if let Some(reason) = ingestor.fatal.take() {
                        return Err(reason);
                    }
                    continue;
                }
                Err(TryRecvError::Disconnected) => break,
            }
        } else {
            match work.recv() {
                Ok(first) => first,
                Err(_) => break,
            }
        };
        batch.since = Instant::now();
        let mut next = Some(first);
        let mut queued = VecDeque::new();
        while let Some(item) = next {
            ingestor.read_ahead(&item, work, &mut queued);
            match item {
                Work::Inbox(InboxEvent::Scanned) => {
                    ingestor.flush(&mut batch, links);
                    links.scans.send_modify(|n| *n += 1);
                }
                Work::Inbox(event) => {
                    ingestor.take(event, &mut batch, links);
                    if batch.changes.any() && batch.since.elapsed() >= pause {
                        let took = ingestor.flush(&mut batch, links);
                        pause = PUBLISH_AT_LEAST_EVERY.max(took * PUBLISH_PAUSE_FACTOR);
                        if caught_up.elapsed() >= CATCH_UP_AT_LEAST_EVERY {
                            backlog = ingestor.catch_up(links);
                            caught_up = Instant::now();
                        }
                    }
                }
                Work::Reconfigure(request) => {
                    ingestor.flush(&mut batch, links);
                    ingestor.apply_reload(request, links);
                }
                Work::Follow => {
                    ingestor.flush(&mut batch, links);
                    return Ok(true);
                }
                Work::Lead | Work::Refresh => {}
            }
            next = match links.stop.load(Ordering::Relaxed) {
                true => None,
                false => queued.pop_front().or_else(|| work.try_recv().ok()),
            };
        }
        ingestor.ahead.clear();
        ingestor.flush(&mut batch, links);
        if !links.stop.load(Ordering::Relaxed) {
            // The queue is empty: the slow part of publishing now.
            backlog = ingestor.catch_up(links);
            caught_up = Instant::now();
        }
        links.heartbeat.idle();
        if let Some(reason) = ingestor.fatal.take() {
            return Err(reason);
        }
        if links.stop.load(Ordering::Relaxed) {
            break;
        }
    }
    Ok(false)
}

impl Ingestor {
    /// Applies one inbox event into `batch`, timing and counting it.
    fn take(&mut self, event: InboxEvent, batch: &mut work::Batch, links: &Links) {
        links
            .heartbeat
            .busy(work::describe(&self.folders.inbox, &event));
        let bulletin = match &event {
            InboxEvent::Ready(rel) | InboxEvent::Renamed { to: rel, .. } => Some(rel.clone()),
            _ => None,
        };
        if let Some(rel) = &bulletin {
            let path = rel.under(&self.folders.inbox);
            batch.arrivals.extend(work::landed(&path, self.started));
        }
        let started = Instant::now();
        tracing::trace!("applying {}", work::describe(&self.folders.inbox, &event));
        let changes = self.apply(event);
        if bulletin.is_some() {
            self.metrics
                .ingest_duration
                .observe_duration(started.elapsed());
        }
        work::count_changes(&self.metrics, &changes);
        batch.changes.merge(changes);
    }
}
