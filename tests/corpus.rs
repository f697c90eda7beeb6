//! Golden-file tests for the newspaper-page parser.
//!
//! Every `tests/corpus/NAME.expected.json` describes how `NAME.txt` must split
//! into articles (see `tests/corpus/README.md` for the format and the role
//! rules). [`corpus_matches_goldens`] parses every fixture, scores it, and
//! holds the corpus to a mean score (the sample page must be exact); when it
//! fails it reports *all* mismatches of all files, so the parser author sees
//! the whole picture at once. The `sample_*` tests feed the sample page re-encoded at
//! test time (BOMs, UTF-16, GB18030/GBK, CRLF/CR) and hold each variant to the
//! same golden. [`corpus_is_consistent`] checks the fixtures themselves (the
//! stated encoding decodes the bytes, every golden string really is on the
//! page) and the `checker_*` tests check the comparison code; those pass
//! without any parser.

use std::fmt::Write as _;
use std::fs;

use bulletind::model::{Article, Block, Bulletin, Dated, Role};
use bulletind::parse::{parse_bulletin, Limits};
use encoding_rs::Encoding;

#[path = "corpus/golden.rs"]
mod golden;
#[path = "corpus/scoring.rs"]
mod scoring;

use golden::{
    align, block_text, captions, corpus_dir, load_goldens, paragraphs, subheadings, Golden,
    GoldenArticle,
};

/// Reads the fixture a golden describes.
fn fixture_bytes(golden: &Golden) -> Vec<u8> {
    let path = corpus_dir().join(&golden.file);
    fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Loads one golden by fixture name.
fn golden_named(file: &str) -> Golden {
    load_goldens()
        .into_iter()
        .map(|(_, g)| g)
        .find(|g| g.file == file)
        .unwrap_or_else(|| panic!("no golden for {file}"))
}

/// Shortens long strings in failure messages.
fn clip(s: &str) -> String {
    const MAX: usize = 60;
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= MAX {
        format!("{s:?}")
    } else {
        let head: String = chars[..MAX / 2].iter().collect();
        let tail: String = chars[chars.len() - MAX / 2..].iter().collect();
        format!("{head:?}…{tail:?} ({} chars)", chars.len())
    }
}

/// Compares a parsed bulletin with its golden; returns one line per mismatch.
fn compare(golden: &Golden, bulletin: &Bulletin) -> Vec<String> {
    let mut out = Vec::new();
    let got = &bulletin.articles;
    if got.len() != golden.articles.len() {
        out.push(format!(
            "article count: expected {}, got {} — got titles {:?}",
            golden.articles.len(),
            got.len(),
            got.iter().map(|a| a.title.as_str()).collect::<Vec<_>>()
        ));
    }
    let pairs = align(&golden.articles, got, true);
    for (j, article) in got.iter().enumerate() {
        if !pairs.contains(&Some(j)) {
            out.push(format!(
                "unexpected article [{j}] titled {}",
                clip(&article.title)
            ));
        }
    }
    for (i, (want, pair)) in golden.articles.iter().zip(&pairs).enumerate() {
        match pair {
            None => out.push(format!("article[{i}] {}: missing", clip(&want.title))),
            Some(j) => compare_article(i, want, &got[*j], &mut out),
        }
    }

    if let Some(date) = golden.date {
        let got_day = bulletin.date.map(|d| match d {
            Dated::Day(day) => day,
            Dated::Local(t) => t.date(),
            Dated::Exact(t) => t.date_naive(),
        });
        if got_day != Some(date) {
            out.push(format!("date: expected {date}, got {:?}", bulletin.date));
        }
    }
    if let Some(section) = &golden.section {
        let all: Vec<usize> = (0..golden.articles.len()).collect();
        let applies = golden.section_applies_to.as_ref().unwrap_or(&all);
        for (i, pair) in pairs.iter().enumerate() {
            let Some(j) = pair else { continue };
            let effective = got[*j].section.as_ref().or(bulletin.section.as_ref());
            let has = effective.map(|s| s.trim()) == Some(section.as_str());
            if applies.contains(&i) && !has {
                out.push(format!(
                    "article[{i}] section: expected {section:?}, got {effective:?}"
                ));
            } else if !applies.contains(&i) && has {
                out.push(format!(
                    "article[{i}] section: {section:?} must not apply here (article section {:?}, bulletin section {:?})",
                    got[*j].section, bulletin.section
                ));
            }
        }
    }
    for fragment in &golden.rejoined_paragraph_fragments {
        let found = got
            .iter()
            .flat_map(paragraphs)
            .any(|p| p.contains(fragment.as_str()));
        if !found {
            out.push(format!(
                "rejoined fragment {} is in no single paragraph",
                clip(fragment)
            ));
        }
    }
    for banned in &golden.not_in_any_body {
        for (j, article) in got.iter().enumerate() {
            if let Some(block) = article
                .blocks
                .iter()
                .find(|b| block_text(b).contains(banned.as_str()))
            {
                out.push(format!(
                    "article[{j}] {}: {banned:?} left in a block: {}",
                    clip(&article.title),
                    clip(block_text(block))
                ));
            }
        }
    }
    check_invariants(bulletin, &mut out);
    out
}

/// Compares one golden article with the parsed article paired to it.
fn compare_article(i: usize, want: &GoldenArticle, got: &Article, out: &mut Vec<String>) {
    let at = format!("article[{i}] {}", clip(&want.title));
    if got.title.trim() != want.title {
        out.push(format!("{at}: title: got {:?}", got.title));
    }
    if let Some(kicker) = &want.kicker {
        if got.kicker.as_deref().map(str::trim) != Some(kicker.as_str()) {
            out.push(format!(
                "{at}: kicker: expected {kicker:?}, got {:?}",
                got.kicker
            ));
        }
    }
    if let Some(subtitle) = &want.subtitle {
        if got.subtitle.as_deref().map(str::trim) != Some(subtitle.as_str()) {
            out.push(format!(
                "{at}: subtitle: expected {subtitle:?}, got {:?}",
                got.subtitle
            ));
        }
    }
    for (field, role, names) in want.role_lists() {
        let got_names: Vec<&str> = got.names_with(role).map(str::trim).collect();
        if got_names != names.iter().map(String::as_str).collect::<Vec<_>>() {
            out.push(format!(
                "{at}: {field}: expected {names:?}, got {got_names:?}"
            ));
        }
    }
    let paras = paragraphs(got);
    match (paras.first(), paras.last()) {
        (Some(first), Some(last)) => {
            if !first.trim_start().starts_with(want.body_starts.as_str()) {
                out.push(format!(
                    "{at}: body_starts: expected {:?}, first paragraph is {}",
                    want.body_starts,
                    clip(first)
                ));
            }
            if !last.trim_end().ends_with(want.body_ends.as_str()) {
                out.push(format!(
                    "{at}: body_ends: expected {:?}, last paragraph is {}",
                    want.body_ends,
                    clip(last)
                ));
            }
        }
        _ => out.push(format!("{at}: no paragraph at all")),
    }
    let got_subs = subheadings(got);
    if got_subs
        != want
            .subheadings
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
    {
        out.push(format!(
            "{at}: subheadings: expected {:?}, got {got_subs:?}",
            want.subheadings
        ));
    }
    let got_caps = captions(got);
    if got_caps != want.captions.iter().map(String::as_str).collect::<Vec<_>>() {
        out.push(format!(
            "{at}: captions: expected {:?}, got {got_caps:?}",
            want.captions
        ));
    }
}

/// Rules that hold for every page whatever its golden says.
fn check_invariants(bulletin: &Bulletin, out: &mut Vec<String>) {
    for (j, article) in bulletin.articles.iter().enumerate() {
        if article.title.trim().is_empty() {
            out.push(format!("article[{j}]: empty title"));
        }
        if article.title.contains('\n') {
            out.push(format!(
                "article[{j}]: title spans lines: {:?}",
                article.title
            ));
        }
        if article
            .blocks
            .iter()
            .any(|b| block_text(b).trim().is_empty())
        {
            out.push(format!(
                "article[{j}] {}: empty block",
                clip(&article.title)
            ));
        }
        if article.authors.iter().any(|a| a.name.trim().is_empty()) {
            out.push(format!(
                "article[{j}] {}: author with empty name",
                clip(&article.title)
            ));
        }
        let texts = std::iter::once(article.title.as_str())
            .chain(article.blocks.iter().map(block_text))
            .chain(article.authors.iter().map(|a| a.name.as_str()));
        if texts.into_iter().any(|t| t.contains('\u{FFFD}')) {
            out.push(format!(
                "article[{j}] {}: U+FFFD replacement character (mis-decoded bytes)",
                clip(&article.title)
            ));
        }
    }
}

/// Parses `bytes` under `file_name` and compares with `golden`.
fn check_one(file_name: &str, bytes: &[u8], golden: &Golden) -> Vec<String> {
    match parse_bulletin(file_name, bytes, &Limits::default()) {
        Ok(bulletin) => compare(golden, &bulletin),
        Err(e) => vec![format!("parse error: {e}")],
    }
}

/// Formats a report of mismatches per file; empty when all files matched.
fn report(results: &[(String, Vec<String>)]) -> String {
    let failed = results.iter().filter(|(_, m)| !m.is_empty()).count();
    if failed == 0 {
        return String::new();
    }
    let mut msg = format!(
        "{failed} of {} fixtures do not split as their goldens say:\n",
        results.len()
    );
    for (file, mismatches) in results {
        if mismatches.is_empty() {
            let _ = writeln!(msg, "\n== {file}: ok");
            continue;
        }
        let _ = writeln!(msg, "\n== {file}: {} mismatch(es)", mismatches.len());
        for m in mismatches {
            let _ = writeln!(msg, "  {m}");
        }
    }
    msg
}

/// The whole corpus must score at least this (the mean of the page scores
/// of `tests/corpus/README.md`): the parser is a model, and a new page may
/// cost a little elsewhere, but not much. A floor against regressions at
/// the level last measured, not issue 11's goal (0.95 after tuning): the
/// 184 pages of batches up to 16 scored 0.931; with blind batches 17 to 19
/// (36 pages) and their tuning round the 220 pages score 0.925 (`BLIND.md`).
const CORPUS_MIN_SCORE: f64 = 0.92;

/// No page may score below this: one page read badly wrong is a bug. The
/// lowest pages now are `en-livestock-market-report` (0.526) and
/// `en-medical-journal-toc-abstracts` (0.572); a refit can move a page by
/// 0.3 (`en-fidonet-echomail-digest`, a headline with furniture inside its
/// stack, fell to 0.383 in one), see `BLIND.md`.
const PAGE_MIN_SCORE: f64 = 0.45;

/// Pages that must split exactly as their goldens say: the real sample.
const EXACT_PAGES: &[&str] = &[SAMPLE];

#[test]
fn corpus_matches_goldens() {
    let goldens = load_goldens();
    assert!(!goldens.is_empty(), "no golden files found");
    let mut results: Vec<(String, Vec<String>)> = Vec::new();
    let mut scores: Vec<(String, f64)> = Vec::new();
    for (_, golden) in &goldens {
        let bytes = fixture_bytes(golden);
        let (mismatches, score) = match parse_bulletin(&golden.file, &bytes, &Limits::default()) {
            Ok(b) => (compare(golden, &b), scoring::score(golden, &b).total()),
            Err(e) => (vec![format!("parse error: {e}")], 0.0),
        };
        results.push((golden.file.clone(), mismatches));
        scores.push((golden.file.clone(), score));
    }
    let mean = scores.iter().map(|(_, s)| s).sum::<f64>() / scores.len() as f64;
    let low: Vec<String> = scores
        .iter()
        .filter(|(_, s)| *s < PAGE_MIN_SCORE)
        .map(|(f, s)| format!("{f} {s:.3}"))
        .collect();
    let inexact: Vec<&str> = results
        .iter()
        .filter(|(f, m)| EXACT_PAGES.contains(&f.as_str()) && !m.is_empty())
        .map(|(f, _)| f.as_str())
        .collect();
    let perfect = results.iter().filter(|(_, m)| m.is_empty()).count();
    println!(
        "corpus: {perfect} of {} pages exact, mean score {mean:.3}",
        results.len()
    );
    let ok = mean >= CORPUS_MIN_SCORE && low.is_empty() && inexact.is_empty();
    assert!(
        ok,
        "corpus mean {mean:.3} (needs {CORPUS_MIN_SCORE}); pages under {PAGE_MIN_SCORE}: {low:?}; must be exact but are not: {inexact:?}\n{}",
        report(&results)
    );
}

// ---------------------------------------------------------------------------
// The sample page in every encoding the parser must read.

/// Name of the sample page in the corpus.
const SAMPLE: &str = "jianghai-page.txt";

/// The sample page as UTF-8 text.
fn sample_text() -> String {
    String::from_utf8(fixture_bytes(&golden_named(SAMPLE))).expect("the sample is UTF-8")
}

/// Encodes with an `encoding_rs` encoder, failing the test on any character
/// the encoding cannot hold (the variant would not be the same page).
fn encode_legacy(text: &str, encoding: &'static Encoding) -> Vec<u8> {
    let (bytes, used, unmappable) = encoding.encode(text);
    assert_eq!(used, encoding, "encoder substituted another encoding");
    assert!(
        !unmappable,
        "the sample has characters {} cannot encode",
        encoding.name()
    );
    bytes.into_owned()
}

/// Encodes as UTF-16 with a byte-order mark.
fn encode_utf16(text: &str, big_endian: bool) -> Vec<u8> {
    let bom: u16 = 0xFEFF;
    std::iter::once(bom)
        .chain(text.encode_utf16())
        .flat_map(|unit| {
            if big_endian {
                unit.to_be_bytes()
            } else {
                unit.to_le_bytes()
            }
        })
        .collect()
}

/// Parses a variant of the sample and fails with every mismatch.
fn check_sample_variant(variant: &str, bytes: &[u8]) {
    let golden = golden_named(SAMPLE);
    let mismatches = check_one(SAMPLE, bytes, &golden);
    let msg = report(&[(format!("{SAMPLE} as {variant}"), mismatches)]);
    assert!(msg.is_empty(), "{msg}");
}

#[test]
fn sample_utf8_with_bom() {
    let mut bytes = vec![0xEF, 0xBB, 0xBF];
    bytes.extend_from_slice(sample_text().as_bytes());
    check_sample_variant("UTF-8 with BOM", &bytes);
}

#[test]
fn sample_utf16le_with_bom() {
    check_sample_variant("UTF-16LE with BOM", &encode_utf16(&sample_text(), false));
}

#[test]
fn sample_utf16be_with_bom() {
    check_sample_variant("UTF-16BE with BOM", &encode_utf16(&sample_text(), true));
}

#[test]
fn sample_gb18030() {
    let bytes = encode_legacy(&sample_text(), encoding_rs::GB18030);
    check_sample_variant("GB18030", &bytes);
}

#[test]
fn sample_gbk() {
    let bytes = encode_legacy(&sample_text(), encoding_rs::GBK);
    check_sample_variant("GBK", &bytes);
}

#[test]
fn sample_crlf() {
    let text = sample_text().replace("\r\n", "\n").replace('\n', "\r\n");
    check_sample_variant("CRLF line ends", text.as_bytes());
}

#[test]
fn sample_cr() {
    let text = sample_text().replace("\r\n", "\n").replace('\n', "\r");
    check_sample_variant("CR line ends", text.as_bytes());
}

#[test]
fn sample_gb18030_crlf() {
    let text = sample_text().replace("\r\n", "\n").replace('\n', "\r\n");
    let bytes = encode_legacy(&text, encoding_rs::GB18030);
    check_sample_variant("GB18030 with CRLF line ends", &bytes);
}

// ---------------------------------------------------------------------------
// The corpus itself: these pass without a parser and keep the goldens honest.

/// Decodes fixture bytes strictly as the golden's `encoding` says.
fn decode_as(label: &str, bytes: &[u8]) -> Result<String, String> {
    let strict = |enc: &'static Encoding, body: &[u8]| {
        enc.decode_without_bom_handling_and_without_replacement(body)
            .map(|s| s.into_owned())
            .ok_or_else(|| format!("bytes are not valid {}", enc.name()))
    };
    match label {
        "utf-8" => {
            if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
                return Err("utf-8 file starts with a BOM; label it utf-8-bom".into());
            }
            strict(encoding_rs::UTF_8, bytes)
        }
        "utf-8-bom" => match bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
            Some(body) => strict(encoding_rs::UTF_8, body),
            None => Err("no UTF-8 BOM".into()),
        },
        "utf-16le-bom" => match bytes.strip_prefix(&[0xFF, 0xFE]) {
            Some(body) => strict(encoding_rs::UTF_16LE, body),
            None => Err("no UTF-16LE BOM".into()),
        },
        "utf-16be-bom" => match bytes.strip_prefix(&[0xFE, 0xFF]) {
            Some(body) => strict(encoding_rs::UTF_16BE, body),
            None => Err("no UTF-16BE BOM".into()),
        },
        legacy => {
            let enc = Encoding::for_label(legacy.as_bytes())
                .ok_or_else(|| format!("unknown encoding label {legacy:?}"))?;
            if std::str::from_utf8(bytes).is_ok() {
                return Err(format!(
                    "file labelled {legacy} is valid UTF-8: not real legacy bytes"
                ));
            }
            strict(enc, bytes)
        }
    }
}

/// Ways a string may be broken across lines on the page: newlines removed
/// (CJK), newline runs and the indentation around them turned into one
/// space (English wraps), and
/// end-of-line hyphens joined (`infor-` + `mation`).
fn flowed_variants(text: &str) -> [String; 3] {
    let unix = text.replace("\r\n", "\n").replace('\r', "\n");
    let removed = unix.replace('\n', "");
    // An indented line wraps as a flush one does.
    let spaced = unix
        .split('\n')
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let dehyphenated =
        unix.split('\n')
            .filter(|l| !l.trim().is_empty())
            .fold(String::new(), |mut acc, line| {
                if acc.ends_with('-') {
                    acc.pop();
                } else if !acc.is_empty() {
                    acc.push(' ');
                }
                acc.push_str(line.trim());
                acc
            });
    [removed, spaced, dehyphenated]
}

#[test]
fn corpus_is_consistent() {
    let dir = corpus_dir();
    let goldens = load_goldens();
    let mut problems = Vec::new();
    let mut with_golden = Vec::new();
    for (path, golden) in &goldens {
        let stem = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".expected.json"))
            .unwrap_or_default();
        if golden.file != format!("{stem}.txt") && golden.file != format!("{stem}.md") {
            problems.push(format!("{}: \"file\" is {:?}", path.display(), golden.file));
        }
        with_golden.push(golden.file.clone());
        let label = golden.encoding.as_deref().unwrap_or("utf-8");
        let text = match decode_as(label, &fixture_bytes(golden)) {
            Ok(text) => text,
            Err(e) => {
                problems.push(format!("{}: {e}", golden.file));
                continue;
            }
        };
        let lines: Vec<&str> = text.lines().map(str::trim).collect();
        let on_page = |s: &str| text.contains(s);
        let flowed = flowed_variants(&text);
        let mut missing = Vec::new();
        let mut need = |what: &str, s: &str, found: bool| {
            if s.trim().is_empty() || !found {
                missing.push(format!("{}: {what} {s:?} is not on the page", golden.file));
            }
        };
        for (i, a) in golden.articles.iter().enumerate() {
            let at = format!("article[{i}]");
            // Markdown markup may wrap a headline; the rest must be printed as
            // is, or wrapped over lines (a two-line headline joined with a
            // space), as captions may be.
            let title_found =
                on_page(&a.title) || flowed.iter().any(|f| f.contains(a.title.as_str()));
            need(&format!("{at} title"), &a.title, title_found);
            // A kicker or deck may wrap over lines like a headline.
            for (field, value) in [("kicker", &a.kicker), ("subtitle", &a.subtitle)] {
                if let Some(v) = value {
                    let found = on_page(v) || flowed.iter().any(|f| f.contains(v.as_str()));
                    need(&format!("{at} {field}"), v, found);
                }
            }
            for (field, _, names) in a.role_lists() {
                for name in names {
                    need(&format!("{at} {field}"), name, on_page(name));
                }
            }
            for (field, value) in [("body_starts", &a.body_starts), ("body_ends", &a.body_ends)] {
                let found = on_page(value) || flowed.iter().any(|f| f.contains(value.as_str()));
                need(&format!("{at} {field}"), value, found);
            }
            for s in &a.subheadings {
                // Markup around it is not part of it: `## Reaction`,
                // `**Reaction**`, a wiki's `Reaction[edit]`.
                let bare = lines.iter().any(|l| {
                    let l = l.trim_matches(['#', '*', ' ']);
                    l == s || l.strip_suffix("[edit]").map(str::trim_end) == Some(s.as_str())
                });
                need(&format!("{at} subheading (alone on a line)"), s, bare);
            }
            for c in &a.captions {
                let found = lines.contains(&c.as_str()) || flowed[1].contains(c.as_str());
                need(&format!("{at} caption"), c, found);
            }
        }
        if let Some(s) = &golden.section {
            need("section", s, on_page(s));
        }
        for f in &golden.rejoined_paragraph_fragments {
            // A fragment printed whole on one line tests no re-joining; one
            // cut by a page break has its two halves apart on the page.
            let halves = f
                .char_indices()
                .skip(1)
                .any(|(k, _)| on_page(f[..k].trim_end()) && on_page(f[k..].trim_start()));
            let flows = flowed.iter().any(|v| v.contains(f.as_str()));
            need(
                "rejoined fragment (broken across lines)",
                f,
                !on_page(f) && (flows || halves),
            );
        }
        for s in &golden.not_in_any_body {
            need("not_in_any_body", s, on_page(s));
        }
        problems.append(&mut missing);
        if let Some(applies) = &golden.section_applies_to {
            if applies.iter().any(|&i| i >= golden.articles.len()) {
                problems.push(format!("{}: section_applies_to out of range", golden.file));
            }
        }
    }
    for entry in fs::read_dir(&dir).expect("tests/corpus must be readable") {
        let name = entry.expect("directory entry").file_name();
        let name = name.to_string_lossy();
        // `README.md`, `BLIND.md`, `BRIEF.md`: the corpus's own notes, not pages.
        let note = name
            .strip_suffix(".md")
            .is_some_and(|stem| stem.chars().all(|c| c.is_ascii_uppercase() || c == '_'));
        let page = name.ends_with(".txt") || (name.ends_with(".md") && !note);
        if page && !with_golden.iter().any(|f| f == name.as_ref()) {
            problems.push(format!("{name}: fixture without a golden"));
        }
    }
    assert!(
        problems.is_empty(),
        "corpus problems:\n  {}",
        problems.join("\n  ")
    );
}

#[test]
fn corpus_covers_the_required_styles() {
    let goldens = load_goldens();
    let count = |label: &str| {
        goldens
            .iter()
            .filter(|(_, g)| g.encoding.as_deref().unwrap_or("utf-8") == label)
            .count()
    };
    let composed = goldens.iter().filter(|(_, g)| g.file != SAMPLE).count();
    assert!(composed >= 16, "only {composed} composed fixtures");
    assert!(count("big5") >= 1, "no Big5 fixture");
    assert!(count("gb18030") >= 1, "no GB18030 fixture");
    assert!(count("windows-1252") >= 1, "no Windows-1252 fixture");
}

// ---------------------------------------------------------------------------
// The checker itself: a bulletin built straight from a golden must pass, and
// each kind of mistake must be reported.

/// The bulletin a perfect parser would return for `golden`, as far as the
/// golden describes it.
fn bulletin_from(golden: &Golden) -> Bulletin {
    let mut articles: Vec<Article> = golden
        .articles
        .iter()
        .map(|want| {
            let mut blocks = vec![Block::Paragraph(want.body_starts.clone())];
            blocks.extend(want.subheadings.iter().cloned().map(Block::Subheading));
            blocks.extend(want.captions.iter().map(|c| Block::Caption {
                text: c.clone(),
                credit: None,
            }));
            blocks.push(Block::Paragraph(want.body_ends.clone()));
            let authors = want
                .role_lists()
                .into_iter()
                .flat_map(|(_, role, names)| {
                    names.iter().map(move |name| bulletind::model::Author {
                        name: name.clone(),
                        role,
                    })
                })
                .collect();
            Article {
                title: want.title.clone(),
                kicker: want.kicker.clone(),
                subtitle: want.subtitle.clone(),
                authors,
                blocks,
                ..Article::default()
            }
        })
        .collect();
    if let (Some(first), false) = (
        articles.first_mut(),
        golden.rejoined_paragraph_fragments.is_empty(),
    ) {
        for fragment in &golden.rejoined_paragraph_fragments {
            first.blocks.insert(1, Block::Paragraph(fragment.clone()));
        }
    }
    if let Some(section) = &golden.section {
        for (i, article) in articles.iter_mut().enumerate() {
            let applies = golden
                .section_applies_to
                .as_ref()
                .is_none_or(|list| list.contains(&i));
            if applies {
                article.section = Some(section.clone());
            }
        }
    }
    Bulletin {
        articles,
        date: golden.date.map(Dated::Day),
        ..Bulletin::default()
    }
}

#[test]
fn checker_accepts_what_each_golden_describes() {
    let mut problems = Vec::new();
    for (_, golden) in load_goldens() {
        for m in compare(&golden, &bulletin_from(&golden)) {
            problems.push(format!("{}: {m}", golden.file));
        }
    }
    assert!(
        problems.is_empty(),
        "goldens contradict themselves:\n  {}",
        problems.join("\n  ")
    );
}

#[test]
fn checker_reports_each_kind_of_mistake() {
    type Mutation = fn(&mut Bulletin);
    let cases: &[(&str, Mutation, &str)] = &[
        (
            "wrong title",
            |b| b.articles[0].title.push('!'),
            "title: got",
        ),
        (
            "empty title",
            |b| b.articles[0].title.clear(),
            "empty title",
        ),
        ("lost article", |b| drop(b.articles.pop()), "missing"),
        (
            "extra article",
            |b| {
                let extra = b.articles[0].clone();
                b.articles.push(Article {
                    title: "本版导读".into(),
                    ..extra
                });
            },
            "unexpected article",
        ),
        (
            "lost reporter",
            |b| b.articles[0].authors.clear(),
            "reporters: expected",
        ),
        (
            "photographer as author",
            |b| {
                b.articles[1].authors.push(bulletind::model::Author {
                    name: "邹凯".into(),
                    role: Role::Reporter,
                })
            },
            "reporters: expected",
        ),
        (
            "credit left in body",
            |b| {
                b.articles[0]
                    .blocks
                    .insert(0, Block::Paragraph("本报讯（记者 梁晨）".into()))
            },
            "left in a block",
        ),
        (
            "fragment split",
            |b| {
                for a in &mut b.articles {
                    for block in &mut a.blocks {
                        if let Block::Paragraph(t) = block {
                            *t = t.replace("吞吐能力将", "吞吐能力\n\n将");
                        }
                    }
                }
            },
            "in no single paragraph",
        ),
        (
            "subheading lost",
            |b| {
                b.articles[0]
                    .blocks
                    .retain(|x| !matches!(x, Block::Subheading(_)))
            },
            "subheadings: expected",
        ),
        (
            "caption lost",
            |b| {
                b.articles[1]
                    .blocks
                    .retain(|x| !matches!(x, Block::Caption { .. }))
            },
            "captions: expected",
        ),
        ("no date", |b| b.date = None, "date: expected"),
        (
            "mis-decoded",
            |b| b.articles[2].title = "农村电商培训\u{FFFD}开班".into(),
            "U+FFFD",
        ),
        (
            "body cut short",
            |b| {
                if let Some(Block::Paragraph(t)) = b.articles[3].blocks.last_mut() {
                    t.truncate(3);
                }
            },
            "body_ends",
        ),
    ];
    let golden = golden_named("zh-multipage.txt");
    let mut reference = bulletin_from(&golden);
    // zh-multipage has no subheadings; give article 0 one so losing it shows.
    reference.articles[0]
        .blocks
        .insert(0, Block::Subheading("X".into()));
    let mut golden_with_sub = golden_named("zh-multipage.txt");
    golden_with_sub.articles[0].subheadings = vec!["X".into()];
    for (name, mutate, expected) in cases {
        let mut bulletin = reference.clone();
        mutate(&mut bulletin);
        let found = compare(&golden_with_sub, &bulletin);
        assert!(
            found.iter().any(|m| m.contains(expected)),
            "{name}: expected a mismatch containing {expected:?}, got {found:#?}"
        );
    }
    assert_eq!(compare(&golden_with_sub, &reference), Vec::<String>::new());
}

/// Prints how the parse of the pages named in `CORPUS_PAGES` (comma
/// separated file names) differs from their goldens:
/// `CORPUS_PAGES=a.txt cargo test --test corpus show_mismatches -- --ignored --nocapture`.
#[test]
#[ignore = "a development aid"]
fn show_mismatches() {
    let wanted = std::env::var("CORPUS_PAGES").unwrap_or_default();
    for (_, golden) in load_goldens() {
        if !wanted.split(',').any(|w| w == golden.file) {
            continue;
        }
        let bytes = fixture_bytes(&golden);
        match parse_bulletin(&golden.file, &bytes, &Limits::default()) {
            Ok(b) => {
                println!("== {}", golden.file);
                for m in compare(&golden, &b) {
                    println!("  {m}");
                }
            }
            Err(e) => println!("== {}: parse error: {e}", golden.file),
        }
    }
}
