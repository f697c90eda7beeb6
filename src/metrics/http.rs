//! HTTP request counters: by route kind and by status, a bounded grid of
//! 10 × 8 series, plus the share of conditional requests answered `304`.

use std::sync::atomic::{AtomicU64, Ordering};

use super::text::Text;

/// What a request asked for, for counting (never the path itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteKind {
    /// `/feed.*`, `/NAME/feed.*`.
    Feed,
    /// `/`.
    Index,
    /// `/items/SLUG.html`.
    Page,
    /// `/healthz`.
    Health,
    /// `/metrics`.
    Metrics,
    /// `/items/SLUG` (moved).
    Redirect,
    /// `/archive/K.*`, `/NAME/archive/K.*`.
    Archive,
    /// `/opml.xml`.
    Opml,
    /// `/websub` (the hub).
    WebSub,
    /// Anything else (unknown paths, refused ones).
    Other,
}

impl RouteKind {
    const ALL: [RouteKind; 10] = [
        RouteKind::Feed,
        RouteKind::Index,
        RouteKind::Page,
        RouteKind::Health,
        RouteKind::Metrics,
        RouteKind::Redirect,
        RouteKind::Archive,
        RouteKind::Opml,
        RouteKind::WebSub,
        RouteKind::Other,
    ];

    fn label(self) -> &'static str {
        match self {
            RouteKind::Feed => "feed",
            RouteKind::Index => "index",
            RouteKind::Page => "page",
            RouteKind::Health => "health",
            RouteKind::Metrics => "metrics",
            RouteKind::Redirect => "redirect",
            RouteKind::Archive => "archive",
            RouteKind::Opml => "opml",
            RouteKind::WebSub => "websub",
            RouteKind::Other => "other",
        }
    }

    /// Whether its responses carry validators (so a `304` is possible).
    fn cacheable(self) -> bool {
        matches!(
            self,
            RouteKind::Feed
                | RouteKind::Index
                | RouteKind::Page
                | RouteKind::Archive
                | RouteKind::Opml
        )
    }
}

/// Status labels: the codes a feed server answers most, then classes.
const STATUSES: [&str; 8] = ["200", "206", "304", "404", "410", "4xx", "5xx", "other"];

fn status_slot(status: u16) -> usize {
    match status {
        200 => 0,
        206 => 1,
        304 => 2,
        404 => 3,
        410 => 4,
        400..=499 => 5,
        500..=599 => 6,
        _ => 7,
    }
}

/// Requests answered, by route kind and status.
#[derive(Debug, Default)]
pub struct HttpCounters {
    counts: [[AtomicU64; STATUSES.len()]; RouteKind::ALL.len()],
}

impl HttpCounters {
    /// Counts one answered request.
    pub fn count(&self, kind: RouteKind, status: u16) {
        let row = RouteKind::ALL.iter().position(|k| *k == kind).unwrap_or(6);
        self.counts[row][status_slot(status)].fetch_add(1, Ordering::Relaxed);
    }

    fn get(&self, row: usize, slot: usize) -> u64 {
        self.counts[row][slot].load(Ordering::Relaxed)
    }

    /// Responses of every kind: `200`s, `304`s and the rest.
    pub fn totals(&self) -> (u64, u64, u64) {
        let (mut ok, mut not_modified, mut other) = (0, 0, 0);
        for row in 0..RouteKind::ALL.len() {
            for slot in 0..STATUSES.len() {
                let n = self.get(row, slot);
                match slot {
                    0 => ok += n,
                    2 => not_modified += n,
                    _ => other += n,
                }
            }
        }
        (ok, not_modified, other)
    }

    /// `304`s among the `200`s and `304`s of feeds, the index and pages.
    pub fn not_modified_ratio(&self) -> f64 {
        let (mut ok, mut not_modified) = (0, 0);
        for (row, kind) in RouteKind::ALL.iter().enumerate() {
            if kind.cacheable() {
                ok += self.get(row, 0);
                not_modified += self.get(row, 2);
            }
        }
        if ok + not_modified == 0 {
            0.0
        } else {
            not_modified as f64 / (ok + not_modified) as f64
        }
    }

    /// Writes the request counters and the ratio.
    pub fn write(&self, out: &mut Text) {
        let name = "bulletind_http_requests_total";
        out.family(
            name,
            "counter",
            "HTTP requests answered, by route kind and status.",
        );
        for (row, kind) in RouteKind::ALL.iter().enumerate() {
            for (slot, status) in STATUSES.iter().enumerate() {
                out.sample(
                    name,
                    &[("route", kind.label()), ("status", status)],
                    self.get(row, slot),
                );
            }
        }
        out.single(
            "bulletind_http_not_modified_ratio",
            "gauge",
            "Share of 304 among 200 and 304 answers for feeds, the index and pages, since start.",
            self.not_modified_ratio(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_fall_into_their_slots() {
        for (status, slot) in [
            (200, 0),
            (206, 1),
            (304, 2),
            (404, 3),
            (410, 4),
            (405, 5),
            (412, 5),
            (503, 6),
            (301, 7),
        ] {
            assert_eq!(status_slot(status), slot, "{status}");
        }
    }

    #[test]
    fn ratio_counts_only_cacheable_routes() {
        let c = HttpCounters::default();
        c.count(RouteKind::Feed, 200);
        c.count(RouteKind::Feed, 304);
        c.count(RouteKind::Page, 304);
        c.count(RouteKind::Health, 200);
        c.count(RouteKind::Feed, 404);
        assert!((c.not_modified_ratio() - 2.0 / 3.0).abs() < 1e-9);
    }
}
