//! `--forward`: forward-chaining validation, the closest the corpus can come
//! to the blind measure. For each recent blind batch (`tests/corpus/
//! batches.tsv` says which batch each page came in), fit on the pages that
//! existed before it — every page not in that batch or a later one — and
//! score the batch. A family-held-out split (`--cv`, `--lofo`) fits on
//! pages written after the ones it scores; this does not.
//!
//! Only the weights are refitted: the parser's code is today's, so rules
//! written after a batch was seen still help (or hurt) it here. The figure
//! is an upper bound on what a new batch meets through the rules, and an
//! honest one for what the fit carries over.

use std::collections::BTreeMap;

use bulletind::parse::Limits;

use super::golden::corpus_dir;
use super::learn::{train, Dense, Learner};
use super::scoring;
use super::{parts_of, Example};

/// The batches scored by default: the ones with the parser's current
/// method (the segmentation model) and a full table in `BLIND.md`.
pub(crate) const FORWARD_BATCHES: &[u32] = &[6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19];

/// The batch each page came in (`batches.tsv`); pages not listed are 0
/// (composed before the blind batches).
pub(crate) fn batches() -> BTreeMap<String, u32> {
    let path = corpus_dir().join("batches.tsv");
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{}: {e}", path.display());
            return BTreeMap::new();
        }
    };
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let (file, batch) = l.split_once('\t')?;
            Some((file.trim().to_string(), batch.trim().parse().ok()?))
        })
        .collect()
}

/// Fits and scores each batch of `which`; prints per page, per batch and
/// the mean over batches. Returns the per-batch means.
pub(crate) fn forward(
    examples: &[Example],
    learner: Learner,
    start: &Dense,
    which: &[u32],
) -> Vec<(u32, f64)> {
    let map = batches();
    let batch_of = |e: &Example| map.get(&e.golden.file).copied().unwrap_or(0);
    let mut means = Vec::new();
    for &b in which {
        let fit_on: Vec<&Example> = examples.iter().filter(|e| batch_of(e) < b).collect();
        let test: Vec<&Example> = examples.iter().filter(|e| batch_of(e) == b).collect();
        if test.is_empty() {
            eprintln!("batch {b}: no pages");
            continue;
        }
        let model = train(&fit_on, learner, start);
        let mut total = 0.0;
        let mut parts = [0f64; 8];
        for ex in &test {
            let score = match model.parse(&ex.golden.file, &ex.bytes, &Limits::default()) {
                Ok(bulletin) => {
                    let p = scoring::score(&ex.golden, &bulletin);
                    for (slot, v) in parts.iter_mut().zip(parts_of(&p)) {
                        *slot += v;
                    }
                    p.total()
                }
                Err(_) => 0.0,
            };
            println!("  {b:>2} {:<44} {score:.3}", ex.golden.file);
            total += score;
        }
        let n = test.len() as f64;
        let mean = total / n;
        println!(
            "batch {b}: {mean:.3} over {} pages (fit on {}); count {:.2} title P {:.2} R {:.2} authors {:.2} bounds {:.2} rejoins {:.2} safety {:.2} details {:.2}",
            test.len(),
            fit_on.len(),
            parts[0] / n,
            parts[1] / n,
            parts[2] / n,
            parts[3] / n,
            parts[4] / n,
            parts[5] / n,
            parts[6] / n,
            parts[7] / n
        );
        means.push((b, mean));
    }
    let overall = means.iter().map(|m| m.1).sum::<f64>() / means.len().max(1) as f64;
    let list: Vec<String> = means.iter().map(|(b, m)| format!("{b} {m:.3}")).collect();
    println!(
        "{learner}: forward-chaining mean {overall:.3} over batches ({})",
        list.join(", ")
    );
    means
}
