//! Newspaper pages in plain text: the heart of the parser.
//!
//! A page is read in four passes, each with general rules rather than rules
//! tuned to one paper:
//!
//! 1. **Lines**: every line is cleaned and given a shape on its own merits —
//!    page furniture, page date, stand-alone credit, caption, Markdown
//!    heading or `**bold**` line, or text (possibly opening with an inline
//!    credit such as `XX日报讯（记者/…）`).
//!    Then rules that need a line's neighbours: running heads (and the
//!    section they name), job titles under a By-line, pull quotes, letter
//!    signatures, bare bylines under a headline (see [`refine_lines`]).
//! 2. **Tables of contents**: runs of short lines that repeat headlines found
//!    elsewhere on the page are furniture.
//! 3. **Joins**: text lines cut by the column flow are re-joined, judged by
//!    terminal punctuation, line length relative to the page, hyphenation,
//!    and what the next line looks like (a cut CJK sentence goes on in a
//!    block opening with a digit or a Latin word). A few short lines with no
//!    terminal punctuation right above a byline are one wrapped headline;
//!    in a briefs column, an ALL-CAPS lead-in (`ROAD WORK:`) titles its brief. A short line with no terminal
//!    punctuation that is not a fragment of prose becomes a heading
//!    candidate.
//! 4. **Articles**: runs of heading candidates become headline stacks
//!    (banner / kicker / headline / sub-headline) when a credit follows them,
//!    when they open the page, or when the page credits no article at all;
//!    otherwise they are subheadings of the article they sit in.

use std::borrow::Cow;

use chrono::NaiveDate;

use super::clean;
use super::credit::{self, Credit};
use super::date;
use super::furniture::{self, Furniture};
use super::{Explained, LineKind};
use crate::model::{Article, Author, Block, Bulletin, Dated, Role};

/// Widest line (in columns; CJK characters count two) that can be a
/// headline or subheading. Real headlines stay well under this; paragraph
/// lines of unwrapped pages are far longer.
const HEAD_MAX_COLS: usize = 100;

/// Widths above this are all the same to the parser (every threshold is
/// lower), so measuring stops there: long paragraphs are not measured to
/// their end.
const WIDTH_CAP: usize = 256;

/// Widest wrap width still taken for a hard-wrapped page (text exported at
/// a fixed column, like e-mail at 72 or terminals at 80).
const HARD_WRAP_MAX_COLS: usize = 120;

/// Share (per cent) of adjacent text lines that must reach 80 % of the wrap
/// width for a page to count as hard-wrapped.
const HARD_WRAP_MIN_FULL_PERCENT: usize = 40;

/// Narrowest CJK line (columns) that, holding a finished sentence, reads as
/// prose rather than a headline when it ends cut.
const CJK_PROSE_MIN_COLS: usize = 30;

/// Most lines a headline wraps over above its byline.
const HEAD_MAX_WRAPPED_LINES: usize = 3;

/// Longest ALL-CAPS lead-in (bytes) of a brief (`ROAD WORK: …`).
const LEAD_IN_MAX_BYTES: usize = 40;

/// Longest source line (bytes) checked for a running head's wide gaps.
const SPREAD_MAX_BYTES: usize = 240;

/// Most words in an English signature's name line (`Margaret Lowell`,
/// `Mary Ann de Vries`).
const SIGNATURE_MAX_WORDS: usize = 4;

/// The result of reading a page: the bulletin and the page's printed date,
/// which the caller weighs against a date in the file name.
pub(crate) struct Page {
    /// The articles and section found.
    pub bulletin: Bulletin,
    /// The date printed on the page, if any.
    pub page_date: Option<Dated>,
}

/// What one source line is on its own.
#[derive(Debug)]
enum Shape {
    Furniture(Furniture),
    PageDate(NaiveDate),
    Credit(Credit),
    Caption(Option<String>),
    /// A Markdown heading (`#`, `##`, …) with its level.
    MdHeading(usize),
    /// A whole line in `**bold**`.
    Bold,
    /// Prose or a plain heading; may open with an inline credit.
    Text(Option<Credit>),
}

/// How a line ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ending {
    /// A sentence ends here (`。`, `.`, `!`, `；`).
    Terminal,
    /// The sentence clearly goes on (`，`, `、`, `：`, an open bracket).
    Continues,
    /// Anything else: a heading, or prose cut mid-sentence.
    Open,
}

#[derive(Debug)]
struct Line<'a> {
    /// 1-based source line.
    no: usize,
    /// Cleaned text (markup removed for headings and bold lines), borrowed
    /// from the input when cleaning changed nothing.
    text: Cow<'a, str>,
    /// Blank lines before this one.
    gap: usize,
    /// Width in columns.
    width: usize,
    shape: Shape,
    /// A jump marker removed from the text (`（下转第2版）`).
    jump: Option<Furniture>,
    /// The source line was indented (ideographic spaces, a tab, or two or
    /// more spaces).
    indent: bool,
    /// The source line spreads fields over the page width with wide gaps
    /// (`LOCAL NEWS          Page 3`): a running head, not prose.
    spread: bool,
    /// A signature closing a letter or column: the article ends here.
    signature: bool,
}

/// Width of a character in columns: East Asian wide characters count two.
fn char_width(c: char) -> usize {
    let u = c as u32;
    if (0x1100..=0x115f).contains(&u)
        || (0x2e80..=0xa4cf).contains(&u)
        || (0xac00..=0xd7a3).contains(&u)
        || (0xf900..=0xfaff).contains(&u)
        || (0xfe30..=0xfe4f).contains(&u)
        || (0xff00..=0xff60).contains(&u)
        || (0xffe0..=0xffe6).contains(&u)
        || (0x20000..=0x3fffd).contains(&u)
    {
        2
    } else {
        1
    }
}

fn width(s: &str) -> usize {
    let b = s.as_bytes();
    let mut w = 0;
    let mut i = 0;
    // Decodes only the three-byte characters, where the wide ones live, and
    // stops counting past every threshold the parser compares widths with.
    while i < b.len() && w <= WIDTH_CAP {
        let c = b[i];
        let (len, cols) = match c {
            0..=0x7f => (1, 1),
            0xc0..=0xdf => (2, 1),
            0xe0..=0xef => {
                let cp = (u32::from(c & 0x0f) << 12)
                    | (u32::from(b.get(i + 1).copied().unwrap_or(0) & 0x3f) << 6)
                    | u32::from(b.get(i + 2).copied().unwrap_or(0) & 0x3f);
                let wide = (0x1100..=0x115f).contains(&cp)
                    || (0x2e80..=0xa4cf).contains(&cp)
                    || (0xac00..=0xd7a3).contains(&cp)
                    || (0xf900..=0xfaff).contains(&cp)
                    || (0xfe30..=0xfe4f).contains(&cp)
                    || (0xff00..=0xff60).contains(&cp)
                    || (0xffe0..=0xffe6).contains(&cp);
                (3, if wide { 2 } else { 1 })
            }
            0xf0.. => (4, 2),
            // Continuation bytes cannot start a character of a `str`.
            _ => (1, 0),
        };
        w += cols;
        i += len;
    }
    w.min(WIDTH_CAP + 1)
}

/// Whether `c` is written without spaces around it (CJK text and its
/// punctuation).
fn is_cjk(c: char) -> bool {
    char_width(c) == 2
}

/// English words that cannot end a sentence or a headline: a line ending
/// in one was wrapped mid-sentence.
const EN_CONTINUERS: &[&str] = &[
    "a", "an", "the", "of", "to", "in", "on", "at", "by", "for", "with", "from", "and", "or",
    "but", "that", "as", "is", "are", "was", "were", "be", "has", "have", "had", "will", "would",
    "its", "their", "his", "her", "our", "this", "these", "than", "into", "about", "who", "which",
];

fn ending(s: &str) -> Ending {
    if s.ends_with(|c: char| c.is_ascii_lowercase()) {
        let word = s
            .rsplit(|c: char| !c.is_ascii_alphabetic())
            .next()
            .unwrap_or("");
        if EN_CONTINUERS.contains(&word) && word.len() < s.len() {
            return Ending::Continues;
        }
    }
    let core = s.trim_end_matches([
        '”', '’', '」', '』', '"', '\'', '）', ')', '》', '】', ']', '*', '_',
    ]);
    let Some(last) = core.chars().next_back() else {
        return Ending::Open;
    };
    match last {
        '。' | '！' | '？' | '!' | '?' | '…' | '；' | ';' | '．' => Ending::Terminal,
        '.' => {
            // `No.` / `St.` / initials end no sentence, but a page this short
            // on evidence is best read as ending one.
            Ending::Terminal
        }
        '，' | '、' | '：' | ',' | ':' | '（' | '(' | '“' | '「' | '『' | '《' | '—' | '–'
        | '/' => {
            if s.ends_with(['”', '」', '』', '）', ')', '》', '】']) {
                Ending::Open
            } else {
                Ending::Continues
            }
        }
        _ => Ending::Open,
    }
}

/// Whether `s` starts like the continuation of a sentence: a lower-case
/// Latin letter, or punctuation that cannot open a paragraph.
fn starts_mid_sentence(s: &str) -> bool {
    match s.chars().next() {
        Some(c) => {
            c.is_lowercase()
                || matches!(
                    c,
                    '，' | '、' | '。' | ',' | '.' | ';' | '；' | ')' | '）' | '：' | ':'
                )
        }
        None => false,
    }
}

/// Whether a line ends in a word broken by a hyphen (`infor-`).
fn ends_with_hyphenation(s: &str) -> bool {
    let mut rev = s.chars().rev();
    rev.next() == Some('-') && rev.next().is_some_and(char::is_alphabetic)
}

/// Width of the first word of `s` (the first character for CJK).
fn first_word_width(s: &str) -> usize {
    let mut w = 0;
    for c in s.chars() {
        if is_cjk(c) {
            return if w == 0 { char_width(c) } else { w };
        }
        if c == ' ' {
            break;
        }
        w += 1;
    }
    w
}

/// Numbered-item prefixes: `1.`, `1、`, `一、`, `（一）`, `(1)`, `１．`, `①`.
fn numbering_len(s: &str) -> usize {
    let mut chars = s.char_indices().peekable();
    let Some(&(_, first)) = chars.peek() else {
        return 0;
    };
    if ('①'..='⑳').contains(&first) {
        return first.len_utf8();
    }
    let is_num = |c: char| {
        c.is_ascii_digit() || ('０'..='９').contains(&c) || "一二三四五六七八九十".contains(c)
    };
    if matches!(first, '（' | '(') {
        let inner: String = s.chars().skip(1).take_while(|&c| is_num(c)).collect();
        if inner.is_empty() {
            return 0;
        }
        let after = s.chars().nth(1 + inner.chars().count());
        return match after {
            Some(c @ ('）' | ')')) => first.len_utf8() + inner.len() + c.len_utf8(),
            _ => 0,
        };
    }
    let digits: String = s.chars().take_while(|&c| is_num(c)).collect();
    if digits.is_empty() || digits.chars().count() > 3 {
        return 0;
    }
    let rest = &s[digits.len()..];
    match rest.chars().next() {
        Some(c @ ('、' | '．' | '.' | ')' | '）')) => {
            // `1.5 million` and `2022.` are not item numbers.
            let after = &rest[c.len_utf8()..];
            if after.starts_with(|d: char| d.is_ascii_digit()) {
                0
            } else {
                digits.len() + c.len_utf8()
            }
        }
        _ => 0,
    }
}

/// The numbering scheme of a numbered heading: `1.` (1), `一、` (2), `（一）`
/// (3), `(1)` (4), `①` (5). Schemes rank items: a page numbering its
/// articles `一、` numbers their sections `（一）`.
fn numbering_scheme(s: &str) -> Option<u8> {
    let n = numbering_len(s);
    if n == 0 {
        return None;
    }
    let first = s.chars().next()?;
    let paren = matches!(first, '（' | '(');
    let cjk_numeral = s[..n].chars().any(|c| "一二三四五六七八九十".contains(c));
    Some(match (paren, cjk_numeral) {
        _ if ('①'..='⑳').contains(&first) => 5,
        (false, false) => 1,
        (false, true) => 2,
        (true, true) => 3,
        (true, false) => 4,
    })
}

/// Whether a short line reads as a fragment of prose, not a heading: it
/// has clause punctuation (`、`, `，`) outside quotes and brackets.
fn has_bare_clause_punct(s: &str) -> bool {
    let s = &s[numbering_len(s)..];
    let mut depth = 0i32;
    for c in s.chars() {
        match c {
            '“' | '「' | '『' | '《' | '（' | '(' | '【' => depth += 1,
            '”' | '」' | '』' | '》' | '）' | ')' | '】' => depth -= 1,
            '、' | '，' | '；' if depth <= 0 => return true,
            _ => {}
        }
    }
    false
}

/// Strips Markdown emphasis wrapping a whole line: `**x**`, `__x__`, `*x*`.
fn strip_emphasis(s: &str) -> Option<&str> {
    for mark in ["**", "__"] {
        if s.len() > 2 * mark.len() && s.starts_with(mark) && s.ends_with(mark) {
            let inner = s[mark.len()..s.len() - mark.len()].trim();
            if !inner.is_empty() && !inner.contains(mark) {
                return Some(inner);
            }
        }
    }
    None
}

fn strip_single_emphasis(s: &str) -> &str {
    for mark in ['*', '_'] {
        if s.len() > 2 && s.starts_with(mark) && s.ends_with(mark) {
            return s[1..s.len() - 1].trim();
        }
    }
    s
}

/// Shapes one cleaned, non-empty line.
fn shape_line(text: Cow<'_, str>) -> (Cow<'_, str>, Shape, Option<Furniture>) {
    // Markdown headings.
    let hashes = text.chars().take_while(|&c| c == '#').count();
    if (1..=6).contains(&hashes) && text[hashes..].starts_with(' ') {
        let inner = text[hashes..].trim().trim_end_matches('#').trim();
        let inner = strip_emphasis(inner).unwrap_or(inner).to_owned();
        if !inner.is_empty() {
            return (Cow::Owned(inner), Shape::MdHeading(hashes), None);
        }
    }
    if let Some(d) = date::page_date(&text) {
        return (text, Shape::PageDate(d), None);
    }
    if let Some(f) = furniture::classify(&text) {
        return (text, Shape::Furniture(f), None);
    }
    // A short line carrying a web address that ends no sentence is a
    // contact or link line (`Questions? … visit www.example.gov`).
    if text.len() <= HEAD_MAX_COLS * 3
        && (text.contains("www.") || text.contains("://"))
        && width(&text) <= HEAD_MAX_COLS
        && ending(&text) != Ending::Terminal
    {
        return (text, Shape::Furniture(Furniture::Link), None);
    }
    if let Some(inner) = strip_emphasis(&text) {
        let inner = inner.to_owned();
        if let Some(c) = credit::find_line(&inner) {
            return (Cow::Owned(inner), Shape::Credit(c), None);
        }
        return (Cow::Owned(inner), Shape::Bold, None);
    }
    let plain = strip_single_emphasis(&text);
    if let Some(c) = credit::find_line(plain) {
        return (Cow::Owned(plain.to_owned()), Shape::Credit(c), None);
    }
    if let Some(c) = credit::caption(plain) {
        return (Cow::Owned(plain.to_owned()), Shape::Caption(c), None);
    }
    let (text, jump) = match furniture::strip_jump(&text) {
        Some((rest, j)) => (Cow::Owned(rest), Some(j)),
        None => (text, None),
    };
    if text.is_empty() {
        return (
            text,
            Shape::Furniture(jump.unwrap_or(Furniture::JumpOut)),
            jump,
        );
    }
    let inline = credit::find(&text);
    (text, Shape::Text(inline), jump)
}

fn read_lines(input: &str) -> Vec<Line<'_>> {
    let mut lines = Vec::new();
    let mut gap = 0;
    for (i, raw) in input.lines().enumerate() {
        let text = clean::line_cow(raw);
        if text.is_empty() {
            gap += 1;
            continue;
        }
        let indent = raw.starts_with(['\u{3000}', '\t']) || raw.starts_with("  ");
        // Running heads are looked for only in the lines opening the page.
        let spread = lines.len() < 4 && gap == 0 && raw.len() <= SPREAD_MAX_BYTES && {
            let inner = raw.trim();
            inner.contains("   ") || inner.contains('\t')
        };
        let (text, shape, jump) = shape_line(text);
        lines.push(Line {
            no: i + 1,
            width: width(&text),
            text,
            gap,
            shape,
            jump,
            indent,
            spread,
            signature: false,
        });
        gap = 0;
    }
    lines
}

/// The fields of a running head: the source line split at its wide gaps.
fn spread_fields(raw: &str) -> Vec<String> {
    raw.split(['\t'])
        .flat_map(|part| part.split("   "))
        .map(clean::line)
        .filter(|f| !f.is_empty())
        .collect()
}

/// Pass 1b: rules that read a line together with its neighbours. Returns
/// the page's own section label, if its running head names one.
///
/// - **Running heads**: in the block of lines that opens the page, a line
///   spreading fields over the width with wide gaps is page furniture; with
///   a page number as one field, the other names the page's section
///   (`LOCAL NEWS      Page 3`). `第A03版：社会新闻` names it too.
/// - **Job titles**: a line that only says a job title right after a
///   By-line belongs to the credit (`Courier Staff Writer`).
/// - **Pull quotes**: an indented quotation followed by an indented
///   `— NAME, …` attribution repeats the body for layout.
/// - **Signatures**: after a paragraph, a name line and a short place line
///   standing alone before the next heading (or the page end) sign a
///   letter: the name is its author.
/// - **Bare names**: a two-to-four-character Chinese name standing alone
///   between a headline and the body is the writer's byline.
fn refine_lines(input: &str, lines: &mut [Line]) -> Option<String> {
    let mut label: Option<String> = None;
    let top = lines
        .iter()
        .position(|l| l.gap > 0)
        .unwrap_or(lines.len())
        .min(4);
    if lines[..top].iter().any(|l| l.spread) {
        let raws: Vec<&str> = input.lines().take(lines[top - 1].no).collect();
        for l in &mut lines[..top] {
            if !l.spread {
                continue;
            }
            let Some(raw) = raws.get(l.no - 1) else {
                continue;
            };
            let fields = spread_fields(raw);
            if fields.len() < 2 {
                continue;
            }
            if matches!(l.shape, Shape::Text(None) | Shape::Bold) {
                l.shape = Shape::Furniture(Furniture::RunningHead);
            }
            let is_page = |f: &str| furniture::classify(f) == Some(Furniture::PageNumber);
            if label.is_none() && fields.len() == 2 && fields.iter().any(|f| is_page(f)) {
                label = fields
                    .iter()
                    .find(|f| {
                        !is_page(f)
                            && f.chars().count() <= 30
                            && !f.chars().any(|c| c.is_numeric())
                            && f.chars().any(char::is_alphabetic)
                    })
                    .cloned();
            }
        }
    }
    if label.is_none() {
        label = lines[..top].iter().find_map(|l| match l.shape {
            Shape::Furniture(Furniture::PageNumber) => {
                furniture::page_label(&l.text).map(str::to_owned)
            }
            _ => None,
        });
    }
    for i in 1..lines.len() {
        let (before, rest) = lines.split_at_mut(i);
        let prev = &before[i - 1];
        let l = &mut rest[0];
        if !matches!(l.shape, Shape::Text(None)) {
            continue;
        }
        // A job title under a By-line.
        if l.gap == 0
            && matches!(&prev.shape, Shape::Credit(c) if c.why.starts_with("byline"))
            && credit::job_title_line(&l.text)
        {
            l.shape = Shape::Credit(Credit {
                authors: Vec::new(),
                rest: String::new(),
                prefix: l.text.to_string(),
                why: "job title under a byline",
            });
            continue;
        }
        // A pull quote's attribution under its indented quotation.
        if l.gap == 0
            && l.indent
            && prev.indent
            && is_attribution(&l.text)
            && prev.text.starts_with(['"', '“', '「', '『', '\''])
            && prev.width <= HEAD_MAX_COLS
            && matches!(prev.shape, Shape::Text(None))
        {
            l.shape = Shape::Furniture(Furniture::PullQuote);
            before[i - 1].shape = Shape::Furniture(Furniture::PullQuote);
            continue;
        }
    }
    // Once one letter on the page is signed, a later signature may be
    // followed by prose (the page's letters policy).
    let mut signed = false;
    for i in 1..lines.len() {
        if !matches!(lines[i].shape, Shape::Text(None)) || lines[i].gap == 0 {
            continue;
        }
        let after_gap = |k: usize| lines.get(k).is_none_or(|l| l.gap > 0);
        // A signature: name line + place line after a finished paragraph.
        if i + 1 < lines.len()
            && matches!(lines[i - 1].shape, Shape::Text(_))
            && ending(&lines[i - 1].text) == Ending::Terminal
            && lines[i + 1].gap == 0
            && matches!(lines[i + 1].shape, Shape::Text(None))
            && after_gap(i + 2)
            && lines.get(i + 2).is_none_or(|n| {
                // A byline below makes the pair a headline stack.
                !matches!(n.shape, Shape::Credit(_) | Shape::Text(Some(_)))
                    && (signed || !matches!(n.shape, Shape::Text(_)) || heading_shaped(n))
            })
            && is_signature_name(&lines[i].text)
            && is_place_line(&lines[i + 1].text)
        {
            let name = lines[i].text.to_string();
            lines[i].shape = Shape::Credit(Credit {
                authors: vec![Author {
                    name: name.clone(),
                    role: Role::Author,
                }],
                rest: String::new(),
                prefix: name,
                why: "signature under a letter",
            });
            lines[i + 1].shape = Shape::Credit(Credit {
                authors: Vec::new(),
                rest: String::new(),
                prefix: lines[i + 1].text.to_string(),
                why: "signature: the writer's place",
            });
            lines[i].signature = true;
            lines[i + 1].signature = true;
            signed = true;
            continue;
        }
        // A bare Chinese name between the headline and the body.
        if i + 1 < lines.len()
            && lines[i + 1].gap > 0
            && is_bare_cjk_name(&lines[i].text)
            && matches!(lines[i - 1].shape, Shape::Text(None))
            && heading_shaped(&lines[i - 1])
            && matches!(lines[i + 1].shape, Shape::Text(None))
            && !heading_shaped(&lines[i + 1])
        {
            let name = lines[i].text.to_string();
            lines[i].shape = Shape::Credit(Credit {
                authors: vec![Author {
                    name: name.clone(),
                    role: Role::Author,
                }],
                rest: String::new(),
                prefix: name,
                why: "bare name between headline and body",
            });
        }
    }
    label
}

/// `— Denise Ortiz, owner of Ortiz Hardware`: a dash, then a capitalised
/// name.
fn is_attribution(s: &str) -> bool {
    let rest = s
        .trim_start_matches(['—', '―', '–', '-', '－'])
        .trim_start();
    rest.len() < s.len()
        && rest.starts_with(|c: char| c.is_uppercase() || is_cjk(c))
        && width(s) <= HEAD_MAX_COLS / 2 + 20
        && ending(s) != Ending::Terminal
}

/// A personal name alone on a line: two to four capitalised words
/// (initials allowed), nothing else.
fn is_signature_name(s: &str) -> bool {
    let words: Vec<&str> = s.split(' ').collect();
    (2..=SIGNATURE_MAX_WORDS).contains(&words.len())
        && words.iter().all(|w| {
            let mut cs = w.chars();
            cs.next().is_some_and(char::is_uppercase)
                && cs.all(|c| c.is_lowercase() || matches!(c, '.' | '\'' | '’' | '-'))
        })
}

/// The place line under a signature: a few capitalised words (`Eastfield`,
/// `Hadley, Mass.`).
fn is_place_line(s: &str) -> bool {
    let words: Vec<&str> = s.split([' ', ',']).filter(|w| !w.is_empty()).collect();
    (1..=3).contains(&words.len())
        && width(s) <= 40
        && words.iter().all(|w| {
            w.starts_with(|c: char| c.is_uppercase())
                && w.chars()
                    .all(|c| c.is_alphabetic() || matches!(c, '.' | '\'' | '’' | '-'))
        })
}

/// A Chinese name alone: two or three Han characters, or a transcribed
/// name with a middle dot (`买买提·艾力`). Four-character lines are more
/// often headlines (set phrases) than names, so they are not taken.
fn is_bare_cjk_name(s: &str) -> bool {
    if s.len() > 10 * 3 {
        return false;
    }
    let n = s.chars().count();
    let dotted = s.contains('·') && (4..=10).contains(&n);
    ((2..=3).contains(&n) || dotted)
        && s.chars()
            .all(|c| c == '·' || (is_cjk(c) && c.is_alphabetic()))
        && !s.starts_with('·')
        && !s.ends_with('·')
}

/// Key a headline is compared by when looking for tables of contents:
/// bullets, numbering, leader dots and page references removed.
fn toc_key(s: &str) -> String {
    let s = s.trim_start_matches(['·', '•', '-', '*', '▪', '●', '◆', '■', '□', '○', '>', ' ']);
    let s = &s[numbering_len(s)..];
    let s = s.trim_end_matches(|c: char| {
        c.is_ascii_digit()
            || matches!(
                c,
                '.' | '…'
                    | '·'
                    | ' '
                    | '版'
                    | '页'
                    | '頁'
                    | '第'
                    | 'P'
                    | 'p'
                    | 'A'
                    | 'B'
                    | 'C'
                    | 'D'
                    | '-'
                    | '–'
                    | '—'
            )
    });
    s.trim().to_owned()
}

/// Marks tables of contents: after a contents header, and any run of two or
/// more short lines each repeating a line found later on the page.
fn mark_contents(lines: &mut [Line]) {
    let keys: Vec<Option<String>> = lines
        .iter()
        .map(|l| match l.shape {
            Shape::Text(None) | Shape::Bold | Shape::MdHeading(_) if l.width <= HEAD_MAX_COLS => {
                let k = toc_key(&l.text);
                (k.chars().count() >= 2).then_some(k)
            }
            _ => None,
        })
        .collect();
    // Which keys occur again later.
    let mut repeated = vec![false; lines.len()];
    let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (i, k) in keys.iter().enumerate().rev() {
        if let Some(k) = k {
            if seen.contains_key(k.as_str()) {
                repeated[i] = true;
            }
            seen.insert(k.as_str(), i);
        }
    }
    let mut i = 0;
    while i < lines.len() {
        let after_header = matches!(lines[i].shape, Shape::Furniture(Furniture::Contents));
        let start = if after_header { i + 1 } else { i };
        let mut j = start;
        while j < lines.len() && repeated[j] && (j == start || lines[j].gap <= 1) {
            j += 1;
        }
        let run = j - start;
        if run >= 2 || (after_header && run >= 1) {
            for line in &mut lines[start..j] {
                line.shape = Shape::Furniture(Furniture::Contents);
            }
            i = j;
        } else {
            i += 1;
        }
    }
}

/// The wrap width of a hard-wrapped page, if the page is one: measured on
/// runs of adjacent prose lines (runs with sentence punctuation, so that
/// headline stacks do not count).
fn hard_wrap_width(lines: &[Line]) -> Option<usize> {
    let mut widths: Vec<usize> = Vec::new();
    let mut run: Vec<&Line> = Vec::new();
    let mut flush = |run: &mut Vec<&Line>| {
        let prose = run.iter().any(|l| ending(&l.text) != Ending::Open);
        if run.len() >= 2 && prose {
            widths.extend(run[..run.len() - 1].iter().map(|l| l.width));
        }
        run.clear();
    };
    for l in lines {
        let text = matches!(l.shape, Shape::Text(_));
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
    let wrap = widths[(widths.len() * 95 / 100).min(widths.len() - 1)];
    if wrap > HARD_WRAP_MAX_COLS {
        return None;
    }
    let full = widths.iter().filter(|&&w| w * 10 >= wrap * 8).count();
    (full * 100 >= widths.len() * HARD_WRAP_MIN_FULL_PERCENT).then_some(wrap)
}

/// How two text lines are joined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Join {
    /// Separate units.
    No,
    /// Same paragraph, with the separator the script needs.
    Yes(&'static str),
}

fn join_separator(a: &str, b: &str) -> &'static str {
    let last = a.chars().next_back().unwrap_or(' ');
    let first = b.chars().next().unwrap_or(' ');
    if is_cjk(last) || is_cjk(first) {
        ""
    } else {
        " "
    }
}

/// Heading candidates: short lines with no terminal punctuation.
fn heading_shaped(l: &Line) -> bool {
    let open = match ending(&l.text) {
        Ending::Open => true,
        // A headline may ask or exclaim; prose lines that do are longer.
        // A labelled question (`问：…？`) is a turn of an interview.
        Ending::Terminal => {
            l.text.ends_with(['?', '!', '？', '！'])
                && l.width <= HEAD_MAX_COLS / 2
                && !l.text.contains('：')
        }
        Ending::Continues => false,
    };
    open && l.width <= HEAD_MAX_COLS
        && !l.text.starts_with(|c: char| c.is_lowercase())
        && l.jump.is_none()
}

/// Decides whether text line `b` continues text line `a`.
/// `a` is the text of the line before (for the first line of a paragraph
/// opened by an inline credit, the text after the credit) and `a_width` its
/// width.
fn join(
    a: &str,
    a_width: usize,
    b: &Line,
    gap: usize,
    wrap: Option<usize>,
    a_credited: bool,
) -> Join {
    let Shape::Text(inline) = &b.shape else {
        return Join::No;
    };
    if inline.is_some() || a_credited {
        return Join::No;
    }
    if ends_with_hyphenation(a) && b.text.starts_with(|c: char| c.is_lowercase()) {
        return Join::Yes("-");
    }
    let sep = join_separator(a, &b.text);
    let wrapped = wrap.is_some_and(|w| a_width + 1 + first_word_width(&b.text) > w);
    match ending(a) {
        Ending::Continues => Join::Yes(sep),
        Ending::Terminal => {
            if gap == 0 && (wrapped || starts_mid_sentence(&b.text)) {
                Join::Yes(sep)
            } else {
                Join::No
            }
        }
        Ending::Open => {
            if starts_mid_sentence(&b.text) || a_width > HEAD_MAX_COLS {
                return Join::Yes(sep);
            }
            // A short CJK fragment of prose (clause punctuation, or a
            // sentence already ended inside it), followed by text that does
            // not look like a heading: prose, or a line opening with a
            // digit or a Latin word (`开了` / `12期…`).
            let fragment = a.chars().next_back().is_some_and(is_cjk)
                && (has_bare_clause_punct(a)
                    || (a_width >= CJK_PROSE_MIN_COLS && a.contains(['。', '！', '？', '；'])))
                && (!heading_shaped(b) || b.text.starts_with(|c: char| c.is_ascii_alphanumeric()));
            if gap == 0 {
                return if wrapped || fragment {
                    Join::Yes(sep)
                } else {
                    Join::No
                };
            }
            // Across a blank line: also a full-width line of a wrapped page.
            let full = wrap.is_some_and(|w| a_width * 10 >= w * 9);
            if full || fragment {
                Join::Yes(sep)
            } else {
                Join::No
            }
        }
    }
}

/// One element of the page after joining.
#[derive(Debug)]
enum Unit {
    /// A paragraph (or heading candidate) made of source lines `lines`.
    Text {
        lines: Vec<usize>,
        text: String,
        credit: Option<Credit>,
        heading: bool,
        jump_out: bool,
        jump_in: bool,
        /// An ALL-CAPS lead-in cut off a brief: the brief's own headline.
        lead_in: bool,
    },
    MdHeading {
        line: usize,
        level: usize,
    },
    Bold {
        line: usize,
    },
    Credit {
        line: usize,
    },
    Caption {
        line: usize,
    },
    Furniture {
        line: usize,
    },
}

impl Unit {
    fn first_line(&self) -> usize {
        match self {
            Unit::Text { lines, .. } => lines[0],
            Unit::MdHeading { line, .. }
            | Unit::Bold { line }
            | Unit::Credit { line }
            | Unit::Caption { line }
            | Unit::Furniture { line } => *line,
        }
    }

    fn is_heading(&self) -> bool {
        matches!(
            self,
            Unit::Text { heading: true, .. } | Unit::MdHeading { .. } | Unit::Bold { .. }
        )
    }

    fn is_credit(&self) -> bool {
        matches!(
            self,
            Unit::Credit { .. }
                | Unit::Text {
                    credit: Some(_),
                    ..
                }
        )
    }
}

/// Whether paragraphs on this page open with an indent and run on over
/// unindented lines (Hong Kong and Taiwan exports, some word processors).
fn indented_page(lines: &[Line]) -> bool {
    let mut opened = 0;
    let mut continued = 0;
    for w in lines.windows(2) {
        let (a, b) = (&w[0], &w[1]);
        if !matches!(a.shape, Shape::Text(_)) || !matches!(b.shape, Shape::Text(_)) {
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

/// Whether furniture of this kind may sit inside a paragraph cut by a page
/// break without ending it.
fn transparent(shape: &Shape) -> bool {
    matches!(
        shape,
        Shape::PageDate(_)
            | Shape::Furniture(
                Furniture::PageNumber
                    | Furniture::Editor
                    | Furniture::Navigation
                    | Furniture::Link
                    | Furniture::Copyright
            )
    )
}

/// Pass 3: joins text lines into units.
fn build_units(lines: &mut [Line], notes: &mut [(LineKind, &'static str)]) -> Vec<Unit> {
    let indented = indented_page(lines);
    let wrap = if indented {
        None
    } else {
        hard_wrap_width(lines)
    };
    // Whether the next significant line after `i` is a credit.
    let mut credited_after = vec![false; lines.len()];
    let mut next_credit = false;
    for i in (0..lines.len()).rev() {
        credited_after[i] = next_credit;
        match &lines[i].shape {
            Shape::Credit(_) | Shape::Text(Some(_)) => next_credit = true,
            Shape::Caption(_) | Shape::Furniture(_) | Shape::PageDate(_) => {}
            _ => next_credit = false,
        }
    }
    // A briefs column: two or more paragraphs opening with an ALL-CAPS
    // lead-in and a colon.
    let briefs = lines
        .iter()
        .filter(|l| matches!(l.shape, Shape::Text(None)) && lead_in_len(&l.text).is_some())
        .take(2)
        .count()
        >= 2;
    let mut units = Vec::new();
    // Whether the last text unit was the body of a brief.
    let mut prev_brief = false;
    let mut i = 0;
    while i < lines.len() {
        let line = &lines[i];
        match &line.shape {
            Shape::Text(_) => {}
            Shape::MdHeading(level) => {
                units.push(Unit::MdHeading {
                    line: i,
                    level: *level,
                });
                i += 1;
                continue;
            }
            Shape::Bold => {
                units.push(Unit::Bold { line: i });
                i += 1;
                continue;
            }
            Shape::Credit(_) => {
                units.push(Unit::Credit { line: i });
                i += 1;
                continue;
            }
            Shape::Caption(_) => {
                units.push(Unit::Caption { line: i });
                i += 1;
                continue;
            }
            Shape::Furniture(_) | Shape::PageDate(_) => {
                units.push(Unit::Furniture { line: i });
                i += 1;
                continue;
            }
        }
        // A run of joined text lines starting at `i`.
        let credit = match &mut lines[i].shape {
            Shape::Text(c) => c.take(),
            _ => None,
        };
        let mut text = match &credit {
            Some(c) => c.rest.clone(),
            None => lines[i].text.to_string(),
        };
        // A brief opens a column (after a heading, furniture or the page
        // top) or follows another brief; a lead-in inside running prose
        // (`WHY IT MATTERS: …`) stays in its article.
        let column_start = match units.last() {
            None | Some(Unit::Furniture { .. }) => true,
            Some(Unit::Text { heading, .. }) => *heading || prev_brief,
            Some(_) => false,
        };
        prev_brief = false;
        if briefs && credit.is_none() && column_start {
            if let Some(n) = lead_in_len(&text) {
                prev_brief = true;
                units.push(Unit::Text {
                    lines: vec![i],
                    text: text[..n].trim_end_matches(':').trim().to_owned(),
                    credit: None,
                    heading: true,
                    jump_out: false,
                    jump_in: false,
                    lead_in: true,
                });
                notes[i] = (LineKind::Headline, "ALL-CAPS lead-in of a brief");
                text = text[n..].trim_start().to_owned();
            }
        }
        let mut members = vec![i];
        let mut jump_out = lines[i].jump == Some(Furniture::JumpOut);
        let jump_in = lines[i].jump == Some(Furniture::JumpIn);
        let mut last = i;
        let mut j = i + 1;
        let mut skipped = Vec::new();
        while j < lines.len() && !jump_out {
            if transparent(&lines[j].shape) {
                skipped.push(j);
                j += 1;
                continue;
            }
            let gap = lines[j].gap + skipped.len();
            let a_text: &str = if members.len() == 1 {
                &text
            } else {
                &lines[last].text
            };
            let a_width = lines[last].width;
            let credited = members.len() == 1 && credit.is_none() && credited_after[last];
            let decision = if lines[j].jump == Some(Furniture::JumpIn) {
                Join::No
            } else if indented && matches!(lines[j].shape, Shape::Text(None)) {
                // Indented pages: an indented line opens a paragraph, an
                // unindented one right below continues it.
                if lines[j].indent || gap > 0 {
                    Join::No
                } else if lines[i].indent {
                    Join::Yes(join_separator(a_text, &lines[j].text))
                } else {
                    join(a_text, a_width, &lines[j], gap, wrap, credited)
                }
            } else {
                join(a_text, a_width, &lines[j], gap, wrap, credited)
            };
            let Join::Yes(sep) = decision else { break };
            if !skipped.is_empty() {
                for &s in &skipped {
                    units.push(Unit::Furniture { line: s });
                }
                skipped.clear();
            }
            if sep == "-" {
                text.pop();
            } else {
                text.push_str(sep);
            }
            text.push_str(&lines[j].text);
            notes[j] = (LineKind::Joined, join_reason(&lines[last], &lines[j]));
            members.push(j);
            jump_out = lines[j].jump == Some(Furniture::JumpOut);
            last = j;
            j += 1;
        }
        // A headline wrapped over a few short lines right above its byline.
        let wrapped_head = (2..=HEAD_MAX_WRAPPED_LINES).contains(&members.len())
            && credit.is_none()
            && credited_after[last]
            && !(indented && lines[i].indent)
            && !lines[i].text.starts_with(|c: char| c.is_lowercase())
            && ending(&lines[last].text) == Ending::Open
            && members.iter().all(|&m| {
                (m == i || lines[m].gap == 0)
                    && lines[m].width <= HEAD_MAX_COLS / 2
                    && ending(&lines[m].text) != Ending::Terminal
                    && lines[m].jump.is_none()
            });
        let heading = wrapped_head
            || (members.len() == 1
                && credit.is_none()
                && heading_shaped(&lines[i])
                && !(indented && lines[i].indent)
                && !matches!(
                    lines.get(j).map(|l| &l.shape),
                    Some(Shape::Furniture(Furniture::JumpOut))
                )
                && (credited_after[i]
                    || !has_bare_clause_punct(&lines[i].text)
                    || numbering_len(&lines[i].text) > 0));
        if heading {
            let b = bullet_len(&text);
            if b > 0 {
                text = text[b..].trim_start().to_owned();
            }
        }
        units.push(Unit::Text {
            lines: members,
            text,
            credit,
            heading,
            jump_out,
            jump_in,
            lead_in: false,
        });
        // Furniture skipped without a join is emitted after the paragraph.
        i = if skipped.is_empty() { j } else { skipped[0] };
    }
    units
}

/// The length of an ALL-CAPS lead-in opening a brief, colon included
/// (`ROAD WORK: Crews will…`): at least four capital letters, a colon, and
/// a sentence after it.
fn lead_in_len(s: &str) -> Option<usize> {
    if !s.starts_with(|c: char| c.is_ascii_uppercase()) {
        return None;
    }
    let colon = s
        .bytes()
        .take(LEAD_IN_MAX_BYTES + 1)
        .position(|b| b == b':')?;
    let head = &s[..colon];
    let letters = head.chars().filter(char::is_ascii_uppercase).count();
    let ok = letters >= 4
        && head.chars().all(|c| {
            c.is_ascii_uppercase()
                || c.is_ascii_digit()
                || matches!(c, ' ' | '&' | '\'' | '’' | '-' | '.')
        });
    let rest = s[colon + 1..].trim_start();
    (ok && rest.len() > 20
        && rest.starts_with(|c: char| {
            c.is_uppercase() || c.is_ascii_digit() || matches!(c, '"' | '“')
        }))
    .then_some(colon + 1)
}

/// The length of a bullet opening a headline (`■ `, `● `, `◆`), spaces
/// included; 0 if there is none.
fn bullet_len(s: &str) -> usize {
    let Some(first) = s.chars().next() else {
        return 0;
    };
    if !matches!(
        first,
        '■' | '□' | '◆' | '◇' | '●' | '○' | '▲' | '►' | '▶' | '★' | '☆' | '•' | '▪'
    ) {
        return 0;
    }
    let rest = &s[first.len_utf8()..];
    let body = rest.trim_start();
    if body.starts_with(|c: char| c.is_alphanumeric() || is_cjk(c)) {
        s.len() - body.len()
    } else {
        0
    }
}

fn join_reason(a: &Line, b: &Line) -> &'static str {
    if ends_with_hyphenation(&a.text) {
        return "hyphenated word continued";
    }
    match ending(&a.text) {
        Ending::Continues => "previous line ends mid-sentence (，、：)",
        Ending::Terminal => "line wrapped at the page width",
        Ending::Open if starts_mid_sentence(&b.text) => "continues a sentence",
        Ending::Open if a.width > HEAD_MAX_COLS => "previous line cut without terminal punctuation",
        Ending::Open => "previous line is a cut fragment",
    }
}

/// An article being assembled.
#[derive(Debug, Default)]
struct Draft {
    article: Article,
    jumped_out: bool,
    has_body: bool,
    /// Signed at its end: text after the signature is not the article's.
    closed: bool,
}

/// A headline stack resolved into its parts.
struct Stack {
    section: Option<usize>,
    kicker: Option<usize>,
    title: usize,
    subtitle: Option<usize>,
}

/// A line wholly inside 【】 or [] (`【城南论坛】`): a column banner.
fn bracketed(s: &str) -> bool {
    (s.starts_with('【') && s.ends_with('】')) || (s.starts_with('[') && s.ends_with(']'))
}

fn starts_with_dash(s: &str) -> bool {
    s.starts_with(['—', '–', '-', '－'])
}

/// Assigns the lines of a headline stack (unit indices) to their roles.
/// `gaps[k]` is the number of blank lines before member `k`.
fn resolve_stack(members: &[usize], texts: &[&str], gaps: &[usize], page_top: bool) -> Stack {
    let mut start = 0;
    let mut section = None;
    // A banner: the first of several lines, set apart by a blank line.
    if members.len() >= 2 && gaps[1] >= 1 && (page_top || gaps[1] >= 2 || bracketed(texts[0])) {
        section = Some(members[0]);
        start = 1;
    }
    let rest = &members[start..];
    let rest_texts = &texts[start..];
    match rest.len() {
        0 => Stack {
            section: None,
            kicker: None,
            title: members[0],
            subtitle: None,
        },
        1 => Stack {
            section,
            kicker: None,
            title: rest[0],
            subtitle: None,
        },
        2 => {
            let latin = rest_texts[0].chars().all(|c| !is_cjk(c));
            let kicker_first = !starts_with_dash(rest_texts[1])
                && (!latin
                    || rest_texts[0].ends_with(':')
                    || rest_texts[0].chars().all(|c| !c.is_lowercase()));
            if kicker_first {
                Stack {
                    section,
                    kicker: Some(rest[0]),
                    title: rest[1],
                    subtitle: None,
                }
            } else {
                Stack {
                    section,
                    kicker: None,
                    title: rest[0],
                    subtitle: Some(rest[1]),
                }
            }
        }
        n => Stack {
            section,
            kicker: Some(rest[n - 3]),
            title: rest[n - 2],
            subtitle: Some(rest[n - 1]),
        },
    }
}

fn push_authors(article: &mut Article, authors: &[Author]) {
    for a in authors {
        if !article.authors.contains(a) {
            article.authors.push(a.clone());
        }
    }
}

/// Reads a newspaper page. With `explain`, also records what every source
/// line was taken for.
pub(crate) fn parse(input: &str, explain: Option<&mut Vec<Explained>>) -> Page {
    let mut lines = read_lines(input);
    let page_label = if lines.is_empty() {
        None
    } else {
        refine_lines(input, &mut lines)
    };
    mark_contents(&mut lines);
    let mut notes: Vec<(LineKind, &'static str)> = lines
        .iter()
        .map(|l| match &l.shape {
            Shape::Furniture(f) => (LineKind::Furniture, f.why()),
            Shape::PageDate(_) => (LineKind::Furniture, "page date"),
            Shape::Credit(c) => (LineKind::Credit, c.why),
            Shape::Caption(_) => (
                LineKind::Caption,
                "photo caption (△ / Photo: / …摄 / …供图)",
            ),
            _ => (LineKind::Paragraph, "prose"),
        })
        .collect();
    let page_date = lines.iter().find_map(|l| match l.shape {
        Shape::PageDate(d) => Some(Dated::Day(d)),
        _ => None,
    });
    let units = build_units(&mut lines, &mut notes);
    let mut units = units;
    let mut bulletin = assemble(&lines, &mut units, &mut notes);
    if let Some(out) = explain {
        for (l, (kind, why)) in lines.iter().zip(notes) {
            let why = match &l.shape {
                Shape::Credit(c) if kind == LineKind::Credit => format!("{why}: {}", c.prefix),
                _ => why.to_owned(),
            };
            out.push(Explained {
                line: l.no,
                kind,
                text: l.text.to_string(),
                why,
            });
        }
    }
    bulletin.articles.retain(|a| !a.title.is_empty());
    if bulletin.section.is_none() && !bulletin.articles.is_empty() {
        bulletin.section = page_label;
    }
    Page {
        bulletin,
        page_date,
    }
}

/// The Markdown heading level that starts articles: the shallowest level,
/// unless it is used once, first, as the page title above deeper headings.
/// Returns the level and, for such a page title, its unit.
fn article_level(units: &[Unit]) -> Option<(usize, Option<usize>)> {
    let levels: Vec<(usize, usize)> = units
        .iter()
        .enumerate()
        .filter_map(|(i, u)| match u {
            Unit::MdHeading { level, .. } => Some((i, *level)),
            _ => None,
        })
        .collect();
    let min = levels.iter().map(|&(_, l)| l).min()?;
    let at_min: Vec<usize> = levels
        .iter()
        .filter(|&&(_, l)| l == min)
        .map(|&(i, _)| i)
        .collect();
    let deeper = levels.iter().map(|&(_, l)| l).filter(|&l| l > min).min();
    let first_content = units
        .iter()
        .position(|u| !matches!(u, Unit::Furniture { .. }));
    if let (1, Some(next), Some(first)) = (at_min.len(), deeper, first_content) {
        if at_min[0] == first {
            return Some((next, Some(at_min[0])));
        }
    }
    Some((min, None))
}

fn unit_text<'a>(lines: &'a [Line], u: &'a Unit) -> &'a str {
    match u {
        Unit::Text { text, .. } => text,
        other => &lines[other.first_line()].text,
    }
}

/// Pass 4: units → articles.
fn assemble(
    lines: &[Line],
    units: &mut [Unit],
    notes: &mut [(LineKind, &'static str)],
) -> Bulletin {
    let md = article_level(units);
    let credit_mode = units.iter().enumerate().any(|(i, u)| {
        u.is_heading()
            && units[i + 1..]
                .iter()
                .find(|n| !matches!(n, Unit::Furniture { .. } | Unit::Caption { .. }))
                .is_some_and(Unit::is_credit)
    });
    // The typography of credited headlines: when every one of them is a
    // `**bold**` line, every bold line on the page is a headline too.
    let mut credited_styles = (0usize, 0usize);
    for (i, u) in units.iter().enumerate() {
        let credited = units[i + 1..]
            .iter()
            .find(|n| !matches!(n, Unit::Furniture { .. } | Unit::Caption { .. }))
            .is_some_and(Unit::is_credit);
        match u {
            Unit::Bold { .. } if credited => credited_styles.0 += 1,
            Unit::Text { heading: true, .. } if credited => credited_styles.1 += 1,
            _ => {}
        }
    }
    let bold_headlines = credited_styles.0 > 0 && credited_styles.1 == 0;
    // The numbering scheme of the first numbered headline.
    let mut article_scheme: Option<u8> = None;
    let mut bulletin = Bulletin::default();
    let mut drafts: Vec<Draft> = Vec::new();
    let mut current: Option<usize> = None;
    let mut pending_captions: Vec<usize> = Vec::new();
    let mut pending_authors: Vec<Author> = Vec::new();
    let mut join_to_last = false;
    // Whether any story on the page jumps to another page; without one, no
    // draft is ever searched for a continuation.
    let page_jumps = lines.iter().any(|l| {
        l.jump == Some(Furniture::JumpOut)
            || matches!(l.shape, Shape::Furniture(Furniture::JumpOut))
    });
    // A Markdown page title over every article.
    let mut page_section: Option<String> = None;

    let mut i = 0;
    while i < units.len() {
        let u = &units[i];
        let mut paragraph_to: Option<usize> = None;
        // (`page_jumps` spares pages without jumps the scans over drafts.)
        // Markdown headings decide for themselves.
        if let Unit::MdHeading { line, level } = u {
            let (art_level, banner) = md.unwrap_or((*level, None));
            if banner == Some(i) {
                page_section = Some(lines[*line].text.to_string());
                notes[*line] = (
                    LineKind::Section,
                    "Markdown page title above deeper headings",
                );
                i += 1;
                continue;
            }
            if *level > art_level && current.is_some() {
                if let Some(c) = current {
                    drafts[c]
                        .article
                        .blocks
                        .push(Block::Subheading(lines[*line].text.to_string()));
                    drafts[c].has_body = true;
                }
                notes[*line] = (
                    LineKind::Subheading,
                    "Markdown heading below the article level",
                );
                i += 1;
                continue;
            }
        }
        if u.is_heading() {
            // Collect the stack of heading units.
            let mut members = vec![i];
            let is_md = matches!(u, Unit::MdHeading { .. });
            let lead_in = matches!(u, Unit::Text { lead_in: true, .. });
            let mut k = i + 1;
            // A brief's lead-in stands alone; a bulleted headline opens a
            // stack of its own.
            while !is_md
                && !lead_in
                && k < units.len()
                && units[k].is_heading()
                && !matches!(
                    units[k],
                    Unit::MdHeading { .. } | Unit::Text { lead_in: true, .. }
                )
                && bullet_len(&lines[units[k].first_line()].text) == 0
            {
                members.push(k);
                k += 1;
            }
            let next = units[k..]
                .iter()
                .find(|n| !matches!(n, Unit::Furniture { .. } | Unit::Caption { .. }));
            let credited = next.is_some_and(Unit::is_credit);
            let adjacent_stack = members.len() >= 2
                && members[1..]
                    .iter()
                    .any(|&m| lines[units[m].first_line()].gap == 0);
            let continues = drafts.iter().position(|d| {
                page_jumps
                    && d.jumped_out
                    && members
                        .iter()
                        .any(|&m| unit_text(lines, &units[m]) == d.article.title)
            });
            let jump_head = units[k..]
                .iter()
                .take_while(|n| {
                    matches!(
                        n,
                        Unit::Furniture { .. }
                            | Unit::Caption { .. }
                            | Unit::Text { jump_in: true, .. }
                    )
                })
                .any(|n| match n {
                    Unit::Furniture { line } => {
                        matches!(lines[*line].shape, Shape::Furniture(Furniture::JumpIn))
                    }
                    Unit::Text { jump_in, .. } => *jump_in,
                    _ => false,
                })
                || matches!(next, Some(Unit::Text { jump_in: true, .. }));
            if jump_head && page_jumps && drafts.iter().any(|d| d.jumped_out) {
                // A jump head (`Budget`) over the rest of a story continued
                // from another page: the jump line that follows resumes it.
                for &m in &members {
                    notes[units[m].first_line()] =
                        (LineKind::Furniture, "jump head over a continued story");
                }
                i = k;
                continue;
            }
            if let Some(d) = continues {
                // A jump head repeating the headline of an article that was
                // continued from another page.
                current = Some(d);
                drafts[d].jumped_out = false;
                join_to_last = true;
                for &m in &members {
                    notes[units[m].first_line()] = (
                        LineKind::Furniture,
                        "jump head repeating a continued headline",
                    );
                }
                i = k;
                continue;
            }
            // A stack with no body before the next heading is a masthead or
            // a banner of the page, not an article.
            if !is_md && next.is_none_or(Unit::is_heading) {
                for &m in &members {
                    notes[units[m].first_line()] = (
                        LineKind::Furniture,
                        "masthead / banner: no body before the next heading",
                    );
                }
                i = k;
                continue;
            }
            let scheme = numbering_scheme(unit_text(lines, &units[members[0]]));
            // A numbered heading of another scheme than the numbered
            // articles (`（一）` under `二、`) is a section of the article.
            let sub_numbered = members.len() == 1
                && current.is_some()
                && article_scheme.is_some()
                && scheme != article_scheme;
            let is_article = !sub_numbered
                && (is_md
                    || credited
                    || lead_in
                    || current.is_some_and(|c| drafts[c].closed)
                    || (bold_headlines && matches!(units[members[0]], Unit::Bold { .. }))
                    || current.is_none()
                    || adjacent_stack
                    || (!credit_mode && !jump_head && md.is_none()));
            if !is_article {
                if let Some(c) = current {
                    for &m in &members {
                        let t = unit_text(lines, &units[m]).to_owned();
                        drafts[c].article.blocks.push(Block::Subheading(t));
                        notes[units[m].first_line()] = (
                            LineKind::Subheading,
                            "short line without terminal punctuation inside an article, no credit follows",
                        );
                    }
                    drafts[c].has_body = true;
                }
                i = k;
                continue;
            }
            let texts: Vec<&str> = members
                .iter()
                .map(|&m| unit_text(lines, &units[m]))
                .collect();
            let gaps: Vec<usize> = members
                .iter()
                .map(|&m| lines[units[m].first_line()].gap)
                .collect();
            let stack = resolve_stack(&members, &texts, &gaps, drafts.is_empty());
            let mut article = Article {
                title: unit_text(lines, &units[stack.title]).to_owned(),
                line: lines[units[stack.title].first_line()].no,
                section: page_section.clone(),
                ..Default::default()
            };
            let why_title = if is_md {
                "Markdown heading at the article level"
            } else if credited {
                "headline: a credit follows"
            } else if current.is_none() {
                "headline: first heading on the page"
            } else if adjacent_stack {
                "headline: part of a headline stack"
            } else {
                "headline: page has no credits, every heading starts an article"
            };
            if !lead_in {
                notes[units[stack.title].first_line()] = (LineKind::Headline, why_title);
            }
            if let Some(s) = stack.section {
                let t = unit_text(lines, &units[s])
                    .trim_start_matches(['【', '['])
                    .trim_end_matches(['】', ']'])
                    .trim()
                    .to_owned();
                article.section = Some(t);
                notes[units[s].first_line()] =
                    (LineKind::Section, "banner set apart above the headline");
            }
            if let Some(kk) = stack.kicker {
                article.kicker = Some(unit_text(lines, &units[kk]).to_owned());
                notes[units[kk].first_line()] =
                    (LineKind::Kicker, "line above the headline in its stack");
            }
            if let Some(s) = stack.subtitle {
                article.subtitle = Some(unit_text(lines, &units[s]).to_owned());
                notes[units[s].first_line()] =
                    (LineKind::Subtitle, "line below the headline in its stack");
            }
            push_authors(&mut article, &pending_authors);
            pending_authors.clear();
            for c in pending_captions.drain(..) {
                if let Shape::Caption(credit) = &lines[c].shape {
                    article.blocks.push(Block::Caption {
                        text: lines[c].text.to_string(),
                        credit: credit.clone(),
                    });
                }
            }
            if article_scheme.is_none() {
                article_scheme = numbering_scheme(&article.title);
            }
            drafts.push(Draft {
                article,
                ..Default::default()
            });
            current = Some(drafts.len() - 1);
            join_to_last = false;
            i = k;
            continue;
        }
        match u {
            Unit::Credit { line } => {
                if let Shape::Credit(c) = &lines[*line].shape {
                    match current {
                        Some(d) if lines[*line].signature => {
                            push_authors(&mut drafts[d].article, &c.authors);
                            drafts[d].closed = true;
                        }
                        Some(d) => push_authors(&mut drafts[d].article, &c.authors),
                        None => pending_authors.extend(c.authors.iter().cloned()),
                    }
                }
            }
            Unit::Caption { line } => match current {
                Some(d) => {
                    if let Shape::Caption(credit) = &lines[*line].shape {
                        drafts[d].article.blocks.push(Block::Caption {
                            text: lines[*line].text.to_string(),
                            credit: credit.clone(),
                        });
                    }
                }
                None => pending_captions.push(*line),
            },
            Unit::Furniture { line } => {
                if matches!(lines[*line].shape, Shape::Furniture(Furniture::JumpOut)) {
                    if let Some(d) = current {
                        drafts[d].jumped_out = true;
                    }
                }
                if matches!(lines[*line].shape, Shape::Furniture(Furniture::JumpIn)) {
                    if let Some(d) = drafts.iter().rposition(|d| d.jumped_out) {
                        if let Some(c) = current {
                            if c != d
                                && !drafts[c].has_body
                                && drafts[c].article.title == drafts[d].article.title
                            {
                                drafts.remove(c);
                            }
                        }
                        let d = drafts.iter().rposition(|d| d.jumped_out).unwrap_or(0);
                        current = Some(d);
                        drafts[d].jumped_out = false;
                        join_to_last = true;
                    }
                }
            }
            Unit::Text {
                lines: members,
                text,
                credit,
                jump_out,
                jump_in,
                ..
            } => {
                if *jump_in {
                    if let Some(d) = drafts.iter().rposition(|d| d.jumped_out) {
                        current = Some(d);
                        drafts[d].jumped_out = false;
                        join_to_last = true;
                    }
                }
                let first = members[0];
                if credit.is_some() {
                    notes[first] = (LineKind::Credit, credit.as_ref().map_or("", |c| c.why));
                }
                match current {
                    None => {
                        // Prose before any headline: page furniture (intros,
                        // mastheads) unless the page has no headline at all.
                        notes[first] = (LineKind::Furniture, "text before the first headline");
                        for &m in &members[1..] {
                            notes[m] = (LineKind::Furniture, "text before the first headline");
                        }
                        if let Some(c) = credit {
                            pending_authors.extend(c.authors.iter().cloned());
                        }
                    }
                    Some(d) if drafts[d].closed => {
                        // Text after a signature, before any new headline:
                        // notes of the page (a letters policy), not the
                        // signed article's.
                        for &m in members.iter() {
                            notes[m] = (LineKind::Furniture, "text after a signed article");
                        }
                    }
                    Some(d) => {
                        let draft = &mut drafts[d];
                        if let Some(c) = credit {
                            push_authors(&mut draft.article, &c.authors);
                        }
                        if !text.is_empty() {
                            if credit.is_none() && notes[first].0 != LineKind::Headline {
                                notes[first] = (LineKind::Paragraph, "prose");
                            }
                            let appended = join_to_last
                                && match draft
                                    .article
                                    .blocks
                                    .iter_mut()
                                    .rev()
                                    .find(|b| matches!(b, Block::Paragraph(_)))
                                {
                                    Some(Block::Paragraph(p)) if ending(p) != Ending::Terminal => {
                                        let sep = join_separator(p, text);
                                        p.push_str(sep);
                                        p.push_str(text);
                                        notes[first] =
                                            (LineKind::Joined, "continued from another page");
                                        true
                                    }
                                    _ => false,
                                };
                            if !appended {
                                // Moved out of the unit after this match.
                                paragraph_to = Some(d);
                            }
                            draft.has_body = true;
                        }
                        if *jump_out {
                            draft.jumped_out = true;
                        }
                        join_to_last = false;
                    }
                }
            }
            _ => {}
        }
        if let (Some(d), Some(Unit::Text { text, .. })) = (paragraph_to, units.get_mut(i)) {
            drafts[d]
                .article
                .blocks
                .push(Block::Paragraph(std::mem::take(text)));
        }
        i += 1;
    }
    if drafts.is_empty() {
        return untitled(lines, units, bulletin, notes);
    }
    bulletin.articles = drafts.into_iter().map(|d| d.article).collect();
    // The bulletin's own section is a banner that covers every article; a
    // banner over some articles stays on those articles only.
    let first = bulletin.articles.first().and_then(|a| a.section.clone());
    bulletin.section = first.filter(|s| {
        bulletin
            .articles
            .iter()
            .all(|a| a.section.as_deref() == Some(s.as_str()))
    });
    bulletin
}

/// A page without any headline: one article titled by its first line.
fn untitled(
    lines: &[Line],
    units: &[Unit],
    mut bulletin: Bulletin,
    notes: &mut [(LineKind, &'static str)],
) -> Bulletin {
    let mut article = Article::default();
    for u in units {
        match u {
            Unit::Text {
                text,
                credit,
                lines: members,
                ..
            } => {
                if let Some(c) = credit {
                    push_authors(&mut article, &c.authors);
                }
                if text.is_empty() {
                    continue;
                }
                if article.title.is_empty() {
                    article.title = first_sentence(text);
                    article.line = lines[members[0]].no;
                    notes[members[0]] = (
                        LineKind::Headline,
                        "page has no headline: first line titles it",
                    );
                }
                article.blocks.push(Block::Paragraph(text.clone()));
            }
            Unit::Credit { line } => {
                if let Shape::Credit(c) = &lines[*line].shape {
                    push_authors(&mut article, &c.authors);
                }
            }
            Unit::Caption { line } => {
                if let Shape::Caption(credit) = &lines[*line].shape {
                    article.blocks.push(Block::Caption {
                        text: lines[*line].text.to_string(),
                        credit: credit.clone(),
                    });
                }
            }
            _ => {}
        }
    }
    if !article.title.is_empty() {
        bulletin.articles.push(article);
    }
    bulletin
}

/// The first sentence of `text`, at most a headline's length.
fn first_sentence(text: &str) -> String {
    let mut out = String::new();
    let mut w = 0;
    for c in text.chars() {
        if matches!(c, '。' | '！' | '？' | '.' | '!' | '?') || w + char_width(c) > HEAD_MAX_COLS
        {
            break;
        }
        w += char_width(c);
        out.push(c);
    }
    out.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endings() {
        let cases = [
            ("完成了。", Ending::Terminal),
            ("他说：“很方便！”", Ending::Terminal),
            ("The vote was close.", Ending::Terminal),
            ("召开专题会议、", Ending::Continues),
            ("新华村主要负责人说：", Ending::Continues),
            ("the plan,", Ending::Continues),
            ("The council voted on", Ending::Continues),
            ("Council approves new budget", Ending::Open),
            ("让群众喜", Ending::Open),
            ("江海区实行“六学模式”", Ending::Open),
            ("（一）严格质量管理", Ending::Open),
            ("", Ending::Open),
        ];
        for (s, want) in cases {
            assert_eq!(ending(s), want, "{s}");
        }
    }

    #[test]
    fn widths() {
        let cases = [
            ("abc", 3),
            ("中文", 4),
            ("“引号”", 2 + 4),
            ("é€", 2),
            ("🙂𠀀", 4),
            ("ｱ", 1),
            ("\u{3000}", 2),
        ];
        assert_eq!(width(&"中".repeat(1000)), WIDTH_CAP + 1);
        for (s, want) in cases {
            assert_eq!(width(s), want, "{s}");
            let by_chars: usize = s
                .chars()
                .map(|c| {
                    if (c as u32) > 0xffff {
                        2
                    } else {
                        char_width(c)
                    }
                })
                .sum();
            assert_eq!(width(s), by_chars, "{s}");
        }
    }

    #[test]
    fn numbering() {
        let cases = [
            ("1. Curbside leaf collection", Some(1)),
            ("１．城区新增口袋公园", Some(1)),
            ("12、会议要求", Some(1)),
            ("一、县政府召开防汛工作部署会", Some(2)),
            ("（一）严格质量管理", Some(2 + 1)),
            ("(1) Roads", Some(4)),
            ("①第一条", Some(5)),
            ("1.5 million people", None),
            ("2022. A year", None),
            ("江海区", None),
        ];
        for (s, want) in cases {
            assert_eq!(numbering_scheme(s), want, "{s}");
        }
    }

    #[test]
    fn clause_fragments() {
        let cases = [
            ("针对党员人数少、流动性大的两新组织", true),
            ("团区委开展“共青团与人大代表、政协委员面对面”活动", false),
            ("一、县政府召开防汛工作部署会", false),
            ("领导带头 先学一步 深学一层", false),
            ("坚持稳中求进，推动高质量发展", true),
        ];
        for (s, want) in cases {
            assert_eq!(has_bare_clause_punct(s), want, "{s}");
        }
    }

    #[test]
    fn lead_ins_and_bullets() {
        let lead_ins = [
            (
                "ROAD WORK: Crews will repave Elm Street on Monday.",
                Some(10),
            ),
            (
                "FOOD BANK DRIVE: The Riverton Food Bank is collecting.",
                Some(16),
            ),
            ("Q: What did the council decide about it?", None),
            ("NOTE: short.", None),
            ("Road work: crews will repave Elm Street on Monday.", None),
        ];
        for (s, want) in lead_ins {
            assert_eq!(lead_in_len(s), want, "{s}");
        }
        let bullets = [
            ("■ 城南图书馆延长开放时间", "■ ".len()),
            ("●社区运动会闭幕", "●".len()),
            ("■■■", 0),
            ("城南图书馆", 0),
        ];
        for (s, want) in bullets {
            assert_eq!(bullet_len(s), want, "{s}");
        }
    }

    #[test]
    fn signature_and_name_shapes() {
        let names = [
            ("Margaret Lowell", true),
            ("Mary Ann de Vries", false),
            ("J. R. Smith", true),
            ("Keep the pool open", false),
            ("Council Votes Yes On Budget Plan", false),
        ];
        for (s, want) in names {
            assert_eq!(is_signature_name(s), want, "{s}");
        }
        let places = [
            ("Eastfield", true),
            ("Hadley, Mass.", true),
            ("the end of the year", false),
        ];
        for (s, want) in places {
            assert_eq!(is_place_line(s), want, "{s}");
        }
        let cjk = [
            ("李文涛", true),
            ("张三", true),
            ("买买提·艾力", true),
            ("雪落无声", false),
            ("短讯", true),
            ("张", false),
        ];
        for (s, want) in cjk {
            assert_eq!(is_bare_cjk_name(s), want, "{s}");
        }
        let attributions = [
            ("— Denise Ortiz, owner of Ortiz Hardware", true),
            ("——张三", true),
            ("Denise Ortiz", false),
            ("— and then it rained.", false),
        ];
        for (s, want) in attributions {
            assert_eq!(is_attribution(s), want, "{s}");
        }
    }

    #[test]
    fn english_page_rules() {
        /// (page, titles, authors of the first article, first paragraph,
        /// section)
        type Case<'a> = (
            &'a str,
            &'a [&'a str],
            &'a [&'a str],
            &'a str,
            Option<&'a str>,
        );
        let cases: &[Case] = &[
            // Running head names the section; wrapped headline; job title
            // under the byline; local dateline.
            (
                "LOCAL NEWS      Page 3\n\nCity hall roof to be\nreplaced this summer\n\nBy Ann Lee\nStaff Writer\n\nHADLEY — The roof will be replaced.\n",
                &["City hall roof to be replaced this summer"],
                &["Ann Lee"],
                "The roof will be replaced.",
                Some("LOCAL NEWS"),
            ),
            // Signed letters; text after the last signature is the page's.
            (
                "Fix the road\n\nThe road is bad.\n\nAnn Lee\nHadley\n\nSave the pool\n\nThe pool is nice.\n\nBo Chan\nEastfield\n\nLetters must be short.\n",
                &["Fix the road", "Save the pool"],
                &["Ann Lee"],
                "The road is bad.",
                None,
            ),
            // A briefs column after a label.
            (
                "Main story\n\nBy Ann Lee\n\nText of the story.\n\nBRIEFLY\n\nROAD WORK: Crews will repave Elm Street on Monday.\n\nBOOK SALE: The library sells old books on Friday.\n",
                &["Main story", "ROAD WORK", "BOOK SALE"],
                &["Ann Lee"],
                "Text of the story.",
                None,
            ),
        ];
        for (page, want_titles, want_authors, first, section) in cases {
            let b = parse(page, None).bulletin;
            let got: Vec<&str> = b.articles.iter().map(|a| a.title.as_str()).collect();
            assert_eq!(got, *want_titles, "{page}");
            let authors: Vec<&str> = b.articles[0]
                .authors
                .iter()
                .map(|a| a.name.as_str())
                .collect();
            assert_eq!(authors, *want_authors, "{page}");
            assert_eq!(
                b.articles[0].blocks.first(),
                Some(&Block::Paragraph((*first).to_owned())),
                "{page}"
            );
            assert_eq!(b.section.as_deref(), *section, "{page}");
            let all = b
                .articles
                .iter()
                .map(Article::plain_text)
                .collect::<Vec<_>>()
                .join("\n");
            for gone in [
                "Staff Writer",
                "HADLEY —",
                "Hadley",
                "Letters must",
                "BRIEFLY",
            ] {
                assert!(!all.contains(gone), "{gone} in {all}");
            }
        }
    }

    #[test]
    fn title_case_stack_above_a_byline_is_no_signature() {
        let page = "First story\n\nBy Ann Lee\n\nThe first story ends here.\n\nCouncil Votes Yes\nBudget Passes\n\nBy Bo Chan\n\nThe vote was close.\n";
        let b = parse(page, None).bulletin;
        let got: Vec<(&str, Option<&str>)> = b
            .articles
            .iter()
            .map(|a| (a.title.as_str(), a.subtitle.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                ("First story", None),
                ("Council Votes Yes", Some("Budget Passes"))
            ]
        );
        assert_eq!(b.articles[1].authors[0].name, "Bo Chan");
    }

    #[test]
    fn lead_ins_inside_prose_stay_in_the_article() {
        let page = "Council story\n\nBy Ann Lee\n\nThe council met.\n\nWHY IT MATTERS: Rents will rise across the city.\n\nWHAT IS NEXT: A second vote comes in June.\n";
        assert_eq!(titles(page), ["Council story"]);
    }

    #[test]
    fn chinese_page_rules() {
        let page = "第A03版：社会新闻\n\n【城南论坛】\n\n垃圾分类贵在坚持\n\n李文涛\n\n垃圾分类推行已满三年，成了日常习惯。\n\n（作者系市社会科学院研究员）\n\n短讯\n\n■ 图书馆延长开放时间\n本报讯 自11月起，图书馆开放时间延长。\n\n问答专访\n\n本报记者 张三\n\n问：您是怎么开始的？\n\n答：比前几年多了不少。去年我们在社区开了\n12期体验课，很受欢迎。\n";
        let b = parse(page, None).bulletin;
        let got: Vec<(&str, Option<&str>)> = b
            .articles
            .iter()
            .map(|a| (a.title.as_str(), a.section.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                ("垃圾分类贵在坚持", Some("城南论坛")),
                ("图书馆延长开放时间", None),
                ("问答专访", None)
            ]
        );
        assert_eq!(b.section.as_deref(), Some("社会新闻"));
        assert_eq!(b.articles[0].authors[0].name, "李文涛");
        assert_eq!(
            b.articles[2].blocks,
            [
                Block::Paragraph("问：您是怎么开始的？".into()),
                Block::Paragraph(
                    "答：比前几年多了不少。去年我们在社区开了12期体验课，很受欢迎。".into()
                ),
            ]
        );
        assert!(!b.articles[0].plain_text().contains("作者系"));
    }

    fn titles(page: &str) -> Vec<String> {
        parse(page, None)
            .bulletin
            .articles
            .iter()
            .map(|a| a.title.clone())
            .collect()
    }

    fn paragraphs(page: &str) -> Vec<String> {
        parse(page, None)
            .bulletin
            .articles
            .iter()
            .flat_map(|a| &a.blocks)
            .filter_map(|b| match b {
                Block::Paragraph(p) => Some(p.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn joins_paragraphs_cut_by_the_column_flow() {
        let lead = "标题一行\n\n□本报记者 张三\n\n";
        let cases: &[(&str, &[&str])] = &[
            // CJK text cut without punctuation after a long line.
            (
                "第一段很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长，让群众喜\n\n闻乐见的形式，把精神送进千家万户。",
                &["第一段很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长，让群众喜闻乐见的形式，把精神送进千家万户。"],
            ),
            // Clause punctuation at the end of a line.
            ("各级党组织以召开专题会议、\n\n“上讲台”讲党课等方式学习。", &["各级党组织以召开专题会议、“上讲台”讲党课等方式学习。"]),
            ("负责人说：\n\n“为了加强接种。”", &["负责人说：“为了加强接种。”"]),
            // Terminal punctuation ends a paragraph.
            ("第一段。\n第二段。", &["第一段。", "第二段。"]),
            // English hyphenation and lower-case continuation.
            ("The rules give officials infor-\nmation they need.", &["The rules give officials information they need."]),
            ("The council voted on\nTuesday to approve it.\n\nA second paragraph.", &["The council voted on Tuesday to approve it.", "A second paragraph."]),
        ];
        for (body, want) in cases {
            let page = format!("{lead}{body}");
            assert_eq!(paragraphs(&page), *want, "{body}");
        }
    }

    #[test]
    fn finds_headlines_subheadings_and_stacks() {
        let page = "人民日报\n\n2022年12月9日 星期五\n\n一条古街的新生\n老街改造迎来返乡青年\n——“留得住乡愁”\n\n□本报记者 吴晓峰\n\n正文第一段。\n\n小标题\n\n正文第二段。\n\n第二篇文章标题\n\n本报讯（记者 李四）正文。\n";
        let b = parse(page, None).bulletin;
        let got: Vec<_> = b
            .articles
            .iter()
            .map(|a| (a.kicker.as_deref(), a.title.as_str(), a.subtitle.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                (
                    Some("一条古街的新生"),
                    "老街改造迎来返乡青年",
                    Some("——“留得住乡愁”")
                ),
                (None, "第二篇文章标题", None),
            ]
        );
        assert_eq!(b.articles[0].blocks[1], Block::Subheading("小标题".into()));
        assert_eq!(
            b.articles[1].names_with(Role::Reporter).collect::<Vec<_>>(),
            ["李四"]
        );
        assert_eq!(
            parse(page, None).page_date,
            chrono::NaiveDate::from_ymd_opt(2022, 12, 9).map(Dated::Day)
        );
    }

    #[test]
    fn headline_forms() {
        let cases: &[(&str, &[&str])] = &[
            // Markdown headings inside a .txt; the lone top heading is a banner.
            (
                "# 社区周报\n\n## 第一篇\n\n正文。\n\n### 小节\n\n正文。\n\n## 第二篇\n\n正文。\n",
                &["第一篇", "第二篇"],
            ),
            // Bold headline lines.
            (
                "**Boiler replaced**\n\n_By Sarah Kim_\n\nText.\n\n**Garden plots open**\n\nText.\n",
                &["Boiler replaced", "Garden plots open"],
            ),
            // Numbered items without credits; sub-numbering stays inside.
            (
                "一、第一件事\n\n正文。\n\n（一）细节\n\n正文。\n\n二、第二件事\n\n正文。\n",
                &["一、第一件事", "二、第二件事"],
            ),
            // A page with no headline at all.
            ("Just one paragraph of text. And more.\n", &["Just one paragraph of text"]),
        ];
        for (page, want) in cases {
            assert_eq!(titles(page), *want, "{page}");
        }
    }

    #[test]
    fn furniture_and_contents_never_become_articles() {
        let page = "上一版 下一版\n----\n本版导读\n· 甲地新闻\n· 乙地新闻\n第3版\n\n甲地新闻\n\n本报记者 张三\n\n正文。\n\n乙地新闻\n\n本报记者 李四\n\n正文。\n\n责任编辑：王五\n- 3 -\n";
        assert_eq!(titles(page), ["甲地新闻", "乙地新闻"]);
    }

    #[test]
    fn jumps_continue_one_article() {
        let page = "头条新闻\n\n本报记者 张三\n\n第一段讲到吞吐能力\n（下转第2版）\n\n次条\n\n本报记者 李四\n\n正文。\n\n第2版\n\n头条新闻\n（上接第1版）\n将提升至一千万吨。\n";
        let b = parse(page, None).bulletin;
        assert_eq!(b.articles.len(), 2);
        assert_eq!(
            b.articles[0].blocks,
            [Block::Paragraph(
                "第一段讲到吞吐能力将提升至一千万吨。".into()
            )]
        );
    }
}
