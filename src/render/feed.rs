//! Feed documents: the current feed of a channel and its archive documents
//! (RFC 5005 §4 paged history), with the feed-level values the three
//! writers share.
//!
//! Every article belongs to exactly one archive document of its channel,
//! and to one of the feeds of all channels, by the order bulletind first
//! saw it: archive `k` holds the articles seen `k·size` to `(k+1)·size − 1`.
//! The current feed links `prev-archive` to the newest archive; archive `k`
//! links `current`, `prev-archive` to `k − 1` and `next-archive` to `k + 1`,
//! and carries `fh:archive`. JSON Feed chains the same documents with
//! `next_url`, from the current feed to the newest archive and on to older
//! ones.

use chrono::{DateTime, FixedOffset};

use super::content::ItemView;
use super::{atom, feed_url, json, rss, text, Format, Masthead, RenderError, Site};
use crate::model::Item;

/// RFC 5005's namespace for `fh:archive`.
pub(crate) const HISTORY_NS: &str = "http://purl.org/syndication/history/1.0";

/// Which page of a channel's history a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// The current feed; `newest_archive` is the newest archive document,
    /// if the channel has any.
    Current {
        /// Number of the newest archive.
        newest_archive: Option<u64>,
    },
    /// Archive document `number`; `newest` is the newest one's number.
    Archive {
        /// This archive's number (0 is the oldest).
        number: u64,
        /// The newest archive's number.
        newest: u64,
    },
}

/// One feed document to render.
#[derive(Debug, Clone, Copy)]
pub struct FeedDoc<'a> {
    /// The channel (`""`: all channels).
    pub channel: &'a str,
    /// The format.
    pub format: Format,
    /// Which page.
    pub page: Page,
}

/// Renders one feed document. `items` are expected in the order to write
/// (newest first) and already limited. `modified` is when the document's
/// bytes last changed (RSS `lastBuildDate`, Atom `updated`); nothing here
/// reads a clock, so equal input gives equal bytes.
pub fn render_document(
    site: &Site,
    doc: &FeedDoc<'_>,
    items: &[Item],
    modified: DateTime<FixedOffset>,
) -> Result<Vec<u8>, RenderError> {
    let views: Vec<ItemView> = items.iter().map(|item| ItemView::new(site, item)).collect();
    let feed = FeedMeta::new(site, doc, modified);
    Ok(match doc.format {
        Format::Rss => rss::write(&feed, &views)?,
        Format::Atom => atom::write(&feed, &views)?,
        Format::Json => json::write(&feed, &views)?,
    })
}

/// Renders a channel's current feed with no archive links (previews,
/// tests); the daemon renders with [`render_document`].
pub fn render_feed(
    site: &Site,
    channel: &str,
    items: &[Item],
    format: Format,
    modified: DateTime<FixedOffset>,
) -> Result<Vec<u8>, RenderError> {
    let doc = FeedDoc {
        channel,
        format,
        page: Page::Current {
            newest_archive: None,
        },
    };
    render_document(site, &doc, items, modified)
}

/// Feed-level values shared by the three writers.
#[derive(Debug, Clone)]
pub(crate) struct FeedMeta {
    /// Title, cleaned.
    pub title: String,
    /// Absolute URL of this document (also the Atom feed id).
    pub self_url: String,
    /// When the document's bytes last changed.
    pub updated: DateTime<FixedOffset>,
    /// Which format is being written.
    pub format: Format,
    /// The channel as a publication.
    pub masthead: Masthead,
    /// RFC 5005 links, `(rel, absolute URL)`.
    pub history: Vec<(&'static str, String)>,
    /// Whether this is an archive document (`fh:archive`).
    pub is_archive: bool,
    /// JSON Feed `next_url`: the next older page.
    pub next_url: Option<String>,
    /// The WebSub hub to advertise, cleaned (current feeds only: archive
    /// documents do not change as feeds do).
    pub hub: Option<String>,
}

impl FeedMeta {
    fn new(site: &Site, doc: &FeedDoc<'_>, modified: DateTime<FixedOffset>) -> FeedMeta {
        let masthead = site.masthead(doc.channel);
        let archive = |k: u64| archive_url(site, doc.channel, k, doc.format);
        let (self_url, history, next_url, is_archive) = match doc.page {
            Page::Current { newest_archive } => (
                feed_url(site, doc.channel, doc.format),
                newest_archive
                    .map(|k| ("prev-archive", archive(k)))
                    .into_iter()
                    .collect(),
                newest_archive.map(archive),
                false,
            ),
            Page::Archive { number, newest } => {
                let mut links = vec![("current", feed_url(site, doc.channel, doc.format))];
                if number > 0 {
                    links.push(("prev-archive", archive(number - 1)));
                }
                if number < newest {
                    links.push(("next-archive", archive(number + 1)));
                }
                let older = (number > 0).then(|| archive(number - 1));
                (archive(number), links, older, true)
            }
        };
        let title = match doc.page {
            Page::Current { .. } => masthead.title.clone(),
            Page::Archive { number, .. } => format!("{} (archive {})", masthead.title, number + 1),
        };
        FeedMeta {
            title: text::cleaned(&title),
            self_url,
            updated: modified,
            format: doc.format,
            masthead,
            history,
            is_archive,
            next_url,
            hub: (!is_archive)
                .then(|| site.hub.as_deref().map(text::cleaned))
                .flatten(),
        }
    }
}

/// Path of an archive document (not percent-encoded):
/// `/archive/K.rss`, `/CHANNEL/archive/K.atom`.
pub fn archive_path(channel: &str, number: u64, format: Format) -> String {
    let ext = format.extension();
    if channel.is_empty() {
        format!("/archive/{number}.{ext}")
    } else {
        format!("/{channel}/archive/{number}.{ext}")
    }
}

/// Absolute, percent-encoded URL of an archive document.
pub fn archive_url(site: &Site, channel: &str, number: u64, format: Format) -> String {
    let base = text::clean(&site.base_url);
    let ext = format.extension();
    if channel.is_empty() {
        format!("{base}archive/{number}.{ext}")
    } else {
        format!(
            "{base}{}/archive/{number}.{ext}",
            text::encode_segment(channel)
        )
    }
}
