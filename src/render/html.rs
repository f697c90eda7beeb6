//! The two HTML pages, built with `maud` (every interpolated value is
//! escaped): the index at `/` (the main channel, every channel with its
//! feeds, the latest articles) and an item's permalink page at
//! `/items/SLUG.html`.
//!
//! Valid HTML5 with a small inline stylesheet (`style.css`: a readable
//! measure, captions and subheadings set apart, a dark variant) and no
//! scripts; [`PAGE_CSP`] is the policy they are served with. The article
//! body comes from the same code as the feeds' content.

use std::sync::LazyLock;

use base64::Engine;
use chrono::SecondsFormat;
use maud::{html, Markup, PreEscaped, DOCTYPE};
use sha2::{Digest, Sha256};

use super::content::{body_markup, byline, present};
use super::language::{article_language, is_chinese};
use super::text::{clean, encode_segment};
use super::{feed_href, item_url, Format, Masthead, Site};
use crate::model::Item;

/// The pages' stylesheet, inlined in every page.
const STYLE: &str = include_str!("style.css");

/// The site's root as seen from an item page.
const FROM_ITEMS: &str = "../";

/// `Content-Security-Policy` of the pages: nothing but their own inline
/// stylesheet (by its hash) and images; no scripts, frames or forms.
pub static PAGE_CSP: LazyLock<String> = LazyLock::new(|| {
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(STYLE));
    format!(
        "default-src 'none'; style-src 'sha256-{hash}'; img-src https: http: data:; \
         base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
});

/// Renders the index page: the main channel's feeds, each channel with its
/// description and feeds, and the `latest` items (newest first) linked to
/// their pages. `channels` are `(name, item count)` pairs, shown in the
/// order given.
pub fn render_index(site: &Site, channels: &[(String, usize)], latest: &[Item]) -> Vec<u8> {
    let main = site.masthead("");
    let base = clean(&site.base_url).into_owned();
    let head = html! {
        (alternates(&base, &main))
        link rel="outline" type="text/x-opml" title="OPML" href={ (base) "opml.xml" };
    };
    let body = html! {
        header {
            h1 { (clean(&main.title)) }
            @if !main.description.trim().is_empty() { p { (clean(&main.description)) } }
            p.feeds { "Subscribe: " (feed_links(&base, "")) (sep()) a href={ (base) "opml.xml" } { "OPML" } }
        }
        main {
            @if !channels.is_empty() {
                h2 { "Channels" }
                ul.list {
                    @for (name, count) in channels {
                        @let masthead = site.masthead(name);
                        li {
                            strong { (clean(&masthead.title)) }
                            " " span.count { "(" (count) " " (if *count == 1 { "article" } else { "articles" }) ")" }
                            @if !masthead.description.trim().is_empty() && masthead.description != main.description {
                                br; (clean(&masthead.description))
                            }
                            br; span.feeds { (feed_links(&base, name)) }
                        }
                    }
                }
            }
            @if !latest.is_empty() {
                h2 { "Latest" }
                ul.list {
                    @for item in latest {
                        @let language = article_language(&site.masthead(&item.channel), &item.article);
                        li lang=[lang_attr(&language, &main)] {
                            a href=(item_url(site, &item.slug)) { (clean(&item.article.title)) }
                            span.when {
                                (date(item, &language))
                                @if !item.channel.is_empty() { (sep()) (clean(&site.masthead(&item.channel).title)) }
                            }
                        }
                    }
                }
            }
        }
    };
    document(&main.language, &main.title, head, body)
}

/// Renders an item's permalink page: kicker, headline, subtitle, the byline
/// and date on one line, the body, and its channel's feeds. Its links are
/// relative (the page lives at `/items/SLUG.html`), so the page does not
/// depend on the base URL: moving the site does not rewrite every page.
pub fn render_item_page(site: &Site, item: &Item) -> Vec<u8> {
    let article = &item.article;
    let masthead = site.masthead(&item.channel);
    let main = site.masthead("");
    let language = article_language(&masthead, article);
    let head = html! {
        link rel="canonical" href={ (encode_segment(&item.slug)) ".html" };
        (alternates(FROM_ITEMS, &masthead))
    };
    let body = html! {
        nav.site { a href=(FROM_ITEMS) { (clean(&main.title)) } }
        main {
            article lang=[lang_attr(&language, &main)] {
                header {
                    @if let Some(kicker) = present(&article.kicker) { p.kicker { (kicker) } }
                    h1 { (clean(&article.title)) }
                    @if let Some(subtitle) = present(&article.subtitle) { p.subtitle { (subtitle) } }
                    p.meta {
                        @if let Some(line) = byline(&article.authors, &language) {
                            span.byline { (line) } (sep())
                        }
                        (date(item, &language))
                        @if let Some(section) = present(&article.section) {
                            (sep()) span.section { (section) }
                        }
                    }
                }
                (body_markup(article))
            }
        }
        footer {
            p.feeds { (clean(&masthead.title)) ": " (feed_links(FROM_ITEMS, &item.channel)) }
            p { a href=(FROM_ITEMS) { "All channels" } (sep()) a href={ (FROM_ITEMS) "opml.xml" } { "OPML" } }
        }
    };
    let title = format!("{} — {}", article.title, masthead.title);
    document(&main.language, &title, head, body)
}

/// A whole HTML5 document.
fn document(language: &str, title: &str, head: Markup, body: Markup) -> Vec<u8> {
    let lang = clean(language.trim());
    html! {
        (DOCTYPE)
        html lang=[(!lang.is_empty()).then_some(&*lang)] {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="color-scheme" content="light dark";
                title { (clean(title)) }
                (head)
                style { (PreEscaped(STYLE)) }
            }
            body { (body) }
        }
    }
    .into_string()
    .into_bytes()
}

/// `lang` of an article inside a page: only where it differs from the page's.
fn lang_attr<'a>(language: &'a str, page: &Masthead) -> Option<&'a str> {
    (!language.is_empty() && !language.eq_ignore_ascii_case(page.language.trim()))
        .then_some(language)
}

/// The item's date as printed: the day alone when the source gave a day,
/// else day and time in the item's own offset; the machine-readable form in
/// `datetime`.
fn date(item: &Item, language: &str) -> Markup {
    let t = item.published;
    let (machine, shown) = if item.date_only {
        (t.format("%Y-%m-%d").to_string(), day(item, language))
    } else {
        (
            t.to_rfc3339_opts(SecondsFormat::Secs, true),
            format!("{} {}", day(item, language), t.format("%H:%M")),
        )
    };
    html! { time datetime=(machine) { (shown) } }
}

/// The day in the words of `language`: `2022年12月9日`, `9 December 2022`,
/// else `2022-12-09`.
fn day(item: &Item, language: &str) -> String {
    let t = item.published;
    if is_chinese(language) {
        t.format("%Y年%-m月%-d日").to_string()
    } else if language.to_ascii_lowercase().starts_with("en") {
        t.format("%-d %B %Y").to_string()
    } else {
        t.format("%Y-%m-%d").to_string()
    }
}

/// `<link rel="alternate">` autodiscovery for a channel's three feeds, with
/// URLs under `base`.
fn alternates(base: &str, masthead: &Masthead) -> Markup {
    html! {
        @for format in Format::ALL {
            link rel="alternate" type=(format.media_type())
                title={ (clean(&masthead.title)) " (" (format.label()) ")" }
                href=(feed_href(base, &masthead.channel, format));
        }
    }
}

/// `RSS · Atom · JSON Feed` links to a channel's feeds, under `base`.
fn feed_links(base: &str, channel: &str) -> Markup {
    html! {
        @for (i, format) in Format::ALL.iter().enumerate() {
            @if i > 0 { (sep()) }
            a href=(feed_href(base, channel, *format)) type=(format.media_type()) { (format.label()) }
        }
    }
}

/// The ` · ` between items of a line.
fn sep() -> Markup {
    html! { span.sep aria-hidden="true" { "·" } }
}
