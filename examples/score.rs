//! Scores the parser against golden pages: one 0–1 figure per page and the
//! mean over pages, with a naive blank-line splitter as the reference line.
//! The formula is documented in `tests/corpus/README.md` ("Scoring").
//!
//! ```sh
//! cargo run --release --example score -- [--markdown] [--naive] [GOLDEN_OR_DIR...]
//! ```
//!
//! With no path, every golden in `tests/corpus/` is scored. `--markdown`
//! prints the table in Markdown (for `tests/corpus/BLIND.md`); `--naive`
//! shows the naive splitter's score per page too; `--weights FILE` parses
//! with a weight table other than the committed one (see `examples/fit.rs`).

use std::path::{Path, PathBuf};

use bulletind::parse::{parse_bulletin, Limits};

#[path = "../tests/corpus/golden.rs"]
mod golden;
#[path = "../tests/corpus/scoring.rs"]
mod scoring;

use bulletind::parse::dev::Model;
use golden::{corpus_dir, fixture_path, golden_paths, read_golden};
use scoring::{decode_labelled, naive_split, score, PageScore};

/// One scored page.
struct Row {
    file: String,
    family: String,
    parsed: PageScore,
    naive: PageScore,
    error: Option<String>,
}

fn score_file(path: &Path, model: Option<&Model>) -> Result<Row, String> {
    let golden = read_golden(path)?;
    let page = fixture_path(path, &golden);
    let bytes = std::fs::read(&page).map_err(|e| format!("{}: {e}", page.display()))?;
    let naive = score(&golden, &naive_split(&decode_labelled(&golden, &bytes)));
    let parsed = match model {
        Some(m) => m.parse(&golden.file, &bytes, &Limits::default()),
        None => parse_bulletin(&golden.file, &bytes, &Limits::default()),
    };
    let (parsed, error) = match parsed {
        Ok(b) => (score(&golden, &b), None),
        Err(e) => (
            PageScore {
                expected: golden.articles.len(),
                ..PageScore::default()
            },
            Some(e.to_string()),
        ),
    };
    Ok(Row {
        file: golden.file.clone(),
        family: golden.family.clone().unwrap_or_else(|| "-".into()),
        parsed,
        naive,
        error,
    })
}

fn collect_paths(args: &[String]) -> Vec<PathBuf> {
    if args.is_empty() {
        return golden_paths(&corpus_dir());
    }
    let mut out = Vec::new();
    for a in args {
        let p = PathBuf::from(a);
        if p.is_dir() {
            out.extend(golden_paths(&p));
        } else if a.ends_with(".expected.json") {
            out.push(p);
        } else {
            // A page named directly: its golden sits beside it.
            let stem = a.rsplit_once('.').map_or(a.as_str(), |(s, _)| s);
            out.push(PathBuf::from(format!("{stem}.expected.json")));
        }
    }
    out
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let markdown = args.iter().any(|a| a == "--markdown");
    let show_naive = args.iter().any(|a| a == "--naive");
    let mut model = None;
    if let Some(k) = args.iter().position(|a| a == "--weights") {
        let Some(file) = args.get(k + 1).cloned() else {
            eprintln!("--weights needs a file");
            std::process::exit(2);
        };
        match std::fs::read_to_string(&file) {
            Ok(table) => model = Some(Model::from_table(&table)),
            Err(e) => {
                eprintln!("{file}: {e}");
                std::process::exit(2);
            }
        }
        args.drain(k..=k + 1);
    }
    let paths: Vec<String> = args.into_iter().filter(|a| !a.starts_with("--")).collect();
    let mut rows = Vec::new();
    for path in collect_paths(&paths) {
        match score_file(&path, model.as_ref()) {
            Ok(row) => rows.push(row),
            Err(e) => eprintln!("skipped: {e}"),
        }
    }
    if rows.is_empty() {
        eprintln!("no golden pages found");
        std::process::exit(2);
    }
    print_table(&rows, markdown, show_naive);
}

fn print_table(rows: &[Row], markdown: bool, show_naive: bool) {
    let header = [
        "page", "family", "exp", "got", "count", "title P", "title R", "authors", "bounds",
        "rejoin", "safety", "details", "score",
    ];
    if markdown {
        let mut h = header.join(" | ");
        if show_naive {
            h.push_str(" | naive");
        }
        println!("| {h} |");
        println!("|{}", "---|".repeat(header.len() + usize::from(show_naive)));
    } else {
        println!(
            "{:<40} {:<22} {:>3} {:>3} {:>5} {:>7} {:>7} {:>7} {:>6} {:>6} {:>6} {:>7} {:>6}{}",
            header[0],
            header[1],
            header[2],
            header[3],
            header[4],
            header[5],
            header[6],
            header[7],
            header[8],
            header[9],
            header[10],
            header[11],
            header[12],
            if show_naive { "  naive" } else { "" }
        );
    }
    for r in rows {
        let s = &r.parsed;
        let cells = [
            format!("{:.2}", s.count),
            format!("{:.2}", s.title_precision),
            format!("{:.2}", s.title_recall),
            format!("{:.2}", s.authors),
            format!("{:.2}", s.bounds),
            format!("{:.2}", s.rejoins),
            format!("{:.2}", s.safety),
            format!("{:.2}", s.details),
            format!("{:.3}", s.total()),
        ];
        let naive = format!("{:.3}", r.naive.total());
        if markdown {
            let mut line = format!(
                "| `{}` | {} | {} | {} | {}",
                r.file,
                r.family,
                s.expected,
                s.got,
                cells.join(" | ")
            );
            if show_naive {
                line.push_str(&format!(" | {naive}"));
            }
            println!("{line} |");
        } else {
            println!(
                "{:<40} {:<22} {:>3} {:>3} {:>5} {:>7} {:>7} {:>7} {:>6} {:>6} {:>6} {:>7} {:>6}{}",
                r.file,
                r.family,
                s.expected,
                s.got,
                cells[0],
                cells[1],
                cells[2],
                cells[3],
                cells[4],
                cells[5],
                cells[6],
                cells[7],
                cells[8],
                if show_naive {
                    format!("  {naive}")
                } else {
                    String::new()
                }
            );
        }
        if let Some(e) = &r.error {
            println!("    parse error: {e}");
        }
    }
    let n = rows.len() as f64;
    let mean = |f: &dyn Fn(&PageScore) -> f64, naive: bool| {
        rows.iter()
            .map(|r| f(if naive { &r.naive } else { &r.parsed }))
            .sum::<f64>()
            / n
    };
    let total = mean(&|s| s.total(), false);
    let naive = mean(&|s| s.total(), true);
    let perfect = rows.iter().filter(|r| r.parsed.total() > 0.9999).count();
    let line = format!(
        "overall {total:.3} over {} pages ({perfect} perfect); count {:.2}, titles P {:.2} R {:.2}, authors {:.2}, bounds {:.2}, rejoins {:.2}, safety {:.2}, details {:.2}; naive blank-line splitter {naive:.3}",
        rows.len(),
        mean(&|s| s.count, false),
        mean(&|s| s.title_precision, false),
        mean(&|s| s.title_recall, false),
        mean(&|s| s.authors, false),
        mean(&|s| s.bounds, false),
        mean(&|s| s.rejoins, false),
        mean(&|s| s.safety, false),
        mean(&|s| s.details, false),
    );
    if markdown {
        println!("\n**{line}**");
    } else {
        println!("\n{line}");
    }
}
