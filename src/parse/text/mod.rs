//! Newspaper pages in plain text: segmented by a model, not by a cascade of
//! rules.
//!
//! 1. `lines` reads the page into lines and runs the exact detectors on
//!    each (credits, captions, furniture, dates, jump and end marks, mail
//!    headers), after `markup` has taken off Markdown, HTML, wire and wiki
//!    markup and `runin` has split run-in headlines from their paragraphs
//!    (some shapes only offered, for the model to take or not). `measure`
//!    holds the string measures they use.
//! 2. `neighbours` adds detectors that need the lines around: header
//!    blocks, running heads, sign-offs and signatures, pull quotes.
//! 3. `contents` finds contents lists by their agreement with headlines
//!    further down; `cohesion` measures the vocabulary shared across each
//!    possible boundary; `joins` measures how the page sets paragraphs.
//! 4. `features` turns all of that into evidence per line, and `segment`
//!    labels every line at once (Viterbi over a linear-chain model whose
//!    weights, `weights.tsv`, are fitted offline by `examples/fit.rs`).
//! 5. `assemble` builds the articles from the labels; `explain` says, per
//!    line, which evidence decided its label.

mod assemble;
mod cohesion;
mod contents;
mod explain;
mod features;
mod joins;
mod lines;
mod markup;
mod measure;
mod neighbours;
mod runin;
mod segment;

use chrono::NaiveDate;

pub(crate) use features::{Feature, Observation};
pub(crate) use segment::{
    allowed as segment_allowed, decode, outside_chain, Label, Link, Weights, LINK_COUNT, WEIGHTS,
};

use super::Explained;
use crate::model::{Bulletin, Dated};

/// The result of reading a page: the bulletin and the page's printed date,
/// which the caller weighs against a date in the file name.
pub(crate) struct Page {
    /// The articles and section found.
    pub bulletin: Bulletin,
    /// The date printed on the page, if any.
    pub page_date: Option<Dated>,
    /// The source line that date is printed on.
    pub page_date_line: Option<usize>,
    /// The page had no headline: its one article is titled by its first
    /// sentence.
    pub untitled: bool,
}

/// A page read up to the model's input: its lines, their observations and
/// the breaks between them.
pub(crate) struct Observed<'a> {
    lines: Vec<lines::Line<'a>>,
    /// The page's own section label (running head, `第A03版：社会新闻`).
    label: Option<String>,
    flow: joins::Flow,
    /// One observation per line.
    pub observations: Vec<Observation>,
    /// The break above each line.
    pub links: Vec<Link>,
    /// Per line, the label the page declares for it, if any.
    pub declared: Vec<Option<Label>>,
}

impl Observed<'_> {
    /// The lines as the model sees them: source line number, text (markup
    /// and credits removed) and the cleaned source.
    pub(crate) fn line_texts(&self) -> Vec<(usize, String, String)> {
        self.lines
            .iter()
            .map(|l| (l.no, l.text.to_string(), l.source.to_string()))
            .collect()
    }

    /// How each line reads as a headline (numbering and bullet removed).
    pub(crate) fn titles(&self) -> Vec<String> {
        self.lines
            .iter()
            .map(|l| l.unnumbered().to_owned())
            .collect()
    }

    /// Whether line `i` carries or is a jump line to or from another page.
    pub(crate) fn jumps(&self, i: usize) -> (bool, bool) {
        use super::furniture::Furniture::{JumpIn, JumpOut};
        let l = &self.lines[i];
        (
            l.jump == Some(JumpIn) || l.furniture == Some(JumpIn),
            l.jump == Some(JumpOut) || l.furniture == Some(JumpOut),
        )
    }

    /// Whether a detector recognised line `i` as a credit, caption or
    /// furniture (what a golden cannot say about a line, the detectors do).
    pub(crate) fn detected(&self, i: usize) -> (bool, bool, bool) {
        let l = &self.lines[i];
        (
            l.is_credit() || l.context.signature_name || l.context.job_title,
            l.caption.is_some(),
            l.furniture.is_some() || l.context.mail_block || l.tags_only,
        )
    }
}

/// Reads a page up to the model's input (`markdown`: the page is a
/// Markdown file).
pub(crate) fn observe(input: &str, markdown: bool) -> Observed<'_> {
    let mut lines = lines::read(input, markdown);
    let label = neighbours::read_context(input, &mut lines);
    let contents = contents::read(&lines);
    let flow = joins::flow(&lines, markdown);
    let observations = features::observe(&lines, &contents, flow);
    let declared = features::declared(&lines, markdown);
    let links = lines
        .iter()
        .map(|l| Link::of(l.piece == lines::Piece::RunInRest, l.gap))
        .collect();
    Observed {
        lines,
        label,
        flow,
        observations,
        links,
        declared,
    }
}

/// Reads a newspaper page with the given weights. With `explain`, also
/// records what every line was taken for and why.
pub(crate) fn parse_with(
    input: &str,
    explain: Option<&mut Vec<Explained>>,
    weights: &Weights,
) -> Page {
    read_page(input, explain, weights, false)
}

/// Reads the body of a Markdown file like a page; paragraphs keep their
/// Markdown source (the caller renders them).
pub(crate) fn parse_markdown(
    input: &str,
    explain: Option<&mut Vec<Explained>>,
    weights: &Weights,
) -> Page {
    read_page(input, explain, weights, true)
}

fn read_page(
    input: &str,
    explain: Option<&mut Vec<Explained>>,
    weights: &Weights,
    markdown: bool,
) -> Page {
    let observed = observe(input, markdown);
    let decoded = decode(
        &observed.observations,
        &observed.links,
        &observed.declared,
        weights,
    );
    let (mut bulletin, untitled) =
        assemble::assemble(&observed.lines, &decoded.labels, observed.flow);
    bulletin.articles.retain(|a| !a.title.is_empty());
    // The bulletin's own section is a banner over every article, or the
    // page's running head.
    let first = bulletin.articles.first().and_then(|a| a.section.clone());
    bulletin.section = first.filter(|s| {
        bulletin
            .articles
            .iter()
            .all(|a| a.section.as_deref() == Some(s.as_str()))
    });
    if bulletin.section.is_none() && !bulletin.articles.is_empty() {
        bulletin.section = observed.label.clone();
    }
    // The page's date: the first date line the model took for furniture
    // (not a message's `Date:` header, not a date in a story).
    let dated: Option<(usize, NaiveDate)> = observed
        .lines
        .iter()
        .zip(&decoded.labels)
        .find_map(|(l, lab)| match (l.page_date, lab) {
            (Some(d), Label::Furniture | Label::Section | Label::Contents | Label::Credit)
                if !l.context.mail_block =>
            {
                Some((l.no, d))
            }
            _ => None,
        })
        .or_else(|| {
            observed
                .lines
                .iter()
                .find_map(|l| l.page_date.map(|d| (l.no, d)))
        });
    if let Some(out) = explain {
        explain::lines(&observed, &decoded, weights, out);
    }
    Page {
        bulletin,
        page_date: dated.map(|(_, d)| Dated::Day(d)),
        page_date_line: dated.map(|(no, _)| no),
        untitled,
    }
}

#[cfg(test)]
mod stage_timing {
    /// Times each stage on a large page: `cargo test --release stage_times
    /// -- --ignored --nocapture`.
    #[test]
    #[ignore = "measurement aid"]
    fn stage_times() {
        let sample = match std::env::var("STAGE_PAGE") {
            Ok(p) => std::fs::read_to_string(p).unwrap_or_default(),
            Err(_) => include_str!("../../../tests/corpus/jianghai-page.txt").to_owned(),
        };
        let mut page = String::new();
        let mut n = 0;
        while page.len() < 4_000_000 {
            page.push_str(&sample.replace("江海区", &format!("江海{n}区")));
            page.push_str("\n\n");
            n += 1;
        }
        let mut best = [std::time::Duration::MAX; 6];
        for _ in 0..6 {
            let t = std::time::Instant::now();
            let mut lines = super::lines::read(&page, false);
            let t1 = t.elapsed();
            super::neighbours::read_context(&page, &mut lines);
            let t2 = t.elapsed();
            let contents = super::contents::read(&lines);
            let t3 = t.elapsed();
            let flow = super::joins::flow(&lines, false);
            let obs = super::features::observe(&lines, &contents, flow);
            let t4 = t.elapsed();
            let links: Vec<super::Link> = lines
                .iter()
                .map(|l| super::Link::of(false, l.gap))
                .collect();
            let d = super::decode(&obs, &links, &[], &super::WEIGHTS);
            let t5 = t.elapsed();
            let _ = super::assemble::assemble(&lines, &d.labels, flow);
            let t6 = t.elapsed();
            for (slot, v) in best
                .iter_mut()
                .zip([t1, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t6 - t5])
            {
                *slot = (*slot).min(v);
            }
        }
        let total: std::time::Duration = best.iter().sum();
        println!(
            "{} bytes: read {:?}, context {:?}, contents {:?}, features {:?}, decode {:?}, assemble {:?}; {:.1} MB/s",
            page.len(), best[0], best[1], best[2], best[3], best[4], best[5],
            page.len() as f64 / total.as_secs_f64() / 1e6
        );
    }
}
