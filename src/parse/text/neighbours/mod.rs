//! Detectors that read a line together with its neighbours: blocks of
//! e-mail headers, running heads, job titles under a By-line, pull quotes,
//! sign-offs and signatures, bare Chinese names under a headline, lines
//! repeated from earlier on the page, wire datelines standing alone.
//!
//! Like the single-line detectors they only report ([`Context`]); the model
//! decides. Only the page's own section label (from a running head or a
//! `第A03版：社会新闻` line) is taken as a fact.
//!
//! [`read_context`] runs the passes in order; each lives with its kind:
//! `heads.rs` (running and repeated heads, official closes), `blocks.rs`
//! (mail headers, adverts, lone datelines), `signatures.rs` (sign-offs,
//! signatures, bare names). This file runs them, adds the passes that pair
//! a line with the one above it (job titles, pull quotes, repeats), and
//! says which authors a credited line gives ([`credited_authors`]).
//!
//! [`Context`]: super::lines::Context

mod blocks;
mod heads;
mod signatures;

use std::collections::HashSet;

use super::super::credit;
use super::lines::{Line, MailHeader, Piece};
use super::measure::{bullet_len, width, HEAD_MAX_COLS};
use super::runin::RunInKind;
use crate::model::{Author, Role};

pub(super) use signatures::{is_bare_cjk_name, is_signature_name};

/// Runs every neighbour rule; returns the page's own section label.
pub(super) fn read_context(input: &str, lines: &mut [Line]) -> Option<String> {
    if lines.is_empty() {
        return None;
    }
    let label = heads::running_heads(input, lines);
    heads::repeated_heads(lines);
    heads::official_closes(lines);
    blocks::mail_blocks(lines);
    signatures::signatures(lines);
    blocks::lone_datelines(lines);
    blocks::adverts(lines);
    signatures::sign_offs(lines);
    repeats(lines);
    pairs(lines);
    signatures::bare_names(lines);
    label
}

/// Marks lines that repeat an earlier headline-width line word for word.
fn repeats(lines: &mut [Line]) {
    let mut seen: HashSet<&str> = HashSet::new();
    let mut repeats = vec![false; lines.len()];
    for (i, l) in lines.iter().enumerate() {
        if l.width <= HEAD_MAX_COLS && l.text.chars().count() >= 2 && !seen.insert(&l.text) {
            repeats[i] = true;
        }
    }
    for (l, r) in lines.iter_mut().zip(repeats) {
        l.context.repeats_earlier = r;
    }
}

/// Marks what a line is by the line above it: a job title under a By-line,
/// and an indented attribution under an indented quote (a pull quote).
fn pairs(lines: &mut [Line]) {
    for i in 1..lines.len() {
        if lines[i].credit.is_some() || lines[i].inline.is_some() {
            continue;
        }
        let (before, rest) = lines.split_at_mut(i);
        let prev = &before[i - 1];
        let l = &mut rest[0];
        let by_line = matches!(&prev.credit, Some(c) if c.why.starts_with("byline"));
        if l.gap == 0 && by_line && credit::job_title_line(&l.text) {
            l.context.job_title = true;
        }
        if l.gap == 0
            && l.indent
            && prev.indent
            && signatures::is_attribution(&l.text)
            && prev.text.starts_with(['"', '“', '「', '『', '\''])
            && prev.width <= HEAD_MAX_COLS
        {
            l.context.pull_quote = true;
            before[i - 1].context.pull_quote = true;
        }
    }
}

/// The authors a line labelled as a credit gives, whichever detector saw it.
pub(super) fn credited_authors(l: &Line) -> Vec<Author> {
    if let Some(c) = &l.credit {
        return c.authors.clone();
    }
    if let Some(MailHeader::From(name)) = &l.mail {
        return super::lines::from_credit(name.as_deref());
    }
    let t: &str = &l.text;
    if l.context.signature_name {
        return vec![Author {
            name: signatures::signature_name(t),
            role: Role::Author,
        }];
    }
    if l.context.bare_name {
        let names = t[bullet_len(t)..].trim();
        return signatures::bare_cjk_names(names)
            .unwrap_or_else(|| vec![names])
            .into_iter()
            .map(|name| Author {
                name: name.to_owned(),
                role: Role::Author,
            })
            .collect();
    }
    // A name set in bold at the front of its line (`**林间散步的猫**，博士在读`),
    // taken for a credit: the name.
    if let Piece::RunInHead {
        kind: RunInKind::Bold,
        ..
    } = l.piece
    {
        let name = t.trim();
        if !name.is_empty() && width(name) <= RUN_IN_NAME_MAX_COLS {
            return vec![Author {
                name: name.to_owned(),
                role: Role::Author,
            }];
        }
    }
    Vec::new()
}

/// Widest bold name run in before its description.
const RUN_IN_NAME_MAX_COLS: usize = 24;
