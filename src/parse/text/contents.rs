//! Contents lists and summary lists: a run of short lines (often after a
//! `本期导读` / `Contents:` / `Today's Topics:` header) whose entries repeat
//! headlines printed further down. A list is recognised by that agreement,
//! and then serves as the map of the page: a later line that matches an
//! entry is evidence of an article start, and a heading-shaped line that
//! matches none, on a page that has a list, is evidence of a subheading.
//!
//! Entries are compared by a key that ignores numbering, bullets, leader
//! dots and page numbers, a trailing `(Author)` and letter case; near
//! matches (an entry cut short, a wrapped headline) count by the overlap of
//! their character bigrams.

use std::collections::HashMap;

use super::super::furniture::Furniture;
use super::lines::Line;
use super::measure::{asks_or_exclaims, ends_with_leader, is_han, Ending, HEAD_MAX_COLS};

/// Lines from the page top within which lists are compared fuzzily (exact
/// agreement is looked for everywhere).
const FUZZY_TOP_LINES: usize = 400;

/// Most entries of one contents list.
const MAX_ENTRIES: usize = 60;

/// Later lines a list's entries are compared with, fuzzily.
const FUZZY_CANDIDATES: usize = 3000;

/// Similarity from which a line is taken to agree with an entry.
pub(super) const AGREES: f32 = 0.8;

/// What the contents lists of a page say about each line.
#[derive(Debug, Default)]
pub(super) struct Contents {
    /// The line is an entry of a contents list (or its header).
    pub in_list: Vec<bool>,
    /// How well the line agrees with an entry of a list above it (0–1).
    pub agreement: Vec<f32>,
    /// The entry it agrees with best is a sub-item (`4.1 Reaction`).
    pub sub_entry: Vec<bool>,
    /// The page has a contents list.
    pub present: bool,
    /// A list's entries mostly agree with headlines word for word: a line
    /// agreeing with none is then no headline.
    pub reliable: bool,
}

/// The comparison key of a line: its words in lower case without
/// numbering, bullets, leaders, page references, a trailing `(Name)` or
/// clause punctuation, and without spaces and punctuation.
pub(super) fn key(line: &Line) -> String {
    let mut s: &str = line.unnumbered();
    s = s.trim_start_matches(['·', '•', '-', '*', '▪', '●', '◆', '■', '□', '○', '>', ' ']);
    s = s.trim_end_matches(['；', ';', '。', '，', ',', ' ']);
    // `Water butts at the top gate (Dan Ferris)`: the contributor.
    if s.ends_with(')') {
        if let Some(open) = s.rfind(" (") {
            s = &s[..open];
        }
    }
    // Leader dots and a page reference: `Budget passes ....... 3`, `第2版`.
    let s = s.trim_end_matches(|c: char| {
        c.is_ascii_digit()
            || matches!(
                c,
                '.' | '…' | '·' | ' ' | '版' | '页' | '頁' | '第' | 'P' | 'p' | '-' | '–' | '—'
            )
    });
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii() {
            if c.is_ascii_alphanumeric() {
                out.push(c.to_ascii_lowercase());
            }
        } else if is_han(c) {
            out.push(c);
        } else if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// A key with what comparing it needs: its length in characters and its
/// sorted character bigrams.
struct Keyed {
    chars: usize,
    grams: Vec<u64>,
}

impl Keyed {
    fn of(key: &str) -> Keyed {
        let cs: Vec<char> = key.chars().collect();
        let mut grams: Vec<u64> = cs
            .windows(2)
            .map(|w| (u64::from(w[0] as u32) << 32) | u64::from(w[1] as u32))
            .collect();
        grams.sort_unstable();
        Keyed {
            chars: cs.len(),
            grams,
        }
    }
}

/// Character-bigram Dice similarity of two keys, with prefix agreement (an
/// entry cut short or a headline wrapped) counted high.
#[cfg(test)]
fn similarity(a: &str, b: &str) -> f32 {
    similar(a, &Keyed::of(a), b, &Keyed::of(b))
}

fn similar(a: &str, ka: &Keyed, b: &str, kb: &Keyed) -> f32 {
    if a == b {
        return 1.0;
    }
    let (short, long, ks, kl) = if ka.chars <= kb.chars {
        (a, b, ka, kb)
    } else {
        (b, a, kb, ka)
    };
    if ks.chars >= 8 && long.starts_with(short) {
        return 0.9;
    }
    // Dice cannot reach 0.6 between keys of very different lengths.
    if ks.chars < 2 || ks.chars * 10 < kl.chars * 4 {
        return 0.0;
    }
    let (ga, gb) = (&ks.grams, &kl.grams);
    let (mut i, mut j, mut common) = (0, 0, 0);
    while i < ga.len() && j < gb.len() {
        match ga[i].cmp(&gb[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    2.0 * common as f32 / (ga.len() + gb.len()).max(1) as f32
}

/// Whether a line could be a contents entry or a headline it names.
fn candidate(l: &Line) -> bool {
    // Wrapped prose (a line going on mid-sentence, or opening lower-case)
    // is no entry.
    l.width <= HEAD_MAX_COLS
        && l.ending != Ending::Continues
        && !l.text.starts_with(|c: char| c.is_lowercase())
        && l.credit.is_none()
        && l.inline.is_none()
        && l.caption.is_none()
        && !l.context.mail_block
        && !matches!(l.furniture, Some(f) if f != Furniture::Contents)
        && l.page_date.is_none()
}

/// A run of candidate entries: lines `start..end`, after a header or not.
struct Run {
    header: Option<usize>,
    start: usize,
    end: usize,
}

/// Runs of adjacent short lines (a blank line may separate the first entry
/// from its header).
fn runs(lines: &[Line], keys: &[String]) -> Vec<Run> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let header = lines[i].furniture == Some(Furniture::Contents);
        let start = if header { i + 1 } else { i };
        let mut j = start;
        while j < lines.len()
            && j - start < MAX_ENTRIES
            && candidate(&lines[j])
            && lines[j].furniture != Some(Furniture::Contents)
            && !keys[j].is_empty()
            && (j == start || lines[j].gap == 0)
        {
            j += 1;
        }
        if j - start >= 1 && (header || j - start >= 2) {
            out.push(Run {
                header: header.then_some(i),
                start,
                end: j,
            });
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    out
}

/// Finds the contents lists of a page and how well each later line agrees
/// with them.
pub(super) fn read(lines: &[Line]) -> Contents {
    let n = lines.len();
    let keys: Vec<String> = lines
        .iter()
        .map(|l| if candidate(l) { key(l) } else { String::new() })
        .collect();
    // Lines that may be the headlines a list names: no finished sentence.
    let headline_like: Vec<bool> = lines
        .iter()
        .map(|l| l.ending != Ending::Terminal || asks_or_exclaims(&l.text))
        .collect();
    // Where each key occurs last, for exact agreement anywhere.
    let mut last: HashMap<&str, usize> = HashMap::new();
    for (i, k) in keys.iter().enumerate() {
        if k.chars().count() >= 2 && headline_like[i] {
            last.insert(k.as_str(), i);
        }
    }
    let mut out = Contents {
        in_list: vec![false; n],
        agreement: vec![0.0; n],
        sub_entry: vec![false; n],
        present: false,
        reliable: false,
    };
    // Bigrams of the lines compared fuzzily, read once, when first needed.
    let mut keyed: Vec<Option<Keyed>> = (0..n).map(|_| None).collect();
    for run in runs(lines, &keys) {
        // Fuzzy agreement is looked for under a contents header, or where
        // an entry already agrees word for word, near the page top.
        let exact =
            (run.start..run.end).any(|e| last.get(keys[e].as_str()).is_some_and(|&j| j >= run.end));
        let fuzzy = run.start < FUZZY_TOP_LINES && (run.header.is_some() || exact);
        let later: Vec<usize> = (run.end..n)
            .filter(|&j| !keys[j].is_empty() && headline_like[j])
            .take(if fuzzy { FUZZY_CANDIDATES } else { 0 })
            .collect();
        for &j in later
            .iter()
            .chain(&(run.start..run.end).collect::<Vec<_>>())
        {
            if keyed[j].is_none() {
                keyed[j] = Some(Keyed::of(&keys[j]));
            }
        }
        let mut agreeing = 0;
        let mut best_for_line: Vec<(usize, f32, bool)> = Vec::new();
        for e in run.start..run.end {
            let k = keys[e].as_str();
            let sub = lines[e].numbering.is_some_and(|n| n.scheme == 8);
            let mut entry_agrees = false;
            if let Some(&j) = last.get(k) {
                if j >= run.end {
                    best_for_line.push((j, 1.0, sub));
                    entry_agrees = true;
                }
            }
            let (Some(ke), true) = (&keyed[e], fuzzy) else {
                agreeing += usize::from(entry_agrees);
                continue;
            };
            for &j in &later {
                let Some(kj) = &keyed[j] else { continue };
                let s = similar(k, ke, &keys[j], kj);
                if s >= 0.6 {
                    best_for_line.push((j, s, sub));
                    entry_agrees |= s >= AGREES;
                }
            }
            agreeing += usize::from(entry_agrees);
        }
        let entries = run.end - run.start;
        // After a header, a numbered or bulleted run is the list even when
        // it summarises the stories in other words.
        let listed =
            (run.start..run.end).all(|e| lines[e].numbering.is_some() || lines[e].bullet > 0);
        // Leader dots and page numbers are a contents list's own shape: two
        // such entries make a list, one makes a list of a run just below
        // another list (a supplement listed under the contents).
        let leaders = (run.start..run.end)
            .filter(|&e| ends_with_leader(&lines[e].text))
            .count();
        let below_list = run
            .start
            .checked_sub(2)
            .is_some_and(|p| out.in_list[p] || out.in_list[p + 1]);
        let is_list = if run.header.is_some() {
            agreeing >= 1 || (listed && entries >= 2) || leaders >= 1
        } else {
            (agreeing >= 2 && agreeing * 2 >= entries)
                || leaders >= 2
                || (leaders >= 1 && below_list)
        };
        if is_list && agreeing * 10 >= entries * 7 {
            out.reliable = true;
        }
        if !is_list {
            continue;
        }
        out.present = true;
        if let Some(h) = run.header {
            out.in_list[h] = true;
        }
        for flag in &mut out.in_list[run.start..run.end] {
            *flag = true;
        }
        for (j, s, sub) in best_for_line {
            if s > out.agreement[j] {
                out.agreement[j] = s;
                out.sub_entry[j] = sub;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_ignore_numbering_leaders_and_contributors() {
        let page = "1. Water butts at the top gate (Dan Ferris)\n２．城区新增口袋公园；\nBudget passes ....... 3\n";
        let lines = super::super::lines::read(page, false);
        let keys: Vec<String> = lines.iter().map(key).collect();
        assert_eq!(
            keys,
            ["waterbuttsatthetopgate", "城区新增口袋公园", "budgetpasses"]
        );
    }

    #[test]
    fn similarity_counts_near_matches() {
        assert_eq!(similarity("abc", "abc"), 1.0);
        assert!(
            similarity(
                "councilapprovesnewwatermains",
                "councilapprovesnewwatermain"
            ) > 0.8
        );
        assert!(similarity("libraryreopens", "bridgecloses") < 0.3);
    }

    #[test]
    fn a_list_repeating_later_headlines_is_contents() {
        let page = "Contents:\nLibrary reopens\nBridge closes\n\nLIBRARY REOPENS\n\nThe library reopened.\n\nBridge closes\n\nThe bridge closed.\n\nA subheading here\n\nText.\n";
        let lines = super::super::lines::read(page, false);
        let c = read(&lines);
        assert!(c.present);
        let flags: Vec<(bool, bool)> = c
            .in_list
            .iter()
            .zip(&c.agreement)
            .map(|(&l, &a)| (l, a >= AGREES))
            .collect();
        assert_eq!(
            flags,
            [
                (true, false),
                (true, false),
                (true, false),
                (false, true),
                (false, false),
                (false, true),
                (false, false),
                (false, false),
                (false, false),
            ]
        );
    }
}
