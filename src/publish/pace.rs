//! The size of the backlog's batches, kept to about [`TARGET`] each: the
//! ingest thread renders the backlog between inbox events, so a bulletin
//! dropped meanwhile waits for at most about one batch.

use std::time::Duration;

/// How long one batch should take.
pub(super) const TARGET: Duration = Duration::from_millis(10);

/// A batch size that halves after a batch took over 1.5 × [`TARGET`] and
/// doubles after one took under half of it, within `min..=max`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Pace {
    size: usize,
    min: usize,
    max: usize,
}

impl Pace {
    /// Starts at `min`: the first batch of a backlog is the slowest (cold
    /// caches), and a small one costs little.
    pub(super) const fn new(min: usize, max: usize) -> Pace {
        Pace {
            size: min,
            min,
            max,
        }
    }

    /// The size of the next batch.
    pub(super) fn size(&self) -> usize {
        self.size
    }

    /// Records how long a batch of [`Pace::size`] took.
    pub(super) fn took(&mut self, elapsed: Duration) {
        if elapsed > TARGET * 3 / 2 {
            self.size = (self.size / 2).max(self.min);
        } else if elapsed < TARGET / 2 {
            self.size = (self.size * 2).min(self.max);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_size_follows_the_time_batches_take() {
        let mut pace = Pace::new(1, 16);
        assert_eq!(pace.size(), 1);
        for _ in 0..10 {
            pace.took(Duration::from_millis(1));
        }
        assert_eq!(pace.size(), 16, "grows to its bound");
        pace.took(TARGET);
        assert_eq!(pace.size(), 16, "a batch on target changes nothing");
        pace.took(TARGET * 4);
        assert_eq!(pace.size(), 8);
        for _ in 0..10 {
            pace.took(Duration::from_secs(1));
        }
        assert_eq!(pace.size(), 1, "shrinks to its bound");
    }
}
