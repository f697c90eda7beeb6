//! Lexical cohesion across a possible boundary, in the spirit of
//! TextTiling: how much vocabulary the text just above a line shares with
//! the text from it on. Two stories share little; a subheading sits inside
//! one story and the words on both sides of it agree.
//!
//! Words are lower-cased Latin words of three letters or more (a short stop
//! list removed) and, for Chinese, pairs of adjacent Han characters. Each
//! side of a boundary is a window of at most [`WINDOW_TOKENS`] tokens, so
//! the cost is linear in the page.

use super::joins::{self, Flow};
use super::lines::Line;
use super::measure::{is_cjk, is_han};

/// Tokens on each side of a boundary.
const WINDOW_TOKENS: usize = 48;

/// Tokens taken from one line: a window never needs more.
const LINE_TOKENS: usize = 64;

/// Lines on each side of a boundary, at most.
const WINDOW_LINES: usize = 10;

/// English words too common to say anything about a topic (sorted, for a
/// binary search).
const STOP_WORDS: &[&str] = &[
    "about", "after", "all", "also", "and", "any", "are", "been", "but", "can", "could", "for",
    "from", "had", "has", "have", "her", "his", "into", "its", "just", "last", "like", "may",
    "more", "new", "not", "now", "one", "only", "other", "our", "out", "over", "said", "she",
    "some", "than", "that", "the", "their", "them", "then", "there", "they", "this", "two", "was",
    "were", "what", "when", "which", "who", "will", "with", "would", "year", "you", "your",
];

/// FNV-1a over bytes: a cheap, stable token hash.
fn hash(bytes: impl Iterator<Item = u8>) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in bytes {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// A Latin plural's singular, roughly (`noses` → `nose`, not `class`, `bus`
/// or `this`): a story says `red noses` under `Red Nose Day`.
fn singular(word: &str) -> &str {
    let plural = word.len() >= 4
        && word.ends_with('s')
        && !word.ends_with("ss")
        && !word.ends_with("us")
        && !word.ends_with("is");
    if plural {
        &word[..word.len() - 1]
    } else {
        word
    }
}

/// The tokens of one line, hashed.
fn tokens(text: &str, out: &mut Vec<u32>) {
    let limit = out.len() + LINE_TOKENS;
    let mut word = String::new();
    let mut prev_han: Option<char> = None;
    let flush = |word: &mut String, out: &mut Vec<u32>| {
        if word.len() >= 3 && STOP_WORDS.binary_search(&word.as_str()).is_err() {
            out.push(hash(singular(word).bytes()));
        }
        word.clear();
    };
    for c in text.chars() {
        if out.len() >= limit {
            break;
        }
        if is_han(c) {
            flush(&mut word, out);
            if let Some(p) = prev_han {
                let pair = (u64::from(p as u32) << 32) | u64::from(c as u32);
                out.push(hash(pair.to_le_bytes().into_iter()) | 1);
            }
            prev_han = Some(c);
            continue;
        }
        prev_han = None;
        if c.is_ascii_alphanumeric() {
            word.push(c.to_ascii_lowercase());
        } else if !c.is_ascii() && !is_cjk(c) && c.is_alphanumeric() {
            word.extend(c.to_lowercase());
        } else {
            flush(&mut word, out);
        }
    }
    flush(&mut word, out);
}

/// Cosine similarity of two sorted token lists.
fn cosine(a: &[u32], b: &[u32]) -> f32 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let counts = |v: &[u32]| -> Vec<(u32, u32)> {
        let mut out: Vec<(u32, u32)> = Vec::new();
        for &t in v {
            match out.last_mut() {
                Some((last, n)) if *last == t => *n += 1,
                _ => out.push((t, 1)),
            }
        }
        out
    };
    let (ca, cb) = (counts(a), counts(b));
    let norm = |c: &[(u32, u32)]| c.iter().map(|&(_, n)| f64::from(n * n)).sum::<f64>().sqrt();
    let (mut i, mut j, mut dot) = (0, 0, 0f64);
    while i < ca.len() && j < cb.len() {
        match ca[i].0.cmp(&cb[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                dot += f64::from(ca[i].1 * cb[j].1);
                i += 1;
                j += 1;
            }
        }
    }
    (dot / (norm(&ca) * norm(&cb))) as f32
}

/// The tokens of each line, read once, when first needed. Furniture,
/// credits and mail headers carry no topic: theirs are empty.
pub(super) struct Tokens<'p, 'a> {
    lines: &'p [Line<'a>],
    per_line: Vec<Option<Vec<u32>>>,
}

impl<'p, 'a> Tokens<'p, 'a> {
    pub(super) fn new(lines: &'p [Line<'a>]) -> Self {
        Tokens {
            lines,
            per_line: vec![None; lines.len()],
        }
    }

    fn of(&mut self, k: usize) -> &[u32] {
        let lines = self.lines;
        self.per_line[k].get_or_insert_with(|| {
            let l = &lines[k];
            let mut t = Vec::new();
            if l.furniture.is_none() && l.credit.is_none() && !l.context.mail_block {
                tokens(&l.text, &mut t);
            }
            t
        })
    }
}

/// Cohesion across the boundary above each line that `wanted` selects
/// (`None` elsewhere, and where either side has too few words to judge).
pub(super) fn across(words: &mut Tokens, wanted: &[bool]) -> Vec<Option<f32>> {
    let n = words.lines.len();
    let mut out = vec![None; n];
    let mut above: Vec<u32> = Vec::new();
    let mut below: Vec<u32> = Vec::new();
    for i in 1..n {
        if !wanted[i] {
            continue;
        }
        above.clear();
        for k in (i.saturating_sub(WINDOW_LINES)..i).rev() {
            if above.len() >= WINDOW_TOKENS {
                break;
            }
            above.extend_from_slice(words.of(k));
        }
        below.clear();
        for k in i..(i + WINDOW_LINES).min(n) {
            if below.len() >= WINDOW_TOKENS {
                break;
            }
            below.extend_from_slice(words.of(k));
        }
        if above.len() < 6 || below.len() < 6 {
            continue;
        }
        above.sort_unstable();
        below.sort_unstable();
        out[i] = Some(cosine(&above, &below));
    }
    out
}

/// The share of the tokens of line `i` that recur in the lines just below
/// it (`None` when the line has too few tokens): a banner that names the
/// topic of the story under it shares its words.
pub(super) fn topical(lines: &[Line], i: usize) -> Option<f32> {
    let mut own = Vec::new();
    tokens(&lines[i].text, &mut own);
    if own.len() < 2 {
        return None;
    }
    let mut below = Vec::new();
    for l in lines[i + 1..].iter().take(WINDOW_LINES) {
        if below.len() >= WINDOW_TOKENS * 2 {
            break;
        }
        tokens(&l.text, &mut below);
    }
    below.sort_unstable();
    let shared = own
        .iter()
        .filter(|t| below.binary_search(t).is_ok())
        .count();
    Some(shared as f32 / own.len() as f32)
}

/// A fact-box field (`Effective: Monday, June 10`, `Where: Town Hall`,
/// `来源：新华社`): a short label and a colon, no sentence.
pub(super) fn field_line(t: &str) -> bool {
    // `来源：新华社`: a label of two to four Han characters.
    if let Some((label, value)) = t.split_once('：') {
        let n = label.chars().count();
        return (2..=4).contains(&n)
            && label.chars().all(|c| is_cjk(c) && c.is_alphabetic())
            && !value.trim_end().ends_with('。');
    }
    let Some((label, value)) = t.split_once(':') else {
        return false;
    };
    let words: Vec<&str> = label.split_whitespace().collect();
    (1..=2).contains(&words.len())
        && label.starts_with(|c: char| c.is_uppercase())
        && words.iter().all(|w| {
            w.chars()
                .all(|c| c.is_alphabetic() || matches!(c, '\'' | '’'))
        })
        && !value.trim_end().ends_with('.')
}

/// Lines below a heading searched for the story it heads.
const STORY_SEARCH_LINES: usize = 16;

/// Lines of running text a heading is compared with.
const STORY_LINES: usize = 4;

/// How many of the tokens of heading-shaped line `i` recur in the
/// running text below it, and how many it has, past the rest of its stack, credits and
/// furniture (`None` when the line has too few tokens or no text follows):
/// a headline names its story, a masthead or an advert does not.
pub(super) fn heads_story(
    words: &mut Tokens,
    i: usize,
    shaped: &[bool],
    flow: Flow,
) -> Option<(usize, usize)> {
    let lines = words.lines;
    let own: Vec<u32> = words.of(i).to_vec();
    if own.len() < 2 {
        return None;
    }
    let mut below = Vec::new();
    let mut taken = 0;
    for (k, l) in lines
        .iter()
        .enumerate()
        .skip(i + 1)
        .take(STORY_SEARCH_LINES)
    {
        if taken >= STORY_LINES || below.len() >= WINDOW_TOKENS * 2 {
            break;
        }
        let apparatus = l.furniture.is_some()
            || l.is_credit()
            || l.context.job_title
            || l.caption.is_some()
            || l.context.mail_block
            || field_line(&l.text);
        if apparatus {
            continue;
        }
        // A heading-shaped line that runs on into the next is prose.
        let runs_on = lines
            .get(k + 1)
            .is_some_and(|n| joins::continues(l, n, n.gap, flow).is_some());
        if shaped[k] && !runs_on && (taken == 0 || l.gap > 0) {
            if taken > 0 {
                // The next heading: the story has ended.
                break;
            }
            // The rest of the headline stack.
            continue;
        }
        below.extend_from_slice(words.of(k));
        taken += 1;
    }
    if below.is_empty() {
        return None;
    }
    below.sort_unstable();
    let shared = own
        .iter()
        .filter(|t| below.binary_search(t).is_ok())
        .count();
    Some((shared, own.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_words_are_sorted() {
        assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn a_new_story_shares_fewer_words_than_a_subheading() {
        let page = "\
Bridge repairs begin

Engineers began bridge repairs on Monday. The bridge deck and bridge bearings
will be replaced, and bridge traffic will use one lane during the repairs.

Traffic plans

Bridge traffic will follow detours while engineers replace the bridge deck.
The repairs to the bearings of the bridge will take three weeks in all.

Library opens on Sundays

The central library opens on Sunday afternoons from April, the library board
decided. Library volunteers will staff the reading rooms and the library shop.
";
        let lines = super::super::lines::read(page, false);
        let wanted = vec![true; lines.len()];
        let c = across(&mut Tokens::new(&lines), &wanted);
        let at = |t: &str| {
            let i = lines.iter().position(|l| l.text == t).expect("line");
            c[i].expect("enough words")
        };
        assert!(at("Traffic plans") > at("Library opens on Sundays") + 0.1);
    }
}
