//! Store changes into snapshots for the HTTP tasks: the publish after each
//! batch, the slow part of publishing (pages and archive documents left
//! due, compressed copies, the feeds folder) left for when the queue is
//! idle, and the item gauges, refreshed once readers can see the items.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use super::{work, Ingestor, Links};
use crate::metrics::ChannelCounts;
use crate::publish::PublishError;
use crate::render::{Codings, Published};

/// A publish of this many item pages or more gives freed memory back to
/// the system at once rather than when the queue is next idle.
const BIG_PUBLISH_PAGES: usize = 1000;

impl Ingestor {
    /// Refreshes the item gauges (per channel and in all): items as the
    /// publisher last counted them, bulletins from the store.
    pub(super) fn count_channels(&self) {
        let bulletins = match self.store.bulletin_counts() {
            Ok(counts) => counts,
            Err(err) => return tracing::warn!("counting bulletins for /metrics: {err}"),
        };
        let channels = self.publisher.channels();
        let total: usize = channels.iter().map(|c| c.items).sum();
        self.metrics.items.store(total as u64, Ordering::Relaxed);
        self.metrics.set_channels(
            channels
                .iter()
                .filter(|c| c.name.is_empty() || c.present || c.items > 0)
                .map(|c| ChannelCounts {
                    name: c.name.clone(),
                    items: c.items as u64,
                    bulletins: bulletins.get(&c.name).copied().unwrap_or(0),
                })
                .collect(),
        )
    }

    /// The slow part of publishing, left for when the queue is idle:
    /// renders a batch of the pages and archive documents left due, makes
    /// the copies the first pass left out (serving them from then on),
    /// writes feeds changed since the last call into the feeds folder, and
    /// hands memory the burst freed back to the system. Returns whether
    /// more is left due.
    pub(super) fn catch_up(&mut self, links: &Links) -> bool {
        links
            .heartbeat
            .busy("rendering pages and archive documents left due");
        let more = match self.publisher.backlog(&mut self.store) {
            Ok((snapshot, more)) => {
                if let Some(snapshot) = snapshot {
                    links.hand_over(snapshot);
                }
                more
            }
            Err(err) => {
                tracing::error!("rendering pages and archive documents: {err}");
                if let PublishError::Store(err) = &err {
                    self.note_fatal(err);
                }
                false
            }
        };
        links
            .heartbeat
            .busy("compressing and writing the feeds folder");
        match self
            .publisher
            .complete_copies(&mut self.store, Codings::All)
        {
            Ok(Some(snapshot)) => {
                links.hand_over(snapshot);
            }
            Ok(None) => {}
            Err(err) => {
                tracing::error!("compressing: {err}");
                if let PublishError::Store(err) = &err {
                    self.note_fatal(err);
                }
            }
        }
        self.publisher.flush_mirror();
        if !more {
            release_free_memory();
        }
        more
    }

    /// Publishes what `batch` changed, if anything; returns how long that
    /// took.
    pub(super) fn flush(&mut self, batch: &mut work::Batch, links: &Links) -> Duration {
        if !batch.changes.any() {
            batch.reset();
            return Duration::ZERO;
        }
        links.heartbeat.busy("publishing a new snapshot");
        let started = Instant::now();
        let big = batch.changes.pages.len() >= BIG_PUBLISH_PAGES;
        let (metrics, arrivals) = (&self.metrics, &batch.arrivals);
        let mut first = true;
        let published = self
            .publisher
            .publish(&mut self.store, &batch.changes, &mut |snapshot| {
                let old = links.hand_over(Arc::clone(&snapshot));
                // The feeds' snapshot is the one readers waited for.
                if std::mem::take(&mut first) {
                    work::record_publish(metrics, &old, &snapshot, started.elapsed(), arrivals);
                }
            });
        match published {
            // Counted once readers can see them.
            Ok(()) => self.count_channels(),
            Err(err) => {
                tracing::error!("publishing: {err}");
                if let PublishError::Store(err) = &err {
                    self.note_fatal(err);
                }
            }
        }
        if big {
            // Its renders freed tens of megabytes the allocator would keep.
            release_free_memory();
        }
        batch.reset();
        started.elapsed()
    }

    /// Swaps in `snapshot` for the HTTP tasks and records its metrics.
    pub(super) fn serve(
        &mut self,
        snapshot: Arc<Published>,
        started: Instant,
        arrivals: &[SystemTime],
        links: &Links,
    ) {
        let old = links.hand_over(Arc::clone(&snapshot));
        work::record_publish(&self.metrics, &old, &snapshot, started.elapsed(), arrivals);
        // Counted once readers can see them.
        self.count_channels();
    }
}

/// Hands memory freed after a burst back to the system: glibc keeps freed
/// blocks in its arenas, so a burst that rendered thousands of pages would
/// leave the process that much larger.
fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks glibc's own free lists; it takes no
    // pointer and is safe to call from any thread at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}
