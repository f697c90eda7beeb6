//! The page score of `tests/corpus/README.md` ("Scoring"), shared by the
//! scorer (`examples/score.rs`) and the model fitter (`examples/fit.rs`):
//! one 0–1 figure per page from article count, titles, authors, body
//! boundaries, re-joins, safety and details, and the naive blank-line
//! splitter used as the reference line.

#![allow(dead_code)]

use bulletind::model::{Article, Block, Bulletin, Role};

use super::golden::{
    align, block_text, body_ends_match, body_starts_match, captions, paragraphs, subheadings,
    Golden, GoldenArticle,
};

/// Weight of each part in a page's score (they sum to 1).
pub const W_COUNT: f64 = 0.10;
pub const W_TITLES: f64 = 0.25;
pub const W_AUTHORS: f64 = 0.15;
pub const W_BOUNDS: f64 = 0.25;
pub const W_REJOINS: f64 = 0.10;
pub const W_SAFETY: f64 = 0.10;
pub const W_DETAILS: f64 = 0.05;

/// The parts of one page's score, each 0–1.
#[derive(Debug, Clone, Copy, Default)]
pub struct PageScore {
    pub expected: usize,
    pub got: usize,
    pub count: f64,
    pub title_precision: f64,
    pub title_recall: f64,
    pub authors: f64,
    pub bounds: f64,
    pub rejoins: f64,
    pub safety: f64,
    pub details: f64,
}

impl PageScore {
    pub fn title_f1(&self) -> f64 {
        let (p, r) = (self.title_precision, self.title_recall);
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }

    pub fn total(&self) -> f64 {
        W_COUNT * self.count
            + W_TITLES * self.title_f1()
            + W_AUTHORS * self.authors
            + W_BOUNDS * self.bounds
            + W_REJOINS * self.rejoins
            + W_SAFETY * self.safety
            + W_DETAILS * self.details
    }
}

/// Share of `ok` among `n` checks; 1 when there is nothing to check.
fn share(ok: usize, n: usize) -> f64 {
    if n == 0 {
        1.0
    } else {
        ok as f64 / n as f64
    }
}

/// F1 of the credited (role, name) pairs; 1 when both sides are empty.
fn authors_f1(want: &GoldenArticle, got: &Article) -> f64 {
    let expected: Vec<(Role, &str)> = want
        .role_lists()
        .into_iter()
        .flat_map(|(_, role, names)| names.iter().map(move |n| (role, n.as_str())))
        .collect();
    let mut found: Vec<(Role, &str)> = got
        .authors
        .iter()
        .map(|a| (a.role, a.name.trim()))
        .collect();
    if expected.is_empty() && found.is_empty() {
        return 1.0;
    }
    let total = expected.len() + found.len();
    let mut hits = 0;
    for e in &expected {
        if let Some(k) = found.iter().position(|f| f == e) {
            found.swap_remove(k);
            hits += 1;
        }
    }
    2.0 * hits as f64 / total as f64
}

/// The optional checks of one article: kicker, subtitle, subheadings, captions.
fn detail_checks(want: &GoldenArticle, got: &Article) -> (usize, usize) {
    let mut ok = 0;
    let mut n = 0;
    let mut check = |pass: bool| {
        n += 1;
        ok += usize::from(pass);
    };
    if let Some(k) = &want.kicker {
        check(got.kicker.as_deref().map(str::trim) == Some(k.as_str()));
    }
    if let Some(s) = &want.subtitle {
        check(got.subtitle.as_deref().map(str::trim) == Some(s.as_str()));
    }
    check(
        subheadings(got)
            == want
                .subheadings
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
    );
    check(captions(got) == want.captions.iter().map(String::as_str).collect::<Vec<_>>());
    (ok, n)
}

/// Scores one parsed bulletin against its golden.
pub fn score(golden: &Golden, bulletin: &Bulletin) -> PageScore {
    let got = &bulletin.articles;
    let want = &golden.articles;
    let (ne, ng) = (want.len(), got.len());
    let pairs = align(want, got, false);
    let titled = want
        .iter()
        .zip(&pairs)
        .filter(|(w, p)| p.is_some_and(|j| got[j].title.trim() == w.title))
        .count();
    let mut authors = 0.0;
    let mut bounds = 0.0;
    let (mut detail_ok, mut detail_n) = (0, 0);
    for (w, pair) in want.iter().zip(&pairs) {
        let Some(j) = pair else {
            detail_n += 2;
            continue;
        };
        let a = &got[*j];
        authors += authors_f1(w, a);
        bounds += 0.5 * f64::from(u8::from(body_starts_match(w, a)))
            + 0.5 * f64::from(u8::from(body_ends_match(w, a)));
        let (ok, n) = detail_checks(w, a);
        detail_ok += ok;
        detail_n += n;
    }
    if let Some(date) = golden.date {
        detail_n += 1;
        let day = bulletin.date.map(|d| match d {
            bulletind::model::Dated::Day(day) => day,
            bulletind::model::Dated::Local(t) => t.date(),
            bulletind::model::Dated::Exact(t) => t.date_naive(),
        });
        detail_ok += usize::from(day == Some(date));
    }
    let rejoined = golden
        .rejoined_paragraph_fragments
        .iter()
        .filter(|f| {
            got.iter()
                .flat_map(paragraphs)
                .any(|p| p.contains(f.as_str()))
        })
        .count();
    let safe = golden
        .not_in_any_body
        .iter()
        .filter(|s| {
            !got.iter()
                .flat_map(|a| &a.blocks)
                .any(|b| block_text(b).contains(s.as_str()))
        })
        .count();
    PageScore {
        expected: ne,
        got: ng,
        count: if ne.max(ng) == 0 {
            1.0
        } else {
            ne.min(ng) as f64 / ne.max(ng) as f64
        },
        title_precision: share(titled, ng.max(1)) * f64::from(u8::from(ng > 0)),
        title_recall: share(titled, ne),
        authors: if ne == 0 { 1.0 } else { authors / ne as f64 },
        bounds: if ne == 0 { 1.0 } else { bounds / ne as f64 },
        rejoins: share(rejoined, golden.rejoined_paragraph_fragments.len()),
        safety: share(safe, golden.not_in_any_body.len()),
        details: share(detail_ok, detail_n),
    }
}

/// The reference line: blank lines split blocks; a one-line block that is
/// short and ends in no sentence punctuation opens an article titled by it;
/// every other block is a paragraph of the article before it.
pub fn naive_split(text: &str) -> Bulletin {
    let mut articles: Vec<Article> = Vec::new();
    let mut block: Vec<&str> = Vec::new();
    let flush = |block: &mut Vec<&str>, articles: &mut Vec<Article>| {
        if block.is_empty() {
            return;
        }
        let first = block[0];
        let short = first.chars().count() <= 40;
        let open = !first.ends_with(['.', '!', '?', '。', '！', '？', '”', '"', ':', '：']);
        if block.len() == 1 && short && open {
            articles.push(Article {
                title: first.to_owned(),
                ..Article::default()
            });
        } else {
            let cjk = block.iter().any(|l| l.chars().any(|c| c as u32 >= 0x2e80));
            let para = block.join(if cjk { "" } else { " " });
            if articles.is_empty() {
                articles.push(Article {
                    title: first.chars().take(40).collect(),
                    ..Article::default()
                });
            }
            if let Some(a) = articles.last_mut() {
                a.blocks.push(Block::Paragraph(para));
            }
        }
        block.clear();
    };
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() {
            flush(&mut block, &mut articles);
        } else {
            block.push(line);
        }
    }
    flush(&mut block, &mut articles);
    Bulletin {
        articles,
        ..Bulletin::default()
    }
}

/// Decodes a fixture as its golden says (the naive splitter does no detection).
pub fn decode_labelled(golden: &Golden, bytes: &[u8]) -> String {
    let label = golden.encoding.as_deref().unwrap_or("utf-8");
    let enc = match label {
        "utf-8" | "utf-8-bom" => encoding_rs::UTF_8,
        "utf-16le-bom" => encoding_rs::UTF_16LE,
        "utf-16be-bom" => encoding_rs::UTF_16BE,
        other => encoding_rs::Encoding::for_label(other.as_bytes()).unwrap_or(encoding_rs::UTF_8),
    };
    enc.decode(bytes)
        .0
        .replace("\r\n", "\n")
        .replace('\r', "\n")
}
