//! Rendering and compressing one 50-article feed, the work behind every
//! change a reader sees: each format rendered, then gzip (the copy a
//! change's snapshot carries), then brotli and zstd (made when the queue is
//! idle), and the splice that dates a feed rendered once. Articles are
//! the corpus's, so the text is realistic.
//!
//! `cargo bench --bench render`; criterion reports time per feed.

use std::time::SystemTime;

use bulletind::render::{
    render_feed, render_stamped, utc_time, Coding, Codings, Entity, FeedDoc, Format, Page,
};
use criterion::{black_box, criterion_group, criterion_main, Criterion};

#[path = "../tests/corpus/items.rs"]
mod items;

fn bench(c: &mut Criterion) {
    let site = items::site();
    let items = items::corpus_items(50).expect("corpus");
    let when = utc_time(1_700_000_000);
    let mut group = c.benchmark_group("feed of 50");
    for format in Format::ALL {
        group.bench_function(format!("render {}", format.label()), |b| {
            b.iter(|| render_feed(&site, "", black_box(&items), format, when).expect("render"))
        });
    }
    let rss = render_feed(&site, "", &items, Format::Rss, when).expect("render");
    // A changed feed needs its bytes at two dates (the stored one, to
    // compare, and the new one): rendered once and dated twice.
    let doc = FeedDoc {
        channel: "",
        format: Format::Rss,
        page: Page::Current {
            newest_archive: None,
        },
    };
    let later = utc_time(1_700_000_060);
    group.bench_function("render RSS once, dated twice (a changed feed)", |b| {
        b.iter(|| {
            let stamped = render_stamped(&site, &doc, black_box(&items)).expect("render");
            (stamped.at(when), stamped.at(later))
        })
    });
    group.bench_function("date a rendered RSS", |b| {
        let stamped = render_stamped(&site, &doc, &items).expect("render");
        b.iter(|| black_box(&stamped).at(later))
    });
    for (label, codings) in [
        ("render RSS + gzip (a change's snapshot)", Codings::Gzip),
        ("render RSS + gzip + brotli + zstd", Codings::All),
    ] {
        group.bench_function(label, |b| {
            b.iter(|| {
                let bytes =
                    render_feed(&site, "", black_box(&items), Format::Rss, when).expect("render");
                Entity::new(
                    Format::Rss.content_type(),
                    bytes,
                    SystemTime::UNIX_EPOCH,
                    codings,
                )
            })
        });
    }
    for coding in Coding::COMPRESSED {
        group.bench_function(format!("{} of the RSS", coding.token()), |b| {
            b.iter(|| coding.compress(black_box(&rss)))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
