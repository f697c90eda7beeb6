//! Fits the weights of the text parser's segmentation model on the corpus
//! and cross-validates them by layout family. A dev tool: the daemon never
//! learns anything; it reads the table this writes
//! (`src/parse/text/weights.tsv`).
//!
//! ```sh
//! cargo run --release --example fit -- [--epochs N] [--write] [--cv] [--show PAGE]
//! ```
//!
//! - Gold labels per line are derived from each golden: the lines that
//!   print its titles, kickers and decks, credits (detected, or naming a
//!   credited person), body from `body_starts` to `body_ends`,
//!   subheadings and captions; contents entries and furniture elsewhere.
//! - The learner is an averaged structured perceptron: decode each page
//!   with the current weights (Viterbi, as the parser does), and where the
//!   labelling differs from the gold one, move the weights towards the gold
//!   features and away from the predicted ones; the result is the average
//!   of the weights over all steps.
//! - `--cv` splits the families into two halves of about equal size, fits
//!   on each half, scores the pages of the other with the page score of
//!   `tests/corpus/README.md`, and prints per-page and overall figures for
//!   several epoch counts.
//! - `--write` fits on every page and writes the table; `--show PAGE`
//!   prints a page's gold and predicted labels side by side.

use std::collections::BTreeMap;
use std::path::PathBuf;

use bulletind::parse::dev::{self, Model};
use bulletind::parse::Limits;

#[path = "../tests/corpus/golden.rs"]
mod golden;
#[path = "../tests/corpus/scoring.rs"]
mod scoring;

use golden::{corpus_dir, fixture_path, golden_paths, read_golden, Golden, GoldenArticle};

/// Perceptron epochs when none are given.
const DEFAULT_EPOCHS: usize = 12;

/// CRF optimisation steps when none are given.
const DEFAULT_ITERATIONS: usize = 300;

/// How much harder transition weights are pulled to the prior (zero) than
/// emission weights: which label follows which is what differs most
/// between layouts, so the data may move it least.
const TRANSITION_L2: f32 = 5.0;

/// CRF pull towards the prior when none is given (chosen by `--cv --sweep`).
const DEFAULT_L2: f32 = 1.0;

/// Lines after a headline within which its body must start for that
/// headline (and not an earlier contents entry repeating it) to be taken.
const BODY_WITHIN: usize = 14;

/// One corpus page ready for fitting.
struct Example {
    golden: Golden,
    bytes: Vec<u8>,
    page: dev::Page,
    gold: Vec<usize>,
    problems: Vec<String>,
}

/// Label indices, by name.
struct Labels {
    names: Vec<&'static str>,
}

impl Labels {
    fn get(&self, name: &str) -> usize {
        self.names
            .iter()
            .position(|n| *n == name)
            .unwrap_or_else(|| panic!("no label {name}"))
    }
}

/// Text as compared: no white space, lower case.
fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Whether lines `i..i+k` (joined) read `want`, for the first `k` that does.
fn span_reading(page: &dev::Page, i: usize, want: &str, title: bool) -> Option<usize> {
    let want = norm(want);
    if want.is_empty() {
        return None;
    }
    let mut joined = String::new();
    for k in 0..4 {
        let l = page.lines.get(i + k)?;
        let piece = if title { &l.title } else { &l.text };
        if k == 0 && title && norm(&l.text) == want {
            return Some(1);
        }
        joined.push_str(&norm(piece));
        if joined == want {
            return Some(k + 1);
        }
        if !want.starts_with(&joined) {
            return None;
        }
    }
    None
}

/// Whether line text `t` is where a paragraph starting `prefix` starts.
fn starts_body(t: &str, prefix: &str) -> bool {
    let (t, p) = (norm(t), norm(prefix));
    !t.is_empty()
        && (t.starts_with(&p) || (p.starts_with(&t) && t.chars().count() >= 4) || t.contains(&p))
}

/// Whether line `j` is where a paragraph ending `suffix` ends (the suffix
/// may be wrapped from the line above).
fn ends_body(page: &dev::Page, j: usize, suffix: &str) -> bool {
    let (t, s) = (norm(&page.lines[j].text), norm(suffix));
    if t.is_empty() {
        return false;
    }
    if t.ends_with(&s) || (s.ends_with(&t) && t.chars().count() >= 4) || t.contains(&s) {
        return true;
    }
    j > 0 && s.ends_with(&t) && {
        let joined = norm(&page.lines[j - 1].text) + &t;
        joined.ends_with(&s) || s.ends_with(&joined)
    }
}

/// Every name a golden article credits.
fn names(a: &GoldenArticle) -> Vec<&str> {
    a.role_lists()
        .into_iter()
        .flat_map(|(_, _, names)| names.iter().map(String::as_str))
        .collect()
}

/// Where each golden article's headline is printed: (first line, lines).
fn find_titles(
    page: &dev::Page,
    golden: &Golden,
    problems: &mut Vec<String>,
) -> Vec<Option<(usize, usize)>> {
    let mut out = Vec::new();
    let mut cursor = 0;
    for a in &golden.articles {
        let candidates: Vec<(usize, usize)> = (cursor..page.lines.len())
            .filter_map(|i| span_reading(page, i, &a.title, true).map(|k| (i, k)))
            .collect();
        // The headline, not a contents entry repeating it: the candidate
        // its body follows soonest.
        let body_after = |i: usize| {
            (i..(i + BODY_WITHIN).min(page.lines.len()))
                .find(|&j| starts_body(&page.lines[j].text, &a.body_starts))
                .map(|j| j - i)
        };
        let chosen = candidates
            .iter()
            .filter_map(|&(i, k)| body_after(i + k).map(|d| (d, i, k)))
            .min_by_key(|&(d, i, _)| (d, std::cmp::Reverse(i)))
            .map(|(_, i, k)| (i, k))
            .or(candidates.first().copied());
        match chosen {
            Some((i, k)) => cursor = i + k,
            None => problems.push(format!("title not found: {:?}", a.title)),
        }
        out.push(chosen);
    }
    out
}

/// Labels the lines of a region outside any body: credits (detected, or
/// naming someone the article credits), captions, the rest furniture.
fn label_outside(
    page: &dev::Page,
    range: std::ops::Range<usize>,
    a: &GoldenArticle,
    gold: &mut [usize],
    lab: &Labels,
) {
    let credited = names(a);
    for j in range {
        let l = &page.lines[j];
        gold[j] =
            if a.captions.iter().any(|c| norm(c) == norm(&l.source)) || (l.caption && !l.credit) {
                lab.get("caption")
            } else if a.subheadings.iter().any(|s| norm(s) == norm(&l.title)) {
                lab.get("subheading")
            } else if l.credit
                || credited.iter().any(|n| l.source.contains(n)) && l.text.chars().count() <= 80
            {
                lab.get("credit")
            } else {
                lab.get("furniture")
            };
    }
}

/// Marks as credit the lines just above a headline stack (down to line
/// `floor`) that name someone the article credits: a `From:` header over
/// its `Subject:`.
fn mark_credit_above(
    page: &dev::Page,
    stack: usize,
    floor: usize,
    a: &GoldenArticle,
    gold: &mut [usize],
    lab: &Labels,
) {
    let credited = names(a);
    let mut j = stack;
    while j > floor && page.lines[j - 1].text.chars().count() <= 80 {
        j -= 1;
        let l = &page.lines[j];
        if credited.iter().any(|nm| l.source.contains(nm)) {
            gold[j] = lab.get("credit");
        }
        if gold[j] != lab.get("furniture") && gold[j] != lab.get("credit") {
            break;
        }
    }
}

/// Labels the lines of an article's body: subheadings, captions, credits
/// and furniture inside it, body the rest.
fn label_body(
    page: &dev::Page,
    golden: &Golden,
    a: &GoldenArticle,
    range: std::ops::RangeInclusive<usize>,
    gold: &mut [usize],
    lab: &Labels,
) {
    let (b, e) = (*range.start(), *range.end());
    for j in range {
        let l = &page.lines[j];
        let banned = j != b
            && golden
                .not_in_any_body
                .iter()
                .any(|s| norm(&l.text).contains(&norm(s)));
        gold[j] = if a
            .subheadings
            .iter()
            .any(|s| norm(s) == norm(&l.title) || norm(s) == norm(&l.text))
        {
            lab.get("subheading")
        } else if a.captions.iter().any(|c| norm(c) == norm(&l.source)) {
            lab.get("caption")
        } else if banned || (l.credit && j != b) {
            if l.credit {
                lab.get("credit")
            } else {
                lab.get("furniture")
            }
        } else if l.furniture && j != b && j != e {
            lab.get("furniture")
        } else {
            lab.get("body")
        };
    }
}

/// Derives a gold label for every line from the golden.
fn gold_labels(page: &dev::Page, golden: &Golden, lab: &Labels) -> (Vec<usize>, Vec<String>) {
    let n = page.lines.len();
    let mut problems = Vec::new();
    let mut gold = vec![lab.get("furniture"); n];
    let titles = find_titles(page, golden, &mut problems);
    // Stacks: banner, kicker, headline, deck.
    let mut stack_start = vec![None; titles.len()];
    let mut stack_end = vec![None; titles.len()];
    let mut floor = 0;
    for (k, (a, t)) in golden.articles.iter().zip(&titles).enumerate() {
        let Some((i, len)) = *t else { continue };
        // A banner or kicker sits between the previous headline and this one.
        let lowest = floor;
        floor = i + len;
        gold[i] = lab.get("headline");
        for g in &mut gold[i + 1..i + len] {
            *g = lab.get("headline+");
        }
        let mut top = i;
        if let Some(kicker) = &a.kicker {
            if let Some(j) = (i.saturating_sub(3).max(lowest)..i)
                .find(|&j| span_reading(page, j, kicker, false) == Some(i - j))
            {
                for g in &mut gold[j..i] {
                    *g = lab.get("kicker");
                }
                top = j;
            }
        }
        let applies = golden
            .section_applies_to
            .as_ref()
            .is_none_or(|v| v.contains(&k));
        if let (Some(section), true) = (&golden.section, applies) {
            if let Some(j) = (top.saturating_sub(3).max(lowest)..top).rev().find(|&j| {
                let t = norm(&page.lines[j].text);
                t == norm(section) || t.trim_matches(['【', '】', '[', ']']) == norm(section)
            }) {
                gold[j] = lab.get("section");
                top = j;
            }
        }
        let mut end = i + len;
        if let Some(deck) = &a.subtitle {
            if let Some(k) = (1..=4).find(|&k| {
                let joined: String = page.lines[end..(end + k).min(n)]
                    .iter()
                    .map(|l| norm(&l.text))
                    .collect();
                joined == norm(deck)
            }) {
                gold[end] = lab.get("subtitle");
                for g in &mut gold[end + 1..end + k] {
                    *g = lab.get("subtitle+");
                }
                end += k;
            }
        }
        stack_start[k] = Some(top);
        stack_end[k] = Some(end);
    }
    let first_stack = stack_start.iter().flatten().copied().min().unwrap_or(n);
    // Lines already given to a story continued from another page.
    let mut claimed = vec![false; n];
    // Before the first article: contents entries repeating titles, else furniture.
    for j in 0..first_stack {
        let l = &page.lines[j];
        let repeats = golden.articles.iter().any(|a| {
            let (t, w) = (norm(&a.title), norm(&l.title));
            w.chars().count() >= 2
                && (t == w || t.contains(&w) || w.contains(&t) || dice(&t, &w) >= 0.7)
        });
        if gold[j] == lab.get("furniture") && repeats && l.text.chars().count() <= 100 {
            gold[j] = lab.get("contents");
        }
    }
    // The first article's credit printed above its headline.
    if let (Some(a0), Some(ns)) = (
        golden.articles.first(),
        stack_start.first().copied().flatten(),
    ) {
        mark_credit_above(page, ns, 0, a0, &mut gold, lab);
    }
    for (k, a) in golden.articles.iter().enumerate() {
        let (Some(s_end), Some(_)) = (stack_end[k], titles[k]) else {
            continue;
        };
        let next = stack_start[k + 1..]
            .iter()
            .flatten()
            .copied()
            .next()
            .unwrap_or(n)
            .max(s_end);
        let region = s_end..next;
        let b = region
            .clone()
            .find(|&j| starts_body(&page.lines[j].text, &a.body_starts));
        let e = region
            .clone()
            .rev()
            .find(|&j| ends_body(page, j, &a.body_ends));
        // A story continued on another page ends after a later jump line.
        let continued = match (b, e) {
            (Some(b), None) => (next..n)
                .rev()
                .find(|&j| ends_body(page, j, &a.body_ends))
                .and_then(|e2| {
                    (next..e2)
                        .rev()
                        .find(|&j| {
                            page.lines[j].jump_in || norm(&page.lines[j].title) == norm(&a.title)
                        })
                        .map(|c| (b, c, e2))
                }),
            _ => None,
        };
        if let Some((b, c, e2)) = continued {
            label_outside(page, s_end..b, a, &mut gold, lab);
            let out = (b..next)
                .rev()
                .find(|&j| page.lines[j].jump_out)
                .unwrap_or(next - 1);
            label_body(page, golden, a, b..=out, &mut gold, lab);
            gold[c] = lab.get("furniture");
            if c > 0 && gold[c - 1] == lab.get("furniture")
                || c > 0 && page.lines[c - 1].title.chars().count() < 30
            {
                gold[c - 1] = lab.get("furniture");
            }
            label_body(page, golden, a, c + 1..=e2, &mut gold, lab);
            for flag in &mut claimed[c.saturating_sub(1)..=e2] {
                *flag = true;
            }
            continue;
        }
        let (Some(b), Some(e)) = (b, e.filter(|&e| b.is_some_and(|b| e >= b))) else {
            problems.push(format!("body of {:?} not found", a.title));
            label_outside(page, region, a, &mut gold, lab);
            continue;
        };
        let keep: Vec<(usize, usize)> = (0..n)
            .filter(|&j| claimed[j])
            .map(|j| (j, gold[j]))
            .collect();
        label_outside(page, s_end..b, a, &mut gold, lab);
        label_body(page, golden, a, b..=e, &mut gold, lab);
        label_outside(page, e + 1..next, a, &mut gold, lab);
        for (j, g) in keep {
            gold[j] = g;
        }
        // The next article's credit printed above its headline (a `From:`
        // header over the `Subject:`): adjacent lines naming its people.
        if let (Some(a2), Some(ns)) = (
            golden.articles.get(k + 1),
            stack_start.get(k + 1).copied().flatten(),
        ) {
            mark_credit_above(page, ns, e + 1, a2, &mut gold, lab);
        }
    }
    (gold, problems)
}

/// Character-bigram Dice similarity.
fn dice(a: &str, b: &str) -> f32 {
    let grams = |s: &str| -> Vec<(char, char)> {
        let c: Vec<char> = s.chars().collect();
        let mut g: Vec<(char, char)> = c.windows(2).map(|w| (w[0], w[1])).collect();
        g.sort_unstable();
        g
    };
    let (ga, gb) = (grams(a), grams(b));
    if ga.is_empty() || gb.is_empty() {
        return 0.0;
    }
    let mut common = 0;
    let mut j = 0;
    for g in &ga {
        while j < gb.len() && gb[j] < *g {
            j += 1;
        }
        if j < gb.len() && gb[j] == *g {
            common += 1;
            j += 1;
        }
    }
    2.0 * common as f32 / (ga.len() + gb.len()) as f32
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

/// The weights as plain arrays, for summing.
#[derive(Clone)]
struct Dense {
    emit: Vec<Vec<f32>>,
    trans: Vec<Vec<Vec<f32>>>,
    start: Vec<f32>,
}

impl Dense {
    fn zero(features: usize, labels: usize) -> Dense {
        Dense {
            emit: vec![vec![0.0; labels]; features],
            trans: vec![vec![vec![0.0; labels]; labels]; dev::LINKS],
            start: vec![0.0; labels],
        }
    }

    fn model(&self, scale: f32) -> Model {
        let mut m = Model::zero();
        for (f, row) in self.emit.iter().enumerate() {
            for (l, v) in row.iter().enumerate() {
                *m.emission(f, l) = v * scale;
            }
        }
        for (k, t) in self.trans.iter().enumerate() {
            for (p, row) in t.iter().enumerate() {
                for (l, v) in row.iter().enumerate() {
                    *m.transition(k, p, l) = v * scale;
                }
            }
        }
        for (l, v) in self.start.iter().enumerate() {
            *m.start(l) = v * scale;
        }
        m
    }

    fn zero_like(&self) -> Dense {
        Dense::zero(self.emit.len(), self.start.len())
    }

    /// Applies `f(weight, gradient, prior, first moment, second moment)`
    /// to every weight.
    fn zip_apply(
        &mut self,
        grad: &Dense,
        prior: &Dense,
        m: &mut Dense,
        v: &mut Dense,
        f: impl Fn(&mut f32, f32, f32, &mut f32, &mut f32, bool),
    ) {
        for i in 0..self.emit.len() {
            for l in 0..self.emit[i].len() {
                f(
                    &mut self.emit[i][l],
                    grad.emit[i][l],
                    prior.emit[i][l],
                    &mut m.emit[i][l],
                    &mut v.emit[i][l],
                    false,
                );
            }
        }
        for k in 0..self.trans.len() {
            for p in 0..self.trans[k].len() {
                for l in 0..self.trans[k][p].len() {
                    f(
                        &mut self.trans[k][p][l],
                        grad.trans[k][p][l],
                        prior.trans[k][p][l],
                        &mut m.trans[k][p][l],
                        &mut v.trans[k][p][l],
                        true,
                    );
                }
            }
        }
        for l in 0..self.start.len() {
            f(
                &mut self.start[l],
                grad.start[l],
                prior.start[l],
                &mut m.start[l],
                &mut v.start[l],
                true,
            );
        }
    }

    fn add(&mut self, other: &Dense) {
        for (a, b) in self.emit.iter_mut().zip(&other.emit) {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
        for (a, b) in self.trans.iter_mut().zip(&other.trans) {
            for (r, s) in a.iter_mut().zip(b) {
                for (x, y) in r.iter_mut().zip(s) {
                    *x += y;
                }
            }
        }
        for (x, y) in self.start.iter_mut().zip(&other.start) {
            *x += y;
        }
    }

    /// Adds `sign` times the features of labelling `labels` of a page.
    fn update(&mut self, page: &dev::Page, labels: &[usize], other: &[usize], sign: f32) {
        for i in 0..labels.len() {
            if labels[i] != other[i] {
                for &(f, v) in &page.features[i] {
                    self.emit[f][labels[i]] += sign * v;
                }
            }
            let here = (i.checked_sub(1).map(|p| labels[p]), labels[i]);
            let there = (i.checked_sub(1).map(|p| other[p]), other[i]);
            if here != there {
                match here.0 {
                    Some(p) => self.trans[page.links[i]][p][here.1] += sign,
                    None => self.start[here.1] += sign,
                }
            }
        }
    }
}

/// What the exact detectors and markup mean, as starting weights: a
/// detector's report counts towards its label even on a layout no corpus
/// page shows it in. The perceptron starts here and corrects from the data.
const PRIOR: &[(&str, &str, f32)] = &[
    ("FurnSeparator", "furniture", 3.0),
    ("FurnPageNumber", "furniture", 3.0),
    ("FurnEditor", "furniture", 3.0),
    ("FurnNavigation", "furniture", 3.0),
    ("FurnLink", "furniture", 2.0),
    ("FurnCopyright", "furniture", 3.0),
    ("FurnContentsHeader", "furniture", 3.0),
    ("FurnJump", "furniture", 3.0),
    ("FurnCrossRef", "furniture", 3.0),
    ("FurnAuthorNote", "furniture", 3.0),
    ("FurnWire", "furniture", 4.0),
    ("TagsOnly", "furniture", 4.0),
    ("MailOther", "furniture", 3.0),
    ("RunningHead", "furniture", 2.0),
    ("PullQuote", "furniture", 2.0),
    ("SigBlock", "furniture", 2.0),
    ("PageDate", "furniture", 1.5),
    ("InContents", "contents", 3.0),
    ("CreditLine", "credit", 4.0),
    ("Byline", "credit", 1.0),
    ("MailFrom", "credit", 3.0),
    ("DatelineAlone", "credit", 3.0),
    ("JobTitle", "credit", 4.0),
    ("SignatureName", "credit", 1.5),
    ("SignatureDetail", "credit", 1.0),
    ("Caption", "caption", 6.0),
    ("MailSubject", "headline", 3.0),
    ("WireHead", "headline", 2.0),
    ("LevelArticle", "headline", 2.0),
    ("HtmlHeading", "headline", 1.5),
    ("WikiHeading", "headline", 1.5),
    ("MediaTag", "headline", 2.0),
    ("RunInHead", "headline", 1.0),
    ("AgreesContents", "headline", 2.0),
    ("HeadingThenCredit", "headline", 1.0),
    ("LevelDeeper", "subheading", 1.5),
    ("AgreesSubEntry", "subheading", 2.0),
    ("NotInContents", "subheading", 1.0),
    ("LevelShallower", "section", 1.0),
    ("FurnCue", "furniture", 3.0),
    ("RunInInProse", "body", 1.5),
    ("RunInColumn", "headline", 0.5),
    ("ShortCapsAboveHeading", "kicker", 0.8),
    ("ContinuesFurniture", "furniture", 1.5),
    ("CreditAhead", "headline", 1.0),
    ("TableBlock", "furniture", 1.5),
    ("CohesionLow", "headline", 0.3),
    ("CohesionLow", "subheading", -0.3),
    ("CohesionHigh", "subheading", 0.3),
    ("CohesionHigh", "headline", -0.3),
    ("InlineCredit", "body", 1.0),
    ("TrailingCredit", "body", 1.0),
    ("EndMark", "body", 1.0),
    ("JoinsPrev", "body", 1.0),
    ("RunInRest", "body", 3.0),
    ("Quoted", "body", 1.0),
    ("EndTerminal", "body", 0.5),
    ("WidthProse", "body", 1.0),
    ("StartsLower", "body", 1.0),
    ("LowerThenHeading", "body", 1.5),
    ("StackStart", "headline", 1.5),
    ("BlockThenCredit", "headline", 0.5),
    ("NextStartsDash", "headline", 0.5),
    ("StartsDash", "subtitle", 1.0),
    ("LabelPrefix", "body", 1.5),
    ("InnerSentenceEnd", "body", 1.0),
    ("JoinsNext", "body", 1.0),
    ("FurnApparatus", "furniture", 3.0),
    ("NumOtherScheme", "subheading", 1.0),
    ("AfterSignature", "furniture", 1.0),
    ("Bracketed", "section", 1.0),
    ("ClausePunct", "body", 0.5),
    ("Salutation", "body", 1.5),
    ("Advert", "furniture", 1.5),
    ("IndentOutlier", "furniture", 0.5),
    ("CjkStackFirst", "kicker", 0.8),
    ("CjkStackLastOfThree", "subtitle", 0.5),
    ("SameCaseAsPrev", "headline+", 0.3),
    ("SameCaseAsPrev", "subtitle+", 0.3),
    ("CaseChange", "subtitle", 0.5),
    ("BareName", "credit", 1.0),
    ("StyleCredited", "headline", 0.8),
    ("BeforeAnyHeading", "furniture", 0.5),
    ("RunInColon", "body", 1.5),
    ("HeadIsDate", "body", 1.0),
    ("BannerShape", "section", 0.8),
    ("BannerTopical", "section", 2.5),
    ("BracketedBanner", "section", 2.0),
    ("UncreditedHeadOnCreditedPage", "subheading", 0.8),
    ("ClausePunct", "headline", -0.5),
    ("ClausePunct", "subheading", -0.5),
    ("EndContinues", "body", 1.0),
    ("PrevContinues", "body", 1.0),
    ("WrapFull", "body", 1.0),
    ("HeadingRunStart", "headline", 0.5),
    ("InProseBlock", "body", 0.5),
];

/// The prior as weights.
fn prior(lab: &Labels) -> Dense {
    let names: Vec<&str> = dev::features().iter().map(|(n, _)| *n).collect();
    let mut d = Dense::zero(names.len(), lab.names.len());
    for &(f, l, w) in PRIOR {
        let fi = names
            .iter()
            .position(|n| *n == f)
            .unwrap_or_else(|| panic!("prior names unknown feature {f}"));
        d.emit[fi][lab.get(l)] = w;
    }
    d
}

/// A tiny deterministic shuffle (the fit is the same on every run).
fn shuffled(n: usize, seed: u64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    let mut s = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    for i in (1..n).rev() {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let j = (s >> 33) as usize % (i + 1);
        order.swap(i, j);
    }
    order
}

/// How to fit.
#[derive(Debug, Clone, Copy)]
enum Learner {
    /// Averaged structured perceptron, this many epochs.
    Perceptron(usize),
    /// Linear-chain CRF: iterations, L2 pull towards the prior.
    Crf(usize, f32),
}

impl std::fmt::Display for Learner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Learner::Perceptron(e) => write!(f, "perceptron, {e} epochs"),
            Learner::Crf(i, l2) => write!(f, "CRF, {i} iterations, L2 {l2} towards the prior"),
        }
    }
}

fn train(examples: &[&Example], learner: Learner, start: &Dense) -> Model {
    match learner {
        Learner::Perceptron(epochs) => fit(examples, epochs, start),
        Learner::Crf(iterations, l2) => fit_crf(examples, iterations, l2, start),
    }
}

/// Fits an averaged structured perceptron on `examples`, starting from
/// `start`.
fn fit(examples: &[&Example], epochs: usize, start: &Dense) -> Model {
    let (features, labels) = (start.emit.len(), start.start.len());
    let mut w = start.clone();
    let mut sum = Dense::zero(features, labels);
    let mut steps = 0usize;
    for epoch in 0..epochs {
        for &k in &shuffled(examples.len(), epoch as u64) {
            let ex = examples[k];
            let predicted = w.model(1.0).decode(&ex.page);
            if predicted != ex.gold {
                w.update(&ex.page, &ex.gold, &predicted, 1.0);
                w.update(&ex.page, &predicted, &ex.gold, -1.0);
            }
            sum.add(&w);
            steps += 1;
        }
    }
    sum.model(1.0 / steps.max(1) as f32)
}

/// `ln Σ exp(v)`, safe for large and -∞ values.
fn log_sum_exp(v: impl Iterator<Item = f64> + Clone) -> f64 {
    let m = v.clone().fold(f64::NEG_INFINITY, f64::max);
    if m == f64::NEG_INFINITY {
        return m;
    }
    m + v.map(|x| (x - m).exp()).sum::<f64>().ln()
}

/// Which transitions the grammar allows, per break, previous label (or
/// the page start, at index `labels`) and label.
fn grammar(labels: usize) -> Vec<Vec<Vec<bool>>> {
    (0..dev::LINKS)
        .map(|k| {
            (0..=labels)
                .map(|p| {
                    (0..labels)
                        .map(|l| Model::allowed((p < labels).then_some(p), l, k))
                        .collect()
                })
                .collect()
        })
        .collect()
}

/// Adds to `grad` the gradient of one page's negative log-likelihood under
/// a linear-chain CRF with weights `w`; returns the NLL (∞ when the gold
/// labelling breaks the grammar).
fn crf_gradient(w: &Dense, ex: &Example, allowed: &[Vec<Vec<bool>>], grad: &mut Dense) -> f64 {
    let page = &ex.page;
    let n = page.lines.len();
    let nl = w.start.len();
    if n == 0 {
        return 0.0;
    }
    let emit: Vec<Vec<f64>> = page
        .features
        .iter()
        .map(|obs| {
            let mut e = vec![0.0f64; nl];
            for &(f, v) in obs {
                for (slot, x) in e.iter_mut().zip(&w.emit[f]) {
                    *slot += f64::from(x * v);
                }
            }
            e
        })
        .collect();
    let trans = |i: usize, p: usize, l: usize| -> f64 {
        let k = page.links[i];
        if allowed[k][p][l] {
            f64::from(w.trans[k][p][l])
        } else {
            f64::NEG_INFINITY
        }
    };
    let start = |l: usize| -> f64 {
        if allowed[0][nl][l] {
            f64::from(w.start[l])
        } else {
            f64::NEG_INFINITY
        }
    };
    // Gold score; a labelling the grammar forbids cannot be learned.
    let g = &ex.gold;
    let mut gold_score = start(g[0]) + emit[0][g[0]];
    for i in 1..n {
        gold_score += trans(i, g[i - 1], g[i]) + emit[i][g[i]];
    }
    if !gold_score.is_finite() {
        return f64::INFINITY;
    }
    let mut alpha = vec![vec![f64::NEG_INFINITY; nl]; n];
    for l in 0..nl {
        alpha[0][l] = start(l) + emit[0][l];
    }
    for i in 1..n {
        for l in 0..nl {
            let prev = &alpha[i - 1];
            alpha[i][l] = log_sum_exp((0..nl).map(|p| prev[p] + trans(i, p, l))) + emit[i][l];
        }
    }
    let mut beta = vec![vec![0.0f64; nl]; n];
    for i in (0..n - 1).rev() {
        for l in 0..nl {
            let next = &beta[i + 1];
            beta[i][l] =
                log_sum_exp((0..nl).map(|m| trans(i + 1, l, m) + emit[i + 1][m] + next[m]));
        }
    }
    let log_z = log_sum_exp(alpha[n - 1].iter().copied());
    // Expected minus observed counts.
    for i in 0..n {
        for l in 0..nl {
            let p = (alpha[i][l] + beta[i][l] - log_z).exp() as f32;
            let d = p - f32::from(u8::from(g[i] == l));
            if d.abs() < 1e-7 {
                continue;
            }
            for &(f, v) in &page.features[i] {
                grad.emit[f][l] += d * v;
            }
            if i == 0 {
                grad.start[l] += d;
            }
        }
        if i == 0 {
            continue;
        }
        let k = page.links[i];
        for pl in 0..nl {
            if alpha[i - 1][pl] == f64::NEG_INFINITY {
                continue;
            }
            for l in 0..nl {
                let t = trans(i, pl, l);
                if t == f64::NEG_INFINITY {
                    continue;
                }
                let pe = (alpha[i - 1][pl] + t + emit[i][l] + beta[i][l] - log_z).exp() as f32;
                let d = pe - f32::from(u8::from(g[i - 1] == pl && g[i] == l));
                grad.trans[k][pl][l] += d;
            }
        }
    }
    log_z - gold_score
}

/// Fits a linear-chain CRF on `examples` by full-batch Adam, with an L2
/// pull of strength `l2` towards `start` (the prior): the data moves a
/// weight away from what the detectors mean only as far as it has to.
fn fit_crf(examples: &[&Example], iterations: usize, l2: f32, start: &Dense) -> Model {
    let allowed = grammar(start.start.len());
    let usable: Vec<&Example> = examples
        .iter()
        .copied()
        .filter(|ex| {
            let mut g = start.zero_like();
            crf_gradient(start, ex, &allowed, &mut g).is_finite()
        })
        .collect();
    if usable.len() < examples.len() {
        eprintln!(
            "CRF: {} page(s) skipped, their gold labels break the grammar",
            examples.len() - usable.len()
        );
    }
    let lines: usize = usable
        .iter()
        .map(|e| e.page.lines.len())
        .sum::<usize>()
        .max(1);
    let mut w = start.clone();
    let mut m = start.zero_like();
    let mut v = start.zero_like();
    let (b1, b2, lr, eps) = (0.9f32, 0.999f32, 0.05f32, 1e-8f32);
    for t in 1..=iterations {
        let mut grad = start.zero_like();
        for ex in &usable {
            crf_gradient(&w, ex, &allowed, &mut grad);
        }
        let scale = 1.0 / lines as f32;
        let (c1, c2) = (1.0 - b1.powi(t as i32), 1.0 - b2.powi(t as i32));
        let trans_l2 = std::env::var("FIT_TRANS_L2")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(TRANSITION_L2);
        w.zip_apply(
            &grad,
            start,
            &mut m,
            &mut v,
            |wi, gi, si, mi, vi, transition| {
                let strength = if transition { l2 * trans_l2 } else { l2 };
                let g = gi * scale + strength * (*wi - si) / lines as f32 * 10.0;
                *mi = b1 * *mi + (1.0 - b1) * g;
                *vi = b2 * *vi + (1.0 - b2) * g * g;
                *wi -= lr * (*mi / c1) / ((*vi / c2).sqrt() + eps);
            },
        );
    }
    w.model(1.0)
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
                for (slot, v) in parts.iter_mut().zip([
                    p.count,
                    p.title_precision,
                    p.title_recall,
                    p.authors,
                    p.bounds,
                    p.rejoins,
                    p.safety,
                    p.details,
                ]) {
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

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|k| args.get(k + 1))
            .cloned()
    };
    let epochs: usize = value("--epochs")
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_EPOCHS);
    let l2: f32 = value("--l2")
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_L2);
    let iterations: usize = value("--iterations")
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_ITERATIONS);
    let learner = if args.iter().any(|a| a == "--perceptron") {
        Learner::Perceptron(epochs)
    } else {
        Learner::Crf(iterations, l2)
    };
    let lab = Labels {
        names: dev::labels(),
    };
    let start = if args.iter().any(|a| a == "--no-prior") {
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
    if let Some(page) = value("--show") {
        let model = if args.iter().any(|a| a == "--committed") {
            Model::committed()
        } else if args.iter().any(|a| a == "--lofo") {
            // Leave the page's whole family out of the fit.
            let fam = examples
                .iter()
                .find(|e| e.golden.file.contains(&page))
                .map(family)
                .unwrap_or_default();
            let rest: Vec<&Example> = examples.iter().filter(|e| family(e) != fam).collect();
            train(&rest, learner, &start)
        } else {
            let all: Vec<&Example> = examples.iter().collect();
            train(&all, learner, &start)
        };
        if let Some(path) = value("--save") {
            let _ = std::fs::write(path, model.to_table("saved by --show"));
        }
        show(&examples, &page, &lab, &model);
        return;
    }
    if args.iter().any(|a| a == "--lofo") {
        leave_family_out(&examples, learner, &start);
        return;
    }
    if args.iter().any(|a| a == "--cv") {
        let list: Vec<Learner> = if args.iter().any(|a| a == "--sweep") {
            vec![
                Learner::Perceptron(6),
                Learner::Perceptron(12),
                Learner::Crf(iterations, 0.3),
                Learner::Crf(iterations, 1.0),
                Learner::Crf(iterations, 3.0),
                Learner::Crf(iterations, 10.0),
            ]
        } else {
            vec![learner]
        };
        cross_validate(&examples, &list, &start);
        return;
    }
    let all: Vec<&Example> = examples.iter().collect();
    let model = train(&all, learner, &start);
    let mut total = 0.0;
    let mut line_errors = 0;
    for ex in &examples {
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
    if args.iter().any(|a| a == "--write") {
        let families: std::collections::BTreeSet<String> = examples.iter().map(family).collect();
        let header = format!(
            "Weights of the text parser's segmentation model (see src/parse/text/segment.rs).\n\
             Fitted by `cargo run --release --example fit -- --write`: {learner},\n\
             over {} corpus pages of {} layout families. Do not edit by hand; refit.",
            examples.len(),
            families.len()
        );
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/parse/text/weights.tsv");
        match std::fs::write(&path, model.to_table(&header)) {
            Ok(()) => println!("wrote {}", path.display()),
            Err(e) => eprintln!("{}: {e}", path.display()),
        }
    }
}
