//! Who signs a text at its end: closing phrases (`With best wishes,`),
//! the name and post or place under a letter, the lines after `-- `, a
//! broadcast reporter's sign-off, a Chinese letter's right-set signature,
//! salutations, pull-quote attributions, and bare Chinese names (`□ 韩北`,
//! co-authors under a headline). Also the name a signature line gives.

use std::sync::LazyLock;

use regex::Regex;

use crate::model::{Author, Role};
use crate::parse::credit::Credit;
use crate::parse::furniture::Furniture;
use crate::parse::text::lines::{Line, Piece};
use crate::parse::text::measure::{bullet_len, ending, is_cjk, width, Ending, HEAD_MAX_COLS};

// Every `expect("static regex")` below is on a fixed pattern that this
// module's unit tests compile and run, so it cannot fail at run time.

/// Most words in an English signature's name line (`Margaret Lowell`,
/// `Mary Ann de Vries`).
const SIGNATURE_MAX_WORDS: usize = 4;

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
    let han = |s: &str| {
        s.chars()
            .all(|c| crate::parse::text::measure::is_han(c) || c == '·')
    };
    ((2..=4).contains(&n) && han(name) && before.chars().count() <= 24 && han(before.trim()))
        .then(|| name.to_owned())
}

/// A salutation opening a letter or message.
static SALUTATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:dear|hello|hi|hey|greetings|good (?:morning|afternoon|evening))(?:\s+[^,.!]{1,40})?[,!:]$")
        .expect("static regex")
});

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
pub(in crate::parse::text) fn is_signature_name(s: &str, single_ok: bool) -> bool {
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
/// often headlines (set phrases) than names, so they are not taken, nor
/// is a unit's name (`供銷部`).
pub(in crate::parse::text) fn is_bare_cjk_name(s: &str) -> bool {
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
        && !crate::parse::credit::is_unit_name(s)
}

/// Chinese names alone on a line, one to four, set apart by spaces or `、`
/// (`陈立言　孙茜`: co-authors under a headline).
pub(super) fn bare_cjk_names(s: &str) -> Option<Vec<&str>> {
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
pub(super) fn signatures(lines: &mut [Line]) {
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
        let t = unwrap_emphasis(&lines[i].text);
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

/// A line without the emphasis wrapped round it (`*Graham Tull,
/// Commodore*`, `_Ann Lee_`): a signature set in italics is still one.
fn unwrap_emphasis(t: &str) -> &str {
    for mark in ["**", "__", "*", "_"] {
        if let Some(inner) = t.strip_prefix(mark).and_then(|r| r.strip_suffix(mark)) {
            if !inner.is_empty() && !inner.starts_with([' ', '*', '_']) {
                return inner;
            }
        }
    }
    t
}

/// Titles before a signed name (`Revd Clare Mabbott`): not the name.
const HONORIFICS: &[&str] = &[
    "Revd", "Rev.", "Rev", "Dr", "Dr.", "Mr", "Mr.", "Mrs", "Mrs.", "Ms", "Ms.", "Miss", "Prof",
    "Prof.", "Canon", "Fr", "Fr.", "Sister", "Cllr", "Sir", "Dame",
];

/// The name a signature line gives: without a leading dash, a title, a
/// post after a comma or a note in brackets.
pub(super) fn signature_name(t: &str) -> String {
    let t = unwrap_emphasis(t);
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

/// Sign-offs credited as authors: a broadcast reporter's (`Priya Nandra,
/// Aire Valley Radio News, Otley.`) and a Chinese letter's signature, set
/// to the right under the letter's last sentence; and salutations.
pub(super) fn sign_offs(lines: &mut [Line]) {
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
}

/// Marks bare-name credits: `□ 韩北`, `◎ 程砚` (a pen name set after a box
/// or a circle) and a line of Chinese names under a headline-like line,
/// each with a blank line below.
pub(super) fn bare_names(lines: &mut [Line]) {
    for i in 1..lines.len().saturating_sub(1) {
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pattern_compiles() {
        LazyLock::force(&CLOSING);
        LazyLock::force(&SALUTATION);
        LazyLock::force(&BROADCAST_SIGNOFF);
        assert!(BROADCAST_SIGNOFF.is_match("Priya Nandra, Aire Valley Radio News, Otley."));
        assert!(!BROADCAST_SIGNOFF.is_match("The council says it will act, Radio News reports."));
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
    }
}
