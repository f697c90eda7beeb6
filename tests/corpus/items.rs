//! The first articles of the corpus pages as published items, and the site
//! they are rendered for: realistic documents for the render benchmark and
//! the compression-levels example.

use std::path::Path;

use bulletind::model::Item;
use bulletind::parse::{parse_bulletin, Limits};
use bulletind::render::Site;
use chrono::DateTime;

/// The first `n` articles of the `.txt` pages of `tests/corpus`, in file
/// order, all published at one instant.
pub fn corpus_items(n: usize) -> std::io::Result<Vec<Item>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut paths: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    paths.sort();
    let when = DateTime::parse_from_rfc3339("2024-01-01T08:00:00+08:00").expect("a valid literal");
    let mut items = Vec::new();
    for path in paths {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let Ok(bulletin) = parse_bulletin(&name, &std::fs::read(&path)?, &Limits::default()) else {
            continue;
        };
        for article in bulletin.articles {
            let k = items.len();
            items.push(Item {
                id: format!("tag:news.example,2024-01-01:{k:032x}"),
                slug: format!("{k:016x}"),
                channel: String::new(),
                article,
                published: when,
                updated: when,
                date_only: false,
            });
            if items.len() == n {
                return Ok(items);
            }
        }
    }
    Ok(items)
}

/// A Chinese-language site on a public base URL.
pub fn site() -> Site {
    Site {
        title: "bulletind".into(),
        description: "Bulletins".into(),
        language: "zh-CN".into(),
        author: None,
        base_url: "https://news.example/".into(),
        ..Site::default()
    }
}
