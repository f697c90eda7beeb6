//! Fuzz target: `parse_bulletin` and `explain` over arbitrary bytes, in each
//! format (the first byte picks the file name). Besides never panicking, the
//! parser's promises are checked: every article has a title, and no string
//! it emits holds a character XML 1.0 forbids.

#![no_main]

use bulletind::model::Block;
use bulletind::parse::{explain, parse_bulletin, Limits};
use libfuzzer_sys::fuzz_target;

const NAMES: [&str; 4] = [
    "page.txt",
    "2022-12-09-notes.md",
    "items.json",
    "20221209.TXT",
];

fn xml_ok(s: &str) -> bool {
    s.chars().all(|c| {
        matches!(c, '\t' | '\n' | '\r')
            || (c >= ' ' && c != '\u{fffe}' && c != '\u{ffff}')
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    let name = NAMES[usize::from(selector) % NAMES.len()];
    let limits = Limits { max_bytes: 1 << 20 };
    if let Ok(b) = parse_bulletin(name, bytes, &limits) {
        assert!(!b.articles.is_empty());
        for s in b.section.iter().chain(&b.warnings) {
            assert!(xml_ok(s), "{s:?}");
        }
        for a in &b.articles {
            assert!(!a.title.trim().is_empty());
            let fields = [&a.kicker, &a.subtitle, &a.section, &a.key, &a.summary, &a.url];
            for s in std::iter::once(&a.title).chain(fields.into_iter().flatten()) {
                assert!(xml_ok(s), "{s:?}");
            }
            for au in &a.authors {
                assert!(xml_ok(&au.name) && !au.name.is_empty(), "{:?}", au.name);
            }
            for block in &a.blocks {
                let texts: Vec<&str> = match block {
                    Block::Paragraph(t) | Block::Subheading(t) => vec![t],
                    Block::Caption { text, credit } => {
                        std::iter::once(text.as_str()).chain(credit.as_deref()).collect()
                    }
                    Block::Html { html, text } => vec![html, text],
                };
                for t in texts {
                    assert!(xml_ok(t), "{t:?}");
                }
            }
        }
    }
    if let Ok(lines) = explain(name, bytes, &limits) {
        for l in lines {
            let _ = l.to_string();
        }
    }
});
