//! The page's own heads and closes: running heads at the top (and the
//! section label they give), heads repeated down the page with a changing
//! number (`- 3 -`, `Page 4 of 9`), and the closing of an official document
//! (issuing body over a date alone, then a publication note).

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use crate::parse::furniture::{self, Furniture};
use crate::parse::text::lines::Line;
use crate::parse::text::measure::{is_cjk, Ending};

// Every `expect("static regex")` below is on a fixed pattern that this
// module's unit tests compile and run, so it cannot fail at run time.

/// Lines at the top of the page searched for a running head.
const TOP_LINES: usize = 4;

/// The fields of a running head: the source line split at its wide gaps.
fn spread_fields(source: &str, raw: &str) -> Vec<String> {
    let fields: Vec<String> = raw
        .split('\t')
        .flat_map(|part| part.split("   "))
        .flat_map(|part| part.split('\u{3000}'))
        .map(crate::parse::clean::line)
        .filter(|f| !f.is_empty())
        .collect();
    if fields.is_empty() {
        vec![source.to_owned()]
    } else {
        fields
    }
}

/// The section a running head names: the label of a `第2版：要闻` field, or
/// the field next to the page number (`民聲日報  A11  兩岸新聞  …`), that
/// is a short name, not furniture and not a date.
fn running_head_label(fields: &[String]) -> Option<String> {
    let name = |f: &String| {
        f.chars().count() <= 30
            && !f.chars().any(|c| c.is_numeric())
            && f.chars().any(char::is_alphabetic)
            && furniture::classify(f).is_none()
            && crate::parse::date::page_date(f).is_none()
            && !is_weekday(f)
    };
    let is_page = |f: &str| furniture::classify(f) == Some(Furniture::PageNumber);
    let Some(page) = fields.iter().position(|f| is_page(f)) else {
        // `城事·民生　　责任编辑：高岚`: the page's name before its editors.
        let editor = fields
            .iter()
            .position(|f| furniture::classify(f) == Some(Furniture::Editor))?;
        return fields[..editor].iter().rev().find(|f| name(f)).cloned();
    };
    if let Some(own) = furniture::page_label(&fields[page]) {
        return Some(own.to_owned());
    }
    let after = fields.get(page + 1).filter(|f| name(f));
    let before = page
        .checked_sub(1)
        .and_then(|k| fields.get(k))
        .filter(|f| name(f));
    after.or(before).cloned()
}

/// A day of the week alone (`星期二`, `周二`, `Tuesday`).
fn is_weekday(f: &str) -> bool {
    const DAYS: &[&str] = &[
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    let t = f.trim();
    let cjk = ["星期", "礼拜", "禮拜", "周", "週"].iter().any(|p| {
        t.strip_prefix(p)
            .is_some_and(|d| d.chars().count() == 1 && "一二三四五六日天".contains(d))
    });
    cjk || DAYS.contains(&t.to_lowercase().as_str())
}

/// Marks running heads at the top of the page; returns the section label a
/// running head or a page line gives, if any.
pub(super) fn running_heads(input: &str, lines: &mut [Line]) -> Option<String> {
    let top = lines
        .iter()
        .position(|l| l.gap > 0)
        .unwrap_or(lines.len())
        .clamp(1, TOP_LINES)
        .min(lines.len());
    let mut label = None;
    let raws: Vec<&str> = if lines[..top].iter().any(|l| l.spread) {
        input.lines().take(lines[top - 1].no).collect()
    } else {
        Vec::new()
    };
    for l in &mut lines[..top] {
        if !l.spread {
            continue;
        }
        let Some(raw) = raws.get(l.no - 1) else {
            continue;
        };
        let fields = spread_fields(&l.source, raw);
        if fields.len() < 2 {
            continue;
        }
        l.context.running_head = true;
        if l.page_date.is_none() {
            l.page_date = fields.iter().find_map(|f| crate::parse::date::page_date(f));
        }
        if label.is_none() {
            label = running_head_label(&fields);
        }
    }
    label
        .or_else(|| {
            lines[..top].iter().find_map(|l| match l.furniture {
                Some(Furniture::PageNumber) => furniture::page_label(&l.text).map(str::to_owned),
                _ => None,
            })
        })
        .or_else(|| {
            // `SPORT 46`: a section name and the page number. A heading in
            // markup (`# Part 2`) is the author's structure, and no page is
            // numbered 0.
            lines[..top].iter_mut().find_map(|l| {
                if l.markup.is_heading() {
                    return None;
                }
                let (name, page) = l.text.rsplit_once(' ')?;
                let numbered = (1..=3).contains(&page.len())
                    && page.bytes().all(|b| b.is_ascii_digit())
                    && !page.starts_with('0');
                let named = (3..=30).contains(&name.len())
                    && name
                        .chars()
                        .all(|c| c.is_alphabetic() || c == ' ' || c == '&');
                (numbered && named).then(|| {
                    l.context.running_head = true;
                    name.to_owned()
                })
            })
        })
}

/// Widest line taken for a running head repeated down the page.
const REPEATED_HEAD_MAX_COLS: usize = 80;

/// Fewest lines between two prints of one running head.
const REPEATED_HEAD_MIN_APART: usize = 8;

/// The text of a line with each run of digits as `#`: running heads
/// repeat down the page with only their page number changing.
fn digits_blurred(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_digit() || ('０'..='９').contains(&c) {
            if !out.ends_with('#') {
                out.push('#');
            }
        } else if !c.is_whitespace() {
            out.push(c);
        }
    }
    out
}

/// Marks running heads printed at every page break of a long page (`·6·
/// 鹤川省人民政府公报 2021年第9期`, `A2 THE MILLBROOK COURIER …`): lines
/// with a number that recur far apart with only their numbers changed.
pub(super) fn repeated_heads(lines: &mut [Line]) {
    let mut seen: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, l) in lines.iter().enumerate() {
        let numbered = l
            .text
            .chars()
            .any(|c| c.is_ascii_digit() || ('０'..='９').contains(&c));
        // A heading in markup is the author's structure, not an export's
        // running head (`# Notice (B0097-00)`, `# Notice (B0097-01)`).
        if !numbered
            || l.markup.is_heading()
            || l.width > REPEATED_HEAD_MAX_COLS
            || l.ending == Ending::Terminal
            || l.mail.is_some()
        {
            continue;
        }
        let key = digits_blurred(&l.text);
        if key.chars().filter(|c| c.is_alphabetic()).count() >= 4 {
            seen.entry(key).or_default().push(i);
        }
    }
    for at in seen.values() {
        let apart = at
            .windows(2)
            .all(|w| w[1] - w[0] >= REPEATED_HEAD_MIN_APART);
        // The page number changes; a line repeated word for word is a
        // headline named again (a contents entry, a `Subject:`).
        let renumbered = at.iter().any(|&i| lines[i].text != lines[at[0]].text);
        if at.len() >= 2 && apart && renumbered {
            for &i in at {
                lines[i].context.running_head = true;
            }
        }
    }
}

/// Endings of the name of an issuing body (`…人民政府`, `…办公厅`).
const ISSUER_ENDINGS: &[&str] = &[
    "政府",
    "办公厅",
    "辦公廳",
    "办公室",
    "辦公室",
    "委员会",
    "委員會",
    "厅",
    "廳",
    "局",
    "部",
    "院",
    "委",
    "会",
    "會",
    "中心",
    "公司",
    "学校",
    "學校",
    "大学",
    "大學",
    "处",
    "處",
    "所",
    "署",
    "站",
];

/// A date alone: `2021年4月12日`, `二〇二一年四月十二日`.
static LONE_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[0-9〇零一二三四五六七八九]{4}\s*年\s*[0-9一二三四五六七八九十]{1,3}\s*月\s*[0-9一二三四五六七八九十]{1,3}\s*日$")
        .expect("static regex")
});

/// Marks the closings of official documents: the issuing body's name over
/// a date alone, and a publication note after them.
pub(super) fn official_closes(lines: &mut [Line]) {
    for i in 0..lines.len().saturating_sub(1) {
        let (l, n) = (&lines[i], &lines[i + 1]);
        let issuer = (3..=24).contains(&l.text.chars().count())
            && l.text.chars().all(|c| is_cjk(c) && c.is_alphabetic())
            && ISSUER_ENDINGS.iter().any(|e| l.text.ends_with(e));
        if issuer && n.gap == 0 && LONE_DATE.is_match(&n.text) {
            lines[i].context.official_close = true;
            lines[i + 1].context.official_close = true;
            if let Some(note) = lines.get_mut(i + 2) {
                let t: &str = &note.text;
                if t.starts_with(['（', '('])
                    && (t.contains("此件") || t.contains("公开") || t.contains("公開"))
                    && t.chars().count() <= 16
                {
                    note.context.official_close = true;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pattern_compiles() {
        LazyLock::force(&LONE_DATE);
    }
}
