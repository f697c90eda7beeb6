//! Markdown notes: optional YAML-ish front matter between `---` lines (keys
//! `title`, `date`, `section`, `authors` as a list or a comma string), one
//! article per top-level `# ` heading, bodies rendered with `pulldown-cmark`
//! and sanitised with `ammonia`.

use pulldown_cmark::{html, Options, Parser};

use super::{clean, date, Explained, LineKind, ParseError};
use crate::model::{Article, Author, Block, Bulletin, Role};

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
    html::push_html(&mut raw, Parser::new_ext(markdown, options));
    let html = ammonia::clean(&raw);
    let text = clean::html_to_text(&html);
    Block::Html { html, text }
}

/// Whether a line opens or closes a fenced code block.
fn is_fence(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with("```") || t.starts_with("~~~")
}

/// A top-level heading: `# Title` (not `##`).
fn h1(line: &str) -> Option<&str> {
    let rest = line.strip_prefix('#')?;
    if !(rest.starts_with(' ') || rest.starts_with('\t')) {
        return None;
    }
    Some(rest.trim().trim_end_matches('#').trim())
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

/// Reads a Markdown bulletin.
pub(crate) fn parse(text: &str) -> Result<Bulletin, ParseError> {
    let (fm, body, _) = front_matter(text)?;
    let mut bulletin = Bulletin {
        date: fm.date.as_deref().and_then(date::parse_value),
        section: fm.section.clone(),
        ..Default::default()
    };
    if fm.date.is_some() && bulletin.date.is_none() {
        bulletin.warnings.push(format!(
            "front matter date {:?} not understood",
            fm.date.as_deref().unwrap_or("")
        ));
    }
    // (title, first line, body) per top-level heading.
    let mut parts: Vec<(Option<String>, String)> = Vec::new();
    let mut current = String::new();
    let mut title: Option<String> = None;
    let mut in_fence = false;
    for line in body.lines() {
        if is_fence(line) {
            in_fence = !in_fence;
        }
        if !in_fence {
            if let Some(h) = h1(line) {
                if title.is_some() || !current.trim().is_empty() {
                    parts.push((title.take(), std::mem::take(&mut current)));
                }
                title = Some(inline_text(h));
                continue;
            }
        }
        current.push_str(line);
        current.push('\n');
    }
    if title.is_some() || !current.trim().is_empty() {
        parts.push((title, current));
    }
    let has_headings = parts.iter().any(|(t, _)| t.is_some());
    for (title, body) in parts {
        let (title, body) = match title {
            Some(t) => (t, body),
            // Text before the first heading is an introduction when
            // headings follow; alone it is the article.
            None if has_headings => continue,
            None => match &fm.title {
                Some(t) => (t.clone(), body),
                None => {
                    let mut lines = body.lines().skip_while(|l| l.trim().is_empty());
                    let first = lines.next().unwrap_or("");
                    let rest: Vec<&str> = lines.collect();
                    let title = inline_text(first);
                    let title = if title.is_empty() {
                        clean::line(first)
                    } else {
                        title
                    };
                    (title, rest.join("\n"))
                }
            },
        };
        let mut article = Article {
            title: clean::line(&title),
            section: fm.section.clone(),
            authors: fm
                .authors
                .iter()
                .map(|name| Author {
                    name: name.clone(),
                    role: Role::Author,
                })
                .collect(),
            ..Default::default()
        };
        if !body.trim().is_empty() {
            article.blocks.push(render(&body));
        }
        if article.title.is_empty() {
            bulletin
                .warnings
                .push("article without a title skipped".into());
            continue;
        }
        bulletin.articles.push(article);
    }
    if bulletin.articles.is_empty() {
        return Err(ParseError::NoArticles);
    }
    Ok(bulletin)
}

/// Explains a Markdown bulletin line by line.
pub(crate) fn explain(text: &str) -> Vec<Explained> {
    let body_start = front_matter(text).map_or(0, |(_, _, start)| start);
    let mut out = Vec::new();
    let mut in_fence = false;
    for (i, line) in text.lines().enumerate() {
        let cleaned = clean::line(line);
        if cleaned.is_empty() {
            continue;
        }
        let (kind, why) = if i < body_start {
            (LineKind::Furniture, "front matter")
        } else if is_fence(line) {
            in_fence = !in_fence;
            (LineKind::Paragraph, "code fence")
        } else if in_fence {
            (LineKind::Paragraph, "inside a code block")
        } else if h1(line).is_some() {
            (
                LineKind::Headline,
                "top-level `# ` heading starts an article",
            )
        } else if line.starts_with("##") {
            (
                LineKind::Subheading,
                "deeper heading stays in the article's HTML",
            )
        } else {
            (LineKind::Paragraph, "Markdown body, rendered to HTML")
        };
        out.push(Explained {
            line: i + 1,
            kind,
            text: cleaned,
            why: why.into(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Dated;

    #[test]
    fn splits_on_top_level_headings() {
        let md = "---\ntitle: Notes\ndate: 2022-12-09\nsection: Council\nauthors:\n  - Jane Doe\n  - John Roe\n---\nIntro.\n\n# First\n\nBody *one*.\n\n## Sub\n\nMore.\n\n# Second\n\n<script>alert(1)</script>Two.\n";
        let b = parse(md).expect("parses");
        assert_eq!(b.articles.len(), 2);
        assert_eq!(b.articles[0].title, "First");
        assert_eq!(b.articles[1].title, "Second");
        assert_eq!(b.section.as_deref(), Some("Council"));
        assert_eq!(b.articles[0].section.as_deref(), Some("Council"));
        assert_eq!(
            b.date,
            chrono::NaiveDate::from_ymd_opt(2022, 12, 9).map(Dated::Day)
        );
        let names: Vec<_> = b.articles[0].names_with(Role::Author).collect();
        assert_eq!(names, ["Jane Doe", "John Roe"]);
        let Block::Html { html, text } = &b.articles[0].blocks[0] else {
            panic!("expected HTML");
        };
        assert!(
            html.contains("<em>one</em>") && html.contains("<h2>Sub</h2>"),
            "{html}"
        );
        assert_eq!(text, "Body one.\n\nSub\n\nMore.");
        let Block::Html { html, .. } = &b.articles[1].blocks[0] else {
            panic!("expected HTML");
        };
        assert!(!html.contains("script"), "{html}");
    }

    #[test]
    fn without_headings_one_article() {
        let cases = [
            (
                "---\ntitle: From front matter\nauthors: A, B\n---\nJust text.\n",
                "From front matter",
            ),
            (
                "First line *here*\n\nSecond paragraph.\n",
                "First line here",
            ),
            ("```\n# not a heading\n```\n", "```"),
        ];
        for (md, title) in cases {
            let b = parse(md).expect("parses");
            assert_eq!(b.articles.len(), 1, "{md}");
            assert_eq!(b.articles[0].title, title, "{md}");
        }
    }

    #[test]
    fn rejects_bad_front_matter() {
        let cases = [
            ("---\ntitle: x\n", 1),
            ("---\ntitle: x\nnot a pair\n---\n# T\n", 3),
        ];
        for (md, line) in cases {
            match parse(md) {
                Err(ParseError::Syntax { line: got, .. }) => assert_eq!(got, line, "{md}"),
                other => panic!("{md}: {other:?}"),
            }
        }
    }
}
