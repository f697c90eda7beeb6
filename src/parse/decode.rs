//! Bytes → text: byte-order marks, UTF-8, and legacy encodings detected with
//! `chardetng` and decoded with `encoding_rs`; binary rejection; CRLF and CR
//! line ends normalised to LF.
//!
//! Invalid byte sequences are replaced with U+FFFD and reported as a warning:
//! a damaged file is still read. So is text with a few stray control
//! characters (a BEL, a NUL from a bad export): they are stripped later, with
//! a warning; only a file that is mostly control bytes is binary.

use std::borrow::Cow;

use encoding_rs::{Encoding, UTF_8};

use super::ParseError;

/// How many leading bytes are inspected when deciding whether a file is
/// binary: enough for any header, little enough to stay cheap on big files.
const SNIFF_BYTES: usize = 64 * 1024;

/// How many bytes `chardetng` sees: its guess settles long before this, and
/// feeding it a whole 8 MiB file would cost more than the parse itself.
const DETECT_BYTES: usize = 256 * 1024;

/// Share of control bytes (per mille) above which a file counts as binary.
/// Real text has almost none; 5 % leaves room for stray form feeds.
const MAX_CONTROL_PER_MILLE: usize = 50;

/// The decoded text with what went wrong on the way.
#[derive(Debug)]
pub(crate) struct Decoded<'a> {
    /// The text, LF line ends only; borrowed when the bytes were UTF-8
    /// with LF line ends already.
    pub text: Cow<'a, str>,
    /// The encoding it was read in (`UTF-8`, `GBK`, …); checked by the tests.
    #[cfg_attr(not(test), allow(dead_code))]
    pub encoding: &'static str,
    /// Non-fatal problems (replaced byte sequences).
    pub warnings: Vec<String>,
}

/// Share of NUL bytes (per mille) above which a file counts as binary:
/// text has none, but one stray NUL must not cost a whole page.
const MAX_NUL_PER_MILLE: usize = 10;

fn is_control_byte(b: u8) -> bool {
    matches!(b, 0..=8 | 0x0e..=0x1a | 0x1c..=0x1f | 0x7f)
}

/// Whether bytes without a byte-order mark look like binary data.
fn looks_binary(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(SNIFF_BYTES)];
    let nuls = head.iter().filter(|&&b| b == 0).count();
    let controls = head.iter().filter(|&&b| is_control_byte(b)).count();
    // A handful of stray bytes in a page is dirt; in a few bytes, a header.
    let few = |n: usize| n <= 4 && head.len() >= 256;
    (!few(nuls) && nuls * 1000 > head.len() * MAX_NUL_PER_MILLE)
        || (!few(controls) && controls * 1000 > head.len() * MAX_CONTROL_PER_MILLE)
}

/// The warning for stray control characters (C0 controls other than tab,
/// line feed, carriage return, vertical tab and form feed; DEL; C1), if the
/// text has any. `clean` strips them from every line.
fn control_warning(text: &str) -> Option<String> {
    let b = text.as_bytes();
    // C0 controls and DEL are single bytes.
    let c0 = b
        .iter()
        .filter(|&&c| (c < 0x20 && !matches!(c, b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)) || c == 0x7f)
        .count();
    // C1 controls are `C2 80`…`C2 9F` in UTF-8.
    let c1 = if b.contains(&0xc2) {
        b.windows(2)
            .filter(|w| w[0] == 0xc2 && (0x80..=0x9f).contains(&w[1]))
            .count()
    } else {
        0
    };
    let n = c0 + c1;
    (n > 0).then(|| format!("{n} control character(s) stripped"))
}

/// Whether decoded text is mostly control characters (binary behind a BOM).
fn text_looks_binary(text: &str) -> bool {
    let mut total = 0usize;
    let mut controls = 0usize;
    for c in text.chars().take(SNIFF_BYTES) {
        total += 1;
        if c != '\n' && c != '\r' && c != '\t' && (c.is_control() || c == '\u{fffd}') {
            controls += 1;
        }
    }
    controls * 1000 > total * MAX_CONTROL_PER_MILLE * 2
}

/// Replaces CRLF and lone CR with LF.
fn normalise_line_ends(text: Cow<'_, str>) -> Cow<'_, str> {
    if !text.contains('\r') {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' {
            if chars.peek() == Some(&'\n') {
                chars.next();
            }
            out.push('\n');
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn decode_with(encoding: &'static Encoding, bytes: &[u8]) -> (String, usize) {
    let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
    let replaced = if had_errors {
        text.chars()
            .filter(|&c| c == '\u{fffd}')
            .count()
            .saturating_sub(bytes_replacements_already_present(encoding, bytes))
    } else {
        0
    };
    (text.into_owned(), replaced)
}

/// U+FFFD characters that were in the input itself (only UTF-8 can say so
/// cheaply); they are not decoding errors.
fn bytes_replacements_already_present(encoding: &'static Encoding, bytes: &[u8]) -> usize {
    if encoding != UTF_8 {
        return 0;
    }
    bytes
        .windows(3)
        .filter(|w| *w == [0xef, 0xbf, 0xbd])
        .count()
}

/// Whether bytes that are not valid UTF-8 are still UTF-8 with a few damaged
/// sequences: many valid multi-byte sequences, few invalid ones.
fn mostly_utf8(bytes: &[u8]) -> bool {
    let mut valid_multi = 0usize;
    let mut invalid = 0usize;
    for chunk in bytes.utf8_chunks() {
        valid_multi += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        if !chunk.invalid().is_empty() {
            invalid += 1;
        }
    }
    valid_multi >= 8 && valid_multi >= invalid * 4
}

/// Central European guesses for text whose Central European letters never
/// stand inside a word are Western after all: `£8.50` in windows-1252 reads
/// `Ł8.50` in windows-1250, and an English page has no `Ł` in its words.
fn western_unless_in_words(guess: &'static Encoding, sample: &[u8]) -> &'static Encoding {
    if guess != encoding_rs::WINDOWS_1250 && guess != encoding_rs::ISO_8859_2 {
        return guess;
    }
    let (text, _) = guess.decode_without_bom_handling(sample);
    let chars: Vec<char> = text.chars().collect();
    let in_word = chars.iter().enumerate().any(|(i, &c)| {
        let central = !c.is_ascii() && c.is_alphabetic() && !('\u{c0}'..='\u{ff}').contains(&c);
        let letter = |k: Option<&char>| k.is_some_and(|x| x.is_alphabetic());
        central && (letter(i.checked_sub(1).and_then(|p| chars.get(p))) || letter(chars.get(i + 1)))
    });
    if in_word {
        guess
    } else {
        encoding_rs::WINDOWS_1252
    }
}

/// Decodes a whole file. Rejects binary data; never fails on bad sequences.
pub(crate) fn decode(bytes: &[u8]) -> Result<Decoded<'_>, ParseError> {
    let (encoding, body) = match Encoding::for_bom(bytes) {
        Some((enc, bom_len)) => (enc, &bytes[bom_len..]),
        None => {
            if looks_binary(bytes) {
                return Err(ParseError::Binary);
            }
            // The common case: valid UTF-8, validated once.
            if let Ok(s) = std::str::from_utf8(bytes) {
                return Ok(Decoded {
                    text: normalise_line_ends(Cow::Borrowed(s)),
                    encoding: UTF_8.name(),
                    warnings: control_warning(s).into_iter().collect(),
                });
            }
            let enc = if mostly_utf8(bytes) {
                UTF_8
            } else {
                let mut detector = chardetng::EncodingDetector::new();
                let sample = if bytes.len() > DETECT_BYTES {
                    // End the sample at a line break so no character is cut.
                    let cut = bytes[..DETECT_BYTES]
                        .iter()
                        .rposition(|&b| b == b'\n')
                        .unwrap_or(DETECT_BYTES);
                    &bytes[..cut]
                } else {
                    bytes
                };
                detector.feed(sample, true);
                western_unless_in_words(detector.guess(None, true), sample)
            };
            (enc, bytes)
        }
    };
    let had_bom = body.len() != bytes.len();
    let (text, replaced) = decode_with(encoding, body);
    // Without a byte-order mark the bytes were checked already.
    if (had_bom || replaced > 0) && text_looks_binary(&text) {
        return Err(ParseError::Binary);
    }
    let mut warnings = Vec::new();
    if replaced > 0 {
        warnings.push(format!(
            "{replaced} invalid byte sequence(s) in {} replaced with U+FFFD",
            encoding.name()
        ));
    }
    warnings.extend(control_warning(&text));
    Ok(Decoded {
        text: normalise_line_ends(Cow::Owned(text)),
        encoding: encoding.name(),
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "江海区实行“六学模式” 推动党的二十大精神深入人心\n□江门日报记者/陈婵\n为深入学习宣传贯彻党的二十大精神，扎实推进全区党的二十大精神宣讲工作。\n";
    const BIG5: &str = "臺北市政府舉辦記者會，說明新的交通政策。記者王小明／台北報導\n市長表示，這項政策將於明年實施。\n";

    fn utf16(s: &str, big_endian: bool) -> Vec<u8> {
        let mut out = if big_endian {
            vec![0xfe, 0xff]
        } else {
            vec![0xff, 0xfe]
        };
        for u in s.encode_utf16() {
            let b = if big_endian {
                u.to_be_bytes()
            } else {
                u.to_le_bytes()
            };
            out.extend_from_slice(&b);
        }
        out
    }

    fn encode(enc: &'static Encoding, s: &str) -> Vec<u8> {
        let (bytes, _, unmappable) = enc.encode(s);
        assert!(!unmappable, "{} cannot hold the test text", enc.name());
        bytes.into_owned()
    }

    #[test]
    fn decodes_every_supported_encoding() {
        let mut bom8 = vec![0xef, 0xbb, 0xbf];
        bom8.extend_from_slice(SAMPLE.as_bytes());
        let cases: Vec<(&str, Vec<u8>, &str, &str)> = vec![
            ("utf-8", SAMPLE.as_bytes().to_vec(), SAMPLE, "UTF-8"),
            ("utf-8 bom", bom8, SAMPLE, "UTF-8"),
            ("utf-16le bom", utf16(SAMPLE, false), SAMPLE, "UTF-16LE"),
            ("utf-16be bom", utf16(SAMPLE, true), SAMPLE, "UTF-16BE"),
            (
                "gb18030",
                encode(encoding_rs::GB18030, SAMPLE),
                SAMPLE,
                "GBK",
            ),
            ("gbk", encode(encoding_rs::GBK, SAMPLE), SAMPLE, "GBK"),
            ("big5", encode(encoding_rs::BIG5, BIG5), BIG5, "Big5"),
            (
                "windows-1252",
                encode(
                    encoding_rs::WINDOWS_1252,
                    "The café’s “new” menu costs €12 — naïve résumé.\n",
                ),
                "The café’s “new” menu costs €12 — naïve résumé.\n",
                "windows-1252",
            ),
            (
                "windows-1252 pounds",
                encode(
                    encoding_rs::WINDOWS_1252,
                    "Tickets are £3 – the trip is £8.50 – and the PTA raised £312 at the sale.\n",
                ),
                "Tickets are £3 – the trip is £8.50 – and the PTA raised £312 at the sale.\n",
                "windows-1252",
            ),
            (
                "windows-1250",
                encode(
                    encoding_rs::WINDOWS_1250,
                    "Łódź i Wrocław: źródło światła, żółć, gęśla jaźń.\n",
                ),
                "Łódź i Wrocław: źródło światła, żółć, gęśla jaźń.\n",
                "windows-1250",
            ),
        ];
        for (name, bytes, want, enc) in cases {
            let got = decode(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(got.text, want, "{name}");
            assert_eq!(got.encoding, enc, "{name}");
            assert!(got.warnings.is_empty(), "{name}: {:?}", got.warnings);
        }
    }

    #[test]
    fn normalises_line_ends() {
        let cases = [
            ("a\r\nb\r\n", "a\nb\n"),
            ("a\rb\r", "a\nb\n"),
            ("a\r\r\nb", "a\n\nb"),
            ("a\nb", "a\nb"),
        ];
        for (input, want) in cases {
            assert_eq!(
                decode(input.as_bytes()).map(|d| d.text).ok(),
                Some(want.into())
            );
        }
    }

    #[test]
    fn rejects_binary() {
        let cases: &[&[u8]] = &[
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
            b"\x7fELF\x02\x01\x01\0\0\0",
            &[1, 2, 3, 4, 5, 6, 7, 8, 65, 66],
        ];
        for bytes in cases {
            assert!(
                matches!(decode(bytes), Err(ParseError::Binary)),
                "{bytes:?}"
            );
        }
    }

    #[test]
    fn strips_stray_controls_with_a_warning() {
        for stray in ["\u{7}", "\u{0}", "\u{1b}"] {
            let filler = "这是一段足够长的正文，用来模拟真实的页面内容。".repeat(8);
            let text = format!("{filler}\n第一段正文，讲述了{stray}社区的消息。\n第二段。\n");
            let got = decode(text.as_bytes()).expect("text with a stray control is text");
            assert_eq!(
                got.warnings,
                ["1 control character(s) stripped"],
                "{stray:?}"
            );
        }
    }

    #[test]
    fn replaces_invalid_sequences_with_a_warning() {
        let mut bytes = SAMPLE.as_bytes().to_vec();
        bytes.insert(10, 0xff);
        let got = decode(&bytes).expect("damaged UTF-8 is still text");
        assert!(
            got.text.contains('\u{fffd}'),
            "{:?} {}",
            got.text,
            got.encoding
        );
        assert_eq!(got.encoding, "UTF-8");
        assert_eq!(got.warnings.len(), 1, "{:?}", got.warnings);
    }
}
