//! The learners: an averaged structured perceptron and a linear-chain CRF
//! fitted by full-batch Adam with an L2 pull towards a prior — hand-set
//! weights saying what each exact detector and markup means — so that a
//! detector counts even on a layout the corpus lacks.

use bulletind::parse::dev::{self, Model};

use super::{Example, Labels};

/// How much harder transition weights are pulled to the prior (zero) than
/// emission weights: which label follows which is what differs most
/// between layouts, so the data may move it least.
const TRANSITION_L2: f32 = 5.0;

/// Families a feature must fire in before the data weighs it as much as
/// the prior (`FIT_SUPPORT` overrides; 0 or 1 turns this off): a feature
/// seen in `n` of fewer families is pulled towards its prior `SUPPORT / n`
/// times as hard. What one family's pages teach a feature is that
/// family's layout, not the shape's meaning.
const SUPPORT: f32 = 1.0;

/// The weights as plain arrays, for summing.
#[derive(Clone)]
pub(crate) struct Dense {
    emit: Vec<Vec<f32>>,
    trans: Vec<Vec<Vec<f32>>>,
    start: Vec<f32>,
}

impl Dense {
    pub(crate) fn zero(features: usize, labels: usize) -> Dense {
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

    /// The non-zero emission weights of feature `f`, named.
    pub(crate) fn prior_of(&self, f: usize, names: &[&str]) -> String {
        let parts: Vec<String> = self.emit[f]
            .iter()
            .zip(names)
            .filter(|(w, _)| **w != 0.0)
            .map(|(w, n)| format!("{n}:{w}"))
            .collect();
        parts.join(" ")
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
        f: impl Fn(&mut f32, f32, f32, &mut f32, &mut f32, Option<usize>),
    ) {
        for i in 0..self.emit.len() {
            for l in 0..self.emit[i].len() {
                f(
                    &mut self.emit[i][l],
                    grad.emit[i][l],
                    prior.emit[i][l],
                    &mut m.emit[i][l],
                    &mut v.emit[i][l],
                    Some(i),
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
                        None,
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
                None,
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
    ("SignatureDetail", "furniture", 1.0),
    ("CutOff", "body", 3.0),
    ("ContactBlock", "furniture", 0.5),
    ("CohesionDip", "headline", 0.3),
    ("CohesionDip", "subheading", -0.3),
    ("CohesionPeak", "subheading", 0.3),
    ("CohesionPeak", "headline", -0.3),
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
    // Offered splits: neutral against RunInHead's pull to a headline.
    ("RunInSentence", "body", 1.0),
    ("TitleCaseLong", "headline", 1.0),
    ("RunInSpaced", "body", 1.0),
    ("ShortCapsAboveHeading", "kicker", 0.8),
    ("CapsAboveHeading", "kicker", 0.8),
    ("MarkdownLastSentence", "body", 1.0),
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
    ("Leader", "contents", 1.5),
    ("RightSet", "credit", 0.3),
    ("FurnDocNumber", "furniture", 3.0),
    ("FurnNotice", "furniture", 3.0),
    ("Closing", "furniture", 1.5),
    ("UncreditedInCreditedMarkup", "headline", 0.8),
    ("BlockHeadOverProse", "headline", 0.8),
    ("BlockHeadOverProse", "furniture", -0.5),
    ("ProseUnderHeading", "body", 1.0),
    ("ProseUnderHeading", "furniture", -0.5),
    ("MarkdownText", "body", 1.0),
    ("LabelKicker", "kicker", 1.5),
    ("LifeDates", "subtitle", 1.5),
    ("Catchwords", "subtitle", 1.5),
    ("MarkedName", "credit", 1.5),
    ("FieldsLine", "furniture", 1.0),
    ("Verse", "body", 0.5),
];

/// The prior as weights.
pub(crate) fn prior(lab: &Labels) -> Dense {
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
pub(crate) enum Learner {
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

pub(crate) fn train(examples: &[&Example], learner: Learner, start: &Dense) -> Model {
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
        for (pl, &before) in alpha[i - 1].iter().enumerate() {
            if before == f64::NEG_INFINITY {
                continue;
            }
            for l in 0..nl {
                let t = trans(i, pl, l);
                if t == f64::NEG_INFINITY {
                    continue;
                }
                let pe = (before + t + emit[i][l] + beta[i][l] - log_z).exp() as f32;
                let d = pe - f32::from(u8::from(g[i - 1] == pl && g[i] == l));
                grad.trans[k][pl][l] += d;
            }
        }
    }
    log_z - gold_score
}

/// Pages the parser must split exactly, and how many times each counts
/// in a fit.
const MUST_KEEP: &[&str] = &["jianghai-page.txt"];
const MUST_KEEP_COPIES: usize = 3;

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
    // Pages that must split exactly (`tests/corpus.rs`, `EXACT_PAGES`)
    // count several times over.
    let usable: Vec<&Example> = usable
        .iter()
        .flat_map(|ex| {
            let copies = if MUST_KEEP.contains(&ex.golden.file.as_str()) {
                MUST_KEEP_COPIES
            } else {
                1
            };
            std::iter::repeat_n(*ex, copies)
        })
        .collect();
    let lines: usize = usable
        .iter()
        .map(|e| e.page.lines.len())
        .sum::<usize>()
        .max(1);
    let pull = support_pull(examples, start.emit.len());
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
            |wi, gi, si, mi, vi, feature| {
                let strength = match feature {
                    None => l2 * trans_l2,
                    Some(f) => l2 * pull[f],
                };
                let g = gi * scale + strength * (*wi - si) / lines as f32 * 10.0;
                *mi = b1 * *mi + (1.0 - b1) * g;
                *vi = b2 * *vi + (1.0 - b2) * g * g;
                *wi -= lr * (*mi / c1) / ((*vi / c2).sqrt() + eps);
            },
        );
    }
    w.model(1.0)
}

/// Per feature, how much harder than the plain L2 its weights are pulled
/// towards the prior: `SUPPORT / n` for a feature firing in `n` families
/// of the fit (at least 1; a feature never seen keeps its prior anyway).
fn support_pull(examples: &[&Example], features: usize) -> Vec<f32> {
    let support = std::env::var("FIT_SUPPORT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(SUPPORT);
    let mut fams: Vec<std::collections::BTreeSet<String>> = vec![Default::default(); features];
    for ex in examples {
        let family = crate::family(ex);
        for obs in &ex.page.features {
            for &(f, _) in obs {
                if !fams[f].contains(&family) {
                    fams[f].insert(family.clone());
                }
            }
        }
    }
    fams.iter()
        .map(|s| (support / s.len().max(1) as f32).max(1.0))
        .collect()
}
