//! What a single line holds that marks it: an address to write to or call,
//! a lone item number in a rising run.

use super::super::lines::Line;

/// The number of a line that is nothing but an item number: one to three
/// digits, leading zeros allowed (`01`), or `No. 2`, `#3`.
fn item_number(l: &Line) -> Option<u32> {
    let t = l.text.trim();
    let t = t
        .strip_prefix("No.")
        .or_else(|| t.strip_prefix('#'))
        .unwrap_or(t)
        .trim();
    let mut n = 0u32;
    let mut count = 0;
    for c in t.chars() {
        let d = match c {
            '0'..='9' => c as u32 - '0' as u32,
            '０'..='９' => c as u32 - '０' as u32,
            _ => return None,
        };
        count += 1;
        if count > 3 {
            return None;
        }
        n = n * 10 + d;
    }
    (count > 0).then_some(n)
}

/// Per line: a lone item number that continues or starts a rising run of
/// at least two on the page (each one more than the last).
pub(super) fn item_marks(lines: &[Line]) -> Vec<bool> {
    let numbers: Vec<(usize, u32)> = lines
        .iter()
        .enumerate()
        .filter_map(|(i, l)| item_number(l).map(|n| (i, n)))
        .collect();
    let mut marks = vec![false; lines.len()];
    for (k, &(i, n)) in numbers.iter().enumerate() {
        let after = k > 0 && numbers[k - 1].1 + 1 == n;
        let before = numbers.get(k + 1).is_some_and(|&(_, m)| m == n + 1);
        marks[i] = after || before;
    }
    marks
}

/// Whether a line gives an address to write to, visit or call: an e-mail
/// address, a web or FTP address, or a phone number (`555-0142`,
/// `01632 960418`). Mastheads, subscription notes and footers do; stories
/// seldom.
pub(super) fn gives_contact(t: &str) -> bool {
    let b = t.as_bytes();
    let email = b.iter().enumerate().any(|(i, &c)| {
        c == b'@'
            && i > 0
            && b[i - 1].is_ascii_alphanumeric()
            && b[i + 1..]
                .iter()
                .take_while(|x| !x.is_ascii_whitespace())
                .any(|&x| x == b'.')
    });
    if email || t.contains("http") || t.contains("www.") || t.contains("ftp.") {
        return true;
    }
    has_phone_number(b)
}

/// Whether a text holds a phone number: seven digits or more in a run of
/// digits, spaces and dashes with one to three separators, standing as a
/// word of its own (`END-3-55096275a087` and `A4-1234567` hold none).
fn has_phone_number(b: &[u8]) -> bool {
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let glued_before = i > 0
            && (b[i - 1].is_ascii_alphabetic()
                || (b[i - 1] == b'-' && i > 1 && b[i - 2].is_ascii_alphanumeric()));
        let (mut digits, mut seps, mut j) = (0, 0, i);
        while j < b.len() {
            if b[j].is_ascii_digit() {
                digits += 1;
                j += 1;
                continue;
            }
            let run = b[j..]
                .iter()
                .take_while(|&&c| c == b'-' || c == b' ')
                .count();
            let continues =
                run > 0 && seps + run <= 3 && b.get(j + run).is_some_and(u8::is_ascii_digit);
            if !continues {
                break;
            }
            seps += run;
            j += run;
        }
        let glued_after = b.get(j).is_some_and(u8::is_ascii_alphabetic);
        if digits >= 7 && seps >= 1 && !glued_before && !glued_after {
            return true;
        }
        i = j;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::gives_contact;

    #[test]
    fn finds_phone_numbers_standing_as_words() {
        for yes in [
            "Call 555-0142 today",
            "Tel: 01632 960418",
            "1-800-555-0199",
            "(write to x@y.org)",
        ] {
            assert!(gives_contact(yes), "{yes}");
        }
        for no in [
            "ends with its marker END-3-55096275a087.",
            "Form A4-1234567 is due",
            "In 1998 2,000 came",
        ] {
            assert!(!gives_contact(no), "{no}");
        }
    }
}
