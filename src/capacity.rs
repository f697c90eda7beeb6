//! File descriptors: raises the soft `RLIMIT_NOFILE` to the hard limit at
//! start (as nginx and most servers do: systemd starts services with a soft
//! limit of 1024), and sizes the connection cap from what it got.

use rustix::process::{getrlimit, setrlimit, Resource, Rlimit};

/// Descriptors kept back from the connection cap, as a share of the limit
/// (a quarter), but at least [`MIN_RESERVE`] and at most [`MAX_RESERVE`]:
/// the database, inotify, the listeners, files being ingested, the feeds
/// folder being written, and permalink pages read by up to 512 blocking
/// threads at once.
const RESERVE_SHARE: u64 = 4;
/// See [`RESERVE_SHARE`].
const MIN_RESERVE: u64 = 64;
/// See [`RESERVE_SHARE`].
const MAX_RESERVE: u64 = 1024;

/// The soft limit aimed at when the hard limit is unlimited: Linux's
/// default `fs.nr_open`.
const UNLIMITED_TARGET: u64 = 1 << 20;

/// The descriptor limits before and after [`raise_nofile`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Nofile {
    /// Soft limit found at start.
    pub was: u64,
    /// Soft limit now.
    pub soft: u64,
    /// Hard limit.
    pub hard: u64,
}

/// Raises the soft descriptor limit to the hard one. Failure (a seccomp
/// filter, an exotic platform) is no reason not to run: the cap then
/// follows the lower limit, and the error is returned for the log.
pub fn raise_nofile() -> (Nofile, Option<std::io::Error>) {
    let current = getrlimit(Resource::Nofile);
    let was = current.current.unwrap_or(u64::MAX);
    // An unlimited hard limit still cannot be reached (the kernel's
    // fs.nr_open bounds it): aim at a million descriptors then.
    let hard = current.maximum.unwrap_or(UNLIMITED_TARGET);
    if was >= hard {
        return (
            Nofile {
                was,
                soft: was,
                hard,
            },
            None,
        );
    }
    let wanted = Rlimit {
        current: Some(hard),
        maximum: current.maximum,
    };
    match setrlimit(Resource::Nofile, wanted) {
        Ok(()) => (
            Nofile {
                was,
                soft: hard,
                hard,
            },
            None,
        ),
        Err(err) => (
            Nofile {
                was,
                soft: was,
                hard,
            },
            Some(err.into()),
        ),
    }
}

/// The current soft descriptor limit.
pub fn current_nofile() -> u64 {
    getrlimit(Resource::Nofile).current.unwrap_or(u64::MAX)
}

/// How many connections fit under a soft limit of `nofile` descriptors.
pub fn connections_for(nofile: u64) -> usize {
    let reserve = (nofile / RESERVE_SHARE).clamp(MIN_RESERVE, MAX_RESERVE);
    let room = nofile.saturating_sub(reserve).max(1);
    usize::try_from(room).unwrap_or(usize::MAX)
}

/// The connection cap the daemon serves with: what was asked for, but no
/// more than the descriptors allow.
pub fn connection_cap(asked: usize, nofile: u64) -> usize {
    asked.min(connections_for(nofile)).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cap_follows_the_descriptor_limit() {
        for (asked, nofile, want) in [
            (16384, 1024, 768),
            (16384, 65536, 16384),
            (16384, 20000, 16384),
            (30000, 20000, 18976),
            (500, 65536, 500),
            (16384, 100, 36),
            (16384, 10, 1),
            (16384, u64::MAX, 16384),
        ] {
            assert_eq!(connection_cap(asked, nofile), want, "{asked} {nofile}");
        }
    }

    #[test]
    fn raising_leaves_soft_equal_to_hard() {
        let (limits, err) = raise_nofile();
        assert!(err.is_none(), "{err:?}");
        assert_eq!(limits.soft, limits.hard);
        assert_eq!(current_nofile(), limits.soft);
    }
}
