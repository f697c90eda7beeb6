//! Gold labels: what each line of a corpus page is, derived from its
//! golden. The lines that print an article's title (and kicker, banner,
//! deck) are its stack; its body runs from the line `body_starts` opens to
//! the line `body_ends` closes; inside it, subheadings, captions, credits
//! and furniture the golden names or a detector reports; outside, credits
//! naming its people, captions, furniture. A contents entry repeating a
//! title before the first article is contents.

use bulletind::parse::dev;

use super::golden::{Golden, GoldenArticle};
use super::Labels;

/// Lines after a headline within which its body must start for that
/// headline (and not an earlier contents entry repeating it) to be taken.
const BODY_WITHIN: usize = 14;

/// Text as compared: no white space, lower case.
fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Whether lines `i..i+k` (joined) read `want`, for the first `k` that does.
fn span_reading(page: &dev::Page, i: usize, want: &str, title: bool) -> Option<usize> {
    let want = norm(want);
    if want.is_empty() {
        return None;
    }
    let mut joined = String::new();
    for k in 0..4 {
        let l = page.lines.get(i + k)?;
        let piece = if title { &l.title } else { &l.text };
        if k == 0 && title && norm(&l.text) == want {
            return Some(1);
        }
        joined.push_str(&norm(piece));
        if joined == want {
            return Some(k + 1);
        }
        if !want.starts_with(&joined) {
            return None;
        }
    }
    None
}

/// Whether line text `t` is where a paragraph starting `prefix` starts.
fn starts_body(t: &str, prefix: &str) -> bool {
    let (t, p) = (norm(t), norm(prefix));
    !t.is_empty()
        && (t.starts_with(&p) || (p.starts_with(&t) && t.chars().count() >= 4) || t.contains(&p))
}

/// Whether line `j` is where a paragraph ending `suffix` ends (the suffix
/// may be wrapped from the line above).
fn ends_body(page: &dev::Page, j: usize, suffix: &str) -> bool {
    let (t, s) = (norm(&page.lines[j].text), norm(suffix));
    if t.is_empty() {
        return false;
    }
    if t.ends_with(&s) || (s.ends_with(&t) && t.chars().count() >= 4) || t.contains(&s) {
        return true;
    }
    j > 0 && s.ends_with(&t) && {
        let joined = norm(&page.lines[j - 1].text) + &t;
        joined.ends_with(&s) || s.ends_with(&joined)
    }
}

/// Every name a golden article credits.
fn names(a: &GoldenArticle) -> Vec<&str> {
    a.role_lists()
        .into_iter()
        .flat_map(|(_, _, names)| names.iter().map(String::as_str))
        .collect()
}

/// Where each golden article's headline is printed: (first line, lines).
fn find_titles(
    page: &dev::Page,
    golden: &Golden,
    problems: &mut Vec<String>,
) -> Vec<Option<(usize, usize)>> {
    let mut out = Vec::new();
    let mut cursor = 0;
    for a in &golden.articles {
        let candidates: Vec<(usize, usize)> = (cursor..page.lines.len())
            .filter_map(|i| span_reading(page, i, &a.title, true).map(|k| (i, k)))
            .collect();
        // The headline, not a contents entry repeating it: the candidate
        // its body follows soonest.
        let body_after = |i: usize| {
            (i..(i + BODY_WITHIN).min(page.lines.len()))
                .find(|&j| starts_body(&page.lines[j].text, &a.body_starts))
                .map(|j| j - i)
        };
        let chosen = candidates
            .iter()
            .filter_map(|&(i, k)| body_after(i + k).map(|d| (d, i, k)))
            .min_by_key(|&(d, i, _)| (d, std::cmp::Reverse(i)))
            .map(|(_, i, k)| (i, k))
            .or(candidates.first().copied());
        match chosen {
            Some((i, k)) => cursor = i + k,
            None => problems.push(format!("title not found: {:?}", a.title)),
        }
        out.push(chosen);
    }
    out
}

/// Labels the lines of a region outside any body: credits (detected, or
/// naming someone the article credits), captions, the rest furniture.
fn label_outside(
    page: &dev::Page,
    range: std::ops::Range<usize>,
    a: &GoldenArticle,
    gold: &mut [usize],
    lab: &Labels,
) {
    let credited = names(a);
    for j in range {
        let l = &page.lines[j];
        gold[j] =
            if a.captions.iter().any(|c| norm(c) == norm(&l.source)) || (l.caption && !l.credit) {
                lab.get("caption")
            } else if a.subheadings.iter().any(|s| norm(s) == norm(&l.title)) {
                lab.get("subheading")
            } else if l.credit
                || credited.iter().any(|n| l.source.contains(n)) && l.text.chars().count() <= 80
            {
                lab.get("credit")
            } else {
                lab.get("furniture")
            };
    }
}

/// Marks as credit the lines just above a headline stack (down to line
/// `floor`) that name someone the article credits: a `From:` header over
/// its `Subject:`.
fn mark_credit_above(
    page: &dev::Page,
    stack: usize,
    floor: usize,
    a: &GoldenArticle,
    gold: &mut [usize],
    lab: &Labels,
) {
    let credited = names(a);
    let mut j = stack;
    while j > floor && page.lines[j - 1].text.chars().count() <= 80 {
        j -= 1;
        let l = &page.lines[j];
        if credited.iter().any(|nm| l.source.contains(nm)) {
            gold[j] = lab.get("credit");
        }
        if gold[j] != lab.get("furniture") && gold[j] != lab.get("credit") {
            break;
        }
    }
}

/// Labels the lines of an article's body: subheadings, captions, credits
/// and furniture inside it, body the rest.
fn label_body(
    page: &dev::Page,
    golden: &Golden,
    a: &GoldenArticle,
    range: std::ops::RangeInclusive<usize>,
    gold: &mut [usize],
    lab: &Labels,
) {
    let (b, e) = (*range.start(), *range.end());
    for j in range {
        let l = &page.lines[j];
        let banned = j != b
            && golden
                .not_in_any_body
                .iter()
                .any(|s| norm(&l.text).contains(&norm(s)));
        gold[j] = if a
            .subheadings
            .iter()
            .any(|s| norm(s) == norm(&l.title) || norm(s) == norm(&l.text))
        {
            lab.get("subheading")
        } else if a.captions.iter().any(|c| {
            norm(c)
                == norm(
                    l.source
                        .trim_start_matches(['△', '▲', '▼', '▽', '↑', '↓', '←', '→', '◀', '▶'])
                        .trim_start(),
                )
        }) {
            lab.get("caption")
        } else if banned || (l.credit && j != b) {
            if l.credit {
                lab.get("credit")
            } else {
                lab.get("furniture")
            }
        } else if l.furniture && j != b && j != e {
            lab.get("furniture")
        } else {
            lab.get("body")
        };
    }
}

/// Where each article's headline stack is: (first line, line after it).
type Stacks = (Vec<Option<usize>>, Vec<Option<usize>>);

/// Labels the headline stacks: banner, kicker, headline, deck.
fn label_stacks(
    page: &dev::Page,
    golden: &Golden,
    titles: &[Option<(usize, usize)>],
    gold: &mut [usize],
    lab: &Labels,
) -> Stacks {
    let n = page.lines.len();
    let mut stack_start = vec![None; titles.len()];
    let mut stack_end = vec![None; titles.len()];
    let mut floor = 0;
    for (k, (a, t)) in golden.articles.iter().zip(titles).enumerate() {
        let Some((i, len)) = *t else { continue };
        // A banner or kicker sits between the previous headline and this one.
        let lowest = floor;
        floor = i + len;
        gold[i] = lab.get("headline");
        for g in &mut gold[i + 1..i + len] {
            *g = lab.get("headline+");
        }
        let mut top = i;
        if let Some(kicker) = &a.kicker {
            if let Some(j) = (i.saturating_sub(3).max(lowest)..i)
                .find(|&j| span_reading(page, j, kicker, false) == Some(i - j))
            {
                for g in &mut gold[j..i] {
                    *g = lab.get("kicker");
                }
                top = j;
            }
        }
        let applies = golden
            .section_applies_to
            .as_ref()
            .is_none_or(|v| v.contains(&k));
        if let (Some(section), true) = (&golden.section, applies) {
            if let Some(j) = (top.saturating_sub(3).max(lowest)..top).rev().find(|&j| {
                let t = norm(&page.lines[j].text);
                t == norm(section) || t.trim_matches(['【', '】', '[', ']']) == norm(section)
            }) {
                gold[j] = lab.get("section");
                top = j;
            }
        }
        let mut end = i + len;
        if let Some(deck) = &a.subtitle {
            if let Some(k) = (1..=4).find(|&k| {
                let joined: String = page.lines[end..(end + k).min(n)]
                    .iter()
                    .map(|l| norm(&l.text))
                    .collect();
                joined == norm(deck)
            }) {
                gold[end] = lab.get("subtitle");
                for g in &mut gold[end + 1..end + k] {
                    *g = lab.get("subtitle+");
                }
                end += k;
            }
        }
        stack_start[k] = Some(top);
        stack_end[k] = Some(end);
    }
    (stack_start, stack_end)
}

/// Labels what stands before the first article: contents entries
/// repeating its titles, else furniture.
fn label_prologue(
    page: &dev::Page,
    golden: &Golden,
    first_stack: usize,
    gold: &mut [usize],
    lab: &Labels,
) {
    for (j, l) in page.lines.iter().enumerate().take(first_stack) {
        let repeats = golden.articles.iter().any(|a| {
            let (t, w) = (norm(&a.title), norm(&l.title));
            w.chars().count() >= 2
                && (t == w || t.contains(&w) || w.contains(&t) || dice(&t, &w) >= 0.7)
        });
        if gold[j] == lab.get("furniture") && repeats && l.text.chars().count() <= 100 {
            gold[j] = lab.get("contents");
        }
    }
}

/// A story continued on another page: its first part ends at a jump line,
/// its second starts after a later jump line or repeated headline and ends
/// where its golden says. Returns (body start, jump-in line, body end).
fn continued_story(
    page: &dev::Page,
    a: &GoldenArticle,
    b: usize,
    next: usize,
) -> Option<(usize, usize, usize)> {
    let n = page.lines.len();
    let e2 = (next..n)
        .rev()
        .find(|&j| ends_body(page, j, &a.body_ends))?;
    let c = (next..e2)
        .rev()
        .find(|&j| page.lines[j].jump_in || norm(&page.lines[j].title) == norm(&a.title))?;
    Some((b, c, e2))
}

/// Labels an article's region below its stack, up to the next stack.
/// Returns the line its body ends on, or `None` if it was not found.
#[allow(clippy::too_many_arguments)]
fn label_region(
    page: &dev::Page,
    golden: &Golden,
    a: &GoldenArticle,
    region: std::ops::Range<usize>,
    claimed: &mut [bool],
    gold: &mut [usize],
    lab: &Labels,
    problems: &mut Vec<String>,
) -> Option<usize> {
    let (s_end, next) = (region.start, region.end);
    let b = region
        .clone()
        .find(|&j| starts_body(&page.lines[j].text, &a.body_starts));
    let e = region
        .clone()
        .rev()
        .find(|&j| ends_body(page, j, &a.body_ends));
    if let (Some(b), None) = (b, e) {
        if let Some((b, c, e2)) = continued_story(page, a, b, next) {
            label_outside(page, s_end..b, a, gold, lab);
            let out = (b..next)
                .rev()
                .find(|&j| page.lines[j].jump_out)
                .unwrap_or(next - 1);
            label_body(page, golden, a, b..=out, gold, lab);
            gold[c] = lab.get("furniture");
            // The jump head over the continued part.
            if c > 0
                && (gold[c - 1] == lab.get("furniture")
                    || page.lines[c - 1].title.chars().count() < 30)
            {
                gold[c - 1] = lab.get("furniture");
            }
            label_body(page, golden, a, c + 1..=e2, gold, lab);
            for flag in &mut claimed[c.saturating_sub(1)..=e2] {
                *flag = true;
            }
            return None;
        }
    }
    let (Some(b), Some(e)) = (b, e.filter(|&e| b.is_some_and(|b| e >= b))) else {
        problems.push(format!("body of {:?} not found", a.title));
        label_outside(page, region, a, gold, lab);
        return None;
    };
    // Lines of a story continued from another page keep their labels.
    let keep: Vec<(usize, usize)> = (0..page.lines.len())
        .filter(|&j| claimed[j])
        .map(|j| (j, gold[j]))
        .collect();
    label_outside(page, s_end..b, a, gold, lab);
    label_body(page, golden, a, b..=e, gold, lab);
    label_outside(page, e + 1..next, a, gold, lab);
    for (j, g) in keep {
        gold[j] = g;
    }
    Some(e)
}

/// Derives a gold label for every line from the golden.
pub(crate) fn gold_labels(
    page: &dev::Page,
    golden: &Golden,
    lab: &Labels,
) -> (Vec<usize>, Vec<String>) {
    let n = page.lines.len();
    let mut problems = Vec::new();
    let mut gold = vec![lab.get("furniture"); n];
    let titles = find_titles(page, golden, &mut problems);
    let (stack_start, stack_end) = label_stacks(page, golden, &titles, &mut gold, lab);
    let first_stack = stack_start.iter().flatten().copied().min().unwrap_or(n);
    label_prologue(page, golden, first_stack, &mut gold, lab);
    // The first article's credit printed above its headline.
    if let (Some(a0), Some(ns)) = (
        golden.articles.first(),
        stack_start.first().copied().flatten(),
    ) {
        mark_credit_above(page, ns, 0, a0, &mut gold, lab);
    }
    let mut claimed = vec![false; n];
    for (k, a) in golden.articles.iter().enumerate() {
        let (Some(s_end), Some(_)) = (stack_end[k], titles[k]) else {
            continue;
        };
        let next = stack_start[k + 1..]
            .iter()
            .flatten()
            .copied()
            .next()
            .unwrap_or(n)
            .max(s_end);
        let end = label_region(
            page,
            golden,
            a,
            s_end..next,
            &mut claimed,
            &mut gold,
            lab,
            &mut problems,
        );
        // The next article's credit printed above its headline (a `From:`
        // header over the `Subject:`): adjacent lines naming its people.
        if let (Some(e), Some(a2), Some(ns)) = (
            end,
            golden.articles.get(k + 1),
            stack_start.get(k + 1).copied().flatten(),
        ) {
            mark_credit_above(page, ns, e + 1, a2, &mut gold, lab);
        }
    }
    (gold, problems)
}

/// Character-bigram Dice similarity.
fn dice(a: &str, b: &str) -> f32 {
    let grams = |s: &str| -> Vec<(char, char)> {
        let c: Vec<char> = s.chars().collect();
        let mut g: Vec<(char, char)> = c.windows(2).map(|w| (w[0], w[1])).collect();
        g.sort_unstable();
        g
    };
    let (ga, gb) = (grams(a), grams(b));
    if ga.is_empty() || gb.is_empty() {
        return 0.0;
    }
    let mut common = 0;
    let mut j = 0;
    for g in &ga {
        while j < gb.len() && gb[j] < *g {
            j += 1;
        }
        if j < gb.len() && gb[j] == *g {
            common += 1;
            j += 1;
        }
    }
    2.0 * common as f32 / (ga.len() + gb.len()) as f32
}
