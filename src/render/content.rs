//! One item, prepared once for every format: cleaned title, absolute link,
//! credits split into authors and contributors, the HTML body with its
//! kicker, subtitle and byline, and the plain-text summary.
//!
//! Building every format from the same [`ItemView`] is what keeps ids,
//! titles and dates identical across RSS, Atom and JSON Feed.

use chrono::{DateTime, FixedOffset, SubsecRound};

use super::text::{cleaned, escape_html, summarize, SUMMARY_CHARS};
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
    /// Writers, reporters and agencies, in credit order.
    pub authors: Vec<String>,
    /// Correspondents, in credit order.
    pub correspondents: Vec<String>,
    /// Editors, in credit order.
    pub editors: Vec<String>,
    /// Section, cleaned.
    pub section: Option<String>,
    /// Full content as an HTML fragment: kicker, subtitle, byline, body.
    pub content_html: String,
    /// Plain-text summary (the source's, else the start of the body).
    pub summary: Option<String>,
    /// The article's language: the site's, unless the text is plainly in
    /// another script.
    pub language: Option<String>,
}

impl ItemView {
    /// Correspondents then editors: Atom `contributor`, RSS `dc:contributor`.
    pub(crate) fn contributors(&self) -> impl Iterator<Item = &String> {
        self.correspondents.iter().chain(&self.editors)
    }

    /// Prepares `item` for rendering on `site`.
    pub(crate) fn new(site: &Site, item: &Item) -> ItemView {
        let article = &item.article;
        let published = item.published.trunc_subsecs(0);
        let updated = item.updated.trunc_subsecs(0).max(published);
        let credit = |roles: &[Role]| -> Vec<String> {
            article
                .authors
                .iter()
                .filter(|a| roles.contains(&a.role))
                .map(|a| cleaned(&a.name))
                .filter(|n| !n.trim().is_empty())
                .collect()
        };
        let language = article_language(site, article);
        let summary = match article.summary.as_deref() {
            Some(given) if !given.trim().is_empty() => summarize(given, usize::MAX),
            _ => summarize(&article.body_text(), SUMMARY_CHARS),
        };
        ItemView {
            id: cleaned(&item.id),
            title: cleaned(&article.title),
            url: item_url(site, &item.slug),
            external_url: article.url.as_deref().and_then(web_url),
            published,
            updated,
            authors: credit(&[Role::Author, Role::Reporter, Role::Agency]),
            correspondents: credit(&[Role::Correspondent]),
            editors: credit(&[Role::Editor]),
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

/// The language of one article: the site's, unless its text is written
/// in the other script family (an English page on a Chinese site, or the
/// reverse); then `en` or `zh`. Picks the byline's words and the JSON
/// item's `language`.
pub(crate) fn article_language(site: &Site, article: &Article) -> String {
    /// Characters looked at: enough to tell the script, cheap on long bodies.
    const SAMPLE_CHARS: usize = 400;
    let (mut han, mut latin) = (0usize, 0usize);
    let body = article.body_text();
    for c in article.title.chars().chain(body.chars()).take(SAMPLE_CHARS) {
        if matches!(c, '\u{3400}'..='\u{9fff}' | '\u{f900}'..='\u{faff}' | '\u{20000}'..='\u{2ffff}')
        {
            han += 1;
        } else if c.is_ascii_alphabetic() {
            latin += 1;
        }
    }
    // Switch only on clear evidence: a Latin-script text with no Han at
    // all, or a Han text with little Latin; short or mixed text keeps the
    // site's language.
    /// Letters needed before a text counts as clearly Latin-script.
    const CLEAR_LATIN: usize = 40;
    /// Han characters needed before a text counts as clearly Chinese.
    const CLEAR_HAN: usize = 10;
    let site_language = site.language.trim();
    let site_chinese = is_chinese(site_language);
    if site_chinese && han == 0 && latin >= CLEAR_LATIN {
        "en".into()
    } else if !site_chinese && han >= CLEAR_HAN && han * 3 > latin {
        "zh".into()
    } else {
        cleaned(site_language)
    }
}

/// Whether a language tag is Chinese (picks the byline's role words).
fn is_chinese(language: &str) -> bool {
    let lang = language.to_ascii_lowercase();
    lang == "zh" || lang.starts_with("zh-")
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
pub(crate) fn body_html(article: &Article) -> String {
    let mut out = String::new();
    for block in &article.blocks {
        match block {
            Block::Paragraph(text) if !text.trim().is_empty() => {
                out.push_str("<p>");
                out.push_str(&escape_html(text));
                out.push_str("</p>\n");
            }
            Block::Subheading(text) if !text.trim().is_empty() => {
                out.push_str("<h3>");
                out.push_str(&escape_html(text));
                out.push_str("</h3>\n");
            }
            Block::Caption { text, .. } if !text.trim().is_empty() => {
                out.push_str("<p class=\"caption\">");
                out.push_str(&escape_html(text));
                out.push_str("</p>\n");
            }
            Block::Html { html, .. } => {
                // Sanitised upstream; only characters XML forbids are removed.
                out.push_str(&cleaned(html));
                out.push('\n');
            }
            _ => {}
        }
    }
    out
}

/// The headline furniture shown above the body: kicker, subtitle, byline.
pub(crate) fn header_html(article: &Article, language: &str) -> String {
    let mut out = String::new();
    let mut line = |class: &str, text: &str| {
        if !text.trim().is_empty() {
            out.push_str(&format!("<p class=\"{class}\">{}</p>\n", escape_html(text)));
        }
    };
    if let Some(kicker) = &article.kicker {
        line("kicker", kicker);
    }
    if let Some(subtitle) = &article.subtitle {
        line("subtitle", subtitle);
    }
    if let Some(byline) = byline(&article.authors, language) {
        line("byline", &byline);
    }
    out
}

/// The full content for feeds: header lines, then the body.
pub(crate) fn content_html(article: &Article, language: &str) -> String {
    let mut out = header_html(article, language);
    out.push_str(&body_html(article));
    out
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
    fn body_html_escapes_text_and_keeps_sanitised_html() {
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
            body_html(&article),
            "<p>&lt;script&gt;x&lt;/script&gt; &amp; ]]&gt;</p>\n\
             <h3>小标题</h3>\n\
             <p class=\"caption\">图为现场 礼乐街道供图</p>\n\
             <p><em>ok</em></p>\n"
        );
    }

    #[test]
    fn header_html_puts_kicker_subtitle_byline_in_order() {
        let article = Article {
            title: "t".into(),
            kicker: Some("引题 <b>".into()),
            subtitle: Some("副题".into()),
            authors: vec![author("陈婵", Role::Reporter)],
            ..Article::default()
        };
        assert_eq!(
            header_html(&article, "zh-CN"),
            "<p class=\"kicker\">引题 &lt;b&gt;</p>\n\
             <p class=\"subtitle\">副题</p>\n\
             <p class=\"byline\">记者 陈婵</p>\n"
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
