//! Detectors that read a line together with its neighbours: blocks of
//! e-mail headers, running heads, job titles under a By-line, pull quotes,
//! sign-offs and signatures, bare Chinese names under a headline, lines
//! repeated from earlier on the page, wire datelines standing alone.
//!
//! Like the single-line detectors they only report ([`Context`]); the model
//! decides. Only the page's own section label (from a running head or a
//! `第A03版：社会新闻` line) is taken as a fact.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use regex::Regex;

use super::super::credit::{self, Credit};
use super::super::furniture::{self, Furniture};
use super::lines::{Line, MailHeader, Piece};
use super::measure::{bullet_len, ending, is_cjk, width, Ending, HEAD_MAX_COLS};
use crate::model::{Author, Role};

/// Most words in an English signature's name line (`Margaret Lowell`,
/// `Mary Ann de Vries`).
const SIGNATURE_MAX_WORDS: usize = 4;

/// Lines at the top of the page searched for a running head.
const TOP_LINES: usize = 4;

// Every `expect("static regex")` below is on a fixed pattern that this
// module's unit tests compile and run, so it cannot fail at run time.

/// Closing phrases of a letter or message (`With best wishes,`, `Regards,`).
static CLOSING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)^(?:(?:with|yours|best|kind|warm|warmest|many|all|love|much|every|god|in)\b[\w ’']{0,30}",
        r"(?:wishes|regards|thanks|greetings|love|prayers|blessings|bless you|best|sincerely|faithfully|truly|christ|friendship)",
        r"|sincerely(?:\s+yours)?|cheers|thanks(?:\s+again)?|thank\s+you|regards|respectfully|blessings)[,.!]?$"
    ))
    .expect("static regex")
});

/// A broadcast reporter's sign-off: `Priya Nandra, Aire Valley Radio News,
/// Otley.`
static BROADCAST_SIGNOFF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^(\p{Lu}[\p{L}'’-]+(?: \p{Lu}[\p{L}'’.-]*){1,3}), ",
        r"(?:[\p{Lu}][\p{L}&' ]{1,40} )?(?:News|Radio|TV|Television|Radio News|TV News)(?:, [\p{Lu}][\p{L} .'-]{1,30})?\.?$"
    ))
    .expect("static regex")
});

/// A Chinese letter's signature: who and where, then a name, set apart
/// (`太谷縣北洸村農民　王德厚`).
fn cjk_signature(l: &Line) -> Option<String> {
    let t: &str = &l.text;
    let (before, name) = t.rsplit_once(['\u{3000}', ' '])?;
    let n = name.chars().count();
    let han = |s: &str| s.chars().all(|c| super::measure::is_han(c) || c == '·');
    ((2..=4).contains(&n) && han(name) && before.chars().count() <= 24 && han(before.trim()))
        .then(|| name.to_owned())
}

/// A salutation opening a letter or message.
static SALUTATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:dear|hello|hi|hey|greetings|good (?:morning|afternoon|evening))(?:\s+[^,.!]{1,40})?[,!:]$")
        .expect("static regex")
});

/// Marks of an advertisement.
static ADVERT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"Sponsored|SPONSORED|Advertisement|ADVERTISEMENT|Paid for by|【廣告】|【广告】|（广告）|（廣告）")
        .expect("static regex")
});

fn advert_mark(s: &str) -> bool {
    ADVERT.is_match(s) || price_list(s)
}

/// Fewest prices that make a line of goods an advert.
const ADVERT_MIN_PRICES: usize = 2;

/// A line of goods and prices, not a sentence (`KROGER — Fresh Fryers 49c
/// lb. — Coffee 79c lb. — Open Fri. Till 9`).
fn price_list(s: &str) -> bool {
    if s.len() > 200 || s.trim_end().ends_with(['.', '。']) {
        return false;
    }
    let b = s.as_bytes();
    let mut prices = 0;
    for (i, &c) in b.iter().enumerate() {
        let digit_after = b.get(i + 1).is_some_and(u8::is_ascii_digit);
        let digit_before = i > 0 && b[i - 1].is_ascii_digit();
        // `$39.95`; `49c ` (cents); `£3`, `€12`, `￥8` are multi-byte.
        let dollar = c == b'$' && digit_after;
        let cents =
            c == b'c' && digit_before && b.get(i + 1).is_none_or(|n| !n.is_ascii_alphanumeric());
        if dollar || cents {
            prices += 1;
        }
    }
    prices += ["£", "€", "￥", "¥"]
        .iter()
        .map(|m| s.matches(m).count())
        .sum::<usize>();
    prices >= ADVERT_MIN_PRICES
}

/// A wire dateline alone on its line, the body following on the next:
/// `PANMUNJOM, Korea, Aug. 5 (UP)`, `WASHINGTON (AP)`.
static DATELINE_ALONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^[A-Z][A-Z.'’-]+(?:[ -][A-Z][A-Z.'’-]*){0,3}(?:,\s*[A-Z][A-Za-z.]*(?:\s[A-Z][A-Za-z.]*)?)?",
        r"(?:,?\s+[A-Z][a-z]{2,4}\.?\s+[0-9]{1,2})?\s*\(([A-Z][A-Za-z]{1,7})\)\s*[-—–_]*$"
    ))
    .expect("static regex")
});

/// The fields of a running head: the source line split at its wide gaps.
fn spread_fields(source: &str, raw: &str) -> Vec<String> {
    let fields: Vec<String> = raw
        .split('\t')
        .flat_map(|part| part.split("   "))
        .flat_map(|part| part.split('\u{3000}'))
        .map(super::super::clean::line)
        .filter(|f| !f.is_empty())
        .collect();
    if fields.is_empty() {
        vec![source.to_owned()]
    } else {
        fields
    }
}

/// The section a running head names: the label of a `第2版：要闻` field, or
/// the field next to the page number (`民聲日報  A11  兩岸新聞  …`), that
/// is a short name, not furniture and not a date.
fn running_head_label(fields: &[String]) -> Option<String> {
    let name = |f: &String| {
        f.chars().count() <= 30
            && !f.chars().any(|c| c.is_numeric())
            && f.chars().any(char::is_alphabetic)
            && furniture::classify(f).is_none()
            && super::super::date::page_date(f).is_none()
            && !is_weekday(f)
    };
    let is_page = |f: &str| furniture::classify(f) == Some(Furniture::PageNumber);
    let Some(page) = fields.iter().position(|f| is_page(f)) else {
        // `城事·民生　　责任编辑：高岚`: the page's name before its editors.
        let editor = fields
            .iter()
            .position(|f| furniture::classify(f) == Some(Furniture::Editor))?;
        return fields[..editor].iter().rev().find(|f| name(f)).cloned();
    };
    if let Some(own) = furniture::page_label(&fields[page]) {
        return Some(own.to_owned());
    }
    let after = fields.get(page + 1).filter(|f| name(f));
    let before = page
        .checked_sub(1)
        .and_then(|k| fields.get(k))
        .filter(|f| name(f));
    after.or(before).cloned()
}

/// A day of the week alone (`星期二`, `周二`, `Tuesday`).
fn is_weekday(f: &str) -> bool {
    const DAYS: &[&str] = &[
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    let t = f.trim();
    let cjk = ["星期", "礼拜", "禮拜", "周", "週"].iter().any(|p| {
        t.strip_prefix(p)
            .is_some_and(|d| d.chars().count() == 1 && "一二三四五六日天".contains(d))
    });
    cjk || DAYS.contains(&t.to_lowercase().as_str())
}

/// Marks running heads at the top of the page; returns the section label a
/// running head or a page line gives, if any.
fn running_heads(input: &str, lines: &mut [Line]) -> Option<String> {
    let top = lines
        .iter()
        .position(|l| l.gap > 0)
        .unwrap_or(lines.len())
        .clamp(1, TOP_LINES)
        .min(lines.len());
    let mut label = None;
    let raws: Vec<&str> = if lines[..top].iter().any(|l| l.spread) {
        input.lines().take(lines[top - 1].no).collect()
    } else {
        Vec::new()
    };
    for l in &mut lines[..top] {
        if !l.spread {
            continue;
        }
        let Some(raw) = raws.get(l.no - 1) else {
            continue;
        };
        let fields = spread_fields(&l.source, raw);
        if fields.len() < 2 {
            continue;
        }
        l.context.running_head = true;
        if l.page_date.is_none() {
            l.page_date = fields.iter().find_map(|f| super::super::date::page_date(f));
        }
        if label.is_none() {
            label = running_head_label(&fields);
        }
    }
    label
        .or_else(|| {
            lines[..top].iter().find_map(|l| match l.furniture {
                Some(Furniture::PageNumber) => furniture::page_label(&l.text).map(str::to_owned),
                _ => None,
            })
        })
        .or_else(|| {
            // `SPORT 46`: a section name and the page number. A heading in
            // markup (`# Part 2`) is the author's structure, and no page is
            // numbered 0.
            lines[..top].iter_mut().find_map(|l| {
                if l.markup.is_heading() {
                    return None;
                }
                let (name, page) = l.text.rsplit_once(' ')?;
                let numbered = (1..=3).contains(&page.len())
                    && page.bytes().all(|b| b.is_ascii_digit())
                    && !page.starts_with('0');
                let named = (3..=30).contains(&name.len())
                    && name
                        .chars()
                        .all(|c| c.is_alphabetic() || c == ' ' || c == '&');
                (numbered && named).then(|| {
                    l.context.running_head = true;
                    name.to_owned()
                })
            })
        })
}

/// Widest line taken for a running head repeated down the page.
const REPEATED_HEAD_MAX_COLS: usize = 80;

/// Fewest lines between two prints of one running head.
const REPEATED_HEAD_MIN_APART: usize = 8;

/// The text of a line with each run of digits as `#`: running heads
/// repeat down the page with only their page number changing.
fn digits_blurred(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_digit() || ('０'..='９').contains(&c) {
            if !out.ends_with('#') {
                out.push('#');
            }
        } else if !c.is_whitespace() {
            out.push(c);
        }
    }
    out
}

/// Marks running heads printed at every page break of a long page (`·6·
/// 鹤川省人民政府公报 2021年第9期`, `A2 THE MILLBROOK COURIER …`): lines
/// with a number that recur far apart with only their numbers changed.
fn repeated_heads(lines: &mut [Line]) {
    let mut seen: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, l) in lines.iter().enumerate() {
        let numbered = l
            .text
            .chars()
            .any(|c| c.is_ascii_digit() || ('０'..='９').contains(&c));
        // A heading in markup is the author's structure, not an export's
        // running head (`# Notice (B0097-00)`, `# Notice (B0097-01)`).
        if !numbered
            || l.markup.is_heading()
            || l.width > REPEATED_HEAD_MAX_COLS
            || l.ending == Ending::Terminal
            || l.mail.is_some()
        {
            continue;
        }
        let key = digits_blurred(&l.text);
        if key.chars().filter(|c| c.is_alphabetic()).count() >= 4 {
            seen.entry(key).or_default().push(i);
        }
    }
    for at in seen.values() {
        let apart = at
            .windows(2)
            .all(|w| w[1] - w[0] >= REPEATED_HEAD_MIN_APART);
        // The page number changes; a line repeated word for word is a
        // headline named again (a contents entry, a `Subject:`).
        let renumbered = at.iter().any(|&i| lines[i].text != lines[at[0]].text);
        if at.len() >= 2 && apart && renumbered {
            for &i in at {
                lines[i].context.running_head = true;
            }
        }
    }
}

/// Endings of the name of an issuing body (`…人民政府`, `…办公厅`).
const ISSUER_ENDINGS: &[&str] = &[
    "政府",
    "办公厅",
    "辦公廳",
    "办公室",
    "辦公室",
    "委员会",
    "委員會",
    "厅",
    "廳",
    "局",
    "部",
    "院",
    "委",
    "会",
    "會",
    "中心",
    "公司",
    "学校",
    "學校",
    "大学",
    "大學",
    "处",
    "處",
    "所",
    "署",
    "站",
];

/// A date alone: `2021年4月12日`, `二〇二一年四月十二日`.
static LONE_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[0-9〇零一二三四五六七八九]{4}\s*年\s*[0-9一二三四五六七八九十]{1,3}\s*月\s*[0-9一二三四五六七八九十]{1,3}\s*日$")
        .expect("static regex")
});

/// Marks the closings of official documents: the issuing body's name over
/// a date alone, and a publication note after them.
fn official_closes(lines: &mut [Line]) {
    for i in 0..lines.len().saturating_sub(1) {
        let (l, n) = (&lines[i], &lines[i + 1]);
        let issuer = (3..=24).contains(&l.text.chars().count())
            && l.text.chars().all(|c| is_cjk(c) && c.is_alphabetic())
            && ISSUER_ENDINGS.iter().any(|e| l.text.ends_with(e));
        if issuer && n.gap == 0 && LONE_DATE.is_match(&n.text) {
            lines[i].context.official_close = true;
            lines[i + 1].context.official_close = true;
            if let Some(note) = lines.get_mut(i + 2) {
                let t: &str = &note.text;
                if t.starts_with(['（', '('])
                    && (t.contains("此件") || t.contains("公开") || t.contains("公開"))
                    && t.chars().count() <= 16
                {
                    note.context.official_close = true;
                }
            }
        }
    }
}

/// Marks blocks of e-mail headers: two or more adjacent header lines, one
/// of them `From:`, `Subject:` or `Date:`.
fn mail_blocks(lines: &mut [Line]) {
    let mut i = 0;
    while i < lines.len() {
        if lines[i].mail.is_none() {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < lines.len() && lines[j].gap == 0 && (lines[j].mail.is_some() || lines[j].indent) {
            j += 1;
        }
        let headers = lines[i..j].iter().filter(|l| l.mail.is_some()).count();
        let key = lines[i..j].iter().any(|l| {
            matches!(l.mail, Some(MailHeader::Subject | MailHeader::From(_)))
                || l.source.starts_with("Date:")
        });
        if headers >= 2 && key {
            for l in &mut lines[i..j] {
                l.context.mail_block = true;
            }
        }
        i = j;
    }
}

/// `— Denise Ortiz, owner of Ortiz Hardware`: a dash, then a capitalised
/// name.
pub(super) fn is_attribution(s: &str) -> bool {
    let rest = s
        .trim_start_matches(['—', '―', '–', '-', '－'])
        .trim_start();
    rest.len() < s.len()
        && rest.starts_with(|c: char| c.is_uppercase() || is_cjk(c))
        && width(s) <= HEAD_MAX_COLS / 2 + 20
        && ending(s) != Ending::Terminal
}

/// A personal name alone on a line: one to four capitalised words
/// (initials allowed), maybe with a short note in brackets (`Dan (plot 14)`).
pub(super) fn is_signature_name(s: &str, single_ok: bool) -> bool {
    let s = match (s.find('('), s.ends_with(')')) {
        (Some(open), true) if open > 0 => s[..open].trim_end(),
        _ => s,
    };
    let s = s.trim_end_matches([',', '.']);
    let words: Vec<&str> = s.split(' ').collect();
    let min = if single_ok { 1 } else { 2 };
    (min..=SIGNATURE_MAX_WORDS).contains(&words.len())
        && words.iter().all(|w| {
            let mut cs = w.chars();
            cs.next().is_some_and(char::is_uppercase)
                && cs.all(|c| c.is_alphabetic() || matches!(c, '.' | '\'' | '’' | '-'))
                && !w.chars().skip(1).all(char::is_uppercase)
        })
}

/// A name in capitals, initials allowed (`T. A. BRENNAN,`), as an
/// official signs a notice at the right of the page.
fn is_caps_name(s: &str) -> bool {
    let s = s.trim_end_matches([',', '.']);
    let words: Vec<&str> = s.split(' ').collect();
    let initial = |w: &&str| {
        let mut cs = w.chars();
        cs.next().is_some_and(|c| c.is_uppercase()) && cs.as_str() == "."
    };
    let caps = |w: &&str| {
        w.chars().count() >= 2
            && w.chars()
                .all(|c| c.is_uppercase() || matches!(c, '\'' | '’' | '-'))
    };
    (1..=SIGNATURE_MAX_WORDS).contains(&words.len())
        && words.iter().all(|w| initial(w) || caps(w))
        && words.iter().any(caps)
}

/// The place or post line under a signature: a few capitalised words
/// (`Eastfield`, `Hadley, Mass.`, `Headteacher`, `Hon. Secretary, …`).
pub(super) fn is_place_line(s: &str) -> bool {
    const MINOR: &[&str] = &[
        "of", "and", "the", "for", "de", "van", "von", "la", "le", "&",
    ];
    let words: Vec<&str> = s.split([' ', ',']).filter(|w| !w.is_empty()).collect();
    (1..=8).contains(&words.len())
        && width(s) <= 70
        && words.iter().all(|w| {
            (w.starts_with(|c: char| c.is_uppercase()) || MINOR.contains(w))
                && w.chars()
                    .all(|c| c.is_alphabetic() || matches!(c, '.' | '\'' | '’' | '-' | '&'))
        })
}

/// A Chinese name alone: two or three Han characters, or a transcribed
/// name with a middle dot (`买买提·艾力`). Four-character lines are more
/// often headlines (set phrases) than names, so they are not taken.
pub(super) fn is_bare_cjk_name(s: &str) -> bool {
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

/// Chinese names alone on a line, one to four, set apart by spaces or `、`
/// (`陈立言　孙茜`: co-authors under a headline).
fn bare_cjk_names(s: &str) -> Option<Vec<&str>> {
    let names: Vec<&str> = s
        .split(['\u{3000}', ' ', '、'])
        .filter(|n| !n.is_empty())
        .collect();
    ((1..=4).contains(&names.len()) && names.iter().all(|n| is_bare_cjk_name(n))).then_some(names)
}

/// Whether the block a line belongs to ends right after it (blank line,
/// separator, header block or page end).
fn block_ends_after(lines: &[Line], i: usize) -> bool {
    lines.get(i + 1).is_none_or(|n| {
        n.gap > 0 || n.furniture == Some(Furniture::Separator) || n.context.mail_block
    })
}

/// Sign-offs and signatures: `With best wishes,` / name / post; a name and
/// a place under a letter; the lines after `-- `.
fn signatures(lines: &mut [Line]) {
    for i in 0..lines.len() {
        if lines[i].piece != Piece::Whole {
            continue;
        }
        let t = lines[i].text.to_string();
        if t == "--" || t == "—" {
            let mut k = i + 1;
            while k < lines.len() && (k == i + 1 || lines[k].gap == 0) {
                lines[k].context.sig_block = true;
                k += 1;
            }
            continue;
        }
        if lines[i].width <= 40 && CLOSING.is_match(&t) {
            lines[i].context.closing = true;
        }
    }
    for i in 1..lines.len() {
        let prev_closing = lines[i - 1].context.closing;
        let prev_done = lines[i - 1].ending == Ending::Terminal || prev_closing;
        let t = &lines[i].text;
        if lines[i].piece != Piece::Whole
            || !prev_done
            || lines[i].width > 40
            || lines[i].markup.is_heading()
        {
            continue;
        }
        // A first name alone signs off only after a closing phrase or where
        // a message ends (a separator, headers or the page end below).
        let message_end = lines.get(i + 1).is_none_or(|n| {
            n.furniture == Some(Furniture::Separator) || n.context.mail_block || n.mail.is_some()
        }) || lines
            .get(i + 1)
            .is_some_and(|n| n.source.starts_with("-----"));
        let single_ok = prev_closing || message_end;
        // `Pam Kettle, Branch Leader`, `— Harold Beck, Vine Street`: a name
        // and a post or place on one line.
        let bare = t.trim_start_matches(['—', '–', '-', ' ']);
        let (name_part, post) = match bare.split_once(", ") {
            Some((n, p)) if is_place_line(p) => (n, true),
            _ => (bare, false),
        };
        let dashed = bare.len() < t.len();
        let right_caps = lines[i].right_set && is_caps_name(name_part);
        if !right_caps && !is_signature_name(name_part, single_ok || post || dashed) {
            continue;
        }
        let detail = lines.get(i + 1).is_some_and(|n| {
            n.gap == 0 && is_place_line(&n.text) && block_ends_after(lines, i + 1)
        });
        // A paragraph right under the name makes it a crosshead: a letter
        // ends at its signature.
        let paragraph_below = !detail
            && lines.get(i + 1).is_some_and(|n| n.width > 50)
            && lines.get(i + 2).is_some_and(|n| n.gap == 0);
        if prev_closing || (!paragraph_below && (block_ends_after(lines, i) || detail)) {
            lines[i].context.signature_name = true;
            if detail {
                lines[i + 1].context.signature_detail = true;
            }
        }
    }
}

/// Wire datelines standing alone above the body (`PANMUNJOM, Korea, Aug. 5
/// (UP)` / `—The first…`): credited as the agency, the dash dropped from
/// the next line.
fn lone_datelines(lines: &mut [Line]) {
    for i in 0..lines.len().saturating_sub(1) {
        if lines[i].width > 60 || lines[i].credit.is_some() {
            continue;
        }
        let Some(c) = credit::captures(&DATELINE_ALONE, &lines[i].text) else {
            continue;
        };
        let Some(agency) = c.get(1).map(|m| m.as_str().to_owned()) else {
            continue;
        };
        lines[i].context.dateline_alone = true;
        lines[i].credit = Some(Credit {
            authors: vec![Author {
                name: agency,
                role: Role::Agency,
            }],
            rest: String::new(),
            prefix: lines[i].text.to_string(),
            why: "wire dateline on its own line",
        });
        let next = &mut lines[i + 1];
        if next.gap == 0 {
            let t = next
                .text
                .trim_start_matches(['—', '–', '-', '_'])
                .trim_start();
            if t.len() < next.text.len() {
                next.text = std::borrow::Cow::Owned(t.to_owned());
                next.width = width(&next.text);
            }
        }
    }
}

/// Marks advertisements and the blocks they are in.
fn adverts(lines: &mut [Line]) {
    let mut start = 0;
    while start < lines.len() {
        let mut end = start + 1;
        while end < lines.len() && lines[end].gap == 0 {
            end += 1;
        }
        if lines[start..end].iter().any(|l| advert_mark(&l.source)) {
            for l in &mut lines[start..end] {
                l.context.advert = true;
            }
        }
        start = end;
    }
}

/// Runs every neighbour rule; returns the page's own section label.
pub(super) fn read_context(input: &str, lines: &mut [Line]) -> Option<String> {
    if lines.is_empty() {
        return None;
    }
    let label = running_heads(input, lines);
    repeated_heads(lines);
    official_closes(lines);
    mail_blocks(lines);
    signatures(lines);
    lone_datelines(lines);
    adverts(lines);
    for i in 0..lines.len() {
        let l = &lines[i];
        if l.credit.is_none() && l.width <= 80 && l.cjk == 0 && l.text.contains(", ") {
            if let Some(c) = BROADCAST_SIGNOFF.captures(&l.text) {
                let name = c.get(1).map(|m| m.as_str().to_owned()).unwrap_or_default();
                lines[i].credit = Some(Credit {
                    authors: vec![Author {
                        name,
                        role: Role::Reporter,
                    }],
                    rest: String::new(),
                    prefix: lines[i].text.to_string(),
                    why: "broadcast reporter's sign-off",
                });
                continue;
            }
        }
        // A Chinese letter signed at its end, indented to the right.
        let after_letter = i > 0 && lines[i - 1].ending == Ending::Terminal;
        let next_new = lines.get(i + 1).is_none_or(|n| !n.indent || n.gap > 0);
        if after_letter && next_new && l.indent && l.credit.is_none() {
            if let Some(name) = cjk_signature(l) {
                lines[i].credit = Some(Credit {
                    authors: vec![Author {
                        name,
                        role: Role::Author,
                    }],
                    rest: String::new(),
                    prefix: lines[i].text.to_string(),
                    why: "signature under a letter",
                });
            }
        }
    }
    for l in lines.iter_mut() {
        l.context.salutation = l.width <= 50 && SALUTATION.is_match(&l.text);
    }
    let mut seen: HashSet<&str> = HashSet::new();
    let mut repeats = vec![false; lines.len()];
    for (i, l) in lines.iter().enumerate() {
        if l.width <= HEAD_MAX_COLS && l.text.chars().count() >= 2 && !seen.insert(&l.text) {
            repeats[i] = true;
        }
    }
    for i in 0..lines.len() {
        lines[i].context.repeats_earlier = repeats[i];
        if i == 0 || lines[i].credit.is_some() || lines[i].inline.is_some() {
            continue;
        }
        let (before, rest) = lines.split_at_mut(i);
        let prev = &before[i - 1];
        let l = &mut rest[0];
        let by_line = matches!(&prev.credit, Some(c) if c.why.starts_with("byline"));
        if l.gap == 0 && by_line && credit::job_title_line(&l.text) {
            l.context.job_title = true;
        }
        if l.gap == 0
            && l.indent
            && prev.indent
            && is_attribution(&l.text)
            && prev.text.starts_with(['"', '“', '「', '『', '\''])
            && prev.width <= HEAD_MAX_COLS
        {
            l.context.pull_quote = true;
            before[i - 1].context.pull_quote = true;
        }
    }
    for i in 1..lines.len().saturating_sub(1) {
        // `□ 韩北`, `◎ 程砚`: a pen name set after a box or a circle.
        let l = &lines[i];
        let b = bullet_len(&l.text);
        let marked = b > 0 && is_bare_cjk_name(l.text[b..].trim());
        let under_head = bare_cjk_names(&l.text).is_some()
            && lines[i - 1].width <= HEAD_MAX_COLS
            && lines[i - 1].ending != Ending::Terminal;
        if (marked || under_head) && lines[i + 1].gap > 0 {
            lines[i].context.bare_name = true;
        }
    }
    label
}

/// Titles before a signed name (`Revd Clare Mabbott`): not the name.
const HONORIFICS: &[&str] = &[
    "Revd", "Rev.", "Rev", "Dr", "Dr.", "Mr", "Mr.", "Mrs", "Mrs.", "Ms", "Ms.", "Miss", "Prof",
    "Prof.", "Canon", "Fr", "Fr.", "Sister", "Cllr", "Sir", "Dame",
];

/// The name a signature line gives: without a leading dash, a title, a
/// post after a comma or a note in brackets.
fn signature_name(t: &str) -> String {
    let t = t.trim_start_matches(['—', '–', '-', ' ']);
    let t = t.split_once(", ").map_or(t, |(n, _)| n);
    let t = match (t.find('('), t.ends_with(')')) {
        (Some(open), true) if open > 0 => t[..open].trim_end(),
        _ => t,
    };
    let t = t.trim_end_matches([',', '.']);
    let mut words: Vec<&str> = t.split(' ').collect();
    while words.len() > 1 && HONORIFICS.contains(&words[0]) {
        words.remove(0);
    }
    words.join(" ")
}

/// The authors a line labelled as a credit gives, whichever detector saw it.
pub(super) fn credited_authors(l: &Line) -> Vec<Author> {
    if let Some(c) = &l.credit {
        return c.authors.clone();
    }
    if let Some(MailHeader::From(name)) = &l.mail {
        return super::lines::from_credit(name.as_deref());
    }
    let t: &str = &l.text;
    if l.context.signature_name {
        return vec![Author {
            name: signature_name(t),
            role: Role::Author,
        }];
    }
    if l.context.bare_name {
        let names = t[bullet_len(t)..].trim();
        return bare_cjk_names(names)
            .unwrap_or_else(|| vec![names])
            .into_iter()
            .map(|name| Author {
                name: name.to_owned(),
                role: Role::Author,
            })
            .collect();
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pattern_compiles() {
        LazyLock::force(&LONE_DATE);
        LazyLock::force(&CLOSING);
        LazyLock::force(&DATELINE_ALONE);
        LazyLock::force(&SALUTATION);
        LazyLock::force(&ADVERT);
        LazyLock::force(&BROADCAST_SIGNOFF);
        assert!(BROADCAST_SIGNOFF.is_match("Priya Nandra, Aire Valley Radio News, Otley."));
        assert!(!BROADCAST_SIGNOFF.is_match("The council says it will act, Radio News reports."));
    }

    #[test]
    fn price_lists() {
        assert!(price_list(
            "KROGER — Fresh Fryers 49c lb. — Coffee 79c lb. — Open Fri. Till 9"
        ));
        assert!(!price_list("Gas rose from $3.10 to $3.45 a gallon."));
        assert!(!price_list("Tickets are $5."));
    }

    #[test]
    fn caps_names() {
        assert!(is_caps_name("T. A. BRENNAN,"));
        assert!(is_caps_name("D. L. FORTESCUE"));
        assert!(!is_caps_name("T. A."));
        assert!(!is_caps_name("Minister for Home Affairs."));
    }

    #[test]
    fn name_and_place_shapes() {
        let names = [
            ("Margaret Lowell", false, true),
            ("J. R. Smith", false, true),
            ("Dan (plot 14)", true, true),
            ("Helen", true, true),
            ("Helen", false, false),
            ("Keep the pool open", false, false),
            ("Council Votes Yes On Budget Plan", false, false),
            ("ROBERT HALLORAN", false, false),
        ];
        for (s, single, want) in names {
            assert_eq!(is_signature_name(s, single), want, "{s}");
        }
        let places = [
            ("Eastfield", true),
            ("Hadley, Mass.", true),
            ("Hon. Secretary, Riverside Allotment Association", true),
            ("the end of the year.", false),
        ];
        for (s, want) in places {
            assert_eq!(is_place_line(s), want, "{s}");
        }
        let cjk = [
            ("李文涛", true),
            ("买买提·艾力", true),
            ("雪落无声", false),
            ("张", false),
        ];
        for (s, want) in cjk {
            assert_eq!(is_bare_cjk_name(s), want, "{s}");
        }
        assert!(CLOSING.is_match("With best wishes,"));
        assert!(CLOSING.is_match("Regards,"));
        assert!(!CLOSING.is_match("Best practice for schools"));
        assert!(SALUTATION.is_match("Dear Parents and Carers,"));
        assert!(SALUTATION.is_match("Hello everyone,"));
        assert!(!SALUTATION.is_match("Hello and welcome to the show."));
        assert!(DATELINE_ALONE.is_match("PANMUNJOM, Korea, Aug. 5 (UP)"));
        assert!(DATELINE_ALONE.is_match("WASHINGTON (AP)"));
        assert!(!DATELINE_ALONE.is_match("The council (AP) said"));
    }
}
