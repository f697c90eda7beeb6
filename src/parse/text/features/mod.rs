//! The observations the segmentation model scores: for every line a sparse
//! set of [`Feature`]s built from its own measures, its detectors' reports,
//! its neighbours, the page's norms (typical gap, prose width, heading
//! styles) and two page-wide signals — agreement with a contents list and
//! lexical cohesion across the boundary above the line.
//!
//! Features are evidence, never verdicts: each one only adds its weight
//! for each label (see `segment`).

mod entry;
mod line;
mod marks;
mod page;

pub(super) use page::declared;

use super::contents::Contents;
use super::joins::Flow;
use super::lines::Line;

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
    SmallPage => "the page has fewer than eight lines (no masthead, no footer)",
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
    ItemMark => "a lone item number (01, No. 2) in a rising run of them",
    AfterItemMark => "the line above is a lone item number in a rising run",
    StartsMid => "starts like the middle of a sentence",
    Indented => "the source line is indented",
    IndentedOnIndentedPage => "indented, on a page whose paragraphs open indented",
    Spread => "fields spread over the line with wide gaps",
    RightSet => "set far to the right (a signature block, a right-aligned date)",
    Leader => "ends with leader dots and a page number (a contents entry)",
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
    RunInSentence => "a short first sentence shaped like a headline, opening a block (offered, not certain)",
    RunInSpaced => "a Chinese headline run into its paragraph after an ideographic space (offered)",
    RunInRest => "the paragraph after a run-in headline",
    CaseUpper => "all capitals",
    CaseTitle => "title case",
    TitleCaseLong => "title case over six words or more, ending no sentence (prose lines hardly are)",
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
    DateLineBelow => "the next line, with no blank line between, is a date line",
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
    FurnDocNumber => "an official document's number (鹤政发〔2021〕14号)",
    FurnNotice => "a publisher's notice to readers (投稿邮箱, 本版热线)",
    OfficialClose => "the closing of an official document: issuing body, date, publication note",
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
    ProseUnderHeading => "the first text under a heading, past its credits",
    MarkdownText => "running text of a Markdown file",
    MarkdownLastSentence => "a sentence of running text closing a Markdown file",
    BlockHeadOverProse => "opens a block right on its paragraph, as three or more headings on the page do",
    UncreditedInCreditedMarkup => "without a credit, but marked up as the credited headings are",
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
    WrapFullNarrow => "fills the width of a narrow column (headlines do too)",
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
    HeadTopical => "heading-shaped, and two or more of its words (two fifths) recur in the running text below it",
    HeadOffTopic => "heading-shaped, and none of its words recur in the running text below it",
    BracketedBanner => "a banner in 【】 or []",
    RunInInProse => "an ALL-CAPS lead-in in a run that follows running text (a line-up, SCORES:)",
    RunInColumn => "an ALL-CAPS lead-in in a run that opens after a heading or furniture",
    ShortCapsAboveHeading => "a short line of capitals over a heading line (CRICKET)",
    CapsAboveHeading => "a line of capitals of 17 to 40 columns over a heading line (PLANETARY SCIENCE)",
    CreditAhead => "heading-shaped, and the text below it closes with a credit or an end mark",
    ContinuesFurniture => "goes on the sentence of a line a detector took for furniture",
    TableBlock => "in a block of three or more lines with wide gaps (a table)",
    CohesionDip => "shares less across the boundary above than the neighbouring boundaries do (a TextTiling depth of 0.1 or more)",
    ContactBlock => "its block gives an address to write, call or visit (e-mail, web address, phone number)",
    CutOff => "the page's last line, running text stopping mid-sentence (a truncated page keeps its last paragraph)",
    CohesionPeak => "shares more across the boundary above than both neighbouring boundaries (inside one story)",
    RuledEntryFirst => "the first line under a rule, on a page of three rules or more (entries boxed by rules)",
    RuledEntrySecond => "the second line of the first block under a rule, on such a page",
    AfterLastRule => "below the last rule of a page of three rules or more (a footer, or the last entry)",
    LabelKicker => "a short label in capitals, a bar, one detail (DETOUR | Routes 7, 12)",
    LifeDates => "only dates joined by a dash (Aug. 2, 1936 – March 9, 2024)",
    MarkedName => "a bullet, then a name alone (□ NAME, a pen name's mark)",
    FieldLine => "a fact-box field: a label of one or two capitalised words, a colon, no sentence (Effective: Sunday)",
    FieldsLine => "two fields or more set apart on one line (發布時間：…　發布機構：…, a notice's or a post's meta line)",
    Verse => "in a block of three or more short lines without sentence ends, on a page of wider prose",
    Catchwords => "in a block of three or more short phrases joined by spaced dashes, no sentence end (Adjudication – enforcement – payer’s notice)",
}

/// How many features there are.
pub(crate) const FEATURE_COUNT: usize = Feature::ALL.len();

/// The features of one line, each with its value (1 for binary ones).
pub(crate) type Observation = Vec<(Feature, f32)>;

/// Builds the observation of every line of the page.
pub(super) fn observe(lines: &[Line], contents: &Contents, flow: Flow) -> Vec<Observation> {
    let facts = page::Facts::of(lines, contents, flow);
    let entries = entry::Entries::of(lines, &facts.shaped, facts.norms.prose_width);
    let evidence = line::Evidence {
        lines,
        contents,
        facts: &facts,
        entries: &entries,
    };
    (0..lines.len()).map(|i| evidence.observe(i)).collect()
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
