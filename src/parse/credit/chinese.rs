//! Chinese credits: role words (`记者`, `通讯员`, `撰稿`, `分析师`, …) and
//! the names they introduce, as stand-alone lines (`□江门日报记者/陈婵`,
//! `本报记者 张三`, `【記者王小明／台北報導】`, `分析师：NAME　执业证书编号：…`)
//! and glued to a paragraph (`文/赵一凡 …`); an expert's byline (`单位　主治
//! 医师　NAME`); a wire's source note (`（来源：新华社）`). What is not a name
//! among the names: a job title before one (`家政指導員`), a unit's name
//! (`所工会`), a field after them (`执业证书编号：…`).

use std::sync::LazyLock;

use regex::Regex;

use super::{is_agency, Credit};
use crate::model::{Author, Role};

// Every `expect("static regex")` below is on a fixed pattern that this
// module's unit tests compile and run, so it cannot fail at run time.

/// The longest single name in a credit; longer tokens are prose.
const MAX_NAME_CHARS: usize = 16;

/// Chinese role words, longest first, with the role they give. `None`
/// marks photographers and other non-authors whose names are dropped.
const ROLE_WORDS: &str = concat!(
    r"(?:本报|本報|本刊|本台|本网|本網|特约|特約|特派|见习|見習|实习|實習|首席|学生|學生|校园|校園|融媒体|融媒體|全媒体|全媒體|驻\p{Han}{1,4}|駐\p{Han}{1,4})?",
    r"(?:记者|記者|通讯员|通訊員|实习生|實習生|撰文|撰稿|作者|分析师|分析師|研究员|研究員|供稿|审核|審核|摄影|攝影|文字|文|图|圖)"
);

static ROLE: LazyLock<Regex> = LazyLock::new(|| Regex::new(ROLE_WORDS).expect("static regex"));

/// What may stand before the first role word of a stand-alone credit line:
/// a box marker and a paper or agency name (`□江门日报`, `新华社`).
static CREDIT_LEAD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^(?:[□■◇◆●○★☆▲△▽▼◎]\s*)?[【\[（(]?\s*",
        r"(\p{Han}{0,10}?(?:日报|日報|晚报|晚報|时报|時報|商报|商報|报|報|网|網|台|社|杂志|雜誌|刊)?)\s*$"
    ))
    .expect("static regex")
});

fn role_of(word: &str) -> Option<Role> {
    let base = ROLE_BASE.find(word).map(|m| m.as_str()).unwrap_or(word);
    match base {
        "记者" | "記者" => Some(Role::Reporter),
        "通讯员" | "通訊員" | "实习生" | "實習生" => Some(Role::Correspondent),
        "撰文" | "撰稿" | "作者" | "文字" | "文" | "分析师" | "分析師" | "研究员" | "研究員" => {
            Some(Role::Author)
        }
        _ => None,
    }
}

static ROLE_BASE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:记者|記者|通讯员|通訊員|实习生|實習生|撰文|撰稿|作者|分析师|分析師|研究员|研究員|供稿|审核|審核|摄影|攝影|文字|文|图|圖)$")
        .expect("static regex")
});

/// Place-of-report tails: `台北報導`, `北京报道`.
static REPORT_TAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[/／∕]?\s*\p{Han}{0,6}(?:报道|報導|报导|報道|綜合報導|综合报道)$")
        .expect("static regex")
});

/// A slash or bar between a role and its names (`记者/NAME`, `记者｜NAME`):
/// ASCII, full-width, the division slash some Taiwanese layouts use, and
/// the full-width bar.
pub(super) fn is_slash(c: char) -> bool {
    matches!(c, '/' | '／' | '∕' | '⁄' | '｜')
}

fn is_name_char(c: char) -> bool {
    c.is_alphabetic() || matches!(c, '·' | '•' | '.' | '\'' | '’' | '-')
}

/// Role words that count only when set off from the names by a colon, a
/// slash or a space.
const LABEL_ROLES: &[&str] = &[
    "分析师",
    "分析師",
    "研究员",
    "研究員",
    "供稿",
    "审核",
    "審核",
];

/// A field set after the names on a credit line: a Han label and a colon
/// after a space (`执业证书编号：…`), or a Han label and a figure after a
/// wide gap (a post's meta fields, `作者：NAME　发表于 2024-05-21 08:47　阅读
/// 23816`; a single space is not a gap: `（中央社記者NAME 台北9日電）`). The
/// names end there.
static FIELD_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[\s\u{3000}]+\p{Han}{2,8}[：:]|(?:\u{3000}|\s{2,})[\s\u{3000}]*\p{Han}{2,8}\s*\d")
        .expect("static regex")
});

/// Endings of a job title written before a name (`家政指導員　蔡雅婷`).
const TITLE_ENDINGS: &[&str] = &[
    "指导员",
    "指導員",
    "辅导员",
    "輔導員",
    "干事",
    "幹事",
    "主任",
    "老师",
    "老師",
    "教授",
    "经理",
    "經理",
    "书记",
    "書記",
    "主席",
    "会长",
    "會長",
    "校长",
    "校長",
    "股长",
    "股長",
    "科长",
    "科長",
];

/// Words that are a volunteer's or helper's title, not a name, when they
/// stand before one (`文∕志工　陳美玲`).
const TITLE_WORDS: &[&str] = &["志工", "義工", "义工", "老师", "老師", "主任", "教授"];

/// Endings of the name of a unit, not a person (`供銷部`, `所工会`,
/// `湿地生态研究组`).
const UNIT_ENDINGS: &[&str] = &[
    "部",
    "股",
    "处",
    "處",
    "室",
    "组",
    "組",
    "局",
    "办",
    "辦",
    "工会",
    "工會",
    "中心",
    "协会",
    "協會",
    "委员会",
    "委員會",
];

/// Whether a Han token of three or more characters ends like a unit's name.
pub(crate) fn is_unit_name(token: &str) -> bool {
    token.chars().count() >= 3
        && token.chars().all(|c| c.is_alphabetic() && !c.is_ascii())
        && UNIT_ENDINGS.iter().any(|e| token.ends_with(e))
}

/// Splits a run of names (`陈婵 何榕`, `黄雅玲、林瑞瑾`). `None` if any token
/// is not a plausible name (too long, digits, sentence punctuation). A
/// field after the names (`执业证书编号：…`) ends them; a job title before a
/// name and the name of a unit are not names and are left out.
fn split_names(s: &str) -> Option<Vec<String>> {
    let orig = s.trim();
    let mut s = REPORT_TAIL.replace(orig, "");
    if s.trim().is_empty() {
        // `記者林嘉敏報導`: the tail swallowed a name glued to it.
        if let Some(name) = glued_report_name(orig) {
            s = std::borrow::Cow::Owned(name);
        }
    }
    let s = s.trim_matches(|c: char| is_slash(c) || matches!(c, ':' | '：' | ' ' | '\u{3000}'));
    let s = FIELD_AFTER.find(s).map_or(s, |m| &s[..m.start()]);
    let tokens: Vec<&str> = s
        .split(|c: char| {
            c.is_whitespace() || is_slash(c) || matches!(c, '、' | '，' | ',' | '；' | ';' | '|')
        })
        .filter(|t| !t.is_empty())
        .collect();
    let mut names = Vec::new();
    for (k, token) in tokens.iter().enumerate() {
        if token.chars().count() > MAX_NAME_CHARS || !token.chars().all(is_name_char) {
            return None;
        }
        let title = k + 1 < tokens.len()
            && (TITLE_WORDS.contains(token)
                || (token.chars().count() >= 3
                    && TITLE_ENDINGS.iter().any(|e| token.ends_with(e))));
        if !title && !is_unit_name(token) {
            names.push((*token).to_owned());
        }
    }
    Some(names)
}

/// The name in `林嘉敏報導` / `林嘉敏台北報導` (a name glued to its report
/// tail, with no slash or space): the report word is dropped, and of four
/// or more characters left the last two are taken for the place, as Chinese
/// names are two or three characters long.
fn glued_report_name(s: &str) -> Option<String> {
    let stem = ["報導", "报道", "報道", "报导"]
        .iter()
        .find_map(|t| s.strip_suffix(t))?;
    if stem.is_empty() || !stem.chars().all(|c| c.is_alphabetic() && !c.is_ascii()) {
        return None;
    }
    let chars: Vec<char> = stem.chars().collect();
    let keep = if chars.len() >= 4 {
        chars.len() - 2
    } else {
        chars.len()
    };
    (keep >= 2).then(|| chars[..keep].iter().collect())
}

/// Parses role-word segments (`记者/陈婵 通讯员/陈伟杰`, `記者王小明／台北報導`)
/// into authors. `None` unless the whole text is credits.
pub(super) fn parse_roles(s: &str) -> Option<Vec<Author>> {
    // `文`/`图` are roles only as `文/…`, `图：…` at a credit's start or
    // after a separator; inside a name (`许文`) they are not.
    let matches: Vec<_> = ROLE
        .find_iter(s)
        .filter(|m| {
            let before = s[..m.start()].chars().next_back();
            let after = s[m.end()..].chars().next();
            let set_off = after
                .is_some_and(|c| is_slash(c) || matches!(c, ':' | '：' | '·' | ' ' | '\u{3000}'));
            // A reporter's role glues to the name (`记者张三`); an analyst's
            // or a desk's is set off from it (`分析师：NAME`), else it is a
            // word of the text (`分析师声明`).
            if LABEL_ROLES.iter().any(|r| m.as_str().ends_with(r)) {
                return set_off;
            }
            if m.as_str().chars().count() > 1 {
                return true;
            }
            before.is_none_or(|c| c.is_whitespace() || is_slash(c) || c == '·') && set_off
        })
        .collect();
    let first = matches.first()?;
    if !s[..first.start()].trim().is_empty() {
        return None;
    }
    let mut authors = Vec::new();
    let mut orphan_roles: Vec<Option<Role>> = Vec::new();
    for (i, m) in matches.iter().enumerate() {
        let end = matches.get(i + 1).map_or(s.len(), |n| n.start());
        let mut segment = &s[m.end()..end];
        // `文/社区通讯员 李想`: a word glued to the next role word qualifies
        // that role; it is not a name.
        if end < s.len() && !segment.ends_with(|c: char| c.is_whitespace() || is_slash(c)) {
            let cut = segment
                .rfind(|c: char| c.is_whitespace() || is_slash(c) || matches!(c, '、' | '，' | ','))
                .map_or(0, |p| {
                    p + segment[p..].chars().next().map_or(1, char::len_utf8)
                });
            segment = &segment[..cut];
        }
        let names = split_names(segment)?;
        let role = role_of(m.as_str());
        if names.is_empty() {
            // `文/图 张三`: the role shares the next names.
            orphan_roles.push(role);
            continue;
        }
        let mut roles = std::mem::take(&mut orphan_roles);
        roles.push(role);
        // The most specific role wins: `文/图 本报记者 林静` is a reporter,
        // `文/图 张三` an author; photographers alone are not credited.
        let best = roles
            .iter()
            .flatten()
            .copied()
            .find(|r| *r != Role::Author)
            .or_else(|| roles.iter().flatten().copied().next());
        if let Some(role) = best {
            for name in names {
                authors.push(Author { name, role });
            }
        }
    }
    Some(authors)
}

/// A stand-alone Chinese credit line: `□江门日报记者/陈婵`, `通讯员/黄雅玲 林瑞瑾`,
/// `本报记者 张三`, `【記者王小明／台北報導】`, `（记者 张三）`.
pub(super) fn chinese_credit_line(line: &str) -> Option<Credit> {
    let role_char = |c: char| {
        matches!(
            c,
            '记' | '記' | '通' | '实' | '實' | '撰' | '作' | '摄' | '攝' | '文' | '图' | '圖'
        )
    };
    if let Some(credit) = report_label_line(line) {
        return Some(credit);
    }
    // One pass over the line: a reporter's role character ends the search;
    // `分`, `研`, `审` are common, so for them the whole role word is sought.
    let mut label_char = false;
    let mut role = false;
    for c in line.chars() {
        if role_char(c) {
            role = true;
            break;
        }
        label_char |= matches!(c, '分' | '研' | '供' | '审' | '審');
    }
    let label_role = label_char && LABEL_ROLES.iter().any(|r| line.contains(r));
    if !(role || label_role) {
        return None;
    }
    let trimmed = line.trim_end_matches(['】', ']', '）', ')']).trim();
    let first = ROLE.find(trimmed)?;
    // `（作者系市社会科学院研究员）`: a note on the writer, not a credit.
    if trimmed[first.end()..].starts_with(['系', '为', '為', '是', '係']) {
        return None;
    }
    let lead = CREDIT_LEAD.captures(&trimmed[..first.start()])?;
    let authors = parse_roles(&trimmed[first.start()..])?;
    if authors.is_empty() && !credits_a_desk(&trimmed[first.start()..]) {
        return None;
    }
    let mut all = Vec::new();
    if let Some(agency) = lead.get(1).map(|m| m.as_str()).filter(|a| is_agency(a)) {
        all.push(Author {
            name: agency.to_owned(),
            role: Role::Agency,
        });
    }
    all.extend(authors);
    Some(Credit {
        authors: all,
        rest: String::new(),
        prefix: line.to_owned(),
        why: "credit line (role word + names)",
    })
}

/// The report word as a field label opening the line, `报道：NAME`, or set
/// apart after the names, `NAME　报道`, `NAME、NAME／報導`: a reporter's
/// credit. Elsewhere the word ends a role's credit (`記者NAME／台北報導`) or
/// is prose, so it counts only set off by a colon, a space or a slash.
fn report_label_line(line: &str) -> Option<Credit> {
    const WORDS: [&str; 4] = ["报道", "報導", "报导", "報道"];
    let body = line
        .trim()
        .trim_start_matches(['□', '■', '◇', '◆', '●', '○', '◎', ' ', '\u{3000}']);
    let names = if let Some(rest) = WORDS.iter().find_map(|w| body.strip_prefix(w)) {
        split_names(rest.strip_prefix(['：', ':'])?)?
    } else {
        let rest = WORDS.iter().find_map(|w| body.strip_suffix(w))?;
        let names = rest.strip_suffix(|c: char| c.is_whitespace() || is_slash(c))?;
        let names = split_names(names)?;
        // Personal names only: two to four Han characters each.
        let personal =
            |n: &String| (2..=4).contains(&n.chars().count()) && n.chars().all(|c| !c.is_ascii());
        if !names.iter().all(personal) {
            return None;
        }
        names
    };
    if names.is_empty() {
        return None;
    }
    Some(Credit {
        authors: names
            .into_iter()
            .map(|name| Author {
                name,
                role: Role::Reporter,
            })
            .collect(),
        rest: String::new(),
        prefix: line.to_owned(),
        why: "credit line (report word + names)",
    })
}

/// Whether credit text that names no author still credits someone: a desk
/// (`供稿：`, `审核：`) or a unit (`（文/图　所工会）`). Such a line is a credit
/// with no authors: it leaves the body and names nobody.
fn credits_a_desk(s: &str) -> bool {
    ["供稿", "审核", "審核"].iter().any(|w| s.contains(w))
        || s.split(|c: char| c.is_whitespace() || is_slash(c) || matches!(c, '：' | ':' | '、'))
            .any(is_unit_name)
}

/// Endings of a professional title in an expert's byline (`主治医师`,
/// `研究员`, `住持`).
const EXPERT_TITLE_ENDINGS: &[&str] = &[
    "医师",
    "醫師",
    "师",
    "師",
    "主任",
    "教授",
    "护士长",
    "護理長",
    "研究员",
    "研究員",
    "住持",
    // Heads of an office (院长, 所長, 里長, 鄉長, 會長, 局长…).
    "长",
    "長",
    "医生",
    "醫生",
    "经理",
    "經理",
    "主席",
    "干事",
    "幹事",
    "书记",
    "書記",
    // A department or team signing for its member (儿童保健科　NAME).
    "科",
    "团队",
    "團隊",
];

/// Words closing a signature after the name (`里長　NAME　敬上`).
const SIGN_OFF_WORDS: &[&str] = &["敬上", "谨上", "謹上", "谨启", "謹啟", "敬启", "敬啟"];

/// Honorifics after a name, not part of it (`釋慧明法師`).
const NAME_HONORIFICS: &[&str] = &["法師", "法师", "居士", "先生", "女士", "博士"];

/// An expert's byline under a headline, or a post's signature under a
/// notice: fields set apart by spaces, the last a name (maybe a closing
/// `敬上` after it), one before it a professional title or post, maybe a
/// unit first (`呼吸与危重症医学科　主治医师　陈立`, `◎住持　釋慧明法師`,
/// `物業經理　陳志強`, `里長　林素娟　敬上`). The name is credited as the
/// author, without an honorific.
pub(super) fn expert_line(line: &str) -> Option<Credit> {
    // Cheap checks first: a Han name last, fields set apart inside the
    // line, a title's last character among them.
    if line.len() > 40 * 3 || !line.ends_with(|c: char| c.is_alphabetic() && !c.is_ascii()) {
        return None;
    }
    let body = line.trim_start_matches(['◎', '□', '■', '●', '○', '◇', '◆', ' ', '\u{3000}']);
    let body = SIGN_OFF_WORDS
        .iter()
        .find_map(|w| body.strip_suffix(w))
        .map_or(body, str::trim_end);
    if !body.contains(['\u{3000}', ' '])
        || !body.contains([
            '师', '師', '任', '授', '长', '長', '员', '員', '持', '生', '理', '席', '事', '记',
            '記', '科', '队', '隊',
        ])
    {
        return None;
    }
    let fields: Vec<&str> = body
        .split([' ', '\u{3000}'])
        .filter(|f| !f.is_empty())
        .collect();
    let (last, before) = fields.split_last()?;
    if !(1..=3).contains(&before.len()) {
        return None;
    }
    let titled = before
        .iter()
        .any(|f| f.chars().count() <= 8 && EXPERT_TITLE_ENDINGS.iter().any(|e| f.ends_with(e)));
    let han = |s: &str| s.chars().all(|c| c.is_alphabetic() && !c.is_ascii());
    let all_han = fields.iter().all(|f| han(f) && f.chars().count() <= 12);
    let name = NAME_HONORIFICS
        .iter()
        .find_map(|h| last.strip_suffix(h).filter(|n| n.chars().count() >= 2))
        .unwrap_or(last);
    let name_len = name.chars().count();
    if !titled || !all_han || !(2..=4).contains(&name_len) || is_unit_name(name) {
        return None;
    }
    Some(Credit {
        authors: vec![Author {
            name: name.to_owned(),
            role: Role::Author,
        }],
        rest: String::new(),
        prefix: line.to_owned(),
        why: "expert's byline (unit, title, name)",
    })
}

/// `（来源：新华社）` at a story's end: the wire it came from.
static SOURCE_NOTE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^[（(]\s*(?:来源|來源|稿源|消息来源|消息來源)\s*[:：]\s*([^（）()]{2,20}?)\s*[）)]$",
    )
    .expect("static regex")
});

/// A bracketed source note naming a known wire: credited as its agency.
pub(super) fn source_note(line: &str) -> Option<Credit> {
    let c = SOURCE_NOTE.captures(line)?;
    let name = c.get(1)?.as_str();
    is_agency(name).then(|| Credit {
        authors: vec![Author {
            name: name.to_owned(),
            role: Role::Agency,
        }],
        rest: String::new(),
        prefix: line.to_owned(),
        why: "source note naming a wire (（来源：新华社）)",
    })
}

/// `文、图/赵一凡` glued to the paragraph it signs: roles, a slash, a name
/// of two to four Han characters, then text that is not Han (a digit, a
/// space, punctuation), so that the name's end is certain.
static SLASH_BYLINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^((?:文字|撰文|文|图|圖|摄影|攝影)(?:\s*[、和与與]\s*(?:文字|文|图|圖|摄影|攝影))*)",
        r"\s*[/／∕]\s*(\p{Han}{2,4})"
    ))
    .expect("static regex")
});

pub(super) fn slash_byline(line: &str) -> Option<Credit> {
    let c = SLASH_BYLINE.captures(line)?;
    let (m, roles, name) = (c.get(0)?, c.get(1)?.as_str(), c.get(2)?.as_str());
    let rest = &line[m.end()..];
    let next = rest.chars().next()?;
    if next.is_alphabetic() && !next.is_ascii() {
        return None;
    }
    // Words count; photographs do not make an author.
    let writes = roles.contains('文') || roles.contains('撰');
    let authors = if writes {
        vec![Author {
            name: name.to_owned(),
            role: Role::Author,
        }]
    } else {
        Vec::new()
    };
    Some(Credit {
        authors,
        rest: rest.trim_start().to_owned(),
        prefix: m.as_str().to_owned(),
        why: "byline glued to its paragraph (文/NAME)",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pattern_compiles() {
        LazyLock::force(&ROLE);
        LazyLock::force(&CREDIT_LEAD);
        LazyLock::force(&ROLE_BASE);
        LazyLock::force(&REPORT_TAIL);
        LazyLock::force(&SLASH_BYLINE);
        LazyLock::force(&FIELD_AFTER);
        LazyLock::force(&SOURCE_NOTE);
    }
}
