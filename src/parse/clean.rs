//! String hygiene shared by every format: characters XML 1.0 forbids are
//! removed, white space inside a line is normalised, and a final pass makes
//! sure nothing the parser emits breaks that promise.

use crate::model::{Block, Bulletin};

/// Whether `c` may appear in an XML 1.0 document.
///
/// Rust strings cannot hold surrogates, so what is left to exclude is the C0
/// controls other than tab, line feed and carriage return, and U+FFFE/U+FFFF.
pub(crate) fn is_xml_char(c: char) -> bool {
    match c {
        '\t' | '\n' | '\r' => true,
        '\u{0}'..='\u{1f}' => false,
        '\u{fffe}' | '\u{ffff}' => false,
        _ => true,
    }
}

/// Whether `c` is white space inside a line: ASCII blanks, no-break and
/// ideographic spaces, and the other Unicode spaces. Zero-width characters
/// and byte-order marks count too, so they never survive trimming.
pub(crate) fn is_space(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{200b}' | '\u{feff}' | '\u{2060}')
}

/// Whether `s` may need [`line`]'s work: a quick byte scan for controls,
/// doubled, leading or trailing spaces, and the lead bytes of the non-ASCII
/// spaces and forbidden characters. `false` means `s` is already clean.
pub(crate) fn needs_cleaning(s: &str) -> bool {
    let b = s.as_bytes();
    if b.first() == Some(&b' ') || b.last() == Some(&b' ') {
        return true;
    }
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    let mut prev = 0u8;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c < 0x80 {
            if c < 0x20 || c == 0x7f || (c == b' ' && prev == b' ') {
                return true;
            }
            prev = c;
            i += 1;
            continue;
        }
        prev = c;
        let (next, after) = (at(i + 1), at(i + 2));
        let suspicious = match c {
            // U+0080..U+00A0: C1 controls, NEL, no-break space.
            0xc2 => next <= 0xa0,
            // U+1680 ogham space mark.
            0xe1 => next == 0x9a,
            // U+2000..U+200F, U+2028/2029, U+202F, U+205F, U+2060.
            0xe2 => {
                (next == 0x80 && (after <= 0x8f || matches!(after, 0xa8 | 0xa9 | 0xaf)))
                    || (next == 0x81 && matches!(after, 0x9f | 0xa0))
            }
            // U+3000 ideographic space (the slow path decides).
            0xe3 => next == 0x80 && after == 0x80,
            // U+FEFF byte-order mark, U+FFFE, U+FFFF.
            0xef => {
                (next == 0xbb && after == 0xbf) || (next == 0xbf && matches!(after, 0xbe | 0xbf))
            }
            _ => false,
        };
        if suspicious {
            return true;
        }
        // Skip the rest of the character.
        i += match c {
            0xf0.. => 4,
            0xe0.. => 3,
            _ => 2,
        };
    }
    false
}

/// One line, cleaned: XML-illegal characters and C1 controls dropped, runs of
/// white space collapsed to one ASCII space, ends trimmed.
///
/// A run made only of ideographic spaces (U+3000) stays one ideographic
/// space: CJK headlines use it between clauses and it is printed text.
pub(crate) fn line(s: &str) -> String {
    if !needs_cleaning(s) {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    // The space a pending run collapses to, if a run is pending.
    let mut pending: Option<char> = None;
    for c in s.chars() {
        if is_space(c) {
            if !out.is_empty() {
                pending = Some(match (pending, c) {
                    (None | Some('\u{3000}'), '\u{3000}') => '\u{3000}',
                    _ => ' ',
                });
            }
            continue;
        }
        if !is_xml_char(c) || ('\u{80}'..='\u{9f}').contains(&c) {
            continue;
        }
        if let Some(space) = pending.take() {
            out.push(space);
        }
        out.push(c);
    }
    out
}

/// [`line`] without a copy when the line is clean already.
pub(crate) fn line_cow(s: &str) -> std::borrow::Cow<'_, str> {
    if needs_cleaning(s) {
        std::borrow::Cow::Owned(line(s))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// Multi-line text (a plain-text rendering): each line cleaned, blank-line
/// runs kept as a single blank line, ends trimmed.
pub(crate) fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut blank = false;
    for raw in s.lines() {
        let l = line(raw);
        if l.is_empty() {
            blank = !out.is_empty();
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank { "\n\n" } else { "\n" });
        }
        blank = false;
        out.push_str(&l);
    }
    out
}

/// Removes only XML-illegal characters, keeping layout (for HTML).
pub(crate) fn xml_only(s: &str) -> String {
    if s.chars().all(is_xml_char) {
        return s.to_owned();
    }
    s.chars().filter(|&c| is_xml_char(c)).collect()
}

fn fix_line(s: &mut String) {
    if needs_cleaning(s) {
        *s = line(s);
    }
}

fn fix_opt(s: &mut Option<String>) {
    if let Some(v) = s {
        fix_line(v);
        if v.is_empty() {
            *s = None;
        }
    }
}

/// The final pass over a parsed bulletin: every string is one clean line
/// (HTML keeps its layout but loses XML-illegal characters) and empty
/// optional strings, names and blocks are dropped.
pub(crate) fn bulletin(b: &mut Bulletin) {
    fix_opt(&mut b.section);
    for w in &mut b.warnings {
        fix_line(w);
    }
    for a in &mut b.articles {
        fix_line(&mut a.title);
        fix_opt(&mut a.kicker);
        fix_opt(&mut a.subtitle);
        fix_opt(&mut a.section);
        fix_opt(&mut a.key);
        fix_opt(&mut a.summary);
        fix_opt(&mut a.url);
        for author in &mut a.authors {
            fix_line(&mut author.name);
        }
        a.authors.retain(|x| !x.name.is_empty());
        for block in &mut a.blocks {
            match block {
                Block::Paragraph(t) | Block::Subheading(t) => fix_line(t),
                Block::Caption { text, credit } => {
                    fix_line(text);
                    fix_opt(credit);
                }
                Block::Html { html, text } => {
                    *html = xml_only(html);
                    *text = xml_only(text);
                }
            }
        }
        a.blocks.retain(|b| match b {
            Block::Paragraph(t) | Block::Subheading(t) => !t.is_empty(),
            Block::Caption { text, .. } => !text.is_empty(),
            Block::Html { html, .. } => !html.trim().is_empty(),
        });
    }
}

/// Plain text of an HTML fragment: tags dropped, block ends turned into
/// line breaks, the common entities decoded, then cleaned like [`text`].
pub(crate) fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(pos) = rest.find(['<', '&']) {
        out.push_str(&rest[..pos]);
        rest = &rest[pos..];
        if rest.starts_with('<') {
            let Some(end) = rest.find('>') else {
                rest = "";
                break;
            };
            let tag = rest[1..end].trim_start_matches('/').to_ascii_lowercase();
            let name: String = tag
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            if matches!(
                name.as_str(),
                "p" | "div"
                    | "br"
                    | "li"
                    | "h1"
                    | "h2"
                    | "h3"
                    | "h4"
                    | "h5"
                    | "h6"
                    | "blockquote"
                    | "pre"
                    | "tr"
                    | "ul"
                    | "ol"
                    | "table"
                    | "hr"
            ) {
                out.push_str(if name == "br" || name == "li" {
                    "\n"
                } else {
                    "\n\n"
                });
            }
            rest = &rest[end + 1..];
        } else {
            // An entity is short: look for its `;` within a few bytes.
            let end = rest
                .char_indices()
                .take_while(|&(i, _)| i < 12)
                .find(|&(_, c)| c == ';')
                .map(|(i, _)| i);
            let decoded = end.and_then(|e| decode_entity(&rest[1..e]));
            match (end, decoded) {
                (Some(e), Some(c)) => {
                    out.push(c);
                    rest = &rest[e + 1..];
                }
                _ => {
                    out.push('&');
                    rest = &rest[1..];
                }
            }
        }
    }
    out.push_str(rest);
    text(&out)
}

fn decode_entity(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "nbsp" => Some(' '),
        _ => {
            let num = name.strip_prefix('#')?;
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => num.parse().ok()?,
            };
            char::from_u32(code)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleans_lines() {
        let cases: &[(&str, &str)] = &[
            ("  a  b  ", "a b"),
            ("\u{3000}\u{3000}标题\u{3000}副题", "标题\u{3000}副题"),
            ("标题\u{3000} 副题", "标题 副题"),
            ("标题\u{3000}\u{3000}副题", "标题\u{3000}副题"),
            ("x\u{0}y\u{1b}z", "xyz"),
            ("a\u{fffe}b\u{ffff}", "ab"),
            ("\u{feff}bom", "bom"),
            ("tab\there", "tab here"),
            ("c1\u{85}ctl", "c1 ctl"),
            ("c1\u{9b}ctl", "c1ctl"),
            (
                "人大代表到社区听民声解民忧 推进老旧小区改造",
                "人大代表到社区听民声解民忧 推进老旧小区改造",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(line(input), *want, "input {input:?}");
        }
    }

    #[test]
    fn needs_cleaning_agrees_with_line() {
        let cases = [
            "plain",
            "中文“引号”—破折号…",
            " lead",
            "trail ",
            "a  b",
            "a\u{a0}b",
            "a\u{3000}b",
            "a\u{3000}\u{3000}b",
            "a\u{200b}b",
            "a\u{2028}b",
            "x\u{feff}",
            "\u{fffe}",
            "\u{85}",
            "tab\t",
            "\u{1680}",
            "é€’",
            "a\u{202f}b",
        ];
        for s in cases {
            if !needs_cleaning(s) {
                assert_eq!(line(s), s, "{s:?} was taken for clean");
            }
        }
    }

    #[test]
    fn cleans_text_keeps_paragraphs() {
        assert_eq!(text(" a \n b\n\n\n c\u{1} "), "a\nb\n\nc");
    }

    #[test]
    fn html_to_text_drops_tags_and_decodes_entities() {
        let cases = [
            ("<p>a &amp; b</p><p>c&lt;d</p>", "a & b\n\nc<d"),
            ("x<br>y &#20013;&#x6587; &bogus; z", "x\ny 中文 &bogus; z"),
            ("<unclosed", ""),
            ("&lt;や=ࡸ🡷 &amp", "<や=ࡸ🡷 &amp"),
        ];
        for (html, want) in cases {
            assert_eq!(html_to_text(html), want, "{html}");
        }
    }

    #[test]
    fn final_pass_drops_empty_things() {
        let mut b = Bulletin {
            section: Some("\u{1}".into()),
            articles: vec![crate::model::Article {
                title: " t\u{2} ".into(),
                blocks: vec![
                    Block::Paragraph("\u{3}".into()),
                    Block::Subheading("s".into()),
                ],
                ..Default::default()
            }],
            ..Default::default()
        };
        bulletin(&mut b);
        assert_eq!(b.section, None);
        assert_eq!(b.articles[0].title, "t");
        assert_eq!(b.articles[0].blocks, vec![Block::Subheading("s".into())]);
    }
}
