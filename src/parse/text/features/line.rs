//! The features of one line: its own measures and markup, its numbering,
//! what the detectors report, contents agreement and cohesion, its
//! neighbours, and where it sits in its block and in runs of heading lines.

use super::super::super::furniture::Furniture;
use super::super::cohesion;
use super::super::contents::{self, Contents};
use super::super::joins;
use super::super::lines::{Line, MailHeader, Piece};
use super::super::markup::Markup;
use super::super::measure::{
    asks_or_exclaims, ends_with_hyphenation, ends_with_leader, has_bare_clause_punct,
    starts_mid_sentence, Case, Ending,
};
use super::super::runin::RunInKind;
use super::entry::Entries;
use super::page::{date_like, inner_sentence_end, label_prefix, level, next_significant, Facts};
use super::{Feature, Observation};

/// Fewest words of a title-case line that prose lines (a name, a place in
/// capitals) hardly reach.
const TITLE_CASE_LONG_WORDS: usize = 6;

/// Widest short caps label over a heading (`CRICKET`, `PUBLIC HEALTH`).
const SHORT_CAPS_LABEL_COLS: usize = 16;

/// Widest caps label over a heading that still reads as its kicker
/// (`PLANETARY SCIENCE`, `SAT 21 SEPT – DISPERSAL SALE`).
const CAPS_LABEL_COLS: usize = 40;

/// Lines from which a page is no short note: its first and last lines may
/// be a masthead and a footer.
const SMALL_PAGE_LINES: usize = 8;

/// Lines looked back over, past credits, for the heading a line is under.
const HEADING_SEARCH_LINES: usize = 3;

/// Everything the features of one line are computed from.
pub(super) struct Evidence<'p, 'a> {
    pub lines: &'p [Line<'a>],
    pub contents: &'p Contents,
    pub facts: &'p Facts,
    pub entries: &'p Entries,
}

impl Evidence<'_, '_> {
    /// The features of line `i`.
    pub(super) fn observe(&self, i: usize) -> Observation {
        let mut f: Observation = Vec::with_capacity(64);
        let mut on = |feature: Feature, yes: bool| {
            if yes {
                f.push((feature, 1.0));
            }
        };
        let l = &self.lines[i];
        let lines = self.lines;
        let n = &self.facts.norms;
        on(Feature::Bias, true);
        // Mastheads open a page and footers close it; a note of a few
        // lines has neither.
        let full_page = lines.len() >= SMALL_PAGE_LINES;
        on(Feature::SmallPage, !full_page);
        let mut on = |feature: Feature, yes: bool| {
            let positional = matches!(
                feature,
                Feature::FirstLine
                    | Feature::PageTop
                    | Feature::LastLine
                    | Feature::BeforeAnyProse
                    | Feature::BeforeAnyHeading
                    | Feature::AfterAllProse
            );
            on(feature, yes && (full_page || !positional));
        };
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
        // A heading marked up as one is not prose by its case.
        on(
            Feature::StartsLower,
            t.starts_with(|c: char| c.is_lowercase()) && level(l).is_none(),
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
        on(Feature::RightSet, l.right_set);
        on(Feature::Leader, ends_with_leader(&l.text));
        self.markup_features(i, &mut on);
        on(Feature::CaseUpper, l.case == Case::Upper);
        on(Feature::CaseTitle, l.case == Case::Title);
        on(
            Feature::TitleCaseLong,
            l.case == Case::Title
                && l.ending != Ending::Terminal
                && l.text.split_whitespace().count() >= TITLE_CASE_LONG_WORDS,
        );
        on(Feature::CaseSentence, l.case == Case::Sentence);
        on(Feature::Cjk, l.cjk >= 50);
        on(Feature::ClausePunct, has_bare_clause_punct(t));
        self.numbering_features(i, &mut on);
        self.detector_features(i, &mut on);
        self.contents_features(i, &mut on);
        self.neighbour_features(i, &mut on);
        self.block_features(i, &mut on);
        self.stack_features(i, &mut on);
        self.flow_features(i, &mut on);
        self.under_heading_features(i, &mut on);
        self.entries.observe(lines, i, &mut on);
        f
    }

    /// Whether the line is the first text under a heading (past its
    /// credits), and running text of a Markdown file.
    fn under_heading_features(&self, i: usize, on: &mut impl FnMut(Feature, bool)) {
        let l = &self.lines[i];
        let texty = !self.facts.shaped[i]
            && l.furniture.is_none()
            && !l.is_credit()
            && l.caption.is_none()
            && l.width > 20;
        let heading_above = (1..=HEADING_SEARCH_LINES)
            .map_while(|k| i.checked_sub(k))
            .find(|&p| {
                let q = &self.lines[p];
                !(q.is_credit() || q.context.job_title)
            })
            .is_some_and(|p| {
                let q = &self.lines[p];
                q.markup.is_heading() || (self.facts.shaped[p] && q.furniture.is_none())
            });
        on(Feature::ProseUnderHeading, texty && heading_above);
        let markdown_text = self.facts.norms.flow.markdown && texty && l.markup == Markup::Plain;
        on(Feature::MarkdownText, markdown_text);
        // A Markdown file's furniture is marked up (front matter, rules,
        // links): a sentence closing the file is its last story's.
        on(
            Feature::MarkdownLastSentence,
            markdown_text && i + 1 == self.lines.len() && l.ending == Ending::Terminal,
        );
    }

    /// For an ALL-CAPS lead-in: whether the run of lead-in paragraphs it
    /// belongs to starts after running text (`Some(true)`: line-ups and
    /// score lines inside a report) or after a heading, furniture or the
    /// page top (`Some(false)`: a briefs column).
    fn caps_chain_anchor(&self, i: usize) -> Option<bool> {
        let mut start = i;
        loop {
            let b = self.facts.blocks[start];
            let block_start = start - b.index;
            let Some(prev_end) = block_start.checked_sub(1) else {
                return Some(false);
            };
            let pb = self.facts.blocks[prev_end];
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

    /// Where the line sits in its block, and what blocks surround it.
    fn block_features(&self, i: usize, on: &mut impl FnMut(Feature, bool)) {
        let b = self.facts.blocks[i];
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
        on(Feature::TopBlock, b.block == 0);
        let next_block = self.facts.blocks[i..]
            .iter()
            .find(|x| x.block == b.block + 1);
        on(Feature::NextBlockProse, next_block.is_some_and(|x| x.prose));
        on(
            Feature::NextBlockHeading,
            next_block.is_some_and(|x| x.heading),
        );
        let prev_block = i.checked_sub(b.index + 1).map(|p| self.facts.blocks[p]);
        on(Feature::PrevBlockProse, prev_block.is_some_and(|x| x.prose));
        // What follows the block's end.
        let end = i + (b.len - b.index) - 1;
        let after = self.lines[end + 1..]
            .iter()
            .find(|n| n.furniture.is_none() && n.caption.is_none() && n.page_date.is_none());
        on(Feature::BlockThenCredit, after.is_some_and(Line::creditish));
        let block_start = i - b.index;
        let spread = self.lines[block_start..block_start + b.len]
            .iter()
            .filter(|x| x.spread)
            .count();
        on(Feature::TableBlock, b.len >= 3 && spread * 2 >= b.len);
        on(Feature::ContactBlock, b.contact);
    }

    /// Runs of heading-shaped lines, within a block or as a whole block
    /// that text or a credit follows: headline stacks and their parts.
    fn stack_features(&self, i: usize, on: &mut impl FnMut(Feature, bool)) {
        let l = &self.lines[i];
        let shaped = &self.facts.shaped;
        if !shaped[i] {
            return;
        }
        let mut first = i;
        while first > 0 && shaped[first - 1] && self.lines[first].gap == 0 {
            first -= 1;
        }
        let mut last = i;
        while last + 1 < self.lines.len() && shaped[last + 1] && self.lines[last + 1].gap == 0 {
            last += 1;
        }
        let len = last - first + 1;
        let followed = self
            .lines
            .get(last + 1)
            .is_some_and(|n| n.furniture.is_none() && (!shaped[last + 1] || n.is_credit()));
        let stack = len <= 4 && followed && !l.context.bare_name;
        on(Feature::StackStart, stack && i == first);
        // The story credited at its end opens at its headline: under a
        // short label in capitals (a kicker), that is the run's second line.
        let opener = if last > first && self.caps_kicker(first) {
            first + 1
        } else {
            first
        };
        on(
            Feature::CreditAhead,
            i == opener && self.facts.credit_ahead[last],
        );
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
        let short = self.caps_label(i, SHORT_CAPS_LABEL_COLS);
        on(Feature::ShortCapsAboveHeading, short);
        on(
            Feature::CapsAboveHeading,
            !short && self.caps_label(i, CAPS_LABEL_COLS),
        );
    }

    /// A short line in capitals set above a heading-shaped line in other
    /// case, with no gap between them (`PUBLIC HEALTH` over its headline).
    fn caps_label(&self, i: usize, max_cols: usize) -> bool {
        let l = &self.lines[i];
        let next = self.lines.get(i + 1);
        l.case == Case::Upper
            && l.width <= max_cols
            && l.gap > 0
            && next.is_some_and(|n| n.gap == 0 && n.case != Case::Upper && n.case != Case::None)
            && self.facts.shaped.get(i + 1) == Some(&true)
    }

    /// A caps label over a headline (see [`Self::caps_label`]), not over a
    /// fact-box field (`BROCKWELL` / `Auctioneers: …` is a heading and its
    /// details).
    fn caps_kicker(&self, i: usize) -> bool {
        self.caps_label(i, CAPS_LABEL_COLS)
            && self
                .lines
                .get(i + 1)
                .is_some_and(|n| !cohesion::field_line(&n.text))
    }

    /// The line's relation to the running text and to its neighbours'
    /// sentences: wraps, continuations, labels, where the prose begins.
    fn flow_features(&self, i: usize, on: &mut impl FnMut(Feature, bool)) {
        let l = &self.lines[i];
        let flow = self.facts.norms.flow;
        let prev = i.checked_sub(1).map(|p| &self.lines[p]);
        let next = self.lines.get(i + 1);
        if let Some(w) = flow.wrap {
            on(Feature::WrapFull, l.width * 100 >= w * 85);
            on(
                Feature::WrapFullNarrow,
                w <= joins::NARROW_COLUMN_MAX_COLS && l.width * 100 >= w * 85,
            );
            on(
                Feature::PrevWrapFull,
                prev.is_some_and(|p| p.width * 100 >= w * 85),
            );
        }
        on(
            Feature::LowerThenHeading,
            self.facts.shaped[i]
                && next
                    .is_some_and(|n| n.gap == 0 && n.text.starts_with(|c: char| c.is_lowercase()))
                && !self.facts.shaped.get(i + 1).copied().unwrap_or(false),
        );
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
        on(Feature::BeforeAnyProse, i < self.facts.first_prose);
        on(Feature::BeforeAnyHeading, i < self.facts.first_heading);
        on(
            Feature::AfterAllProse,
            self.facts.last_prose.is_none_or(|p| i > p),
        );
        on(Feature::AfterSignature, self.facts.after_signature[i]);
        on(Feature::Salutation, l.context.salutation);
        on(Feature::Advert, l.context.advert);
        on(Feature::OfficialClose, l.context.official_close);
        on(
            Feature::IndentOutlier,
            l.indent && self.facts.norms.indented_share < 20,
        );
        on(Feature::InnerSentenceEnd, inner_sentence_end(&l.text));
        // A page cut off mid-sentence: its last line is text, not a footer.
        let prev_block_prose = self.facts.blocks[i].prose
            || i.checked_sub(self.facts.blocks[i].index + 1)
                .is_some_and(|p| self.facts.blocks[p].prose);
        on(
            Feature::CutOff,
            next.is_none()
                && l.ending != Ending::Terminal
                && l.width > 30
                && l.furniture.is_none()
                && !l.is_credit()
                && l.caption.is_none()
                && l.markup == Markup::Plain
                && prev_block_prose
                && sentence_like(&l.text),
        );
        on(
            Feature::ContinuesFurniture,
            prev.is_some_and(|p| {
                p.furniture.is_some_and(|f| f != Furniture::Separator)
                    && joins::continues(p, l, l.gap, flow).is_some()
            }),
        );
        on(
            Feature::JoinsNext,
            // A date alone on the next line goes on no sentence (a headline
            // over its date line).
            next.is_some_and(|n| {
                n.page_date.is_none() && joins::continues(l, n, n.gap, flow).is_some()
            }),
        );
    }

    fn markup_features(&self, i: usize, on: &mut impl FnMut(Feature, bool)) {
        let l = &self.lines[i];
        if let (Some(n), Some(article)) = (level(l), self.facts.norms.article_level) {
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
                on(Feature::RunInSentence, *kind == RunInKind::Sentence);
                on(Feature::RunInSpaced, *kind == RunInKind::Spaced);
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
            let in_seq = self.facts.sequence[i] == Some(true);
            on(Feature::NumInSequence, in_seq);
            on(Feature::NumOutOfSequence, !in_seq);
            on(
                Feature::NumSchemeOfArticles,
                self.facts.norms.article_scheme == Some(num.scheme),
            );
            on(
                Feature::NumOtherScheme,
                self.facts
                    .norms
                    .article_scheme
                    .is_some_and(|s| s != num.scheme),
            );
        }
        on(Feature::Bullet, l.bullet > 0);
        on(Feature::ItemMark, self.facts.item_marks[i]);
        on(
            Feature::AfterItemMark,
            i > 0 && self.facts.item_marks[i - 1] && !self.facts.item_marks[i],
        );
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
                Furniture::DocNumber => Feature::FurnDocNumber,
                Furniture::Notice => Feature::FurnNotice,
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
            c.reliable && self.facts.shaped[i] && !c.in_list[i] && a < 0.6,
        );
        if let Some(s) = self.facts.cohesion[i] {
            on(Feature::CohesionLow, s < 0.04);
            on(Feature::CohesionMid, (0.04..0.15).contains(&s));
            on(Feature::CohesionHigh, s >= 0.15);
            on(
                Feature::CohesionBelowPage,
                self.facts.page_cohesion.is_some_and(|m| s < m),
            );
        }
        if let Some((depth, peak)) = self.facts.depth[i] {
            on(Feature::CohesionDip, depth >= 0.1);
            on(Feature::CohesionPeak, peak);
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
        on(
            Feature::PrevHeadingShaped,
            i > 0 && self.facts.shaped[i - 1],
        );
        on(
            Feature::NextHeadingShaped,
            next.is_some() && self.facts.shaped[i + 1],
        );
        on(Feature::PrevCredit, prev.is_some_and(Line::is_credit));
        // A web or app export prints each item's date line right under
        // its headline (`号名 2025年03月25日 18:00`, `March 3, 2025 · 4 min`).
        on(
            Feature::DateLineBelow,
            l.page_date.is_none() && next.is_some_and(|n| n.gap == 0 && n.page_date.is_some()),
        );
        let sig = next_significant(lines, i);
        let next_credit = sig.is_some_and(Line::creditish);
        on(Feature::NextCredit, next_credit);
        on(
            Feature::NextInlineCredit,
            sig.is_some_and(|n| n.inline.is_some()),
        );
        let next_prose = next.is_some_and(|n| {
            !self.facts.shaped[i + 1] && n.furniture.is_none() && !n.is_credit() && n.width > 20
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
            prev.is_some_and(|p| joins::continues(p, l, l.gap, self.facts.norms.flow).is_some()),
        );
        let shaped = self.facts.shaped[i];
        on(Feature::HeadingShaped, shaped);
        if shaped {
            let story = self.facts.stories[i];
            on(
                Feature::HeadTopical,
                story.is_some_and(|(shared, own)| shared >= 2 && shared * 10 >= own * 4),
            );
            on(
                Feature::HeadOffTopic,
                story.is_some_and(|(shared, _)| shared == 0),
            );
            on(
                Feature::UncreditedHeadOnCreditedPage,
                self.facts.norms.credited && !next_credit,
            );
            // A banner: alone in its block, above a block that opens with
            // a headline stack.
            let b = self.facts.blocks[i];
            let next_block = lines[i + 1..]
                .iter()
                .position(|n| n.gap > 0)
                .map(|k| i + 1 + k);
            let banner = b.len == 1
                && next_block.is_some_and(|j| {
                    self.facts.shaped[j] && self.facts.blocks[j].len >= 1 && {
                        let after = j + self.facts.blocks[j].len;
                        lines
                            .get(after)
                            .is_some_and(|n| n.creditish() || !self.facts.shaped[after])
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
            on(Feature::HeadingOnCreditedPage, self.facts.norms.credited);
            on(Feature::HeadingOnUncreditedPage, !self.facts.norms.credited);
            on(Feature::HeadingThenCredit, next_credit);
            on(Feature::HeadingThenProse, next_prose);
            on(Feature::BlockHeadOverProse, self.facts.block_heads[i]);
            let style = self.facts.styles.style[i];
            let count = self.facts.styles.count.get(&style).copied().unwrap_or(0);
            on(Feature::StyleRepeated, count >= 2);
            on(Feature::StyleFrequent, count >= 4);
            on(Feature::StyleUnique, count <= 1);
            on(
                Feature::StyleCredited,
                self.facts.styles.credited.contains_key(&style),
            );
            // Marked up exactly as the credited headlines are, without a
            // credit of its own: an unsigned story rather than a subheading.
            on(
                Feature::UncreditedInCreditedMarkup,
                self.facts.norms.credited
                    && !next_credit
                    && l.markup != Markup::Plain
                    && self.facts.styles.credited.contains_key(&style),
            );
            on(
                Feature::StyleAgreesContents,
                self.facts.styles.agreeing.contains_key(&style),
            );
        }
    }
}

/// Whether a line reads as running text rather than a footer of fields or
/// links: no `|` or ` – ` separators and, in Latin script, under two
/// fifths of its words capitalised.
fn sentence_like(t: &str) -> bool {
    if t.contains('|') || t.contains(" – ") || t.contains(" · ") {
        return false;
    }
    let words: Vec<&str> = t.split_whitespace().collect();
    let latin = words
        .iter()
        .filter(|w| w.starts_with(|c: char| c.is_ascii_alphabetic()))
        .count();
    let capital = words
        .iter()
        .filter(|w| w.starts_with(|c: char| c.is_ascii_uppercase()))
        .count();
    latin < 3 || capital * 5 < latin * 2
}
