//! Blocks read as a whole: e-mail header blocks, advertisements (a mark
//! such as `Sponsored`, or a line of goods and prices), and wire datelines
//! standing alone above their body (credited as the agency).

use std::sync::LazyLock;

use regex::Regex;

use crate::model::{Author, Role};
use crate::parse::credit::{self, Credit};
use crate::parse::text::lines::{blocks_between_gaps, Line, MailHeader};
use crate::parse::text::measure::width;

// Every `expect("static regex")` below is on a fixed pattern that this
// module's unit tests compile and run, so it cannot fail at run time.

/// Marks blocks of e-mail headers: two or more adjacent header lines, one
/// of them `From:`, `Subject:` or `Date:`.
pub(super) fn mail_blocks(lines: &mut [Line]) {
    let mut i = 0;
    while i < lines.len() {
        if lines[i].mail.is_none() {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < lines.len() && lines[j].gap == 0 && (lines[j].mail.is_some() || lines[j].indent) {
            j += 1;
        }
        let headers = lines[i..j].iter().filter(|l| l.mail.is_some()).count();
        let key = lines[i..j].iter().any(|l| {
            matches!(l.mail, Some(MailHeader::Subject | MailHeader::From(_)))
                || l.source.starts_with("Date:")
        });
        if headers >= 2 && key {
            for l in &mut lines[i..j] {
                l.context.mail_block = true;
            }
        }
        i = j;
    }
}

/// Marks of an advertisement.
static ADVERT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"Sponsored|SPONSORED|Advertisement|ADVERTISEMENT|Paid for by|【廣告】|【广告】|（广告）|（廣告）")
        .expect("static regex")
});

fn advert_mark(s: &str) -> bool {
    ADVERT.is_match(s) || price_list(s)
}

/// Fewest prices that make a line of goods an advert.
const ADVERT_MIN_PRICES: usize = 2;

/// A line of goods and prices, not a sentence (`KROGER — Fresh Fryers 49c
/// lb. — Coffee 79c lb. — Open Fri. Till 9`).
fn price_list(s: &str) -> bool {
    if s.len() > 200 || s.trim_end().ends_with(['.', '。']) {
        return false;
    }
    let b = s.as_bytes();
    let mut prices = 0;
    for (i, &c) in b.iter().enumerate() {
        let digit_after = b.get(i + 1).is_some_and(u8::is_ascii_digit);
        let digit_before = i > 0 && b[i - 1].is_ascii_digit();
        // `$39.95`; `49c ` (cents); `£3`, `€12`, `￥8` are multi-byte.
        let dollar = c == b'$' && digit_after;
        let cents =
            c == b'c' && digit_before && b.get(i + 1).is_none_or(|n| !n.is_ascii_alphanumeric());
        if dollar || cents {
            prices += 1;
        }
    }
    prices += ["£", "€", "￥", "¥"]
        .iter()
        .map(|m| s.matches(m).count())
        .sum::<usize>();
    prices >= ADVERT_MIN_PRICES
}

/// Marks advertisements and the blocks they are in.
pub(super) fn adverts(lines: &mut [Line]) {
    for block in blocks_between_gaps(lines, |l| l.gap) {
        if lines[block.clone()].iter().any(|l| advert_mark(&l.source)) {
            for l in &mut lines[block] {
                l.context.advert = true;
            }
        }
    }
}

/// A wire dateline alone on its line, the body following on the next:
/// `PANMUNJOM, Korea, Aug. 5 (UP)`, `WASHINGTON (AP)`.
static DATELINE_ALONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^[A-Z][A-Z.'’-]+(?:[ -][A-Z][A-Z.'’-]*){0,3}(?:,\s*[A-Z][A-Za-z.]*(?:\s[A-Z][A-Za-z.]*)?)?",
        r"(?:,?\s+[A-Z][a-z]{2,4}\.?\s+[0-9]{1,2})?\s*\(([A-Z][A-Za-z]{1,7})\)\s*[-—–_]*$"
    ))
    .expect("static regex")
});

/// Wire datelines standing alone above the body (`PANMUNJOM, Korea, Aug. 5
/// (UP)` / `—The first…`): credited as the agency, the dash dropped from
/// the next line.
pub(super) fn lone_datelines(lines: &mut [Line]) {
    for i in 0..lines.len().saturating_sub(1) {
        if lines[i].width > 60 || lines[i].credit.is_some() {
            continue;
        }
        let Some(c) = credit::captures(&DATELINE_ALONE, &lines[i].text) else {
            continue;
        };
        let Some(agency) = c.get(1).map(|m| m.as_str().to_owned()) else {
            continue;
        };
        lines[i].context.dateline_alone = true;
        lines[i].credit = Some(Credit {
            authors: vec![Author {
                name: agency,
                role: Role::Agency,
            }],
            rest: String::new(),
            prefix: lines[i].text.to_string(),
            why: "wire dateline on its own line",
        });
        let next = &mut lines[i + 1];
        if next.gap == 0 {
            let t = next
                .text
                .trim_start_matches(['—', '–', '-', '_'])
                .trim_start();
            if t.len() < next.text.len() {
                next.text = std::borrow::Cow::Owned(t.to_owned());
                next.width = width(&next.text);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pattern_compiles() {
        LazyLock::force(&DATELINE_ALONE);
        LazyLock::force(&ADVERT);
        assert!(DATELINE_ALONE.is_match("PANMUNJOM, Korea, Aug. 5 (UP)"));
        assert!(DATELINE_ALONE.is_match("WASHINGTON (AP)"));
        assert!(!DATELINE_ALONE.is_match("The council (AP) said"));
    }

    #[test]
    fn price_lists() {
        assert!(price_list(
            "KROGER — Fresh Fryers 49c lb. — Coffee 79c lb. — Open Fri. Till 9"
        ));
        assert!(!price_list("Gas rose from $3.10 to $3.45 a gallon."));
        assert!(!price_list("Tickets are $5."));
    }
}
