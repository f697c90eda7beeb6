//! The observations the segmentation model scores: for every line a sparse
//! set of [`Feature`]s built from its own measures, its detectors' reports,
//! its neighbours, the page's norms (typical gap, prose width, heading
//! styles) and two page-wide signals — agreement with a contents list and
//! lexical cohesion across the boundary above the line.
//!
//! Features are evidence, never verdicts: each one only adds its weight
//! for each label (see `segment`).

use std::collections::HashMap;

use super::super::furniture::Furniture;
use super::cohesion;
use super::contents::{self, Contents};
use super::joins::{self, Flow};
use super::lines::{Line, MailHeader, Piece};
use super::markup::{Markup, RunInKind};
use super::measure::{
    asks_or_exclaims, ends_with_hyphenation, has_bare_clause_punct, starts_mid_sentence, Case,
    Ending, HEAD_MAX_COLS,
};

macro_rules! features {
    ($($name:ident => $doc:literal,)*) => {
        /// One kind of evidence about a line.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[repr(u16)]
        pub(crate) enum Feature {
            $(#[doc = $doc] $name,)*
        }

        impl Feature {
            /// Every feature, in table order.
            pub(crate) const ALL: &'static [Feature] = &[$(Feature::$name,)*];

            /// The feature's name in the weight table and in `--explain`.
            pub(crate) fn name(self) -> &'static str {
                match self {
                    $(Feature::$name => stringify!($name),)*
                }
            }

            /// What the feature means.
            pub(crate) fn doc(self) -> &'static str {
                match self {
                    $(Feature::$name => $doc,)*
                }
            }
        }
    };
}

features! {
    Bias => "always on",
    FirstLine => "the first line of the page",
    PageTop => "in the block of lines opening the page",
    LastLine => "the last line of the page",
    GapNone => "no blank line above",
    GapOne => "one blank line above",
    GapMore => "two or more blank lines above",
    GapAboveNorm => "more blank lines above than the page puts between paragraphs",
    GapBelowNorm => "fewer blank lines above than the page puts between paragraphs",
    NextGapNone => "no blank line below",
    NextGapSome => "a blank line below (or the page ends)",
    WidthTiny => "at most 8 columns",
    WidthShort => "9 to 20 columns",
    WidthMid => "21 to 40 columns",
    WidthLong => "41 to 80 columns",
    WidthHead => "81 to 100 columns",
    WidthProse => "over 100 columns",
    RelNarrow => "under a third of the page's prose width",
    RelHalf => "a third to 70 % of the page's prose width",
    RelFull => "at least 90 % of the page's prose width",
    EndTerminal => "ends a sentence (。 . ；)",
    EndContinues => "ends mid-sentence (， 、 ： and, the)",
    EndOpen => "ends without punctuation",
    EndAsks => "ends in ? or !",
    EndHyphen => "ends in a hyphenated word",
    StartsLower => "starts with a lower-case letter",
    StartsQuote => "starts with a quotation mark",
    StartsDash => "starts with a dash (——副题)",
    StartsDigit => "starts with a digit",
    StartsMid => "starts like the middle of a sentence",
    Indented => "the source line is indented",
    IndentedOnIndentedPage => "indented, on a page whose paragraphs open indented",
    Spread => "fields spread over the line with wide gaps",
    LevelArticle => "a Markdown or HTML heading at the level the page's stories use",
    LevelDeeper => "a Markdown or HTML heading deeper than the stories' level",
    LevelShallower => "a Markdown or HTML heading above the stories' level (page title, banner)",
    HtmlHeading => "an HTML heading (<h1>…<h6>)",
    Bold => "a whole line in bold",
    WireHead => "a wire headline (^…<)",
    WikiHeading => "a wiki section heading ([edit])",
    MediaTag => "opened by a media tag ([视频])",
    Bracketed => "wholly inside 【】 or []",
    Quoted => "an e-mail quote (> …)",
    TagsOnly => "only HTML tags",
    RunInHead => "a run-in headline opening a paragraph",
    RunInBracket => "a run-in headline in 【】",
    RunInCaps => "an ALL-CAPS lead-in with a colon",
    RunInRest => "the paragraph after a run-in headline",
    CaseUpper => "all capitals",
    CaseTitle => "title case",
    CaseSentence => "sentence case",
    Cjk => "mostly Han characters",
    ClausePunct => "clause punctuation (、，；) outside quotes",
    Numbered => "opens with a list number",
    NumArabic => "numbered 1. 2. 3.",
    NumCjk => "numbered 一、二、",
    NumParenCjk => "numbered （一）（二）",
    NumParen => "numbered (1) (2)",
    NumCircled => "numbered ① ②",
    NumFile => "numbered File 3--",
    NumBracket => "numbered [3]",
    NumSub => "numbered as a sub-item (4.1)",
    NumBare => "numbered without a stop (1 Title)",
    NumInSequence => "its number follows the last of its scheme",
    NumOutOfSequence => "numbered, but not next in its scheme",
    NumSchemeOfArticles => "numbered in the scheme of the page's first numbered heading",
    Bullet => "opens with a bullet",
    CreditLine => "a credit line (记者/通讯员/By …)",
    Byline => "an English By-line",
    InlineCredit => "opens with a credit (本报讯, 新华社…电, TOWN (AP) —)",
    TrailingCredit => "closes with a credit (（记者 …）)",
    Caption => "a photo caption (△, Photo:, …摄, …供图)",
    PageDate => "a page-header date",
    JumpMarker => "carries a jump marker (下转第2版, Continued on)",
    EndMark => "closes with an end mark (（完）)",
    FurnSeparator => "a separator rule",
    FurnPageNumber => "a page number or page label",
    FurnEditor => "an editor or layout credit (责任编辑, 统筹/, Edited by)",
    FurnNavigation => "navigation, share buttons, breadcrumbs",
    FurnLink => "a link or address line",
    FurnCopyright => "a copyright line",
    FurnContentsHeader => "a contents header (本版导读, Contents)",
    FurnJump => "only a jump line",
    FurnCrossRef => "a cross-reference (Related: …)",
    FurnAuthorNote => "a note on the writer (（作者系…）)",
    FurnWire => "wire-service control (BC- slug, END, MORE, ZCZC)",
    FurnApparatus => "a references / external links heading",
    FurnCue => "a production cue of a broadcast script ([AUDIO: …])",
    MailSubject => "a Subject: header in a header block",
    MailFrom => "a From: header in a header block",
    MailOther => "another header in a header block",
    MailLoose => "a header-like line outside a header block",
    RunningHead => "a running head at the page top",
    JobTitle => "a job title under a By-line",
    PullQuote => "a pull quote or its attribution",
    Closing => "a closing phrase (With best wishes,)",
    SignatureName => "a name alone where a letter is signed",
    SignatureDetail => "the place or post under a signature",
    SigBlock => "after a -- signature separator",
    BareName => "a Chinese name alone under a headline",
    RepeatsEarlier => "the same text appears earlier on the page",
    DatelineAlone => "a wire dateline alone on its line",
    InContents => "an entry of a contents list",
    AgreesContents => "agrees with a contents entry",
    AgreesContentsWeak => "partly agrees with a contents entry",
    AgreesSubEntry => "agrees with a sub-entry of a contents list (4.1)",
    NotInContents => "heading-shaped on a page with contents, agreeing with no entry",
    CohesionLow => "little vocabulary shared across the boundary above",
    CohesionMid => "some vocabulary shared across the boundary above",
    CohesionHigh => "much vocabulary shared across the boundary above",
    CohesionBelowPage => "less shared across it than at most boundaries of the page",
    PrevTerminal => "the line above ends a sentence",
    PrevContinues => "the line above ends mid-sentence",
    PrevHeadingShaped => "the line above is heading-shaped",
    NextHeadingShaped => "the line below is heading-shaped",
    PrevCredit => "the line above is a credit",
    NextCredit => "a credit follows (skipping captions and furniture)",
    NextInlineCredit => "the next text opens with a credit",
    NextProse => "the line below is running text",
    NextLower => "the line below starts with a lower-case letter",
    PrevSeparator => "the line above is a separator rule",
    NextSeparator => "the line below is a separator rule",
    PrevEndMark => "the line above closed with an end mark or a trailing credit",
    PrevMailBlock => "the line above is an e-mail header",
    NextMailBlock => "the line below is an e-mail header",
    PrevCaption => "the line above is a caption",
    PrevBold => "the line above is bold or a heading",
    JoinsPrev => "continues the sentence of the line above",
    HeadingShaped => "short, no terminal punctuation, not lower-case",
    HeadingOnCreditedPage => "heading-shaped, on a page with credits",
    HeadingOnUncreditedPage => "heading-shaped, on a page without credits",
    HeadingThenCredit => "heading-shaped, a credit follows",
    HeadingThenProse => "heading-shaped, running text follows",
    StyleRepeated => "its heading style recurs on the page",
    StyleFrequent => "its heading style recurs four times or more",
    StyleCredited => "shares its style with a heading that a credit follows",
    StyleAgreesContents => "shares its style with a heading that agrees with contents",
    StyleUnique => "heading-shaped in a style no other line has",
    BlockStart => "opens a block of lines (a blank line or the page top above)",
    BlockEnd => "closes a block of lines (a blank line or the page end below)",
    BlockSecond => "the second line of its block",
    BlockLater => "the third line of its block or later",
    BlockOneLine => "a block of one line",
    BlockShort => "in a block of two to four lines",
    BlockLong => "in a block of five lines or more",
    InHeadingBlock => "every line of its block is heading-shaped",
    InProseBlock => "most lines of its block are running text",
    HeadingRunStart => "opens a run of heading-shaped lines that running text follows",
    HeadingRunInside => "inside a run of heading-shaped lines that running text follows",
    NextBlockProse => "the next block is running text",
    NextBlockHeading => "the next block is heading-shaped",
    PrevBlockProse => "the block above is running text",
    WrapFull => "fills the wrap width of a hard-wrapped page",
    PrevWrapFull => "the line above fills the wrap width",
    LowerThenHeading => "heading-shaped, but running text starting lower-case goes on below",
    BlockThenCredit => "its block is followed by a credit",
    StackStart => "opens a run of heading-shaped lines that text or a credit follows",
    StackInside => "inside such a run, after its first line",
    RunFirstOfMany => "the first of two or more heading-shaped lines in a row",
    RunLastOfMany => "the last of two or more heading-shaped lines in a row",
    RunMiddle => "between the first and last of three or more heading-shaped lines",
    NextStartsDash => "the next line starts with a dash (——副题)",
    LabelPrefix => "opens with a speaker label (问： 答： Q: A:)",
    InnerSentenceEnd => "a sentence ends inside the line",
    JoinsNext => "the line below continues its sentence",
    BeforeAnyProse => "no running text above it on the page",
    AfterAllProse => "no running text below it on the page",
    TopBlock => "in the first block of the page",
    NumOtherScheme => "numbered in another scheme than the page's first numbered heading",
    AfterSignature => "after a signature, before any new heading",
    Salutation => "a salutation opening a letter (Dear …,)",
    Advert => "in a block marked as an advertisement",
    IndentOutlier => "indented, on a page whose lines mostly are not",
    CjkStackFirst => "Chinese: the first of two or more heading lines, no dash below",
    CjkStackLastOfThree => "Chinese: the last of three or more heading lines",
    SameCaseAsPrev => "the same letter case as the heading line above",
    CaseChange => "another letter case than the heading line above",
    BeforeAnyHeading => "no heading stands above it on the page",
    RunInColon => "a bold label closed by a colon (**标签**：…)",
    HeadIsDate => "a run-in head that is only a date or time",
    BannerShape => "a line alone, set apart, above a headline stack",
    UncreditedHeadOnCreditedPage => "heading-shaped without a credit, on a page whose headlines have credits",
    BannerTopical => "a banner whose words recur in the story below",
    BracketedBanner => "a banner in 【】 or []",
    RunInInProse => "an ALL-CAPS lead-in in a run that follows running text (a line-up, SCORES:)",
    RunInColumn => "an ALL-CAPS lead-in in a run that opens after a heading or furniture",
    ShortCapsAboveHeading => "a short line of capitals over a heading line (CRICKET)",
    ContinuesFurniture => "goes on the sentence of a line a detector took for furniture",
    TableBlock => "in a block of three or more lines with wide gaps (a table)",
}

/// How many features there are.
pub(crate) const FEATURE_COUNT: usize = Feature::ALL.len();

/// The features of one line, each with its value (1 for binary ones).
pub(crate) type Observation = Vec<(Feature, f32)>;

/// Norms of the page every line is measured against.
struct Norms {
    /// Blank lines the page usually puts between paragraphs.
    paragraph_gap: usize,
    /// Width of a full prose line.
    prose_width: usize,
    /// The page credits its articles somewhere.
    credited: bool,
    /// The Markdown or HTML heading level the page's stories use.
    article_level: Option<u8>,
    /// Scheme of the first numbered heading-shaped line.
    article_scheme: Option<u8>,
    /// Share (per cent) of lines that are indented.
    indented_share: usize,
    flow: Flow,
}

/// Whether a line is heading-shaped: short, no sentence end (a headline may
/// ask or exclaim), not starting lower-case, not a detector's.
pub(super) fn heading_shaped(l: &Line) -> bool {
    let open = match l.ending {
        Ending::Open => true,
        Ending::Terminal => {
            (asks_or_exclaims(&l.text) && l.width <= HEAD_MAX_COLS / 2 && !l.text.contains('：'))
                // `CONGRESS QUITS;` over `RECORD MIXED`.
                || (l.case == Case::Upper && l.text.ends_with(';'))
        }
        Ending::Continues => false,
    };
    open && l.width <= HEAD_MAX_COLS
        && !l.text.starts_with(|c: char| c.is_lowercase())
        && !inner_sentence_end(&l.text)
        && l.jump.is_none()
        && l.credit.is_none()
        && !l.context.job_title
        && !l.context.signature_name
        && l.caption.is_none()
        && !l.tags_only
        && l.piece != Piece::RunInRest
}

/// Whether a sentence ends inside `s` (`。` or `. ` before a capital, not
/// at its end): headlines are one phrase.
pub(super) fn inner_sentence_end(s: &str) -> bool {
    let t = s.trim_end_matches(['。', '.', '”', '"', '」']);
    if t.contains('。') {
        return true;
    }
    let b = t.as_bytes();
    b.windows(3).enumerate().any(|(i, w)| {
        w[0] == b'.'
            && w[1] == b' '
            && w[2].is_ascii_uppercase()
            // `St. Paul`, `Mr. Smith`, `U. S.`: abbreviations.
            && i >= 3
            && b[i - 3..i].iter().all(u8::is_ascii_lowercase)
    })
}

/// Whether a short text is only a date or a time (`9月16日`, `Monday 11th
/// March`, `10:30`).
fn date_like(s: &str) -> bool {
    s.chars().count() <= 20
        && s.chars().any(|c| c.is_ascii_digit())
        && (s.contains('月')
            || s.contains('日')
            || s.contains(':')
            || s.split(' ').any(|w| {
                let w = w.to_ascii_lowercase();
                [
                    "mon", "tue", "wed", "thu", "fri", "sat", "sun", "jan", "feb", "mar", "apr",
                    "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
                ]
                .iter()
                .any(|p| w.starts_with(p))
            }))
}

/// A speaker label opening a line: `问：`, `答：`, `Q:`, `A:`.
fn label_prefix(s: &str) -> bool {
    ["问：", "答：", "問：", "答:", "Q:", "A:", "Q.", "A."]
        .iter()
        .any(|p| s.starts_with(p))
}

/// The heading style of a line: its markup, numbering scheme, case,
/// indentation and whether a blank line sets it apart.
fn style(l: &Line) -> u32 {
    let markup = match l.markup {
        Markup::Plain => 0,
        Markup::MdHeading(n) => 10 + u32::from(n),
        Markup::HtmlHeading(n) => 20 + u32::from(n),
        Markup::Bold => 2,
        Markup::WireHead => 3,
        Markup::WikiHeading => 4,
        Markup::MediaTag => 5,
        Markup::Bracketed => 6,
        Markup::Quoted => 7,
    };
    let run_in = match &l.piece {
        Piece::RunInHead { kind, .. } => 1 + *kind as u32,
        _ => 0,
    };
    let scheme = l.numbering.map_or(0, |n| u32::from(n.scheme));
    let case = l.case as u32;
    markup
        | run_in << 6
        | scheme << 9
        | case << 13
        | u32::from(l.indent) << 16
        | u32::from(l.gap > 0) << 17
        | u32::from(l.bullet > 0) << 18
        | u32::from(l.cjk >= 50) << 19
}

/// The next line after `i` that is not furniture, a caption or a page date.
fn next_significant<'l, 'a>(lines: &'l [Line<'a>], i: usize) -> Option<&'l Line<'a>> {
    lines[i + 1..]
        .iter()
        .find(|n| n.furniture.is_none() && n.caption.is_none() && n.page_date.is_none())
}

fn median(mut v: Vec<usize>) -> Option<usize> {
    if v.is_empty() {
        return None;
    }
    v.sort_unstable();
    Some(v[v.len() / 2])
}

fn measure_norms(lines: &[Line], flow: Flow) -> Norms {
    let prose: Vec<&Line> = lines
        .iter()
        .filter(|l| l.ending == Ending::Terminal && l.width > 40 && l.furniture.is_none())
        .collect();
    let paragraph_gap = median(prose.iter().map(|l| l.gap.min(3)).collect()).unwrap_or(1);
    let prose_width = {
        let mut w: Vec<usize> = prose.iter().map(|l| l.width).collect();
        w.sort_unstable();
        w.get(w.len() * 8 / 10).copied().unwrap_or(HEAD_MAX_COLS)
    };
    let credited = lines.iter().any(|l| l.is_credit() || l.inline.is_some());
    let article_level = article_level(lines);
    let article_scheme = lines
        .iter()
        .find(|l| l.numbering.is_some_and(|n| n.scheme != 9) && heading_shaped(l))
        .and_then(|l| l.numbering.map(|n| n.scheme));
    let indented_share = lines.iter().filter(|l| l.indent).count() * 100 / lines.len().max(1);
    Norms {
        indented_share,
        paragraph_gap,
        prose_width: prose_width.max(20),
        credited,
        article_level,
        article_scheme,
        flow,
    }
}

/// The Markdown or HTML heading level of a line.
fn level(l: &Line) -> Option<u8> {
    match l.markup {
        Markup::MdHeading(n) | Markup::HtmlHeading(n) => Some(n),
        _ => None,
    }
}

/// The heading level the page's stories use: the level with most headings
/// followed by running text or a credit (the shallower on a tie), leaving
/// out a shallowest level used once, first, as the page's title.
fn article_level(lines: &[Line]) -> Option<u8> {
    let mut counts: std::collections::BTreeMap<u8, (usize, usize)> =
        std::collections::BTreeMap::new();
    let mut first: Option<u8> = None;
    for (i, l) in lines.iter().enumerate() {
        let Some(n) = level(l) else { continue };
        first.get_or_insert(n);
        let entry = counts.entry(n).or_insert((0, 0));
        entry.0 += 1;
        let next = lines.get(i + 1);
        if next.is_some_and(|x| {
            level(x).is_none() && (x.creditish() || x.width > 30 || x.piece != Piece::Whole)
        }) {
            entry.1 += 1;
        }
    }
    let shallowest = *counts.keys().next()?;
    let title_only = counts.len() > 1 && counts[&shallowest].0 == 1 && first == Some(shallowest);
    counts
        .iter()
        .filter(|(n, _)| !(title_only && **n == shallowest))
        .max_by(|a, b| a.1 .1.cmp(&b.1 .1).then(b.0.cmp(a.0)))
        .map(|(n, _)| *n)
}

/// Whether each numbered line is next in its scheme (1 after nothing, n+1
/// after n).
fn numbering_sequence(lines: &[Line]) -> Vec<Option<bool>> {
    let mut last: HashMap<u8, u32> = HashMap::new();
    lines
        .iter()
        .map(|l| {
            let n = l.numbering?;
            let prev = last.insert(n.scheme, n.value);
            Some(match prev {
                None => n.value <= 1,
                Some(p) => n.value == p + 1,
            })
        })
        .collect()
}

/// Page-wide facts about heading styles: how often each occurs among
/// heading-shaped lines, and which styles credited or contents-agreeing
/// headings have.
struct Styles {
    style: Vec<u32>,
    count: HashMap<u32, usize>,
    credited: HashMap<u32, bool>,
    agreeing: HashMap<u32, bool>,
}

fn styles(lines: &[Line], shaped: &[bool], contents: &Contents) -> Styles {
    let style: Vec<u32> = lines.iter().map(style).collect();
    let mut count = HashMap::new();
    let mut credited = HashMap::new();
    let mut agreeing = HashMap::new();
    for i in 0..lines.len() {
        if !shaped[i] || contents.in_list[i] {
            continue;
        }
        *count.entry(style[i]).or_insert(0) += 1;
        if next_significant(lines, i).is_some_and(|n| n.is_credit() || n.inline.is_some()) {
            credited.insert(style[i], true);
        }
        if contents.agreement[i] >= contents::AGREES {
            agreeing.insert(style[i], true);
        }
    }
    Styles {
        style,
        count,
        credited,
        agreeing,
    }
}

/// Builds the observation of every line of the page.
pub(super) fn observe(lines: &[Line], contents: &Contents, flow: Flow) -> Vec<Observation> {
    let norms = measure_norms(lines, flow);
    let full = |l: &Line| flow.wrap.is_some_and(|w| l.width * 100 >= w * 85);
    let mut shaped: Vec<bool> = lines
        .iter()
        .map(|l| heading_shaped(l) && (!full(l) || l.markup.is_heading()))
        .collect();
    // A headline wrapped in sentence case goes on lower-case
    // (`School board approves new` / `bus routes for fall term`).
    for i in 1..lines.len() {
        let l = &lines[i];
        if shaped[i - 1] && !shaped[i] && l.gap == 0 && !full(&lines[i - 1]) && !full(l) {
            let lowered = l.text.starts_with(|c: char| c.is_lowercase());
            let rest_ok = l.ending == Ending::Open && l.width <= HEAD_MAX_COLS / 2;
            if lowered && rest_ok && lines[i - 1].ending == Ending::Open {
                shaped[i] = true;
            }
        }
    }
    let wanted: Vec<bool> = shaped
        .iter()
        .zip(lines)
        .map(|(&s, l)| s || l.markup.is_heading() || l.inline.is_some())
        .collect();
    let cohesion = cohesion::across(lines, &wanted);
    let page_cohesion = {
        let mut v: Vec<f32> = cohesion.iter().flatten().copied().collect();
        v.sort_by(f32::total_cmp);
        v.get(v.len() / 2).copied()
    };
    let sequence = numbering_sequence(lines);
    let styles = styles(lines, &shaped, contents);
    let blocks = blocks(lines, &shaped);
    // Running text: neither heading-shaped nor claimed by a detector.
    let prose: Vec<bool> = lines
        .iter()
        .zip(&shaped)
        .map(|(l, &sh)| {
            !sh && l.width > 30
                && l.furniture.is_none()
                && l.credit.is_none()
                && l.caption.is_none()
                && l.mail.is_none()
        })
        .collect();
    // Text after a signature, until a heading set apart by a blank line.
    let mut after_signature = vec![false; lines.len()];
    let mut signed = false;
    for (i, l) in lines.iter().enumerate() {
        let sig = l.context.signature_name || l.context.signature_detail;
        if sig {
            signed = true;
            continue;
        }
        if shaped[i] && l.gap > 0 {
            signed = false;
        }
        after_signature[i] = signed && !l.is_credit();
    }
    let first_prose = prose.iter().position(|&p| p).unwrap_or(lines.len());
    // The first heading: marked up as one, or heading-shaped and set
    // apart, with running text or a credit after it.
    let first_heading = (0..lines.len())
        .find(|&i| {
            let l = &lines[i];
            let next = lines.get(i + 1);
            (l.markup.is_heading() && l.markup != Markup::MediaTag)
                || (shaped[i]
                    && !l.context.running_head
                    && l.furniture.is_none()
                    && next.is_some_and(|n| (prose.get(i + 1) == Some(&true)) || n.creditish()))
        })
        .unwrap_or(lines.len());
    let last_prose = prose.iter().rposition(|&p| p);
    let page = Page {
        first_heading,
        after_signature: &after_signature,
        first_prose,
        last_prose,
        blocks: &blocks,
        lines,
        contents,
        norms: &norms,
        shaped: &shaped,
        cohesion: &cohesion,
        page_cohesion,
        sequence: &sequence,
        styles: &styles,
    };
    (0..lines.len()).map(|i| page.observe(i)).collect()
}

/// Where a line sits in its block (a run of lines between blank lines).
#[derive(Debug, Clone, Copy, Default)]
struct BlockPlace {
    /// Index of the line in its block.
    index: usize,
    /// Lines in the block.
    len: usize,
    /// Every line of the block is heading-shaped.
    heading: bool,
    /// Most lines of the block are running text.
    prose: bool,
    /// The line opens a run of heading-shaped lines that running text
    /// follows in the same block (a headline stack over its body).
    run_start: bool,
    /// The line is inside such a run, after its first line.
    run_inside: bool,
    /// Block index on the page.
    block: usize,
}

/// The block structure of the page.
fn blocks(lines: &[Line], shaped: &[bool]) -> Vec<BlockPlace> {
    let mut out = vec![BlockPlace::default(); lines.len()];
    let mut start = 0;
    let mut block = 0;
    while start < lines.len() {
        let mut end = start + 1;
        while end < lines.len() && lines[end].gap == 0 {
            end += 1;
        }
        let len = end - start;
        let heads = (start..end).filter(|&i| shaped[i]).count();
        let prose = (start..end)
            .filter(|&i| !shaped[i] && lines[i].furniture.is_none())
            .count();
        // A run of heading-shaped lines opening the block, then text.
        let run = (start..end).take_while(|&i| shaped[i]).count();
        let run_ok = run >= 1 && run < len && run <= 4 && !shaped[start + run];
        for (k, place) in out[start..end].iter_mut().enumerate() {
            *place = BlockPlace {
                index: k,
                len,
                heading: heads == len,
                prose: prose >= 1 && prose * 2 >= len,
                run_start: run_ok && k == 0,
                run_inside: run_ok && k > 0 && k < run,
                block,
            };
        }
        start = end;
        block += 1;
    }
    out
}

/// Everything the features of one line are computed from.
struct Page<'p, 'a> {
    blocks: &'p [BlockPlace],
    /// The first line that reads as a heading.
    first_heading: usize,
    /// Whether each line follows a signature with no heading between.
    after_signature: &'p [bool],
    /// The first and last lines of running text on the page.
    first_prose: usize,
    last_prose: Option<usize>,
    lines: &'p [Line<'a>],
    contents: &'p Contents,
    norms: &'p Norms,
    shaped: &'p [bool],
    cohesion: &'p [Option<f32>],
    page_cohesion: Option<f32>,
    sequence: &'p [Option<bool>],
    styles: &'p Styles,
}

impl Page<'_, '_> {
    fn observe(&self, i: usize) -> Observation {
        let mut f: Observation = Vec::with_capacity(32);
        let mut on = |feature: Feature, yes: bool| {
            if yes {
                f.push((feature, 1.0));
            }
        };
        let l = &self.lines[i];
        let lines = self.lines;
        let n = &self.norms;
        on(Feature::Bias, true);
        on(Feature::FirstLine, i == 0);
        on(
            Feature::PageTop,
            i < 3 && lines[..=i].iter().skip(1).all(|x| x.gap == 0),
        );
        on(Feature::LastLine, i + 1 == lines.len());
        on(Feature::GapNone, l.gap == 0);
        on(Feature::GapOne, l.gap == 1);
        on(Feature::GapMore, l.gap >= 2);
        on(Feature::GapAboveNorm, i > 0 && l.gap > n.paragraph_gap);
        on(Feature::GapBelowNorm, i > 0 && l.gap < n.paragraph_gap);
        let next = lines.get(i + 1);
        on(Feature::NextGapNone, next.is_some_and(|x| x.gap == 0));
        on(Feature::NextGapSome, next.is_none_or(|x| x.gap > 0));
        let w = l.width;
        on(Feature::WidthTiny, w <= 8);
        on(Feature::WidthShort, (9..=20).contains(&w));
        on(Feature::WidthMid, (21..=40).contains(&w));
        on(Feature::WidthLong, (41..=80).contains(&w));
        on(Feature::WidthHead, (81..=100).contains(&w));
        on(Feature::WidthProse, w > 100);
        let rel = w * 100 / n.prose_width;
        on(Feature::RelNarrow, rel < 33);
        on(Feature::RelHalf, (33..70).contains(&rel));
        on(Feature::RelFull, rel >= 90);
        let t: &str = &l.text;
        on(Feature::EndTerminal, l.ending == Ending::Terminal);
        on(Feature::EndContinues, l.ending == Ending::Continues);
        on(Feature::EndOpen, l.ending == Ending::Open);
        on(Feature::EndAsks, asks_or_exclaims(t));
        on(Feature::EndHyphen, ends_with_hyphenation(t));
        on(
            Feature::StartsLower,
            t.starts_with(|c: char| c.is_lowercase()),
        );
        on(
            Feature::StartsQuote,
            t.starts_with(['"', '“', '「', '『', '\'', '‘']),
        );
        on(Feature::StartsDash, t.starts_with(['—', '–', '-', '－']));
        on(
            Feature::StartsDigit,
            t.starts_with(|c: char| c.is_ascii_digit()),
        );
        on(Feature::StartsMid, starts_mid_sentence(t));
        on(Feature::Indented, l.indent);
        on(Feature::IndentedOnIndentedPage, l.indent && n.flow.indented);
        on(Feature::Spread, l.spread);
        self.markup_features(i, &mut on);
        on(Feature::CaseUpper, l.case == Case::Upper);
        on(Feature::CaseTitle, l.case == Case::Title);
        on(Feature::CaseSentence, l.case == Case::Sentence);
        on(Feature::Cjk, l.cjk >= 50);
        on(Feature::ClausePunct, has_bare_clause_punct(t));
        self.numbering_features(i, &mut on);
        self.detector_features(i, &mut on);
        self.contents_features(i, &mut on);
        self.neighbour_features(i, &mut on);
        self.block_features(i, &mut on);
        f
    }

    /// For an ALL-CAPS lead-in: whether the run of lead-in paragraphs it
    /// belongs to starts after running text (`Some(true)`: line-ups and
    /// score lines inside a report) or after a heading, furniture or the
    /// page top (`Some(false)`: a briefs column).
    fn caps_chain_anchor(&self, i: usize) -> Option<bool> {
        let mut start = i;
        loop {
            let b = self.blocks[start];
            let block_start = start - b.index;
            let Some(prev_end) = block_start.checked_sub(1) else {
                return Some(false);
            };
            let pb = self.blocks[prev_end];
            let prev_start = prev_end - pb.index;
            let p = &self.lines[prev_start];
            if matches!(
                p.piece,
                Piece::RunInHead {
                    kind: RunInKind::Caps,
                    ..
                }
            ) {
                start = prev_start;
                continue;
            }
            let furniture = self.lines[prev_start..=prev_end]
                .iter()
                .all(|x| x.furniture.is_some());
            return Some(pb.prose && !furniture);
        }
    }

    fn block_features(&self, i: usize, on: &mut impl FnMut(Feature, bool)) {
        let b = self.blocks[i];
        on(Feature::BlockStart, b.index == 0);
        on(Feature::BlockEnd, b.index + 1 == b.len);
        on(Feature::BlockSecond, b.index == 1);
        on(Feature::BlockLater, b.index >= 2);
        on(Feature::BlockOneLine, b.len == 1);
        on(Feature::BlockShort, (2..=4).contains(&b.len));
        on(Feature::BlockLong, b.len >= 5);
        on(Feature::InHeadingBlock, b.heading);
        on(Feature::InProseBlock, b.prose);
        on(Feature::HeadingRunStart, b.run_start);
        on(Feature::HeadingRunInside, b.run_inside);
        let next_block = self.blocks[i..].iter().find(|x| x.block == b.block + 1);
        on(Feature::NextBlockProse, next_block.is_some_and(|x| x.prose));
        on(
            Feature::NextBlockHeading,
            next_block.is_some_and(|x| x.heading),
        );
        let prev_block = i.checked_sub(b.index + 1).map(|p| self.blocks[p]);
        on(Feature::PrevBlockProse, prev_block.is_some_and(|x| x.prose));
        let l = &self.lines[i];
        if let Some(w) = self.norms.flow.wrap {
            on(Feature::WrapFull, l.width * 100 >= w * 85);
            on(
                Feature::PrevWrapFull,
                i > 0 && self.lines[i - 1].width * 100 >= w * 85,
            );
        }
        let next = self.lines.get(i + 1);
        on(
            Feature::LowerThenHeading,
            self.shaped[i]
                && next
                    .is_some_and(|n| n.gap == 0 && n.text.starts_with(|c: char| c.is_lowercase()))
                && !self.shaped.get(i + 1).copied().unwrap_or(false),
        );
        // The block's end, and what follows it.
        let end = i + (b.len - b.index) - 1;
        let after = self.lines[end + 1..]
            .iter()
            .find(|n| n.furniture.is_none() && n.caption.is_none() && n.page_date.is_none());
        on(Feature::BlockThenCredit, after.is_some_and(Line::creditish));
        // Runs of heading-shaped lines, within a block or as a whole block
        // that text or a credit follows.
        let run_begin = (0..=i)
            .rev()
            .take_while(|&k| self.shaped[k] && (k == i || self.lines[k + 1].gap == 0))
            .last();
        if let (true, Some(first)) = (self.shaped[i], run_begin) {
            let mut last = i;
            while last + 1 < self.lines.len()
                && self.shaped[last + 1]
                && self.lines[last + 1].gap == 0
            {
                last += 1;
            }
            let len = last - first + 1;
            let followed = self.lines.get(last + 1).is_some_and(|n| {
                n.furniture.is_none() && (!self.shaped[last + 1] || n.is_credit())
            });
            let stack = len <= 4 && followed && !l.context.bare_name;
            on(Feature::StackStart, stack && i == first);
            on(Feature::StackInside, stack && i > first);
            on(Feature::RunFirstOfMany, len >= 2 && i == first);
            on(Feature::RunLastOfMany, len >= 2 && i == last);
            on(Feature::RunMiddle, len >= 3 && i > first && i < last);
            let cjk = l.cjk >= 50;
            let dash_below = self
                .lines
                .get(i + 1)
                .is_some_and(|n| n.text.starts_with(['—', '–', '－']));
            on(
                Feature::CjkStackFirst,
                cjk && len >= 2 && i == first && !dash_below,
            );
            on(Feature::CjkStackLastOfThree, cjk && len >= 3 && i == last);
            if i > first {
                let prev = &self.lines[i - 1];
                let latin = l.case != Case::None && prev.case != Case::None;
                on(Feature::SameCaseAsPrev, latin && prev.case == l.case);
                on(Feature::CaseChange, latin && prev.case != l.case);
            }
        }
        on(
            Feature::NextStartsDash,
            next.is_some_and(|n| n.gap == 0 && n.text.starts_with(['—', '–', '－'])),
        );
        on(Feature::LabelPrefix, label_prefix(&l.text));
        if let Piece::RunInHead {
            kind: RunInKind::Caps,
            ..
        } = l.piece
        {
            let anchor = self.caps_chain_anchor(i);
            on(Feature::RunInInProse, anchor == Some(true));
            on(Feature::RunInColumn, anchor == Some(false));
        }
        if self.shaped[i] && l.case == Case::Upper && l.width <= 16 && l.gap > 0 {
            let next = self.lines.get(i + 1);
            on(
                Feature::ShortCapsAboveHeading,
                next.is_some_and(|n| n.gap == 0 && n.case != Case::Upper && n.case != Case::None)
                    && self.shaped.get(i + 1) == Some(&true),
            );
        }
        on(Feature::BeforeAnyProse, i < self.first_prose);
        on(Feature::BeforeAnyHeading, i < self.first_heading);
        on(
            Feature::AfterAllProse,
            self.last_prose.is_none_or(|p| i > p),
        );
        on(Feature::TopBlock, b.block == 0);
        on(Feature::AfterSignature, self.after_signature[i]);
        on(Feature::Salutation, l.context.salutation);
        on(Feature::Advert, l.context.advert);
        on(
            Feature::IndentOutlier,
            l.indent && self.norms.indented_share < 20,
        );
        on(Feature::InnerSentenceEnd, inner_sentence_end(&l.text));
        let prev = i.checked_sub(1).map(|p| &self.lines[p]);
        on(
            Feature::ContinuesFurniture,
            prev.is_some_and(|p| {
                p.furniture.is_some() && joins::continues(p, l, l.gap, self.norms.flow).is_some()
            }),
        );
        let block_start = i - b.index;
        let spread = self.lines[block_start..block_start + b.len]
            .iter()
            .filter(|x| x.spread)
            .count();
        on(Feature::TableBlock, b.len >= 3 && spread * 2 >= b.len);
        on(
            Feature::JoinsNext,
            next.is_some_and(|n| joins::continues(l, n, n.gap, self.norms.flow).is_some()),
        );
    }

    fn markup_features(&self, i: usize, on: &mut impl FnMut(Feature, bool)) {
        let l = &self.lines[i];
        if let (Some(n), Some(article)) = (level(l), self.norms.article_level) {
            on(Feature::LevelArticle, n == article);
            on(Feature::LevelDeeper, n > article);
            on(Feature::LevelShallower, n < article);
        }
        on(
            Feature::HtmlHeading,
            matches!(l.markup, Markup::HtmlHeading(_)),
        );
        on(Feature::Bold, l.markup == Markup::Bold);
        on(Feature::WireHead, l.markup == Markup::WireHead);
        on(Feature::WikiHeading, l.markup == Markup::WikiHeading);
        on(Feature::MediaTag, l.markup == Markup::MediaTag);
        on(Feature::Bracketed, l.markup == Markup::Bracketed);
        on(Feature::Quoted, l.markup == Markup::Quoted);
        on(Feature::TagsOnly, l.tags_only);
        match &l.piece {
            Piece::RunInHead { kind, colon, .. } => {
                on(Feature::RunInHead, true);
                on(Feature::RunInBracket, *kind == RunInKind::Bracket);
                on(Feature::RunInCaps, *kind == RunInKind::Caps);
                on(Feature::RunInColon, *colon);
                on(Feature::HeadIsDate, date_like(&l.text));
            }
            Piece::RunInRest => on(Feature::RunInRest, true),
            Piece::Whole => {}
        }
    }

    fn numbering_features(&self, i: usize, on: &mut impl FnMut(Feature, bool)) {
        let l = &self.lines[i];
        if let Some(num) = l.numbering {
            on(Feature::Numbered, true);
            let scheme = match num.scheme {
                1 => Feature::NumArabic,
                2 => Feature::NumCjk,
                3 => Feature::NumParenCjk,
                4 => Feature::NumParen,
                5 => Feature::NumCircled,
                6 => Feature::NumFile,
                7 => Feature::NumBracket,
                8 => Feature::NumSub,
                _ => Feature::NumBare,
            };
            on(scheme, true);
            let in_seq = self.sequence[i] == Some(true);
            on(Feature::NumInSequence, in_seq);
            on(Feature::NumOutOfSequence, !in_seq);
            on(
                Feature::NumSchemeOfArticles,
                self.norms.article_scheme == Some(num.scheme),
            );
            on(
                Feature::NumOtherScheme,
                self.norms.article_scheme.is_some_and(|s| s != num.scheme),
            );
        }
        on(Feature::Bullet, l.bullet > 0);
    }

    fn detector_features(&self, i: usize, on: &mut impl FnMut(Feature, bool)) {
        let l = &self.lines[i];
        on(Feature::CreditLine, l.credit.is_some());
        on(
            Feature::Byline,
            l.credit
                .as_ref()
                .is_some_and(|c| c.why.starts_with("byline")),
        );
        on(Feature::InlineCredit, l.inline.is_some());
        on(Feature::TrailingCredit, l.trailing.is_some());
        on(Feature::Caption, l.caption.is_some());
        on(Feature::PageDate, l.page_date.is_some());
        on(Feature::JumpMarker, l.jump.is_some());
        on(Feature::EndMark, l.end_mark);
        if let Some(kind) = l.furniture {
            let f = match kind {
                Furniture::Separator => Feature::FurnSeparator,
                Furniture::PageNumber => Feature::FurnPageNumber,
                Furniture::Editor => Feature::FurnEditor,
                Furniture::Navigation => Feature::FurnNavigation,
                Furniture::Link => Feature::FurnLink,
                Furniture::Copyright => Feature::FurnCopyright,
                Furniture::Contents => Feature::FurnContentsHeader,
                Furniture::JumpOut | Furniture::JumpIn => Feature::FurnJump,
                Furniture::CrossRef => Feature::FurnCrossRef,
                Furniture::AuthorNote => Feature::FurnAuthorNote,
                Furniture::Wire => Feature::FurnWire,
                Furniture::Apparatus => Feature::FurnApparatus,
                Furniture::Cue => Feature::FurnCue,
            };
            on(f, true);
        }
        let block = l.context.mail_block;
        match &l.mail {
            Some(MailHeader::Subject) => on(
                if block {
                    Feature::MailSubject
                } else {
                    Feature::MailLoose
                },
                true,
            ),
            Some(MailHeader::From(_)) => on(
                if block {
                    Feature::MailFrom
                } else {
                    Feature::MailLoose
                },
                true,
            ),
            Some(MailHeader::Other) => on(
                if block {
                    Feature::MailOther
                } else {
                    Feature::MailLoose
                },
                true,
            ),
            None => {}
        }
        let c = &l.context;
        on(Feature::RunningHead, c.running_head);
        on(Feature::JobTitle, c.job_title);
        on(Feature::PullQuote, c.pull_quote);
        on(Feature::Closing, c.closing);
        on(Feature::SignatureName, c.signature_name);
        on(Feature::SignatureDetail, c.signature_detail);
        on(Feature::SigBlock, c.sig_block);
        on(Feature::BareName, c.bare_name);
        on(Feature::RepeatsEarlier, c.repeats_earlier);
        on(Feature::DatelineAlone, c.dateline_alone);
    }

    fn contents_features(&self, i: usize, on: &mut impl FnMut(Feature, bool)) {
        let c = self.contents;
        let a = c.agreement[i];
        on(Feature::InContents, c.in_list[i]);
        on(
            Feature::AgreesContents,
            a >= contents::AGREES && !c.sub_entry[i],
        );
        on(
            Feature::AgreesContentsWeak,
            (0.6..contents::AGREES).contains(&a) && !c.sub_entry[i],
        );
        on(Feature::AgreesSubEntry, a >= 0.6 && c.sub_entry[i]);
        on(
            Feature::NotInContents,
            c.reliable && self.shaped[i] && !c.in_list[i] && a < 0.6,
        );
        if let Some(s) = self.cohesion[i] {
            on(Feature::CohesionLow, s < 0.04);
            on(Feature::CohesionMid, (0.04..0.15).contains(&s));
            on(Feature::CohesionHigh, s >= 0.15);
            on(
                Feature::CohesionBelowPage,
                self.page_cohesion.is_some_and(|m| s < m),
            );
        }
    }

    fn neighbour_features(&self, i: usize, on: &mut impl FnMut(Feature, bool)) {
        let lines = self.lines;
        let l = &lines[i];
        let prev = i.checked_sub(1).map(|p| &lines[p]);
        let next = lines.get(i + 1);
        on(
            Feature::PrevTerminal,
            prev.is_some_and(|p| p.ending == Ending::Terminal),
        );
        on(
            Feature::PrevContinues,
            prev.is_some_and(|p| p.ending == Ending::Continues),
        );
        on(Feature::PrevHeadingShaped, i > 0 && self.shaped[i - 1]);
        on(
            Feature::NextHeadingShaped,
            next.is_some() && self.shaped[i + 1],
        );
        on(Feature::PrevCredit, prev.is_some_and(Line::is_credit));
        let sig = next_significant(lines, i);
        let next_credit = sig.is_some_and(Line::creditish);
        on(Feature::NextCredit, next_credit);
        on(
            Feature::NextInlineCredit,
            sig.is_some_and(|n| n.inline.is_some()),
        );
        let next_prose = next.is_some_and(|n| {
            !self.shaped[i + 1] && n.furniture.is_none() && !n.is_credit() && n.width > 20
        });
        on(Feature::NextProse, next_prose);
        on(
            Feature::NextLower,
            next.is_some_and(|n| n.text.starts_with(|c: char| c.is_lowercase())),
        );
        let sep = |x: Option<&Line>| x.is_some_and(|x| x.furniture == Some(Furniture::Separator));
        on(Feature::PrevSeparator, sep(prev));
        on(Feature::NextSeparator, sep(next));
        on(
            Feature::PrevEndMark,
            prev.is_some_and(|p| p.end_mark || p.trailing.is_some()),
        );
        on(
            Feature::PrevMailBlock,
            prev.is_some_and(|p| p.context.mail_block),
        );
        on(
            Feature::NextMailBlock,
            next.is_some_and(|p| p.context.mail_block),
        );
        on(
            Feature::PrevCaption,
            prev.is_some_and(|p| p.caption.is_some()),
        );
        on(
            Feature::PrevBold,
            prev.is_some_and(|p| p.markup.is_heading()),
        );
        on(
            Feature::JoinsPrev,
            prev.is_some_and(|p| joins::continues(p, l, l.gap, self.norms.flow).is_some()),
        );
        let shaped = self.shaped[i];
        on(Feature::HeadingShaped, shaped);
        if shaped {
            on(
                Feature::UncreditedHeadOnCreditedPage,
                self.norms.credited && !next_credit,
            );
            // A banner: alone in its block, above a block that opens with
            // a headline stack.
            let b = self.blocks[i];
            let next_block = lines[i + 1..]
                .iter()
                .position(|n| n.gap > 0)
                .map(|k| i + 1 + k);
            let banner = b.len == 1
                && next_block.is_some_and(|j| {
                    self.shaped[j] && self.blocks[j].len >= 1 && {
                        let after = j + self.blocks[j].len;
                        lines
                            .get(after)
                            .is_some_and(|n| n.creditish() || !self.shaped[after])
                    }
                });
            on(Feature::BannerShape, banner);
            on(
                Feature::BannerTopical,
                banner && cohesion::topical(lines, i).is_some_and(|t| t >= 0.5),
            );
            on(
                Feature::BracketedBanner,
                banner && l.markup == Markup::Bracketed,
            );
            on(Feature::HeadingOnCreditedPage, self.norms.credited);
            on(Feature::HeadingOnUncreditedPage, !self.norms.credited);
            on(Feature::HeadingThenCredit, next_credit);
            on(Feature::HeadingThenProse, next_prose);
            let style = self.styles.style[i];
            let count = self.styles.count.get(&style).copied().unwrap_or(0);
            on(Feature::StyleRepeated, count >= 2);
            on(Feature::StyleFrequent, count >= 4);
            on(Feature::StyleUnique, count <= 1);
            on(
                Feature::StyleCredited,
                self.styles.credited.contains_key(&style),
            );
            on(
                Feature::StyleAgreesContents,
                self.styles.agreeing.contains_key(&style),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feature_names_are_unique() {
        let mut names: Vec<&str> = Feature::ALL.iter().map(|f| f.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), FEATURE_COUNT);
        for (i, f) in Feature::ALL.iter().enumerate() {
            assert_eq!(*f as usize, i);
            assert!(!f.doc().is_empty());
        }
    }
}
