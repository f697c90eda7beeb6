//! Deciding when a file is complete. Pure: the caller feeds observations
//! (size and mtime from `stat`) and the current instant, and asks which
//! files are ready.
//!
//! A file is ready at once when the writer says so (close-after-write, or
//! a rename into the folder); otherwise when its size and mtime have stayed
//! the same for the settle interval.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime};

/// What `stat` said about a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Observation {
    /// Size in bytes.
    pub size: u64,
    /// Last modification time.
    pub mtime: Option<SystemTime>,
}

#[derive(Debug, Clone, Copy)]
struct Pending {
    last: Option<Observation>,
    since: Instant,
}

/// Files waiting to settle.
#[derive(Debug, Default)]
pub struct Settler {
    pending: HashMap<PathBuf, Pending>,
}

impl Settler {
    /// Notes activity on `path`: it must now stay unchanged for a whole
    /// interval, measured from `now`.
    pub fn touch(&mut self, path: PathBuf, now: Instant) {
        self.pending.insert(
            path,
            Pending {
                last: None,
                since: now,
            },
        );
    }

    /// Forgets `path` (it was ingested on a hint, or it is gone).
    pub fn forget(&mut self, path: &std::path::Path) {
        self.pending.remove(path);
    }

    /// Whether anything is waiting.
    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    /// Checks every pending file with `observe` (`None` = the file is gone)
    /// and returns those unchanged for at least `settle`, removing them.
    pub fn ready(
        &mut self,
        now: Instant,
        settle: Duration,
        mut observe: impl FnMut(&std::path::Path) -> Option<Observation>,
    ) -> Vec<PathBuf> {
        let mut done = Vec::new();
        self.pending.retain(|path, p| {
            let Some(obs) = observe(path) else {
                return false;
            };
            if p.last != Some(obs) {
                // First look, or it changed: start the interval again.
                if p.last.is_some() {
                    p.since = now;
                }
                p.last = Some(obs);
            }
            if p.last == Some(obs) && now.duration_since(p.since) >= settle {
                done.push(path.clone());
                return false;
            }
            true
        });
        done.sort();
        done
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
    fn settles_only_after_a_quiet_interval() {
        let t0 = Instant::now();
        let ms = |n| t0 + Duration::from_millis(n);
        let mut s = Settler::default();
        s.touch("a".into(), t0);
        // (time, size seen, expect ready)
        let steps = [
            (100, 1, false),
            (300, 2, false),
            (700, 2, false),
            (850, 2, true),
        ];
        for (t, size, want) in steps {
            let got = s.ready(ms(t), S, |_| obs(size));
            assert_eq!(!got.is_empty(), want, "at {t} ms");
        }
        assert!(s.is_empty());
    }

    #[test]
    fn gone_files_are_dropped_and_touch_restarts() {
        let t0 = Instant::now();
        let mut s = Settler::default();
        s.touch("gone".into(), t0);
        assert!(s.ready(t0 + S * 2, S, |_| None).is_empty());
        assert!(s.is_empty());

        s.touch("b".into(), t0);
        assert!(
            s.ready(t0 + S, S, |_| obs(1)).len() == 1,
            "unchanged since the touch"
        );
        s.touch("b".into(), t0 + S);
        assert!(
            s.ready(t0 + S + S / 2, S, |_| obs(1)).is_empty(),
            "touched again: wait a full interval"
        );
        s.forget(std::path::Path::new("b"));
        assert!(s.is_empty());
    }
}
