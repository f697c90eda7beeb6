//! Deciding when a file is complete, and when it is really gone. Pure: the
//! watcher reports what it saw and the current instant, and asks which files
//! are ready and which are gone.
//!
//! A file is complete at once when its writer says so: a close after
//! writing, or a rename into the folder. Once a write has been seen, only
//! the writer's close (or a rename) completes the file, however long the
//! writer pauses. A file that appears without a write (hard-linked in, or
//! an attribute changed) is complete once its size and mtime have stayed the
//! same for the settle interval. A recent file found by a scan (at start, in
//! a channel folder that just appeared, after lost events) may have a writer
//! whose earlier events we never saw: it waits [`UNSURE_FACTOR`] settle
//! intervals of quiet instead, and any write seen meanwhile makes it wait
//! for the close. A file that just appeared empty never completes by
//! waiting, since its writer may not have started; a scanned one does,
//! after the longer wait.
//!
//! A file that disappears is reported gone only if it has not come back
//! within the settle interval, so that an editor replacing a file (rename
//! the old one away, write the new one) is an edit, not a retraction.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

/// What `stat` said about a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Observation {
    /// Size in bytes.
    pub size: u64,
    /// Last modification time.
    pub mtime: Option<SystemTime>,
}

/// How many settle intervals (at least [`UNSURE_MIN`]) a recent file found
/// by a scan must stay unchanged: a writer pausing between writes shows no
/// event in a pause, and events before the scan were not seen.
pub const UNSURE_FACTOR: u32 = 4;
/// The least time a recent file found by a scan must stay unchanged.
pub const UNSURE_MIN: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, Copy)]
enum Pending {
    /// No write seen: complete once unchanged for `quiet` (and not empty,
    /// unless `allow_empty`).
    Settling {
        last: Option<Observation>,
        since: Instant,
        quiet: Duration,
        allow_empty: bool,
    },
    /// A write was seen: complete on the writer's close.
    Writing,
}

/// What the tracker decided on a tick.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Decisions {
    /// Files now complete.
    pub ready: Vec<PathBuf>,
    /// Files gone for good.
    pub gone: Vec<PathBuf>,
}

/// Files waiting to complete or to be confirmed gone.
#[derive(Debug)]
pub struct Tracker {
    settle: Duration,
    pending: HashMap<PathBuf, Pending>,
    vanished: HashMap<PathBuf, Instant>,
}

impl Tracker {
    /// A tracker with this settle interval.
    pub fn new(settle: Duration) -> Tracker {
        Tracker {
            settle,
            pending: HashMap::new(),
            vanished: HashMap::new(),
        }
    }

    /// Whether anything is waiting (the watcher ticks only then).
    pub fn is_idle(&self) -> bool {
        self.pending.is_empty() && self.vanished.is_empty()
    }

    /// A file appeared or changed without a write being seen (creation,
    /// hard link, attribute change): it must settle.
    pub fn appeared(&mut self, path: PathBuf, now: Instant) {
        self.settle_for(path, now, self.settle);
    }

    /// A recent file was found by a scan: a writer may have it open.
    pub fn discovered(&mut self, path: PathBuf, now: Instant) {
        let quiet = (self.settle * UNSURE_FACTOR).max(UNSURE_MIN);
        self.settle_for(path, now, quiet);
    }

    fn settle_for(&mut self, path: PathBuf, now: Instant, quiet: Duration) {
        // An empty file completes by waiting only after the longer wait.
        let allow_empty = quiet > self.settle;
        self.vanished.remove(&path);
        if let Some(Pending::Writing) = self.pending.get(&path) {
            return;
        }
        self.pending.insert(
            path,
            Pending::Settling {
                last: None,
                since: now,
                quiet,
                allow_empty,
            },
        );
    }

    /// A write to the file was seen: wait for its writer's close.
    pub fn written(&mut self, path: PathBuf) {
        self.vanished.remove(&path);
        self.pending.insert(path, Pending::Writing);
    }

    /// The writer closed the file, or it was renamed into place: complete.
    /// Returns whether it counts as ready (it always does).
    pub fn completed(&mut self, path: &Path) {
        self.pending.remove(path);
        self.vanished.remove(path);
    }

    /// Whether a write was seen and its close is awaited.
    pub fn is_writing(&self, path: &Path) -> bool {
        matches!(self.pending.get(path), Some(Pending::Writing))
    }

    /// The file disappeared (deleted, or renamed away).
    pub fn vanished(&mut self, path: PathBuf, now: Instant) {
        self.pending.remove(&path);
        self.vanished.insert(path, now);
    }

    /// Forgets everything about paths under `dir` (a channel folder gone).
    pub fn forget_under(&mut self, dir: &Path) {
        self.pending.retain(|p, _| !p.starts_with(dir));
        self.vanished.retain(|p, _| !p.starts_with(dir));
    }

    /// Events may have been lost: files waiting for a close fall back to
    /// settling, since their close may have been among the lost.
    pub fn events_lost(&mut self, now: Instant) {
        let quiet = (self.settle * UNSURE_FACTOR).max(UNSURE_MIN);
        for pending in self.pending.values_mut() {
            if matches!(pending, Pending::Writing) {
                *pending = Pending::Settling {
                    last: None,
                    since: now,
                    quiet,
                    allow_empty: true,
                };
            }
        }
    }

    /// Checks settling files with `observe` (`None` = the file is gone) and
    /// vanished files' grace, and returns what is decided.
    pub fn tick(
        &mut self,
        now: Instant,
        mut observe: impl FnMut(&Path) -> Option<Observation>,
    ) -> Decisions {
        let settle = self.settle;
        let mut decisions = Decisions::default();
        // `settle` is also the grace of vanished files.
        self.pending.retain(|path, pending| {
            let Pending::Settling {
                last,
                since,
                quiet,
                allow_empty,
            } = pending
            else {
                return true;
            };
            let Some(obs) = observe(path) else {
                return false;
            };
            if *last != Some(obs) {
                // First look, or it changed: start the interval again.
                if last.is_some() {
                    *since = now;
                }
                *last = Some(obs);
            }
            if (obs.size > 0 || *allow_empty) && now.duration_since(*since) >= *quiet {
                decisions.ready.push(path.clone());
                return false;
            }
            true
        });
        self.vanished.retain(|path, when| {
            if now.duration_since(*when) >= settle {
                decisions.gone.push(path.clone());
                false
            } else {
                true
            }
        });
        decisions.ready.sort();
        decisions.gone.sort();
        decisions
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Duration = Duration::from_millis(500);

    fn obs(size: u64) -> Option<Observation> {
        Some(Observation {
            size,
            mtime: Some(SystemTime::UNIX_EPOCH + Duration::from_secs(size)),
        })
    }

    #[test]
    fn unwritten_files_settle_after_a_quiet_interval() {
        let t0 = Instant::now();
        let ms = |n| t0 + Duration::from_millis(n);
        let mut t = Tracker::new(S);
        t.appeared("a".into(), t0);
        // (time, size seen, expect ready)
        for (at, size, want) in [
            (100, 1, false),
            (300, 2, false),
            (700, 2, false),
            (850, 2, true),
        ] {
            let got = t.tick(ms(at), |_| obs(size));
            assert_eq!(!got.ready.is_empty(), want, "at {at} ms");
        }
        assert!(t.is_idle());
    }

    #[test]
    fn empty_files_never_settle() {
        let t0 = Instant::now();
        let mut t = Tracker::new(S);
        t.appeared("a".into(), t0);
        for n in 1..10 {
            assert!(t.tick(t0 + S * n, |_| obs(0)).ready.is_empty());
        }
    }

    #[test]
    fn a_file_being_written_waits_for_its_close_however_slow() {
        let t0 = Instant::now();
        let mut t = Tracker::new(S);
        t.appeared("a".into(), t0);
        t.written("a".into());
        for n in 1..20 {
            // Three settle intervals and more between writes.
            assert!(t.tick(t0 + S * 3 * n, |_| obs(5)).ready.is_empty());
            t.appeared("a".into(), t0 + S * 3 * n); // attribute changes do not demote it
        }
        assert!(t.is_writing(Path::new("a")));
        t.completed(Path::new("a"));
        assert!(t.is_idle());
    }

    #[test]
    fn lost_events_demote_writers_to_settling() {
        let t0 = Instant::now();
        let mut t = Tracker::new(S);
        t.written("a".into());
        t.events_lost(t0);
        assert_eq!(t.tick(t0 + S, |_| obs(3)).ready, Vec::<PathBuf>::new());
        assert_eq!(
            t.tick(t0 + UNSURE_MIN, |_| obs(3)).ready,
            vec![PathBuf::from("a")]
        );
    }

    #[test]
    fn files_found_by_a_scan_wait_longer_and_a_write_makes_them_wait_for_close() {
        let t0 = Instant::now();
        let mut t = Tracker::new(S);
        t.discovered("a".into(), t0);
        t.discovered("b".into(), t0);
        assert!(t.tick(t0 + S * 2, |_| obs(3)).ready.is_empty());
        t.written("b".into());
        let got = t.tick(t0 + UNSURE_MIN, |_| obs(3));
        assert_eq!(got.ready, vec![PathBuf::from("a")]);
        assert!(t.is_writing(Path::new("b")));
    }

    #[test]
    fn a_file_that_comes_back_within_the_interval_is_not_gone() {
        let t0 = Instant::now();
        let mut t = Tracker::new(S);
        t.vanished("a".into(), t0);
        t.vanished("b".into(), t0);
        assert!(t.tick(t0 + S / 2, |_| obs(1)).gone.is_empty());
        t.written("a".into());
        t.completed(Path::new("a"));
        let got = t.tick(t0 + S, |_| obs(1));
        assert_eq!(got.gone, vec![PathBuf::from("b")]);
        assert!(t.is_idle());
    }

    #[test]
    fn gone_while_settling_is_dropped() {
        let t0 = Instant::now();
        let mut t = Tracker::new(S);
        t.appeared("a".into(), t0);
        assert_eq!(t.tick(t0 + S * 2, |_| None), Decisions::default());
        assert!(t.is_idle());
    }
}
