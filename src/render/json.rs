//! JSON Feed 1.1 (<https://jsonfeed.org/version/1.1>) through serde structs.
//!
//! Field order is the struct order, so output is deterministic. Strings were
//! cleaned of XML-illegal characters like every other format's, so titles
//! and ids compare equal across formats. `authors` lists writers only; the
//! others credited, with their roles, are in the item's `_bulletind`
//! extension object (`contributors`). The archive is chained by `next_url`.

use serde::Serialize;

use super::content::ItemView;
use super::feed::FeedMeta;
use super::text::cleaned;
use super::RenderError;

/// The `version` every document declares.
const VERSION: &str = "https://jsonfeed.org/version/1.1";

#[derive(Serialize)]
struct Document<'a> {
    version: &'static str,
    title: &'a str,
    home_page_url: String,
    feed_url: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_url: Option<&'a str>,
    #[serde(skip_serializing_if = "str::is_empty")]
    description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    icon: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    favicon: Option<String>,
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
    #[serde(rename = "_bulletind", skip_serializing_if = "Option::is_none")]
    bulletind: Option<Extension<'a>>,
}

/// The `_bulletind` object of an item: credits that are not writers.
#[derive(Serialize)]
struct Extension<'a> {
    contributors: Vec<Contributor<'a>>,
}

#[derive(Serialize)]
struct Contributor<'a> {
    name: &'a str,
    role: &'static str,
}

/// Writes the JSON Feed document for `views`.
pub(crate) fn write(feed: &FeedMeta, views: &[ItemView]) -> Result<Vec<u8>, RenderError> {
    let masthead = &feed.masthead;
    let icon = masthead.icon.as_deref().map(cleaned);
    let document = Document {
        version: VERSION,
        title: &feed.title,
        home_page_url: cleaned(&masthead.homepage),
        feed_url: &feed.self_url,
        next_url: feed.next_url.as_deref(),
        description: cleaned(&masthead.description),
        favicon: icon.clone(),
        icon,
        language: masthead.language_tag(),
        authors: vec![Author {
            name: cleaned(&masthead.author),
        }],
        hubs: feed
            .hub
            .iter()
            .map(|url| Hub {
                kind: "WebSub",
                url,
            })
            .collect(),
        items: views.iter().map(item).collect(),
    };
    Ok(serde_json::to_vec(&document)?)
}

fn item(v: &ItemView) -> JsonItem<'_> {
    JsonItem {
        id: &v.id,
        url: &v.url,
        external_url: v.external_url.as_deref(),
        title: &v.title,
        content_html: &v.content_html,
        summary: v.summary.as_deref(),
        date_published: rfc3339(v.published),
        date_modified: rfc3339(v.updated),
        authors: v
            .writers
            .iter()
            .map(|name| Author { name: name.clone() })
            .collect(),
        tags: v.section.as_deref().into_iter().collect(),
        language: v.language.as_deref(),
        bulletind: (!v.contributors.is_empty()).then(|| Extension {
            contributors: v
                .contributors
                .iter()
                .map(|c| Contributor {
                    name: &c.name,
                    role: c.role,
                })
                .collect(),
        }),
    }
}

/// RFC 3339 with its offset, whole seconds, `Z` for UTC.
fn rfc3339(t: chrono::DateTime<chrono::FixedOffset>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
