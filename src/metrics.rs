//! Counters shared between the daemon's tasks and `/metrics`.
//!
//! Plain atomics: writers are the ingest and HTTP tasks, the reader is the
//! metrics endpoint, and nobody needs a consistent snapshot across counters.
//! Label sets are bounded: channels (one per inbox folder), route kinds and
//! status classes; never paths.
//!
//! Layout: [`histogram`] (fixed buckets), [`http`] (requests by route kind
//! and status), `text` (the exposition format), [`websub`] (the hub).

pub mod histogram;
pub mod http;
mod text;
pub mod websub;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use histogram::Histogram;
use http::HttpCounters;
use text::Text;

/// One channel's holdings, for the per-channel gauges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelCounts {
    /// Channel name (`""` for the main channel).
    pub name: String,
    /// Published items.
    pub items: u64,
    /// Bulletin files currently published from.
    pub bulletins: u64,
}

/// The last bulletin ingested.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastIngest {
    /// When, unix seconds.
    pub at: i64,
    /// Its path relative to the inbox.
    pub file: String,
}

/// Process-wide counters and gauges, exposed in Prometheus text format.
#[derive(Debug)]
pub struct Metrics {
    /// Items currently published (not retracted), all channels.
    pub items: AtomicU64,
    /// Bulletin files ingested successfully since start.
    pub bulletins_ingested: AtomicU64,
    /// Bulletin files rejected and quarantined since start.
    pub bulletins_quarantined: AtomicU64,
    /// Items that appeared for the first time.
    pub items_added: AtomicU64,
    /// Items whose content or date changed.
    pub items_updated: AtomicU64,
    /// Items withdrawn from the feeds.
    pub items_retracted: AtomicU64,
    /// Feed renders since start.
    pub renders: AtomicU64,
    /// Bytes of documents rendered with new bytes (feeds, index).
    pub render_bytes: AtomicU64,
    /// Bytes of the snapshot being served (every copy of every document).
    pub snapshot_bytes: AtomicU64,
    /// Requests by route kind and status.
    pub http: HttpCounters,
    /// Connections being served.
    pub connections_open: AtomicU64,
    /// Connections closed unserved because the cap was reached.
    pub connections_refused: AtomicU64,
    /// The connection cap in force.
    pub connections_max: AtomicU64,
    /// Reloads that applied a new configuration, and ones that failed.
    pub reloads_ok: AtomicU64,
    /// See [`Metrics::reloads_ok`].
    pub reloads_failed: AtomicU64,
    /// From a bulletin's arrival in the inbox to the snapshot holding it.
    pub inbox_to_publish: Histogram,
    /// Reading, parsing and storing one bulletin.
    pub ingest_duration: Histogram,
    /// Rendering and publishing one snapshot.
    pub render_duration: Histogram,
    /// Per channel: items and bulletins.
    pub channels: Mutex<Vec<ChannelCounts>>,
    /// The last bulletin ingested.
    pub last_ingest: Mutex<Option<LastIngest>>,
    /// The WebSub hub's counters.
    pub websub: websub::WebSubMetrics,
    /// 1 while this node runs ingest (always, on SQLite).
    pub ingest_node: AtomicU64,
    /// 1 while the shared database is unreachable (the last snapshot is
    /// served).
    pub store_degraded: AtomicU64,
}

impl Default for Metrics {
    fn default() -> Metrics {
        let zero = || AtomicU64::new(0);
        Metrics {
            items: zero(),
            bulletins_ingested: zero(),
            bulletins_quarantined: zero(),
            items_added: zero(),
            items_updated: zero(),
            items_retracted: zero(),
            renders: zero(),
            render_bytes: zero(),
            snapshot_bytes: zero(),
            http: HttpCounters::default(),
            connections_open: zero(),
            connections_refused: zero(),
            connections_max: zero(),
            reloads_ok: zero(),
            reloads_failed: zero(),
            inbox_to_publish: Histogram::seconds(),
            ingest_duration: Histogram::seconds(),
            render_duration: Histogram::seconds(),
            channels: Mutex::new(Vec::new()),
            last_ingest: Mutex::new(None),
            websub: websub::WebSubMetrics::default(),
            ingest_node: AtomicU64::new(1),
            store_degraded: zero(),
        }
    }
}

/// Reads a counter.
fn get(c: &AtomicU64) -> u64 {
    c.load(Ordering::Relaxed)
}

impl Metrics {
    /// Adds one to a counter.
    pub fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// Adds `n` to a counter.
    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    /// The per-channel counts.
    pub fn channel_counts(&self) -> Vec<ChannelCounts> {
        lock(&self.channels).clone()
    }

    /// The last bulletin ingested.
    pub fn last_ingest(&self) -> Option<LastIngest> {
        lock(&self.last_ingest).clone()
    }

    /// Replaces the per-channel counts.
    pub fn set_channels(&self, counts: Vec<ChannelCounts>) {
        *lock(&self.channels) = counts;
    }

    /// Records a successful ingest of `file`.
    pub fn ingested(&self, file: String, at: i64) {
        *lock(&self.last_ingest) = Some(LastIngest { at, file });
    }

    /// Prometheus text exposition of every metric.
    pub fn to_prometheus(&self) -> String {
        let mut out = Text::default();
        out.family(
            "bulletind_build_info",
            "gauge",
            "Always 1; the version in a label.",
        );
        out.sample(
            "bulletind_build_info",
            &[("version", env!("CARGO_PKG_VERSION"))],
            1,
        );
        self.write_content(&mut out);
        self.write_work(&mut out);
        self.write_http(&mut out);
        self.websub.write(&mut out);
        out.finish()
    }

    fn write_content(&self, out: &mut Text) {
        out.single(
            "bulletind_items",
            "gauge",
            "Items currently published.",
            get(&self.items),
        );
        let channels = self.channel_counts();
        out.family(
            "bulletind_channel_items",
            "gauge",
            "Items currently published, per channel (\"\" is the main channel).",
        );
        for c in &channels {
            out.sample("bulletind_channel_items", &[("channel", &c.name)], c.items);
        }
        out.family(
            "bulletind_channel_bulletins",
            "gauge",
            "Bulletin files currently published from, per channel.",
        );
        for c in &channels {
            out.sample(
                "bulletind_channel_bulletins",
                &[("channel", &c.name)],
                c.bulletins,
            );
        }
        let last = self.last_ingest().map_or(0, |l| l.at);
        out.single(
            "bulletind_last_ingest_timestamp_seconds",
            "gauge",
            "When a bulletin was last ingested (0: not since start).",
            last,
        );
    }

    fn write_work(&self, out: &mut Text) {
        for (name, help, c) in [
            (
                "bulletind_bulletins_ingested_total",
                "Bulletin files ingested since start.",
                &self.bulletins_ingested,
            ),
            (
                "bulletind_bulletins_quarantined_total",
                "Bulletin files rejected and quarantined since start.",
                &self.bulletins_quarantined,
            ),
            (
                "bulletind_items_added_total",
                "Items published for the first time since start.",
                &self.items_added,
            ),
            (
                "bulletind_items_updated_total",
                "Items whose content or date changed since start.",
                &self.items_updated,
            ),
            (
                "bulletind_items_retracted_total",
                "Items withdrawn from the feeds since start.",
                &self.items_retracted,
            ),
            (
                "bulletind_renders_total",
                "Feed renders since start.",
                &self.renders,
            ),
            (
                "bulletind_render_bytes_total",
                "Bytes of feeds and index rendered with new content since start.",
                &self.render_bytes,
            ),
            (
                "bulletind_reloads_total",
                "Reloads that applied a configuration since start.",
                &self.reloads_ok,
            ),
            (
                "bulletind_reload_failures_total",
                "Reloads refused (invalid configuration) since start.",
                &self.reloads_failed,
            ),
        ] {
            out.single(name, "counter", help, get(c));
        }
        let (errors, warnings) = crate::logging::counts();
        out.family(
            "bulletind_log_messages_total",
            "counter",
            "Log lines written since start, by level.",
        );
        out.sample(
            "bulletind_log_messages_total",
            &[("level", "error")],
            errors,
        );
        out.sample(
            "bulletind_log_messages_total",
            &[("level", "warn")],
            warnings,
        );
        out.single(
            "bulletind_ingest_node",
            "gauge",
            "1 while this node runs ingest (holds the lock, on a shared PostgreSQL store).",
            get(&self.ingest_node),
        );
        out.single(
            "bulletind_store_degraded",
            "gauge",
            "1 while the shared database is unreachable and the last snapshot is served.",
            get(&self.store_degraded),
        );
        out.single(
            "bulletind_snapshot_bytes",
            "gauge",
            "Bytes of the feeds and index served from memory, all copies.",
            get(&self.snapshot_bytes),
        );
        self.inbox_to_publish.write(
            out,
            "bulletind_inbox_to_publish_seconds",
            "From a bulletin landing in the inbox (its ctime) to the snapshot serving it.",
        );
        self.ingest_duration.write(
            out,
            "bulletind_ingest_duration_seconds",
            "Reading, parsing and storing one inbox event.",
        );
        self.render_duration.write(
            out,
            "bulletind_render_duration_seconds",
            "Rendering and publishing one snapshot.",
        );
    }

    fn write_http(&self, out: &mut Text) {
        out.family(
            "bulletind_http_responses_total",
            "counter",
            "HTTP responses by status class.",
        );
        let (ok, not_modified, other) = self.http.totals();
        for (status, n) in [("200", ok), ("304", not_modified), ("other", other)] {
            out.sample("bulletind_http_responses_total", &[("status", status)], n);
        }
        self.http.write(out);
        out.single(
            "bulletind_http_connections_open",
            "gauge",
            "Connections being served.",
            get(&self.connections_open),
        );
        out.single(
            "bulletind_http_connections_max",
            "gauge",
            "Connection cap in force (from max_connections and RLIMIT_NOFILE).",
            get(&self.connections_max),
        );
        out.single(
            "bulletind_http_connections_refused_total",
            "counter",
            "Connections closed unserved because the cap was reached.",
            get(&self.connections_refused),
        );
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exposition_has_help_type_and_channel_labels() {
        let m = Metrics::default();
        m.set_channels(vec![ChannelCounts {
            name: "江海".into(),
            items: 3,
            bulletins: 1,
        }]);
        m.http.count(http::RouteKind::Feed, 304);
        let text = m.to_prometheus();
        assert!(
            text.contains("bulletind_channel_items{channel=\"江海\"} 3"),
            "{text}"
        );
        assert!(text.contains("bulletind_build_info{version=\""), "{text}");
        assert!(
            text.contains("bulletind_http_requests_total{route=\"feed\",status=\"304\"} 1"),
            "{text}"
        );
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let name = line.split(['{', ' ']).next().unwrap_or_default();
            let family = name
                .trim_end_matches("_bucket")
                .trim_end_matches("_sum")
                .trim_end_matches("_count");
            assert!(
                text.contains(&format!("# TYPE {name} "))
                    || text.contains(&format!("# TYPE {family} ")),
                "no TYPE for {line}"
            );
        }
    }
}
