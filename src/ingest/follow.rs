//! The ingest thread of a node that does not hold the ingest lock: it
//! renders what the ingest node's publication log names, so that it
//! serves the same documents, and ignores the inbox until it takes over.

use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::Duration;

use super::{Ingestor, Links, Work};
use crate::inbox::InboxEvent;
use crate::store::{Changes, Since, StoreError};

/// How often a follower reads the log without being woken: the
/// notifications are the fast path, this the safety net.
const POLL: Duration = Duration::from_secs(1);

/// How a follower's watch ended.
pub(super) enum Next {
    /// This node holds the ingest lock now.
    Lead,
    /// The daemon is stopping.
    Stop,
}

impl Ingestor {
    /// Makes this node a follower from the start: nothing is ingested, and
    /// the log is followed from its newest entry on (the start renders what
    /// this node's feeds folder lacks).
    pub fn become_follower(&mut self) -> Result<(), StoreError> {
        self.store.set_follower(true);
        self.followed = self.store.newest_publication()?;
        Ok(())
    }

    /// Follows the log until this node takes over ingest or the daemon
    /// stops.
    pub(super) fn follow(&mut self, work: &Receiver<Work>, links: &Links) -> Result<Next, String> {
        // What the start left (copies, the feeds folder, archive documents),
        // as the ingest node does first: a follower whose start already saw
        // the newest entry may get no entry to refresh for a long time.
        while self.catch_up(links) && !links.stop.load(Ordering::Relaxed) {}
        links.heartbeat.idle();
        loop {
            if links.stop.load(Ordering::Relaxed) {
                return Ok(Next::Stop);
            }
            match work.recv_timeout(POLL) {
                Ok(Work::Lead) => return Ok(Next::Lead),
                Ok(Work::Inbox(InboxEvent::Scanned)) => {
                    links.scans.send_modify(|n| *n += 1);
                }
                // The ingest node reads the inbox.
                Ok(Work::Inbox(_) | Work::Follow) => continue,
                Ok(Work::Reconfigure(request)) => self.apply_reload(request, links),
                Ok(Work::Refresh) | Err(RecvTimeoutError::Timeout) => self.refresh(links),
                Err(RecvTimeoutError::Disconnected) => return Ok(Next::Stop),
            }
            links.heartbeat.idle();
        }
    }

    /// Renders what the log added since the last call.
    fn refresh(&mut self, links: &Links) {
        links.heartbeat.busy("following the ingest node");
        if let Err(err) = self.try_refresh(links) {
            tracing::warn!("following the ingest node: {err}");
            if let Err(err) = self.store.reconnect() {
                tracing::debug!("reconnecting to the database: {err}");
            }
        }
    }

    fn try_refresh(&mut self, links: &Links) -> Result<(), crate::publish::PublishError> {
        let mut changes = Changes {
            settings: true,
            ..Changes::default()
        };
        match self.store.publications_since(self.followed)? {
            Since::Entries(entries) if entries.is_empty() => return Ok(()),
            Since::Entries(entries) => {
                for (gen, publication) in entries {
                    self.store.mark_published(&publication);
                    changes.channels.extend(publication.channels);
                    changes.pages.extend(publication.pages);
                    self.followed = gen;
                }
            }
            Since::Gap(newest) => {
                tracing::info!("fell behind the ingest node's log: rendering everything again");
                self.store.mark_all_dirty()?;
                self.store.mark_all_archives_dirty()?;
                let (channels, _) = self.store.dirty()?;
                changes.channels.extend(channels);
                self.followed = newest;
            }
        }
        self.publisher
            .publish(&mut self.store, &changes, &mut |snapshot| {
                links.hand_over(snapshot);
            })?;
        // Pages left (after a gap) and archive documents, then the copies.
        while self.catch_up(links) && !links.stop.load(Ordering::Relaxed) {}
        self.count_channels();
        Ok(())
    }

    /// Takes over ingest: what the database marks due (a node that died
    /// mid-publish left it) is rendered, and the rescan the role session
    /// asked for brings in what the inbox holds.
    pub(super) fn take_over(&mut self, links: &Links) {
        self.store.set_follower(false);
        let due = self.store.dirty().map(|(channels, pages)| Changes {
            channels: channels.into_iter().collect(),
            pages: pages.into_iter().collect(),
            settings: true,
            ..Changes::default()
        });
        let mut serve = |snapshot| {
            links.hand_over(snapshot);
        };
        if let Err(err) = due
            .map_err(Into::into)
            .and_then(|c| self.publisher.publish(&mut self.store, &c, &mut serve))
        {
            tracing::error!("taking over ingest: {err}");
        }
    }

    /// Stops ingesting (the database session was lost): follows from the
    /// newest entry, or (the database cannot say) the last one this node
    /// logged.
    pub(super) fn step_down(&mut self) {
        self.store.set_follower(true);
        self.followed = self
            .store
            .newest_publication()
            .unwrap_or_else(|_| self.store.logged().max(self.followed));
    }
}
