//! Golden tests over `tests/corpus/`: every page is parsed and compared with
//! its `*.expected.json`; the sample page is also checked in every supported
//! encoding and line-end style.

use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value;

use super::{parse_bulletin, Limits};
use crate::model::{Block, Bulletin, Role};

fn corpus_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

fn strs(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

/// Compares a parsed bulletin with a golden; returns one line per mismatch.
pub(crate) fn check(name: &str, b: &Bulletin, golden: &Value) -> Vec<String> {
    let mut out = Vec::new();
    macro_rules! miss {
        ($($t:tt)*) => { out.push(format!("{name}: {}", format!($($t)*))) };
    }
    let want = golden["articles"].as_array().cloned().unwrap_or_default();
    let titles: Vec<&str> = b.articles.iter().map(|a| a.title.as_str()).collect();
    if want.len() != b.articles.len() {
        miss!("{} articles, want {}: {titles:?}", b.articles.len(), want.len());
    }
    if let Some(d) = golden.get("date").and_then(Value::as_str) {
        let got = match b.date {
            Some(crate::model::Dated::Day(d)) => d.to_string(),
            other => format!("{other:?}"),
        };
        if got != d {
            miss!("date {got}, want {d}");
        }
    }
    if let Some(s) = golden.get("section").and_then(Value::as_str) {
        if b.section.as_deref() != Some(s) {
            miss!("section {:?}, want {s:?}", b.section);
        }
        for i in golden["section_applies_to"].as_array().into_iter().flatten() {
            let i = i.as_u64().unwrap_or(0) as usize;
            if b.articles.get(i).and_then(|a| a.section.as_deref()) != Some(s) {
                miss!("article {i} section {:?}", b.articles.get(i).map(|a| &a.section));
            }
        }
    }
    let bodies: Vec<Vec<String>> = b
        .articles
        .iter()
        .map(|a| {
            a.blocks
                .iter()
                .map(|bl| match bl {
                    Block::Paragraph(t) | Block::Subheading(t) => t.clone(),
                    Block::Caption { text, .. } => text.clone(),
                    Block::Html { text, .. } => text.clone(),
                })
                .collect()
        })
        .collect();
    for frag in strs(golden.get("rejoined_paragraph_fragments")) {
        let found = b.articles.iter().flat_map(|a| &a.blocks).any(|bl| match bl {
            Block::Paragraph(t) => t.contains(&frag),
            _ => false,
        });
        if !found {
            miss!("fragment not in one paragraph: {frag:?}");
        }
    }
    for bad in strs(golden.get("not_in_any_body")) {
        if bodies.iter().flatten().any(|t| t.contains(&bad)) {
            miss!("{bad:?} found in a body");
        }
    }
    for (i, (w, a)) in want.iter().zip(&b.articles).enumerate() {
        macro_rules! field {
            ($f:expr, $got:expr, $exp:expr) => {{
                let (got, exp): (String, String) = ($got, $exp);
                if got != exp {
                    miss!("article {i} {}: got {got:?}, want {exp:?}", $f);
                }
            }};
        }
        field!("title", a.title.clone(), w["title"].as_str().unwrap_or("").into());
        for (key, got) in [("kicker", &a.kicker), ("subtitle", &a.subtitle)] {
            if let Some(exp) = w.get(key).and_then(Value::as_str) {
                field!(key, format!("{got:?}"), format!("{:?}", Some(exp)));
            }
        }
        for (key, role) in [
            ("reporters", Role::Reporter),
            ("correspondents", Role::Correspondent),
            ("authors", Role::Author),
            ("agencies", Role::Agency),
        ] {
            let got: Vec<&str> = a.names_with(role).collect();
            field!(key, format!("{got:?}"), format!("{:?}", strs(w.get(key))));
        }
        let paras: Vec<&String> = a
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Paragraph(t) => Some(t),
                _ => None,
            })
            .collect();
        if let Some(s) = w.get("body_starts").and_then(Value::as_str) {
            let first = paras.first().map_or("", |p| p.as_str());
            if !first.starts_with(s) {
                miss!("article {i} body_starts: got {:?}", first.chars().take(40).collect::<String>());
            }
        }
        if let Some(s) = w.get("body_ends").and_then(Value::as_str) {
            let last = paras.last().map_or("", |p| p.as_str());
            if !last.ends_with(s) {
                let tail: String = last.chars().rev().take(40).collect::<Vec<_>>().into_iter().rev().collect();
                miss!("article {i} body_ends: got {tail:?}, want {s:?}");
            }
        }
        let subs: Vec<&str> = a
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Subheading(t) => Some(t.as_str()),
                _ => None,
            })
            .collect();
        let caps: Vec<&str> = a
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Caption { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect();
        field!("subheadings", format!("{subs:?}"), format!("{:?}", strs(w.get("subheadings"))));
        field!("captions", format!("{caps:?}"), format!("{:?}", strs(w.get("captions"))));
    }
    out
}

fn golden_pages() -> Vec<(String, Vec<u8>, Value)> {
    let mut pages = Vec::new();
    let Ok(dir) = std::fs::read_dir(corpus_dir()) else {
        return pages;
    };
    let mut paths: Vec<_> = dir.flatten().map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else { continue };
        let Some(stem) = name.strip_suffix(".expected.json") else { continue };
        let golden: Value = serde_json::from_slice(&std::fs::read(&path).expect("read golden"))
            .expect("golden is JSON");
        let file = golden["file"].as_str().map_or_else(|| format!("{stem}.txt"), str::to_owned);
        let bytes = std::fs::read(corpus_dir().join(&file)).expect("read page");
        pages.push((file, bytes, golden));
    }
    pages
}

/// Prints `--explain` output for the file named by `BULLETIND_EXPLAIN`
/// (a debugging aid: `cargo test explain_file -- --ignored --nocapture`).
#[test]
#[ignore = "debugging aid"]
fn explain_file() {
    let Ok(path) = std::env::var("BULLETIND_EXPLAIN") else { return };
    let bytes = std::fs::read(&path).expect("read file");
    let name = Path::new(&path).file_name().and_then(|n| n.to_str()).unwrap_or("x.txt");
    for line in super::explain(name, &bytes, &Limits::default()).expect("explain") {
        println!("{line}");
    }
    let b = parse_bulletin(name, &bytes, &Limits::default()).expect("parse");
    for a in &b.articles {
        println!("== {:?} / {:?} / {:?} sec={:?} {:?}", a.kicker, a.title, a.subtitle, a.section, a.authors);
    }
}
