//! Parse throughput: the sample page, every corpus page, and large synthetic
//! pages (the sample repeated, headlines made unique per copy) at ~0.5, ~2
//! and ~8 MB to show that the cost grows linearly with the size.
//!
//! `cargo bench --bench parse`; criterion reports MB/s (decimal megabytes).

use std::path::Path;

use bulletind::parse::{parse_bulletin, Limits};
use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

fn corpus_file(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The sample page repeated until it reaches `target` bytes, each copy's
/// place names changed so that its headlines are its own.
fn large_page(sample: &str, target: usize) -> Vec<u8> {
    let mut out = String::with_capacity(target + sample.len());
    let mut n = 0;
    while out.len() < target {
        out.push_str(&sample.replace("江海区", &format!("江海{n}区")));
        out.push_str("\n\n");
        n += 1;
    }
    out.into_bytes()
}

fn bench(c: &mut Criterion) {
    let limits = Limits {
        max_bytes: u64::MAX,
    };
    let sample = corpus_file("jianghai-page.txt");

    let mut group = c.benchmark_group("parse");
    group.throughput(Throughput::Bytes(sample.len() as u64));
    group.bench_function("sample", |b| {
        b.iter(|| parse_bulletin("jianghai-page.txt", black_box(&sample), &limits))
    });

    let mut all: Vec<(String, Vec<u8>)> = Vec::new();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.ends_with(".txt") {
                all.push((name.clone(), corpus_file(&name)));
            }
        }
    }
    all.sort();
    let total: u64 = all.iter().map(|(_, b)| b.len() as u64).sum();
    group.throughput(Throughput::Bytes(total));
    group.bench_function("corpus (all pages)", |b| {
        b.iter(|| {
            for (name, bytes) in &all {
                let _ = parse_bulletin(name, black_box(bytes), &limits);
            }
        })
    });
    group.finish();

    let text = String::from_utf8_lossy(&sample).into_owned();
    let mut large = c.benchmark_group("parse large page");
    large.sample_size(10);
    for mb in [0.5f64, 2.0, 8.0] {
        let bytes = large_page(&text, (mb * 1_000_000.0) as usize);
        large.throughput(Throughput::Bytes(bytes.len() as u64));
        large.bench_with_input(
            BenchmarkId::from_parameter(format!("{mb} MB")),
            &bytes,
            |b, bytes| b.iter(|| parse_bulletin("page.txt", black_box(bytes), &limits)),
        );
    }
    large.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
