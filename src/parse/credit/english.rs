//! English bylines on a line of their own: `By NAME`, `NAME, Staff Writer`,
//! `Correspondent: NAME`, `Reporting by …`, source lines (`Staff reports`,
//! `The Associated Press`), and job-title lines under a By-line.

use std::sync::LazyLock;

use regex::Regex;

use super::{captures, is_agency, Credit};
use crate::model::{Author, Role};

// Every `expect("static regex")` below is on a fixed pattern that this
// module's unit tests compile and run, so it cannot fail at run time.

/// An English personal name: capitalised words, particles allowed.
pub(super) const EN_NAME: &str = r"[\p{Lu}][\p{L}.'’-]*(?:\s+(?:[\p{Lu}][\p{L}.'’-]*|de|van|von|der|den|la|le|da|di|du|bin|al|el))*";

/// `By NAME[, NAME and NAME][, title]`, `Posted by NAME in Desk · date`.
static BY_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"^(?:[-—–]\s*)?(?:(?i:posted|written|filed|published|reported|contributed|submitted|report|story)\s+)?(?i:by)\s+({EN_NAME}(?:\s*(?:,|(?-u:\b)and(?-u:\b)|&)\s*{EN_NAME})*)(?:(?:\s*(?:,|\||/|[-—–]|·)\s*|\s+in\s+)(.{{1,80}}))?$"
    ))
    .expect("static regex")
});

static NAME_TITLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        concat!(
            r"^({EN_NAME}(?:\s*(?:(?-u:\b)and(?-u:\b)|&)\s*{EN_NAME})?)\s*(?:,|\||[-—–])\s*",
            r"((?:the\s+)?(?:[\p{{L}}-]+\s+){{0,3}}?(?i:writer|reporter|correspondent|editor|contributor|columnist|",
            r"staff|journalist|intern|special to [\p{{L}} ]+))$"
        ),
        EN_NAME = EN_NAME
    ))
    .expect("static regex")
});

/// Job titles and newsroom words that follow a name in a byline.
static JOB_TITLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(?:writer|reporter|correspondent|editor|contributor|columnist|staff|journalist|intern|press|news|times|post|herald|courier|gazette|daily|university|communications|office|department|college|school|council|association|society|club|services?|bureau|desk|team|group|media|relations|facilities)(?-u:\b)")
        .expect("static regex")
});

/// `Correspondent: Bud Emmerich, 14 Larch Lane`, `Authors: A and B`: a role
/// label, the names, maybe an address after a comma.
static LABELLED_BYLINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"^(?i:(?:class\s+)?correspondent|reporter|writer|authors?|words(?:\s+and\s+(?:photos|pictures))?|text|story)\s*:\s*({EN_NAME}(?:\s*(?:,|(?-u:\b)and(?-u:\b)|&)\s*{EN_NAME})*)(?:,.*)?$"
    ))
    .expect("static regex")
});

/// A class year after an alumnus's name (`Jordan Pryce ’09`).
pub(super) static CLASS_YEAR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\s+['’][0-9]{2}(?-u:\b)").expect("static regex"));

static REPORTING_BY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"^[(\[]?(?i:reporting by|additional reporting by|reported by|compiled by|written by|story by|text by|report by|words by|words and pictures by)\s+({EN_NAME}(?:\s*(?:,|(?-u:\b)and(?-u:\b)|&)\s*{EN_NAME})*)(?:\s*[;.].*)?[)\]]?$"
    ))
    .expect("static regex")
});

static STAFF_REPORT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^(?i:(?:from\s+)?staff\s+reports?|(?:the\s+)?associated\s+press|reuters|afp|xinhua|bloomberg|news\s+services?",
        r"|(?:(?:associated\s+press|ap|reuters)\s+)?(?:staff|senior|chief|special|local|political|business|sports)?\s*(?:writer|reporter|correspondent|columnist)s?)$"
    ))
        .expect("static regex")
});

/// A line that only says a job title (`Courier Staff Writer`, `Staff
/// Reporter`, `Special to the Gazette`): part of the By-line above it.
static JOB_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^(?:(?:[\p{Lu}][\p{L}.'’&-]*\s+){0,4}(?i:writer|reporter|correspondent|columnist|editor|",
        r"photographer|contributor|intern|staff)s?|(?i:special to|for) (?:the )?[\p{Lu}][\p{L} ]{1,40})$"
    ))
    .expect("static regex")
});

/// Whether a line only says a job title (see [`JOB_LINE`]).
pub(crate) fn job_title_line(line: &str) -> bool {
    line.len() <= 80 && JOB_LINE.is_match(line)
}

/// `s` without a mail address closing it in angle brackets or parentheses
/// (`by Nell Ashdown <nell@quayside.ex>`).
fn without_address(s: &str) -> &str {
    let t = s.trim_end();
    let Some(close) = t.chars().next_back().filter(|c| matches!(c, '>' | ')')) else {
        return s;
    };
    let open = if close == '>' { '<' } else { '(' };
    match t.rfind(open) {
        Some(k) if t[k..].contains('@') && !t[k..].contains(char::is_whitespace) => {
            t[..k].trim_end()
        }
        _ => s,
    }
}

/// Ranks and forms of address a By-line sets before a name (`By Sgt.
/// Carla Duvall`, `Report by Coach Helen Wade`): not part of the name.
const RANKS: &[&str] = &[
    "sgt.",
    "sgt",
    "lt.",
    "lt",
    "capt.",
    "capt",
    "cpl.",
    "det.",
    "dep.",
    "deputy",
    "officer",
    "sheriff",
    "chief",
    "coach",
    "dr.",
    "dr",
    "prof.",
    "rev.",
    "fr.",
    "mr.",
    "mrs.",
    "ms.",
    "councillor",
    "councilor",
    "cllr",
];

/// A name without a rank before it, when a name is left after it.
fn without_rank(name: &str) -> &str {
    match name.split_once(' ') {
        Some((first, rest))
            if RANKS.iter().any(|r| first.eq_ignore_ascii_case(r)) && rest.trim().contains(' ') =>
        {
            rest.trim()
        }
        _ => name,
    }
}

/// `s` without an aside in parentheses closing it (`By Oskar Brandt
/// (chef)`), and without parentheses around the whole of it (`(Contributed
/// by Mait Kukk)`).
fn without_aside(s: &str) -> &str {
    let t = s.trim();
    if let Some(inner) = t.strip_prefix('(').and_then(|x| x.strip_suffix(')')) {
        if !inner.contains(['(', ')']) {
            return inner.trim();
        }
    }
    match t
        .strip_suffix(')')
        .and_then(|x| x.rfind('(').map(|k| (x, k)))
    {
        Some((x, k)) if k > 0 && !x[k..].contains(['@', '/']) => x[..k].trim_end(),
        _ => t,
    }
}

/// `s` without what stands in parentheses, the parentheses with it.
fn without_parentheses(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut depth = 0usize;
    for c in s.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace(" ,", ",")
}

/// Whether a By-line's name list opens with a determiner, which no name
/// does: `BY THE NUMBERS`, `By this time` are headings or prose.
fn opens_with_determiner(list: &str) -> bool {
    let first = list.split_whitespace().next().unwrap_or_default();
    [
        "the", "a", "an", "this", "that", "these", "those", "our", "your", "its", "their", "my",
        "all", "any", "some", "no",
    ]
    .iter()
    .any(|d| first.eq_ignore_ascii_case(d))
}

/// A writer's sign-off run in after a paragraph's last sentence, set off
/// by a dash: `… in one detector channel. —Rohan Desai` (two to four
/// capitalised words).
static DASH_SIGNOFF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"[.!?”"’)]\s+[—–]\s?(\p{Lu}[\p{L}.'’-]*(?:\s+\p{Lu}[\p{L}.'’-]*){1,3})$"#)
        .expect("static regex")
});

/// A dash sign-off closing `s` (see [`DASH_SIGNOFF`]): the text before
/// the dash and the credit.
pub(crate) fn dash_signoff(s: &str) -> Option<(&str, Credit)> {
    // Cheap check first: a dash near the end.
    let tail = s.len().saturating_sub(60);
    let tail = (tail..s.len()).find(|&i| s.is_char_boundary(i))?;
    if !s[tail..].contains(['—', '–']) {
        return None;
    }
    let c = captures(&DASH_SIGNOFF, s)?;
    let name = c.get(1)?;
    let dash = s[..name.start()].rfind(['—', '–'])?;
    let before = s[..dash].trim_end();
    if JOB_TITLE.is_match(name.as_str()) || before.is_empty() {
        return None;
    }
    Some((
        before,
        Credit {
            authors: vec![Author {
                name: name.as_str().to_owned(),
                role: Role::Author,
            }],
            rest: String::new(),
            prefix: s[dash..].to_owned(),
            why: "sign-off (—NAME after the last sentence)",
        },
    ))
}

/// Whether a line opens as a By-line does (`By `, `— By `, `Posted by `):
/// a cheap test before the full pattern, which most lines fail.
fn by_line_start(line: &str) -> bool {
    let t = line.trim_start_matches(['-', '—', '–', ' ']).as_bytes();
    let starts = |p: &str| t.len() >= p.len() && t[..p.len()].eq_ignore_ascii_case(p.as_bytes());
    [
        "by ",
        "posted by ",
        "written by ",
        "filed by ",
        "published by ",
        "reported by ",
        "contributed by ",
        "submitted by ",
        "report by ",
        "story by ",
    ]
    .iter()
    .any(|p| starts(p))
}

/// One field of a credit line that credits a photographer or illustrator
/// (`Photography by NAME`): no author.
static PHOTO_FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:photography|photographs|photos?|pictures?|images?|illustrations?|video)\s*(?:by\s|:)\s*\S")
        .expect("static regex")
});

/// The authors of a By-line's name list. The names run up to the first
/// part that joins two with `and` (`A, B and C`); with no `and`, only the
/// first part is a name and what follows a comma is the writer's title or
/// affiliation (`Jane Doe, Staff Writer`, `Helena Marchetti, Tollgate
/// Chambers`, `A and B, Marlgate Chambers`), credited only when it is a
/// known agency.
fn by_line_authors(list: &str) -> Vec<Author> {
    let parts: Vec<&str> = list.split(',').map(str::trim).collect();
    let joined = |p: &&str| p.contains(" and ") || p.contains('&');
    let last_name_part = parts.iter().position(joined).unwrap_or(0);
    let mut authors = Vec::new();
    for (k, part) in parts.iter().enumerate() {
        for name in english_names(part) {
            let name = without_rank(&name).to_owned();
            let agency = is_agency(&name);
            if agency || (k <= last_name_part && !JOB_TITLE.is_match(&name)) {
                let role = if agency { Role::Agency } else { Role::Author };
                authors.push(Author { name, role });
            }
        }
    }
    authors
}

/// A credit line of several fields (`Words by NAME  |  Photography by
/// NAME`, `18 May 2025 · Report by NAME · Photos: NAME`): the credit of the
/// one field that is a credit, when every other field credits a
/// photographer or gives a date.
fn credit_fields(line: &str) -> Option<Credit> {
    let fields: Vec<&str> = line.split(['|', '·']).map(str::trim).collect();
    if fields.len() < 2 {
        return None;
    }
    let at = fields
        .iter()
        .position(|f| !PHOTO_FIELD.is_match(f) && !date_field(f))?;
    let others_fit = fields
        .iter()
        .enumerate()
        .all(|(k, f)| k == at || PHOTO_FIELD.is_match(f) || date_field(f));
    if !others_fit {
        return None;
    }
    let mut credit = english_credit_line(fields[at])?;
    credit.prefix = line.to_owned();
    Some(credit)
}

/// A field that gives a date or time (`18 May 2025`, `5 min read`): a
/// digit, at most four words.
fn date_field(f: &str) -> bool {
    f.contains(|c: char| c.is_ascii_digit()) && f.split_whitespace().count() <= 4
}

/// [`english_names`] as writers.
fn english_writers(s: &str) -> Vec<Author> {
    english_names(s)
        .into_iter()
        .map(|name| Author {
            name,
            role: Role::Author,
        })
        .collect()
}

fn english_names(s: &str) -> Vec<String> {
    s.split(',')
        .flat_map(|p| p.split(" and "))
        .flat_map(|p| p.split('&'))
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .collect()
}

pub(super) fn english_credit_line(full: &str) -> Option<Credit> {
    let make = |authors: Vec<Author>, why| Credit {
        authors,
        rest: String::new(),
        prefix: full.to_owned(),
        why,
    };
    // Class years are not part of a name.
    let stripped = CLASS_YEAR.replace_all(full, "");
    let line: &str = &stripped;
    if line.contains(['|', '·']) {
        if let Some(c) = credit_fields(line) {
            return Some(c);
        }
    }
    if by_line_start(without_aside(line)) {
        // `by NAME <name@host>`: the writer's address is not part of the credit.
        let line = without_aside(without_address(line));
        if let Some(c) = captures(&BY_LINE, line).filter(|c| !opens_with_determiner(&c[1])) {
            let mut authors = by_line_authors(c.get(1)?.as_str());
            if let Some(title) = c.get(2).map(|m| m.as_str().trim()) {
                if is_agency(title) {
                    authors.push(Author {
                        name: title.to_owned(),
                        role: Role::Agency,
                    });
                }
            }
            return Some(make(authors, "byline (By NAME)"));
        }
    }
    if let Some(c) = captures(&NAME_TITLE, line) {
        let authors = english_writers(c.get(1)?.as_str());
        return Some(make(authors, "byline (NAME, Staff Writer)"));
    }
    if line.contains(':') {
        // Affiliations in parentheses are not names (`Authors: A (Institute), B`).
        let bare = without_parentheses(line);
        if let Some(c) = captures(&LABELLED_BYLINE, &bare) {
            let authors = english_writers(c.get(1)?.as_str());
            return Some(make(
                authors,
                "byline (Correspondent: NAME, Authors: NAMES)",
            ));
        }
    }
    if let Some(c) = captures(&REPORTING_BY, line) {
        let authors = english_writers(c.get(1)?.as_str());
        return Some(make(authors, "credit (Reporting by …)"));
    }
    if STAFF_REPORT.is_match(line) {
        let authors = if is_agency(line.trim_start_matches("The ").trim()) {
            vec![Author {
                name: line.to_owned(),
                role: Role::Agency,
            }]
        } else {
            Vec::new()
        };
        return Some(make(authors, "source line (agency / staff report)"));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pattern_compiles() {
        LazyLock::force(&BY_LINE);
        LazyLock::force(&DASH_SIGNOFF);
        LazyLock::force(&PHOTO_FIELD);
        LazyLock::force(&NAME_TITLE);
        LazyLock::force(&JOB_TITLE);
        LazyLock::force(&LABELLED_BYLINE);
        LazyLock::force(&CLASS_YEAR);
        LazyLock::force(&REPORTING_BY);
        LazyLock::force(&STAFF_REPORT);
        LazyLock::force(&JOB_LINE);
    }

    #[test]
    fn asides_and_ranks() {
        assert_eq!(without_aside("By Oskar Brandt (chef)"), "By Oskar Brandt");
        assert_eq!(
            without_aside("(Contributed by Mait Kukk)"),
            "Contributed by Mait Kukk"
        );
        assert_eq!(without_aside("By Ann Lee"), "By Ann Lee");
        assert_eq!(without_rank("Sgt. Carla Duvall"), "Carla Duvall");
        assert_eq!(without_rank("Coach Helen Wade"), "Helen Wade");
        assert_eq!(without_rank("Chief Okafor"), "Chief Okafor");
    }
}
