//! Text hygiene shared by every output format: stripping characters XML 1.0
//! forbids, HTML escaping, plain-text summaries and URL path encoding.
//!
//! Every string that leaves the renderer passes through [`clean`] (directly or
//! through [`escape_html`]), so a stray control character from a parser can
//! never make a feed ill-formed, whatever the format.

use std::borrow::Cow;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use unicode_segmentation::UnicodeSegmentation;

/// Characters kept verbatim in an encoded path segment: RFC 3986 `unreserved`.
/// Everything else (including `/`, so a channel stays one segment) is escaped.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Length of a generated summary, in characters (not bytes), before `…`.
pub const SUMMARY_CHARS: usize = 200;

/// Whether `c` may appear in an XML 1.0 document and is not a control
/// character that readers would show as garbage.
///
/// XML 1.0 §2.2 allows `#x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] |
/// [#x10000-#x10FFFF]`; on top of that DEL and the C1 controls
/// (U+007F–U+009F), which XML merely discourages, are dropped too.
fn is_allowed(c: char) -> bool {
    matches!(c,
        '\t' | '\n' | '\r'
        | '\u{20}'..='\u{7E}'
        | '\u{A0}'..='\u{D7FF}'
        | '\u{E000}'..='\u{FFFD}'
        | '\u{10000}'..='\u{10FFFF}')
}

/// `s` without the characters XML 1.0 forbids (and C0/C1 controls other than
/// tab and line breaks). Borrows when there is nothing to remove.
pub fn clean(s: &str) -> Cow<'_, str> {
    if s.chars().all(is_allowed) {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(s.chars().filter(|&c| is_allowed(c)).collect())
    }
}

/// [`clean`] into an owned `String`.
pub fn cleaned(s: &str) -> String {
    clean(s).into_owned()
}

/// Cleans `s` and escapes it for HTML text content (`&`, `<`, `>`).
pub fn escape_html(s: &str) -> String {
    escape(s, false)
}

/// Cleans `s` and escapes it for a double-quoted HTML attribute value
/// (`&`, `<`, `>`, `"`).
pub fn escape_attr(s: &str) -> String {
    escape(s, true)
}

fn escape(s: &str, quotes: bool) -> String {
    let s = clean(s);
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if quotes => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

/// A plain-text summary: whitespace runs collapsed to one space, at most
/// `max_chars` characters. Text that is longer is cut at the end of its last
/// whole sentence when that keeps at least half of the length, else after
/// its last whole word (UAX #29 word boundaries: between words in English,
/// between characters in Chinese) with `…` appended; never inside a word.
/// `None` when the text is blank.
pub fn summarize(text: &str, max_chars: usize) -> Option<String> {
    let text = clean(text);
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.is_empty() {
        return None;
    }
    let Some((limit, _)) = collapsed.char_indices().nth(max_chars) else {
        return Some(collapsed);
    };
    let head = &collapsed[..limit];
    let half = head.char_indices().nth(max_chars / 2).map_or(0, |(i, _)| i);
    if let Some(end) = sentence_end(head).filter(|&end| end >= half) {
        return Some(head[..end].to_string());
    }
    // The last word boundary at or before the limit; a first word longer
    // than the whole summary is kept whole.
    let cut = if collapsed[limit..].starts_with(' ') || collapsed[limit..].starts_with('…') {
        limit
    } else {
        let last_word = collapsed
            .split_word_bound_indices()
            .map(|(i, _)| i)
            .take_while(|&i| i <= limit)
            .last()
            .unwrap_or(0);
        if last_word > 0 {
            last_word
        } else {
            collapsed
                .split_word_bound_indices()
                .nth(1)
                .map_or(collapsed.len(), |(i, _)| i)
        }
    };
    let kept = collapsed[..cut].trim_end_matches(|c: char| c.is_whitespace() || is_clause_mark(c));
    if kept.is_empty() {
        return Some(collapsed);
    }
    Some(format!("{kept}…"))
}

/// Byte offset just after the last sentence end in `text`: a full-width
/// `。！？` (with any closing quote after it), or `.!?` followed by a space.
fn sentence_end(text: &str) -> Option<usize> {
    let mut end = None;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let next = chars.peek().map(|&(_, n)| n);
        let after = i + c.len_utf8();
        match c {
            '。' | '！' | '？' => {
                let closing = next.filter(|n| matches!(n, '”' | '」' | '』' | '）'));
                end = Some(after + closing.map_or(0, char::len_utf8));
            }
            '.' | '!' | '?' if next == Some(' ') => end = Some(after),
            _ => {}
        }
    }
    end
}

/// Punctuation that should not end a cut summary (`,` before `…`).
fn is_clause_mark(c: char) -> bool {
    matches!(
        c,
        ',' | ';' | ':' | '，' | '、' | '；' | '：' | '(' | '（' | '“' | '"'
    )
}

/// Percent-encodes one URL path segment (UTF-8, RFC 3986 unreserved kept).
pub fn encode_segment(segment: &str) -> String {
    utf8_percent_encode(segment, SEGMENT).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_strips_what_xml_forbids() {
        let cases: &[(&str, &str)] = &[
            ("plain", "plain"),
            ("a\u{0}b", "ab"),
            ("tab\tnl\ncr\r", "tab\tnl\ncr\r"),
            ("\u{1}\u{8}\u{B}\u{C}\u{1F}x", "x"),
            ("del\u{7F}c1\u{85}\u{9F}", "delc1"),
            ("nbsp\u{A0}ok", "nbsp\u{A0}ok"),
            ("\u{FFFE}\u{FFFF}end", "end"),
            ("江海\u{1F600}", "江海\u{1F600}"),
        ];
        for (input, want) in cases {
            assert_eq!(clean(input), *want, "input {input:?}");
        }
    }

    #[test]
    fn clean_borrows_clean_text() {
        assert!(matches!(clean("江海区"), Cow::Borrowed(_)));
        assert!(matches!(clean("a\u{0}"), Cow::Owned(_)));
    }

    #[test]
    fn escape_html_and_attr() {
        let cases: &[(&str, &str, &str)] = &[
            (
                "<script>alert(1)</script>",
                "&lt;script&gt;alert(1)&lt;/script&gt;",
                "&lt;script&gt;alert(1)&lt;/script&gt;",
            ),
            ("a & b", "a &amp; b", "a &amp; b"),
            ("]]>", "]]&gt;", "]]&gt;"),
            ("\"q\" 'a'", "\"q\" 'a'", "&quot;q&quot; 'a'"),
            ("&amp;", "&amp;amp;", "&amp;amp;"),
            ("nul\u{0}gone", "nulgone", "nulgone"),
        ];
        for (input, text, attr) in cases {
            assert_eq!(escape_html(input), *text, "text {input:?}");
            assert_eq!(escape_attr(input), *attr, "attr {input:?}");
        }
    }

    #[test]
    fn summaries_end_at_a_sentence_or_a_word() {
        let cases: &[(&str, usize, Option<&str>)] = &[
            ("", 5, None),
            ("  \n ", 5, None),
            ("short", 5, Some("short")),
            ("exactly five", 12, Some("exactly five")),
            ("one two three", 7, Some("one two…")),
            ("one two three", 10, Some("one two…")),
            ("one two, three", 9, Some("one two…")),
            (
                "Supercalifragilistic words",
                5,
                Some("Supercalifragilistic…"),
            ),
            (
                "The library opens. It closes at four on Sundays.",
                30,
                Some("The library opens."),
            ),
            (
                "Hi. The library opens on Sundays",
                25,
                Some("Hi. The library opens on…"),
            ),
            ("江海区实行六学模式", 4, Some("江海区实…")),
            (
                "江海区召开备课会。专家分享备课过程",
                12,
                Some("江海区召开备课会。"),
            ),
            ("他说：“好。”然后离开了会场", 10, Some("他说：“好。”")),
            ("a\n\nb   c", 10, Some("a b c")),
            ("x\u{0}y", 10, Some("xy")),
        ];
        for (input, max, want) in cases {
            assert_eq!(
                summarize(input, *max).as_deref(),
                *want,
                "input {input:?} max {max}"
            );
        }
    }

    #[test]
    fn encode_segment_keeps_unreserved_only() {
        let cases: &[(&str, &str)] = &[
            ("news", "news"),
            ("a-b_c.d~e", "a-b_c.d~e"),
            ("江海", "%E6%B1%9F%E6%B5%B7"),
            ("a b/c?d#e%", "a%20b%2Fc%3Fd%23e%25"),
        ];
        for (input, want) in cases {
            assert_eq!(encode_segment(input), *want, "input {input:?}");
        }
    }
}
