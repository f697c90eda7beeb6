//! The two HTML pages: the index at `/` (every feed, with autodiscovery
//! links) and an item's permalink page at `/items/SLUG`.
//!
//! Small, valid HTML5, no scripts, every piece of text escaped; the article
//! body comes from the same code as the feeds' content.

use chrono::SecondsFormat;

use super::content::{article_language, body_html, byline};
use super::text::{self, escape_attr, escape_html};
use super::{feed_href, item_url, Format, Site};
use crate::model::Item;

/// Renders the index page: the main feeds, each channel's feeds, and the
/// `latest` items (newest first) linked to their pages. `channels` are
/// `(name, item count)` pairs, shown in the order given.
pub fn render_index(site: &Site, channels: &[(String, usize)], latest: &[Item]) -> Vec<u8> {
    let mut head = String::new();
    let base = text::clean(&site.base_url);
    push_alternates(&mut head, site, &base, "");
    for (name, _) in channels {
        push_alternates(&mut head, site, &base, name);
    }
    let mut body = String::new();
    body.push_str(&format!("<h1>{}</h1>\n", escape_html(&site.title)));
    if !site.description.trim().is_empty() {
        body.push_str(&format!("<p>{}</p>\n", escape_html(&site.description)));
    }
    body.push_str("<h2>All channels</h2>\n");
    body.push_str(&format!("<p>{}</p>\n", feed_links(&base, "")));
    if !channels.is_empty() {
        body.push_str("<h2>Channels</h2>\n<ul>\n");
        for (name, count) in channels {
            body.push_str(&format!(
                "<li>{} ({} {}): {}</li>\n",
                escape_html(name),
                count,
                if *count == 1 { "item" } else { "items" },
                feed_links(&base, name)
            ));
        }
        body.push_str("</ul>\n");
    }
    if !latest.is_empty() {
        body.push_str("<h2>Latest</h2>\n<ul>\n");
        for item in latest {
            body.push_str(&format!(
                "<li><a href=\"{}\">{}</a> <time datetime=\"{}\">{}</time></li>\n",
                escape_attr(&item_url(site, &item.slug)),
                escape_html(&item.article.title),
                item.published.to_rfc3339_opts(SecondsFormat::Secs, true),
                item.published.format("%Y-%m-%d"),
            ));
        }
        body.push_str("</ul>\n");
    }
    document(site, &site.title, &head, &body).into_bytes()
}

/// Renders an item's permalink page: kicker, title, subtitle, byline (roles
/// in words), date, section, the content, and links to the feeds. Its links
/// are relative (the page lives at `/items/SLUG.html`), so the page does not
/// depend on the base URL: moving the site does not rewrite every page.
pub fn render_item_page(site: &Site, item: &Item) -> Vec<u8> {
    let article = &item.article;
    let mut head = format!(
        "<link rel=\"canonical\" href=\"{}.html\">\n",
        escape_attr(&text::encode_segment(&item.slug))
    );
    push_alternates(&mut head, site, FROM_ITEMS, "");
    if !item.channel.is_empty() {
        push_alternates(&mut head, site, FROM_ITEMS, &item.channel);
    }

    let mut body = String::from("<article>\n<header>\n");
    if let Some(kicker) = article.kicker.as_deref().filter(|k| !k.trim().is_empty()) {
        body.push_str(&format!(
            "<p class=\"kicker\">{}</p>\n",
            escape_html(kicker)
        ));
    }
    body.push_str(&format!("<h1>{}</h1>\n", escape_html(&article.title)));
    if let Some(subtitle) = article.subtitle.as_deref().filter(|s| !s.trim().is_empty()) {
        body.push_str(&format!(
            "<p class=\"subtitle\">{}</p>\n",
            escape_html(subtitle)
        ));
    }
    if let Some(line) = byline(&article.authors, &article_language(site, article)) {
        body.push_str(&format!("<p class=\"byline\">{}</p>\n", escape_html(&line)));
    }
    let published = item.published;
    body.push_str(&format!(
        "<p class=\"meta\"><time datetime=\"{}\">{}</time>",
        published.to_rfc3339_opts(SecondsFormat::Secs, true),
        published.format("%Y-%m-%d %H:%M %:z")
    ));
    if let Some(section) = article.section.as_deref().filter(|s| !s.trim().is_empty()) {
        body.push_str(&format!(
            " · <span class=\"section\">{}</span>",
            escape_html(section)
        ));
    }
    body.push_str("</p>\n</header>\n");
    body.push_str(&body_html(article));
    body.push_str("</article>\n<footer>\n");
    body.push_str(&format!(
        "<p><a href=\"{FROM_ITEMS}\">{}</a>: {}</p>\n",
        escape_html(&site.title),
        feed_links(FROM_ITEMS, "")
    ));
    if !item.channel.is_empty() {
        body.push_str(&format!(
            "<p>{}: {}</p>\n",
            escape_html(&item.channel),
            feed_links(FROM_ITEMS, &item.channel)
        ));
    }
    body.push_str("</footer>\n");

    let title = format!("{} — {}", article.title, site.title);
    document(site, &title, &head, &body).into_bytes()
}

/// A whole HTML5 document around `head_extra` and `body`.
fn document(site: &Site, title: &str, head_extra: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n{head_extra}</head>\n<body>\n{body}</body>\n</html>\n",
        lang = escape_attr(&site.language),
        title = escape_html(title),
    )
}

/// The site's root as seen from an item page.
const FROM_ITEMS: &str = "../";

/// `<link rel="alternate">` autodiscovery for a channel's three feeds, with
/// URLs under `base`.
fn push_alternates(head: &mut String, site: &Site, base: &str, channel: &str) {
    for format in Format::ALL {
        head.push_str(&format!(
            "<link rel=\"alternate\" type=\"{}\" title=\"{} ({})\" href=\"{}\">\n",
            format.media_type(),
            escape_attr(&site.feed_title(channel)),
            format.label(),
            escape_attr(&feed_href(base, channel, format)),
        ));
    }
}

/// `RSS · Atom · JSON Feed` links to a channel's feeds, under `base`.
fn feed_links(base: &str, channel: &str) -> String {
    Format::ALL
        .iter()
        .map(|&format| {
            format!(
                "<a href=\"{}\" type=\"{}\">{}</a>",
                escape_attr(&feed_href(base, channel, format)),
                format.media_type(),
                format.label()
            )
        })
        .collect::<Vec<_>>()
        .join(" · ")
}
