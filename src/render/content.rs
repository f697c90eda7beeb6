//! One item, prepared once for every format: cleaned title, absolute link,
//! credits split into authors and contributors, the HTML body with its
//! kicker, subtitle and byline, and the plain-text summary.
//!
//! Building every format from the same [`ItemView`] is what keeps ids,
//! titles and dates identical across RSS, Atom and JSON Feed.

use chrono::{DateTime, FixedOffset, SubsecRound};

use super::language::{article_language, is_chinese};
use std::borrow::Cow;

use maud::{html, Markup, PreEscaped};

use super::text::{clean, cleaned, summarize, SUMMARY_CHARS};
use super::{item_url, Site};
use crate::model::{Article, Author, Block, Item, Role};

/// Everything a feed entry needs, derived from one [`Item`].
#[derive(Debug, Clone)]
pub(crate) struct ItemView {
    /// Permanent id (`tag:` URI), cleaned.
    pub id: String,
    /// Headline, cleaned (not escaped).
    pub title: String,
    /// Absolute URL of the permalink page.
    pub url: String,
    /// External link the source gave, when it is a plain http(s) URL.
    pub external_url: Option<String>,
    /// Publication time, whole seconds.
    pub published: DateTime<FixedOffset>,
    /// Last change, whole seconds, never before `published`.
    pub updated: DateTime<FixedOffset>,
    /// Writers (bylined authors and staff reporters), in credit order:
    /// Atom `author`, JSON Feed `authors`, RSS `dc:creator`.
    pub writers: Vec<String>,
    /// Everyone else credited, with their role: Atom `contributor`, RSS
    /// `dc:contributor`, JSON Feed `_bulletind.contributors`.
    pub contributors: Vec<Credit>,
    /// Section, cleaned.
    pub section: Option<String>,
    /// Full content as an HTML fragment: kicker, subtitle, byline, body.
    pub content_html: String,
    /// Plain-text summary (the source's, else the start of the body).
    pub summary: Option<String>,
    /// The article's language (see `language`), if any.
    pub language: Option<String>,
}

/// A credited name that is not a writer, with its role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Credit {
    /// The name, cleaned.
    pub name: String,
    /// `correspondent`, `agency`, `editor` or `photographer`.
    pub role: &'static str,
}

impl ItemView {
    /// Prepares `item` for rendering on `site`.
    pub(crate) fn new(site: &Site, item: &Item) -> ItemView {
        let article = &item.article;
        let published = item.published.trunc_subsecs(0);
        let updated = item.updated.trunc_subsecs(0).max(published);
        let masthead = site.masthead(&item.channel);
        let language = article_language(&masthead, article);
        let summary = match article.summary.as_deref() {
            Some(given) if !given.trim().is_empty() => summarize(given, usize::MAX),
            _ => summarize(&article.body_text(), SUMMARY_CHARS),
        };
        let (writers, contributors) = credits(article);
        ItemView {
            id: cleaned(&item.id),
            title: cleaned(&article.title),
            url: item_url(site, &item.slug),
            external_url: article.url.as_deref().and_then(web_url),
            published,
            updated,
            writers,
            contributors,
            section: article
                .section
                .as_deref()
                .map(cleaned)
                .filter(|s| !s.trim().is_empty()),
            content_html: content_html(article, &language),
            summary,
            language: Some(language).filter(|l| !l.is_empty()),
        }
    }
}

/// The article's writers, and everyone else it credits with their roles:
/// correspondents, agencies and editors from its credits, photographers
/// from its captions (each name once, in credit order).
pub(crate) fn credits(article: &Article) -> (Vec<String>, Vec<Credit>) {
    let mut writers: Vec<String> = Vec::new();
    let mut others: Vec<Credit> = Vec::new();
    for author in &article.authors {
        let name = cleaned(author.name.trim());
        if name.is_empty() {
            continue;
        }
        let role = match author.role {
            Role::Author | Role::Reporter => {
                if !writers.contains(&name) {
                    writers.push(name);
                }
                continue;
            }
            Role::Correspondent => "correspondent",
            Role::Agency => "agency",
            Role::Editor => "editor",
        };
        if !others.iter().any(|c| c.name == name) {
            others.push(Credit { name, role });
        }
    }
    for block in &article.blocks {
        if let Block::Caption {
            credit: Some(who), ..
        } = block
        {
            let name = cleaned(who.trim());
            if !name.is_empty() && !others.iter().any(|c| c.name == name) {
                others.push(Credit {
                    name,
                    role: "photographer",
                });
            }
        }
    }
    (writers, others)
}

/// `url` when it is an absolute http(s) URL with nothing a URI forbids
/// (readers and the JSON Feed schema reject the rest); else `None`.
fn web_url(url: &str) -> Option<String> {
    let url = url.trim();
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let ok = !rest.is_empty()
        && !rest.starts_with('/')
        && url.bytes().all(|b| {
            b.is_ascii_graphic()
                && !matches!(
                    b,
                    b'"' | b'<' | b'>' | b'\\' | b'^' | b'`' | b'{' | b'|' | b'}'
                )
        });
    ok.then(|| url.to_string())
}

/// Word for a role in a byline, in the site's language.
fn role_word(role: Role, chinese: bool) -> &'static str {
    match (role, chinese) {
        (Role::Author, true) => "文",
        (Role::Reporter, true) => "记者",
        (Role::Correspondent, true) => "通讯员",
        (Role::Agency, true) => "来源",
        (Role::Editor, true) => "编辑",
        (Role::Author, false) => "By",
        (Role::Reporter, false) => "Reporter",
        (Role::Correspondent, false) => "Correspondent",
        (Role::Agency, false) => "Source",
        (Role::Editor, false) => "Editor",
    }
}

/// The credits as one line with their roles in words, grouped by role in
/// order of first appearance: `记者 陈婵　通讯员 黄雅玲 林瑞瑾` or
/// `By Jane Doe · Correspondent: John Roe`. `None` without credits.
pub(crate) fn byline(authors: &[Author], language: &str) -> Option<String> {
    let chinese = is_chinese(language);
    let mut groups: Vec<(Role, Vec<String>)> = Vec::new();
    for author in authors {
        let name = cleaned(author.name.trim());
        if name.is_empty() {
            continue;
        }
        match groups.iter_mut().find(|(role, _)| *role == author.role) {
            Some((_, names)) => names.push(name),
            None => groups.push((author.role, vec![name])),
        }
    }
    if groups.is_empty() {
        return None;
    }
    let parts: Vec<String> = groups
        .into_iter()
        .map(|(role, names)| {
            let word = role_word(role, chinese);
            match (chinese, role) {
                (true, _) => format!("{word} {}", names.join(" ")),
                (false, Role::Author) => format!("{word} {}", names.join(", ")),
                (false, _) => format!("{word}: {}", names.join(", ")),
            }
        })
        .collect();
    Some(parts.join(if chinese { "\u{3000}" } else { " · " }))
}

/// The article body as HTML: paragraphs, `<h3>` subheadings, captions as
/// `<p class="caption">`, sanitised HTML blocks inserted as they are.
pub(crate) fn body_markup(article: &Article) -> Markup {
    html! {
        @for block in &article.blocks {
            @match block {
                Block::Paragraph(text) if !text.trim().is_empty() => { p { (clean(text)) } }
                Block::Subheading(text) if !text.trim().is_empty() => { h3 { (clean(text)) } }
                Block::Caption { text, .. } if !text.trim().is_empty() => {
                    p.caption { (clean(text)) }
                }
                // Sanitised upstream; only characters XML forbids are removed.
                Block::Html { html, .. } => { (PreEscaped(clean(html))) }
                _ => {}
            }
        }
    }
}

/// The headline furniture shown above the body in feeds: kicker, subtitle,
/// byline.
pub(crate) fn header_markup(article: &Article, language: &str) -> Markup {
    html! {
        @if let Some(kicker) = present(&article.kicker) { p.kicker { (kicker) } }
        @if let Some(subtitle) = present(&article.subtitle) { p.subtitle { (subtitle) } }
        @if let Some(byline) = byline(&article.authors, language) { p.byline { (byline) } }
    }
}

/// A piece of furniture (kicker, subtitle, section), cleaned; `None` when
/// absent or blank.
pub(crate) fn present(text: &Option<String>) -> Option<Cow<'_, str>> {
    text.as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(clean)
}

/// The full content for feeds: header lines, then the body.
pub(crate) fn content_html(article: &Article, language: &str) -> String {
    html! { (header_markup(article, language)) (body_markup(article)) }.into_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn author(name: &str, role: Role) -> Author {
        Author {
            name: name.to_string(),
            role,
        }
    }

    #[test]
    fn byline_names_roles_in_words() {
        let cases: Vec<(Vec<Author>, &str, Option<&str>)> = vec![
            (vec![], "zh-CN", None),
            (
                vec![
                    author("陈婵", Role::Reporter),
                    author("黄雅玲", Role::Correspondent),
                    author("林瑞瑾", Role::Correspondent),
                ],
                "zh-CN",
                Some("记者 陈婵\u{3000}通讯员 黄雅玲 林瑞瑾"),
            ),
            (
                vec![author("Jane Doe", Role::Author), author("AP", Role::Agency)],
                "en",
                Some("By Jane Doe · Source: AP"),
            ),
            (
                vec![
                    author("A", Role::Correspondent),
                    author("B", Role::Editor),
                    author("C", Role::Correspondent),
                ],
                "en-GB",
                Some("Correspondent: A, C · Editor: B"),
            ),
            (vec![author("  ", Role::Reporter)], "en", None),
        ];
        for (authors, lang, want) in cases {
            assert_eq!(byline(&authors, lang).as_deref(), want, "{authors:?}");
        }
    }

    #[test]
    fn body_markup_escapes_text_and_keeps_sanitised_html() {
        let article = Article {
            title: "t".into(),
            blocks: vec![
                Block::Paragraph("<script>x</script> & ]]>".into()),
                Block::Subheading("小标题".into()),
                Block::Caption {
                    text: "图为现场 礼乐街道供图".into(),
                    credit: Some("礼乐街道".into()),
                },
                Block::Html {
                    html: "<p><em>ok</em>\u{0}</p>".into(),
                    text: "ok".into(),
                },
                Block::Paragraph("   ".into()),
            ],
            ..Article::default()
        };
        assert_eq!(
            body_markup(&article).into_string(),
            "<p>&lt;script&gt;x&lt;/script&gt; &amp; ]]&gt;</p>\
             <h3>小标题</h3>\
             <p class=\"caption\">图为现场 礼乐街道供图</p>\
             <p><em>ok</em></p>"
        );
    }

    #[test]
    fn header_markup_puts_kicker_subtitle_byline_in_order() {
        let article = Article {
            title: "t".into(),
            kicker: Some("引题 <b>".into()),
            subtitle: Some("副题".into()),
            authors: vec![author("陈婵", Role::Reporter)],
            ..Article::default()
        };
        assert_eq!(
            header_markup(&article, "zh-CN").into_string(),
            "<p class=\"kicker\">引题 &lt;b&gt;</p>\
             <p class=\"subtitle\">副题</p>\
             <p class=\"byline\">记者 陈婵</p>"
        );
    }

    #[test]
    fn web_url_accepts_only_plain_http_urls() {
        let cases: &[(&str, Option<&str>)] = &[
            (
                "https://example.com/a?b=c",
                Some("https://example.com/a?b=c"),
            ),
            (" http://example.com ", Some("http://example.com")),
            ("javascript:alert(1)", None),
            ("https://exa mple.com", None),
            ("https://例子.com", None),
            ("https://", None),
            ("ftp://example.com", None),
            ("https://x.com/<a>", None),
        ];
        for (input, want) in cases {
            assert_eq!(web_url(input).as_deref(), *want, "input {input:?}");
        }
    }
}
