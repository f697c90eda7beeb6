//! The segmentation model: every line gets one [`Label`], decided for the
//! whole page at once by Viterbi decoding over a linear-chain model.
//!
//! A labelling's score is the sum, over lines, of the weights of the line's
//! features for its label (emission) plus the weight of going from the
//! previous line's label to this one across the kind of break between
//! them (transition: same source line, adjacent, one blank line, more). A
//! grammar rules out impossible sequences (a headline's second line after
//! a paragraph, a deck without a headline). The best-scoring labelling is
//! found exactly, so one misread line cannot swallow or split a page: it
//! has to beat the whole page's evidence.
//!
//! The weights live in `weights.tsv`, fitted offline by `examples/fit.rs`
//! (an averaged structured perceptron) and committed; nothing is learned at
//! run time.

use std::sync::LazyLock;

use super::features::{Feature, Observation, FEATURE_COUNT};

/// What a line is, as the model decides it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub(crate) enum Label {
    /// Page furniture: dropped (or kept as metadata).
    Furniture,
    /// An entry of a contents list.
    Contents,
    /// A page or column banner above a headline.
    Section,
    /// A kicker above a headline (引题).
    Kicker,
    /// The first line of a headline: an article starts here.
    Headline,
    /// A further line of a headline wrapped over lines.
    HeadlineMore,
    /// A deck below the headline (副题).
    Subtitle,
    /// A further line of a deck.
    SubtitleMore,
    /// A credit: byline, dateline, signature.
    Credit,
    /// Running text.
    Body,
    /// A subheading inside an article.
    Subheading,
    /// A photo caption.
    Caption,
}

/// How many labels there are.
pub(crate) const LABEL_COUNT: usize = 12;

impl Label {
    /// Every label, in table order.
    pub(crate) const ALL: [Label; LABEL_COUNT] = [
        Label::Furniture,
        Label::Contents,
        Label::Section,
        Label::Kicker,
        Label::Headline,
        Label::HeadlineMore,
        Label::Subtitle,
        Label::SubtitleMore,
        Label::Credit,
        Label::Body,
        Label::Subheading,
        Label::Caption,
    ];

    /// The label's name in the weight table and in `--explain`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Label::Furniture => "furniture",
            Label::Contents => "contents",
            Label::Section => "section",
            Label::Kicker => "kicker",
            Label::Headline => "headline",
            Label::HeadlineMore => "headline+",
            Label::Subtitle => "subtitle",
            Label::SubtitleMore => "subtitle+",
            Label::Credit => "credit",
            Label::Body => "body",
            Label::Subheading => "subheading",
            Label::Caption => "caption",
        }
    }

    /// The label called `name`.
    pub(crate) fn named(name: &str) -> Option<Label> {
        Label::ALL.into_iter().find(|l| l.name() == name)
    }

    /// Whether the label is part of a headline stack.
    pub(crate) fn in_stack(self) -> bool {
        matches!(
            self,
            Label::Section
                | Label::Kicker
                | Label::Headline
                | Label::HeadlineMore
                | Label::Subtitle
                | Label::SubtitleMore
        )
    }
}

/// The break between a line and the one before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Link {
    /// Two pieces of one source line (a run-in headline and its paragraph).
    SameLine,
    /// Adjacent lines.
    Adjacent,
    /// One blank line between.
    Blank,
    /// Two or more blank lines between.
    Wide,
}

/// How many kinds of break there are.
pub(crate) const LINK_COUNT: usize = 4;

impl Link {
    /// Every kind of break, in table order.
    pub(crate) const ALL: [Link; LINK_COUNT] =
        [Link::SameLine, Link::Adjacent, Link::Blank, Link::Wide];

    /// The break's name in the weight table.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Link::SameLine => "same-line",
            Link::Adjacent => "adjacent",
            Link::Blank => "blank",
            Link::Wide => "wide",
        }
    }

    /// The break above a line with `gap` blank lines above it.
    pub(crate) fn of(same_line: bool, gap: usize) -> Link {
        match (same_line, gap) {
            (true, _) => Link::SameLine,
            (false, 0) => Link::Adjacent,
            (false, 1) => Link::Blank,
            _ => Link::Wide,
        }
    }
}

/// Whether label `b` may follow label `a` (`None`: the page start).
/// (The decoder reads the same grammar from [`ALLOWED`].)
pub(crate) fn allowed(a: Option<Label>, b: Label, link: Link) -> bool {
    use Label::*;
    let Some(a) = a else {
        return !matches!(b, HeadlineMore | Subtitle | SubtitleMore);
    };
    if link == Link::SameLine {
        // A run-in head and its paragraph, a line of furniture, a
        // contents label run in with its entries (`【本期要点】A；B；C`), a
        // name run in with its description (`**NAME**，博士在读`).
        return matches!(
            (a, b),
            (Headline | HeadlineMore | Subheading | Body | Credit, Body)
                | (Furniture, Furniture | Contents)
                | (Contents, Contents)
                | (Credit, Credit)
        );
    }
    match b {
        HeadlineMore => matches!(a, Headline | HeadlineMore),
        SubtitleMore => matches!(a, Subtitle | SubtitleMore),
        Subtitle => matches!(
            a,
            Headline | HeadlineMore | Subtitle | SubtitleMore | Kicker
        ),
        _ => match a {
            // A banner or kicker heads a headline.
            Section => matches!(b, Section | Kicker | Headline | Furniture),
            Kicker => matches!(b, Headline),
            // A headline heads a body: no second headline, no banner.
            Headline | HeadlineMore | Subtitle | SubtitleMore => {
                !matches!(b, Headline | Section | Kicker | Contents)
            }
            _ => true,
        },
    }
}

/// The model's weights.
#[derive(Debug, Clone)]
pub(crate) struct Weights {
    /// Per feature, a weight for each label.
    pub emission: Vec<[f32; LABEL_COUNT]>,
    /// Per kind of break, per previous label, a weight for each label.
    pub transition: [[[f32; LABEL_COUNT]; LABEL_COUNT]; LINK_COUNT],
    /// A weight for each label of the first line.
    pub start: [f32; LABEL_COUNT],
}

impl Weights {
    /// All weights zero.
    pub(crate) fn zero() -> Weights {
        Weights {
            emission: vec![[0.0; LABEL_COUNT]; FEATURE_COUNT],
            transition: [[[0.0; LABEL_COUNT]; LABEL_COUNT]; LINK_COUNT],
            start: [0.0; LABEL_COUNT],
        }
    }

    /// Reads a weight table (the format [`Weights::to_table`] writes). Lines
    /// naming an unknown feature, label or break are skipped, so an old
    /// table still loads; what it does not mention weighs nothing.
    pub(crate) fn from_table(text: &str) -> Weights {
        let mut w = Weights::zero();
        let read_row = |fields: &[&str]| -> [f32; LABEL_COUNT] {
            let mut row = [0.0; LABEL_COUNT];
            for (slot, v) in row.iter_mut().zip(fields) {
                *slot = v.parse().unwrap_or(0.0);
            }
            row
        };
        for line in text.lines() {
            let fields: Vec<&str> = line.split_whitespace().collect();
            match fields.as_slice() {
                ["emit", name, rest @ ..] => {
                    if let Some(f) = Feature::ALL.iter().find(|f| f.name() == *name) {
                        w.emission[*f as usize] = read_row(rest);
                    }
                }
                ["trans", link, prev, rest @ ..] => {
                    let link = Link::ALL.iter().position(|l| l.name() == *link);
                    if let (Some(k), Some(p)) = (link, Label::named(prev)) {
                        w.transition[k][p as usize] = read_row(rest);
                    }
                }
                ["start", rest @ ..] => w.start = read_row(rest),
                _ => {}
            }
        }
        w
    }

    /// Writes the weights as a table: a header naming the labels, one
    /// `emit` row per feature, one `trans` row per break and previous label,
    /// one `start` row.
    pub(crate) fn to_table(&self, header: &str) -> String {
        let mut out = String::new();
        for line in header.lines() {
            out.push_str("# ");
            out.push_str(line);
            out.push('\n');
        }
        out.push_str("# columns:");
        for l in Label::ALL {
            out.push(' ');
            out.push_str(l.name());
        }
        out.push('\n');
        let row = |out: &mut String, values: &[f32; LABEL_COUNT]| {
            for v in values {
                out.push_str(&format!(" {v:.3}"));
            }
            out.push('\n');
        };
        for f in Feature::ALL {
            out.push_str(&format!("emit {}", f.name()));
            row(&mut out, &self.emission[*f as usize]);
        }
        for link in Link::ALL {
            for prev in Label::ALL {
                out.push_str(&format!("trans {} {}", link.name(), prev.name()));
                row(&mut out, &self.transition[link as usize][prev as usize]);
            }
        }
        out.push_str("start");
        row(&mut out, &self.start);
        out
    }

    /// The emission score of each label for one observation.
    pub(crate) fn emit(&self, obs: &Observation) -> [f32; LABEL_COUNT] {
        let mut s = [0.0; LABEL_COUNT];
        for &(f, v) in obs {
            let row = &self.emission[f as usize];
            for (slot, w) in s.iter_mut().zip(row) {
                *slot += w * v;
            }
        }
        s
    }
}

/// The committed weights.
pub(crate) static WEIGHTS: LazyLock<Weights> =
    LazyLock::new(|| Weights::from_table(include_str!("weights.tsv")));

/// What decoding a page gives: a label per line, and per line the score of
/// the best labelling of the whole page that gives the line each label
/// (max-marginals), for `--explain`.
#[derive(Debug, Clone)]
pub(crate) struct Decoded {
    /// The best labelling.
    pub labels: Vec<Label>,
    /// Per line, the best whole-page score with the line given each label.
    pub scores: Vec<[f32; LABEL_COUNT]>,
}

/// The grammar as a table: `ALLOWED[link][prev][label]`, with the page
/// start as `prev == LABEL_COUNT`.
static ALLOWED: LazyLock<[[[bool; LABEL_COUNT]; LABEL_COUNT + 1]; LINK_COUNT]> =
    LazyLock::new(|| {
        let mut t = [[[false; LABEL_COUNT]; LABEL_COUNT + 1]; LINK_COUNT];
        for link in Link::ALL {
            for (p, row) in t[link as usize].iter_mut().enumerate() {
                let prev = Label::ALL.get(p).copied();
                for b in Label::ALL {
                    row[b as usize] = allowed(prev, b, link);
                }
            }
        }
        t
    });

/// Finds the best labelling of a page (Viterbi), and the max-marginal
/// score of every label on every line. A line with a `declared` label
/// gets that label: the others are ruled out for it.
///
/// A rule line (declared furniture) stands outside the chain: the line
/// after it follows the line before it, across a blank (a rule sets apart
/// as one does), so a headline over a rule over its text (`** Title`,
/// `-----`, body) reads as the same stack as without the rule.
pub(crate) fn decode(
    obs: &[Observation],
    links: &[Link],
    declared: &[Option<Label>],
    w: &Weights,
) -> Decoded {
    let chain: Vec<usize> = (0..obs.len())
        .filter(|&i| !outside_chain(declared.get(i).copied().flatten()))
        .collect();
    let pick = |i: usize| declared.get(i).copied().flatten();
    let chain_obs: Vec<&Observation> = chain.iter().map(|&i| &obs[i]).collect();
    let chain_links: Vec<Link> = chain.iter().map(|&i| links[i]).collect();
    let chain_declared: Vec<Option<Label>> = chain.iter().map(|&i| pick(i)).collect();
    let inner = decode_chain(&chain_obs, &chain_links, &chain_declared, w);
    if chain.len() == obs.len() {
        return inner;
    }
    let best = inner.scores.first().map_or(0.0, |s| s[best_of(s)]);
    let mut rule_scores = [f32::NEG_INFINITY; LABEL_COUNT];
    rule_scores[Label::Furniture as usize] = best;
    let mut labels = vec![Label::Furniture; obs.len()];
    let mut scores = vec![rule_scores; obs.len()];
    for (k, &i) in chain.iter().enumerate() {
        labels[i] = inner.labels[k];
        scores[i] = inner.scores[k];
    }
    Decoded { labels, scores }
}

/// Whether a line declared `declared` stands outside the label chain: a
/// rule line (the only furniture a page declares).
pub(crate) fn outside_chain(declared: Option<Label>) -> bool {
    declared == Some(Label::Furniture)
}

/// [`decode`] over the lines of the chain.
fn decode_chain(
    obs: &[&Observation],
    links: &[Link],
    declared: &[Option<Label>],
    w: &Weights,
) -> Decoded {
    let n = obs.len();
    let grammar = &*ALLOWED;
    let emits: Vec<[f32; LABEL_COUNT]> = obs
        .iter()
        .enumerate()
        .map(|(i, o)| {
            let mut e = w.emit(o);
            if let Some(only) = declared.get(i).copied().flatten() {
                for (l, slot) in e.iter_mut().enumerate() {
                    if l != only as usize {
                        *slot = f32::NEG_INFINITY;
                    }
                }
            }
            e
        })
        .collect();
    let mut scores: Vec<[f32; LABEL_COUNT]> = Vec::with_capacity(n);
    let mut back: Vec<[u8; LABEL_COUNT]> = Vec::with_capacity(n);
    for i in 0..n {
        let emit = &emits[i];
        let mut here = [f32::NEG_INFINITY; LABEL_COUNT];
        let mut from = [0u8; LABEL_COUNT];
        if i == 0 {
            let start = &grammar[Link::Wide as usize][LABEL_COUNT];
            for b in 0..LABEL_COUNT {
                if start[b] {
                    here[b] = w.start[b] + emit[b];
                }
            }
        } else {
            let link = links[i] as usize;
            let table = &w.transition[link];
            let prev = &scores[i - 1];
            for (a, &pa) in prev.iter().enumerate() {
                if pa == f32::NEG_INFINITY {
                    continue;
                }
                let ok = &grammar[link][a];
                for b in 0..LABEL_COUNT {
                    if ok[b] {
                        let s = pa + table[a][b] + emit[b];
                        if s > here[b] {
                            here[b] = s;
                            from[b] = a as u8;
                        }
                    }
                }
            }
        }
        scores.push(here);
        back.push(from);
    }
    let mut labels = vec![Label::Body; n];
    if n == 0 {
        return Decoded { labels, scores };
    }
    let mut best = best_of(&scores[n - 1]);
    for i in (0..n).rev() {
        labels[i] = Label::ALL[best];
        if i > 0 {
            best = back[i][best] as usize;
        }
    }
    // Max-marginals: add the best continuation after each line, so that
    // `scores[i][l]` is the best whole-page score with line `i` labelled `l`.
    let mut after = [0f32; LABEL_COUNT];
    for i in (0..n).rev() {
        let here = after;
        for (s, a) in scores[i].iter_mut().zip(here) {
            *s += a;
        }
        if i == 0 {
            break;
        }
        let link = links[i] as usize;
        let table = &w.transition[link];
        let emit = &emits[i];
        let mut prev_after = [f32::NEG_INFINITY; LABEL_COUNT];
        for (a, slot) in prev_after.iter_mut().enumerate() {
            let ok = &grammar[link][a];
            for b in 0..LABEL_COUNT {
                if ok[b] {
                    let v = table[a][b] + emit[b] + here[b];
                    if v > *slot {
                        *slot = v;
                    }
                }
            }
        }
        after = prev_after;
    }
    Decoded { labels, scores }
}

/// The index of the highest score.
fn best_of(s: &[f32; LABEL_COUNT]) -> usize {
    let mut best = 0;
    for (i, &v) in s.iter().enumerate() {
        if v > s[best] {
            best = i;
        }
    }
    best
}

/// The features that most favoured `chosen` over `other` on one line, with
/// the difference of their weights, strongest first.
pub(crate) fn reasons(
    obs: &Observation,
    chosen: Label,
    other: Label,
    w: &Weights,
) -> Vec<(Feature, f32)> {
    let mut out: Vec<(Feature, f32)> = obs
        .iter()
        .map(|&(f, v)| {
            let row = &w.emission[f as usize];
            (f, v * (row[chosen as usize] - row[other as usize]))
        })
        .filter(|&(_, d)| d.abs() > 0.05)
        .collect();
    out.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_committed_table_names_every_feature() {
        let text = include_str!("weights.tsv");
        for f in Feature::ALL {
            let row = format!("emit {} ", f.name());
            assert!(
                text.contains(&row),
                "weights.tsv has no row for {}",
                f.name()
            );
        }
    }

    #[test]
    fn tables_round_trip() {
        let mut w = Weights::zero();
        w.emission[Feature::Bold as usize][Label::Headline as usize] = 1.5;
        w.transition[Link::Blank as usize][Label::Body as usize][Label::Headline as usize] = -0.25;
        w.start[Label::Furniture as usize] = 0.5;
        let back = Weights::from_table(&w.to_table("test"));
        assert_eq!(
            back.emission[Feature::Bold as usize][Label::Headline as usize],
            1.5
        );
        assert_eq!(
            back.transition[Link::Blank as usize][Label::Body as usize][Label::Headline as usize],
            -0.25
        );
        assert_eq!(back.start[Label::Furniture as usize], 0.5);
    }

    #[test]
    fn decoding_follows_the_grammar() {
        // With no evidence at all, a lone `headline+` is never chosen.
        let w = Weights::zero();
        let obs = vec![vec![(Feature::Bias, 1.0)]; 3];
        let links = vec![Link::Wide, Link::Adjacent, Link::Adjacent];
        let d = decode(&obs, &links, &[], &w);
        assert!(!d.labels.contains(&Label::HeadlineMore) || d.labels[0] == Label::Headline);
        let mut w = Weights::zero();
        w.emission[Feature::Bias as usize][Label::HeadlineMore as usize] = 5.0;
        let d = decode(&obs, &links, &[], &w);
        assert_eq!(d.labels[0], Label::Headline);
        assert_eq!(&d.labels[1..], [Label::HeadlineMore, Label::HeadlineMore]);
    }
}
