//! Items → bytes: RSS 2.0, Atom 1.0, JSON Feed 1.1, the HTML index and
//! permalink pages, each prepared once per change as an [`Entity`] with its
//! compressed copies and strong ETags.
//!
//! Layout: [`text`] (escaping, XML-illegal characters, summaries, URL
//! encoding), `site` (channels as publications), `language` (each
//! article's) and `content` (one item prepared for every format) feed
//! `feed` (current and archive documents) and the per-format writers `rss`,
//! `atom`, `json`, and `html` and `opml`; `stamp` renders a feed once for
//! any date of its own; `entity` ([`Entity::new`])
//! hashes and compresses the result once per change.
//! Nothing here reads a clock: the same items always give the same bytes
//! and the same ETags.

mod atom;
mod content;
mod entity;
mod feed;
mod html;
mod json;
mod language;
mod opml;
mod rss;
mod site;
mod stamp;
pub mod text;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use chrono::{DateTime, FixedOffset};

pub use entity::{
    digest, hex, quoted, Coding, Codings, Entity, Variant, COMPRESS_MIN_BYTES, ETAG_DIGEST_BYTES,
};
pub use feed::{archive_path, archive_url, render_document, render_feed, FeedDoc, Page};
pub use html::{render_index, render_item_page, PAGE_CSP};
pub use opml::{render_opml, OPML_PATH, OPML_TYPE};
pub use site::{Masthead, Site};
pub use stamp::{render_stamped, Stamped};

/// `Content-Type` of RSS feeds.
pub const RSS_TYPE: &str = "application/rss+xml; charset=utf-8";
/// `Content-Type` of Atom feeds.
pub const ATOM_TYPE: &str = "application/atom+xml; charset=utf-8";
/// `Content-Type` of JSON Feeds.
pub const JSON_TYPE: &str = "application/feed+json; charset=utf-8";
/// `Content-Type` of the HTML pages.
pub const HTML_TYPE: &str = "text/html; charset=utf-8";

/// One of the three feed formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// RSS 2.0, `feed.rss`.
    Rss,
    /// Atom 1.0, `feed.atom`.
    Atom,
    /// JSON Feed 1.1, `feed.json`.
    Json,
}

impl Format {
    /// All formats, in URL order.
    pub const ALL: [Format; 3] = [Format::Rss, Format::Atom, Format::Json];

    /// File name of this format's feed (`feed.rss`).
    pub fn file_name(self) -> &'static str {
        match self {
            Format::Rss => "feed.rss",
            Format::Atom => "feed.atom",
            Format::Json => "feed.json",
        }
    }

    /// File extension of this format's documents (`rss`, `atom`, `json`).
    pub fn extension(self) -> &'static str {
        match self {
            Format::Rss => "rss",
            Format::Atom => "atom",
            Format::Json => "json",
        }
    }

    /// `Content-Type` this format is served with.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Rss => RSS_TYPE,
            Format::Atom => ATOM_TYPE,
            Format::Json => JSON_TYPE,
        }
    }

    /// Media type without parameters (for `<link rel="alternate" type=…>`).
    pub fn media_type(self) -> &'static str {
        match self {
            Format::Rss => "application/rss+xml",
            Format::Atom => "application/atom+xml",
            Format::Json => "application/feed+json",
        }
    }

    /// Short human name (`RSS`, `Atom`, `JSON Feed`).
    pub fn label(self) -> &'static str {
        match self {
            Format::Rss => "RSS",
            Format::Atom => "Atom",
            Format::Json => "JSON Feed",
        }
    }
}

/// Unix seconds as a `SystemTime` (before 1970 → 1970).
pub fn system_time(secs: i64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(u64::try_from(secs).unwrap_or(0))
}

/// Unix seconds as a UTC date for the feeds (out of range → 1970).
pub fn utc_time(secs: i64) -> DateTime<FixedOffset> {
    DateTime::from_timestamp(secs, 0)
        .unwrap_or(DateTime::UNIX_EPOCH)
        .fixed_offset()
}

/// Everything the HTTP layer serves from memory, keyed by URL path
/// (`/feed.rss`, `/NAME/feed.atom`, `/`), and the paths that are gone.
/// Permalink pages are not here: they are served from the feeds folder.
#[derive(Debug, Clone, Default)]
pub struct Published {
    /// Path → representation.
    pub entities: HashMap<String, Arc<Entity>>,
    /// Paths that answer `410 Gone`: pages of retracted items, feeds of
    /// channels whose folder is gone.
    pub gone: Arc<HashSet<String>>,
    /// Each channel's newest archive document in the feeds folder (`""`:
    /// the archive of all channels); documents before it are full.
    pub archives: Arc<HashMap<String, u64>>,
}

/// The snapshot being served: read by every request without a lock,
/// replaced whole by the publisher.
#[derive(Debug, Clone)]
pub struct Latest(Arc<arc_swap::ArcSwap<Published>>);

impl Latest {
    /// A cell holding `first`.
    pub fn new(first: Arc<Published>) -> Latest {
        Latest(Arc::new(arc_swap::ArcSwap::new(first)))
    }

    /// The current snapshot.
    pub fn load(&self) -> arc_swap::Guard<Arc<Published>> {
        self.0.load()
    }

    /// Replaces the snapshot; requests already running keep theirs.
    pub fn store(&self, next: Arc<Published>) {
        self.0.store(next);
    }

    /// Replaces the snapshot and returns the one it replaces.
    pub fn swap(&self, next: Arc<Published>) -> Arc<Published> {
        self.0.swap(next)
    }
}

/// Why a feed could not be written.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The RSS writer failed.
    #[error("writing RSS: {0}")]
    Rss(#[from] ::rss::Error),
    /// The Atom writer failed.
    #[error("writing Atom: {0}")]
    Atom(#[from] ::atom_syndication::Error),
    /// JSON serialisation failed.
    #[error("writing JSON Feed: {0}")]
    Json(#[from] serde_json::Error),
    /// The OPML writer failed.
    #[error("writing OPML: {0}")]
    Opml(String),
}

/// Path of a feed as served and as keyed in [`Published::entities`]
/// (not percent-encoded): `/feed.rss`, `/CHANNEL/feed.rss`.
pub fn feed_path(channel: &str, format: Format) -> String {
    if channel.is_empty() {
        format!("/{}", format.file_name())
    } else {
        format!("/{}/{}", channel, format.file_name())
    }
}

/// Path of an item's permalink page (not percent-encoded):
/// `/items/SLUG.html`. The extension lets a plain static server of the
/// feeds folder give it the right type.
pub fn item_path(slug: &str) -> String {
    format!("/items/{slug}.html")
}

/// Absolute, percent-encoded URL of a feed.
pub fn feed_url(site: &Site, channel: &str, format: Format) -> String {
    feed_href(&text::clean(&site.base_url), channel, format)
}

/// A feed's URL under `base` (an absolute base URL, or a relative prefix
/// such as `../`), percent-encoded.
pub fn feed_href(base: &str, channel: &str, format: Format) -> String {
    if channel.is_empty() {
        format!("{base}{}", format.file_name())
    } else {
        format!(
            "{base}{}/{}",
            text::encode_segment(channel),
            format.file_name()
        )
    }
}

/// The channel and format of a feed path (`/feed.rss`, `/NAME/feed.atom`);
/// `None` for any other path.
pub fn feed_of(path: &str) -> Option<(&str, Format)> {
    let rest = path.strip_prefix('/')?;
    let (channel, file) = rest.rsplit_once('/').unwrap_or(("", rest));
    let format = Format::ALL.into_iter().find(|f| f.file_name() == file)?;
    (!channel.contains('/')).then_some((channel, format))
}

/// The absolute, percent-encoded URL of a served path under `base_url`.
pub fn path_url(base_url: &str, path: &str) -> String {
    let encoded: Vec<String> = path
        .trim_start_matches('/')
        .split('/')
        .map(text::encode_segment)
        .collect();
    format!("{}{}", text::clean(base_url), encoded.join("/"))
}

/// `Link: <hub>; rel="hub", <self>; rel="self"` for the feed at `path`
/// (WebSub §4), computed once per document; `None` without a hub or for
/// a path that is not a feed. The self URL is the feed's own, as inside it.
pub fn discovery_link(site: &Site, path: &str) -> Option<hyper::header::HeaderValue> {
    let hub = site.hub.as_deref()?;
    let (channel, format) = feed_of(path)?;
    let own = feed_url(site, channel, format);
    hyper::header::HeaderValue::from_str(&format!(
        "<{}>; rel=\"hub\", <{own}>; rel=\"self\"",
        text::cleaned(hub)
    ))
    .ok()
}

/// Absolute, percent-encoded URL of an item's permalink page.
pub fn item_url(site: &Site, slug: &str) -> String {
    format!(
        "{}items/{}.html",
        text::clean(&site.base_url),
        text::encode_segment(slug)
    )
}

#[cfg(test)]
mod tests;
