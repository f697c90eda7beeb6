//! RSS 2.0 via the `rss` builders, written with `write_to` so that a write
//! error is an error and never an empty feed.
//!
//! Ids are `tag:` URIs, hence `guid isPermaLink="false"`; credits go to
//! `dc:creator` / `dc:contributor` because RSS `<author>` must be an e-mail
//! address; `description` carries the HTML-escaped summary and
//! `content:encoded` the full HTML.

use rss::extension::atom::{AtomExtension, Link};
use rss::extension::dublincore::DublinCoreExtension;
use rss::{Category, ChannelBuilder, Guid, ItemBuilder};

use super::content::ItemView;
use super::text::{cleaned, escape_html};
use super::{FeedMeta, RenderError, Site};

/// Writes the RSS document for `views`.
pub(crate) fn write(
    site: &Site,
    feed: &FeedMeta,
    views: &[ItemView],
) -> Result<Vec<u8>, RenderError> {
    let items: Vec<rss::Item> = views.iter().map(item).collect();
    let self_link = Link {
        href: feed.self_url.clone(),
        rel: "self".to_string(),
        mime_type: Some(feed.format.media_type().to_string()),
        ..Link::default()
    };
    let mut links = vec![self_link];
    if let Some(hub) = &feed.hub {
        links.push(Link {
            href: hub.clone(),
            rel: "hub".to_string(),
            ..Link::default()
        });
    }
    let channel = ChannelBuilder::default()
        .title(feed.title.clone())
        .link(cleaned(&site.base_url))
        .description(cleaned(&site.description))
        .language(site.language_tag())
        .generator(Some("bulletind".to_string()))
        .last_build_date(Some(feed.updated.to_rfc2822()))
        .atom_ext(Some(AtomExtension { links }))
        .items(items)
        .build();
    Ok(channel.write_to(Vec::new())?)
}

/// One `<item>`.
fn item(view: &ItemView) -> rss::Item {
    let dublin_core =
        (!view.authors.is_empty() || view.contributors().next().is_some()).then(|| {
            DublinCoreExtension {
                creators: view.authors.clone(),
                contributors: view.contributors().cloned().collect(),
                ..DublinCoreExtension::default()
            }
        });
    ItemBuilder::default()
        .title(Some(view.title.clone()))
        .link(Some(view.url.clone()))
        .description(view.summary.as_deref().map(escape_html))
        .content(Some(view.content_html.clone()))
        .guid(Some(Guid {
            value: view.id.clone(),
            permalink: false,
        }))
        .pub_date(Some(view.published.to_rfc2822()))
        .categories(
            view.section
                .iter()
                .map(|s| Category {
                    name: s.clone(),
                    domain: None,
                })
                .collect::<Vec<_>>(),
        )
        .dublin_core_ext(dublin_core)
        .build()
}
