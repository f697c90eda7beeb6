//! Credits, bylines and photo captions.
//!
//! A credit names who wrote an article and in what role; it is kept as
//! structured [`Author`]s and removed from the body. Shapes understood:
//! `□XX日报记者/某某`, `通讯员/某甲 某乙`, `本报记者 某某`, `記者王小明／台北報導`,
//! inline `XX日报讯（记者/… 通讯员/…）`, `本报讯`, `新华社北京12月7日电（记者 …）`,
//! `【新华社…电】`, `XX网消息：`, English `By NAME`, `NAME, Staff Writer`,
//! `Reporting by …`, and wire datelines `WASHINGTON (AP) —`.
//!
//! Photographers (`摄`, `供图`, `Photo:`) are never authors: their lines are
//! captions, and the photographer is the caption's credit.

use std::sync::LazyLock;

use regex::Regex;

use crate::model::{Author, Role};

/// The longest line that can be a stand-alone credit.
const MAX_CREDIT_LINE_CHARS: usize = 80;

/// The longest single name in a credit; longer tokens are prose.
const MAX_NAME_CHARS: usize = 16;

// Every `expect("static regex")` below is on a fixed pattern that this
// module's unit tests compile and run, so it cannot fail at run time.

/// A credit found on a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Credit {
    /// Who is credited, in order.
    pub authors: Vec<Author>,
    /// Body text that follows an inline credit on the same line (empty for
    /// a stand-alone credit line).
    pub rest: String,
    /// The credit text itself (what was removed), for `--explain`.
    pub prefix: String,
    /// Which credit shape matched, for `--explain`.
    pub why: &'static str,
}

/// Known wire services: credited as [`Role::Agency`].
const AGENCIES: &[&str] = &[
    "新华社",
    "新華社",
    "中新社",
    "中新网",
    "中新網",
    "中央社",
    "美联社",
    "美聯社",
    "路透社",
    "法新社",
    "共同社",
    "塔斯社",
    "韩联社",
    "韓聯社",
    "AP",
    "Associated Press",
    "The Associated Press",
    "Reuters",
    "AFP",
    "Agence France-Presse",
    "Xinhua",
    "UPI",
    "Bloomberg",
    "PA",
    "Press Association",
    "dpa",
    "CNA",
    "Kyodo",
    "Yonhap",
];

/// `本报`, `本台`, `本刊`, `本网`: the paper or station itself, credited as
/// no one.
fn is_own_paper(source: &str) -> bool {
    matches!(
        source,
        "本报" | "本報" | "本台" | "本刊" | "本网" | "本網" | "本站"
    )
}

fn is_agency(name: &str) -> bool {
    AGENCIES.iter().any(|a| a.eq_ignore_ascii_case(name))
}

/// Chinese role words, longest first, with the role they give. `None`
/// marks photographers and other non-authors whose names are dropped.
const ROLE_WORDS: &str = concat!(
    r"(?:本报|本報|本刊|本台|本网|本網|特约|特約|特派|见习|見習|实习|實習|首席|学生|學生|校园|校園|融媒体|融媒體|全媒体|全媒體|驻\p{Han}{1,4}|駐\p{Han}{1,4})?",
    r"(?:记者|記者|通讯员|通訊員|实习生|實習生|撰文|撰稿|作者|摄影|攝影|文字|文|图|圖)"
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

/// `江门日报讯（记者/陈婵 通讯员/陈伟杰）`, `本报讯`, `XX网消息：`.
static NEWS_FLASH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^(?:[□■◇◆●]\s*)?[【\[]?",
        r"(本报|本報|本刊|本台|本网|本網|\p{Han}{1,12}?(?:日报|日報|晚报|晚報|时报|時報|商报|商報|报|報|网|網|台|社|客户端|客戶端|新闻|新聞))",
        r"(?:[讯訊]|消息\s*[:：]?|快讯|快訊)\s*[】\]]?\s*",
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

/// An English personal name: capitalised words, particles allowed.
const EN_NAME: &str = r"[\p{Lu}][\p{L}.'’-]*(?:\s+(?:[\p{Lu}][\p{L}.'’-]*|de|van|von|der|den|la|le|da|di|du|bin|al|el))*";

static BY_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"^(?:[-—–]\s*)?(?i:by)\s+({EN_NAME}(?:\s*(?:,|(?-u:\b)and(?-u:\b)|&)\s*{EN_NAME})*)(?:\s*(?:,|\||/|[-—–])\s*(.{{1,50}}))?$"
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
    Regex::new(r"(?i)(?-u:\b)(?:writer|reporter|correspondent|editor|contributor|columnist|staff|journalist|intern|press|news|times|post|herald|courier|gazette|daily|university|communications|office|department|college|school|council|association|society|club|services?|bureau|desk|team|group|media|relations)(?-u:\b)")
        .expect("static regex")
});

/// `Correspondent: Bud Emmerich, 14 Larch Lane`: a role label, the name,
/// maybe an address after a comma.
static LABELLED_BYLINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"^(?i:(?:class\s+)?correspondent|reporter|writer|words|text|story)\s*:\s*({EN_NAME})(?:,.*)?$"
    ))
    .expect("static regex")
});

/// A class year after an alumnus's name (`Jordan Pryce ’09`).
static CLASS_YEAR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\s+['’][0-9]{2}(?-u:\b)").expect("static regex"));

static REPORTING_BY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"^[(\[]?(?i:reporting by|additional reporting by|written by|story by|text by|report by|words by|words and pictures by)\s+({EN_NAME}(?:\s*(?:,|(?-u:\b)and(?-u:\b)|&)\s*{EN_NAME})*)(?:\s*[;.].*)?[)\]]?$"
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

/// `TOWN — The council…`: a dateline of the paper's own story, with no
/// agency in brackets.
static LOCAL_DATELINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^[A-Z][A-Z.'’-]{2,}(?:[ -][A-Z][A-Z.'’-]*){0,3}(?:,\s*[A-Z][A-Za-z.]*(?:\s[A-Z][A-Za-z.]*)?)?",
        r"\s*(?:—|--|–)\s*[\p{Lu}\d\x22“‘']"
    ))
    .expect("static regex")
});

/// Whether a line only says a job title (see [`JOB_LINE`]).
pub(crate) fn job_title_line(line: &str) -> bool {
    line.len() <= 80 && JOB_LINE.is_match(line)
}

/// `re.captures(s)`, but asking `is_match` first: most lines match none
/// of the credit shapes, and a failed `is_match` costs no allocation.
pub(crate) fn captures<'h>(re: &Regex, s: &'h str) -> Option<regex::Captures<'h>> {
    if re.is_match(s) {
        re.captures(s)
    } else {
        None
    }
}

fn role_of(word: &str) -> Option<Role> {
    let base = ROLE_BASE.find(word).map(|m| m.as_str()).unwrap_or(word);
    match base {
        "记者" | "記者" => Some(Role::Reporter),
        "通讯员" | "通訊員" | "实习生" | "實習生" => Some(Role::Correspondent),
        "撰文" | "撰稿" | "作者" | "文字" | "文" => Some(Role::Author),
        _ => None,
    }
}

static ROLE_BASE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:记者|記者|通讯员|通訊員|实习生|實習生|撰文|撰稿|作者|摄影|攝影|文字|文|图|圖)$")
        .expect("static regex")
});

/// Place-of-report tails: `台北報導`, `北京报道`.
static REPORT_TAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[/／∕]?\s*\p{Han}{0,6}(?:报道|報導|报导|報道|綜合報導|综合报道)$")
        .expect("static regex")
});

/// The slashes credits are written with: ASCII, full-width, and the
/// division slash some Taiwanese layouts use.
/// A slash or bar between a role and its names (`记者/NAME`, `记者｜NAME`).
fn is_slash(c: char) -> bool {
    matches!(c, '/' | '／' | '∕' | '⁄' | '｜')
}

fn is_name_char(c: char) -> bool {
    c.is_alphabetic() || matches!(c, '·' | '•' | '.' | '\'' | '’' | '-')
}

/// Splits a run of names (`陈婵 何榕`, `黄雅玲、林瑞瑾`). `None` if any token
/// is not a plausible name (too long, digits, sentence punctuation).
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
    let mut names = Vec::new();
    for token in s.split(|c: char| {
        c.is_whitespace() || is_slash(c) || matches!(c, '、' | '，' | ',' | '；' | ';' | '|')
    }) {
        if token.is_empty() {
            continue;
        }
        if token.chars().count() > MAX_NAME_CHARS || !token.chars().all(is_name_char) {
            return None;
        }
        names.push(token.to_owned());
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
fn parse_roles(s: &str) -> Option<Vec<Author>> {
    // `文`/`图` are roles only as `文/…`, `图：…` at a credit's start or
    // after a separator; inside a name (`许文`) they are not.
    let matches: Vec<_> = ROLE
        .find_iter(s)
        .filter(|m| {
            if m.as_str().chars().count() > 1 {
                return true;
            }
            let before = s[..m.start()].chars().next_back();
            let after = s[m.end()..].chars().next();
            before.is_none_or(|c| c.is_whitespace() || is_slash(c) || c == '·')
                && after.is_some_and(|c| is_slash(c) || matches!(c, ':' | '：' | '·' | ' '))
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
fn chinese_credit_line(line: &str) -> Option<Credit> {
    let role_char = |c: char| {
        matches!(
            c,
            '记' | '記' | '通' | '实' | '實' | '撰' | '作' | '摄' | '攝' | '文' | '图' | '圖'
        )
    };
    if !line.contains(role_char) {
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
    if authors.is_empty() {
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

/// Authors inside the brackets of an inline credit; `None` if the bracket
/// holds something else.
fn bracket_authors(inner: Option<regex::Match<'_>>) -> Option<Vec<Author>> {
    match inner {
        None => Some(Vec::new()),
        Some(m) => parse_roles(m.as_str().trim()),
    }
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

fn english_names(s: &str) -> Vec<String> {
    s.split(',')
        .flat_map(|p| p.split(" and "))
        .flat_map(|p| p.split('&'))
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .collect()
}

fn english_credit_line(full: &str) -> Option<Credit> {
    let make = |authors: Vec<Author>, why| Credit {
        authors,
        rest: String::new(),
        prefix: full.to_owned(),
        why,
    };
    // Class years are not part of a name.
    let stripped = CLASS_YEAR.replace_all(full, "");
    let line: &str = &stripped;
    if let Some(c) = captures(&BY_LINE, line) {
        // `By Jane Doe, Staff Writer`: the name list swallows the title.
        let mut authors: Vec<Author> = english_names(c.get(1)?.as_str())
            .into_iter()
            .filter(|name| is_agency(name) || !JOB_TITLE.is_match(name))
            .map(|name| {
                let role = if is_agency(&name) {
                    Role::Agency
                } else {
                    Role::Author
                };
                Author { name, role }
            })
            .collect();
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
    if let Some(c) = captures(&NAME_TITLE, line) {
        let authors = english_names(c.get(1)?.as_str())
            .into_iter()
            .map(|name| Author {
                name,
                role: Role::Author,
            })
            .collect();
        return Some(make(authors, "byline (NAME, Staff Writer)"));
    }
    if let Some(c) = captures(&LABELLED_BYLINE, line) {
        let author = Author {
            name: c.get(1)?.as_str().trim().to_owned(),
            role: Role::Author,
        };
        return Some(make(vec![author], "byline (Correspondent: NAME)"));
    }
    if let Some(c) = captures(&REPORTING_BY, line) {
        let authors = english_names(c.get(1)?.as_str())
            .into_iter()
            .map(|name| Author {
                name,
                role: Role::Author,
            })
            .collect();
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

/// Finds a credit on a cleaned line: a whole credit line, or an inline
/// credit at the start of a paragraph (`rest` then holds the paragraph).
pub(crate) fn find(line: &str) -> Option<Credit> {
    // Every inline credit shows one of these marks near the start: a news
    // flash (`讯`, `消息`), a dispatch (`电`), a bracket, or a wire
    // dateline's `(AP)`.
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
    if line.starts_with(['文', '图', '圖', '摄', '攝', '撰']) {
        if let Some(c) = slash_byline(line) {
            return Some(c);
        }
    }
    if !(marks.flash || marks.dispatch || marks.reporter || marks.bracket || marks.upper) {
        return None;
    }
    let mut credit = inline_credit(line, marks)?;
    credit.rest = credit
        .rest
        .trim_start_matches([' ', '\u{3000}', ':', '：', '—', '-', '–', '_'])
        .to_owned();
    // `本报讯 记者张卫东、通讯员李海报道：正文`: the reporters follow the flash.
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

fn slash_byline(line: &str) -> Option<Credit> {
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

/// Finds a stand-alone credit line (the whole line is the credit).
pub(crate) fn find_line(line: &str) -> Option<Credit> {
    if line.len() > MAX_CREDIT_LINE_CHARS * 4 || line.chars().count() > MAX_CREDIT_LINE_CHARS {
        return None;
    }
    if !line.chars().any(|c| c as u32 >= 0x2e80) {
        if let Some(c) = english_credit_line(line) {
            return Some(c);
        }
    }
    if caption(line).is_some() {
        return None;
    }
    chinese_credit_line(line)
}

/// Photographer markers that end a caption (`…供图`, `张三 摄`).
static CAPTION_TAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?:(?:记者|記者|通讯员|通訊員)?\s*([^。！？!?\s（(]{0,20}?(?:[（(][^）)]{1,12}[）)][^。！？!?\s（(]{0,12}?)?)\s*[/／∕]?\s*)?",
        r"(供图|供圖|摄影|攝影|摄|攝|图|圖)\s*[）)]?$"
    ))
    .expect("static regex")
});

/// A date after a Chinese photo credit, set off by a space (`攝　113年3月5日`).
static CAPTION_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:摄|攝|供图|供圖)([\s\u{3000}]+(?:[0-9]{2,4}(?:年|[./-]))?[0-9]{1,2}(?:月|[./-])[0-9]{1,2}日?)$")
        .expect("static regex")
});

static CAPTION_HEAD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^(?:[△▲▼▽↑↓←→◀▶]|图为|圖為|图片[:：]|圖片[:：]|图[:：]|圖[:：]|上图|下图|左图|右图|上圖|下圖|左圖|右圖|",
        r"(?i:photo|photograph|picture|pictured|image|caption|above|below|left|right|top|inset)\s*[:：])"
    ))
    .expect("static regex")
});

static EN_PHOTO_CREDIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        concat!(
            r"(?:\(|\[|—\s*|-\s*|(?-u:\b))(?:(?:AP|Reuters|AFP|Getty Images|Xinhua|PA|EPA|Staff)\s+)?",
            r"(?i:photo|picture|image|photograph|credit)(?:\s+by|\s+courtesy\s+of|\s*[:：/])\s*",
            r"({EN_NAME}(?:\s*/\s*[\p{{L}} .]+)?)\s*[)\]]?\.?$"
        ),
        EN_NAME = EN_NAME
    ))
    .expect("static regex")
});

/// The words every English photo credit contains: a cheap literal search
/// before the full pattern.
static PHOTO_WORD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)photo|picture|image|credit").expect("static regex"));

/// `（記者王小明攝）文昌公園…`: a caption opening with its photo credit.
static LEADING_PHOTO_CREDIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[（(]\s*(?:记者|記者|通讯员|通訊員)?\s*([^（）()]{1,20}?)\s*[/／∕]?\s*(?:摄影|攝影|摄|攝|供图|供圖)\s*[）)]")
        .expect("static regex")
});

/// Whether a cleaned line is a photo caption; `Some(credit)` if it is, with
/// the photographer or supplier when the caption names one.
pub(crate) fn caption(line: &str) -> Option<Option<String>> {
    if line.bytes().any(|b| b.is_ascii_alphabetic()) && PHOTO_WORD.is_match(line) {
        // `Photo by Mei Lin Tso ’15`: a class year is not part of the name.
        let plain = CLASS_YEAR.replace_all(line, "");
        if let Some(c) = EN_PHOTO_CREDIT.captures(&plain) {
            return Some(c.get(1).map(|m| m.as_str().trim().to_owned()));
        }
    }
    if line.starts_with(['（', '(']) {
        if let Some(c) = LEADING_PHOTO_CREDIT.captures(line) {
            return Some(c.get(1).map(|m| m.as_str().trim().to_owned()));
        }
    }
    let head_mark = line.starts_with(|c: char| {
        c.is_ascii_alphabetic()
            || matches!(
                c,
                '△' | '▲'
                    | '▼'
                    | '▽'
                    | '↑'
                    | '↓'
                    | '←'
                    | '→'
                    | '◀'
                    | '▶'
                    | '图'
                    | '圖'
                    | '上'
                    | '下'
                    | '左'
                    | '右'
            )
    });
    if head_mark && CAPTION_HEAD.is_match(line) {
        return Some(None);
    }
    // `…中央社記者蔡孟婷攝　113年3月5日`: the date the photo was taken.
    let line = if line.ends_with(|c: char| c == '日' || c.is_ascii_digit()) {
        CAPTION_DATE
            .captures(line)
            .and_then(|c| c.get(1))
            .map_or(line, |m| &line[..m.start()])
    } else {
        line
    };
    // Cheap pre-check for the Chinese tails.
    if !line.ends_with(['供', '图', '圖', '摄', '攝', '影', ')', '）']) {
        return None;
    }
    let c = captures(&CAPTION_TAIL, line)?;
    let marker = c.get(2)?.as_str();
    let credit = c
        .get(1)
        .map(|m| m.as_str().trim().trim_end_matches(is_slash).trim())
        // `中央社記者蔡孟婷`: the agency and role before the name.
        .map(|s| {
            ["记者", "記者"]
                .iter()
                .find_map(|r| s.split_once(r).map(|(_, name)| name.trim()))
                .unwrap_or(s)
        })
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    // A lone `图`/`圖` is a caption tail only as `张三/图` or `（张三 图）`.
    if matches!(marker, "图" | "圖") && !line.contains(['/', '／', '∕', '（', '(']) {
        return None;
    }
    // `…用相机拍摄` is prose, not a photographer credit.
    let before = &line[..c.get(2)?.start()];
    if before.ends_with(['拍', '摄', '攝']) {
        return None;
    }
    Some(credit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pattern_compiles() {
        LazyLock::force(&ROLE);
        LazyLock::force(&CREDIT_LEAD);
        LazyLock::force(&CAPTION_DATE);
        LazyLock::force(&SLASH_BYLINE);
        LazyLock::force(&NEWS_FLASH);
        LazyLock::force(&DISPATCH);
        LazyLock::force(&TW_BYLINE);
        LazyLock::force(&AGENCY_FLASH);
        LazyLock::force(&DATELINE);
        LazyLock::force(&BY_LINE);
        LazyLock::force(&NAME_TITLE);
        LazyLock::force(&JOB_TITLE);
        LazyLock::force(&REPORTING_BY);
        LazyLock::force(&STAFF_REPORT);
        LazyLock::force(&ROLE_BASE);
        LazyLock::force(&REPORT_TAIL);
        LazyLock::force(&CAPTION_TAIL);
        LazyLock::force(&CAPTION_HEAD);
        LazyLock::force(&EN_PHOTO_CREDIT);
        LazyLock::force(&PHOTO_WORD);
        LazyLock::force(&LEADING_PHOTO_CREDIT);
        LazyLock::force(&JOB_LINE);
        LazyLock::force(&LOCAL_DATELINE);
        LazyLock::force(&REPORTED_BY);
        LazyLock::force(&RELEASE_DATELINE);
        LazyLock::force(&LABELLED_BYLINE);
        LazyLock::force(&CLASS_YEAR);
    }

    #[test]
    fn finds_release_wire_and_alumni_credits() {
        use crate::model::Role::{Agency, Author as A};
        let c = find("HARTWELL, Ohio, May 14, 2024 /Meridian Newswire/ -- Hartwell Pump Company")
            .expect("release dateline");
        assert_eq!(c.authors, vec![a("Meridian Newswire", Agency)]);
        assert_eq!(c.rest, "Hartwell Pump Company");
        let by = find_line("By Jordan Pryce ’09").expect("byline with a class year");
        assert_eq!(by.authors, vec![a("Jordan Pryce", A)]);
        let cor = find_line("Correspondent: Bud Emmerich, 14 Larch Lane, Sedley, OH")
            .expect("labelled byline");
        assert_eq!(cor.authors, vec![a("Bud Emmerich", A)]);
        assert!(find_line("Correspondent: position open – write to us").is_none());
        assert_eq!(
            caption("On the new bridge. Photo by Mei Lin Tso ’15"),
            Some(Some("Mei Lin Tso".to_owned()))
        );
        assert!(
            caption("From left: Deb Kuhl and Peg Stiles. Photo courtesy of Peg Stiles").is_some()
        );
    }

    #[test]
    fn job_title_lines() {
        let cases = [
            ("Courier Staff Writer", true),
            ("Staff Reporter", true),
            ("Special to the Gazette", true),
            ("Council approves new budget", false),
            ("The writer lives in Hadley.", false),
        ];
        for (line, want) in cases {
            assert_eq!(job_title_line(line), want, "{line}");
        }
    }

    fn a(name: &str, role: Role) -> crate::model::Author {
        crate::model::Author {
            name: name.into(),
            role,
        }
    }

    #[test]
    fn finds_credit_lines() {
        use Role::*;
        let cases: Vec<(&str, Option<Vec<crate::model::Author>>)> = vec![
            ("□江门日报记者/陈婵", Some(vec![a("陈婵", Reporter)])),
            (
                "通讯员/黄雅玲 林瑞瑾",
                Some(vec![a("黄雅玲", Correspondent), a("林瑞瑾", Correspondent)]),
            ),
            (
                "□江门日报记者/陈婵 何榕",
                Some(vec![a("陈婵", Reporter), a("何榕", Reporter)]),
            ),
            (
                "本报记者 张三 李四",
                Some(vec![a("张三", Reporter), a("李四", Reporter)]),
            ),
            (
                "记者 张三 通讯员 李四",
                Some(vec![a("张三", Reporter), a("李四", Correspondent)]),
            ),
            ("記者王小明／台北報導", Some(vec![a("王小明", Reporter)])),
            (
                "【記者王小明／台北報導】",
                Some(vec![a("王小明", Reporter)]),
            ),
            (
                "新华社记者 张三",
                Some(vec![a("新华社", Agency), a("张三", Reporter)]),
            ),
            ("文/张三", Some(vec![a("张三", Author)])),
            ("文/图 本报记者 林静", Some(vec![a("林静", Reporter)])),
            ("文/社区通讯员 李想", Some(vec![a("李想", Correspondent)])),
            (
                "本报记者 吕欣然 通讯员 王立 许文",
                Some(vec![
                    a("吕欣然", Reporter),
                    a("王立", Correspondent),
                    a("许文", Correspondent),
                ]),
            ),
            ("記者王小明∕台北報導", Some(vec![a("王小明", Reporter)])),
            ("記者林嘉敏報導", Some(vec![a("林嘉敏", Reporter)])),
            ("特派記者林維中∕北京報導", Some(vec![a("林維中", Reporter)])),
            (
                "（本报记者 王建国 刘鹏）",
                Some(vec![a("王建国", Reporter), a("刘鹏", Reporter)]),
            ),
            ("記者王小明台北報導", Some(vec![a("王小明", Reporter)])),
            ("By Jane Doe", Some(vec![a("Jane Doe", Author)])),
            (
                "By JANE DOE and JOHN ROE",
                Some(vec![a("JANE DOE", Author), a("JOHN ROE", Author)]),
            ),
            (
                "By Jane Doe, Staff Writer",
                Some(vec![a("Jane Doe", Author)]),
            ),
            (
                "By Jane Doe, Associated Press",
                Some(vec![a("Jane Doe", Author), a("Associated Press", Agency)]),
            ),
            (
                "Mary-Ann O’Neil, Staff Writer",
                Some(vec![a("Mary-Ann O’Neil", Author)]),
            ),
            (
                "Tom Baker, Education Correspondent",
                Some(vec![a("Tom Baker", Author)]),
            ),
            (
                "Reporting by Li Wei; Editing by Sam Holt",
                Some(vec![a("Li Wei", Author)]),
            ),
            (
                "The Associated Press",
                Some(vec![a("The Associated Press", Agency)]),
            ),
            ("Staff Writer", Some(vec![])),
            ("Associated Press Writer", Some(vec![])),
            (
                "记者了解到，今年8月，广州—江门税务部门联合侨务工作基地揭牌成立",
                None,
            ),
            ("江海区老年人积极接种新冠病毒疫苗。礼乐街道供图", None),
            ("By the end of the year the bridge will be finished.", None),
            ("领导带头 先学一步 深学一层", None),
            ("Council approves budget", None),
        ];
        for (line, want) in cases {
            let got = find_line(line).map(|c| c.authors);
            assert_eq!(got, want, "{line}");
        }
    }

    #[test]
    fn finds_inline_credits() {
        use Role::*;
        let cases: Vec<(&str, Vec<crate::model::Author>, &str)> = vec![
            (
                "MILLBROOK — The school board voted 5-2.",
                vec![],
                "The school board voted 5-2.",
            ),
            (
                "EAST HADLEY, Mass. -- “We won,” she said.",
                vec![],
                "“We won,” she said.",
            ),
            (
                "江门日报讯（记者/陈婵 通讯员/陈伟杰）近日，区人大常委会组织视察。",
                vec![a("陈婵", Reporter), a("陈伟杰", Correspondent)],
                "近日，区人大常委会组织视察。",
            ),
            (
                "本报讯 近日，某地举行活动。",
                vec![],
                "近日，某地举行活动。",
            ),
            (
                "本报讯（记者 张三）近日，某地举行活动。",
                vec![a("张三", Reporter)],
                "近日，某地举行活动。",
            ),
            (
                "新华社北京12月7日电（记者 张三 李四）国务院今天发布通知。",
                vec![
                    a("新华社", Agency),
                    a("张三", Reporter),
                    a("李四", Reporter),
                ],
                "国务院今天发布通知。",
            ),
            (
                "【新华社北京12月7日电】国务院今天发布通知。",
                vec![a("新华社", Agency)],
                "国务院今天发布通知。",
            ),
            (
                "本报北京12月8日电（记者 王五）会议召开。",
                vec![a("王五", Reporter)],
                "会议召开。",
            ),
            (
                "人民网消息：日前，某地举行活动。",
                vec![a("人民网", Agency)],
                "日前，某地举行活动。",
            ),
            (
                "据新华社电 国务院日前发布通知。",
                vec![a("新华社", Agency)],
                "国务院日前发布通知。",
            ),
            (
                "記者張雅婷、李建宏∕綜合報導近期天氣回暖。",
                vec![a("張雅婷", Reporter), a("李建宏", Reporter)],
                "近期天氣回暖。",
            ),
            (
                "【記者陳美玲∕高雄報導】高雄輕軌通車。",
                vec![a("陳美玲", Reporter)],
                "高雄輕軌通車。",
            ),
            (
                "WASHINGTON (AP) — The Senate voted on Tuesday.",
                vec![a("AP", Agency)],
                "The Senate voted on Tuesday.",
            ),
            (
                "BEIJING, Dec. 7 (Xinhua) -- China announced new measures.",
                vec![a("Xinhua", Agency)],
                "China announced new measures.",
            ),
            (
                "【記者王小明／台北報導】市府今天宣布新措施。",
                vec![a("王小明", Reporter)],
                "市府今天宣布新措施。",
            ),
            (
                "央视网消息（新闻联播）：入冬以来，各地抓住农闲有利时机。",
                vec![a("央视网", Agency)],
                "入冬以来，各地抓住农闲有利时机。",
            ),
            (
                "本报讯 记者张卫东、通讯员李海报道：1月下旬，气温骤降。",
                vec![a("张卫东", Reporter), a("李海", Correspondent)],
                "1月下旬，气温骤降。",
            ),
            (
                "本报北京1月29日电 记者周正报道：春节临近。",
                vec![a("周正", Reporter)],
                "春节临近。",
            ),
        ];
        assert_inline(cases);
        for line in [
            "近日，区人大常委会组织江南街道部分人大代表来到新中社区。",
            "The Senate voted on Tuesday.",
            "（一）坚持人民至上",
        ] {
            assert_eq!(find(line), None, "{line}");
        }
    }

    /// Each line gives the credit's authors and leaves the rest.
    fn assert_inline(cases: Vec<(&str, Vec<crate::model::Author>, &str)>) {
        for (line, authors, rest) in cases {
            let got = find(line).unwrap_or_else(|| panic!("no credit in {line}"));
            assert_eq!(got.authors, authors, "{line}");
            assert_eq!(got.rest, rest, "{line}");
        }
    }

    #[test]
    fn finds_dispatch_credits() {
        use Role::*;
        assert_inline(vec![
            (
                "（中央社記者王小明台北7日電）行政院今天通過預算。",
                vec![a("中央社", Agency), a("王小明", Reporter)],
                "行政院今天通過預算。",
            ),
            (
                "PORT ELLERY, Maine (MNS) _ Dockworkers voted Tuesday.",
                vec![a("MNS", Agency)],
                "Dockworkers voted Tuesday.",
            ),
            (
                "【中央社廈門五日電】往返廈門與金門的航線增加。",
                vec![a("中央社", Agency)],
                "往返廈門與金門的航線增加。",
            ),
            (
                "（中央社記者王思涵、吳建宏台北5日電）捷運測試列車運抵機廠。",
                vec![
                    a("中央社", Agency),
                    a("王思涵", Reporter),
                    a("吳建宏", Reporter),
                ],
                "捷運測試列車運抵機廠。",
            ),
            (
                "本报讯（学生记者 许嘉怡 周子墨）自习室正式开放。",
                vec![a("许嘉怡", Reporter), a("周子墨", Reporter)],
                "自习室正式开放。",
            ),
            (
                "文、图/赵一凡12月15日，集团团委举办技能比武。",
                vec![a("赵一凡", Author)],
                "12月15日，集团团委举办技能比武。",
            ),
            (
                "（中央社記者黃子睿東京5日專電）食品展今天開幕。",
                vec![a("中央社", Agency), a("黃子睿", Reporter)],
                "食品展今天開幕。",
            ),
        ]);
    }

    #[test]
    fn finds_captions() {
        let cases: &[(&str, Option<Option<&str>>)] = &[
            (
                "江海区老年人积极接种新冠病毒疫苗。礼乐街道供图",
                Some(Some("礼乐街道")),
            ),
            (
                "税务人员向侨资企业工作人员介绍税务驿站功能。高新区（江海区）税务局供图",
                Some(Some("高新区（江海区）税务局")),
            ),
            ("市民在公园赏花。记者 张三 摄", Some(Some("张三"))),
            ("市民在公园赏花（张三 摄）", Some(Some("张三"))),
            (
                "學童種下樹苗。中央社記者蔡孟婷攝　113年3月5日",
                Some(Some("蔡孟婷")),
            ),
            ("△志愿者为长者测量血压。", Some(None)),
            ("Photo: Volunteers plant trees in Mill Park.", Some(None)),
            (
                "Volunteers plant trees in Mill Park. (Photo: Jane Doe)",
                Some(Some("Jane Doe")),
            ),
            (
                "Volunteers plant trees. Photo by Jane Doe",
                Some(Some("Jane Doe")),
            ),
            (
                "Sen. Lisa Hardwick speaks. (AP Photo/Daniel Reyes)",
                Some(Some("Daniel Reyes")),
            ),
            (
                "Photo: Volunteers at the Fair Green. Picture: Brian Cotter",
                Some(Some("Brian Cotter")),
            ),
            (
                "（記者王小明攝）文昌公園新設的共融遊具。",
                Some(Some("王小明")),
            ),
            (
                "用相机记录青青读书会的一砖一瓦，定格党员的学习瞬间，现场拍摄",
                None,
            ),
            ("江海区持续推进老年人新冠病毒疫苗接种工作", None),
            ("宣讲党的二十大精神的备课过程。", None),
        ];
        for (line, want) in cases {
            let got = caption(line);
            let want = want.map(|c| c.map(str::to_owned));
            assert_eq!(got, want, "{line}");
        }
    }
}
