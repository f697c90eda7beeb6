//! Page furniture: lines that belong to the page, not to any article — page
//! numbers, `第1版`, editor credits (`责任编辑`), navigation, separators, link
//! lines, copyright lines, table-of-contents headers, and the jump lines that
//! carry an article across pages (`（下转第2版）`, `Continued on Page 2`).

use std::sync::LazyLock;

use regex::Regex;

/// Lines longer than this are prose even if they start like furniture
/// (`编辑部门表示，…`).
const MAX_FURNITURE_CHARS: usize = 60;

/// The longest link line (bytes): a URL longer than this is not furniture
/// but part of something else.
const MAX_LINK_BYTES: usize = 400;

/// The longest cross-reference line (bytes): a headline and a page.
const MAX_CROSS_REF_BYTES: usize = 200;

/// Why a line is furniture, for `--explain`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Furniture {
    /// `----`, `====`, `* * *`, `……`.
    Separator,
    /// `第3版`, `A03`, `- 3 -`, `Page 3 of 8`, `第3版：要闻`.
    PageNumber,
    /// `责任编辑：…`, `版面设计：…`, `Editor: …`.
    Editor,
    /// `上一版 下一版`, `返回目录`, `Back to top`.
    Navigation,
    /// A bare URL or `链接：http…`.
    Link,
    /// `© 2022 …`, `版权所有`.
    Copyright,
    /// `本版导读`, `In this section`: a table of contents follows.
    Contents,
    /// The article continues on another page (`（下转第2版）`).
    JumpOut,
    /// The article continues from another page (`（上接第1版）`).
    JumpIn,
    /// A pointer to another story (`Related: …, Page B4`, `相关报道见第5版`).
    CrossRef,
    /// A note on who the writer is (`（作者系…研究员）`, `(The writer is …)`).
    AuthorNote,
    /// The apparatus of a reference page: `References`, `External links`,
    /// `See also`, `参考资料` as section headings.
    Apparatus,
    /// A production cue in a broadcast script: `[AUDIO: … DUR 0'31"]`,
    /// `[STING: NEWS BED IN]`, `（同期）`.
    Cue,
    /// Wire-service transmission control: `ZCZC`, `NNNN`, `END`, `MORE`,
    /// a `BC-Slug,0380` line, a take's timestamp line ending in `<`.
    Wire,
    /// An official document's number under its title (`鹤政发〔2021〕14号`).
    DocNumber,
    /// The publisher's notice to readers: where to send contributions,
    /// hotlines (`投稿邮箱：…`, `本版热线：…`).
    Notice,
}

// Every `expect("static regex")` below is on a fixed pattern that this
// module's unit tests compile and run, so it cannot fail at run time.

impl Furniture {
    /// The reason shown by `--explain`.
    pub(crate) fn why(self) -> &'static str {
        match self {
            Furniture::Separator => "separator",
            Furniture::PageNumber => "page number",
            Furniture::Editor => "editor / layout credit",
            Furniture::Navigation => "navigation",
            Furniture::Link => "link line",
            Furniture::Copyright => "copyright line",
            Furniture::Contents => "table-of-contents header",
            Furniture::JumpOut => "continued on another page",
            Furniture::JumpIn => "continued from another page",
            Furniture::CrossRef => "cross-reference to another story",
            Furniture::AuthorNote => "note on the writer (（作者系…）)",
            Furniture::Wire => "wire-service control line",
            Furniture::Apparatus => "references / external links heading",
            Furniture::DocNumber => "document number (发文字号)",
            Furniture::Notice => "publisher's notice (contributions, hotline)",
            Furniture::Cue => "broadcast production cue",
        }
    }
}

static PAGE_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)^(?:",
        r"第\s*[A-Z]?[0-9０-９一二三四五六七八九十]+\s*[版页頁]",
        r"|[A-Z]\s?[0-9]{1,3}(?:\s*版)?",
        r"|[0-9]{1,4}",
        r"|[-–—~－]\s*[0-9０-９]{1,4}\s*[-–—~－]",
        r"|(?:page|p\.?|pg\.?)\s*[A-Z]?[0-9]{1,4}(?:\s*(?:of|/)\s*[0-9]{1,4})?",
        r"|[0-9]{1,4}\s*/\s*[0-9]{1,4}",
        r")(?:\s*[:：|｜·\-—]\s*\S.{0,20})?$"
    ))
    .expect("static regex")
});

/// `第A03版：社会新闻`, `第4版 评论·短讯`: the page's own label after its number.
static PAGE_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^第\s*[A-Z]?[0-9０-９一二三四五六七八九十]+\s*[版页頁]\s*(?:[:：|｜·\-—]|\s)\s*",
        r"(\p{Han}[\p{Han}·・ ]{1,15})$"
    ))
    .expect("static regex")
});

/// `Related: …`, `See also: …`, `相关报道：…`: a pointer to another story.
/// `鹤政发〔2021〕14号`, `国办函［2020］3号`: an issuing office's
/// abbreviation, the year in brackets and the number.
static DOC_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\p{Han}{1,12}\s*[〔［\[（(【]\s*(?:19|20)[0-9]{2}\s*[〕］\]）)】]\s*[第]?[0-9０-９]{1,5}\s*[号號]$")
        .expect("static regex")
});

static CROSS_REF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)^(?:related(?: stories| story| coverage)?|see also|also read|more coverage|",
        r"相关报道|相關報導|相关阅读|相關閱讀|延伸阅读|延伸閱讀|相关新闻|相關新聞|相关链接|相關連結|相关稿件|相關稿件|推荐阅读|推薦閱讀|更多新闻|更多新聞)\s*[:：]"
    ))
    .expect("static regex")
});

/// `（作者系市社会科学院研究员）`, `(The writer is a retired teacher.)`.
static AUTHOR_NOTE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)^[（(]\s*(?:作者(?:系|为|為|是|係|單位|单位)|本文作者|the (?:writer|author) (?:is|was|teaches|works|lives))",
        r"[^（）()]*[）)]$"
    ))
    .expect("static regex")
});

static EDITOR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)^[（(【\[]?\s*(?:",
        r"责任编辑|責任編輯|值班编辑|值班編輯|编辑|編輯|美编|美編|校对|校對|版式|版面设计|版面設計|",
        r"排版|组版|組版|审核|審核|审校|審校|统筹|統籌|监制|監製|制图|製圖|策划|策劃|一审|二审|三审",
        r"|报|送|发|抄送|抄报|主送|印发|报送|签发|簽發",
        r"|(?:copy |sub-?|page |news |section )?editor|edited by|layout|page design|design|designer|proofread(?:ing|er)?",
        r")(?:\s*[:：/／]|\s+\p{Han}{2,4}\s*[）)】\]]$)"
    ))
    .expect("static regex")
});

static NAV_TOKEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)上一版|下一版|上一篇|下一篇|上一页|下一页|上一頁|下一頁|返回目录|返回目錄|返回首页|返回首頁|",
        r"返回顶部|返回頂部|回到顶部|回到頂部|版面导航|版面導航|返回|首页|首頁|打印|分享到|分享至|分享|收藏|关闭|關閉|qq空间|qq空間|qq|豆瓣|",
        r"previous (?:page|article|story)|next (?:page|article|story)|back to (?:top|index|contents)|",
        r"top of page|home|print(?: this)?|share(?: this(?: article| story| page)?)?|email(?: this)?|skip to content|menu|",
        r"facebook|twitter|whatsapp|linkedin|reddit|weibo|wechat|微信|微博|朋友圈|(?-u:\b)x(?-u:\b)|«|»|",
        r"advertisement|sponsored(?: content)?|广告|廣告|[（(](?:完|終|终|end|more)[）)]|",
        r"下载|下載|新闻内容|新聞內容|正文|今日头条|今日頭條|字号|字號|大|中|小|放大|缩小|縮小|[【\[]?打印本页[】\]]?|[【\[]?关闭窗口[】\]]?|",
        r"列印|轉寄|转发|轉發|打印|評論|评论|點讚|点赞|即時新聞|即时新闻|更多新聞|更多新闻|字級|字级|複製連結|复制链接|訂閱|订阅|line|telegram|plurk|噗浪|",
        r"jump to content|main menu|log in|create account|search|subscribe|unsubscribe|view (?:this email )?in (?:your )?browser",
    ))
    .expect("static regex")
});

static LINK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)^(?:[\p{L} ]{1,24}\s*[:：]\s*)?",
        r"(?:[<(\[]?(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+)$"
    ))
    .expect("static regex")
});

static COPYRIGHT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:©|\(c\)\s|copyright(?-u:\b)|版权所有|版權所有|all rights reserved)")
        .expect("static regex")
});

static CONTENTS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)^[【\[]?(?:本版导读|本版導讀|今日导读|今日導讀|导读|導讀|本期目录|本期目錄|目录|目錄|要目|本版要目|",
        r"本期提要|内容提要|內容提要|提要|本期要点|本期要點|要闻导读|要聞導讀|本期节目主要内容|本期節目主要內容|主要内容|",
        r"in this (?:section|issue|edition|digest|bulletin)|inside(?: this issue| today)?|contents|index|today's (?:stories|topics|headlines)|also inside|",
        r"headlines|top stories|the headlines|news headlines|summary|at a glance)",
        r"[】\]]?\s*[:：]?$"
    ))
    .expect("static regex")
});

static JUMP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)[（(【\[]?\s*(?:(下转|下轉|转|轉|转至|轉至)\s*第?\s*[A-Z]?[0-9０-９一二三四五六七八九十]+\s*[版页頁]",
        r"|(上接|接|承)\s*第?\s*[A-Z]?[0-9０-９一二三四五六七八九十]+\s*[版页頁]",
        r"|(continued|cont'd|cont\.|turn to|see)\s+(?:on\s+)?(?:page|p\.)\s*[A-Z]?[0-9]+",
        r"|(continued from|from)\s+(?:page|p\.)\s*[A-Z]?[0-9]+",
        // A newsletter's two sides: `(Continued on back)`, `continued from front`.
        r"|(continued|turn to|see)\s+(?:on\s+)?(?:the\s+)?(?:back page|back|inside|reverse|next page)",
        r"|(continued from)\s+(?:the\s+)?(?:front page|front|cover|page one))",
        r"\s*[）)】\]]?"
    ))
    .expect("static regex")
});

/// A production cue of a broadcast script: a bracketed line opening with a
/// capitalised cue word and a colon (`[AUDIO: …]`, `[SFX: …]`), or a
/// known cue alone in brackets.
fn is_cue(line: &str) -> bool {
    let inner = if let Some(x) = line.strip_prefix('[').and_then(|x| x.strip_suffix(']')) {
        x
    } else if let Some(x) = line.strip_prefix('（').and_then(|x| x.strip_suffix('）')) {
        x
    } else if let Some(x) = line.strip_prefix('【').and_then(|x| x.strip_suffix('】')) {
        x
    } else {
        return false;
    };
    let word: String = inner
        .chars()
        .take_while(|c| c.is_ascii_uppercase() || *c == ' ')
        .collect();
    let caps_cue = word.trim().len() >= 2 && inner[word.len()..].starts_with(':');
    let known = matches!(
        inner.trim(),
        "SOT"
            | "VO"
            | "NAT SOUND"
            | "MUSIC"
            | "STING"
            | "PAUSE"
            | "同期"
            | "同期声"
            | "同期聲"
            | "音乐"
            | "音樂"
            | "解说"
            | "解說"
            | "画外音"
            | "畫外音"
    );
    caps_cue || known
}

/// Section headings of a reference page's apparatus.
fn is_apparatus(line: &str) -> bool {
    let l = line.trim_end_matches("[edit]").trim().trim_end_matches(':');
    [
        "references",
        "external links",
        "see also",
        "further reading",
        "notes",
        "sources",
        "bibliography",
        "footnotes",
        "citations",
    ]
    .iter()
    .any(|w| w.eq_ignore_ascii_case(l))
        || matches!(
            l,
            "参考资料"
                | "参考文献"
                | "外部链接"
                | "相关条目"
                | "參考資料"
                | "參考文獻"
                | "外部連結"
                | "相關條目"
        )
}

/// `BC-Port Strike,0380`, `BC-Bridge Closure, 1st Add,0140`: a wire slug
/// with its word count.
static WIRE_SLUG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:BC|AM|PM|[A-Z]{1,3})-[^,]{1,60}(?:,[^,]{1,30})?,\s*[0-9]{3,4}$")
        .expect("static regex")
});

/// Wire-service control lines (see [`Furniture::Wire`]).
fn is_wire_control(line: &str) -> bool {
    if matches!(
        line,
        "ZCZC" | "NNNN" | "END" | "MORE" | "-MORE-" | "-30-" | "###"
    ) {
        return true;
    }
    if line.starts_with("ZCZC ") {
        return true;
    }
    // `Eds: UPDATES with …`, `AP Photos OHPOR101-103`: notes to editors.
    if line.starts_with("Eds:") || line.starts_with("EDS:") || line.starts_with("Editors:") {
        return true;
    }
    if let Some(rest) = line.strip_prefix("AP Photo") {
        let rest = rest.trim_start_matches('s').trim_start_matches('.').trim();
        let code = |c: char| {
            c.is_ascii_uppercase() || c.is_ascii_digit() || matches!(c, ' ' | ',' | '-' | '.')
        };
        if rest.chars().all(code) {
            return true;
        }
    }
    // `MNS-ME-10-18-11 1205EDT<`, `AP-OH-03-15-97 1702EST`: a take's
    // transmission stamp.
    let stamp = line.trim_end_matches('<');
    if !line.starts_with('^')
        && stamp.len() <= 40
        && stamp.split(' ').count() <= 3
        && stamp.bytes().filter(u8::is_ascii_digit).count() >= 6
        && stamp.contains('-')
        && !stamp.contains(|c: char| c.is_ascii_lowercase())
    {
        return true;
    }
    if is_budget_entry(line) {
        return true;
    }
    line.len() <= 100
        && line.contains('-')
        && line.as_bytes().first().is_some_and(u8::is_ascii_uppercase)
        && WIRE_SLUG.is_match(line)
}

/// Most words in a wire budget's story slug (`STATEHOUSE-SCHOOL FUNDING`).
const BUDGET_SLUG_MAX_WORDS: usize = 4;

/// An entry of a wire budget: a story slug in capitals with a hyphen, then
/// ` _ ` and the summary (`FLOOD-OHIO RIVER _ The Ohio River climbs…`), or
/// the length note of one (`By Jon R. Aldrich. 540 words.`).
fn is_budget_entry(line: &str) -> bool {
    if let Some((slug, _)) = line.split_once(" _ ") {
        let words = slug.split(' ').count();
        if slug.contains('-')
            && words <= BUDGET_SLUG_MAX_WORDS
            && slug.chars().all(|c| {
                c.is_ascii_uppercase() || c.is_ascii_digit() || matches!(c, '-' | ' ' | '.' | '&')
            })
        {
            return true;
        }
    }
    // `… 540 words.`, the story's length, as a sentence of its own.
    line.match_indices(" words.").any(|(at, _)| {
        let head = &line[..at];
        let digits = head.bytes().rev().take_while(u8::is_ascii_digit).count();
        digits >= 2 && (head.len() == digits || head[..head.len() - digits].ends_with(". "))
    })
}

/// A list-server's command or subscription line (`To subscribe or
/// unsubscribe via the World Wide Web, visit …`, `send a message with
/// subject or body 'help' to …`).
fn is_list_server(line: &str) -> bool {
    if line.len() > 240 || !line.is_char_boundary(line.len()) {
        return false;
    }
    let b = line.as_bytes();
    let mentions = |w: &[u8]| b.windows(w.len()).any(|x| x.eq_ignore_ascii_case(w));
    if !(mentions(b"subscri") || mentions(b"list") || mentions(b"digest") || mentions(b"-request"))
    {
        return false;
    }
    let l = line.to_ascii_lowercase();
    let topic = [
        "subscribe",
        "mailing list",
        "listserv",
        "majordomo",
        "list-request",
        "-request@",
        "digest",
    ]
    .iter()
    .any(|w| l.contains(w));
    let command = [
        "send ", "visit", "e-mail", "email", "mail to", "http", "@", "write to", "reply to",
    ]
    .iter()
    .any(|w| l.contains(w));
    topic && command && line.len() <= 240
}

fn is_separator(line: &str) -> bool {
    if matches!(line, "%" | "%%" | "§" | "◇" | "◆" | "＊" | "※") {
        return true;
    }
    let mut n = 0;
    for c in line.chars() {
        if c == ' ' {
            continue;
        }
        if !matches!(
            c,
            '-' | '='
                | '_'
                | '*'
                | '~'
                | '—'
                | '–'
                | '─'
                | '━'
                | '═'
                | '·'
                | '.'
                | '•'
                | '#'
                | '+'
                | '…'
                | '。'
                | '■'
                | '□'
                | '◆'
                | '◇'
                | '●'
                | '○'
                | '★'
                | '☆'
                | '/'
                | '\\'
                | '|'
                | '<'
                | '>'
                | '＊'
                | '－'
                | '＝'
        ) {
            return false;
        }
        n += 1;
    }
    n >= 3
}

/// `首页 > 数字报 > 第3版`, `Home › News › Local`.
fn is_breadcrumb(line: &str) -> bool {
    let seps = line.matches(['>', '›', '»', '→']).count();
    if seps >= 2 && !line.ends_with(['。', '.', '!', '?']) {
        return true;
    }
    // `解放军报>19980130`: a paper and an issue.
    seps == 1
        && !line.contains(' ')
        && line
            .split(['>', '›', '»', '→'])
            .all(|part| !part.is_empty())
        && line.chars().count() <= 30
}

/// Words a Latin navigation line can open with (each starts some token of
/// [`NAV_TOKEN`]): a cheap test before the pattern.
const NAV_FIRST_WORDS: &[&str] = &[
    "previous",
    "next",
    "back",
    "top",
    "home",
    "print",
    "share",
    "email",
    "skip",
    "menu",
    "facebook",
    "twitter",
    "whatsapp",
    "linkedin",
    "reddit",
    "weibo",
    "wechat",
    "x",
    "advertisement",
    "sponsored",
    "jump",
    "main",
    "log",
    "create",
    "search",
    "subscribe",
    "unsubscribe",
    "view",
    "line",
    "telegram",
    "plurk",
    "qq",
];

fn is_navigation(line: &str) -> bool {
    if line.starts_with(|c: char| c.is_ascii_alphabetic()) {
        let first = line
            .split(|c: char| !c.is_ascii_alphabetic())
            .next()
            .unwrap_or("");
        if !NAV_FIRST_WORDS
            .iter()
            .any(|w| w.eq_ignore_ascii_case(first))
        {
            return false;
        }
    }
    // Every navigation token has an ASCII letter, a guillemet or one of
    // these characters: a cheap test before the pattern.
    let lead = |c: char| {
        c.is_ascii_alphabetic()
            || "«»（(【[上下返首打分收关關微朋广廣完終终新正今字大中小放缩縮列轉转評评點点即更複复訂订噗豆"
                .contains(c)
    };
    if !line.chars().any(lead) || !NAV_TOKEN.is_match(line) {
        return false;
    }
    NAV_TOKEN
        .replace_all(line, "")
        .chars()
        .all(|c| !c.is_alphanumeric())
}

/// A colon (ASCII or full-width) among the first bytes of `line`: a cheap
/// test before the cross-reference pattern.
fn has_early_colon(line: &str) -> bool {
    let head = &line.as_bytes()[..line.len().min(48)];
    head.contains(&b':') || head.windows(3).any(|w| w == "：".as_bytes())
}

/// Longest line (bytes) taken for a publisher's notice.
const MAX_NOTICE_BYTES: usize = 600;

/// Phrases of a publisher's notice to readers.
const NOTICE_PHRASES: &[&str] = &[
    "投稿邮箱",
    "投稿郵箱",
    "投稿信箱",
    "来稿请注明",
    "來稿請註明",
    "欢迎投稿",
    "歡迎投稿",
    "踊跃投稿",
    "踴躍投稿",
    "新闻热线",
    "新聞熱線",
    "本版热线",
    "读者热线",
    "讀者熱線",
];

/// Phrases of a rights notice, wherever they stand in a footer line
/// (`本版热线：… 本报版权所有，未经授权不得转载`).
const RIGHTS_PHRASES: &[&str] = &[
    "版权所有",
    "版權所有",
    "未经授权不得转载",
    "未經授權不得轉載",
    "未经许可不得转载",
    "All rights reserved",
    "All Rights Reserved",
];

fn has_rights_notice(line: &str) -> bool {
    RIGHTS_PHRASES.iter().any(|p| line.contains(p))
}

/// Classifies a cleaned, non-empty line as furniture, if it is.
pub(crate) fn classify(line: &str) -> Option<Furniture> {
    if is_separator(line) {
        return Some(Furniture::Separator);
    }
    // `===== Page A6 =====`, `+ Page 2 +`: a page break.
    let framed =
        line.trim_matches(|c: char| matches!(c, '=' | '-' | '+' | '*' | '~' | '_' | '#' | ' '));
    if framed.len() + 4 <= line.len() && !framed.is_empty() && PAGE_NUMBER.is_match(framed) {
        return Some(Furniture::PageNumber);
    }
    if is_wire_control(line) {
        return Some(Furniture::Wire);
    }
    if line.len() <= 40 && is_apparatus(line) {
        return Some(Furniture::Apparatus);
    }
    if is_cue(line) {
        return Some(Furniture::Cue);
    }
    if line.ends_with(['号', '號']) && DOC_NUMBER.is_match(line) {
        return Some(Furniture::DocNumber);
    }
    if is_list_server(line) {
        return Some(Furniture::Navigation);
    }
    let linkish = line.len() <= MAX_LINK_BYTES
        && line.as_bytes().contains(&b'.')
        && (line.contains("http") || line.contains("www.") || line.contains('@'));
    if linkish && LINK.is_match(line) {
        return Some(Furniture::Link);
    }
    if line.len() <= MAX_CROSS_REF_BYTES
        && has_early_colon(line)
        && CROSS_REF.is_match(line)
        && !line.ends_with(['。', '.', '!', '?'])
    {
        return Some(Furniture::CrossRef);
    }
    if line.len() <= MAX_NOTICE_BYTES && NOTICE_PHRASES.iter().any(|p| line.contains(p)) {
        return Some(Furniture::Notice);
    }
    if line.len() > MAX_FURNITURE_CHARS * 4 || line.chars().count() > MAX_FURNITURE_CHARS {
        return None;
    }
    if is_breadcrumb(line) {
        return Some(Furniture::Navigation);
    }
    if let Some(j) = jump_only(line) {
        return Some(j);
    }
    let has_digit = line.chars().any(|c| {
        c.is_ascii_digit()
            || matches!(
                c,
                '０'..='９' | '一' | '二' | '三' | '四' | '五' | '六' | '七' | '八' | '九' | '十'
            )
    });
    if has_digit
        && (PAGE_NUMBER.is_match(line) || (line.starts_with('第') && PAGE_LABEL.is_match(line)))
    {
        return Some(Furniture::PageNumber);
    }
    if line.starts_with(['（', '(']) && AUTHOR_NOTE.is_match(line) {
        return Some(Furniture::AuthorNote);
    }
    if line.contains([':', '：', '/', '／', ')', '）', '】', ']']) && EDITOR.is_match(line) {
        return Some(Furniture::Editor);
    }
    if COPYRIGHT.is_match(line) || has_rights_notice(line) {
        return Some(Furniture::Copyright);
    }
    if CONTENTS.is_match(line) {
        return Some(Furniture::Contents);
    }
    if is_navigation(line) {
        return Some(Furniture::Navigation);
    }
    None
}

/// The label a page-number line gives its page (`第A03版：社会新闻` →
/// `社会新闻`), if any.
pub(crate) fn page_label(line: &str) -> Option<&str> {
    if !line.starts_with('第') {
        return None;
    }
    let c = PAGE_LABEL.captures(line)?;
    Some(c.get(1)?.as_str().trim())
}

fn jump_kind(c: &regex::Captures<'_>) -> Furniture {
    if c.get(1).is_some() || c.get(3).is_some() || c.get(5).is_some() {
        Furniture::JumpOut
    } else {
        Furniture::JumpIn
    }
}

/// A line that is nothing but a jump marker.
fn jump_only(line: &str) -> Option<Furniture> {
    // Every jump names a page by its number, or a side in words
    // (`Continued on back`).
    let worded = says_continued(line);
    let numbered = worded
        || line.bytes().any(|b| b.is_ascii_digit())
        || line.contains([
            '０', '１', '２', '３', '４', '５', '６', '７', '８', '９', '一', '二', '三', '四',
            '五', '六', '七', '八', '九', '十',
        ]);
    if !numbered || !line.contains(['版', '页', '頁', 'e', 'E', '.']) {
        return None;
    }
    let c = super::credit::captures(&JUMP, line)?;
    let m = c.get(0)?;
    let kind = jump_kind(&c);
    let after_clear = line[m.end()..].chars().all(|c| !c.is_alphanumeric());
    let before = &line[..m.start()];
    // `LIBRARY | From page 1`: the slug of the story continued here.
    let slug =
        kind == Furniture::JumpIn && (is_jump_slug(before) || (worded && is_title_slug(before)));
    (after_clear && (slug || before.chars().all(|c| !c.is_alphanumeric()))).then_some(kind)
}

/// Most words in the slug over a story's continuation (`LIBRARY |`).
const JUMP_SLUG_MAX_WORDS: usize = 3;

/// A slug in capitals closed by a bar, colon, dash or comma.
fn is_jump_slug(s: &str) -> bool {
    let t = s.trim_end();
    let Some(words) = t
        .strip_suffix(['|', ':', '—', '-', ','])
        .map(|w| w.trim_end())
    else {
        return false;
    };
    let n = words.split_whitespace().count();
    (1..=JUMP_SLUG_MAX_WORDS).contains(&n)
        && words
            .chars()
            .all(|c| c.is_uppercase() || c == ' ' || c == '\'' || c == '’')
}

/// Whether `s` says "continued" in any case (without lowering a copy of
/// every line read).
fn says_continued(s: &str) -> bool {
    s.as_bytes()
        .windows("continued".len())
        .any(|w| w.eq_ignore_ascii_case(b"continued"))
}

/// A slug of one to three words, the first capitalised, closed by a comma
/// or a colon (`Rates, continued from front`).
fn is_title_slug(s: &str) -> bool {
    let Some(words) = s.trim_end().strip_suffix([',', ':']) else {
        return false;
    };
    let n = words.split_whitespace().count();
    (1..=JUMP_SLUG_MAX_WORDS).contains(&n) && words.trim_start().starts_with(char::is_uppercase)
}

/// Removes a jump marker at the start or end of paragraph text, returning
/// the text left and which way the article jumps.
pub(crate) fn strip_jump(text: &str) -> Option<(String, Furniture)> {
    // Every jump names a page (`第2版`, `Page A6`, `p. 3`), at the start or
    // the end of the paragraph: only those ends are searched.
    let head_end = text.char_indices().nth(24).map_or(text.len(), |(i, _)| i);
    let tail_start = text.char_indices().rev().nth(24).map_or(0, |(i, _)| i);
    let pageish = |s: &str| {
        s.contains("版")
            || s.contains("页")
            || s.contains("頁")
            || ((s.contains("age") || s.contains("AGE") || s.contains("p."))
                && s.bytes().any(|b| b.is_ascii_digit()))
            || says_continued(s)
    };
    if !pageish(&text[..head_end]) && !pageish(&text[tail_start..]) {
        return None;
    }
    let c = super::credit::captures(&JUMP, text)?;
    let m = c.get(0)?;
    let at_start = text[..m.start()].trim().is_empty();
    let at_end = text[m.end()..]
        .chars()
        .all(|c| !c.is_alphanumeric() && c != '“' && c != '"');
    if !(at_start || at_end) || !m.as_str().starts_with(['（', '(', '【', '[']) {
        return None;
    }
    let rest = format!("{}{}", &text[..m.start()], &text[m.end()..]);
    Some((rest.trim().to_owned(), jump_kind(&c)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pattern_compiles() {
        LazyLock::force(&PAGE_NUMBER);
        LazyLock::force(&EDITOR);
        LazyLock::force(&NAV_TOKEN);
        LazyLock::force(&LINK);
        LazyLock::force(&COPYRIGHT);
        LazyLock::force(&CONTENTS);
        LazyLock::force(&JUMP);
        LazyLock::force(&DOC_NUMBER);
        LazyLock::force(&PAGE_LABEL);
        LazyLock::force(&CROSS_REF);
        LazyLock::force(&AUTHOR_NOTE);
        LazyLock::force(&WIRE_SLUG);
    }
    use Furniture::*;

    #[test]
    fn classifies_furniture() {
        let cases: &[(&str, Option<Furniture>)] = &[
            ("----", Some(Separator)),
            ("* * *", Some(Separator)),
            ("……", None),
            ("……………", Some(Separator)),
            ("第1版", Some(PageNumber)),
            ("第A03版：江海新闻", Some(PageNumber)),
            ("A3", Some(PageNumber)),
            ("- 3 -", Some(PageNumber)),
            ("Page 3 of 8", Some(PageNumber)),
            ("12", Some(PageNumber)),
            ("责任编辑：李四", Some(Editor)),
            ("版面设计：王五", Some(Editor)),
            ("Editor: Jane Doe", Some(Editor)),
            ("编辑部门表示，今年的工作重点是提高质量", None),
            ("上一版 下一版", Some(Navigation)),
            ("<< 上一篇 | 下一篇 >>", Some(Navigation)),
            ("Back to top", Some(Navigation)),
            ("Home", Some(Navigation)),
            ("Home prices rise again", None),
            ("Share this article: Facebook | X | Email", Some(Navigation)),
            ("« Previous page | Next page »", Some(Navigation)),
            ("首页 > 数字报 > 第3版：民生", Some(Navigation)),
            (
                "Related: https://www.example.com/news/2023/07/cycling-crash-data-and-more-words",
                Some(Link),
            ),
            ("报：市政府办公室", Some(Editor)),
            ("（责任编辑：张三）", Some(Editor)),
            ("（编辑 张三）", Some(Editor)),
            ("（完）", Some(Navigation)),
            ("ADVERTISEMENT", Some(Navigation)),
            ("jdoe@example.com", Some(Link)),
            ("发：各乡镇人民政府，县直各部门", Some(Editor)),
            ("https://example.com/news/1.html", Some(Link)),
            ("原文链接：http://example.cn/a", Some(Link)),
            ("© 2022 The Riverton Courier", Some(Copyright)),
            ("本版导读", Some(Contents)),
            ("In this section:", Some(Contents)),
            ("（下转第2版）", Some(JumpOut)),
            ("（上接第1版）", Some(JumpIn)),
            ("Continued on Page 2", Some(JumpOut)),
            ("(Continued from Page 1)", Some(JumpIn)),
            ("LIBRARY | From page 1", Some(JumpIn)),
            ("(Continued on back)", Some(JumpOut)),
            ("Rates, continued from front", Some(JumpIn)),
            ("Continued from the front page", Some(JumpIn)),
            ("Winners see the back of the hall", None),
            ("The council | From page 1", None),
            ("领导带头 先学一步 深学一层", None),
            ("学习宣传贯彻党的二十大精神", None),
            ("Council approves new budget", None),
            ("第4版 评论·短讯", Some(PageNumber)),
            (
                "Related: Parking study finds downtown spaces full by noon, Page B4",
                Some(CrossRef),
            ),
            ("Related: the council's vote was close.", None),
            ("（作者系市社会科学院研究员）", Some(AuthorNote)),
            ("（作者单位：清川省委党校）", Some(AuthorNote)),
            (
                "(The writer is a retired teacher in Hadley)",
                Some(AuthorNote),
            ),
            ("（作者 张三）", None),
            (
                "==================== Page A6 ====================",
                Some(PageNumber),
            ),
            ("+ Page 2 +", Some(PageNumber)),
            ("%", Some(Separator)),
            (
                "[AUDIO: NANDRA-OTLEY-LIVE | IN: \"The smoke has cleared...\" | DUR 0'31\"]",
                Some(Cue),
            ),
            ("[STING: NEWS BED IN -- FADE UNDER AT 0'04\"]", Some(Cue)),
            ("—２—", Some(PageNumber)),
            ("HEADLINES", Some(Contents)),
            ("【本期提要】", Some(Contents)),
            (
                "Eds: UPDATES with state emergency director's comments, new evacuation",
                Some(Wire),
            ),
            ("AP Photos OHPOR101-103", Some(Wire)),
            ("鹤政发〔2021〕14号", Some(DocNumber)),
            ("欢迎投稿，来稿请注明姓名及联系电话。", Some(Notice)),
            (
                "本版热线：0000-12345678　本报版权所有，未经授权不得转载",
                Some(Notice),
            ),
            ("本报版权所有，未经授权不得转载", Some(Copyright)),
            ("国办函[2020]3号", Some(DocNumber)),
            (
                "FLOOD-OHIO RIVER _ The Ohio River climbs to within 2 feet",
                Some(Wire),
            ),
            (
                "By Martha Kessler. 680 words. AP Photos OHPOR101-103.",
                Some(Wire),
            ),
            ("The bill runs 540 words.", None),
            ("AP-OH-03-15-97 1702EST", Some(Wire)),
            ("分享：Facebook｜WhatsApp｜列印", Some(Navigation)),
            ("字級　列印　分享　LINE　Facebook", Some(Navigation)),
            ("分享到：微信 微博 QQ空间", Some(Navigation)),
            ("长城军报>19980130", Some(Navigation)),
            ("第2版：要闻　下载", Some(PageNumber)),
            ("下載", Some(Navigation)),
            ("新闻内容", Some(Navigation)),
            (
                "To subscribe or unsubscribe via the World Wide Web, visit",
                Some(Navigation),
            ),
            ("BC-Port Strike,0380", Some(Wire)),
            ("BC-Bridge Closure, 1st Add,0140", Some(Wire)),
            ("MNS-ME-10-18-11 1205EDT<", Some(Wire)),
            ("END", Some(Wire)),
            ("ZCZC MNS0412 BCM", Some(Wire)),
            ("BC-MNS Digest,0640", Some(Wire)),
            ("Endings and beginnings", None),
        ];
        for (line, want) in cases {
            assert_eq!(classify(line), *want, "{line}");
        }
    }

    #[test]
    fn page_labels() {
        let cases = [
            ("第A03版：社会新闻", Some("社会新闻")),
            ("第4版 评论·短讯", Some("评论·短讯")),
            ("第1版", None),
            ("A3", None),
            ("第3版：要闻 2023年", None),
        ];
        for (line, want) in cases {
            assert_eq!(page_label(line), want, "{line}");
        }
    }

    #[test]
    fn strips_jump_markers() {
        let cases: &[(&str, Option<(&str, Furniture)>)] = &[
            ("让群众满意。（下转第2版）", Some(("让群众满意。", JumpOut))),
            (
                "（上接第1版）工作取得成效。",
                Some(("工作取得成效。", JumpIn)),
            ),
            (
                "the plan will (Continued on Page 2)",
                Some(("the plan will", JumpOut)),
            ),
            ("他接第二个电话。", None),
        ];
        for (text, want) in cases {
            let got = strip_jump(text);
            let want = want.map(|(t, f)| (t.to_owned(), f));
            assert_eq!(got, want, "{text}");
        }
    }
}
