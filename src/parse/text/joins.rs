//! Paragraphs cut by the column flow or a hard wrap: whether a body line
//! goes on the paragraph of the body line before it. Judged by terminal
//! punctuation, the page's wrap width, hyphenation, indentation, and what
//! the next line looks like (a cut Chinese sentence goes on in a line
//! opening with a digit or a Latin word).
//!
//! The same judgement is one of the segmentation model's features (a line
//! that continues a sentence is body, not a headline).

use super::lines::{Line, Piece};
use super::measure::{
    ends_with_hyphenation, ends_with_leader, first_word_width, has_bare_clause_punct, is_cjk,
    join_separator, starts_mid_sentence, Ending, HEAD_MAX_COLS,
};

/// Widest wrap width still taken for a hard-wrapped page (text exported at
/// a fixed column, like e-mail at 72 or terminals at 80).
const HARD_WRAP_MAX_COLS: usize = 120;

/// Share (per cent) of adjacent text lines that must reach 80 % of the wrap
/// width for a page to count as hard-wrapped.
const HARD_WRAP_MIN_FULL_PERCENT: usize = 40;

/// Widest wrap width taken for a narrow newspaper column.
pub(super) const NARROW_COLUMN_MAX_COLS: usize = 48;

/// Most running-text lines (per cent) that may run past the wrap width by
/// a quarter on a hard-wrapped page.
const HARD_WRAP_MAX_PAST_PERCENT: usize = 10;

/// Narrowest CJK line (columns) that, holding a finished sentence, reads as
/// prose rather than a headline when it ends cut.
const CJK_PROSE_MIN_COLS: usize = 30;

/// How the page sets its paragraphs.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Flow {
    /// The wrap width of a hard-wrapped page.
    pub wrap: Option<usize>,
    /// Paragraphs open with an indent and run on over unindented lines.
    pub indented: bool,
    /// A Markdown file: adjacent lines are one paragraph, kept on their
    /// lines for the Markdown renderer.
    pub markdown: bool,
    /// The width of a full line of running text on an indented page.
    pub column: Option<usize>,
}

/// Whether a line is running text for the page measures (no detector
/// claimed it).
fn texty(l: &Line) -> bool {
    l.furniture.is_none() && l.credit.is_none() && l.caption.is_none() && l.mail.is_none()
}

/// The wrap width of a hard-wrapped page, if the page is one: measured on
/// runs of adjacent prose lines (runs with sentence punctuation, so that
/// headline stacks do not count).
fn hard_wrap_width(lines: &[Line]) -> Option<usize> {
    let mut widths: Vec<usize> = Vec::new();
    let mut run: Vec<&Line> = Vec::new();
    let mut flush = |run: &mut Vec<&Line>| {
        let prose = run.iter().any(|l| l.ending != Ending::Open);
        if run.len() >= 2 && prose {
            widths.extend(run[..run.len() - 1].iter().map(|l| l.width));
        }
        run.clear();
    };
    for l in lines {
        let text = texty(l) && l.piece == Piece::Whole;
        if !text || l.gap > 0 {
            flush(&mut run);
        }
        if text {
            run.push(l);
        }
    }
    flush(&mut run);
    if widths.len() < 3 {
        return None;
    }
    widths.sort_unstable();
    let wrap = widths[(widths.len() * 85 / 100).min(widths.len() - 1)];
    if wrap > HARD_WRAP_MAX_COLS {
        return None;
    }
    let full = widths.iter().filter(|&&w| w * 10 >= wrap * 8).count();
    // Running text well past the wrap width: the page is not wrapped at
    // all (paragraphs a line each, a few short lines in between).
    let text: Vec<usize> = lines
        .iter()
        .filter(|l| texty(l) && l.ending != Ending::Open)
        .map(|l| l.width)
        .collect();
    let past = text.iter().filter(|&&w| w * 4 > wrap * 5).count();
    let unwrapped = past * 100 > text.len() * HARD_WRAP_MAX_PAST_PERCENT;
    (full * 100 >= widths.len() * HARD_WRAP_MIN_FULL_PERCENT && !unwrapped).then_some(wrap)
}

/// Whether paragraphs on this page open with an indent and run on over
/// unindented lines (Hong Kong and Taiwan exports, some word processors).
fn indented_page(lines: &[Line]) -> bool {
    let mut opened = 0;
    let mut continued = 0;
    for w in lines.windows(2) {
        let (a, b) = (&w[0], &w[1]);
        if !texty(a) || !texty(b) {
            continue;
        }
        if a.indent {
            opened += 1;
        }
        if b.gap == 0 && !b.indent && (a.indent || continued > 0) {
            continued += 1;
        }
    }
    opened >= 2 && continued >= 2
}

/// Measures how the page sets its paragraphs.
pub(super) fn flow(lines: &[Line], markdown: bool) -> Flow {
    let indented = !markdown && indented_page(lines);
    let column = indented.then(|| {
        let mut w: Vec<usize> = lines.iter().filter(|l| texty(l)).map(|l| l.width).collect();
        w.sort_unstable();
        w.get(w.len() * 3 / 4).copied().unwrap_or(0)
    });
    Flow {
        column,
        wrap: if indented || markdown {
            None
        } else {
            hard_wrap_width(lines)
        },
        indented,
        markdown,
    }
}

/// Why body line `b` goes on the paragraph that line `a` ends, or `None`
/// when `b` opens a paragraph of its own. `gap` counts blank lines and
/// furniture skipped between them.
pub(super) fn continues(a: &Line, b: &Line, gap: usize, flow: Flow) -> Option<&'static str> {
    if b.inline.is_some() || a.trailing.is_some() || a.end_mark || a.markup.is_heading() {
        return None;
    }
    if b.piece == Piece::RunInRest {
        return Some("rest of the line after a run-in head");
    }
    // A contents entry ends at its page number; nothing goes on into a
    // credit, a caption or furniture.
    if ends_with_leader(&a.text) || ends_with_leader(&b.text) || !texty(b) {
        return None;
    }
    // A sign-off ends the text: `With best wishes,` is not cut mid-sentence.
    let signing = b.context.signature_name || b.context.signature_detail || b.context.sig_block;
    if a.context.closing || signing {
        return None;
    }
    if flow.markdown {
        return (gap == 0).then_some("same Markdown paragraph");
    }
    let (at, bt): (&str, &str) = (&a.text, &b.text);
    if flow.indented && gap == 0 && texty(b) {
        // Indented pages: an indented line opens a paragraph, an unindented
        // one right below continues it.
        if b.indent {
            return None;
        }
        // A short line ends its paragraph: what comes below it unindented
        // is a heading or a new block.
        let full = flow.column.is_none_or(|c| a.width * 100 >= c * 85);
        // A Latin word or a number is never broken: a CJK line that stops
        // short of one, with no punctuation, was cut before it.
        let before_latin = a.ending == Ending::Open
            && at.chars().next_back().is_some_and(is_cjk)
            && bt.starts_with(|c: char| c.is_ascii_alphanumeric());
        let goes_on =
            a.ending == Ending::Continues || before_latin || (full && !sentence_closed(at));
        if goes_on {
            return Some("unindented line under an indented one");
        }
    }
    if ends_with_hyphenation(at) && bt.starts_with(|c: char| c.is_lowercase()) {
        return Some("hyphenated word continued");
    }
    let wrapped = flow
        .wrap
        .is_some_and(|w| a.width + 1 + first_word_width(bt) > w);
    match a.ending {
        Ending::Continues => Some("previous line ends mid-sentence (，、：)"),
        Ending::Terminal => (gap == 0 && (wrapped || starts_mid_sentence(bt)))
            .then_some("line wrapped at the page width"),
        Ending::Open => {
            if starts_mid_sentence(bt) {
                return Some("continues a sentence");
            }
            if gap == 0 && closes_open_bracket(at, bt) {
                return Some("a bracket opened above closes below");
            }
            if a.width > HEAD_MAX_COLS {
                return Some("previous line cut without terminal punctuation");
            }
            // A short CJK fragment of prose (clause punctuation, or a
            // sentence already ended inside it), followed by prose or by a
            // line opening with a digit or a Latin word (`开了` / `12期…`).
            let fragment = at.chars().next_back().is_some_and(is_cjk)
                && (has_bare_clause_punct(at)
                    || (a.width >= CJK_PROSE_MIN_COLS && at.contains(['。', '！', '？', '；'])));
            if gap == 0 {
                // In a narrow column, justified by the typesetter, a line
                // near the column width stops wherever a word did not fit.
                let column = flow
                    .wrap
                    .is_some_and(|w| w <= NARROW_COLUMN_MAX_COLS && a.width * 10 >= w * 8);
                return (wrapped || fragment || column)
                    .then_some("previous line is a cut fragment");
            }
            // Across a blank line: also a full-width line of a wrapped page
            // (not of a narrow column, where headlines fill the width too).
            let full = flow
                .wrap
                .is_some_and(|w| w > NARROW_COLUMN_MAX_COLS && a.width * 10 >= w * 9);
            (full || fragment).then_some("paragraph cut across a blank line")
        }
    }
}

/// Whether `a` leaves a bracket open that `b` closes (`(£2 a go, all
/// proceeds to the Harrowdale` / `Youth Club).`): the aside, and the
/// sentence, go on across the line end.
fn closes_open_bracket(a: &str, b: &str) -> bool {
    let depth = |s: &str| {
        s.chars().fold(0i32, |d, c| match c {
            '(' | '（' => d + 1,
            ')' | '）' => d - 1,
            _ => d,
        })
    };
    depth(a) > 0 && b.contains([')', '）']) && !b.contains(['(', '（'])
}

/// Whether a line ends a sentence: its last mark is a full stop, or a
/// closing quote right after one (`…。”`). A quote closed after a word
/// (`以“Freeze-thaw … peatland”`) ends a title, not the sentence.
fn sentence_closed(s: &str) -> bool {
    let mut rev = s.chars().rev();
    match rev.next() {
        Some('。' | '！' | '？' | '.') => true,
        Some('」' | '”' | '』' | '"') => rev
            .next()
            .is_some_and(|c| matches!(c, '。' | '！' | '？' | '.' | '!' | '?' | '…')),
        _ => false,
    }
}

/// Joins `b`'s text onto paragraph `p` with the separator the script needs
/// (a hyphenated word loses its hyphen); Markdown keeps its line breaks.
pub(super) fn append(p: &mut String, b: &str, flow: Flow) {
    if flow.markdown {
        p.push('\n');
    } else if ends_with_hyphenation(p) && b.starts_with(|c: char| c.is_lowercase()) {
        p.pop();
    } else {
        p.push_str(join_separator(p, b));
    }
    p.push_str(b);
}
