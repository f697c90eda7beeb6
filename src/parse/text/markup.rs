//! Markup around a line's words: Markdown headings and emphasis, HTML tags,
//! wire-service headline marks (`^Title<`), a wiki's `[edit]` links, media
//! tags (`[视频]`), and run-in headlines that open a paragraph
//! (`**Title.** Body…`, `【标题】正文…`, `ROAD WORK: Crews…`).
//!
//! Markup is removed from the text the parser works with and kept as a
//! feature: a heading's markup level is strong evidence, but only evidence.

use std::borrow::Cow;

use super::measure::{is_cjk, width};

/// Longest ALL-CAPS lead-in (bytes) of a brief (`ROAD WORK: …`).
const LEAD_IN_MAX_BYTES: usize = 40;

/// Longest run-in headline (columns) taken off the front of a paragraph.
const RUN_IN_MAX_COLS: usize = 90;

/// Markup that wrapped a whole line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Markup {
    /// None.
    Plain,
    /// A Markdown heading (`#`…`######`) with its level.
    MdHeading(u8),
    /// An HTML heading (`<h1>`…`<h6>`) with its level.
    HtmlHeading(u8),
    /// A whole line in `**bold**`, `__bold__` or `<b>…</b>`.
    Bold,
    /// A wire-service headline `^Title<`.
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
fn strip_tags(s: &str) -> String {
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

/// Removes the markup wrapping a cleaned, non-empty line.
pub(super) fn unwrap(text: Cow<'_, str>) -> Unwrapped<'_> {
    let plain = |text, markup| Unwrapped {
        text,
        markup,
        tags_only: false,
    };
    // Markdown headings.
    let hashes = text.bytes().take_while(|&c| c == b'#').count();
    if (1..=6).contains(&hashes) && text[hashes..].starts_with(' ') {
        let inner = text[hashes..].trim().trim_end_matches('#').trim();
        let inner = strip_emphasis(inner).unwrap_or(inner);
        if !inner.is_empty() {
            let inner = inner.strip_suffix("[edit]").unwrap_or(inner).trim_end();
            return plain(
                Cow::Owned(inner.to_owned()),
                Markup::MdHeading(hashes as u8),
            );
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
    if let Some(inner) = strip_emphasis(&text) {
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

/// A run-in headline taken off the front of a paragraph.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct RunIn {
    /// The headline, markup and run-in full stop removed.
    pub head: String,
    /// The paragraph after it.
    pub rest: String,
    /// The whole paragraph without the markup, for when the head turns out
    /// not to be a headline after all.
    pub whole: String,
    /// How the head was set.
    pub kind: RunInKind,
    /// The head is a bold label closed by a colon (`**兑换方式**：…`), as
    /// list items and labelled paragraphs are, not a run-in headline.
    pub colon: bool,
}

/// How a run-in headline is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum RunInKind {
    /// `**Title.** body`, `__Title.__ body`, `<b>Title.</b> body`.
    Bold,
    /// `【标题】正文`.
    Bracket,
    /// `ROAD WORK: Crews will…` (capitals and a colon).
    Caps,
}

/// Splits `**Title.** rest`, `__Title.__ rest` and `<b>Title.</b> rest`.
fn bold_run_in(s: &str) -> Option<RunIn> {
    let (open, close) = if s.starts_with("**") {
        ("**", "**")
    } else if s.starts_with("__") {
        ("__", "__")
    } else if s.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("<b>")) {
        ("<b>", "</b>")
    } else if s
        .get(..8)
        .is_some_and(|p| p.eq_ignore_ascii_case("<strong>"))
    {
        ("<strong>", "</strong>")
    } else {
        return None;
    };
    let inner_start = open.len();
    let lower;
    let hay = if open.starts_with('<') {
        lower = s.to_ascii_lowercase();
        lower.as_str()
    } else {
        s
    };
    let end = hay[inner_start..].find(close)? + inner_start;
    let head_raw = s[inner_start..end].trim();
    let after_close = s[end + close.len()..].trim_start();
    let colon = head_raw.ends_with([':', '：']) || after_close.starts_with([':', '：']);
    let rest_raw = after_close.trim_start_matches([':', '：']).trim();
    if head_raw.is_empty() || rest_raw.is_empty() || width(head_raw) > RUN_IN_MAX_COLS {
        return None;
    }
    let rest = if open.starts_with('<') {
        strip_tags(rest_raw)
    } else {
        rest_raw.to_owned()
    };
    // The run-in full stop (or colon) belongs to the layout; a question
    // or exclamation mark belongs to the headline.
    let head = head_raw
        .strip_suffix(['.', ':', '：', '。'])
        .unwrap_or(head_raw)
        .trim()
        .to_owned();
    if head.is_empty() || rest.is_empty() {
        return None;
    }
    let whole = format!("{head_raw} {rest}");
    Some(RunIn {
        head,
        rest,
        whole,
        kind: RunInKind::Bold,
        colon,
    })
}

/// Splits `【标题】正文…` when what follows is a paragraph, not the rest of a
/// headline (`【奋斗者 正青春】海岛上的“候鸟医生”` stays whole).
fn bracket_run_in(s: &str, rest_is_credit: impl Fn(&str) -> bool) -> Option<RunIn> {
    let inner = s.strip_prefix('【')?;
    let close = inner.find('】')?;
    let head = inner[..close].trim();
    let rest = inner[close + '】'.len_utf8()..].trim();
    // A label of two or three characters (`【同期】`, `【本報訊】`) heads no
    // story.
    if head.is_empty() || rest.is_empty() || width(head) > RUN_IN_MAX_COLS || width(head) < 8 {
        return None;
    }
    // Bracketed credits and datelines (`【新华社…电】`, `【記者…報導】`) are
    // credits, not headlines.
    if rest_is_credit(&format!("【{head}】")) {
        return None;
    }
    let prose = width(rest) > 60 || rest_is_credit(rest);
    prose.then(|| RunIn {
        head: head.to_owned(),
        rest: rest.to_owned(),
        whole: s.to_owned(),
        kind: RunInKind::Bracket,
        colon: false,
    })
}

/// The length of an ALL-CAPS lead-in opening a brief, colon included
/// (`ROAD WORK: Crews will…`): at least four capital letters, a colon, and
/// a sentence after it.
pub(super) fn lead_in_len(s: &str) -> Option<usize> {
    if !s.starts_with(|c: char| c.is_ascii_uppercase()) {
        return None;
    }
    let colon = s
        .bytes()
        .take(LEAD_IN_MAX_BYTES + 1)
        .position(|b| b == b':')?;
    let head = &s[..colon];
    let letters = head.chars().filter(char::is_ascii_uppercase).count();
    let ok = letters >= 4
        && head.chars().all(|c| {
            c.is_ascii_uppercase()
                || c.is_ascii_digit()
                || matches!(c, ' ' | '&' | '\'' | '’' | '-' | '.')
        });
    let rest = s[colon + 1..].trim_start();
    // The rest is a sentence, not another line of capitals.
    let prose = rest.chars().any(|c| c.is_lowercase());
    (ok && prose
        && rest.len() > 20
        && rest.starts_with(|c: char| {
            c.is_uppercase() || c.is_ascii_digit() || matches!(c, '"' | '“')
        }))
    .then_some(colon + 1)
}

/// Splits a run-in headline off the front of a paragraph, if the line opens
/// with one. `is_credit` says whether a text is (or opens with) a credit.
pub(super) fn run_in(s: &str, is_credit: impl Fn(&str) -> bool) -> Option<RunIn> {
    if let Some(r) = bold_run_in(s) {
        return Some(r);
    }
    if s.starts_with('【') {
        return bracket_run_in(s, is_credit);
    }
    let n = lead_in_len(s)?;
    let head = s[..n].trim_end_matches(':').trim().to_owned();
    let rest = s[n..].trim_start().to_owned();
    Some(RunIn {
        head,
        rest,
        whole: s.to_owned(),
        kind: RunInKind::Caps,
        colon: false,
    })
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
            ("**Boiler replaced**", "Boiler replaced", Markup::Bold),
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
            let u = unwrap(Cow::Borrowed(line));
            assert_eq!((u.text.as_ref(), u.markup), (*text, *markup), "{line}");
        }
        assert!(unwrap(Cow::Borrowed("<div class=\"x\">")).tags_only);
    }

    #[test]
    fn splits_run_in_headlines() {
        let never = |_: &str| false;
        let cases: &[(&str, Option<(&str, &str)>)] = &[
            (
                "**Council delays vote.** The council voted on Tuesday.",
                Some(("Council delays vote", "The council voted on Tuesday.")),
            ),
            (
                "**Who owns the old mill?** Nobody seems quite sure.",
                Some(("Who owns the old mill?", "Nobody seems quite sure.")),
            ),
            (
                "__Road closes.__ The road is shut.",
                Some(("Road closes", "The road is shut.")),
            ),
            (
                "<b>Hall opens.</b> The hall is open again after the works.",
                Some(("Hall opens", "The hall is open again after the works.")),
            ),
            (
                "ROAD WORK: Crews will repave Elm Street on Monday.",
                Some(("ROAD WORK", "Crews will repave Elm Street on Monday.")),
            ),
            ("【奋斗者 正青春】海岛上的“候鸟医生”", None),
            ("**Bold** only", Some(("Bold", "only"))),
            ("Plain paragraph.", None),
        ];
        for (line, want) in cases {
            let got = run_in(line, never);
            assert_eq!(
                got.as_ref().map(|r| (r.head.as_str(), r.rest.as_str())),
                *want,
                "{line}"
            );
        }
        let long = "【湖南早稻育秧进度过半】新华社长沙4月8日电（记者周立新）记者从湖南省农业厅获悉，全省早稻育秧面积已完成计划的56%。";
        let got = run_in(long, |s| s.starts_with("新华社"));
        assert_eq!(got.map(|r| r.head), Some("湖南早稻育秧进度过半".to_owned()));
    }
}
