//! Whole-parser tests over the sample page in `tests/corpus/` (the golden
//! comparison for every corpus page lives in `tests/corpus.rs`): what
//! `explain` says about the sample's traps, and the explain debugging aid.

use std::path::Path;

use super::{explain, parse_bulletin, Limits, LineKind};
use crate::model::{Block, Role};

fn sample() -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/jianghai-page.txt");
    std::fs::read(path).expect("the sample page is in tests/corpus")
}

#[test]
fn explain_labels_the_sample_traps() {
    let lines = explain("jianghai-page.txt", &sample(), &Limits::default()).expect("explains");
    let kind_of = |no: usize| lines.iter().find(|l| l.line == no).map(|l| l.kind);
    let cases = [
        (5, LineKind::Section),     // banner above the first headline
        (7, LineKind::Headline),    // two-clause headline
        (9, LineKind::Credit),      // □江门日报记者/陈婵
        (10, LineKind::Credit),     // 通讯员/黄雅玲 林瑞瑾
        (16, LineKind::Subheading), // short, no terminal punctuation
        (22, LineKind::Joined),     // after a line ending in 、
        (36, LineKind::Joined),     // 让群众喜 + 闻乐见的形式
        (52, LineKind::Joined),     // short fragment with 、 + 党支部，…
        (64, LineKind::Paragraph),  // inline 江门日报讯（…）: a paragraph with its credit
        (127, LineKind::Caption),   // …礼乐街道供图
        (131, LineKind::Joined),    // 说： + “为了…”
        (133, LineKind::Headline),  // caption sits before the credit
        (137, LineKind::Caption),
    ];
    for (no, want) in cases {
        assert_eq!(kind_of(no), Some(want), "line {no}");
    }
    let shown = lines
        .iter()
        .find(|l| l.line == 9)
        .map(ToString::to_string)
        .unwrap_or_default();
    assert!(
        shown.starts_with("   9 credit     □江门日报记者/陈婵"),
        "{shown}"
    );
    assert!(!shown.contains('\n'));
    let inline = lines
        .iter()
        .find(|l| l.line == 64)
        .map(|l| l.why.as_str())
        .unwrap_or("");
    assert!(inline.contains("江门日报讯（记者/陈婵"), "{inline}");
}

#[test]
fn sample_articles_have_structured_credits_and_blocks() {
    let b = parse_bulletin(
        "2022-12-09-jianghai-page.txt",
        &sample(),
        &Limits::default(),
    )
    .expect("parses");
    assert_eq!(b.articles.len(), 6);
    assert_eq!(
        b.date,
        chrono::NaiveDate::from_ymd_opt(2022, 12, 9).map(crate::model::Dated::Day)
    );
    let last = &b.articles[5];
    assert_eq!(
        last.names_with(Role::Reporter).collect::<Vec<_>>(),
        ["陈婵"]
    );
    assert!(matches!(
        &last.blocks[0],
        Block::Caption { credit: Some(c), .. } if c == "高新区（江海区）税务局"
    ));
    assert_eq!(last.line, 133);
}

/// Small notes — a heading over one short paragraph, again and again —
/// keep every paragraph, the last line of the file too.
#[test]
fn short_notes_keep_every_body() {
    let pages: [(&str, &str); 3] = [
        (
            "notes.md",
            "# Library opens on Sundays\n\nFrom April the central library opens on Sundays.\n\n# Bridge works finish early\n\nThe river bridge reopens a week ahead of plan.\n",
        ),
        (
            "notes.txt",
            "Library opens on Sundays\n\nFrom April the central library opens on Sundays.\n\nBridge works finish early\n\nThe river bridge reopens a week ahead of plan.\n",
        ),
        (
            "notes.md",
            "---\ntitle: Council notes\ndate: 2024-03-05\n---\n\n# Bridge works finish early\n\nThe river bridge reopens ten days ahead of plan.\n",
        ),
    ];
    for (name, page) in pages {
        let b = parse_bulletin(name, page.as_bytes(), &Limits::default()).expect("parses");
        assert!(!b.articles.is_empty(), "{page}");
        for a in &b.articles {
            let body = a
                .blocks
                .iter()
                .any(|x| matches!(x, Block::Paragraph(p) | Block::Html { text: p, .. } if p.contains("opens ")));
            assert!(body, "{:?} lost its paragraph in {page:?}", a.title);
        }
    }
}

/// Headlines that differ only by a number (`Part 1`, `Part 2`) are
/// headlines, not a running head with its page number.
#[test]
fn numbered_headlines_are_not_running_heads() {
    for (name, page) in [
        (
            "parts.md",
            "# Update 0\n\nThe first update of the day, long enough to be a paragraph.\n\n# Update 1\n\nThe second update of the day, long enough to be a paragraph.\n",
        ),
        (
            "parts.md",
            "# Works on Bridge 4\n\nThe works on the bridge close the road for a week from Monday.\n\n# Works on Bridge 5\n\nThe next bridge closes in March, when the first has reopened.\n",
        ),
    ] {
        let b = parse_bulletin(name, page.as_bytes(), &Limits::default()).expect("parses");
        let titles: Vec<&str> = b.articles.iter().map(|a| a.title.as_str()).collect();
        assert_eq!(titles.len(), 2, "{titles:?} from {page:?}");
        assert!(titles[0].ends_with(char::is_numeric), "{titles:?}");
    }
}

/// A Markdown page's headings are its author's structure: a story's `#`
/// headline over its `##` subheads heads that story, and headings that
/// repeat with only their numbers changed are headlines, not running heads.
#[test]
fn markdown_headings_stay_headlines() {
    let note = "---\ntitle: City notes\ndate: 2024-03-05\n---\n\n# Council agrees the budget\n\nThe council agreed next year's budget on Monday after a long debate, the clerk said.\n\n## What changes\n\nBin collections move to Thursdays from April, and the pool closes in May.\n";
    let b = parse_bulletin("note.md", note.as_bytes(), &Limits::default()).expect("parses");
    assert_eq!(
        b.articles.first().map(|a| a.title.as_str()),
        Some("Council agrees the budget")
    );
    let mut page = String::new();
    for (i, topic) in ["Road works", "Library hours", "Road works"]
        .iter()
        .enumerate()
    {
        page.push_str(&format!(
            "# Notice on {topic} (Office B0097-0{i})\n\nThe office gives notice of {topic} this week; details are on the portal for all staff.\n\nStaff should plan their work for the week around it, the office said on Monday.\n\n"
        ));
    }
    let b = parse_bulletin("notices.md", page.as_bytes(), &Limits::default()).expect("parses");
    assert_eq!(
        b.articles.len(),
        3,
        "{:?}",
        b.articles.iter().map(|a| &a.title).collect::<Vec<_>>()
    );
}

/// A page the model finds no headline on is one article, titled by the
/// Markdown heading above its text when it has one.
#[test]
fn an_untitled_page_takes_its_heading() {
    let page = format!(
        "# Fixture 6a3f\n\n{}",
        "A feed worth polling.\n\n".repeat(20)
    );
    let b = parse_bulletin("one.md", page.as_bytes(), &Limits::default()).expect("parses");
    let titles: Vec<&str> = b.articles.iter().map(|a| a.title.as_str()).collect();
    assert_eq!(titles, ["Fixture 6a3f"]);
}

/// Prints `--explain` output for the file named by `BULLETIND_EXPLAIN`
/// (a debugging aid: `cargo test explain_file -- --ignored --nocapture`).
#[test]
#[ignore = "debugging aid"]
fn explain_file() {
    let Ok(path) = std::env::var("BULLETIND_EXPLAIN") else {
        return;
    };
    let bytes = std::fs::read(&path).expect("read file");
    let name = Path::new(&path)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("x.txt");
    for line in explain(name, &bytes, &Limits::default()).expect("explain") {
        println!("{line}");
    }
    let b = parse_bulletin(name, &bytes, &Limits::default()).expect("parse");
    for a in &b.articles {
        println!(
            "== {:?} / {:?} / {:?} sec={:?} {:?}",
            a.kicker, a.title, a.subtitle, a.section, a.authors
        );
    }
}

/// CPU time this thread has used, from `/proc/thread-self/schedstat` (ns).
fn thread_cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

/// Prints parse throughput in CPU time (immune to other processes on a
/// shared machine): `cargo test --release throughput_probe -- --ignored
/// --nocapture`. The criterion benchmark is the reference measurement.
#[test]
#[ignore = "measurement aid, run in release"]
fn throughput_probe() {
    let sample = String::from_utf8(sample()).expect("sample is UTF-8");
    let limits = Limits {
        max_bytes: u64::MAX,
    };
    for target in [14_000usize, 500_000, 2_000_000, 8_000_000] {
        let mut page = String::new();
        let mut n = 0;
        while page.len() < target {
            page.push_str(&sample.replace("江海区", &format!("江海{n}区")));
            page.push_str("\n\n");
            n += 1;
        }
        let rounds = (40_000_000 / page.len()).max(2);
        let (Some(start), _) = (thread_cpu_ns(), ()) else {
            return;
        };
        for _ in 0..rounds {
            let _ = std::hint::black_box(parse_bulletin("p.txt", page.as_bytes(), &limits));
        }
        let ns = thread_cpu_ns().unwrap_or(start) - start;
        let mbps = (page.len() * rounds) as f64 / (ns as f64 / 1e9) / 1e6;
        println!(
            "{:>9} bytes x {rounds:>4}: {mbps:.1} MB/s (CPU time)",
            page.len()
        );
    }
}

/// Prints the parse time of every corpus page, slowest first:
/// `cargo test --release corpus_page_times -- --ignored --nocapture`.
#[test]
#[ignore = "measurement aid, run in release"]
fn corpus_page_times() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    // Compile every pattern first.
    let _ = parse_bulletin("jianghai-page.txt", &sample(), &Limits::default());
    let mut rows = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("corpus").flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !(name.ends_with(".txt") || name.ends_with(".md"))
            || name == "README.md"
            || name == "BLIND.md"
        {
            continue;
        }
        let bytes = std::fs::read(entry.path()).expect("page");
        let rounds = std::env::var("PAGE_ROUNDS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(20);
        if std::env::var("PAGE_ONLY").is_ok_and(|p| !name.contains(&p)) {
            continue;
        }
        let t = std::time::Instant::now();
        for _ in 0..rounds {
            let _ = std::hint::black_box(parse_bulletin(&name, &bytes, &Limits::default()));
        }
        let per = t.elapsed() / rounds;
        rows.push((per, bytes.len(), name));
    }
    rows.sort();
    for (t, len, name) in rows.iter().rev().take(10) {
        println!("{t:>10.2?} {len:>7} bytes {name}");
    }
}

/// Issue 11, item 6: a page with a few stray control characters is text —
/// they are stripped with a warning, and the page is parsed, not rejected
/// as binary.
#[test]
fn stray_controls_are_stripped_with_a_warning() {
    let page = "Library opens on Sundays\n\nFrom April the central\u{7} library opens on Sundays.\u{1b}\n\nBridge works finish early\n\nThe river\u{0} bridge reopens a week ahead of plan.\n";
    let b = parse_bulletin("dirty.txt", page.as_bytes(), &Limits::default())
        .expect("a page with a few control characters is text");
    assert_eq!(b.articles.len(), 2, "{:?}", b.articles);
    assert!(
        b.warnings.iter().any(|w| w.contains("control character")),
        "{:?}",
        b.warnings
    );
    let text: String = format!("{:?}", b.articles);
    assert!(!text.contains('\u{7}') && !text.contains('\u{1b}') && !text.contains('\u{0}'));
}

/// Issue 11, item 7: a page cut off in mid-sentence keeps its last,
/// truncated paragraph.
#[test]
fn a_truncated_final_paragraph_is_kept() {
    let pages = [
        "Council backs library expansion\n\nBy KAREN DOLBY\n\nThe town council voted on Tuesday to approve the expansion of the library.\n\nThe plan adds a children's wing and a community meet",
        "江海区举办科技活动周\n\n本报讯（记者 李明）江海区科技活动周昨日开幕，吸引了众多市民参与。\n\n活动期间，区科协组织专家走进社区，为居民讲解",
    ];
    for page in pages {
        let b = parse_bulletin("cut.txt", page.as_bytes(), &Limits::default()).expect("parses");
        let last = b
            .articles
            .iter()
            .flat_map(|a| &a.blocks)
            .filter_map(|x| match x {
                Block::Paragraph(p) => Some(p.as_str()),
                _ => None,
            })
            .next_back()
            .unwrap_or_default();
        let tail: String = page
            .chars()
            .rev()
            .take(6)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        assert!(
            last.ends_with(&tail),
            "lost the truncated end {tail:?}: {:?}",
            b.articles
        );
    }
}
