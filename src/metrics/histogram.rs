//! A fixed-bucket histogram of atomics, for the few latencies we export.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use super::text::Text;

/// Bucket bounds in seconds for things measured in milliseconds to
/// seconds: ingest, render, inbox-to-publish.
pub const SECONDS_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// Observations counted into fixed buckets, with their sum.
#[derive(Debug)]
pub struct Histogram {
    bounds: &'static [f64],
    /// One count per bound plus one for `+Inf`; not cumulative.
    counts: Vec<AtomicU64>,
    /// The sum, as `f64` bits.
    sum: AtomicU64,
}

impl Histogram {
    /// A histogram over `bounds` (ascending).
    pub fn new(bounds: &'static [f64]) -> Histogram {
        Histogram {
            bounds,
            counts: (0..=bounds.len()).map(|_| AtomicU64::new(0)).collect(),
            sum: AtomicU64::new(0f64.to_bits()),
        }
    }

    /// A histogram of durations in seconds.
    pub fn seconds() -> Histogram {
        Histogram::new(SECONDS_BUCKETS)
    }

    /// Counts one observation.
    pub fn observe(&self, value: f64) {
        let slot = self
            .bounds
            .iter()
            .position(|&b| value <= b)
            .unwrap_or(self.bounds.len());
        self.counts[slot].fetch_add(1, Ordering::Relaxed);
        let mut old = self.sum.load(Ordering::Relaxed);
        loop {
            let new = (f64::from_bits(old) + value).to_bits();
            match self
                .sum
                .compare_exchange_weak(old, new, Ordering::Relaxed, Ordering::Relaxed)
            {
                Ok(_) => break,
                Err(now) => old = now,
            }
        }
    }

    /// Counts a duration, in seconds.
    pub fn observe_duration(&self, took: Duration) {
        self.observe(took.as_secs_f64());
    }

    /// Observations so far.
    pub fn count(&self) -> u64 {
        self.counts.iter().map(|c| c.load(Ordering::Relaxed)).sum()
    }

    /// Writes the `_bucket`, `_sum` and `_count` samples.
    pub fn write(&self, out: &mut Text, name: &str, help: &str) {
        out.family(name, "histogram", help);
        let mut cumulative = 0;
        let bucket = format!("{name}_bucket");
        for (i, count) in self.counts.iter().enumerate() {
            cumulative += count.load(Ordering::Relaxed);
            let le = match self.bounds.get(i) {
                Some(b) => b.to_string(),
                None => "+Inf".to_string(),
            };
            out.sample(&bucket, &[("le", &le)], cumulative);
        }
        let sum = f64::from_bits(self.sum.load(Ordering::Relaxed));
        out.sample(&format!("{name}_sum"), &[], sum);
        out.sample(&format!("{name}_count"), &[], cumulative);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_cumulative_and_inf_counts_all() {
        let h = Histogram::new(&[0.25, 1.0]);
        for v in [0.125, 0.25, 0.5, 7.0] {
            h.observe(v);
        }
        let mut out = Text::default();
        h.write(&mut out, "x_seconds", "X.");
        let text = out.finish();
        for line in [
            "x_seconds_bucket{le=\"0.25\"} 2",
            "x_seconds_bucket{le=\"1\"} 3",
            "x_seconds_bucket{le=\"+Inf\"} 4",
            "x_seconds_sum 7.875",
            "x_seconds_count 4",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} missing in\n{text}");
        }
        assert_eq!(h.count(), 4);
    }
}
