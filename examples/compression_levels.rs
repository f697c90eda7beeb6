//! Prints bytes saved and CPU per compression, for gzip, brotli and zstd at
//! every level, on documents bulletind really serves: a 50-article RSS,
//! Atom and JSON feed and an item page, built from the test corpus. The
//! levels the renderer uses were chosen from this table (see README).
//!
//! ```sh
//! cargo run --release --example compression_levels
//! ```

use std::io::Write;
use std::time::Instant;

use bulletind::render::{render_feed, render_item_page, utc_time, Format};

#[path = "../tests/corpus/items.rs"]
mod items;
use items::corpus_items;

fn main() -> anyhow::Result<()> {
    let items = corpus_items(50)?;
    let site = items::site();
    let when = utc_time(1_700_000_000);
    let mut docs = Vec::new();
    for format in Format::ALL {
        docs.push((
            format.label(),
            render_feed(&site, "", &items, format, when)?,
        ));
    }
    docs.push(("item page", render_item_page(&site, &items[0])));
    println!("| document | coding | level | bytes | % of identity | µs per compression |");
    println!("|---|---|--:|--:|--:|--:|");
    for (name, bytes) in &docs {
        println!("| {name} | identity | – | {} | 100 | – |", bytes.len());
        for (coding, levels) in [("gzip", 1..=9), ("br", 0..=11), ("zstd", 1..=19)] {
            for level in levels {
                let (size, micros) = measure(coding, level, bytes);
                println!(
                    "| {name} | {coding} | {level} | {size} | {:.1} | {micros:.0} |",
                    100.0 * size as f64 / bytes.len() as f64
                );
            }
        }
    }
    Ok(())
}

/// Compressed size and median microseconds of `bytes` at `level`.
fn measure(coding: &str, level: i32, bytes: &[u8]) -> (usize, f64) {
    let mut times = Vec::new();
    let mut size = 0;
    // Enough rounds for a stable median, bounded for the slow levels.
    let rounds = if bytes.len() > 20_000 && level > 9 {
        5
    } else {
        21
    };
    for _ in 0..rounds {
        let started = Instant::now();
        size = compress(coding, level, bytes).len();
        times.push(started.elapsed().as_secs_f64() * 1e6);
    }
    times.sort_by(f64::total_cmp);
    (size, times[times.len() / 2])
}

fn compress(coding: &str, level: i32, bytes: &[u8]) -> Vec<u8> {
    match coding {
        "gzip" => {
            let mut e =
                flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(level as u32));
            e.write_all(bytes)
                .and_then(|()| e.finish())
                .unwrap_or_default()
        }
        "br" => {
            let mut out = Vec::new();
            let params = brotli::enc::BrotliEncoderParams {
                quality: level,
                ..Default::default()
            };
            let _ = brotli::BrotliCompress(&mut &bytes[..], &mut out, &params);
            out
        }
        _ => zstd::bulk::compress(bytes, level).unwrap_or_default(),
    }
}
