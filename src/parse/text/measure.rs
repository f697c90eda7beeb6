//! Measures of one line on its own, with no knowledge of the page: width in
//! columns, how it ends, list numbering, bullets, script and letter case.
//! Every feature of the segmentation model is built from these.

/// Widths above this are all the same to the parser (every threshold is
/// lower), so measuring stops there: long paragraphs are not measured to
/// their end.
pub(super) const WIDTH_CAP: usize = 256;

/// Widest line (in columns; CJK characters count two) that can be a
/// headline or subheading. Real headlines stay well under this; paragraph
/// lines of unwrapped pages are far longer.
pub(super) const HEAD_MAX_COLS: usize = 100;

/// Whether code point `u` is East Asian wide (two columns).
fn wide(u: u32) -> bool {
    (0x1100..=0x115f).contains(&u)
        || (0x2e80..=0xa4cf).contains(&u)
        || (0xac00..=0xd7a3).contains(&u)
        || (0xf900..=0xfaff).contains(&u)
        || (0xfe30..=0xfe4f).contains(&u)
        || (0xff00..=0xff60).contains(&u)
        || (0xffe0..=0xffe6).contains(&u)
        || (0x20000..=0x3fffd).contains(&u)
}

/// Width of a character in columns: East Asian wide characters count two.
pub(super) fn char_width(c: char) -> usize {
    if wide(c as u32) {
        2
    } else {
        1
    }
}

/// Width of `s` in columns, capped just above [`WIDTH_CAP`].
pub(super) fn width(s: &str) -> usize {
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
                (3, if wide(cp) { 2 } else { 1 })
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
pub(super) fn is_cjk(c: char) -> bool {
    char_width(c) == 2
}

/// Whether `c` is a Han character (not CJK punctuation).
pub(super) fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4dbf | 0x4e00..=0x9fff | 0xf900..=0xfaff | 0x20000..=0x3134f)
}

/// How a line ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ending {
    /// A sentence ends here (`。`, `.`, `!`, `；`).
    Terminal,
    /// The sentence clearly goes on (`，`, `、`, `：`, an open bracket).
    Continues,
    /// Anything else: a heading, or prose cut mid-sentence.
    Open,
}

/// English words that cannot end a sentence or a headline: a line ending
/// in one was wrapped mid-sentence.
const EN_CONTINUERS: &[&str] = &[
    "a", "an", "the", "of", "to", "in", "on", "at", "by", "for", "with", "from", "and", "or",
    "but", "that", "as", "is", "are", "was", "were", "be", "has", "have", "had", "will", "would",
    "its", "their", "his", "her", "our", "this", "these", "than", "into", "about", "who", "which",
];

/// How `s` ends: a finished sentence, a sentence that clearly goes on, or
/// neither.
pub(super) fn ending(s: &str) -> Ending {
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
        '。' | '！' | '？' | '!' | '?' | '…' | '；' | ';' | '．' | '.' => Ending::Terminal,
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

/// Whether `s` ends in a question or exclamation mark (a headline may).
pub(super) fn asks_or_exclaims(s: &str) -> bool {
    s.trim_end_matches(['”', '’', '"', '」', '』'])
        .ends_with(['?', '!', '？', '！'])
}

/// Whether `s` starts like the continuation of a sentence: a lower-case
/// Latin letter, or punctuation that cannot open a paragraph.
pub(super) fn starts_mid_sentence(s: &str) -> bool {
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
pub(super) fn ends_with_hyphenation(s: &str) -> bool {
    let mut rev = s.chars().rev();
    rev.next() == Some('-') && rev.next().is_some_and(char::is_alphabetic)
}

/// Whether a line ends with leader dots and a page reference, as a
/// contents entry does (`Loss of Land Certificate ........ 613`).
pub(super) fn ends_with_leader(s: &str) -> bool {
    let t = s.trim_end();
    let number = t.trim_end_matches(|c: char| c.is_ascii_digit() || c == '-');
    if number.len() == t.len() || t.len() - number.len() > 5 {
        return false;
    }
    let dots = number.trim_end();
    let before = dots.trim_end_matches(['.', '…', '·', ' ']);
    let leader = &dots[before.len()..];
    leader.matches('.').count() + 3 * leader.matches('…').count() + leader.matches('·').count() >= 3
}

/// Width of the first word of `s` (the first character for CJK).
pub(super) fn first_word_width(s: &str) -> usize {
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

/// The separator two pieces of one paragraph are joined with: nothing
/// between CJK text, a space between words.
pub(super) fn join_separator(a: &str, b: &str) -> &'static str {
    let last = a.chars().next_back().unwrap_or(' ');
    let first = b.chars().next().unwrap_or(' ');
    if is_cjk(last) || is_cjk(first) {
        ""
    } else {
        " "
    }
}

/// A list number opening a line: its scheme, value and length in bytes
/// (separator and following spaces included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Numbering {
    /// `1.` (1), `一、` (2), `（一）` (3), `(1)` (4), `①` (5), `Notice 3--` (6),
    /// `[3]` (7), `4.1` (8, a sub-item).
    pub scheme: u8,
    /// The number itself.
    pub value: u32,
    /// Bytes of the prefix, spaces after it included.
    pub len: usize,
}

/// The value of a run of CJK numerals up to 99 (`三`, `十二`, `二十`).
fn cjk_number(s: &str) -> Option<u32> {
    let digit = |c: char| "〇一二三四五六七八九".find(c).map(|i| (i / 3) as u32);
    let chars: Vec<char> = s.chars().collect();
    match chars.as_slice() {
        ['十'] => Some(10),
        [d] => digit(*d),
        ['十', d] => Some(10 + digit(*d)?),
        [t, '十'] => Some(10 * digit(*t)?),
        [t, '十', d] => Some(10 * digit(*t)? + digit(*d)?),
        _ => None,
    }
}

/// The value of ASCII or full-width digits.
fn digits_value(s: &str) -> Option<u32> {
    let mut v: u32 = 0;
    for c in s.chars() {
        let d = match c {
            '0'..='9' => c as u32 - '0' as u32,
            '０'..='９' => c as u32 - '０' as u32,
            _ => return None,
        };
        v = v.checked_mul(10)?.checked_add(d)?;
    }
    Some(v)
}

/// Bytes of the run of numerals opening `s`.
fn numeral_prefix(s: &str) -> usize {
    s.char_indices()
        .find(|&(_, c)| !is_numeral(c))
        .map_or(s.len(), |(i, _)| i)
}

fn is_numeral(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c) || "〇一二三四五六七八九十".contains(c)
}

/// Most capitalised words in the label of a labelled number (`Govt.
/// Notice No. 12--`).
const NUMBER_LABEL_MAX_WORDS: usize = 3;

/// A labelled number closed by a dash (`File 3--`, `Notice 1412--`, `No.
/// 88.—`, or a bare `88—` of up to three digits): its value and its bytes
/// up to and including the dash. Whatever follows must open with a capital
/// (`1—0` is a score, not a number).
fn labelled_number(s: &str) -> Option<(u32, usize)> {
    let mut at = 0;
    let mut words = 0;
    while !s[at..].starts_with(|c: char| c.is_ascii_digit()) {
        let word_len = s[at..].find(' ')?;
        let word = &s[at..at + word_len];
        let shaped = word.starts_with(|c: char| c.is_ascii_uppercase())
            && word.len() <= 10
            && word.chars().all(|c| c.is_ascii_alphabetic() || c == '.');
        words += 1;
        if !shaped || words > NUMBER_LABEL_MAX_WORDS {
            return None;
        }
        at += word_len + 1;
    }
    let digits = s[at..].bytes().take_while(u8::is_ascii_digit).count();
    let most = if words == 0 { 3 } else { 5 };
    if digits > most {
        return None;
    }
    let value = digits_value(&s[at..at + digits])?;
    at += digits;
    if s[at..].starts_with('.') {
        at += 1;
    }
    let dash = ["--", "—", "–"].iter().find(|d| s[at..].starts_with(**d))?;
    at += dash.len();
    let titled = s[at..]
        .trim_start()
        .starts_with(|c: char| c.is_uppercase() || c == '"' || c == '“' || is_cjk(c));
    titled.then_some((value, at))
}

/// Numbered-item prefixes: `1.`, `1、`, `一、`, `（一）`, `(1)`, `１．`, `①`,
/// `Notice 3--`, `[3]`, `4.1`.
pub(super) fn numbering(s: &str) -> Option<Numbering> {
    let first = s.chars().next()?;
    let with_spaces = |len: usize| len + (s.len() - len - s[len..].trim_start().len());
    if ('①'..='⑳').contains(&first) {
        let value = first as u32 - '①' as u32 + 1;
        return Some(Numbering {
            scheme: 5,
            value,
            len: with_spaces(first.len_utf8()),
        });
    }
    if let Some((value, len)) = labelled_number(s) {
        return Some(Numbering {
            scheme: 6,
            value,
            len: with_spaces(len),
        });
    }
    if matches!(first, '（' | '(' | '[') {
        let open = first.len_utf8();
        let inner = &s[open..open + numeral_prefix(&s[open..])];
        if inner.is_empty() || inner.chars().count() > 3 {
            return None;
        }
        let close = s[first.len_utf8() + inner.len()..].chars().next()?;
        let ok = match first {
            '[' => close == ']',
            _ => matches!(close, '）' | ')'),
        };
        if !ok {
            return None;
        }
        let cjk = inner
            .chars()
            .any(|c| !c.is_ascii_digit() && !('０'..='９').contains(&c));
        let value = if cjk {
            cjk_number(inner)?
        } else {
            digits_value(inner)?
        };
        let scheme = match (first, cjk) {
            ('[', _) => 7,
            (_, true) => 3,
            (_, false) => 4,
        };
        return Some(Numbering {
            scheme,
            value,
            len: with_spaces(first.len_utf8() + inner.len() + close.len_utf8()),
        });
    }
    let digits = &s[..numeral_prefix(s)];
    if digits.is_empty() || digits.chars().count() > 3 {
        return None;
    }
    let rest = &s[digits.len()..];
    let cjk = digits.chars().any(|c| "〇一二三四五六七八九十".contains(c));
    let value = if cjk {
        cjk_number(digits)?
    } else {
        digits_value(digits)?
    };
    // `1️⃣ `: a keycap digit (the digit, an optional variation selector,
    // the enclosing keycap), numbered as circled digits are.
    let keycap = rest.strip_prefix('\u{FE0F}').unwrap_or(rest);
    if !cjk && keycap.starts_with('\u{20E3}') {
        let len = s.len() - keycap.len() + '\u{20E3}'.len_utf8();
        return Some(Numbering {
            scheme: 5,
            value,
            len: with_spaces(len),
        });
    }
    let sep = rest.chars().next()?;
    // `4.1 Reaction`: a sub-item.
    if sep == '.' && !cjk {
        let sub = &rest[1..1 + rest[1..].bytes().take_while(u8::is_ascii_digit).count()];
        let after = &rest[1 + sub.len()..];
        let titled = after
            .trim_start()
            .starts_with(|c: char| c.is_uppercase() || is_cjk(c));
        if !sub.is_empty() && after.starts_with(' ') && sub.len() <= 2 && titled {
            return Some(Numbering {
                scheme: 8,
                value,
                len: with_spaces(digits.len() + 1 + sub.len()),
            });
        }
    }
    match sep {
        '、' | '．' | '.' | ')' | '）' => {
            // `1.5 million` and `2022.` are not item numbers; `三、2025年…`
            // is one.
            let after = &rest[sep.len_utf8()..];
            if (!cjk && after.starts_with(|d: char| d.is_ascii_digit())) || after.trim().is_empty()
            {
                return None;
            }
            Some(Numbering {
                scheme: if cjk { 2 } else { 1 },
                value,
                len: with_spaces(digits.len() + sep.len_utf8()),
            })
        }
        // `1 Library reopens`: a contents entry numbered without a stop.
        ' ' if !cjk && rest[1..].starts_with(|c: char| c.is_uppercase()) => Some(Numbering {
            scheme: 9,
            value,
            len: with_spaces(digits.len()),
        }),
        _ => None,
    }
}

/// Whether a short line reads as a fragment of prose, not a heading: it
/// has clause punctuation (`、`, `，`) outside quotes and brackets.
pub(super) fn has_bare_clause_punct(s: &str) -> bool {
    let s = &s[numbering(s).map_or(0, |n| n.len)..];
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

/// The length of a bullet opening a line (`■ `, `● `, `◎`, `◆`, `* `, `- `),
/// spaces included; 0 if there is none.
pub(super) fn bullet_len(s: &str) -> usize {
    let Some(first) = s.chars().next() else {
        return 0;
    };
    if is_pictograph(first) {
        return pictograph_bullet_len(s);
    }
    if !matches!(
        first,
        '■' | '□'
            | '◎'
            | '◆'
            | '◇'
            | '●'
            | '○'
            | '▲'
            | '►'
            | '▶'
            | '★'
            | '☆'
            | '•'
            | '▪'
            | '·'
            | '*'
            | '-'
            | '+'
    ) {
        return 0;
    }
    let rest = &s[first.len_utf8()..];
    let body = rest.trim_start();
    // ASCII bullets need a space after them (`- item`, not `-5`).
    if first.is_ascii() && body.len() == rest.len() {
        return 0;
    }
    if body.starts_with(|c: char| c.is_alphanumeric() || is_cjk(c)) {
        s.len() - body.len()
    } else {
        0
    }
}

/// An emoji or pictograph (`🏫`, `⚡`, `👉`), as newsletters set bullets.
fn is_pictograph(c: char) -> bool {
    matches!(c as u32, 0x1F300..=0x1FAFF | 0x2600..=0x27BF | 0x2B50..=0x2B55)
}

/// The length of a pictograph bullet (`🏫 `, `⚡️ `): pictographs with their
/// variation selectors and joiners, then a space, then a letter or digit.
fn pictograph_bullet_len(s: &str) -> usize {
    let rest = s.trim_start_matches(|c: char| {
        is_pictograph(c) || matches!(c, '\u{FE0F}' | '\u{200D}' | '\u{1F3FB}'..='\u{1F3FF}')
    });
    let body = rest.trim_start();
    if body.len() < rest.len() && body.starts_with(|c: char| c.is_alphanumeric() || is_cjk(c)) {
        s.len() - body.len()
    } else {
        0
    }
}

/// Letter case of a Latin line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Case {
    /// Too few Latin letters to say.
    None,
    /// Every letter upper case (`COUNCIL APPROVES`).
    Upper,
    /// Most words capitalised (`Council Approves New Budget`).
    Title,
    /// Ordinary sentence case.
    Sentence,
}

/// Small words a title-case headline leaves in lower case.
const MINOR_WORDS: &[&str] = &[
    "a", "an", "the", "of", "to", "in", "on", "at", "by", "for", "and", "or", "but", "as", "with",
    "from", "into", "vs", "is",
];

/// The letter case of `s`.
pub(super) fn case_of(s: &str) -> Case {
    let mut upper = 0;
    let mut lower = 0;
    for c in s.chars().take(80) {
        if c.is_ascii() {
            upper += usize::from(c.is_ascii_uppercase());
            lower += usize::from(c.is_ascii_lowercase());
        } else if (c as u32) < 0x0530 {
            // Latin, Greek and Cyrillic letters have case; CJK has none.
            upper += usize::from(c.is_uppercase());
            lower += usize::from(c.is_lowercase());
        }
    }
    if upper + lower < 4 {
        return Case::None;
    }
    if lower == 0 {
        return Case::Upper;
    }
    let (mut major, mut capital) = (0, 0);
    for w in s.split(' ').take(30) {
        let core = w.trim_matches(|c: char| !c.is_alphabetic());
        if core.is_empty() || MINOR_WORDS.iter().any(|m| m.eq_ignore_ascii_case(core)) {
            continue;
        }
        major += 1;
        let opening = w.trim_start_matches(|c: char| !c.is_alphanumeric());
        capital +=
            usize::from(opening.starts_with(|c: char| c.is_uppercase() || c.is_ascii_digit()));
    }
    if major >= 2 && capital * 10 >= major * 8 {
        Case::Title
    } else {
        Case::Sentence
    }
}

/// Share (per cent) of CJK characters among the letters of `s`.
pub(super) fn cjk_percent(s: &str) -> usize {
    let mut cjk = 0usize;
    let mut letters = 0usize;
    for c in s.chars().take(80) {
        if is_han(c) {
            cjk += 1;
            letters += 1;
        } else if c.is_ascii_alphanumeric() || (!c.is_ascii() && !is_cjk(c) && c.is_alphanumeric())
        {
            letters += 1;
        }
    }
    (cjk * 100).checked_div(letters).unwrap_or(0)
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
        }
    }

    #[test]
    fn leaders() {
        assert!(ends_with_leader("Loss of Land Certificate ........ 613"));
        assert!(ends_with_leader("Budget passes …… 3"));
        assert!(ends_with_leader("Members' news . . . . 4"));
        assert!(!ends_with_leader("It cost $2.50. 3"));
        assert!(!ends_with_leader("Price 2019"));
    }

    #[test]
    fn numberings() {
        fn n(s: &str) -> Option<(u8, u32, &str)> {
            numbering(s).map(|n| (n.scheme, n.value, &s[n.len..]))
        }
        /// (line, (scheme, value, text after the number)).
        type Case<'a> = (&'a str, Option<(u8, u32, &'a str)>);
        let cases: &[Case] = &[
            (
                "1. Curbside leaf collection",
                Some((1, 1, "Curbside leaf collection")),
            ),
            ("１．城区新增口袋公园", Some((1, 1, "城区新增口袋公园"))),
            ("12、会议要求", Some((1, 12, "会议要求"))),
            (
                "一、县政府召开防汛工作部署会",
                Some((2, 1, "县政府召开防汛工作部署会")),
            ),
            ("十二、其他", Some((2, 12, "其他"))),
            (
                "三、2025年第一季度财务公开",
                Some((2, 3, "2025年第一季度财务公开")),
            ),
            ("（一）严格质量管理", Some((3, 1, "严格质量管理"))),
            ("(1) Roads", Some((4, 1, "Roads"))),
            ("①第一条", Some((5, 1, "第一条"))),
            ("1️⃣ #沅江大桥今日合龙#", Some((5, 1, "#沅江大桥今日合龙#"))),
            ("3\u{20E3} Third", Some((5, 3, "Third"))),
            ("File 3--Pothole survey", Some((6, 3, "Pothole survey"))),
            (
                "Notice 1412--APPOINTMENT OF A REGISTRAR",
                Some((6, 1412, "APPOINTMENT OF A REGISTRAR")),
            ),
            ("Govt. Notice No. 88.--Whereas", Some((6, 88, "Whereas"))),
            (
                "88—The Fisheries Regulations",
                Some((6, 88, "The Fisheries Regulations")),
            ),
            ("1—0 at half time", None),
            ("2019—the year", None),
            ("Route 66 is closed", None),
            ("[3] Item", Some((7, 3, "Item"))),
            ("4.1 Reaction", Some((8, 4, "Reaction"))),
            (
                "2 Canal towpath repairs",
                Some((9, 2, "Canal towpath repairs")),
            ),
            ("1.5 million people", None),
            ("2022. A year", None),
            ("2022 was a year", None),
            ("江海区", None),
        ];
        for (s, want) in cases {
            assert_eq!(n(s), *want, "{s}");
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
    fn bullets_and_case() {
        let bullets = [
            ("■ 城南图书馆延长开放时间", "■ ".len()),
            ("●社区运动会闭幕", "●".len()),
            ("- Item one", 2),
            ("-5 degrees", 0),
            ("■■■", 0),
            ("城南图书馆", 0),
            ("🏫 School board picks", "🏫 ".len()),
            ("⚡️ Quick hits", "⚡️ ".len()),
            ("🎉🎉", 0),
        ];
        for (s, want) in bullets {
            assert_eq!(bullet_len(s), want, "{s}");
        }
        let cases = [
            ("COUNCIL APPROVES NEW WATER MAINS", Case::Upper),
            ("Bond Issue Will Go Before Voters", Case::Title),
            ("Council delays bike-lane vote", Case::Sentence),
            ("江海区", Case::None),
        ];
        for (s, want) in cases {
            assert_eq!(case_of(s), want, "{s}");
        }
    }
}
