//! Run-in headlines: a headline set at the front of its paragraph's first
//! line instead of on a line of its own — `**Title.** Body…`, `【标题】正文…`,
//! `ROAD WORK: Crews…`, `Short headline. Body…`, `标题　正文…`. The line is
//! read as two pieces (head and rest); the model decides whether the head
//! is a headline, and a head it takes for body goes back into its paragraph
//! (`RunIn::whole`). A split is only offered, so the plain shapes may be
//! generous: the page's evidence decides.

use super::markup::strip_tags;
use super::measure::width;

/// Longest ALL-CAPS lead-in (bytes) of a brief (`ROAD WORK: …`).
const LEAD_IN_MAX_BYTES: usize = 40;

/// Longest run-in headline (columns) taken off the front of a paragraph.
const RUN_IN_MAX_COLS: usize = 90;

/// A run-in headline taken off the front of a paragraph.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct RunIn {
    /// The headline, markup and run-in full stop removed.
    pub head: String,
    /// The paragraph after it.
    pub rest: String,
    /// The whole paragraph without the markup, for when the head turns out
    /// not to be a headline after all.
    pub whole: String,
    /// How the head was set.
    pub kind: RunInKind,
    /// The head is a bold label closed by a colon (`**兑换方式**：…`), as
    /// list items and labelled paragraphs are, not a run-in headline.
    pub colon: bool,
}

/// How a run-in headline is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum RunInKind {
    /// `**Title.** body`, `__Title.__ body`, `<b>Title.</b> body`.
    Bold,
    /// `【标题】正文`.
    Bracket,
    /// `ROAD WORK: Crews will…` (capitals and a colon).
    Caps,
    /// `Scholarship winners named. Four seniors will…`: a short first
    /// sentence shaped like a headline, opening a block.
    Sentence,
    /// `标题　正文…`: a Chinese headline run into its paragraph after an
    /// ideographic space, opening a block.
    Spaced,
}

impl RunInKind {
    /// Whether the shape is only offered (any paragraph may open so): the
    /// page's evidence decides, and page norms do not count it as a head.
    pub(super) fn speculative(self) -> bool {
        matches!(self, RunInKind::Sentence | RunInKind::Spaced)
    }
}

/// Where a line stands among its neighbours, for the shapes that need it.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Place {
    /// A blank line (or the page top) is above it.
    pub block_start: bool,
    /// A blank line (or the page end) is below it.
    pub block_end: bool,
    /// The page is a Markdown file, whose writer marks headings up: the
    /// unmarked shapes are not offered there.
    pub markdown: bool,
}

/// Splits `**Title.** rest`, `__Title.__ rest` and `<b>Title.</b> rest`,
/// and in a plain text page (not `markdown`) a mailer's `*Title.* rest`.
fn bold_run_in(s: &str, markdown: bool) -> Option<RunIn> {
    let (open, close) = if s.starts_with("**") {
        ("**", "**")
    } else if s.starts_with("__") {
        ("__", "__")
    } else if !markdown && s.starts_with('*') && !s[1..].starts_with([' ', '*']) {
        ("*", "*")
    } else if s.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("<b>")) {
        ("<b>", "</b>")
    } else if s
        .get(..8)
        .is_some_and(|p| p.eq_ignore_ascii_case("<strong>"))
    {
        ("<strong>", "</strong>")
    } else {
        return None;
    };
    let inner_start = open.len();
    let lower;
    let hay = if open.starts_with('<') {
        lower = s.to_ascii_lowercase();
        lower.as_str()
    } else {
        s
    };
    let end = hay[inner_start..].find(close)? + inner_start;
    if s[..end].ends_with(' ') {
        return None;
    }
    let head_raw = s[inner_start..end].trim();
    let after_close = s[end + close.len()..].trim_start();
    let colon = head_raw.ends_with([':', '：']) || after_close.starts_with([':', '：']);
    let rest_raw = after_close.trim_start_matches([':', '：']).trim();
    if head_raw.is_empty() || rest_raw.is_empty() || width(head_raw) > RUN_IN_MAX_COLS {
        return None;
    }
    let rest = if open.starts_with('<') {
        strip_tags(rest_raw)
    } else {
        rest_raw.to_owned()
    };
    // The run-in full stop (or colon) belongs to the layout; a question
    // or exclamation mark belongs to the headline.
    let head = head_raw
        .strip_suffix(['.', ':', '：', '。'])
        .unwrap_or(head_raw)
        .trim()
        .to_owned();
    if head.is_empty() || rest.is_empty() {
        return None;
    }
    let whole = format!("{head_raw} {rest}");
    Some(RunIn {
        head,
        rest,
        whole,
        kind: RunInKind::Bold,
        colon,
    })
}

/// Splits `【标题】正文…` when what follows is a paragraph, not the rest of a
/// headline (`【奋斗者 正青春】海岛上的“候鸟医生”` stays whole).
fn bracket_run_in(s: &str, rest_is_credit: impl Fn(&str) -> bool) -> Option<RunIn> {
    let inner = s.strip_prefix('【')?;
    let close = inner.find('】')?;
    let head = inner[..close].trim();
    let rest = inner[close + '】'.len_utf8()..].trim();
    // A label of two or three characters (`【同期】`, `【本報訊】`) heads no
    // story.
    if head.is_empty() || rest.is_empty() || width(head) > RUN_IN_MAX_COLS || width(head) < 8 {
        return None;
    }
    // Bracketed credits and datelines (`【新华社…电】`, `【記者…報導】`) are
    // credits, not headlines.
    if rest_is_credit(&format!("【{head}】")) {
        return None;
    }
    let prose = width(rest) > 60 || rest_is_credit(rest);
    prose.then(|| RunIn {
        head: head.to_owned(),
        rest: rest.to_owned(),
        whole: s.to_owned(),
        kind: RunInKind::Bracket,
        colon: false,
    })
}

/// The length of an ALL-CAPS lead-in opening a brief, colon included
/// (`ROAD WORK: Crews will…`): at least four capital letters, a colon, and
/// a sentence after it.
pub(super) fn lead_in_len(s: &str) -> Option<usize> {
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
                || matches!(c, ' ' | '&' | '\'' | '’' | '-' | '.' | ',')
        });
    let rest = s[colon + 1..].trim_start();
    // The rest is a sentence, not another line of capitals.
    let prose = rest.chars().any(|c| c.is_lowercase());
    (ok && prose
        && rest.len() > 20
        && rest.starts_with(|c: char| {
            c.is_uppercase() || c.is_ascii_digit() || matches!(c, '"' | '“')
        }))
    .then_some(colon + 1)
}

/// Splits a run-in headline off the front of a paragraph, if the line opens
/// with one. `is_credit` says whether a text is (or opens with) a credit;
/// `place` where the line stands.
pub(super) fn run_in(s: &str, is_credit: impl Fn(&str) -> bool, place: Place) -> Option<RunIn> {
    if let Some(r) = bold_run_in(s, place.markdown) {
        return Some(r);
    }
    if s.starts_with('【') {
        return bracket_run_in(s, is_credit);
    }
    if let Some(n) = lead_in_len(s) {
        let rest = s[n..].trim_start();
        // A label and a line that ends no sentence, alone in its block, is
        // one heading (`DISBARMENT: NAME, Bar No. 041187, of Pinecrest`),
        // not a lead-in and its paragraph.
        if place.block_end && !ends_sentence(rest) {
            return None;
        }
        return Some(RunIn {
            head: s[..n].trim_end_matches(':').trim().to_owned(),
            rest: rest.to_owned(),
            whole: s.to_owned(),
            kind: RunInKind::Caps,
            colon: false,
        });
    }
    if !place.block_start || place.markdown || is_credit(s) {
        return None;
    }
    sentence_run_in(s, place).or_else(|| spaced_run_in(s))
}

/// Whether a text ends a sentence (a closing quote or bracket may follow).
fn ends_sentence(s: &str) -> bool {
    s.trim_end()
        .trim_end_matches(['"', '”', '’', '\'', ')', '）', '」', '』'])
        .ends_with(['.', '!', '?', '。', '！', '？'])
}

/// Most words in a run-in sentence headline (`Scholarship winners named.`).
const SENTENCE_HEAD_MAX_WORDS: usize = 8;

/// Fewest words of running text after it, when its paragraph ends there.
const SENTENCE_REST_MIN_WORDS: usize = 5;

/// Short words a first sentence can end on that are abbreviations, not the
/// sentence's end (`Mr.`, `St.`, `No.`).
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "st", "no", "jr", "sr", "co", "inc", "ltd", "mt", "ft", "gov", "sen",
    "rep", "rev", "capt", "lt", "sgt", "prof", "vs", "etc", "jan", "feb", "mar", "apr", "aug",
    "sept", "sep", "oct", "nov", "dec", "ave", "rd", "blvd", "corp", "dept", "univ", "est",
];

/// Words a headline does not end on.
const TRAILING_FUNCTION_WORDS: &[&str] = &[
    "the", "a", "an", "of", "to", "and", "or", "in", "for", "with", "on", "at", "by", "from", "is",
    "are", "was", "were", "be", "that", "this", "it",
];

/// Whether the running text after a head is a sentence's worth: five
/// words, or two on a line its paragraph goes on from.
fn rest_long_enough(rest: &str, place: Place) -> bool {
    let words = rest.split_whitespace().count();
    words >= SENTENCE_REST_MIN_WORDS || (!place.block_end && words >= 2)
}

/// `Scholarship winners named. Four local seniors will…` (a bullet may
/// open it): a first sentence of two to eight words, no clause marks, not
/// ending on an abbreviation or a function word, then running text.
fn sentence_run_in(s: &str, place: Place) -> Option<RunIn> {
    let body = s.trim_start_matches(['*', '-', '•', '·', '+']).trim_start();
    let bullet = &s[..s.len() - body.len()];
    if !body.starts_with(|c: char| c.is_uppercase() || c.is_ascii_digit()) {
        return None;
    }
    let stop = body.find(". ")?;
    let head = &body[..stop];
    let rest = body[stop + 1..].trim_start();
    let words: Vec<&str> = head.split_whitespace().collect();
    let last = words.last()?.to_ascii_lowercase();
    let clean_head = !head.contains([',', ';', ':', '(', ')', '"', '“', '”', '?', '!']);
    let abbreviation = ABBREVIATIONS.contains(&last.as_str())
        || last.contains('.')
        || (last.chars().count() == 1 && last != "i");
    let ok = (2..=SENTENCE_HEAD_MAX_WORDS).contains(&words.len())
        && clean_head
        && !abbreviation
        && !TRAILING_FUNCTION_WORDS.contains(&last.as_str())
        && rest
            .starts_with(|c: char| c.is_uppercase() || c.is_ascii_digit() || c == '"' || c == '“')
        && rest_long_enough(rest, place);
    ok.then(|| RunIn {
        head: format!("{bullet}{head}"),
        rest: rest.to_owned(),
        whole: s.to_owned(),
        kind: RunInKind::Sentence,
        colon: false,
    })
}

/// Columns of a Chinese run-in headline set off by an ideographic space.
const SPACED_HEAD_COLS: std::ops::RangeInclusive<usize> = 8..=60;

/// Fewest columns of running text after it.
const SPACED_REST_MIN_COLS: usize = 20;

/// `西川农科院发布耐旱小麦新品种　9月16日，西川省…`: a Chinese headline
/// without punctuation, an ideographic space, then a sentence.
fn spaced_run_in(s: &str) -> Option<RunIn> {
    if !s.starts_with(super::measure::is_cjk) {
        return None;
    }
    let gap = s.find('\u{3000}')?;
    let head = s[..gap].trim();
    let rest = s[gap..].trim_start_matches(['\u{3000}', ' ']).trim();
    let punctuated = head.contains([
        '，', '。', '；', '：', '、', '“', '”', '？', '！', '（', '）', ':', ',',
    ]);
    let prose = rest.contains(['，', '。']);
    (SPACED_HEAD_COLS.contains(&width(head))
        && !punctuated
        && prose
        && width(rest) >= SPACED_REST_MIN_COLS)
        .then(|| RunIn {
            head: head.to_owned(),
            rest: rest.to_owned(),
            whole: s.to_owned(),
            kind: RunInKind::Spaced,
            colon: false,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_run_in_headlines() {
        let never = |_: &str| false;
        let cases: &[(&str, Option<(&str, &str)>)] = &[
            (
                "**Council delays vote.** The council voted on Tuesday.",
                Some(("Council delays vote", "The council voted on Tuesday.")),
            ),
            (
                "**Who owns the old mill?** Nobody seems quite sure.",
                Some(("Who owns the old mill?", "Nobody seems quite sure.")),
            ),
            (
                "__Road closes.__ The road is shut.",
                Some(("Road closes", "The road is shut.")),
            ),
            (
                "<b>Hall opens.</b> The hall is open again after the works.",
                Some(("Hall opens", "The hall is open again after the works.")),
            ),
            (
                "ROAD WORK: Crews will repave Elm Street on Monday.",
                Some(("ROAD WORK", "Crews will repave Elm Street on Monday.")),
            ),
            ("【奋斗者 正青春】海岛上的“候鸟医生”", None),
            ("**Bold** only", Some(("Bold", "only"))),
            (
                "*Car wash raises $1,140.* The club washed 93 cars.",
                Some(("Car wash raises $1,140", "The club washed 93 cars.")),
            ),
            ("*emphasis *and more", None),
            ("Plain paragraph.", None),
        ];
        for (line, want) in cases {
            let got = run_in(line, never, Place::default());
            assert_eq!(
                got.as_ref().map(|r| (r.head.as_str(), r.rest.as_str())),
                *want,
                "{line}"
            );
        }
        let markdown = Place {
            markdown: true,
            ..Place::default()
        };
        assert_eq!(run_in("*Italic.* Then text.", never, markdown), None);
        let long = "【湖南早稻育秧进度过半】新华社长沙4月8日电（记者周立新）记者从湖南省农业厅获悉，全省早稻育秧面积已完成计划的56%。";
        let got = run_in(long, |s| s.starts_with("新华社"), Place::default());
        assert_eq!(got.map(|r| r.head), Some("湖南早稻育秧进度过半".to_owned()));
    }

    #[test]
    fn splits_headlines_that_need_their_place() {
        let never = |_: &str| false;
        let block = Place {
            block_start: true,
            ..Place::default()
        };
        let alone = Place {
            block_start: true,
            block_end: true,
            markdown: false,
        };
        /// (line, where it stands, (head, rest) if split).
        type Case<'a> = (&'a str, Place, Option<(&'a str, &'a str)>);
        let cases: &[Case] = &[
            (
                "Scholarship winners named. Four local seniors will receive awards.",
                block,
                Some((
                    "Scholarship winners named",
                    "Four local seniors will receive awards.",
                )),
            ),
            (
                "* Talks in Bergen. Larkspur developers will give two talks there.",
                block,
                Some((
                    "* Talks in Bergen",
                    "Larkspur developers will give two talks there.",
                )),
            ),
            // Not at a block's start; an abbreviation; a clause; too long.
            (
                "Scholarship winners named. Four local seniors will receive awards.",
                Place::default(),
                None,
            ),
            (
                "Ask for Mr. Voss at the front desk of the hall today.",
                block,
                None,
            ),
            (
                "As usual, the hall opens. Doors are at seven in the evening.",
                block,
                None,
            ),
            (
                "ST. BRIGID, OTTER CREEK: The parish hall reopened April 27 after a",
                block,
                Some((
                    "ST. BRIGID, OTTER CREEK",
                    "The parish hall reopened April 27 after a",
                )),
            ),
            (
                "DISBARMENT: Harlan T. Voss, Bar No. 041187, of Pinecrest",
                alone,
                None,
            ),
            (
                "西川农科院发布耐旱小麦新品种　9月16日，西川省农业科学院发布耐旱小麦新品种。",
                block,
                Some((
                    "西川农科院发布耐旱小麦新品种",
                    "9月16日，西川省农业科学院发布耐旱小麦新品种。",
                )),
            ),
            (
                "作者：王明　发表于2024年3月1日，阅读量一千二百余次。",
                block,
                None,
            ),
        ];
        for (line, place, want) in cases {
            let got = run_in(line, never, *place);
            assert_eq!(
                got.as_ref().map(|r| (r.head.as_str(), r.rest.as_str())),
                *want,
                "{line}"
            );
        }
    }
}
