//! Counters shared between the daemon's tasks and `/metrics`.
//!
//! Plain atomics: writers are the ingest and HTTP tasks, the reader is the
//! metrics endpoint, and nobody needs a consistent snapshot across counters.

use std::sync::atomic::{AtomicU64, Ordering};

/// Process-wide counters and gauges, exposed in Prometheus text format.
#[derive(Debug, Default)]
pub struct Metrics {
    /// Items currently published (not retracted), all channels.
    pub items: AtomicU64,
    /// Bulletin files ingested successfully since start.
    pub bulletins_ingested: AtomicU64,
    /// Bulletin files rejected and quarantined since start.
    pub bulletins_quarantined: AtomicU64,
    /// Feed renders since start.
    pub renders: AtomicU64,
    /// HTTP responses with status 200.
    pub responses_ok: AtomicU64,
    /// HTTP responses with status 304.
    pub responses_not_modified: AtomicU64,
    /// HTTP responses with another status.
    pub responses_other: AtomicU64,
}

impl Metrics {
    /// Adds one to a counter.
    pub fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// Prometheus text exposition of every metric.
    pub fn to_prometheus(&self) -> String {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let mut out = String::new();
        let mut metric = |name: &str, kind: &str, help: &str, value: String| {
            out.push_str(&format!(
                "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}\n"
            ));
        };
        metric(
            "bulletind_items",
            "gauge",
            "Items currently published.",
            get(&self.items).to_string(),
        );
        metric(
            "bulletind_bulletins_ingested_total",
            "counter",
            "Bulletin files ingested since start.",
            get(&self.bulletins_ingested).to_string(),
        );
        metric(
            "bulletind_bulletins_quarantined_total",
            "counter",
            "Bulletin files rejected and quarantined since start.",
            get(&self.bulletins_quarantined).to_string(),
        );
        metric(
            "bulletind_renders_total",
            "counter",
            "Feed renders since start.",
            get(&self.renders).to_string(),
        );
        out.push_str("# HELP bulletind_http_responses_total HTTP responses by status class.\n");
        out.push_str("# TYPE bulletind_http_responses_total counter\n");
        for (status, c) in [
            ("200", &self.responses_ok),
            ("304", &self.responses_not_modified),
            ("other", &self.responses_other),
        ] {
            out.push_str(&format!(
                "bulletind_http_responses_total{{status=\"{status}\"}} {}\n",
                get(c)
            ));
        }
        out
    }
}
