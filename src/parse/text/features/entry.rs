//! Features of pages that set entries one after another, each boxed by
//! rule lines or led by a label: where a line sits after a rule, a
//! `LABEL | detail` kicker, a life-dates line under a name, a name set
//! after a bullet (`□ NAME`), verse (a block of short unpunctuated lines
//! among prose), fact-box fields (`Effective: Sunday, June 16`) and
//! catchwords (`Adjudication – enforcement – payer’s notice`).

use super::super::super::furniture::Furniture;
use super::super::cohesion::field_line;
use super::super::lines::{blocks_between_gaps, Line};
use super::super::measure::{bullet_len, is_cjk, Ending};
use super::super::neighbours::{is_bare_cjk_name, is_signature_name};
use super::Feature;

/// Separator rules from which a page counts as set in ruled entries.
const RULED_PAGE_RULES: usize = 3;

/// Widest label of a `LABEL | detail` kicker, in characters.
const LABEL_MAX_CHARS: usize = 24;

/// Widest line of a `LABEL | detail` kicker, in columns.
const KICKER_MAX_COLS: usize = 60;

/// Phrases from which a dash-joined block reads as catchwords.
const CATCHWORDS_MIN_PHRASES: usize = 3;

/// Longest phrase of a catchwords block, in words.
const CATCHWORD_MAX_WORDS: usize = 10;

/// Lines from which a block of short lines reads as verse.
const VERSE_MIN_LINES: usize = 3;

/// Page-wide facts the entry features need.
pub(super) struct Entries {
    /// The page sets several entries between rule lines.
    ruled: bool,
    /// Per line: how many lines of text stand between it and the rule
    /// above (0: right under it), within the first block under the rule.
    after_rule: Vec<Option<usize>>,
    /// Per line: in a block that reads as verse.
    verse: Vec<bool>,
    /// Per line: in a block of dash-joined catchwords.
    catchwords: Vec<bool>,
    /// The last rule line of the page.
    last_rule: Option<usize>,
}

fn is_rule(l: &Line) -> bool {
    l.furniture == Some(Furniture::Separator)
}

impl Entries {
    pub(super) fn of(lines: &[Line], shaped: &[bool], prose_width: usize) -> Entries {
        let rules = lines.iter().filter(|l| is_rule(l)).count();
        let mut after_rule = vec![None; lines.len()];
        let mut since: Option<usize> = None;
        for (i, l) in lines.iter().enumerate() {
            if is_rule(l) {
                since = Some(0);
                continue;
            }
            if let Some(k) = since {
                // The first block under a rule: its first line may follow a
                // blank line, later ones may not.
                if k > 0 && l.gap > 0 {
                    since = None;
                    continue;
                }
                after_rule[i] = Some(k);
                since = Some(k + 1);
            }
        }
        Entries {
            ruled: rules >= RULED_PAGE_RULES,
            last_rule: lines.iter().rposition(is_rule),
            after_rule,
            verse: verse_blocks(lines, shaped, prose_width),
            catchwords: catchword_blocks(lines),
        }
    }

    /// The entry features of line `i`.
    pub(super) fn observe(&self, lines: &[Line], i: usize, on: &mut impl FnMut(Feature, bool)) {
        let l = &lines[i];
        let pos = self.after_rule[i];
        on(Feature::RuledEntryFirst, self.ruled && pos == Some(0));
        on(Feature::RuledEntrySecond, self.ruled && pos == Some(1));
        on(
            Feature::AfterLastRule,
            self.ruled && self.last_rule.is_some_and(|r| i > r),
        );
        on(Feature::LabelKicker, label_kicker(&l.text));
        on(Feature::LifeDates, life_dates(&l.text));
        on(Feature::MarkedName, marked_name(l));
        on(Feature::Verse, self.verse[i]);
        on(Feature::Catchwords, self.catchwords[i]);
        on(Feature::FieldLine, field_line(&l.text));
        on(Feature::FieldsLine, fields_line(&l.text));
    }
}

/// Two `label：value` fields or more on one line, set apart by a wide gap
/// (a full-width space, two spaces or a bar): `發布時間：2024年11月6日 16:42
/// 　發布機構：社會工作局`, `Posted: May 3 | Category: Events`.
fn fields_line(t: &str) -> bool {
    if !t.contains([':', '：']) {
        return false;
    }
    let fields = t
        .split(['\u{3000}', '|', '｜'])
        .flat_map(|f| f.split("  "))
        .map(str::trim)
        .filter(|f| !f.is_empty());
    fields.filter(|f| field_line(f)).count() >= 2
}

/// `DETOUR | Routes 7, 12`: a short label in capitals, a bar or a middle
/// dot, one short detail.
fn label_kicker(t: &str) -> bool {
    if t.chars().count() > KICKER_MAX_COLS {
        return false;
    }
    let Some((label, detail)) = t.split_once(" | ").or_else(|| t.split_once(" · ")) else {
        return false;
    };
    let label = label.trim();
    let letters = label.chars().filter(|c| c.is_alphabetic()).count();
    letters >= 3
        && label.chars().count() <= LABEL_MAX_CHARS
        && label
            .chars()
            .all(|c| c.is_uppercase() || matches!(c, ' ' | '&' | '-' | '/' | '\''))
        && !detail.contains(['|', '·'])
        && !detail.trim().is_empty()
}

/// `Aug. 2, 1936 – March 9, 2024`, `1941 – 2024`: dates joined by a dash,
/// nothing else.
fn life_dates(t: &str) -> bool {
    let Some((from, to)) = t
        .split_once(" – ")
        .or_else(|| t.split_once(" — "))
        .or_else(|| t.split_once(" - "))
    else {
        return false;
    };
    date_words(from) && date_words(to)
}

/// Words of a date: a year of four digits last, before it at most a month
/// and a day.
fn date_words(s: &str) -> bool {
    let words: Vec<&str> = s.split_whitespace().collect();
    let Some((year, rest)) = words.split_last() else {
        return false;
    };
    year.len() == 4
        && year.chars().all(|c| c.is_ascii_digit())
        && rest.len() <= 2
        && rest.iter().all(|w| {
            let w = w.trim_end_matches([',', '.']);
            w.chars().all(|c| c.is_ascii_digit())
                || (w.starts_with(|c: char| c.is_ascii_uppercase())
                    && w.chars().all(|c| c.is_ascii_alphabetic())
                    && w.len() <= 9)
        })
}

/// `□ 韩北`, `◎ 程砚`, `■ Ann Lee`: a bullet, then a name alone.
fn marked_name(l: &Line) -> bool {
    // `bullet` counts after any list number; measure the text itself.
    let b = bullet_len(&l.text);
    if b == 0 {
        return false;
    }
    let name = l.text[b..].trim();
    is_bare_cjk_name(name) || is_signature_name(name, false)
}

/// Blocks of at most three lines whose text is three or more short phrases
/// joined by spaced dashes, with no sentence end: the catchwords a law
/// report or an abstract sets under its title.
fn catchword_blocks(lines: &[Line]) -> Vec<bool> {
    let mut out = vec![false; lines.len()];
    for range in blocks_between_gaps(lines, |l| l.gap) {
        let (start, end) = (range.start, range.end);
        let block = &lines[start..end];
        let dashed = block
            .iter()
            .any(|l| l.text.contains(" – ") || l.text.contains(" — "));
        if block.len() <= 3
            && dashed
            && block
                .iter()
                .all(|l| l.furniture.is_none() && !l.is_credit())
        {
            let text: Vec<&str> = block.iter().map(|l| &*l.text).collect();
            let text = text.join(" ");
            let parts: Vec<&str> = text.split(" – ").flat_map(|p| p.split(" — ")).collect();
            let short = parts.iter().all(|p| {
                let words = p.split_whitespace().count();
                (1..=CATCHWORD_MAX_WORDS).contains(&words)
            });
            let open = !text.ends_with(['.', '。', '!', '?', ':', '：']);
            if parts.len() >= CATCHWORDS_MIN_PHRASES && short && open {
                out[start..end].iter_mut().for_each(|v| *v = true);
            }
        }
    }
    out
}

/// Blocks of three or more short lines without digits, with no sentence
/// end but maybe the last, on a page with prose wider than them: verse.
fn verse_blocks(lines: &[Line], shaped: &[bool], prose_width: usize) -> Vec<bool> {
    let mut out = vec![false; lines.len()];
    for range in blocks_between_gaps(lines, |l| l.gap) {
        let (start, end) = (range.start, range.end);
        let block = &lines[start..end];
        // Lists of dates, times and prices are tables, not verse.
        let short = block.iter().all(|l| {
            l.width * 2 <= prose_width
                && l.furniture.is_none()
                && !l.is_credit()
                && !l.spread
                && !l.text.contains(|c: char| c.is_ascii_digit())
        });
        let open = block[..block.len() - 1]
            .iter()
            .all(|l| l.ending != Ending::Terminal);
        let shaped_share = shaped[start..end].iter().filter(|s| **s).count();
        let cjk_or_latin = block
            .iter()
            .all(|l| l.text.chars().any(|c| is_cjk(c) || c.is_alphabetic()));
        if block.len() >= VERSE_MIN_LINES
            && short
            && open
            && cjk_or_latin
            && shaped_share * 2 >= block.len()
        {
            out[start..end].iter_mut().for_each(|v| *v = true);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_kickers() {
        assert!(label_kicker("DETOUR | Routes 7, 12"));
        assert!(label_kicker("STOP CLOSURE | Routes 4, 22"));
        assert!(!label_kicker(
            "08:00 ET | Source: Hartwell | Category: Earnings"
        ));
        assert!(!label_kicker("Share this article: Facebook | X | Email"));
        assert!(!label_kicker("Detour on Route 7"));
    }

    #[test]
    fn life_dates_lines() {
        assert!(life_dates("Aug. 2, 1936 – March 9, 2024"));
        assert!(life_dates("1941 – 2024"));
        assert!(!life_dates("Open 9 – 5 daily"));
        assert!(!life_dates("Harold J. Brandt"));
    }
}
