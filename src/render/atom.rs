//! Atom 1.0 via `atom_syndication`, written with `write_to`.
//!
//! Writers, reporters and agencies are `author`s, correspondents and editors
//! `contributor`s; the feed always has a feed-level author (the configured
//! one, else the site title) so that every entry has one, as RFC 4287
//! requires. The feed id is the feed's own absolute URL.

use atom_syndication::{Category, Content, Entry, Feed, Generator, Link, Person, Text};

use super::content::ItemView;
use super::text::cleaned;
use super::{FeedMeta, RenderError, Site};

/// Writes the Atom document for `views`.
pub(crate) fn write(
    site: &Site,
    feed: &FeedMeta,
    views: &[ItemView],
) -> Result<Vec<u8>, RenderError> {
    let subtitle = cleaned(&site.description);
    let document = Feed {
        title: Text::plain(feed.title.clone()),
        id: feed.self_url.clone(),
        updated: feed.updated,
        authors: vec![person(&cleaned(site.author_or_title()))],
        generator: Some(Generator {
            value: "bulletind".to_string(),
            uri: None,
            version: Some(env!("CARGO_PKG_VERSION").to_string()),
        }),
        links: feed_links(site, feed),
        subtitle: (!subtitle.trim().is_empty()).then(|| Text::plain(subtitle)),
        lang: site.language_tag(),
        entries: views.iter().map(entry).collect(),
        ..Feed::default()
    };
    Ok(document.write_to(Vec::new())?)
}

/// The feed's own links: self, the site, and the WebSub hub if any.
fn feed_links(site: &Site, feed: &FeedMeta) -> Vec<Link> {
    let mut links = vec![
        link(&feed.self_url, "self", feed.format.media_type()),
        link(&cleaned(&site.base_url), "alternate", "text/html"),
    ];
    if let Some(hub) = &feed.hub {
        links.push(Link {
            href: hub.clone(),
            rel: "hub".to_string(),
            ..Link::default()
        });
    }
    links
}

/// One `<entry>`.
fn entry(view: &ItemView) -> Entry {
    let mut links = vec![link(&view.url, "alternate", "text/html")];
    if let Some(external) = &view.external_url {
        links.push(Link {
            href: external.clone(),
            rel: "related".to_string(),
            ..Link::default()
        });
    }
    Entry {
        title: Text::plain(view.title.clone()),
        id: view.id.clone(),
        updated: view.updated,
        published: Some(view.published),
        authors: view.authors.iter().map(|n| person(n)).collect(),
        contributors: view.contributors().map(|n| person(n)).collect(),
        categories: view
            .section
            .iter()
            .map(|s| Category {
                term: s.clone(),
                scheme: None,
                label: None,
            })
            .collect(),
        links,
        summary: view.summary.clone().map(Text::plain),
        content: Some(Content {
            content_type: Some("html".to_string()),
            value: Some(view.content_html.clone()),
            ..Content::default()
        }),
        ..Entry::default()
    }
}

fn person(name: &str) -> Person {
    Person {
        name: name.to_string(),
        ..Person::default()
    }
}

fn link(href: &str, rel: &str, media_type: &str) -> Link {
    Link {
        href: href.to_string(),
        rel: rel.to_string(),
        mime_type: Some(media_type.to_string()),
        ..Link::default()
    }
}
