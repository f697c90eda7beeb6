//! RSS 2.0 via the `rss` builders, written with `write_to` so that a write
//! error is an error and never an empty feed.
//!
//! Ids are `tag:` URIs, hence `guid isPermaLink="false"`; writers go to
//! `dc:creator` and everyone else credited to `dc:contributor` because RSS
//! `<author>` must be an e-mail address; `description` carries the
//! HTML-escaped summary and `content:encoded` the full HTML. RFC 5005
//! history links are `atom:link`s, and archive documents carry
//! `fh:archive`.

use std::collections::BTreeMap;

use rss::extension::atom::{AtomExtension, Link};
use rss::extension::dublincore::DublinCoreExtension;
use rss::extension::{Extension, ExtensionMap};
use rss::{Category, ChannelBuilder, Guid, Image, ItemBuilder};

use super::content::ItemView;
use super::feed::{FeedMeta, HISTORY_NS};
use super::text::{cleaned, escape_html};
use super::RenderError;

/// Writes the RSS document for `views`.
pub(crate) fn write(feed: &FeedMeta, views: &[ItemView]) -> Result<Vec<u8>, RenderError> {
    let masthead = &feed.masthead;
    let items: Vec<rss::Item> = views.iter().map(item).collect();
    let homepage = cleaned(&masthead.homepage);
    let links = std::iter::once(("self", &feed.self_url))
        .chain(feed.history.iter().map(|(rel, url)| (*rel, url)))
        .map(|(rel, url)| Link {
            href: url.clone(),
            rel: rel.to_string(),
            mime_type: Some(feed.format.media_type().to_string()),
            ..Link::default()
        })
        .chain(feed.hub.iter().map(|hub| Link {
            href: hub.clone(),
            rel: "hub".to_string(),
            ..Link::default()
        }))
        .collect();
    let image = masthead.icon.as_deref().map(|icon| Image {
        url: cleaned(icon),
        title: feed.title.clone(),
        link: homepage.clone(),
        ..Image::default()
    });
    let mut namespaces = BTreeMap::new();
    let mut extensions = ExtensionMap::new();
    if feed.is_archive {
        let marker = Extension {
            name: "fh:archive".to_string(),
            ..Extension::default()
        };
        extensions.insert(
            "fh".to_string(),
            BTreeMap::from([("archive".to_string(), vec![marker])]),
        );
        namespaces.insert("fh".to_string(), HISTORY_NS.to_string());
    }
    let channel = ChannelBuilder::default()
        .title(feed.title.clone())
        .link(homepage)
        .description(cleaned(&masthead.description))
        .language(masthead.language_tag())
        .generator(Some("bulletind".to_string()))
        .last_build_date(Some(feed.updated.to_rfc2822()))
        .image(image)
        .atom_ext(Some(AtomExtension { links }))
        .namespaces(namespaces)
        .extensions(extensions)
        .items(items)
        .build();
    Ok(channel.write_to(Vec::new())?)
}

/// One `<item>`.
fn item(view: &ItemView) -> rss::Item {
    let dublin_core =
        (!view.writers.is_empty() || !view.contributors.is_empty()).then(|| DublinCoreExtension {
            creators: view.writers.clone(),
            contributors: view.contributors.iter().map(|c| c.name.clone()).collect(),
            ..DublinCoreExtension::default()
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
