//! JSON item lists: an array of items or `{"items": [...]}` (with optional
//! feed-level `title`, `date`, `section`). Item keys follow JSON Feed where
//! they can: `title` (required), `id`, `authors`/`author`, `date` /
//! `date_published`, `content_text`, `content_html`, `summary`, `url`,
//! `section` / `tags`.

use serde_json::{Map, Value};

use super::{clean, date, Explained, LineKind, ParseError};
use crate::model::{Article, Author, Block, Bulletin, Role};

fn syntax(e: &serde_json::Error) -> ParseError {
    let msg = e.to_string();
    // serde_json appends " at line L column C"; the line is ours to report.
    let reason = match msg.rfind(" at line ") {
        Some(pos) => format!("{} (column {})", &msg[..pos], e.column()),
        None => msg,
    };
    ParseError::Syntax {
        line: e.line().max(1),
        reason: format!("malformed JSON: {reason}"),
    }
}

fn string(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
    .filter(|s| !s.trim().is_empty())
}

fn author_name(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Object(o) => string(o.get("name")),
        _ => None,
    }
}

/// The item list and, for `{"items": [...]}`, the feed-level object.
type Items<'a> = (&'a Vec<Value>, Option<&'a Map<String, Value>>);

fn items(doc: &Value) -> Result<Items<'_>, ParseError> {
    match doc {
        Value::Array(items) => Ok((items, None)),
        Value::Object(o) => match o.get("items") {
            Some(Value::Array(items)) => Ok((items, Some(o))),
            _ => Err(ParseError::Syntax {
                line: 1,
                reason: "expected an array of items or an object with an \"items\" array".into(),
            }),
        },
        _ => Err(ParseError::Syntax {
            line: 1,
            reason: "expected an array of items or an object with an \"items\" array".into(),
        }),
    }
}

/// Paragraphs of plain text, split on blank lines.
fn paragraphs(text: &str) -> Vec<Block> {
    clean::text(text)
        .split("\n\n")
        .map(|p| {
            let mut out = String::new();
            for line in p.lines() {
                if !out.is_empty() {
                    let cjk = |c: Option<char>| c.is_some_and(|c| c as u32 >= 0x2e80);
                    if !(cjk(out.chars().next_back()) || cjk(line.chars().next())) {
                        out.push(' ');
                    }
                }
                out.push_str(line);
            }
            Block::Paragraph(out)
        })
        .filter(|b| !matches!(b, Block::Paragraph(p) if p.is_empty()))
        .collect()
}

fn article(item: &Map<String, Value>, warnings: &mut Vec<String>, n: usize) -> Option<Article> {
    let Some(title) = string(item.get("title"))
        .map(|t| clean::line(&t))
        .filter(|t| !t.is_empty())
    else {
        warnings.push(format!("item {n}: no title, skipped"));
        return None;
    };
    let mut article = Article {
        title,
        key: string(item.get("id")),
        summary: string(item.get("summary")),
        url: string(item.get("url")),
        ..Default::default()
    };
    let mut names: Vec<String> = match item.get("authors") {
        Some(Value::Array(list)) => list.iter().filter_map(author_name).collect(),
        Some(v) => author_name(v).into_iter().collect(),
        None => Vec::new(),
    };
    if let Some(a) = item.get("author").and_then(author_name) {
        names.push(a);
    }
    for name in names {
        let name = clean::line(&name);
        if !name.is_empty() && !article.authors.iter().any(|a| a.name == name) {
            article.authors.push(Author {
                name,
                role: Role::Author,
            });
        }
    }
    if let Some(d) = string(item.get("date_published")).or_else(|| string(item.get("date"))) {
        article.date = date::parse_value(&d);
        if article.date.is_none() {
            warnings.push(format!("item {n}: date {d:?} not understood"));
        }
    }
    article.section = string(item.get("section")).or_else(|| match item.get("tags") {
        Some(Value::Array(tags)) => tags.iter().find_map(|t| string(Some(t))),
        _ => None,
    });
    if let Some(html) = string(item.get("content_html")) {
        let safe = ammonia::clean(&html);
        let text = clean::html_to_text(&safe);
        article.blocks.push(Block::Html { html: safe, text });
    } else if let Some(text) = string(item.get("content_text")) {
        article.blocks = paragraphs(&text);
    }
    Some(article)
}

/// Reads a JSON bulletin.
pub(crate) fn parse(text: &str) -> Result<Bulletin, ParseError> {
    let doc: Value = serde_json::from_str(text).map_err(|e| syntax(&e))?;
    let (list, feed) = items(&doc)?;
    let mut bulletin = Bulletin::default();
    if let Some(feed) = feed {
        if let Some(d) = string(feed.get("date")).or_else(|| string(feed.get("date_published"))) {
            bulletin.date = date::parse_value(&d);
            if bulletin.date.is_none() {
                bulletin
                    .warnings
                    .push(format!("feed date {d:?} not understood"));
            }
        }
        bulletin.section = string(feed.get("section"));
    }
    for (n, item) in list.iter().enumerate() {
        match item {
            Value::Object(o) => {
                if let Some(a) = article(o, &mut bulletin.warnings, n + 1) {
                    bulletin.articles.push(a);
                }
            }
            _ => bulletin
                .warnings
                .push(format!("item {}: not an object, skipped", n + 1)),
        }
    }
    if bulletin.articles.is_empty() {
        return Err(ParseError::NoArticles);
    }
    Ok(bulletin)
}

/// Explains a JSON bulletin: one line per item, at the line of its title.
pub(crate) fn explain(text: &str) -> Result<Vec<Explained>, ParseError> {
    let bulletin = parse(text)?;
    let mut out = Vec::new();
    let mut from = 0;
    for a in &bulletin.articles {
        let line = text
            .lines()
            .enumerate()
            .skip(from)
            .find(|(_, l)| l.contains("\"title\""))
            .map_or(0, |(i, _)| i + 1);
        from = line;
        out.push(Explained {
            line,
            kind: LineKind::Headline,
            text: a.title.clone(),
            why: "JSON item title".into(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Dated;

    #[test]
    fn reads_items() {
        let doc = r#"{"title": "Feed", "date": "2022-12-09", "items": [
            {"id": 7, "title": " One ", "authors": ["A", {"name": "B"}], "author": "C",
             "date_published": "2022-12-09T08:00:00+08:00", "content_text": "p1 line\nmore\n\np2",
             "summary": "s", "url": "https://example.com/1", "tags": ["news"]},
            {"title": "Two", "content_html": "<p onclick=\"x()\">hi <script>bad()</script></p>", "section": "Local"},
            {"content_text": "no title"},
            3
        ]}"#;
        let b = parse(doc).expect("parses");
        assert_eq!(
            b.date,
            chrono::NaiveDate::from_ymd_opt(2022, 12, 9).map(Dated::Day)
        );
        assert_eq!(b.articles.len(), 2);
        let one = &b.articles[0];
        assert_eq!(one.title, "One");
        assert_eq!(one.key.as_deref(), Some("7"));
        assert_eq!(
            one.names_with(Role::Author).collect::<Vec<_>>(),
            ["A", "B", "C"]
        );
        assert!(matches!(one.date, Some(Dated::Exact(_))));
        assert_eq!(
            one.blocks,
            vec![
                Block::Paragraph("p1 line more".into()),
                Block::Paragraph("p2".into())
            ]
        );
        assert_eq!(one.section.as_deref(), Some("news"));
        let Block::Html { html, text } = &b.articles[1].blocks[0] else {
            panic!("expected HTML");
        };
        assert!(
            !html.contains("script") && !html.contains("onclick"),
            "{html}"
        );
        assert_eq!(text, "hi");
        assert_eq!(b.warnings.len(), 2, "{:?}", b.warnings);
    }

    #[test]
    fn reports_errors() {
        let cases = [
            ("[\n{\"title\": \"x\",}\n]", Some(2)),
            ("{\"no_items\": 1}", Some(1)),
            ("\"str\"", Some(1)),
            ("[{\"content_text\": \"x\"}]", None),
        ];
        for (doc, line) in cases {
            match (parse(doc), line) {
                (Err(ParseError::Syntax { line: got, reason }), Some(want)) => {
                    assert_eq!(got, want, "{doc}: {reason}");
                    assert!(!reason.contains('\n'));
                }
                (Err(ParseError::NoArticles), None) => {}
                (other, _) => panic!("{doc}: {other:?}"),
            }
        }
    }
}
