//! Credits, bylines and photo captions.
//!
//! A credit names who wrote an article and in what role; it is kept as
//! structured [`Author`]s and removed from the body. Shapes understood:
//! `□XX日报记者/某某`, `通讯员/某甲 某乙`, `本报记者 某某`, `記者王小明／台北報導`,
//! inline `XX日报讯（记者/… 通讯员/…）`, `本报讯`, `新华社北京12月7日电（记者 …）`,
//! `【新华社…电】`, `XX网消息：`, `分析师：NAME　执业证书编号：…`, an expert's
//! `单位　主治医师　NAME`, `（来源：新华社）`, desk credits naming no author
//! (`（供稿：…　审核：…）`), English `By NAME[, affiliation]`, `Posted by NAME
//! in Desk · date`, `NAME, Staff Writer`, `Reporting by …`, `Words by NAME |
//! Photography by NAME`, and wire datelines `WASHINGTON (AP) —`. A job title
//! before a name (`家政指導員　NAME`) and a unit's name (`供銷部`) are not
//! names.
//!
//! Photographers (`摄`, `供图`, `Photo:`) are never authors: their lines are
//! captions, and the photographer is the caption's credit.
//!
//! The shapes live in one file per family, each with its own patterns:
//! `chinese.rs` (role words and names), `inline.rs` (credits that open a
//! paragraph: news flashes, dispatches, datelines), `english.rs` (By-lines
//! and source lines), `caption.rs` (photo captions). This file holds the
//! [`Credit`] they return, the known agencies and the two entry points,
//! [`find`] and [`find_line`].

mod caption;
mod chinese;
mod english;
mod inline;
#[cfg(test)]
mod tests;

use regex::Regex;

pub(crate) use caption::caption;
pub(crate) use chinese::is_unit_name;
pub(crate) use english::{dash_signoff, job_title_line};

use crate::model::Author;

/// The longest line that can be a stand-alone credit.
const MAX_CREDIT_LINE_CHARS: usize = 80;

/// The longest web page meta line taken for a credit, its fields set off
/// by `·` or `|` (`Posted by A and B in Desk · date · 5 min read`).
const MAX_META_LINE_CHARS: usize = 100;

/// A credit found on a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Credit {
    /// Who is credited, in order.
    pub authors: Vec<Author>,
    /// Body text that follows an inline credit on the same line (empty for
    /// a stand-alone credit line).
    pub rest: String,
    /// The credit text itself (what was removed), for `--explain`.
    pub prefix: String,
    /// Which credit shape matched, for `--explain`.
    pub why: &'static str,
}

/// Known wire services: credited as [`Role::Agency`].
const AGENCIES: &[&str] = &[
    "新华社",
    "新華社",
    "中新社",
    "中新网",
    "中新網",
    "中央社",
    "美联社",
    "美聯社",
    "路透社",
    "法新社",
    "共同社",
    "塔斯社",
    "韩联社",
    "韓聯社",
    "AP",
    "Associated Press",
    "The Associated Press",
    "Reuters",
    "AFP",
    "Agence France-Presse",
    "Xinhua",
    "UPI",
    "Bloomberg",
    "PA",
    "Press Association",
    "dpa",
    "CNA",
    "Kyodo",
    "Yonhap",
];

/// `本报`, `本台`, `本刊`, `本网`: the paper or station itself, credited as
/// no one.
fn is_own_paper(source: &str) -> bool {
    matches!(
        source,
        "本报" | "本報" | "本台" | "本刊" | "本网" | "本網" | "本站"
    )
}

fn is_agency(name: &str) -> bool {
    AGENCIES.iter().any(|a| a.eq_ignore_ascii_case(name))
}

/// `re.captures(s)`, but asking `is_match` first: most lines match none
/// of the credit shapes, and a failed `is_match` costs no allocation.
pub(crate) fn captures<'h>(re: &Regex, s: &'h str) -> Option<regex::Captures<'h>> {
    if re.is_match(s) {
        re.captures(s)
    } else {
        None
    }
}

/// Finds a credit on a cleaned line: a whole credit line, or an inline
/// credit at the start of a paragraph (`rest` then holds the paragraph).
pub(crate) fn find(line: &str) -> Option<Credit> {
    if line.starts_with(['文', '图', '圖', '摄', '攝', '撰']) {
        if let Some(c) = chinese::slash_byline(line) {
            return Some(c);
        }
    }
    inline::opening_credit(line)
}

/// Finds a stand-alone credit line (the whole line is the credit).
pub(crate) fn find_line(line: &str) -> Option<Credit> {
    if line.len() > MAX_META_LINE_CHARS * 4 {
        return None;
    }
    let chars = line.chars().count();
    let meta = chars <= MAX_META_LINE_CHARS && line.contains(['·', '|']);
    if chars > MAX_CREDIT_LINE_CHARS && !meta {
        return None;
    }
    if !line.chars().any(|c| c as u32 >= 0x2e80) {
        if let Some(c) = english::english_credit_line(line) {
            return Some(c);
        }
    }
    if caption(line).is_some() {
        return None;
    }
    if line.starts_with(['（', '(']) {
        if let Some(c) = chinese::source_note(line) {
            return Some(c);
        }
    }
    chinese::chinese_credit_line(line).or_else(|| chinese::expert_line(line))
}
