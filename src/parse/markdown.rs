//! Markdown notes: optional YAML-ish front matter between `---` lines (keys
//! `title`, `date`, `section`, `authors` as a list or a comma string); the
//! lines are segmented by the text model, where a heading at the stories'
//! level directly above running text is a declared headline (the writer
//! marked it); bodies rendered with `pulldown-cmark` and sanitised with
//! `ammonia`.

use pulldown_cmark::{html, CowStr, Event, Options, Parser};

use super::{clean, date, Explained, LineKind, ParseError};
use crate::model::{Author, Block, Role};

/// Front matter as read.
#[derive(Debug, Default)]
struct FrontMatter {
    title: Option<String>,
    date: Option<String>,
    section: Option<String>,
    authors: Vec<String>,
}

fn unquote(s: &str) -> &str {
    let s = s.trim();
    for q in ['"', '\''] {
        if s.len() >= 2 && s.starts_with(q) && s.ends_with(q) {
            return &s[1..s.len() - 1];
        }
    }
    s
}

fn split_list(s: &str) -> Vec<String> {
    let s = s.trim();
    let s = s
        .strip_prefix('[')
        .and_then(|x| x.strip_suffix(']'))
        .unwrap_or(s);
    s.split([',', '，', '、'])
        .map(|x| unquote(x).trim().to_owned())
        .filter(|x| !x.is_empty())
        .collect()
}

/// Splits off front matter. Returns it, the body, and the 0-based line the
/// body starts on.
fn front_matter(text: &str) -> Result<(FrontMatter, &str, usize), ParseError> {
    let mut fm = FrontMatter::default();
    let first = text.lines().next().unwrap_or("");
    if first.trim_end() != "---" {
        return Ok((fm, text, 0));
    }
    let mut offset = first.len() + 1;
    let mut list_key: Option<String> = None;
    for (i, line) in text.lines().enumerate().skip(1) {
        let next_offset = (offset + line.len() + 1).min(text.len());
        let trimmed = line.trim();
        if trimmed == "---" || trimmed == "..." {
            return Ok((fm, &text[next_offset..], i + 1));
        }
        offset = next_offset;
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if let Some(item) = trimmed.strip_prefix("- ") {
            if list_key.as_deref() == Some("authors") {
                fm.authors.push(unquote(item).to_owned());
            }
            continue;
        }
        let Some((key, value)) = trimmed.split_once(':') else {
            return Err(ParseError::Syntax {
                line: i + 1,
                reason: format!(
                    "front matter line is not `key: value`: {:?}",
                    clean::line(trimmed)
                ),
            });
        };
        let key = key.trim().to_ascii_lowercase();
        let value = unquote(value);
        list_key = value.is_empty().then(|| key.clone());
        if value.is_empty() {
            continue;
        }
        match key.as_str() {
            "title" => fm.title = Some(value.to_owned()),
            "date" => fm.date = Some(value.to_owned()),
            "section" | "category" => fm.section = Some(value.to_owned()),
            "authors" | "author" => fm.authors = split_list(value),
            _ => {}
        }
    }
    Err(ParseError::Syntax {
        line: 1,
        reason: "front matter opened with `---` is never closed".into(),
    })
}

fn render(markdown: &str) -> Block {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(
        &mut raw,
        join_soft_breaks(Parser::new_ext(markdown, options)),
    );
    let html = ammonia::clean(&raw);
    let text = clean::html_to_text(&html);
    Block::Html { html, text }
}

/// A paragraph's hard-wrapped lines read as one line: each soft break
/// (a line end inside a paragraph, which CommonMark renders as a space)
/// becomes a space, or nothing between two CJK characters, so that the
/// block's plain text has no line breaks inside a sentence.
fn join_soft_breaks<'a>(
    events: impl Iterator<Item = Event<'a>>,
) -> impl Iterator<Item = Event<'a>> {
    let cjk = |c: Option<char>| c.is_some_and(|c| c as u32 >= 0x2e80);
    let mut events = events.peekable();
    let mut last: Option<char> = None;
    std::iter::from_fn(move || {
        let mut e = events.next()?;
        if matches!(e, Event::SoftBreak) {
            let next = match events.peek() {
                Some(Event::Text(t) | Event::Code(t)) => t.chars().next(),
                _ => None,
            };
            let joint = if cjk(last) && cjk(next) { "" } else { " " };
            e = Event::Text(CowStr::Borrowed(joint));
        }
        last = match &e {
            Event::Text(t) | Event::Code(t) => t.chars().next_back().or(last),
            _ => None,
        };
        Some(e)
    })
}

/// Plain text of one Markdown line (heading or first line as a title).
fn inline_text(s: &str) -> String {
    let stripped = s.trim_start_matches(['#', '>', '-', '*', '+', ' ']);
    clean::html_to_text(&ammonia::clean(&{
        let mut out = String::new();
        html::push_html(&mut out, Parser::new(stripped));
        out
    }))
    .replace('\n', " ")
}

/// The body of a Markdown file, after its front matter.
pub(super) fn body_of(text: &str) -> Result<&str, ParseError> {
    front_matter(text).map(|(_, body, _)| body)
}

/// Reads a Markdown bulletin: front matter, then the body segmented like a
/// text page (the model reads Markdown headings, emphasis and run-in
/// headlines as evidence), each paragraph rendered to sanitised HTML.
/// With `explain`, also records what every line was taken for.
pub(crate) fn parse(
    text: &str,
    weights: &super::text::Weights,
    explain: Option<&mut Vec<Explained>>,
) -> Result<super::text::Page, ParseError> {
    let (fm, body, body_line) = front_matter(text)?;
    let mut notes = Vec::new();
    let want_notes = explain.is_some();
    let mut page = super::text::parse_markdown(body, want_notes.then_some(&mut notes), weights);
    if let Some(out) = explain {
        for (i, line) in text.lines().take(body_line).enumerate() {
            let cleaned = clean::line(line);
            if !cleaned.is_empty() {
                out.push(Explained {
                    line: i + 1,
                    kind: LineKind::Furniture,
                    text: cleaned,
                    why: "front matter".into(),
                });
            }
        }
        for mut n in notes {
            n.line += body_line;
            out.push(n);
        }
    }
    page.page_date_line = page.page_date_line.map(|l| l + body_line);
    let bulletin = &mut page.bulletin;
    bulletin.date = fm.date.as_deref().and_then(date::parse_value);
    if fm.date.is_some() && bulletin.date.is_none() {
        bulletin.warnings.push(format!(
            "front matter date {:?} not understood",
            fm.date.as_deref().unwrap_or("")
        ));
    }
    if fm.section.is_some() {
        bulletin.section = fm.section.clone();
    }
    // A body without any headline is one article: the front matter's
    // title names it, if there is one.
    let untitled =
        bulletin.articles.len() == 1 && bulletin.articles[0].kicker.is_none() && page.untitled;
    for article in &mut bulletin.articles {
        article.line += body_line;
        article.title = inline_text(&article.title);
        if let (true, Some(t)) = (untitled, &fm.title) {
            article.title = t.clone();
        }
        if fm.section.is_some() {
            article.section = fm.section.clone();
        }
        for name in &fm.authors {
            let a = Author {
                name: name.clone(),
                role: Role::Author,
            };
            if !article.authors.contains(&a) {
                article.authors.push(a);
            }
        }
        for block in &mut article.blocks {
            match block {
                Block::Paragraph(md) => *block = render(md),
                Block::Subheading(t) => *t = inline_text(t),
                _ => {}
            }
        }
    }
    bulletin.articles.retain(|a| !a.title.is_empty());
    if bulletin.articles.is_empty() {
        return Err(ParseError::NoArticles);
    }
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Bulletin, Dated};

    fn parse_md(md: &str) -> Result<Bulletin, ParseError> {
        parse(md, &super::super::text::WEIGHTS, None).map(|p| p.bulletin)
    }

    #[test]
    fn splits_on_headings_and_renders_paragraphs() {
        let md = "---\ntitle: Notes\ndate: 2022-12-09\nsection: Council\nauthors:\n  - Jane Doe\n  - John Roe\n---\n# First story of the week\n\nThe first story has a body of *one* paragraph that runs on for a while.\n\n## Sub\n\nMore of the first story, after its subheading, also of some length.\n\n# Second story of the week\n\n<script>alert(1)</script>The second story is short but it is still a paragraph.\n";
        let b = parse_md(md).expect("parses");
        let titles: Vec<&str> = b.articles.iter().map(|a| a.title.as_str()).collect();
        assert_eq!(
            titles,
            ["First story of the week", "Second story of the week"]
        );
        assert_eq!(b.section.as_deref(), Some("Council"));
        assert_eq!(b.articles[0].section.as_deref(), Some("Council"));
        assert_eq!(
            b.date,
            chrono::NaiveDate::from_ymd_opt(2022, 12, 9).map(Dated::Day)
        );
        let names: Vec<_> = b.articles[0].names_with(Role::Author).collect();
        assert_eq!(names, ["Jane Doe", "John Roe"]);
        let Block::Html { html, text } = &b.articles[0].blocks[0] else {
            panic!("expected HTML, got {:?}", b.articles[0].blocks);
        };
        assert!(html.contains("<em>one</em>"), "{html}");
        assert_eq!(
            text,
            "The first story has a body of one paragraph that runs on for a while."
        );
        assert_eq!(b.articles[0].blocks[1], Block::Subheading("Sub".into()));
        let Block::Html { html, .. } = &b.articles[1].blocks[0] else {
            panic!("expected HTML");
        };
        assert!(!html.contains("script"), "{html}");
    }

    /// Stories that read alike (a series of notices, generated filler) and
    /// heads whose words do not recur below them still split on their
    /// headings: the Markdown writer declared them. A section heading over
    /// run-in stories is not forced into a story of its own.
    #[test]
    fn headings_split_stories_that_read_alike() {
        let mut md = String::from("---\ndate: 2024-06-03T09:00:00Z\n---\n\n");
        for k in 1..=6 {
            md.push_str(&format!("# Large {k:02} 10a34ed2c8\n\n"));
            let line = format!("Filler sentence number {k} of a long article. ").repeat(20);
            for _ in 0..3 {
                md.push_str(&format!("{line}\n\n"));
            }
            md.push_str(&format!("Final paragraph END-{k:02}.\n\n"));
        }
        let b = parse_md(&md).expect("parses");
        let titles: Vec<String> = b.articles.iter().map(|a| a.title.clone()).collect();
        let want: Vec<String> = (1..=6)
            .map(|k| format!("Large {k:02} 10a34ed2c8"))
            .collect();
        assert_eq!(titles, want);
        for (k, a) in b.articles.iter().enumerate() {
            let Some(Block::Html { text, .. }) = a.blocks.last() else {
                panic!("{}: no body", a.title);
            };
            assert_eq!(text, &format!("Final paragraph END-{:02}.", k + 1));
        }

        let runin = "# The Weekly Page\n\nA welcome paragraph that runs on long enough to be prose.\n\n## Briefs\n\n**Market moves.** The market moves to the hall lot for May.\n\n**Parrot found.** The parrot was found in a neighbour's tree.\n\n## Ferry fares rise in July\n\nA round trip will cost more from July, the operator said on Monday.\n";
        let b = parse_md(runin).expect("parses");
        let titles: Vec<&str> = b.articles.iter().map(|a| a.title.as_str()).collect();
        assert!(!titles.contains(&"Briefs"), "{titles:?}");
        assert!(titles.contains(&"Ferry fares rise in July"), "{titles:?}");
    }

    #[test]
    fn without_headings_one_article() {
        let cases = [
            (
                "---\ntitle: From front matter\nauthors: A, B\n---\nJust text, nothing more to say about it today.\n",
                "From front matter",
            ),
            (
                "The first paragraph says *something* at length, and ends.\n\nSecond paragraph, also long enough to be prose.\n",
                "The first paragraph says *something* at length, and ends",
            ),
        ];
        for (md, title) in cases {
            let b = parse_md(md).expect("parses");
            assert_eq!(b.articles.len(), 1, "{md}");
            assert_eq!(b.articles[0].title, title.replace('*', ""), "{md}");
        }
    }

    #[test]
    fn rejects_bad_front_matter() {
        let cases = [
            ("---\ntitle: x\n", 1),
            ("---\ntitle: x\nnot a pair\n---\n# T\n", 3),
        ];
        for (md, line) in cases {
            match parse_md(md) {
                Err(ParseError::Syntax { line: got, .. }) => assert_eq!(got, line, "{md}"),
                other => panic!("{md}: {other:?}"),
            }
        }
    }
}
