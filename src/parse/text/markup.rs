//! Markup around a line's words: Markdown headings and emphasis, HTML tags,
//! wire-service headline marks (`^Title<`), a wiki's `[edit]` links and
//! media tags (`[视频]`). Run-in headlines that open a paragraph are
//! `runin`'s.
//!
//! Markup is removed from the text the parser works with and kept as a
//! feature: a heading's markup level is strong evidence, but only evidence.

use std::borrow::Cow;

use super::measure::is_cjk;

/// Markup that wrapped a whole line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Markup {
    /// None.
    Plain,
    /// A Markdown heading (`#`…`######`) with its level.
    MdHeading(u8),
    /// An HTML heading (`<h1>`…`<h6>`) with its level.
    HtmlHeading(u8),
    /// A whole line in `**bold**`, `__bold__` or `<b>…</b>`, or in a plain
    /// text page (not Markdown) `*bold*`, as a mailer's text part renders
    /// its HTML bold.
    Bold,
    /// A wire-service headline `^Title<`, or a weather service's
    /// `...Title...`.
    WireHead,
    /// A wiki section heading with its `[edit]` link.
    WikiHeading,
    /// A line opened by a media tag (`[视频]`, `[图文]`).
    MediaTag,
    /// A line wholly inside 【】 or [] (`【城南论坛】`).
    Bracketed,
    /// A quoted e-mail line (`> …`).
    Quoted,
}

impl Markup {
    /// Whether the markup marks a heading of some level.
    pub(super) fn is_heading(self) -> bool {
        matches!(
            self,
            Markup::MdHeading(_)
                | Markup::HtmlHeading(_)
                | Markup::Bold
                | Markup::WireHead
                | Markup::WikiHeading
                | Markup::MediaTag
        )
    }
}

/// A line with its markup removed.
#[derive(Debug)]
pub(super) struct Unwrapped<'a> {
    /// The words.
    pub text: Cow<'a, str>,
    /// What wrapped them.
    pub markup: Markup,
    /// Only tags: nothing printed (`<div class="x">`).
    pub tags_only: bool,
}

/// Strips Markdown emphasis wrapping a whole line: `**x**`, `__x__`.
pub(super) fn strip_emphasis(s: &str) -> Option<&str> {
    for mark in ["**", "__"] {
        if s.len() > 2 * mark.len() && s.starts_with(mark) && s.ends_with(mark) {
            let inner = s[mark.len()..s.len() - mark.len()].trim();
            if !inner.is_empty() && !inner.contains(mark) {
                return Some(inner);
            }
        }
    }
    None
}

/// Strips the attribute block a Markdown heading may end with (kramdown's
/// `{#id}` and `{: .class}`, Pandoc's `{#id .class key=value}`).
fn strip_attributes(s: &str) -> &str {
    let Some(body) = s.strip_suffix('}') else {
        return s;
    };
    match body.rfind('{') {
        Some(open) if body[open + 1..].starts_with(['#', '.', ':']) => s[..open].trim_end(),
        _ => s,
    }
}

/// Strips a plain-text mailer's bold wrapping a whole line: `*x*`, the
/// words touching the stars.
fn strip_star_bold(s: &str) -> Option<&str> {
    let inner = s.strip_prefix('*')?.strip_suffix('*')?;
    let edges_touch = !inner.starts_with([' ', '*']) && !inner.ends_with([' ', '*']);
    (edges_touch && !inner.is_empty() && !inner.contains('*')).then_some(inner)
}

/// Strips single emphasis wrapping a whole line: `*x*`, `_x_`.
pub(super) fn strip_single_emphasis(s: &str) -> &str {
    for mark in ['*', '_'] {
        if s.len() > 2 && s.starts_with(mark) && s.ends_with(mark) {
            let inner = &s[1..s.len() - 1];
            if !inner.contains(mark) {
                return inner.trim();
            }
        }
    }
    s
}

/// The length of an HTML tag opening `s` (`<p>`, `</h3>`, `<a href=…>`,
/// `<!-- … -->`), if `s` opens with one. An address in angle brackets
/// (`<dan@example.net>`, `<https://…>`) is no tag.
fn tag_len(s: &str) -> Option<usize> {
    let rest = s.strip_prefix('<')?;
    let end = rest.find('>')?;
    let inner = &rest[..end];
    if inner.starts_with('!') {
        return Some(end + 2);
    }
    let name = inner.strip_prefix('/').unwrap_or(inner);
    let word: String = name
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect();
    let after = &name[word.len()..];
    let ok = word.starts_with(|c: char| c.is_ascii_alphabetic())
        && word.len() <= 10
        && (after.is_empty() || after.starts_with([' ', '/', '\t']))
        && !inner.contains('@')
        && !inner.contains("://");
    ok.then_some(end + 2)
}

/// Whether `s` holds something that looks like an HTML tag.
fn has_tag(s: &str) -> bool {
    s.match_indices('<')
        .any(|(i, _)| tag_len(&s[i..]).is_some())
}

/// The level of an HTML heading wrapping the whole line, if one does.
fn html_heading_level(s: &str) -> Option<u8> {
    let lower = s.get(..4)?.to_ascii_lowercase();
    let level = lower.strip_prefix("<h")?.chars().next()?.to_digit(10)?;
    let close = format!("</h{level}>");
    ((1..=6).contains(&level) && s.to_ascii_lowercase().trim_end().ends_with(&close))
        .then_some(level as u8)
}

/// Removes HTML tags and decodes the common entities.
pub(super) fn strip_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(pos) = rest.find('<') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos..];
        match tag_len(after) {
            Some(len) => {
                let name = after[1..len - 1]
                    .trim_start_matches('/')
                    .to_ascii_lowercase();
                if name.starts_with("br") || name.starts_with("td") {
                    out.push(' ');
                }
                rest = &after[len..];
            }
            None => {
                out.push('<');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    for (entity, c) in [
        ("&nbsp;", " "),
        ("&quot;", "\""),
        ("&#39;", "'"),
        ("&apos;", "'"),
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&mdash;", "—"),
        ("&ndash;", "–"),
        ("&copy;", "©"),
        ("&middot;", "·"),
        ("&raquo;", "»"),
        ("&laquo;", "«"),
        ("&hellip;", "…"),
        ("&rsquo;", "’"),
        ("&lsquo;", "‘"),
        ("&ldquo;", "“"),
        ("&rdquo;", "”"),
        ("&pound;", "£"),
        ("&euro;", "€"),
        ("&amp;", "&"),
    ] {
        if out.contains(entity) {
            out = out.replace(entity, c);
        }
    }
    if out.contains("&#") {
        out = numeric_entities(&out);
    }
    super::super::clean::line(&out)
}

/// Decodes `&#8217;` and `&#x2019;` entities.
fn numeric_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(pos) = rest.find("&#") {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 2..];
        let end = after.find(';').filter(|&e| e <= 8);
        let code = end.and_then(|e| {
            let digits = &after[..e];
            match digits.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok(),
                None => digits.parse().ok(),
            }
        });
        match (end, code.and_then(char::from_u32)) {
            (Some(e), Some(c)) => {
                out.push(c);
                rest = &after[e + 1..];
            }
            _ => {
                out.push_str("&#");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A media tag opening a line: `[视频]`, `[图文]`, `[组图]` (one to four Han
/// characters in ASCII brackets). Returns its length in bytes.
fn media_tag_len(s: &str) -> Option<usize> {
    let inner = s.strip_prefix('[')?;
    let close = inner.find(']')?;
    let tag = &inner[..close];
    let n = tag.chars().count();
    ((1..=4).contains(&n) && tag.chars().all(|c| is_cjk(c) && c.is_alphabetic()))
        .then_some(close + 2)
}

/// A weather service's `...Headline...` wrapped over lines: the line
/// ending `...` closes a heading `open` above it (`EST SATURDAY...`) and
/// becomes part of it. Returns whether a heading is still open below the
/// line (`source`, as printed).
pub(super) fn dotted_heading(u: &mut Unwrapped<'_>, source: &str, open: bool) -> bool {
    let source = source.trim_end();
    if open && u.markup == Markup::Plain {
        if let Some(rest) = u.text.strip_suffix("...").filter(|r| !r.contains("...")) {
            u.text = Cow::Owned(rest.trim_end().to_owned());
            u.markup = Markup::WireHead;
            return false;
        }
        return !source.ends_with("...");
    }
    u.markup == Markup::WireHead && source.starts_with("...") && !source.ends_with("...")
}

/// Removes the markup wrapping a cleaned, non-empty line of a page that
/// is Markdown or not (`markdown`).
pub(super) fn unwrap(text: Cow<'_, str>, markdown: bool) -> Unwrapped<'_> {
    let plain = |text, markup| Unwrapped {
        text,
        markup,
        tags_only: false,
    };
    // Markdown headings.
    let hashes = text.bytes().take_while(|&c| c == b'#').count();
    if (1..=6).contains(&hashes) && text[hashes..].starts_with(' ') {
        let inner = text[hashes..].trim();
        let inner = strip_attributes(inner).trim_end_matches('#').trim();
        let inner = strip_emphasis(inner).unwrap_or(inner);
        if !inner.is_empty() {
            let inner = inner.strip_suffix("[edit]").unwrap_or(inner).trim_end();
            return plain(
                Cow::Owned(inner.to_owned()),
                Markup::MdHeading(hashes as u8),
            );
        }
    }
    // A weather service's `...Headline...`, or the first line of one
    // wrapped (`read` closes it on the line ending `...`).
    if let Some(inner) = text.strip_prefix("...") {
        let inner = inner.strip_suffix("...").unwrap_or(inner).trim();
        if !inner.is_empty() && !inner.contains("...") {
            return plain(Cow::Owned(inner.to_owned()), Markup::WireHead);
        }
    }
    // `^Headline<` on a wire.
    if text.len() > 2 && text.starts_with('^') && text.ends_with('<') {
        let inner = text[1..text.len() - 1].trim();
        if !inner.is_empty() {
            return plain(Cow::Owned(inner.to_owned()), Markup::WireHead);
        }
    }
    if has_tag(&text) {
        let level = html_heading_level(&text);
        let lower = text.to_ascii_lowercase();
        let bold = (lower.starts_with("<b>") && lower.ends_with("</b>"))
            || (lower.starts_with("<strong>") && lower.ends_with("</strong>"));
        let stripped = strip_tags(&text);
        if stripped.is_empty() {
            return Unwrapped {
                text: Cow::Owned(stripped),
                markup: Markup::Plain,
                tags_only: true,
            };
        }
        let markup = match (level, bold) {
            (Some(l), _) => Markup::HtmlHeading(l),
            (None, true) => Markup::Bold,
            _ => Markup::Plain,
        };
        // A paragraph opened by a bold run-in keeps its tags for the split.
        if markup == Markup::Plain && (lower.starts_with("<b>") || lower.starts_with("<strong>")) {
            return plain(text, Markup::Plain);
        }
        return plain(Cow::Owned(stripped), markup);
    }
    // A mailer's text part sets its headings `** Title` (no closing
    // stars), over a rule.
    if let Some(inner) = text.strip_prefix("** ").filter(|t| !t.contains("**")) {
        let inner = inner.trim();
        if !inner.is_empty() && !markdown {
            return plain(Cow::Owned(inner.to_owned()), Markup::Bold);
        }
    }
    // In Markdown a line in single stars is italic (a byline, a caption, a
    // footer); in a plain text page it is a mailer's bold.
    let bold =
        strip_emphasis(&text).or_else(|| (!markdown).then(|| strip_star_bold(&text)).flatten());
    if let Some(inner) = bold {
        return plain(Cow::Owned(inner.to_owned()), Markup::Bold);
    }
    if let Some(inner) = text.strip_suffix("[edit]") {
        let inner = inner.trim_end();
        if !inner.is_empty() {
            return plain(Cow::Owned(inner.to_owned()), Markup::WikiHeading);
        }
    }
    if let Some(n) = media_tag_len(&text) {
        let inner = text[n..].trim();
        if !inner.is_empty() {
            return plain(Cow::Owned(inner.to_owned()), Markup::MediaTag);
        }
    }
    if text.starts_with('>') {
        return plain(text, Markup::Quoted);
    }
    if (text.starts_with('【') && text.ends_with('】'))
        || (text.starts_with('[') && text.ends_with(']') && !text.contains("]("))
    {
        return plain(text, Markup::Bracketed);
    }
    plain(text, Markup::Plain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unwraps_markup() {
        let cases: &[(&str, &str, Markup)] = &[
            ("## 第一篇", "第一篇", Markup::MdHeading(2)),
            ("# **Bold head**", "Bold head", Markup::MdHeading(1)),
            (
                "## Walk-in clinic {#eastgate}",
                "Walk-in clinic",
                Markup::MdHeading(2),
            ),
            ("### Rates {: .note}", "Rates", Markup::MdHeading(3)),
            ("## Sets {a, b}", "Sets {a, b}", Markup::MdHeading(2)),
            (
                "^Dockworkers end walkout<",
                "Dockworkers end walkout",
                Markup::WireHead,
            ),
            (
                "<h3>Entry title</h3>",
                "Entry title",
                Markup::HtmlHeading(3),
            ),
            ("<p>Some &amp; text</p>", "Some & text", Markup::Plain),
            (
                "...FLOOD WATCH IN EFFECT...",
                "FLOOD WATCH IN EFFECT",
                Markup::WireHead,
            ),
            (
                "...WINTER STORM WARNING TO 7 PM",
                "WINTER STORM WARNING TO 7 PM",
                Markup::WireHead,
            ),
            (
                "...and then it rained... twice",
                "...and then it rained... twice",
                Markup::Plain,
            ),
            ("**Boiler replaced**", "Boiler replaced", Markup::Bold),
            ("** A note from Renata", "A note from Renata", Markup::Bold),
            ("Reaction[edit]", "Reaction", Markup::WikiHeading),
            (
                "[视频]全国冬季农田水利建设",
                "全国冬季农田水利建设",
                Markup::MediaTag,
            ),
            ("> quoted text", "> quoted text", Markup::Quoted),
            ("【城南论坛】", "【城南论坛】", Markup::Bracketed),
            ("Plain line", "Plain line", Markup::Plain),
            ("a < b and c > d", "a < b and c > d", Markup::Plain),
            (
                "From: Dan <dan@example.net>",
                "From: Dan <dan@example.net>",
                Markup::Plain,
            ),
        ];
        for (line, text, markup) in cases {
            let u = unwrap(Cow::Borrowed(line), false);
            assert_eq!((u.text.as_ref(), u.markup), (*text, *markup), "{line}");
        }
        assert!(unwrap(Cow::Borrowed("<div class=\"x\">"), false).tags_only);
        // A dotted headline wrapped over two lines.
        let first = "...WINTER STORM WARNING TO 7 PM";
        let mut u = unwrap(Cow::Borrowed(first), false);
        assert!(dotted_heading(&mut u, first, false));
        let mut u = unwrap(Cow::Borrowed("EST SATURDAY..."), false);
        assert!(!dotted_heading(&mut u, "EST SATURDAY...", true));
        assert_eq!(
            (u.text.as_ref(), u.markup),
            ("EST SATURDAY", Markup::WireHead)
        );
        // A mailer's `*bold*` in plain text; italic in Markdown.
        let star = |md| unwrap(Cow::Borrowed("*Last Week's Meeting*"), md);
        assert_eq!(star(false).markup, Markup::Bold);
        assert_eq!(star(false).text, "Last Week's Meeting");
        assert_eq!(star(true).markup, Markup::Plain);
        assert_eq!(
            unwrap(Cow::Borrowed("* item *"), false).markup,
            Markup::Plain
        );
    }
}
