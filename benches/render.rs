//! Rendering and compressing one 50-article feed, the work behind every
//! change a reader sees: each format rendered, then gzip (the copy a
//! change's snapshot carries), then brotli and zstd (made when the queue is
//! idle). Articles are the corpus's, so the text is realistic.
//!
//! `cargo bench --bench render`; criterion reports time per feed.

use std::path::Path;
use std::time::SystemTime;

use bulletind::model::Item;
use bulletind::parse::{parse_bulletin, Limits};
use bulletind::render::{render_feed, utc_time, Coding, Codings, Entity, Format, Site};
use chrono::DateTime;
use criterion::{black_box, criterion_group, criterion_main, Criterion};

/// The first 50 articles of the corpus, as published items.
fn items() -> Vec<Item> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("corpus")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    paths.sort();
    let when = DateTime::parse_from_rfc3339("2024-01-01T08:00:00+08:00").expect("date");
    let mut items = Vec::new();
    for path in paths {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let bytes = std::fs::read(&path).expect("read");
        let Ok(bulletin) = parse_bulletin(&name, &bytes, &Limits::default()) else {
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
            });
            if items.len() == 50 {
                return items;
            }
        }
    }
    items
}

fn bench(c: &mut Criterion) {
    let site = Site {
        title: "bulletind".into(),
        description: "Bulletins".into(),
        language: "zh-CN".into(),
        author: None,
        base_url: "https://news.example/".into(),
        hub: None,
    };
    let items = items();
    let when = utc_time(1_700_000_000);
    let mut group = c.benchmark_group("feed of 50");
    for format in Format::ALL {
        group.bench_function(format!("render {}", format.label()), |b| {
            b.iter(|| render_feed(&site, "", black_box(&items), format, when).expect("render"))
        });
    }
    let rss = render_feed(&site, "", &items, Format::Rss, when).expect("render");
    group.bench_function("render RSS + gzip (a change's snapshot)", |b| {
        b.iter(|| {
            let bytes =
                render_feed(&site, "", black_box(&items), Format::Rss, when).expect("render");
            Entity::new(
                Format::Rss.content_type(),
                bytes,
                SystemTime::UNIX_EPOCH,
                Codings::Gzip,
            )
        })
    });
    group.bench_function("render RSS + gzip + brotli + zstd", |b| {
        b.iter(|| {
            let bytes =
                render_feed(&site, "", black_box(&items), Format::Rss, when).expect("render");
            Entity::new(
                Format::Rss.content_type(),
                bytes,
                SystemTime::UNIX_EPOCH,
                Codings::All,
            )
        })
    });
    for coding in Coding::COMPRESSED {
        group.bench_function(format!("{} of the RSS", coding.token()), |b| {
            b.iter(|| coding.compress(black_box(&rss)))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
