//! The golden format of `tests/corpus/` and what both its users share: the
//! golden-file test (`tests/corpus.rs`) and the scorer (`examples/score.rs`).
//!
//! A golden `NAME.expected.json` says how the page `NAME.txt` (or `.md`)
//! must split into articles; `README.md` beside this file documents every
//! key. Included with `#[path]` by both crates, so some items are used by
//! only one of them.

#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};

use bulletind::model::{Article, Block, Role};
use chrono::NaiveDate;
use serde::Deserialize;

/// The expected outcome for one fixture file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Golden {
    /// File name of the fixture, relative to the golden's folder.
    pub file: String,
    /// What the file's bytes are in (`utf-8`, `gb18030`, `big5`, …); absent means UTF-8.
    #[serde(default)]
    pub encoding: Option<String>,
    /// Prose: the style the page represents and the rules it exercises.
    #[serde(default)]
    pub description: Option<String>,
    /// The layout family the page belongs to (`usenet-digest`, `zh-party-daily`, …):
    /// cross-validation holds out whole families.
    #[serde(default)]
    pub family: Option<String>,
    /// Expected bulletin date, checked only when present.
    #[serde(default)]
    pub date: Option<NaiveDate>,
    /// Expected section banner, checked only when present.
    #[serde(default)]
    pub section: Option<String>,
    /// Indexes of the articles the section belongs to; absent means all of them.
    #[serde(default)]
    pub section_applies_to: Option<Vec<usize>>,
    /// Each must appear inside one paragraph block.
    #[serde(default)]
    pub rejoined_paragraph_fragments: Vec<String>,
    /// Each must appear in no block of any article.
    #[serde(default)]
    pub not_in_any_body: Vec<String>,
    /// The articles, in page order.
    pub articles: Vec<GoldenArticle>,
}

/// The expected shape of one article.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoldenArticle {
    /// Headline, exact after trimming, without list numbering or markup.
    pub title: String,
    /// 引题 / kicker, checked only when present.
    #[serde(default)]
    pub kicker: Option<String>,
    /// 副题 / deck, checked only when present.
    #[serde(default)]
    pub subtitle: Option<String>,
    /// `记者`: names with [`Role::Reporter`]; omitted means none.
    #[serde(default)]
    pub reporters: Vec<String>,
    /// `通讯员`: names with [`Role::Correspondent`]; omitted means none.
    #[serde(default)]
    pub correspondents: Vec<String>,
    /// Bylined writers: names with [`Role::Author`]; omitted means none.
    #[serde(default)]
    pub authors: Vec<String>,
    /// Wires and agencies: names with [`Role::Agency`]; omitted means none.
    #[serde(default)]
    pub agencies: Vec<String>,
    /// Names with [`Role::Editor`]; omitted means none.
    #[serde(default)]
    pub editors: Vec<String>,
    /// Prefix of the first paragraph block.
    pub body_starts: String,
    /// Suffix of the last paragraph block.
    pub body_ends: String,
    /// Every subheading, in order.
    #[serde(default)]
    pub subheadings: Vec<String>,
    /// Every caption as printed, credit included, in order.
    #[serde(default)]
    pub captions: Vec<String>,
}

impl GoldenArticle {
    /// The role lists a golden article states, each paired with its role.
    pub fn role_lists(&self) -> [(&'static str, Role, &Vec<String>); 5] {
        [
            ("reporters", Role::Reporter, &self.reporters),
            ("correspondents", Role::Correspondent, &self.correspondents),
            ("authors", Role::Author, &self.authors),
            ("agencies", Role::Agency, &self.agencies),
            ("editors", Role::Editor, &self.editors),
        ]
    }
}

/// The directory holding the fixtures.
pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

/// Reads one golden file.
pub fn read_golden(path: &Path) -> Result<Golden, String> {
    let text = fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: bad golden: {e}", path.display()))
}

/// The golden files in `dir`, sorted by name.
pub fn golden_paths(dir: &Path) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.ends_with(".expected.json"))
        })
        .collect();
    paths.sort();
    paths
}

/// Every golden in the corpus with its path, sorted by file name.
pub fn load_goldens() -> Vec<(PathBuf, Golden)> {
    golden_paths(&corpus_dir())
        .into_iter()
        .map(|path| {
            let golden = read_golden(&path).unwrap_or_else(|e| panic!("{e}"));
            (path, golden)
        })
        .collect()
}

/// The fixture a golden at `golden_path` describes.
pub fn fixture_path(golden_path: &Path, golden: &Golden) -> PathBuf {
    golden_path
        .parent()
        .unwrap_or_else(|| Path::new("."))
        .join(&golden.file)
}

/// The text of a block, whatever its kind.
pub fn block_text(block: &Block) -> &str {
    match block {
        Block::Paragraph(t) | Block::Subheading(t) => t,
        Block::Caption { text, .. } => text,
        Block::Html { text, .. } => text,
    }
}

/// Paragraph texts of an article. Sanitised HTML counts as a paragraph
/// through its plain text, so a parser may keep Markdown-ish bodies as HTML.
pub fn paragraphs(article: &Article) -> Vec<&str> {
    article
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Paragraph(t) => Some(t.as_str()),
            Block::Html { text, .. } => Some(text.as_str()),
            _ => None,
        })
        .collect()
}

/// Subheading texts of an article, trimmed.
pub fn subheadings(article: &Article) -> Vec<&str> {
    article
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Subheading(t) => Some(t.trim()),
            _ => None,
        })
        .collect()
}

/// Caption texts of an article, trimmed.
pub fn captions(article: &Article) -> Vec<&str> {
    article
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Caption { text, .. } => Some(text.trim()),
            _ => None,
        })
        .collect()
}

/// Whether a parsed article's first paragraph starts as the golden's does.
pub fn body_starts_match(want: &GoldenArticle, got: &Article) -> bool {
    paragraphs(got)
        .first()
        .is_some_and(|p| p.trim_start().starts_with(want.body_starts.as_str()))
}

/// Whether a parsed article's last paragraph ends as the golden's does.
pub fn body_ends_match(want: &GoldenArticle, got: &Article) -> bool {
    paragraphs(got)
        .last()
        .is_some_and(|p| p.trim_end().ends_with(want.body_ends.as_str()))
}

/// Pairs golden articles with parsed ones: first by identical title (in page
/// order), then leftovers whose first paragraph starts as the golden says,
/// then (with `by_index`) leftovers at the same index, so a wrong title still
/// gets its other fields compared. Returns `pairs[golden index] = parsed index`.
pub fn align(expected: &[GoldenArticle], got: &[Article], by_index: bool) -> Vec<Option<usize>> {
    let mut pairs = vec![None; expected.len()];
    let mut used = vec![false; got.len()];
    let mut next = 0;
    for (i, want) in expected.iter().enumerate() {
        if let Some(j) = (next..got.len()).find(|&j| !used[j] && got[j].title.trim() == want.title)
        {
            pairs[i] = Some(j);
            used[j] = true;
            next = j + 1;
        }
    }
    for (i, want) in expected.iter().enumerate() {
        if pairs[i].is_some() {
            continue;
        }
        if let Some(j) = (0..got.len()).find(|&j| !used[j] && body_starts_match(want, &got[j])) {
            pairs[i] = Some(j);
            used[j] = true;
        }
    }
    if by_index {
        for (i, pair) in pairs.iter_mut().enumerate() {
            if pair.is_none() && i < got.len() && !used[i] {
                *pair = Some(i);
                used[i] = true;
            }
        }
    }
    pairs
}
