//! Items → bytes: RSS 2.0, Atom 1.0, JSON Feed 1.1, the HTML index and
//! permalink pages, each prepared once per change as an [`Entity`] with its
//! compressed copy and strong ETags.
//! PLACEHOLDER interface: implemented on the render branch.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::SystemTime;

use bytes::Bytes;

use crate::model::Item;

/// Feed-level metadata, resolved from the configuration once.
#[derive(Debug, Clone)]
pub struct Site {
    /// Feed title for the main channel; channel feeds append ` — NAME`.
    pub title: String,
    /// Feed description / subtitle.
    pub description: String,
    /// BCP 47 language tag (`zh-CN`, `en`).
    pub language: String,
    /// Feed-level author, if configured.
    pub author: Option<String>,
    /// Absolute base URL, always ending in `/` (`http://127.0.0.1:8080/`).
    pub base_url: String,
    /// Authority used in `tag:` ids (host of the base URL).
    pub tag_authority: String,
}

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
}

/// A prepared HTTP representation: the bytes, their gzip copy and validators.
#[derive(Debug, Clone)]
pub struct Entity {
    /// `Content-Type` header value.
    pub content_type: &'static str,
    /// The uncompressed bytes.
    pub identity: Bytes,
    /// Strong ETag of `identity`, quoted (`"…"`).
    pub etag: String,
    /// gzip copy and its own strong ETag, when compressing pays.
    pub gzip: Option<(Bytes, String)>,
    /// `Last-Modified` time (newest item's update), if there is one.
    pub last_modified: Option<SystemTime>,
}

/// Everything the HTTP layer may serve, keyed by URL path (`/feed.rss`,
/// `/NAME/feed.atom`, `/items/SLUG`, `/`).
#[derive(Debug, Clone, Default)]
pub struct Published {
    /// Path → representation.
    pub entities: HashMap<String, Arc<Entity>>,
}

// ---- TEMPORARY stand-ins until the render branch lands (lead's build only) ----
/// Rendering failure.
#[derive(Debug, thiserror::Error)]
#[error("render: {0}")]
pub struct RenderError(pub String);
impl Entity {
    /// Stand-in.
    pub fn new(
        content_type: &'static str,
        identity: Vec<u8>,
        last_modified: Option<SystemTime>,
    ) -> Entity {
        Entity {
            content_type,
            etag: format!("\"{}\"", crate::store::hash_hex(&identity)),
            identity: identity.into(),
            gzip: None,
            last_modified,
        }
    }
}
/// Stand-in.
pub fn feed_path(channel: &str, format: Format) -> String {
    if channel.is_empty() {
        format!("/{}", format.file_name())
    } else {
        format!("/{channel}/{}", format.file_name())
    }
}
/// Stand-in.
pub fn item_path(slug: &str) -> String {
    format!("/items/{slug}")
}
/// Stand-in.
pub fn render_feed(
    _site: &Site,
    _channel: &str,
    items: &[Item],
    format: Format,
) -> Result<Entity, RenderError> {
    let ids: Vec<&str> = items.iter().map(|i| i.id.as_str()).collect();
    let body = serde_json::to_vec(
        &serde_json::json!({"format": format!("{format:?}"), "items": items, "ids": ids}),
    )
    .map_err(|e| RenderError(e.to_string()))?;
    Ok(Entity::new(
        "application/feed+json; charset=utf-8",
        body,
        None,
    ))
}
/// Stand-in.
pub fn render_item_page(_site: &Site, item: &Item) -> Entity {
    Entity::new(
        "text/html; charset=utf-8",
        item.article.title.clone().into_bytes(),
        None,
    )
}
/// Stand-in.
pub fn render_index(_site: &Site, channels: &[(String, usize)]) -> Entity {
    Entity::new(
        "text/html; charset=utf-8",
        format!("{channels:?}").into_bytes(),
        None,
    )
}
