//! Dates a bulletin gives for itself: printed on the page (`2022年12月9日
//! 星期五`, `Friday, December 9, 2022`), in the file name
//! (`2022-12-09-page.txt`, `20221209.txt`), or in front matter and JSON
//! (`2022-12-09`, RFC 3339).

use std::sync::LazyLock;

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use regex::Regex;

use crate::model::Dated;

/// The longest line that can still be a page header carrying a date; longer
/// lines are prose that happens to mention a day.
const MAX_DATE_LINE_CHARS: usize = 80;

/// What may remain of a date line besides the date (paper name, page number,
/// edition) for it still to be a header rather than a sentence.
const MAX_DATE_LINE_REST_CHARS: usize = 40;

// Every `expect("static regex")` below is on a fixed pattern that this
// module's unit tests compile and run, so it cannot fail at run time.

static FILE_NAME_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^0-9])((?:19|20)\d{2})[-_.]?(\d{2})[-_.]?(\d{2})(?:[^0-9]|$)")
        .expect("static regex")
});

static CJK_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:(民[国國])\s*(\d{2,3})|(\d{4}))\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号號]")
        .expect("static regex")
});

static EN_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)(?-u:\b)(?:(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})",
        r"|(\d{1,2})(?:st|nd|rd|th)?\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?,?\s+(\d{4}))(?-u:\b)"
    ))
    .expect("static regex")
});

static ISO_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)((?:19|20)\d{2})[-/.](\d{1,2})[-/.](\d{1,2})(?-u:\b)")
        .expect("static regex")
});

static WEEKDAY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)(?:星期|礼拜|禮拜|周|週)[一二三四五六日天]",
        r"|(?-u:\b)(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?(?-u:\b)\.?",
    ))
    .expect("static regex")
});

fn month_number(abbr: &str) -> Option<u32> {
    let m = match abbr.to_ascii_lowercase().get(..3)? {
        "jan" => 1,
        "feb" => 2,
        "mar" => 3,
        "apr" => 4,
        "may" => 5,
        "jun" => 6,
        "jul" => 7,
        "aug" => 8,
        "sep" => 9,
        "oct" => 10,
        "nov" => 11,
        "dec" => 12,
        _ => return None,
    };
    Some(m)
}

fn num(s: Option<regex::Match<'_>>) -> Option<u32> {
    s?.as_str().parse().ok()
}

/// A date in a file name: `2022-12-09-page.txt`, `20221209_a3.txt`.
pub(crate) fn from_file_name(file_name: &str) -> Option<Dated> {
    FILE_NAME_DATE.captures_iter(file_name).find_map(|c| {
        NaiveDate::from_ymd_opt(num(c.get(1))? as i32, num(c.get(2))?, num(c.get(3))?)
            .map(Dated::Day)
    })
}

/// The first date written anywhere in `s`, with the byte range it spans.
fn find_date(s: &str) -> Option<(NaiveDate, std::ops::Range<usize>)> {
    if s.contains('年') {
        if let Some(c) = super::credit::captures(&CJK_DATE, s) {
            let year = match (c.get(2), c.get(3)) {
                (Some(roc), _) => roc.as_str().parse::<i32>().ok()? + 1911,
                (None, Some(y)) => y.as_str().parse().ok()?,
                _ => return None,
            };
            let d = NaiveDate::from_ymd_opt(year, num(c.get(4))?, num(c.get(5))?)?;
            return Some((d, c.get(0)?.range()));
        }
    }
    if let Some(c) = super::credit::captures(&EN_DATE, s) {
        let d = if let Some(m) = c.get(1) {
            NaiveDate::from_ymd_opt(
                num(c.get(3))? as i32,
                month_number(m.as_str())?,
                num(c.get(2))?,
            )
        } else {
            let m = c.get(5)?;
            NaiveDate::from_ymd_opt(
                num(c.get(6))? as i32,
                month_number(m.as_str())?,
                num(c.get(4))?,
            )
        }?;
        return Some((d, c.get(0)?.range()));
    }
    let c = super::credit::captures(&ISO_DATE, s)?;
    let d = NaiveDate::from_ymd_opt(num(c.get(1))? as i32, num(c.get(2))?, num(c.get(3))?)?;
    Some((d, c.get(0)?.range()))
}

/// `Aug. 2, 1936 – March 9, 2024`, `1941 – 2024`: a span of years (life
/// dates, a term of office), which dates no page.
fn is_date_span(line: &str) -> bool {
    let has_year = |s: &str| s.split(|c: char| !c.is_ascii_digit()).any(|d| d.len() == 4);
    [" – ", " — ", " - ", "–", "—"].iter().any(|dash| {
        line.split_once(dash)
            .is_some_and(|(a, b)| has_year(a) && has_year(b))
    })
}

/// The date of a page-header line (`2022年12月9日 星期五`, `Friday, December
/// 9, 2022`, `江门日报 2022年12月9日 A03`): a short line that is mostly a
/// date. Sentences that mention a day are not page dates.
pub(crate) fn page_date(line: &str) -> Option<NaiveDate> {
    if line.len() > MAX_DATE_LINE_CHARS * 4 || line.chars().count() > MAX_DATE_LINE_CHARS {
        return None;
    }
    if is_date_span(line) {
        return None;
    }
    // Full-width digits (`２０２２年１２月９日`) read as ASCII ones.
    let ascii;
    let line = if line.contains(|c: char| ('０'..='９').contains(&c)) {
        ascii = line
            .chars()
            .map(|c| match c {
                '０'..='９' => char::from_digit(c as u32 - '０' as u32, 10).unwrap_or(c),
                _ => c,
            })
            .collect::<String>();
        ascii.as_str()
    } else {
        line
    };
    // `中華民國九十八年三月六日`, `二〇〇八年四月九日`: Chinese numerals.
    let numerals;
    let line = if line.contains('年')
        && line.contains(|c: char| "〇零一二三四五六七八九十".contains(c))
    {
        numerals = cjk_numerals_to_digits(line);
        numerals.as_str()
    } else {
        line
    };
    // Cheap pre-check: every date form has a digit, and outside `年` dates
    // a four-digit year.
    let b = line.as_bytes();
    let year = b.windows(4).any(|w| w.iter().all(u8::is_ascii_digit));
    if !b.iter().any(u8::is_ascii_digit) || (!year && !line.contains('年')) {
        return None;
    }
    let (date, range) = find_date(line)?;
    let rest = format!("{}{}", &line[..range.start], &line[range.end..]);
    let rest = WEEKDAY.replace_all(&rest, "");
    if rest.ends_with(['。', '，', '.', ',', '：', ':']) && !rest.trim().is_empty() {
        return None;
    }
    let rest_chars = rest.chars().filter(|c| c.is_alphanumeric()).count();
    (rest_chars <= MAX_DATE_LINE_REST_CHARS).then_some(date)
}

/// Rewrites runs of Chinese numerals that count years, months or days
/// (before `年`, `月`, `日`) as ASCII digits: `九十八年` → `98年`,
/// `二〇〇八年` → `2008年`.
fn cjk_numerals_to_digits(s: &str) -> String {
    const DIGITS: &str = "〇一二三四五六七八九";
    let value = |run: &[char]| -> Option<String> {
        if run.contains(&'十') {
            let d = |c: char| DIGITS.chars().position(|x| x == c);
            let (tens, ones) = match run {
                ['十'] => (1, 0),
                ['十', o] => (1, d(*o)?),
                [t, '十'] => (d(*t)?, 0),
                [t, '十', o] => (d(*t)?, d(*o)?),
                _ => return None,
            };
            Some((tens * 10 + ones).to_string())
        } else {
            run.iter()
                .map(|&c| {
                    if c == '零' {
                        Some('0')
                    } else {
                        DIGITS
                            .chars()
                            .position(|x| x == c)
                            .and_then(|i| char::from_digit(i as u32, 10))
                    }
                })
                .collect()
        }
    };
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        let is_num = |c: char| "〇零一二三四五六七八九十".contains(c);
        if is_num(chars[i]) {
            let start = i;
            while i < chars.len() && is_num(chars[i]) {
                i += 1;
            }
            let run = &chars[start..i];
            match (chars.get(i), value(run)) {
                (Some('年' | '月' | '日' | '号' | '號'), Some(v)) => out.push_str(&v),
                _ => out.extend(run),
            }
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// A date as given by front matter or JSON: RFC 3339, `YYYY-MM-DD`,
/// `YYYY-MM-DD HH:MM[:SS]`, or a printed date.
pub(crate) fn parse_value(s: &str) -> Option<Dated> {
    let s = s.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(Dated::Exact(dt));
    }
    if let Ok(dt) = DateTime::parse_from_rfc2822(s) {
        return Some(Dated::Exact(dt));
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(Dated::Local(dt));
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Some(Dated::Day(d));
    }
    find_date(s).map(|(d, _)| Dated::Day(d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pattern_compiles() {
        LazyLock::force(&FILE_NAME_DATE);
        LazyLock::force(&CJK_DATE);
        LazyLock::force(&EN_DATE);
        LazyLock::force(&ISO_DATE);
        LazyLock::force(&WEEKDAY);
    }

    fn day(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    #[test]
    fn finds_dates_in_file_names() {
        let cases = [
            ("2022-12-09-jianghai-page.txt", day(2022, 12, 9)),
            ("20221209_a3.txt", day(2022, 12, 9)),
            ("page-2023_01_31.md", day(2023, 1, 31)),
            ("2022-13-40-bad.txt", None),
            ("page12345678901.txt", None),
            ("notes.md", None),
        ];
        for (name, want) in cases {
            assert_eq!(from_file_name(name), want.map(Dated::Day), "{name}");
        }
    }

    #[test]
    fn finds_page_dates() {
        let cases = [
            ("2022年12月9日 星期五", day(2022, 12, 9)),
            ("Aug. 2, 1936 – March 9, 2024", None),
            ("江门日报 2022年12月9日 星期五 A03 江海新闻", day(2022, 12, 9)),
            ("中華民國111年12月9日 星期五", day(2022, 12, 9)),
            ("Friday, December 9, 2022", day(2022, 12, 9)),
            ("THE RIVERTON COURIER | Fri. Dec. 9, 2022 | Page 3", day(2022, 12, 9)),
            ("9 December 2022", day(2022, 12, 9)),
            ("2022-12-09", day(2022, 12, 9)),
            ("２０２２年１２月９日　星期五", day(2022, 12, 9)),
            ("12月7日，国务院发布通知。", None),
            (
                "The council met on December 9, 2022, to discuss the budget for roads and schools next year.",
                None,
            ),
            ("2022年12月7日，国务院应对新型冠状病毒肺炎疫情联防联控机制综合组发布通知。", None),
            ("第3版", None),
            ("中華民國九十八年三月六日　星期五", day(2009, 3, 6)),
            ("二〇〇八年四月九日 星期三", day(2008, 4, 9)),
        ];
        for (line, want) in cases {
            assert_eq!(page_date(line), want, "{line}");
        }
    }

    #[test]
    fn parses_values() {
        let cases = [
            ("2022-12-09", true),
            ("2022-12-09T08:30:00+08:00", true),
            ("2022-12-09 08:30", true),
            ("Fri, 09 Dec 2022 08:30:00 +0800", true),
            ("yesterday", false),
        ];
        for (s, ok) in cases {
            assert_eq!(parse_value(s).is_some(), ok, "{s}");
        }
    }
}
