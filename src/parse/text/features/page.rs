//! What the features of a line are measured against: the page's norms
//! (typical gap and prose width, credits, heading levels, numbering), its
//! block structure, which lines are heading-shaped, the styles headings
//! use, lexical cohesion at each possible boundary, and where the running
//! text begins and ends.

use std::collections::HashMap;

use super::super::super::furniture::Furniture;
use super::super::cohesion;
use super::super::contents::{self, Contents};
use super::super::joins::Flow;
use super::super::lines::{blocks_between_gaps, Line, Piece};
use super::super::markup::Markup;
use super::super::measure::{asks_or_exclaims, has_bare_clause_punct, Case, Ending, HEAD_MAX_COLS};
use super::super::segment::Label;
use super::marks::{gives_contact, item_marks};

/// Everything measured about a page before its lines are observed.
pub(super) struct Facts {
    pub norms: Norms,
    /// Per line: heading-shaped.
    pub shaped: Vec<bool>,
    /// Per line: cohesion across the boundary above it.
    pub cohesion: Vec<Option<f32>>,
    /// Per line: the TextTiling depth of the boundary above it — how far
    /// its cohesion falls below the neighbouring boundaries' on both sides
    /// — and whether it rises above both.
    pub depth: Vec<Option<(f32, bool)>>,
    /// The median cohesion of the page's boundaries.
    pub page_cohesion: Option<f32>,
    /// Per numbered line: next in its scheme.
    pub sequence: Vec<Option<bool>>,
    /// Per line: a lone item number (`01`, `No. 2`) in a rising run of
    /// them, as digests number the items they collect.
    pub item_marks: Vec<bool>,
    pub styles: Styles,
    pub blocks: Vec<BlockPlace>,
    /// Per line: after a signature with no heading between.
    pub after_signature: Vec<bool>,
    /// The first line that reads as a heading.
    pub first_heading: usize,
    /// Per heading-shaped line: the text below it, up to the next heading,
    /// closes with a credit or an end mark (`（本报记者 甲 乙）`, `（完）`).
    pub credit_ahead: Vec<bool>,
    /// Per heading-shaped line: how many of its words recur in the story
    /// under it, and how many it has.
    pub stories: Vec<Option<(usize, usize)>>,
    /// Per line: a heading opening a block, right on its paragraph, on a
    /// page that sets several items so.
    pub block_heads: Vec<bool>,
    /// The first and last lines of running text on the page.
    pub first_prose: usize,
    pub last_prose: Option<usize>,
}

/// Norms of the page every line is measured against.
pub(super) struct Norms {
    /// Blank lines the page usually puts between paragraphs.
    pub paragraph_gap: usize,
    /// Width of a full prose line.
    pub prose_width: usize,
    /// The page credits its articles somewhere.
    pub credited: bool,
    /// The Markdown or HTML heading level the page's stories use.
    pub article_level: Option<u8>,
    /// Scheme of the first numbered heading-shaped line.
    pub article_scheme: Option<u8>,
    /// Share (per cent) of lines that are indented.
    pub indented_share: usize,
    pub flow: Flow,
}

/// Whether a line is heading-shaped: short, no sentence end (a headline may
/// ask or exclaim), not starting lower-case, not a detector's.
pub(in super::super) fn heading_shaped(l: &Line) -> bool {
    let open = match l.ending {
        Ending::Open => true,
        Ending::Terminal => {
            (asks_or_exclaims(&l.text) && l.width <= HEAD_MAX_COLS / 2 && !l.text.contains('：'))
                // `CONGRESS QUITS;` over `RECORD MIXED`.
                || (l.case == Case::Upper && l.text.ends_with(';'))
        }
        Ending::Continues => false,
    };
    open && l.width <= HEAD_MAX_COLS
        && !l.text.starts_with(|c: char| c.is_lowercase())
        && !inner_sentence_end(&l.text)
        && l.jump.is_none()
        && l.credit.is_none()
        && !l.context.job_title
        && !l.context.signature_name
        && l.caption.is_none()
        && !l.tags_only
        && l.piece != Piece::RunInRest
}

/// Whether a sentence ends inside `s` (`。` or `. ` before a capital, not
/// at its end): headlines are one phrase.
pub(super) fn inner_sentence_end(s: &str) -> bool {
    let t = s.trim_end_matches(['。', '.', '”', '"', '」']);
    if t.contains('。') {
        return true;
    }
    let b = t.as_bytes();
    b.windows(3).enumerate().any(|(i, w)| {
        w[0] == b'.'
            && w[1] == b' '
            && w[2].is_ascii_uppercase()
            // `St. Paul`, `Mr. Smith`, `U. S.`: abbreviations.
            && i >= 3
            && b[i - 3..i].iter().all(u8::is_ascii_lowercase)
    })
}

/// Whether a short text is only a date or a time (`9月16日`, `Monday 11th
/// March`, `10:30`).
pub(super) fn date_like(s: &str) -> bool {
    s.chars().count() <= 20
        && s.chars().any(|c| c.is_ascii_digit())
        && (s.contains('月')
            || s.contains('日')
            || s.contains(':')
            || s.split(' ').any(|w| {
                let w = w.to_ascii_lowercase();
                [
                    "mon", "tue", "wed", "thu", "fri", "sat", "sun", "jan", "feb", "mar", "apr",
                    "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
                ]
                .iter()
                .any(|p| w.starts_with(p))
            }))
}

/// A speaker label opening a line: `问：`, `答：`, `Q:`, `A:`.
pub(super) fn label_prefix(s: &str) -> bool {
    ["问：", "答：", "問：", "答:", "Q:", "A:", "Q.", "A."]
        .iter()
        .any(|p| s.starts_with(p))
}

/// Fewest headings set right on their paragraphs for a page to count as
/// setting its items so.
const BLOCK_HEADS_MIN: usize = 3;

/// The heading style of a line: its markup, numbering scheme, case,
/// indentation, whether a blank line sets it apart, and whether it holds
/// clause punctuation (a heading style seldom mixes lines with and without).
pub(super) fn style(l: &Line) -> u32 {
    let markup = match l.markup {
        Markup::Plain => 0,
        Markup::MdHeading(n) => 10 + u32::from(n),
        Markup::HtmlHeading(n) => 20 + u32::from(n),
        Markup::Bold => 2,
        Markup::WireHead => 3,
        Markup::WikiHeading => 4,
        Markup::MediaTag => 5,
        Markup::Bracketed => 6,
        Markup::Quoted => 7,
    };
    let run_in = match &l.piece {
        Piece::RunInHead { kind, .. } => 1 + *kind as u32,
        _ => 0,
    };
    let scheme = l.numbering.map_or(0, |n| u32::from(n.scheme));
    let case = l.case as u32;
    markup
        | run_in << 6
        | scheme << 9
        | case << 13
        | u32::from(l.indent) << 16
        | u32::from(l.gap > 0) << 17
        | u32::from(l.bullet > 0) << 18
        | u32::from(l.cjk >= 50) << 19
        | u32::from(has_bare_clause_punct(&l.text)) << 20
}

/// The next line after `i` that is not furniture, a caption or a page date.
pub(super) fn next_significant<'l, 'a>(lines: &'l [Line<'a>], i: usize) -> Option<&'l Line<'a>> {
    lines[i + 1..]
        .iter()
        .find(|n| n.furniture.is_none() && n.caption.is_none() && n.page_date.is_none())
}

fn median(mut v: Vec<usize>) -> Option<usize> {
    if v.is_empty() {
        return None;
    }
    v.sort_unstable();
    Some(v[v.len() / 2])
}

fn measure_norms(lines: &[Line], flow: Flow) -> Norms {
    let prose: Vec<&Line> = lines
        .iter()
        .filter(|l| l.ending == Ending::Terminal && l.width > 40 && l.furniture.is_none())
        .collect();
    let paragraph_gap = median(prose.iter().map(|l| l.gap.min(3)).collect()).unwrap_or(1);
    let prose_width = {
        let mut w: Vec<usize> = prose.iter().map(|l| l.width).collect();
        w.sort_unstable();
        w.get(w.len() * 8 / 10).copied().unwrap_or(HEAD_MAX_COLS)
    };
    let credited = lines.iter().any(|l| l.is_credit() || l.inline.is_some());
    let article_level = article_level(lines);
    let article_scheme = lines
        .iter()
        .find(|l| l.numbering.is_some_and(|n| n.scheme != 9) && heading_shaped(l))
        .and_then(|l| l.numbering.map(|n| n.scheme));
    let indented_share = lines.iter().filter(|l| l.indent).count() * 100 / lines.len().max(1);
    Norms {
        indented_share,
        paragraph_gap,
        prose_width: prose_width.max(20),
        credited,
        article_level,
        article_scheme,
        flow,
    }
}

/// The Markdown or HTML heading level of a line.
pub(super) fn level(l: &Line) -> Option<u8> {
    match l.markup {
        Markup::MdHeading(n) | Markup::HtmlHeading(n) => Some(n),
        _ => None,
    }
}

/// Whether the line after heading `i` is running text or a credit, not a
/// further heading.
fn heads_text(lines: &[Line], i: usize) -> bool {
    lines.get(i + 1).is_some_and(|x| {
        level(x).is_none() && (x.creditish() || is_text(x) || x.piece != Piece::Whole)
    })
}

/// Whether a line under a heading reads as its text: wide, or a sentence
/// (`Its only paragraph.`).
fn is_text(x: &Line) -> bool {
    x.width > 30 || (x.ending == Ending::Terminal && x.markup == Markup::Plain && x.width > 8)
}

/// The lines whose label the page itself declares: in a Markdown file, a
/// heading at the level its stories use, directly above running text or a
/// credit, starts an article. The writer marked it up as one; no evidence
/// about the words around it (how alike two stories read, whether the
/// head's words recur) can overrule that. A heading above a paragraph that
/// opens with its own run-in head is left to the model: it may be a
/// section over run-in stories. Under such a heading, plain prose after
/// the story's first paragraph is its body, up to anything marked up. And
/// on any page a rule line (`━━━━`, `=====`) is furniture: it has no words
/// to be a headline or text (and the decoder leaves it out of the chain).
pub(in super::super) fn declared(lines: &[Line], markdown: bool) -> Vec<Option<Label>> {
    let article = markdown.then(|| article_level(lines)).flatten();
    let mut out: Vec<Option<Label>> = Vec::with_capacity(lines.len());
    // Plain prose lines since the last story heading, when nothing else
    // came between (`None`: not under one).
    let mut prose_run: Option<usize> = None;
    for (i, l) in lines.iter().enumerate() {
        let at_level = article.is_some() && level(l) == article;
        let plain_text_below = lines.get(i + 1).is_some_and(|x| {
            level(x).is_none() && x.piece == Piece::Whole && (x.creditish() || is_text(x))
        });
        let label = if l.furniture == Some(Furniture::Separator) {
            Some(Label::Furniture)
        } else if at_level && plain_text_below {
            Some(Label::Headline)
        } else {
            // Under a story heading of a Markdown file, after its first
            // paragraph, plain prose is the story's: the writer marks
            // anything else up (rules, links, italics, headings).
            prose_run
                .filter(|&n| n > 0 && is_plain_prose(l))
                .map(|_| Label::Body)
        };
        prose_run = match label {
            Some(Label::Headline) => Some(0),
            _ if l.is_credit() => prose_run,
            _ if is_plain_prose(l) => prose_run.map(|n| n + 1),
            _ => None,
        };
        out.push(label);
    }
    out
}

/// Whether a Markdown line is plain running text: no markup, no detector's
/// furniture, credit or caption, and no address to write to.
fn is_plain_prose(l: &Line) -> bool {
    l.markup == Markup::Plain
        && l.piece == Piece::Whole
        && l.furniture.is_none()
        && !l.is_credit()
        && l.caption.is_none()
        && l.width > 20
        && !gives_contact(&l.text)
}

/// The heading level the page's stories use: the level with most headings
/// followed by running text or a credit (the shallower on a tie), leaving
/// out a shallowest level used once, first, as the page's title when
/// several stories stand below it.
fn article_level(lines: &[Line]) -> Option<u8> {
    let mut counts: std::collections::BTreeMap<u8, (usize, usize)> =
        std::collections::BTreeMap::new();
    let mut first: Option<u8> = None;
    for (i, l) in lines.iter().enumerate() {
        let Some(n) = level(l) else { continue };
        first.get_or_insert(n);
        let entry = counts.entry(n).or_insert((0, 0));
        entry.0 += 1;
        if heads_text(lines, i) {
            entry.1 += 1;
        }
    }
    let shallowest = *counts.keys().next()?;
    // A title over one story and its subheadings is that story's headline;
    // over several stories (deeper headings, run-in heads) it is the page's.
    let run_in_heads = lines
        .iter()
        .filter(|l| matches!(l.piece, Piece::RunInHead { kind, .. } if !kind.speculative()))
        .count();
    let stories_below = run_in_heads >= 2
        || counts
            .iter()
            .filter(|(n, _)| **n != shallowest)
            .any(|(_, c)| c.0 >= 2);
    let title_only = stories_below && counts[&shallowest].0 == 1 && first == Some(shallowest);
    counts
        .iter()
        .filter(|(n, _)| !(title_only && **n == shallowest))
        .max_by(|a, b| a.1 .1.cmp(&b.1 .1).then(b.0.cmp(a.0)))
        .map(|(n, _)| *n)
}

/// Whether each numbered line is next in its scheme (1 after nothing, n+1
/// after n).
fn numbering_sequence(lines: &[Line]) -> Vec<Option<bool>> {
    let mut last: HashMap<u8, u32> = HashMap::new();
    lines
        .iter()
        .map(|l| {
            let n = l.numbering?;
            let prev = last.insert(n.scheme, n.value);
            Some(match prev {
                None => n.value <= 1,
                Some(p) => n.value == p + 1,
            })
        })
        .collect()
}

/// Page-wide facts about heading styles: how often each occurs among
/// heading-shaped lines, and which styles credited or contents-agreeing
/// headings have.
pub(super) struct Styles {
    pub style: Vec<u32>,
    pub count: HashMap<u32, usize>,
    pub credited: HashMap<u32, bool>,
    pub agreeing: HashMap<u32, bool>,
}

fn styles(lines: &[Line], shaped: &[bool], contents: &Contents) -> Styles {
    // The page top sets its first line apart as a blank line would.
    let style: Vec<u32> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| style(l) | u32::from(i == 0) << 17)
        .collect();
    let mut count = HashMap::new();
    let mut credited = HashMap::new();
    let mut agreeing = HashMap::new();
    for i in 0..lines.len() {
        if !shaped[i] || contents.in_list[i] {
            continue;
        }
        *count.entry(style[i]).or_insert(0) += 1;
        if next_significant(lines, i).is_some_and(|n| n.is_credit() || n.inline.is_some()) {
            credited.insert(style[i], true);
        }
        if contents.agreement[i] >= contents::AGREES {
            agreeing.insert(style[i], true);
        }
    }
    Styles {
        style,
        count,
        credited,
        agreeing,
    }
}

impl Facts {
    /// Measures the page.
    pub(super) fn of(lines: &[Line], contents: &Contents, flow: Flow) -> Facts {
        let norms = measure_norms(lines, flow);
        let full = |l: &Line| flow.wrap.is_some_and(|w| l.width * 100 >= w * 85);
        // A line filling the wrap width is a wrapped paragraph line, unless
        // it stands alone between blank lines: in a narrow column a
        // headline is as wide as the text.
        let alone =
            |i: usize| (i == 0 || lines[i].gap > 0) && lines.get(i + 1).is_none_or(|n| n.gap > 0);
        let mut shaped: Vec<bool> = lines
            .iter()
            .enumerate()
            .map(|(i, l)| heading_shaped(l) && (!full(l) || l.markup.is_heading() || alone(i)))
            .collect();
        // A headline wrapped in sentence case goes on lower-case
        // (`School board approves new` / `bus routes for fall term`).
        for i in 1..lines.len() {
            let l = &lines[i];
            if shaped[i - 1] && !shaped[i] && l.gap == 0 && !full(&lines[i - 1]) && !full(l) {
                let lowered = l.text.starts_with(|c: char| c.is_lowercase());
                let rest_ok = l.ending == Ending::Open && l.width <= HEAD_MAX_COLS / 2;
                if lowered && rest_ok && lines[i - 1].ending == Ending::Open {
                    shaped[i] = true;
                }
            }
        }
        // Cohesion is asked only where a heading may start a story: the
        // first line of a run of heading-shaped lines, or a marked heading.
        let wanted: Vec<bool> = (0..lines.len())
            .map(|i| {
                let l = &lines[i];
                let opens = shaped[i] && (i == 0 || l.gap > 0 || !shaped[i - 1]);
                opens || l.markup.is_heading()
            })
            .collect();
        let mut words = cohesion::Tokens::new(lines);
        let cohesion = cohesion::across(&mut words, &wanted);
        // What each heading shares with the story under it.
        let stories: Vec<Option<(usize, usize)>> = (0..lines.len())
            .map(|i| {
                shaped[i]
                    .then(|| cohesion::heads_story(&mut words, i, &shaped, flow))
                    .flatten()
            })
            .collect();
        let page_cohesion = {
            let mut v: Vec<f32> = cohesion.iter().flatten().copied().collect();
            v.sort_by(f32::total_cmp);
            v.get(v.len() / 2).copied()
        };
        let depth = depths(&cohesion);
        let sequence = numbering_sequence(lines);
        let item_marks = item_marks(lines);
        let styles = styles(lines, &shaped, contents);
        let blocks = blocks(lines, &shaped);
        // Running text: neither heading-shaped nor claimed by a detector.
        let prose: Vec<bool> = lines
            .iter()
            .zip(&shaped)
            .map(|(l, &sh)| {
                !sh && l.width > 30
                    && l.furniture.is_none()
                    && l.credit.is_none()
                    && l.caption.is_none()
                    && l.mail.is_none()
            })
            .collect();
        // Headings that open a block and stand right on their paragraph:
        // on a page with three or more, the page's way of setting items.
        let mut block_heads: Vec<bool> = (0..lines.len())
            .map(|i| {
                shaped[i]
                    && (i == 0 || lines[i].gap > 0)
                    && !contents.in_list[i]
                    && lines.get(i + 1).is_some_and(|n| n.gap == 0)
                    && prose.get(i + 1) == Some(&true)
            })
            .collect();
        if block_heads.iter().filter(|&&b| b).count() < BLOCK_HEADS_MIN {
            block_heads.iter_mut().for_each(|b| *b = false);
        }
        // Text after a signature, until a heading set apart by a blank line.
        let mut after_signature = vec![false; lines.len()];
        let mut signed = false;
        for (i, l) in lines.iter().enumerate() {
            let sig = l.context.signature_name || l.context.signature_detail;
            if sig {
                signed = true;
                continue;
            }
            if (shaped[i] && l.gap > 0) || l.furniture == Some(Furniture::Separator) {
                signed = false;
            }
            after_signature[i] = signed && !l.is_credit();
        }
        let first_prose = prose.iter().position(|&p| p).unwrap_or(lines.len());
        // The first heading: marked up as one, or heading-shaped and set
        // apart, with running text or a credit after it.
        let first_heading = (0..lines.len())
            .find(|&i| {
                let l = &lines[i];
                let next = lines.get(i + 1);
                let text_below = next.is_some_and(|n| {
                    n.creditish() || (n.furniture.is_none() && !shaped[i + 1] && n.width > 16)
                });
                (l.markup.is_heading() && l.markup != Markup::MediaTag)
                    || (shaped[i] && !l.context.running_head && l.furniture.is_none() && text_below)
            })
            .unwrap_or(lines.len());
        let last_prose = prose.iter().rposition(|&p| p);
        let credit_ahead = credits_ahead(lines, &shaped);
        Facts {
            depth,
            stories,
            block_heads,
            credit_ahead,
            first_heading,
            after_signature,
            first_prose,
            last_prose,
            blocks,
            norms,
            shaped,
            cohesion,
            page_cohesion,
            sequence,
            item_marks,
            styles,
        }
    }
}

/// The TextTiling depth of each measured boundary against the nearest
/// measured boundaries above and below (a page edge counts as no rise), and
/// whether the boundary is a peak: relative, so a page whose stories share
/// vocabulary (a school newsletter) is judged against itself.
fn depths(cohesion: &[Option<f32>]) -> Vec<Option<(f32, bool)>> {
    let measured: Vec<(usize, f32)> = cohesion
        .iter()
        .enumerate()
        .filter_map(|(i, c)| c.map(|c| (i, c)))
        .collect();
    let mut out = vec![None; cohesion.len()];
    for (k, &(i, c)) in measured.iter().enumerate() {
        let before = k.checked_sub(1).map(|p| measured[p].1);
        let after = measured.get(k + 1).map(|x| x.1);
        let rise = |n: Option<f32>| n.map_or(0.0, |n| (n - c).max(0.0));
        let peak = before.is_some_and(|b| c > b) && after.is_some_and(|a| c > a);
        out[i] = Some((rise(before) + rise(after), peak));
    }
    out
}

/// For each heading-shaped line, whether the stretch below it (up to the
/// next heading-shaped line set apart from running text) closes with a
/// credit, a trailing credit or an end mark: the heading opens a story
/// credited at its end.
fn credits_ahead(lines: &[Line], shaped: &[bool]) -> Vec<bool> {
    let mut out = vec![false; lines.len()];
    // Scan from the end: whether the stretch from here down to the next
    // heading closes with a credit.
    let mut closes = false;
    let mut last_text: Option<bool> = None;
    for i in (0..lines.len()).rev() {
        let l = &lines[i];
        if shaped[i] && l.furniture.is_none() {
            out[i] = closes;
            closes = false;
            last_text = None;
            continue;
        }
        if l.furniture.is_some() || l.caption.is_some() {
            continue;
        }
        if last_text.is_none() {
            let credited = l.is_credit() || l.trailing.is_some() || l.end_mark;
            last_text = Some(credited);
            closes = credited;
        }
    }
    out
}

/// Where a line sits in its block (a run of lines between blank lines).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct BlockPlace {
    /// Index of the line in its block.
    pub index: usize,
    /// Lines in the block.
    pub len: usize,
    /// Every line of the block is heading-shaped.
    pub heading: bool,
    /// Most lines of the block are running text.
    pub prose: bool,
    /// The line opens a run of heading-shaped lines that running text
    /// follows in the same block (a headline stack over its body).
    pub run_start: bool,
    /// The line is inside such a run, after its first line.
    pub run_inside: bool,
    /// Block index on the page.
    pub block: usize,
    /// A line of the block gives an e-mail, web address or phone number
    /// (mail headers and credits left out: they have detectors of their
    /// own).
    pub contact: bool,
}

/// The block structure of the page.
fn blocks(lines: &[Line], shaped: &[bool]) -> Vec<BlockPlace> {
    let mut out = vec![BlockPlace::default(); lines.len()];
    for (block, range) in blocks_between_gaps(lines, |l| l.gap)
        .into_iter()
        .enumerate()
    {
        let (start, end) = (range.start, range.end);
        let len = end - start;
        let heads = (start..end).filter(|&i| shaped[i]).count();
        let prose = (start..end)
            .filter(|&i| !shaped[i] && lines[i].furniture.is_none())
            .count();
        // A run of heading-shaped lines opening the block, then text.
        let run = (start..end).take_while(|&i| shaped[i]).count();
        let run_ok = run >= 1 && run < len && run <= 4 && !shaped[start + run];
        let contact = lines[start..end]
            .iter()
            .any(|x| x.mail.is_none() && !x.is_credit() && gives_contact(&x.text));
        for (k, place) in out[start..end].iter_mut().enumerate() {
            *place = BlockPlace {
                index: k,
                len,
                heading: heads == len,
                prose: prose >= 1 && prose * 2 >= len,
                run_start: run_ok && k == 0,
                run_inside: run_ok && k > 0 && k < run,
                block,
                contact,
            };
        }
    }
    out
}
