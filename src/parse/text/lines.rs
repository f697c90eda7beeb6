//! Reading a page into lines, each measured and run through the exact
//! detectors on its own: furniture, page date, credit lines, inline and
//! trailing credits, captions, jump markers, e-mail headers, numbering.
//!
//! Detectors report what they recognise; none of them decides what a line
//! is. That is left to the segmentation model, which weighs their reports
//! with the line's shape and its neighbours.

use std::borrow::Cow;

use chrono::NaiveDate;

use super::super::clean;
use super::super::credit::{self, Credit};
use super::super::date;
use super::super::furniture::{self, Furniture};
use super::markup::{self, Markup};
use super::measure::{self, bullet_len, ending, width, Case, Ending, Numbering};
use super::runin::{self, Place, RunInKind};
use crate::model::{Author, Role};

/// Longest source line (bytes) checked for a running head's wide gaps.
const SPREAD_MAX_BYTES: usize = 240;

/// Which part of a source line a [`Line`] is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Piece {
    /// The whole source line.
    Whole,
    /// A run-in headline cut off the front of the line; `whole` is the
    /// entire paragraph, should the head not be a headline.
    RunInHead {
        whole: String,
        kind: RunInKind,
        /// A bold label closed by a colon.
        colon: bool,
    },
    /// What follows a run-in headline on its line.
    RunInRest,
}

/// An e-mail or news header line (`Subject: …`, `From: …`, `Date: …`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum MailHeader {
    /// `Subject:` — its value is the line's text.
    Subject,
    /// `From:` with the sender's name, if the header gives one.
    From(Option<String>),
    /// Any other header.
    Other,
}

/// What the neighbour rules found out about a line (see `neighbours`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Context {
    /// Part of a block of e-mail headers.
    pub mail_block: bool,
    /// A running head at the top of the page (`LOCAL NEWS     Page 3`).
    pub running_head: bool,
    /// A job title under a By-line (`Staff Writer`).
    pub job_title: bool,
    /// A pull quote or its attribution.
    pub pull_quote: bool,
    /// A closing phrase opening a sign-off (`With best wishes,`).
    pub closing: bool,
    /// A name standing alone where a letter or message is signed.
    pub signature_name: bool,
    /// The place or post line under a signature.
    pub signature_detail: bool,
    /// A signature block after `-- `.
    pub sig_block: bool,
    /// A Chinese name standing alone under a headline.
    pub bare_name: bool,
    /// The exact text appears again earlier on the page.
    pub repeats_earlier: bool,
    /// A wire dateline alone on its line (`PANMUNJOM, Korea, Aug. 5 (UP)`).
    pub dateline_alone: bool,
    /// A salutation opening a letter (`Dear Parents and Carers,`).
    pub salutation: bool,
    /// Marked as an advertisement (`Sponsored`, `【廣告】`), or in a block
    /// that is.
    pub advert: bool,
    /// The closing of an official document: the issuing body over the date
    /// (`鹤川省人民政府` / `2021年4月12日`), or its publication note
    /// (`（此件公开发布）`).
    pub official_close: bool,
}

/// One line of the page, measured, with every detector's report.
#[derive(Debug)]
pub(super) struct Line<'a> {
    /// 1-based source line.
    pub no: usize,
    /// The cleaned source line, as `--explain` shows it.
    pub source: Cow<'a, str>,
    /// The words: markup, inline and trailing credits, jump and end marks
    /// removed.
    pub text: Cow<'a, str>,
    /// Blank lines before this one.
    pub gap: usize,
    /// Width of `text` in columns.
    pub width: usize,
    /// The source line was indented (ideographic spaces, a tab, or two or
    /// more spaces).
    pub indent: bool,
    /// The source line spreads fields over the width with wide gaps.
    pub spread: bool,
    /// The source line is set far to the right (a signature block, a
    /// right-aligned date).
    pub right_set: bool,
    /// Which part of its source line this is.
    pub piece: Piece,
    /// Markup that wrapped the line.
    pub markup: Markup,
    /// Only HTML tags, nothing printed.
    pub tags_only: bool,
    /// A list number opening `text`.
    pub numbering: Option<Numbering>,
    /// Bytes of a bullet opening `text`.
    pub bullet: usize,
    /// How `text` ends.
    pub ending: Ending,
    /// Letter case of `text`.
    pub case: Case,
    /// Share of Han characters (per cent).
    pub cjk: usize,
    /// The whole line is a credit.
    pub credit: Option<Credit>,
    /// A credit opened the line (removed from `text`).
    pub inline: Option<Credit>,
    /// A credit closed the line (removed from `text`).
    pub trailing: Option<Credit>,
    /// A photo caption, with its credit if it names one.
    pub caption: Option<Option<String>>,
    /// A kind of page furniture.
    pub furniture: Option<Furniture>,
    /// A date printed as a page header.
    pub page_date: Option<NaiveDate>,
    /// A jump marker removed from the text (`（下转第2版）`).
    pub jump: Option<Furniture>,
    /// An end mark removed from the text (`（完）`, `END`).
    pub end_mark: bool,
    /// An e-mail or news header.
    pub mail: Option<MailHeader>,
    /// What the neighbour rules found.
    pub context: Context,
}

impl Line<'_> {
    /// Whether a detector recognised the line as a credit of any kind.
    pub(super) fn is_credit(&self) -> bool {
        self.credit.is_some()
            || matches!(self.mail, Some(MailHeader::From(_))) && self.context.mail_block
            || self.context.dateline_alone
    }

    /// Whether the line may be a credit: a detected credit, or a bare name
    /// or signature standing where a byline would.
    pub(super) fn creditish(&self) -> bool {
        self.is_credit() || self.inline.is_some() || self.context.bare_name
    }

    /// The text of the line without its list number and bullet: how a
    /// headline reads in a feed.
    pub(super) fn unnumbered(&self) -> &str {
        let n = self.numbering.map_or(0, |n| n.len);
        let t = &self.text[n.min(self.text.len())..];
        let b = bullet_len(t);
        let t = t[b..].trim_start();
        hashtag_topic(t).unwrap_or(t)
    }
}

/// A social-media topic written `#沅江大桥今日合龙#` (the tag marks are
/// markup, the topic is the headline).
fn hashtag_topic(t: &str) -> Option<&str> {
    let inner = t.strip_prefix('#')?.strip_suffix('#')?.trim();
    (!inner.is_empty() && !inner.contains('#') && !inner.starts_with(' ')).then_some(inner)
}

/// Header names of e-mail and news messages (and Mailman's `Message:`).
const MAIL_HEADERS: &[&str] = &[
    "from",
    "subject",
    "date",
    "to",
    "cc",
    "reply-to",
    "message-id",
    "content-type",
    "content-transfer-encoding",
    "mime-version",
    "newsgroups",
    "organization",
    "lines",
    "message",
    "path",
    "references",
    "in-reply-to",
    "sender",
    "x-mailer",
    "approved",
    "followup-to",
    "keywords",
    "summary",
    "distribution",
    "nntp-posting-host",
    // An offline mail reader's message header (FidoNet, BBS echomail).
    "subj",
    "msg#",
    "attr",
];

/// Reads `Name: value` as a mail header, if the name is one.
fn mail_header(s: &str) -> Option<(MailHeader, &str)> {
    let colon = s.find(':')?;
    let name = &s[..colon];
    if name.is_empty() || name.len() > 26 || name.contains(' ') {
        return None;
    }
    let lower = name.to_ascii_lowercase();
    if !MAIL_HEADERS.contains(&lower.as_str()) && !lower.starts_with("x-") {
        return None;
    }
    // Headers are written `Subject:`, `Message-ID:`: capitalised.
    if !name.starts_with(|c: char| c.is_ascii_uppercase()) {
        return None;
    }
    let value = s[colon + 1..].trim();
    let header = match lower.as_str() {
        "subject" | "subj" => MailHeader::Subject,
        "from" => MailHeader::From(sender_name(value)),
        _ => MailHeader::Other,
    };
    Some((header, value))
}

/// The sender's name in a `From:` value: `Name <addr>`, `"Name" <addr>`,
/// `addr (Name)`, `Name     1:2611/40` (a name, a wide gap, a network
/// address); `None` for a bare address.
fn sender_name(v: &str) -> Option<String> {
    let name = if let Some(lt) = v.find('<') {
        v[..lt].trim()
    } else if let (Some(open), true) = (v.find('('), v.ends_with(')')) {
        v[open + 1..v.len() - 1].trim()
    } else if let Some(gap) = v.find("   ") {
        let name = v[..gap].trim();
        // Two to four capitalised words: a person, not `Moderator`.
        let words: Vec<&str> = name.split_whitespace().collect();
        let person = (2..=4).contains(&words.len())
            && words
                .iter()
                .all(|w| w.starts_with(|c: char| c.is_uppercase()));
        if !person {
            return None;
        }
        name
    } else {
        return None;
    };
    let name = name.trim_matches(['"', '\'']).trim();
    (!name.is_empty() && !name.contains('@') && name.chars().any(char::is_alphabetic))
        .then(|| name.to_owned())
}

/// End marks of wire copy closing the last paragraph: `（完）`, `(END)`.
fn strip_end_mark(s: &str) -> Option<&str> {
    for mark in [
        "（完）",
        "(完)",
        "（终）",
        "（終）",
        "(END)",
        "(end)",
        "-30-",
    ] {
        if let Some(rest) = s.strip_suffix(mark) {
            return Some(rest.trim_end());
        }
    }
    None
}

/// A credit closing a paragraph: `…信。（记者何静）`, `（文/赵敏　图/孙浩）`.
/// Returns the text before it and the credit.
fn trailing_credit(s: &str) -> Option<(&str, Credit)> {
    if !s.ends_with(['）', ')']) {
        return None;
    }
    let open = s.rfind(['（', '('])?;
    let inner = &s[open..];
    if inner.chars().count() > 40 {
        return None;
    }
    let before = s[..open].trim_end();
    // A bracket alone on its line is a credit line, found as such.
    if before.is_empty() {
        return None;
    }
    let credit = credit::find_line(inner)?;
    if credit.authors.is_empty() {
        return None;
    }
    Some((before, credit))
}

/// Whether `s` is (or opens with) a credit: used to tell a bracketed run-in
/// headline from a bracketed credit.
fn opens_with_credit(s: &str) -> bool {
    credit::find(s).is_some() || credit::find_line(s).is_some()
}

/// A web-address line that ends no sentence: a contact or link line.
fn link_line(text: &str) -> bool {
    text.len() <= measure::HEAD_MAX_COLS * 3
        && (text.contains("www.") || text.contains("://"))
        && width(text) <= measure::HEAD_MAX_COLS
        && ending(text) != Ending::Terminal
}

/// Runs the detectors on one piece of a line.
fn detect<'a>(no: usize, source: Cow<'a, str>, text: Cow<'a, str>, piece: Piece) -> Line<'a> {
    let mut line = Line {
        no,
        source,
        text,
        gap: 0,
        right_set: false,
        width: 0,
        indent: false,
        spread: false,
        piece,
        markup: Markup::Plain,
        tags_only: false,
        numbering: None,
        bullet: 0,
        ending: Ending::Open,
        case: Case::None,
        cjk: 0,
        credit: None,
        inline: None,
        trailing: None,
        caption: None,
        furniture: None,
        page_date: None,
        jump: None,
        end_mark: false,
        mail: None,
        context: Context::default(),
    };
    let t: &str = &line.text;
    line.page_date = date::page_date(t);
    if line.piece != Piece::RunInRest {
        line.furniture = furniture::classify(t).or_else(|| link_line(t).then_some(Furniture::Link));
        if let Some((header, value)) = mail_header(t) {
            if header == MailHeader::Subject {
                line.text = Cow::Owned(value.to_owned());
            }
            line.mail = Some(header);
        }
        let t: &str = &line.text;
        let plain = markup::strip_single_emphasis(t);
        line.credit = credit::find_line(plain);
        line.caption = credit::caption(plain);
    }
    let mut text: Cow<'a, str> = std::mem::take(&mut line.text);
    if line.credit.is_none() && line.caption.is_none() && line.mail.is_none() {
        if let Some((rest, j)) = furniture::strip_jump(&text) {
            line.jump = Some(j);
            text = Cow::Owned(rest);
        }
        if let Some(rest) = strip_end_mark(&text) {
            line.end_mark = true;
            text = Cow::Owned(rest.to_owned());
        }
        if let Some((rest, c)) = trailing_credit(&text).or_else(|| credit::dash_signoff(&text)) {
            let rest = rest.to_owned();
            line.trailing = Some(c);
            text = Cow::Owned(rest);
        }
        if let Some(c) = credit::find(&text) {
            if c.rest.trim().is_empty() {
                // `央视网消息（新闻联播）：` alone: the whole line is the credit.
                line.credit = Some(c);
            } else {
                text = Cow::Owned(c.rest.clone());
                line.inline = Some(c);
            }
        }
    }
    line.text = text;
    measure_text(&mut line);
    line
}

/// A marked-up heading ending in `in` or `the` still ends there.
fn heading_ending(line: &mut Line) {
    if line.markup.is_heading()
        && line.ending == Ending::Continues
        && line.text.ends_with(|c: char| c.is_alphanumeric())
    {
        line.ending = Ending::Open;
    }
}

/// Fills in the measures of a line's text.
fn measure_text(line: &mut Line) {
    let t: &str = &line.text;
    line.width = width(t);
    line.numbering = measure::numbering(t);
    let after = &t[line.numbering.map_or(0, |n| n.len).min(t.len())..];
    line.bullet = bullet_len(after);
    line.ending = ending(t);
    line.case = measure::case_of(t);
    line.cjk = measure::cjk_percent(t);
}

/// Whether a Markdown line opens or closes a fenced code block.
/// Leading blank columns from which a line counts as set to the right.
const RIGHT_SET_MIN_COLS: usize = 20;

/// Blank columns opening a source line (a tab counts eight, an ideographic
/// space two).
fn leading_columns(raw: &str) -> usize {
    let mut cols = 0;
    for c in raw.chars() {
        cols += match c {
            ' ' => 1,
            '\t' => 8,
            '\u{3000}' => 2,
            _ => break,
        };
    }
    cols
}

fn is_fence(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with("```") || t.starts_with("~~~")
}

/// Reads the page: one [`Line`] per non-blank source line, two for a line
/// opened by a run-in headline. In a Markdown file (`markdown`), code
/// blocks are read as they are, without markup.
pub(super) fn read(input: &str, markdown: bool) -> Vec<Line<'_>> {
    // Pages run some 40 to 300 bytes a line: a first guess of the room needed.
    let mut lines = Vec::with_capacity(input.len() / 64 + 8);
    let mut gap = 0;
    let mut in_fence = false;
    let mut dotted_open = false;
    let mut raws = input.lines().enumerate().peekable();
    while let Some((i, raw)) = raws.next() {
        let cleaned = clean::line_cow(raw);
        if cleaned.is_empty() {
            gap += 1;
            continue;
        }
        let code = markdown && (in_fence || is_fence(raw));
        if markdown && is_fence(raw) {
            in_fence = !in_fence;
        }
        if code {
            let mut line = detect(i + 1, cleaned.clone(), cleaned, Piece::Whole);
            line.gap = gap;
            lines.push(line);
            gap = 0;
            continue;
        }
        let indent = raw.starts_with(['\u{3000}', '\t']) || raw.starts_with("  ");
        let right_set = leading_columns(raw) >= RIGHT_SET_MIN_COLS;
        let spread = gap == 0 && raw.len() <= SPREAD_MAX_BYTES && {
            let inner = raw.trim();
            inner.contains("   ") || inner.contains('\t') || inner.contains("\u{3000}\u{3000}")
        };
        let source = cleaned.clone();
        let mut unwrapped = markup::unwrap(cleaned, markdown);
        dotted_open = markup::dotted_heading(&mut unwrapped, &source, dotted_open && gap == 0);
        let first = lines.len();
        let place = Place {
            block_start: gap > 0 || lines.is_empty(),
            block_end: raws.peek().is_none_or(|(_, next)| next.trim().is_empty()),
            markdown,
        };
        let run_in = (unwrapped.markup == Markup::Plain && !unwrapped.tags_only)
            .then(|| runin::run_in(&unwrapped.text, opens_with_credit, place))
            .flatten();
        if let Some(r) = run_in {
            let head = detect(
                i + 1,
                source.clone(),
                Cow::Owned(r.head),
                Piece::RunInHead {
                    whole: r.whole,
                    kind: r.kind,
                    colon: r.colon,
                },
            );
            let rest = detect(i + 1, source, Cow::Owned(r.rest), Piece::RunInRest);
            lines.push(head);
            lines.push(rest);
        } else {
            let mut line = detect(i + 1, source, unwrapped.text, Piece::Whole);
            line.markup = unwrapped.markup;
            line.tags_only = unwrapped.tags_only;
            heading_ending(&mut line);
            lines.push(line);
        }
        // A separator rule sets what follows apart as a blank line would.
        let after_rule = first
            .checked_sub(1)
            .is_some_and(|p| lines[p].furniture == Some(Furniture::Separator));
        let set_apart = if after_rule { gap.max(1) } else { gap };
        for l in &mut lines[first..] {
            l.gap = if l.piece == Piece::RunInRest {
                0
            } else {
                set_apart
            };
            l.indent = indent;
            l.spread = spread;
            l.right_set = right_set;
            if l.piece != Piece::Whole {
                l.markup = match l.piece {
                    Piece::RunInHead {
                        kind: RunInKind::Bold,
                        ..
                    } => Markup::Bold,
                    _ => Markup::Plain,
                };
            }
        }
        gap = 0;
    }
    lines
}

/// The credit a `From:` header gives: the sender as author.
pub(super) fn from_credit(name: Option<&str>) -> Vec<Author> {
    name.map(|n| Author {
        name: n.to_owned(),
        role: Role::Author,
    })
    .into_iter()
    .collect()
}

/// The runs of consecutive lines between blank lines (a run begins at each
/// line with a gap above it), as index ranges in order.
pub(super) fn blocks_between_gaps<T>(
    lines: &[T],
    gap: impl Fn(&T) -> usize,
) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < lines.len() {
        let end = (start + 1..lines.len())
            .find(|&i| gap(&lines[i]) > 0)
            .unwrap_or(lines.len());
        out.push(start..end);
        start = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_mail_headers() {
        let cases: &[(&str, Option<MailHeader>)] = &[
            ("Subject: Water butts", Some(MailHeader::Subject)),
            (
                "From: Dan Ferris <dan@example.net>",
                Some(MailHeader::From(Some("Dan Ferris".into()))),
            ),
            (
                "From: tw@example.pl (Tomasz W.)",
                Some(MailHeader::From(Some("Tomasz W.".into()))),
            ),
            (
                "From: HAZARDS-request@example.org",
                Some(MailHeader::From(None)),
            ),
            ("Message-ID: <1@x>", Some(MailHeader::Other)),
            ("Subj: Lock 9 keeper's log found", Some(MailHeader::Subject)),
            (
                "From: Walt Esterbrook                        1:2611/40",
                Some(MailHeader::From(Some("Walt Esterbrook".into()))),
            ),
            (
                "From: Moderator                              1:2611/1",
                Some(MailHeader::From(None)),
            ),
            (
                "Msg#: 311                                    Date: 08 Feb 96",
                Some(MailHeader::Other),
            ),
            ("Note: the hall is closed", None),
            ("from: lower case", None),
        ];
        for (line, want) in cases {
            assert_eq!(mail_header(line).map(|(h, _)| h), *want, "{line}");
        }
    }

    #[test]
    fn strips_end_marks_and_trailing_credits() {
        let page = "标题\n\n正文第一段。（完）\n\n正文第二段说明情况。（记者何静）\n\n正文。（文/赵敏　图/孙浩）\n";
        let lines = read(page, false);
        assert!(lines[1].end_mark);
        assert_eq!(lines[1].text, "正文第一段。");
        let names = |l: &Line| {
            l.trailing
                .as_ref()
                .map(|c| c.authors.iter().map(|a| a.name.clone()).collect::<Vec<_>>())
        };
        assert_eq!(names(&lines[2]), Some(vec!["何静".to_owned()]));
        assert_eq!(lines[2].text, "正文第二段说明情况。");
        assert_eq!(names(&lines[3]), Some(vec!["赵敏".to_owned()]));
    }

    #[test]
    fn splits_run_ins_into_two_pieces() {
        let lines = read(
            "**Council delays vote.** The council voted on Tuesday.\n",
            false,
        );
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].text, "Council delays vote");
        assert_eq!(lines[0].markup, Markup::Bold);
        assert_eq!(lines[1].text, "The council voted on Tuesday.");
        assert_eq!(lines[1].piece, Piece::RunInRest);
    }
}
