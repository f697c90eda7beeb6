//! Property tests for the parser: arbitrary bytes and arbitrary near-text
//! (fragments of real bulletin layouts shuffled together, with control
//! characters, odd line ends and broken markup) never panic, and whatever
//! parses keeps the parser's promises: at least one article, no empty title
//! or author name, and no character XML 1.0 forbids in any emitted string.

use bulletind::model::{Block, Bulletin};
use bulletind::parse::{explain, is_supported, parse_bulletin, Limits, ParseError};
use proptest::prelude::*;

const NAMES: [&str; 5] = [
    "page.txt",
    "2022-12-09-page.txt",
    "notes.md",
    "notes.markdown",
    "items.json",
];

/// Pieces of real layouts: credits, furniture, headlines, joins, markup.
const PIECES: &[&str] = &[
    "\n",
    "\n",
    "\n\n",
    "\r\n",
    "\r",
    "  ",
    "\u{3000}\u{3000}",
    "\t",
    "。",
    "，",
    "、",
    "：",
    "！",
    "”",
    "“",
    "□江门日报记者/",
    "陈婵 何榕",
    "通讯员/黄雅玲",
    "江门日报讯（记者/陈婵 通讯员/陈伟杰）",
    "本报讯",
    "本报记者 张三",
    "【新华社北京12月7日电】",
    "新华社北京12月7日电（记者 李四）",
    "記者王小明∕台北報導",
    "南川网消息：",
    "By Jane Doe",
    "Tom Baker, Staff Writer",
    "WASHINGTON (AP) — ",
    "(AP Photo/Daniel Reyes)",
    "Photo: ",
    "△",
    "礼乐街道供图",
    "记者 张三 摄",
    "----",
    "第1版",
    "- 3 -",
    "责任编辑：李四",
    "上一版 下一版",
    "本版导读",
    "· ",
    "http://x.example/a",
    "（下转第2版）",
    "（上接第1版）",
    "Continued on Page A6",
    "Continued from Page A1",
    "2022年12月9日 星期五",
    "Friday, December 9, 2022",
    "一、",
    "（一）",
    "1. ",
    "１．",
    "①",
    "# ",
    "## ",
    "**",
    "_",
    "江海区实行“六学模式” 推动党的二十大精神深入人心",
    "领导带头 先学一步",
    "让群众喜",
    "闻乐见的形式",
    "针对党员人数少、流动性大的两新组织",
    "infor-",
    "mation",
    "The council voted on Tuesday to approve the plan",
    "and the mayor said",
    ".",
    "---\n",
    "title: x\n",
    "authors: [a, b]\n",
    "date: 2022-12-09\n",
    "```\n",
    "<script>x</script>",
    "{",
    "}",
    "[",
    "]",
    "\"title\"",
    "\"items\"",
    ":",
    ",",
    "\"content_html\"",
    "null",
    "\u{0}",
    "\u{1}",
    "\u{1b}",
    "\u{7f}",
    "\u{85}",
    "\u{fffe}",
    "\u{ffff}",
    "\u{feff}",
    "\u{200b}",
    "\u{fffd}",
    "é",
    "€",
    "😀",
];

fn xml_ok(s: &str) -> bool {
    s.chars().all(|c| {
        matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{fffe}' && c != '\u{ffff}')
    })
}

/// Every promise the parser makes about a bulletin it returns.
fn check_invariants(b: &Bulletin) -> Result<(), TestCaseError> {
    prop_assert!(!b.articles.is_empty());
    for s in b.section.iter().chain(&b.warnings) {
        prop_assert!(xml_ok(s), "{:?}", s);
    }
    for a in &b.articles {
        prop_assert!(!a.title.trim().is_empty(), "empty title in {:?}", a);
        let optional = [
            &a.kicker,
            &a.subtitle,
            &a.section,
            &a.key,
            &a.summary,
            &a.url,
        ];
        for s in std::iter::once(&a.title).chain(optional.into_iter().flatten()) {
            prop_assert!(xml_ok(s), "{:?}", s);
        }
        for author in &a.authors {
            prop_assert!(!author.name.trim().is_empty());
            prop_assert!(xml_ok(&author.name), "{:?}", author.name);
        }
        for block in &a.blocks {
            let texts: Vec<&str> = match block {
                Block::Paragraph(t) | Block::Subheading(t) => vec![t],
                Block::Caption { text, credit } => std::iter::once(text.as_str())
                    .chain(credit.as_deref())
                    .collect(),
                Block::Html { html, text } => vec![html, text],
            };
            for t in texts {
                prop_assert!(xml_ok(t), "{:?}", t);
            }
        }
    }
    Ok(())
}

fn check_input(name: &str, bytes: &[u8]) -> Result<(), TestCaseError> {
    let limits = Limits::default();
    let first = parse_bulletin(name, bytes, &limits);
    if let Ok(b) = &first {
        check_invariants(b)?;
        // Deterministic: the same bytes give the same bulletin.
        let again = parse_bulletin(name, bytes, &limits)
            .map_err(|e| TestCaseError::fail(format!("second parse failed: {e}")))?;
        prop_assert_eq!(b, &again);
    }
    if let Err(e) = &first {
        let msg = e.to_string();
        prop_assert!(!msg.is_empty() && !msg.contains('\n'), "{:?}", msg);
    }
    if let Ok(lines) = explain(name, bytes, &limits) {
        for l in lines {
            prop_assert!(!l.to_string().contains('\n'));
        }
    }
    Ok(())
}

fn near_text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..120).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(
        name in prop::sample::select(&NAMES[..]),
        bytes in prop::collection::vec(any::<u8>(), 0..2048),
    ) {
        check_input(name, &bytes)?;
    }

    #[test]
    fn near_text_never_panics_and_keeps_promises(
        name in prop::sample::select(&NAMES[..]),
        text in near_text(),
    ) {
        check_input(name, text.as_bytes())?;
        // The same text in a legacy encoding and in UTF-16 is no different.
        let (gbk, _, _) = encoding_rs::GB18030.encode(&text);
        check_input(name, &gbk)?;
        let mut utf16 = vec![0xff, 0xfe];
        utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        check_input(name, &utf16)?;
    }

    #[test]
    fn arbitrary_unicode_never_panics(name in prop::sample::select(&NAMES[..]), text in "\\PC{0,300}") {
        check_input(name, text.as_bytes())?;
    }
}

#[test]
fn rejections_are_one_line_and_say_why() {
    let limits = Limits { max_bytes: 64 };
    let big = "a".repeat(65);
    let cases: &[(&str, &[u8], &str)] = &[
        ("page.txt", b"", "empty file"),
        ("page.txt", b" \n\r\n\t\xe3\x80\x80\n", "empty file"),
        (
            "page.txt",
            big.as_bytes(),
            "65 bytes, over the 64-byte limit",
        ),
        ("page.txt", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "binary"),
        ("page.pdf", b"%PDF-1.7", "unsupported file type"),
        (
            "items.json",
            b"[\n{\"title\": 1,,}\n]",
            "line 2: malformed JSON",
        ),
        (
            "items.json",
            b"[{\"content_text\": \"no title\"}]",
            "no article found",
        ),
    ];
    for (name, bytes, want) in cases {
        let err = parse_bulletin(name, bytes, &limits).expect_err(name);
        let msg = err.to_string();
        assert!(msg.contains(want), "{name}: {msg:?} lacks {want:?}");
        assert!(!msg.contains('\n'), "{name}: {msg:?}");
    }
    assert!(matches!(
        parse_bulletin("page.txt", b"", &limits),
        Err(ParseError::Empty)
    ));
}

#[test]
fn supported_extensions() {
    let cases = [
        ("a.txt", true),
        ("A.TXT", true),
        ("a.md", true),
        ("a.Markdown", true),
        ("a.json", true),
        ("a.txt.swp", false),
        ("txt", false),
        ("a.pdf", false),
    ];
    for (name, want) in cases {
        assert_eq!(is_supported(name), want, "{name}");
    }
}
