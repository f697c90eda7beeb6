//! Photo captions and their credits. Photographers (`摄`, `供图`, `Photo:`,
//! `(AP Photo/NAME)`) are never authors: their lines are captions, and the
//! photographer is the caption's credit.

use std::sync::LazyLock;

use regex::Regex;

use super::captures;
use super::chinese::is_slash;
use super::english::{CLASS_YEAR, EN_NAME};

// Every `expect("static regex")` below is on a fixed pattern that this
// module's unit tests compile and run, so it cannot fail at run time.

/// Photographer markers that end a caption (`…供图`, `张三 摄`).
static CAPTION_TAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?:(?:记者|記者|通讯员|通訊員)?\s*([^。！？!?\s（(]{0,20}?(?:[（(][^）)]{1,12}[）)][^。！？!?\s（(]{0,12}?)?)\s*[/／∕]?\s*)?",
        r"(供图|供圖|摄影|攝影|摄|攝|图|圖)\s*[）)]?$"
    ))
    .expect("static regex")
});

/// A date after a Chinese photo credit, set off by a space (`攝　113年3月5日`).
static CAPTION_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:摄|攝|供图|供圖)([\s\u{3000}]+(?:[0-9]{2,4}(?:年|[./-]))?[0-9]{1,2}(?:月|[./-])[0-9]{1,2}日?)$")
        .expect("static regex")
});

static CAPTION_HEAD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^(?:[△▲▼▽↑↓←→◀▶]|图为|圖為|图片[:：]|圖片[:：]|图[:：]|圖[:：]|上图|下图|左图|右图|上圖|下圖|左圖|右圖|",
        r"(?i:photo|photograph|picture|pictured|image|caption|above|below|left|right|top|inset)\s*[:：])"
    ))
    .expect("static regex")
});

static EN_PHOTO_CREDIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        concat!(
            r"(?:\(|\[|—\s*|-\s*|(?-u:\b))(?:(?:AP|Reuters|AFP|Getty Images|Xinhua|PA|EPA|Staff)\s+)?",
            r"(?i:photo|picture|image|photograph|credit)(?:\s+by|\s+courtesy\s+of|\s*[:：/])\s*",
            r"({EN_NAME}(?:\s*/\s*[\p{{L}} .]+)?)\s*[)\]]?\.?$"
        ),
        EN_NAME = EN_NAME
    ))
    .expect("static regex")
});

/// The words every English photo credit contains: a cheap literal search
/// before the full pattern.
static PHOTO_WORD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)photo|picture|image|credit").expect("static regex"));

/// `（記者王小明攝）文昌公園…`: a caption opening with its photo credit.
static LEADING_PHOTO_CREDIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[（(]\s*(?:记者|記者|通讯员|通訊員)?\s*([^（）()]{1,20}?)\s*[/／∕]?\s*(?:摄影|攝影|摄|攝|供图|供圖)\s*[）)]")
        .expect("static regex")
});

/// `（家政班班員專心學習包粽。攝影∕許志明）`: a bracketed caption whose
/// sentence ends before the photographer's role and name.
static TRAILING_PHOTO_CREDIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[（(].{2,80}?[。！？，]\s*(?:摄影|攝影|摄|攝|图|圖)\s*[/／∕：:]\s*(\p{Han}{2,4})\s*[）)]$")
        .expect("static regex")
});

/// Whether a cleaned line is a photo caption; `Some(credit)` if it is, with
/// the photographer or supplier when the caption names one.
pub(crate) fn caption(line: &str) -> Option<Option<String>> {
    if line.bytes().any(|b| b.is_ascii_alphabetic()) && PHOTO_WORD.is_match(line) {
        // `Photo by Mei Lin Tso ’15`: a class year is not part of the name.
        let plain = CLASS_YEAR.replace_all(line, "");
        if let Some(c) = EN_PHOTO_CREDIT.captures(&plain) {
            return Some(c.get(1).map(|m| m.as_str().trim().to_owned()));
        }
    }
    if line.starts_with(['（', '(']) {
        if let Some(c) = LEADING_PHOTO_CREDIT.captures(line) {
            return Some(c.get(1).map(|m| m.as_str().trim().to_owned()));
        }
        if let Some(c) = TRAILING_PHOTO_CREDIT.captures(line) {
            return Some(c.get(1).map(|m| m.as_str().to_owned()));
        }
    }
    let head_mark = line.starts_with(|c: char| {
        c.is_ascii_alphabetic()
            || matches!(
                c,
                '△' | '▲'
                    | '▼'
                    | '▽'
                    | '↑'
                    | '↓'
                    | '←'
                    | '→'
                    | '◀'
                    | '▶'
                    | '图'
                    | '圖'
                    | '上'
                    | '下'
                    | '左'
                    | '右'
            )
    });
    if head_mark && CAPTION_HEAD.is_match(line) {
        return Some(None);
    }
    // `…中央社記者蔡孟婷攝　113年3月5日`: the date the photo was taken.
    let line = if line.ends_with(|c: char| c == '日' || c.is_ascii_digit()) {
        CAPTION_DATE
            .captures(line)
            .and_then(|c| c.get(1))
            .map_or(line, |m| &line[..m.start()])
    } else {
        line
    };
    // Cheap pre-check for the Chinese tails.
    if !line.ends_with(['供', '图', '圖', '摄', '攝', '影', ')', '）']) {
        return None;
    }
    let c = captures(&CAPTION_TAIL, line)?;
    let marker = c.get(2)?.as_str();
    let credit = c
        .get(1)
        .map(|m| m.as_str().trim().trim_end_matches(is_slash).trim())
        // `中央社記者蔡孟婷`: the agency and role before the name.
        .map(|s| {
            ["记者", "記者"]
                .iter()
                .find_map(|r| s.split_once(r).map(|(_, name)| name.trim()))
                .unwrap_or(s)
        })
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    // A lone `图`/`圖` is a caption tail only as `张三/图` or `（张三 图）`.
    if matches!(marker, "图" | "圖") && !line.contains(['/', '／', '∕', '（', '(']) {
        return None;
    }
    // `…用相机拍摄` is prose, not a photographer credit.
    let before = &line[..c.get(2)?.start()];
    if before.ends_with(['拍', '摄', '攝']) {
        return None;
    }
    Some(credit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pattern_compiles() {
        LazyLock::force(&CAPTION_TAIL);
        LazyLock::force(&CAPTION_DATE);
        LazyLock::force(&CAPTION_HEAD);
        LazyLock::force(&EN_PHOTO_CREDIT);
        LazyLock::force(&PHOTO_WORD);
        LazyLock::force(&LEADING_PHOTO_CREDIT);
        LazyLock::force(&TRAILING_PHOTO_CREDIT);
    }
}
