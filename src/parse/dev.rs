//! What the dev tools need to fit and cross-validate the segmentation
//! model (`examples/fit.rs`, `examples/score.rs`): a page's lines and
//! observations, decoding with given weights, parsing with given weights.
//!
//! Hidden from the docs and not used by the daemon: nothing here is a
//! stable interface, and nothing is learned at run time.

#![doc(hidden)]

use super::{decode_checked, format_of, markdown, parse_inner, text, Format, Limits, ParseError};
use crate::model::Bulletin;

/// The labels, in table order (`furniture`, `contents`, …, `caption`).
pub fn labels() -> Vec<&'static str> {
    text::Label::ALL.iter().map(|l| l.name()).collect()
}

/// The features, in table order, with what each means.
pub fn features() -> Vec<(&'static str, &'static str)> {
    text::Feature::ALL
        .iter()
        .map(|f| (f.name(), f.doc()))
        .collect()
}

/// How many kinds of break between lines the transition table has.
pub const LINKS: usize = text::LINK_COUNT;

/// One line as the model sees it.
#[derive(Debug, Clone)]
pub struct PageLine {
    /// 1-based line in the page body (after any front matter).
    pub no: usize,
    /// The words: markup, inline and trailing credits removed.
    pub text: String,
    /// The cleaned source line.
    pub source: String,
    /// The text as a headline reads (numbering and bullet removed).
    pub title: String,
    /// A detector saw a credit, a caption, furniture.
    pub credit: bool,
    /// See `credit`.
    pub caption: bool,
    /// See `credit`.
    pub furniture: bool,
    /// A jump line (or marker) from another page.
    pub jump_in: bool,
    /// A jump line (or marker) to another page.
    pub jump_out: bool,
}

/// A page read up to the model's input.
#[derive(Debug, Clone)]
pub struct Page {
    /// Its lines.
    pub lines: Vec<PageLine>,
    /// Per line, its features as (feature index, value).
    pub features: Vec<Vec<(usize, f32)>>,
    /// Per line, the kind of break above it (index into the transition table).
    pub links: Vec<usize>,
    /// Per line, the label index the page declares for it (a Markdown
    /// story heading), which decoding keeps.
    pub declared: Vec<Option<usize>>,
}

impl Page {
    /// Whether line `i` stands outside the decoder's label chain (a rule
    /// line): decoding gives it its declared label and links the lines on
    /// either side of it directly.
    pub fn outside_chain(&self, i: usize) -> bool {
        text::outside_chain(self.declared[i].map(|l| text::Label::ALL[l]))
    }
}

/// Reads a `.txt` page or the body of a `.md` file up to the model's input.
pub fn observe(file_name: &str, bytes: &[u8]) -> Result<Page, ParseError> {
    let format = format_of(file_name).ok_or_else(|| ParseError::Unsupported(file_name.into()))?;
    let limits = Limits {
        max_bytes: u64::MAX,
    };
    let (decoded, _) = decode_checked(bytes, &limits)?;
    let (body, markdown) = match format {
        Format::Text => (&decoded[..], false),
        Format::Markdown => (markdown::body_of(&decoded)?, true),
        Format::Json => return Err(ParseError::Unsupported(file_name.into())),
    };
    let observed = text::observe(body, markdown);
    let titles = observed.titles();
    let lines = observed
        .line_texts()
        .into_iter()
        .zip(titles)
        .enumerate()
        .map(|(i, ((no, text, source), title))| {
            let (credit, caption, furniture) = observed.detected(i);
            let (jump_in, jump_out) = observed.jumps(i);
            PageLine {
                jump_in,
                jump_out,
                no,
                text,
                source,
                title,
                credit,
                caption,
                furniture,
            }
        })
        .collect();
    Ok(Page {
        lines,
        features: observed
            .observations
            .iter()
            .map(|o| o.iter().map(|&(f, v)| (f as usize, v)).collect())
            .collect(),
        links: observed.links.iter().map(|&l| l as usize).collect(),
        declared: observed
            .declared
            .iter()
            .map(|d| d.map(|l| l as usize))
            .collect(),
    })
}

/// A set of model weights.
#[derive(Debug, Clone)]
pub struct Model(text::Weights);

impl Model {
    /// All weights zero.
    pub fn zero() -> Model {
        Model(text::Weights::zero())
    }

    /// The committed weights.
    pub fn committed() -> Model {
        Model(text::WEIGHTS.clone())
    }

    /// Reads a weight table.
    pub fn from_table(table: &str) -> Model {
        Model(text::Weights::from_table(table))
    }

    /// Writes the weight table, `header` as comment lines on top.
    pub fn to_table(&self, header: &str) -> String {
        self.0.to_table(header)
    }

    /// The weight of feature `f` for label `l`.
    pub fn emission(&mut self, f: usize, l: usize) -> &mut f32 {
        &mut self.0.emission[f][l]
    }

    /// The weight of going from label `prev` to label `l` across break `link`.
    pub fn transition(&mut self, link: usize, prev: usize, l: usize) -> &mut f32 {
        &mut self.0.transition[link][prev][l]
    }

    /// The weight of label `l` on the first line.
    pub fn start(&mut self, l: usize) -> &mut f32 {
        &mut self.0.start[l]
    }

    /// Whether label `l` may follow `prev` (`None`: the page start) across `link`.
    pub fn allowed(prev: Option<usize>, l: usize, link: usize) -> bool {
        let label = |i: usize| text::Label::ALL[i];
        text::segment_allowed(prev.map(label), label(l), text::Link::ALL[link])
    }

    /// The best labelling of a page (label indices).
    pub fn decode(&self, page: &Page) -> Vec<usize> {
        let obs: Vec<text::Observation> = page
            .features
            .iter()
            .map(|o| o.iter().map(|&(f, v)| (text::Feature::ALL[f], v)).collect())
            .collect();
        let links: Vec<text::Link> = page.links.iter().map(|&l| text::Link::ALL[l]).collect();
        let declared: Vec<Option<text::Label>> = page
            .declared
            .iter()
            .map(|d| d.map(|l| text::Label::ALL[l]))
            .collect();
        text::decode(&obs, &links, &declared, &self.0)
            .labels
            .into_iter()
            .map(|l| l as usize)
            .collect()
    }

    /// Explains a bulletin file read with these weights.
    pub fn explain(
        &self,
        file_name: &str,
        bytes: &[u8],
    ) -> Result<Vec<super::Explained>, ParseError> {
        let mut out = Vec::new();
        match parse_inner(
            file_name,
            bytes,
            &Limits::default(),
            &self.0,
            Some(&mut out),
        ) {
            Ok(_) | Err(ParseError::NoArticles) => Ok(out),
            Err(e) => Err(e),
        }
    }

    /// Parses a bulletin file with these weights.
    pub fn parse(
        &self,
        file_name: &str,
        bytes: &[u8],
        limits: &Limits,
    ) -> Result<Bulletin, ParseError> {
        parse_inner(file_name, bytes, limits, &self.0, None)
    }
}
