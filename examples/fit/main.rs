//! Fits the weights of the text parser's segmentation model on the corpus
//! and cross-validates them by layout family. A dev tool: the daemon never
//! learns anything; it reads the table this writes
//! (`src/parse/text/weights.tsv`).
//!
//! ```sh
//! cargo run --release --example fit -- [--write] [--cv [--sweep]] [--lofo] [--forward]
//!     [--show PAGE [--lofo|--committed]] [--explain PAGE [--weights FILE]]
//!     [--iterations N] [--l2 X] [--perceptron [--epochs N]] [--no-prior]
//! ```
//!
//! - Gold labels per line are derived from each golden: the lines that
//!   print its titles, kickers and decks, credits (detected, or naming a
//!   credited person), body from `body_starts` to `body_ends`,
//!   subheadings and captions; contents entries and furniture elsewhere.
//! - The learner (`learn.rs`) is a linear-chain CRF fitted by full-batch
//!   Adam on the gold labels' likelihood, with an L2 pull towards a
//!   hand-set prior (what each detector and markup means); an averaged
//!   structured perceptron is there for comparison (`--perceptron`).
//! - `--cv` splits the families into two halves of about equal size, fits
//!   on each half, scores the pages of the other with the page score of
//!   `tests/corpus/README.md`, and prints per-page and overall figures
//!   (`--sweep`: for several learners); `--lofo` scores each family with a
//!   fit on all the others; `--forward` scores each recent blind batch
//!   with a fit on the pages that came before it (`forward.rs`).
//! - `--write` fits on every page and writes the table; `--show PAGE`
//!   prints a page's gold and predicted labels side by side; `--explain
//!   PAGE` prints the parser's account of a page and its articles.

use std::collections::BTreeMap;
use std::path::PathBuf;

use bulletind::parse::dev::{self, Model};
use bulletind::parse::Limits;

mod forward;
mod gold;
#[path = "../../tests/corpus/golden.rs"]
mod golden;
mod learn;
#[path = "../../tests/corpus/scoring.rs"]
mod scoring;

use gold::gold_labels;
use golden::{corpus_dir, fixture_path, golden_paths, read_golden, Golden};
use learn::{prior, train, Dense, Learner};

/// Perceptron epochs when none are given.
const DEFAULT_EPOCHS: usize = 12;

/// CRF optimisation steps when none are given.
const DEFAULT_ITERATIONS: usize = 60;

/// CRF pull towards the prior when none is given. On 99 pages `--cv` and
/// `--lofo` chose 0.5 (0.3: CV 0.912 LOFO 0.915; 0.5: 0.912/0.920; 1.0:
/// 0.910/0.918). On 123 pages, with the batch 9/10 round's methods,
/// `--forward` prefers 0.3 (0.830 against 0.826; CV 0.888 against 0.897),
/// and only 0.3 keeps the sample page exact (see BLIND.md). On 184 pages a
/// sweep of 60/150/300 iterations and L2 0.1/0.3/0.5 found none better on
/// `--cv` than 60 and 0.3.
const DEFAULT_L2: f32 = 0.3;

/// One corpus page ready for fitting.
pub(crate) struct Example {
    golden: Golden,
    bytes: Vec<u8>,
    page: dev::Page,
    gold: Vec<usize>,
    problems: Vec<String>,
}

/// Label indices, by name.
pub(crate) struct Labels {
    names: Vec<&'static str>,
}

impl Labels {
    pub(crate) fn get(&self, name: &str) -> usize {
        self.names
            .iter()
            .position(|n| *n == name)
            .unwrap_or_else(|| panic!("no label {name}"))
    }
}

/// Loads every corpus page with its gold labels.
fn load(lab: &Labels) -> Vec<Example> {
    let mut out = Vec::new();
    for path in golden_paths(&corpus_dir()) {
        let golden = match read_golden(&path) {
            Ok(g) => g,
            Err(e) => {
                eprintln!("skipped: {e}");
                continue;
            }
        };
        let file: PathBuf = fixture_path(&path, &golden);
        let Ok(bytes) = std::fs::read(&file) else {
            eprintln!("skipped: cannot read {}", file.display());
            continue;
        };
        let page = match dev::observe(&golden.file, &bytes) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("skipped {}: {e}", golden.file);
                continue;
            }
        };
        let (gold, mut problems) = gold_labels(&page, &golden, lab);
        let (page, gold) = without_rules(page, gold);
        for i in 0..gold.len() {
            let prev = i.checked_sub(1).map(|p| gold[p]);
            let link = if i == 0 {
                dev::LINKS - 1
            } else {
                page.links[i]
            };
            if !Model::allowed(prev, gold[i], link) {
                problems.push(format!(
                    "gold breaks the grammar at line {}: {} after {}",
                    page.lines[i].no,
                    lab.names[gold[i]],
                    prev.map_or("start", |p| lab.names[p])
                ));
            }
        }
        out.push(Example {
            golden,
            bytes,
            page,
            gold,
            problems,
        });
    }
    out
}

/// The page as the decoder chains it: lines outside the chain (rule
/// lines, `dev::Page::outside_chain`) are left out of what is learned,
/// with their gold labels.
fn without_rules(page: dev::Page, gold: Vec<usize>) -> (dev::Page, Vec<usize>) {
    let keep: Vec<bool> = (0..page.lines.len())
        .map(|i| !page.outside_chain(i))
        .collect();
    if keep.iter().all(|&k| k) {
        return (page, gold);
    }
    let page = dev::Page {
        lines: kept(page.lines, &keep),
        features: kept(page.features, &keep),
        links: kept(page.links, &keep),
        declared: kept(page.declared, &keep),
    };
    (page, kept(gold, &keep))
}

/// The items of `v` whose `keep` is set.
fn kept<T>(v: Vec<T>, keep: &[bool]) -> Vec<T> {
    v.into_iter()
        .zip(keep)
        .filter(|(_, &k)| k)
        .map(|(x, _)| x)
        .collect()
}

/// Scores one page parsed with `model`.
fn score_with(model: &Model, ex: &Example) -> f64 {
    match model.parse(&ex.golden.file, &ex.bytes, &Limits::default()) {
        Ok(b) => scoring::score(&ex.golden, &b).total(),
        Err(_) => 0.0,
    }
}

/// Splits families into two halves of about equal page counts.
fn halves(examples: &[Example]) -> (Vec<String>, Vec<String>) {
    let mut sizes: BTreeMap<String, usize> = BTreeMap::new();
    for ex in examples {
        *sizes.entry(family(ex)).or_default() += 1;
    }
    let mut fams: Vec<(String, usize)> = sizes.into_iter().collect();
    fams.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let (mut a, mut b) = (Vec::new(), Vec::new());
    let (mut na, mut nb) = (0, 0);
    for (f, n) in fams {
        if na <= nb {
            a.push(f);
            na += n;
        } else {
            b.push(f);
            nb += n;
        }
    }
    (a, b)
}

fn family(ex: &Example) -> String {
    ex.golden
        .family
        .clone()
        .unwrap_or_else(|| ex.golden.file.clone())
}

fn cross_validate(examples: &[Example], learners: &[Learner], start: &Dense) {
    let (a, b) = halves(examples);
    println!("half A families: {}", a.join(", "));
    println!("half B families: {}", b.join(", "));
    for (n, &learner) in learners.iter().enumerate() {
        let mut rows: Vec<(String, String, char, f64)> = Vec::new();
        for (fit_half, test, name) in [(&a, &b, 'B'), (&b, &a, 'A')] {
            let fit_on: Vec<&Example> = examples
                .iter()
                .filter(|e| fit_half.contains(&family(e)))
                .collect();
            let model = train(&fit_on, learner, start);
            for ex in examples.iter().filter(|e| test.contains(&family(e))) {
                rows.push((
                    ex.golden.file.clone(),
                    family(ex),
                    name,
                    score_with(&model, ex),
                ));
            }
        }
        rows.sort_by(|x, y| x.0.cmp(&y.0));
        let mean = |h: Option<char>| {
            let v: Vec<f64> = rows
                .iter()
                .filter(|r| h.is_none_or(|h| r.2 == h))
                .map(|r| r.3)
                .collect();
            v.iter().sum::<f64>() / v.len().max(1) as f64
        };
        if n + 1 == learners.len() {
            for (file, fam, h, s) in &rows {
                println!("  {h} {file:<44} {fam:<26} {s:.3}");
            }
        }
        println!(
            "{learner}: held-out mean {:.3} (half A scored by a fit on B: {:.3}; half B by a fit on A: {:.3}; {} pages)",
            mean(None),
            mean(Some('A')),
            mean(Some('B')),
            rows.len()
        );
    }
}

/// Leave-one-family-out: each family scored by a fit on all the others
/// (what a new batch meets: a model fitted on everything else).
fn leave_family_out(examples: &[Example], learner: Learner, start: &Dense) {
    let families: std::collections::BTreeSet<String> = examples.iter().map(family).collect();
    let mut rows: Vec<(f64, String, String)> = Vec::new();
    let mut parts = [0f64; 8];
    for fam in &families {
        let rest: Vec<&Example> = examples.iter().filter(|e| &family(e) != fam).collect();
        let model = train(&rest, learner, start);
        for ex in examples.iter().filter(|e| &family(e) == fam) {
            if let Ok(b) = model.parse(&ex.golden.file, &ex.bytes, &Limits::default()) {
                let p = scoring::score(&ex.golden, &b);
                for (slot, v) in parts.iter_mut().zip(parts_of(&p)) {
                    *slot += v;
                }
            }
            rows.push((score_with(&model, ex), ex.golden.file.clone(), fam.clone()));
        }
    }
    let n = rows.len().max(1) as f64;
    println!(
        "parts: count {:.2} title P {:.2} R {:.2} authors {:.2} bounds {:.2} rejoins {:.2} safety {:.2} details {:.2}",
        parts[0] / n, parts[1] / n, parts[2] / n, parts[3] / n, parts[4] / n, parts[5] / n, parts[6] / n, parts[7] / n
    );
    rows.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (s, file, fam) in &rows {
        println!("  {file:<44} {fam:<26} {s:.3}");
    }
    let mean = rows.iter().map(|r| r.0).sum::<f64>() / rows.len().max(1) as f64;
    println!(
        "{learner}: leave-one-family-out mean {mean:.3} over {} pages",
        rows.len()
    );
}

fn show(examples: &[Example], name: &str, lab: &Labels, model: &Model) {
    let Some(ex) = examples.iter().find(|e| e.golden.file.contains(name)) else {
        eprintln!("no page {name}");
        return;
    };
    let predicted = model.decode(&ex.page);
    for (i, l) in ex.page.lines.iter().enumerate() {
        let (g, p) = (lab.names[ex.gold[i]], lab.names[predicted[i]]);
        let mark = if g == p { ' ' } else { '*' };
        let shown = if std::env::var_os("FIT_TEXT").is_some() {
            &l.text
        } else {
            &l.source
        };
        let text: String = shown.chars().take(70).collect();
        println!("{mark} {:>4} {g:<11} {p:<11} {text}", l.no);
        if std::env::var_os("FIT_FEATURES").is_some() {
            let names = dev::features();
            let on: Vec<&str> = ex.page.features[i]
                .iter()
                .map(|&(f, _)| names[f].0)
                .collect();
            println!("         {}", on.join(" "));
        }
    }
    for p in &ex.problems {
        println!("problem: {p}");
    }
}

/// `--report`: per feature, how many families and lines it fires in, the
/// gold labels of those lines and the prior's label (a feature seen in few
/// families is weighed mostly by its prior when they are held out).
fn report(examples: &[Example], lab: &Labels, start: &Dense) {
    let names = dev::features();
    for (f, (name, _)) in names.iter().enumerate() {
        let mut fams = std::collections::BTreeSet::new();
        let mut counts = vec![0usize; lab.names.len()];
        for ex in examples {
            for (i, obs) in ex.page.features.iter().enumerate() {
                if obs.iter().any(|&(g, _)| g == f) {
                    fams.insert(family(ex));
                    counts[ex.gold[i]] += 1;
                }
            }
        }
        if let Some(want) = std::env::var("REPORT_LINES")
            .ok()
            .filter(|w| w.starts_with(name))
        {
            // `REPORT_LINES=Feature:label`: the lines behind one count.
            let label = want.split(':').nth(1).unwrap_or_default();
            for ex in examples {
                for (i, obs) in ex.page.features.iter().enumerate() {
                    if obs.iter().any(|&(g, _)| g == f) && lab.names[ex.gold[i]] == label {
                        let l = &ex.page.lines[i];
                        println!("    {} {}: {}", ex.golden.file, l.no, l.source);
                    }
                }
            }
        }
        let total: usize = counts.iter().sum();
        let mut by: Vec<(usize, &str)> = counts
            .iter()
            .zip(&lab.names)
            .filter(|(c, _)| **c > 0)
            .map(|(c, n)| (*c, *n))
            .collect();
        by.sort_by_key(|x| std::cmp::Reverse(x.0));
        let labels: Vec<String> = by
            .iter()
            .take(12)
            .map(|(c, n)| format!("{n}:{c}"))
            .collect();
        println!(
            "{name:<28} fams {:>2} lines {total:>4}  prior [{}]  gold {}",
            fams.len(),
            start.prior_of(f, &lab.names),
            labels.join(" ")
        );
    }
}

/// The command line, read once.
struct Args {
    args: Vec<String>,
}

impl Args {
    fn has(&self, flag: &str) -> bool {
        self.args.iter().any(|a| a == flag)
    }

    fn value(&self, flag: &str) -> Option<String> {
        self.args
            .iter()
            .position(|a| a == flag)
            .and_then(|k| self.args.get(k + 1))
            .cloned()
    }

    fn number<T: std::str::FromStr>(&self, flag: &str, default: T) -> T {
        self.value(flag)
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    }

    /// The learner the flags ask for.
    fn learner(&self) -> Learner {
        if self.has("--perceptron") {
            Learner::Perceptron(self.number("--epochs", DEFAULT_EPOCHS))
        } else {
            Learner::Crf(
                self.number("--iterations", DEFAULT_ITERATIONS),
                self.number("--l2", DEFAULT_L2),
            )
        }
    }
}

/// `--explain PAGE [--weights FILE]`: the parser's account of one page
/// (line by line, then its articles), with the committed weights or others.
fn explain_page(path: &str, weights: Option<String>) {
    let model = match weights.map(std::fs::read_to_string) {
        Some(Ok(table)) => Model::from_table(&table),
        Some(Err(e)) => {
            eprintln!("weights: {e}");
            return;
        }
        None => Model::committed(),
    };
    let Ok(bytes) = std::fs::read(path) else {
        eprintln!("cannot read {path}");
        return;
    };
    let name = std::path::Path::new(path)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("page.txt");
    match model.explain(name, &bytes) {
        Ok(lines) => lines.iter().for_each(|l| println!("{l}")),
        Err(e) => eprintln!("{path}: {e}"),
    }
    if let Ok(b) = model.parse(name, &bytes, &Limits::default()) {
        for a in &b.articles {
            let names: Vec<String> = a
                .authors
                .iter()
                .map(|x| format!("{} ({:?})", x.name, x.role))
                .collect();
            println!(
                "== {} | kicker {:?} | deck {:?} | section {:?} | {}",
                a.title,
                a.kicker,
                a.subtitle,
                a.section,
                names.join(", ")
            );
        }
        println!(
            "date {:?}, section {:?}, warnings {:?}",
            b.date, b.section, b.warnings
        );
    }
}

/// `--show PAGE`: gold and predicted labels of a page, from a fit on every
/// page (`--lofo`: on every other family; `--committed`: the committed
/// table).
fn show_page(examples: &[Example], page: &str, args: &Args, lab: &Labels, start: &Dense) {
    let learner = args.learner();
    let model = if args.has("--committed") {
        Model::committed()
    } else if args.has("--lofo") {
        let fam = examples
            .iter()
            .find(|e| e.golden.file.contains(page))
            .map(family)
            .unwrap_or_default();
        let rest: Vec<&Example> = examples.iter().filter(|e| family(e) != fam).collect();
        train(&rest, learner, start)
    } else {
        let all: Vec<&Example> = examples.iter().collect();
        train(&all, learner, start)
    };
    if let Some(path) = args.value("--save") {
        if let Err(e) = std::fs::write(&path, model.to_table("saved by --show")) {
            eprintln!("{path}: {e}");
        }
    }
    show(examples, page, lab, &model);
}

/// Fits on every page, prints the training fit and, with `--write`,
/// writes the committed table.
fn fit_all(examples: &[Example], learner: Learner, start: &Dense, write: bool) {
    let all: Vec<&Example> = examples.iter().collect();
    let model = train(&all, learner, start);
    let mut total = 0.0;
    let mut line_errors = 0;
    for ex in examples {
        let s = score_with(&model, ex);
        let predicted = model.decode(&ex.page);
        let wrong = predicted
            .iter()
            .zip(&ex.gold)
            .filter(|(a, b)| a != b)
            .count();
        line_errors += wrong;
        println!(
            "{:<44} {:<26} {s:.3}  {wrong} lines off gold",
            ex.golden.file,
            family(ex)
        );
        total += s;
    }
    println!(
        "training fit: mean {:.3} over {} pages; {line_errors} lines off gold",
        total / examples.len().max(1) as f64,
        examples.len()
    );
    if !write {
        return;
    }
    let families: std::collections::BTreeSet<String> = examples.iter().map(family).collect();
    let header = format!(
        "Weights of the text parser's segmentation model (see src/parse/text/segment.rs).\n\
         Fitted by `cargo run --release --example fit -- --write`: {learner},\n\
         over {} corpus pages of {} layout families. Do not edit by hand; refit.",
        examples.len(),
        families.len()
    );
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/parse/text/weights.tsv");
    match std::fs::write(&path, model.to_table(&header)) {
        Ok(()) => println!("wrote {}", path.display()),
        Err(e) => eprintln!("{}: {e}", path.display()),
    }
}

fn main() {
    let args = Args {
        args: std::env::args().skip(1).collect(),
    };
    if let Some(page) = args.value("--explain") {
        explain_page(&page, args.value("--weights"));
        return;
    }
    let learner = args.learner();
    let lab = Labels {
        names: dev::labels(),
    };
    let start = if args.has("--no-prior") {
        Dense::zero(dev::features().len(), lab.names.len())
    } else {
        prior(&lab)
    };
    let examples = load(&lab);
    let problems: usize = examples.iter().map(|e| e.problems.len()).sum();
    eprintln!(
        "{} pages, {} lines, {} gold-label problems",
        examples.len(),
        examples.iter().map(|e| e.page.lines.len()).sum::<usize>(),
        problems
    );
    for ex in &examples {
        for p in &ex.problems {
            eprintln!("  {}: {p}", ex.golden.file);
        }
    }
    if args.has("--report") {
        report(&examples, &lab, &start);
    } else if let Some(page) = args.value("--show") {
        show_page(&examples, &page, &args, &lab, &start);
    } else if args.has("--forward") {
        forward::forward(&examples, learner, &start, forward::FORWARD_BATCHES);
    } else if args.has("--lofo") {
        leave_family_out(&examples, learner, &start);
    } else if args.has("--cv") {
        let iterations = args.number("--iterations", DEFAULT_ITERATIONS);
        let list: Vec<Learner> = if args.has("--sweep") {
            vec![
                Learner::Perceptron(6),
                Learner::Perceptron(12),
                Learner::Crf(iterations, 0.3),
                Learner::Crf(iterations, 0.5),
                Learner::Crf(iterations, 1.0),
                Learner::Crf(iterations, 3.0),
            ]
        } else {
            vec![learner]
        };
        cross_validate(&examples, &list, &start);
    } else {
        fit_all(&examples, learner, &start, args.has("--write"));
    }
}

/// The parts of a page's score, in the order `parts:` lines print them.
fn parts_of(p: &scoring::PageScore) -> [f64; 8] {
    [
        p.count,
        p.title_precision,
        p.title_recall,
        p.authors,
        p.bounds,
        p.rejoins,
        p.safety,
        p.details,
    ]
}
