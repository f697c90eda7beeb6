//! Inline credits that open a paragraph and are cut off it: news flashes
//! (`江门日报讯（记者/…）`, `XX网消息：`), dispatches (`新华社北京12月7日电（记者
//! …）`, `【新华社…电】`), Taiwanese bylines (`記者NAME／台北報導`), English wire
//! and release datelines (`WASHINGTON (AP) —`, `CITY, date /WIRE/ --`), local
//! datelines (`TOWN —`) and bracketed credits (`（记者 张三）正文…`).

use std::sync::LazyLock;

use regex::Regex;

use super::chinese::{chinese_credit_line, parse_roles};
use super::{captures, is_own_paper, Credit};
use crate::model::{Author, Role};

// Every `expect("static regex")` below is on a fixed pattern that this
// module's unit tests compile and run, so it cannot fail at run time.

/// `江门日报讯（记者/陈婵 通讯员/陈伟杰）`, `本报讯`, `【本报曼谷讯】`,
/// `XX网消息：`.
static NEWS_FLASH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^(?:[□■◇◆●]\s*)?[【\[]?",
        r"(本报|本報|本刊|本台|本网|本網|\p{Han}{1,12}?(?:日报|日報|晚报|晚報|时报|時報|商报|商報|报|報|网|網|台|社|客户端|客戶端|新闻|新聞|融媒|融媒体|融媒體))",
        // A place may stand before 讯 (`本报曼谷讯`, `本报综合讯`).
        r"(?:\p{Han}{0,6}?[讯訊]|消息\s*[:：]?|快讯|快訊)\s*[】\]]?\s*",
        r"(?:[（(]([^（）()]{1,80})[）)])?\s*[:：]?\s*"
    ))
    .expect("static regex")
});

/// `新华社北京12月7日电（记者 …）`, `【新华社…电】`, `（中央社記者王小明台北7日電）`,
/// `本报北京12月8日电`.
static DISPATCH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^[【\[（(]?\s*(?:据|據)?",
        r"(本报|本報|\p{Han}{1,6}?社|中新网|中新網)",
        r"((?:记者|記者)\p{Han}{2,10}(?:、\p{Han}{2,10}){0,3})?",
        r"\s*(?:\p{Han}{0,8}?)\s*(?:[0-9一二三四五六七八九十]{1,3}\s*月)?\s*[0-9一二三四五六七八九十]{1,3}\s*日\s*(?:专|專|特)?[电電]",
        r"\s*[】\]）)]?\s*(?:[（(]([^（）()]{1,80})[）)])?\s*[:：]?\s*"
    ))
    .expect("static regex")
});

/// `記者張雅婷、李建宏∕綜合報導`, `【記者陳美玲∕高雄報導】` opening a paragraph.
static TW_BYLINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^[【\[（(]?\s*((?:记者|記者)[^∕/／【】（）()\[\]。，]{2,30}?)\s*[∕/／]\s*",
        r"\p{Han}{0,6}(?:報導|报道|報道|报导)\s*[】\]）)]?\s*"
    ))
    .expect("static regex")
});

/// `记者张卫东、通讯员李海报道：` after a news flash or dispatch
/// (`本报讯 记者…报道：`, `本报北京1月29日电 记者…报道：`).
static REPORTED_BY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^((?:本报|本報|本台)?(?:记者|記者|通讯员|通訊員)[^：:。，,（）()]{1,40}?)",
        r"(?:报道|報導|报导|報道)\s*[:：]\s*"
    ))
    .expect("static regex")
});

/// `据新华社电`, `【中新社电】`: a known agency without place or date.
static AGENCY_FLASH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^[【\[（(]?\s*(?:据|據)?\s*(新华社|新華社|中新社|中新网|中新網|中央社|人民网|人民網|央视网|央視網)",
        r"\s*[电電讯訊]\s*[】\]）)]?\s*[:：]?\s*"
    ))
    .expect("static regex")
});

/// `WASHINGTON (AP) —`, `BEIJING, Dec. 7 (Xinhua) --`.
static DATELINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^([A-Z][A-Z.'’-]*(?:[ -][A-Z][A-Z.'’-]*){0,3}(?:,\s*[A-Z][A-Za-z.]*(?:\s[A-Z][A-Za-z.]*)?)?",
        r"(?:,?\s+[A-Z][a-z]{2,4}\.?\s+[0-9]{1,2})?)\s*",
        r"\((AP|Reuters|AFP|UPI|UP|Xinhua|Bloomberg|PA|dpa|CNA|Kyodo|Yonhap|[A-Z]{2,5})\)\s*(?:[-—–_]+|:)\s*"
    ))
    .expect("static regex")
});

/// `HARTWELL, Ohio, May 14, 2024 /Meridian Newswire/ --`: the dateline of
/// a press release as a release wire issues it, the wire between slashes.
static RELEASE_DATELINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^[A-Z][A-Z.'’-]*(?:[ -][A-Z][A-Z.'’-]*){0,3}(?:,\s*[A-Z][A-Za-z.]*(?:\s[A-Z][A-Za-z.]*)?)?",
        r",\s+[A-Z][a-z]{2,8}\.?\s+[0-9]{1,2},\s+[0-9]{4}\s*/([A-Z][^/]{1,40})/\s*(?:--|—|–)\s*"
    ))
    .expect("static regex")
});

/// `TOWN — The council…`: a dateline of the paper's own story, with no
/// agency in brackets.
static LOCAL_DATELINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^[A-Z][A-Z.'’-]{2,}(?:[ -][A-Z][A-Z.'’-]*){0,3}(?:,\s*[A-Z][A-Za-z.]*(?:\s[A-Z][A-Za-z.]*)?)?",
        r"\s*(?:—|--|–)\s*[\p{Lu}\d\x22“‘']"
    ))
    .expect("static regex")
});

/// Authors inside the brackets of an inline credit; `None` if the bracket
/// holds something else.
fn bracket_authors(inner: Option<regex::Match<'_>>) -> Option<Vec<Author>> {
    match inner {
        None => Some(Vec::new()),
        Some(m) => parse_roles(m.as_str().trim()),
    }
}

/// Finds an inline credit opening a paragraph: the shapes whose marks the
/// line's start shows are tried, the separator after the credit is
/// dropped, and reporters named after a news flash (`本报讯 记者张卫东、
/// 通讯员李海报道：正文`) join the credit.
pub(super) fn opening_credit(line: &str) -> Option<Credit> {
    let marks = Marks::of(line);
    if !(marks.flash || marks.dispatch || marks.reporter || marks.bracket || marks.upper) {
        return None;
    }
    let mut credit = inline_credit(line, marks)?;
    credit.rest = credit
        .rest
        .trim_start_matches([' ', '\u{3000}', ':', '：', '—', '-', '–', '_'])
        .to_owned();
    if credit.rest.starts_with(['记', '記', '通', '本']) {
        if let Some(c) = captures(&REPORTED_BY, &credit.rest) {
            let names = c.get(1).and_then(|m| parse_roles(m.as_str().trim()));
            if let (Some(mut authors), Some(m)) = (names, c.get(0)) {
                credit.authors.append(&mut authors);
                credit.prefix.push_str(m.as_str());
                credit.rest = credit.rest[m.end()..].to_owned();
            }
        }
    }
    Some(credit)
}

/// Which inline-credit marks the start of a line shows: each credit shape
/// needs one of them, so shapes whose mark is missing are not tried.
#[derive(Debug, Default, Clone, Copy)]
struct Marks {
    /// `讯`, `訊` or `消息`.
    flash: bool,
    /// `电`, `電`.
    dispatch: bool,
    /// `者` (of `记者`).
    reporter: bool,
    /// An opening bracket.
    bracket: bool,
    /// Starts with an ASCII capital (wire datelines).
    upper: bool,
}

impl Marks {
    /// The marks in a line's first 48 characters: every inline credit
    /// shows one of them near the start (a news flash's `讯` or `消息`, a
    /// dispatch's `电`, a reporter's `者`, a bracket, a wire dateline's
    /// capital).
    fn of(line: &str) -> Marks {
        let head: &str = match line.char_indices().nth(48) {
            Some((i, _)) => &line[..i],
            None => line,
        };
        let mut marks = Marks::default();
        for c in head.chars() {
            match c {
                '讯' | '訊' | '消' => marks.flash = true,
                '电' | '電' => marks.dispatch = true,
                '者' => marks.reporter = true,
                '(' | '（' | '【' | '[' => marks.bracket = true,
                _ => {}
            }
        }
        marks.upper = line.starts_with(|c: char| c.is_ascii_uppercase());
        marks
    }
}

fn inline_credit(line: &str, marks: Marks) -> Option<Credit> {
    if !(marks.flash || marks.dispatch) {
        return inline_credit_other(line, marks);
    }
    if let Some(c) = captures(&AGENCY_FLASH, line) {
        let m = c.get(0)?;
        return Some(Credit {
            authors: vec![Author {
                name: c.get(1)?.as_str().to_owned(),
                role: Role::Agency,
            }],
            rest: line[m.end()..].to_owned(),
            prefix: m.as_str().to_owned(),
            why: "agency credit (据新华社电)",
        });
    }
    if let Some(c) = captures(&DISPATCH, line) {
        let m = c.get(0)?;
        let mut authors = Vec::new();
        let source = c.get(1).map_or("", |m| m.as_str());
        if !is_own_paper(source) {
            authors.push(Author {
                name: source.to_owned(),
                role: Role::Agency,
            });
        }
        if let Some(reporter) = c.get(2) {
            // `中央社記者王小明台北7日電`: the place follows the last name;
            // it is taken to be two characters (`王思涵、吳建宏台北`).
            let names: Vec<&str> = reporter.as_str()[2 * '記'.len_utf8()..]
                .split('、')
                .collect();
            for (k, name) in names.iter().enumerate() {
                let body: Vec<char> = name.chars().collect();
                let keep = if k + 1 == names.len() && body.len() >= 4 {
                    body.len() - 2
                } else {
                    body.len()
                };
                authors.push(Author {
                    name: body[..keep].iter().collect(),
                    role: Role::Reporter,
                });
            }
        }
        authors.extend(bracket_authors(c.get(3))?);
        return Some(Credit {
            authors,
            rest: line[m.end()..].to_owned(),
            prefix: m.as_str().to_owned(),
            why: "dispatch credit (…电)",
        });
    }
    if let Some(c) = captures(&NEWS_FLASH, line) {
        let m = c.get(0)?;
        // A bracket naming no one (`央视网消息（新闻联播）：`, a programme)
        // is still part of the credit.
        let mut authors = bracket_authors(c.get(2)).unwrap_or_default();
        // `南川网消息：` credits the site as the source; `XX日报讯` is the
        // paper's own news and names nobody.
        if m.as_str().contains("消息") {
            if let Some(source) = c.get(1).filter(|s| !is_own_paper(s.as_str())) {
                authors.insert(
                    0,
                    Author {
                        name: source.as_str().to_owned(),
                        role: Role::Agency,
                    },
                );
            }
        }
        // `江门日报讯` with nothing after it is a whole paragraph of prose
        // only when text follows; a bare `…讯` line is still a credit.
        return Some(Credit {
            authors,
            rest: line[m.end()..].to_owned(),
            prefix: m.as_str().to_owned(),
            why: "news-flash credit (…讯 / …消息)",
        });
    }
    inline_credit_other(line, marks)
}

/// The inline shapes without a news-flash or dispatch mark.
fn inline_credit_other(line: &str, marks: Marks) -> Option<Credit> {
    if !marks.reporter && !marks.upper && !marks.bracket {
        return None;
    }
    if let Some(c) = captures(&TW_BYLINE, line) {
        let m = c.get(0)?;
        if let Some(authors) = parse_roles(c.get(1)?.as_str()) {
            return Some(Credit {
                authors,
                rest: line[m.end()..].to_owned(),
                prefix: m.as_str().to_owned(),
                why: "byline (記者NAME／PLACE報導)",
            });
        }
    }
    if let Some(c) = captures(&DATELINE, line) {
        let m = c.get(0)?;
        return Some(Credit {
            authors: vec![Author {
                name: c.get(2)?.as_str().to_owned(),
                role: Role::Agency,
            }],
            rest: line[m.end()..].to_owned(),
            prefix: m.as_str().to_owned(),
            why: "wire dateline (CITY (AGENCY) —)",
        });
    }
    if let Some(c) = captures(&RELEASE_DATELINE, line) {
        let m = c.get(0)?;
        return Some(Credit {
            authors: vec![Author {
                name: c.get(1)?.as_str().trim().to_owned(),
                role: Role::Agency,
            }],
            rest: line[m.end()..].to_owned(),
            prefix: m.as_str().to_owned(),
            why: "release dateline (CITY, date /WIRE/ --)",
        });
    }
    if marks.upper {
        if let Some(m) = LOCAL_DATELINE.find(line) {
            // The match ends on the first character of the body.
            let body_at = m.end() - line[..m.end()].chars().next_back()?.len_utf8();
            return Some(Credit {
                authors: Vec::new(),
                rest: line[body_at..].to_owned(),
                prefix: line[..body_at].trim_end().to_owned(),
                why: "dateline (TOWN —)",
            });
        }
    }
    // `【記者王小明／台北報導】正文…`, `（记者 张三）正文…`.
    if line.starts_with(['【', '（', '(', '[']) {
        let close = line.find(['】', '）', ')', ']'])?;
        let inner = &line[line.chars().next()?.len_utf8()..close];
        let credit = chinese_credit_line(inner)?;
        let close_len = line[close..].chars().next()?.len_utf8();
        return Some(Credit {
            authors: credit.authors,
            rest: line[close + close_len..].to_owned(),
            prefix: line[..close + close_len].to_owned(),
            why: "bracketed credit",
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pattern_compiles() {
        LazyLock::force(&NEWS_FLASH);
        LazyLock::force(&DISPATCH);
        LazyLock::force(&TW_BYLINE);
        LazyLock::force(&REPORTED_BY);
        LazyLock::force(&AGENCY_FLASH);
        LazyLock::force(&DATELINE);
        LazyLock::force(&RELEASE_DATELINE);
        LazyLock::force(&LOCAL_DATELINE);
    }
}
