//! JSON Feed 1.1 (<https://jsonfeed.org/version/1.1>) through serde structs.
//!
//! Field order is the struct order, so output is deterministic. Strings were
//! cleaned of XML-illegal characters like every other format's, so titles
//! and ids compare equal across formats.

use serde::Serialize;

use super::content::ItemView;
use super::text::cleaned;
use super::{FeedMeta, RenderError, Site};

/// The `version` every document declares.
const VERSION: &str = "https://jsonfeed.org/version/1.1";

#[derive(Serialize)]
struct Document<'a> {
    version: &'static str,
    title: &'a str,
    home_page_url: String,
    feed_url: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    language: Option<String>,
    authors: Vec<Author>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    hubs: Vec<Hub<'a>>,
    items: Vec<JsonItem<'a>>,
}

/// A WebSub hub, as JSON Feed 1.1 `hubs` lists it.
#[derive(Serialize)]
struct Hub<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    url: &'a str,
}

#[derive(Serialize)]
struct Author {
    name: String,
}

#[derive(Serialize)]
struct JsonItem<'a> {
    id: &'a str,
    url: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    external_url: Option<&'a str>,
    title: &'a str,
    content_html: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<&'a str>,
    date_published: String,
    date_modified: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    authors: Vec<Author>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tags: Vec<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    language: Option<&'a str>,
}

/// Writes the JSON Feed document for `views`.
pub(crate) fn write(
    site: &Site,
    feed: &FeedMeta,
    views: &[ItemView],
) -> Result<Vec<u8>, RenderError> {
    let language = site.language_tag();
    let items = views
        .iter()
        .map(|v| JsonItem {
            id: &v.id,
            url: &v.url,
            external_url: v.external_url.as_deref(),
            title: &v.title,
            content_html: &v.content_html,
            summary: v.summary.as_deref(),
            date_published: rfc3339(v.published),
            date_modified: rfc3339(v.updated),
            authors: v
                .authors
                .iter()
                .chain(&v.correspondents)
                .map(|name| Author { name: name.clone() })
                .collect(),
            tags: v.section.as_deref().into_iter().collect(),
            language: v.language.as_deref(),
        })
        .collect();
    let document = Document {
        version: VERSION,
        title: &feed.title,
        home_page_url: cleaned(&site.base_url),
        feed_url: &feed.self_url,
        description: cleaned(&site.description),
        language: language.clone(),
        authors: vec![Author {
            name: cleaned(site.author_or_title()),
        }],
        hubs: feed
            .hub
            .iter()
            .map(|url| Hub {
                kind: "WebSub",
                url,
            })
            .collect(),
        items,
    };
    Ok(serde_json::to_vec(&document)?)
}

/// RFC 3339 with its offset, whole seconds, `Z` for UTC.
fn rfc3339(t: chrono::DateTime<chrono::FixedOffset>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
