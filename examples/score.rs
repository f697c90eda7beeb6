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
//! shows the naive splitter's score per page too.

use std::path::{Path, PathBuf};

use bulletind::model::{Article, Block, Bulletin, Role};
use bulletind::parse::{parse_bulletin, Limits};

#[path = "../tests/corpus/golden.rs"]
mod golden;

use golden::{
    align, block_text, body_ends_match, body_starts_match, captions, corpus_dir, fixture_path,
    golden_paths, paragraphs, read_golden, subheadings, Golden, GoldenArticle,
};

/// Weight of each part in a page's score (they sum to 1).
const W_COUNT: f64 = 0.10;
const W_TITLES: f64 = 0.25;
const W_AUTHORS: f64 = 0.15;
const W_BOUNDS: f64 = 0.25;
const W_REJOINS: f64 = 0.10;
const W_SAFETY: f64 = 0.10;
const W_DETAILS: f64 = 0.05;

/// The parts of one page's score, each 0–1.
#[derive(Debug, Clone, Copy, Default)]
struct PageScore {
    expected: usize,
    got: usize,
    count: f64,
    title_precision: f64,
    title_recall: f64,
    authors: f64,
    bounds: f64,
    rejoins: f64,
    safety: f64,
    details: f64,
}

impl PageScore {
    fn title_f1(&self) -> f64 {
        let (p, r) = (self.title_precision, self.title_recall);
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }

    fn total(&self) -> f64 {
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
fn score(golden: &Golden, bulletin: &Bulletin) -> PageScore {
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
fn naive_split(text: &str) -> Bulletin {
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
fn decode_labelled(golden: &Golden, bytes: &[u8]) -> String {
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

/// One scored page.
struct Row {
    file: String,
    family: String,
    parsed: PageScore,
    naive: PageScore,
    error: Option<String>,
}

fn score_file(path: &Path) -> Result<Row, String> {
    let golden = read_golden(path)?;
    let page = fixture_path(path, &golden);
    let bytes = std::fs::read(&page).map_err(|e| format!("{}: {e}", page.display()))?;
    let naive = score(&golden, &naive_split(&decode_labelled(&golden, &bytes)));
    let (parsed, error) = match parse_bulletin(&golden.file, &bytes, &Limits::default()) {
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
    let args: Vec<String> = std::env::args().skip(1).collect();
    let markdown = args.iter().any(|a| a == "--markdown");
    let show_naive = args.iter().any(|a| a == "--naive");
    let paths: Vec<String> = args.into_iter().filter(|a| !a.starts_with("--")).collect();
    let mut rows = Vec::new();
    for path in collect_paths(&paths) {
        match score_file(&path) {
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
