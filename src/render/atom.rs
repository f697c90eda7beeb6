//! Atom 1.0 via `atom_syndication`, written with `write_to`.
//!
//! Writers are `author`s and everyone else credited (correspondents,
//! agencies, editors, photographers) `contributor`s. The feed always has a
//! feed-level author (the channel's, else its title) so that every entry
//! has one, as RFC 4287 requires. The feed id is the document's own
//! absolute URL; RFC 5005 history links and `fh:archive` mark the pages of
//! the archive.

use std::collections::BTreeMap;

use atom_syndication::extension::{Extension, ExtensionMap};
use atom_syndication::{Category, Content, Entry, Feed, Generator, Link, Person, Text};

use super::content::ItemView;
use super::feed::{FeedMeta, HISTORY_NS};
use super::text::cleaned;
use super::RenderError;

/// Writes the Atom document for `views`.
pub(crate) fn write(feed: &FeedMeta, views: &[ItemView]) -> Result<Vec<u8>, RenderError> {
    let masthead = &feed.masthead;
    let subtitle = cleaned(&masthead.description);
    let mut links = vec![
        link(&feed.self_url, "self", Some(feed.format.media_type())),
        link(&cleaned(&masthead.homepage), "alternate", Some("text/html")),
    ];
    links.extend(
        feed.history
            .iter()
            .map(|(rel, url)| link(url, rel, Some(feed.format.media_type()))),
    );
    if let Some(hub) = &feed.hub {
        links.push(link(hub, "hub", None));
    }
    let (extensions, namespaces) = archive_marker(feed.is_archive);
    let document = Feed {
        title: Text::plain(feed.title.clone()),
        id: feed.self_url.clone(),
        updated: feed.updated,
        authors: vec![person(&cleaned(&masthead.author))],
        generator: Some(Generator {
            value: "bulletind".to_string(),
            uri: None,
            version: Some(env!("CARGO_PKG_VERSION").to_string()),
        }),
        icon: masthead.icon.as_deref().map(cleaned),
        links,
        subtitle: (!subtitle.trim().is_empty()).then(|| Text::plain(subtitle)),
        lang: masthead.language_tag(),
        entries: views.iter().map(entry).collect(),
        extensions,
        namespaces,
        ..Feed::default()
    };
    let bytes = document.write_to(Vec::new())?;
    Ok(if feed.is_archive {
        marker_before_entries(bytes)
    } else {
        bytes
    })
}

/// How `atom_syndication` writes the archive marker.
const MARKER: &[u8] = b"<fh:archive></fh:archive>";

/// Moves the archive marker, which `atom_syndication` writes after the
/// entries, before the first entry: RFC 4287's schema allows extension
/// elements of the feed only there. (Entry content is escaped text, so the
/// first `<entry>` is the element.)
fn marker_before_entries(mut doc: Vec<u8>) -> Vec<u8> {
    let find = |doc: &[u8], what: &[u8]| doc.windows(what.len()).position(|w| w == what);
    if let (Some(at), Some(entry)) = (find(&doc, MARKER), find(&doc, b"<entry>")) {
        if entry < at {
            doc.drain(at..at + MARKER.len());
            doc.splice(entry..entry, MARKER.iter().copied());
        }
    }
    doc
}

/// `<fh:archive/>` and its namespace, for archive documents.
fn archive_marker(is_archive: bool) -> (ExtensionMap, BTreeMap<String, String>) {
    let mut extensions = ExtensionMap::new();
    let mut namespaces = BTreeMap::new();
    if is_archive {
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
    (extensions, namespaces)
}

/// One `<entry>`.
fn entry(view: &ItemView) -> Entry {
    let mut links = vec![link(&view.url, "alternate", Some("text/html"))];
    if let Some(external) = &view.external_url {
        links.push(link(external, "related", None));
    }
    Entry {
        title: Text::plain(view.title.clone()),
        id: view.id.clone(),
        updated: view.updated,
        published: Some(view.published),
        authors: view.writers.iter().map(|n| person(n)).collect(),
        contributors: view.contributors.iter().map(|c| person(&c.name)).collect(),
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
            // The article's own language (it may differ from the feed's).
            lang: view.language.clone(),
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

fn link(href: &str, rel: &str, media_type: Option<&str>) -> Link {
    Link {
        href: href.to_string(),
        rel: rel.to_string(),
        mime_type: media_type.map(str::to_string),
        ..Link::default()
    }
}
