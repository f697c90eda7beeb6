//! Labelled lines → articles. A headline opens an article (with the banner,
//! kicker and deck around it); credits give its authors; body lines become
//! paragraphs, re-joined where the column flow cut them; subheadings and
//! captions become their blocks; furniture is dropped. Stories continued
//! from another page are resumed where their jump line or repeated
//! headline says.

use super::super::furniture::Furniture;
use super::joins::{self, Flow};
use super::lines::{Line, Piece};
use super::measure::{join_separator, Ending};
use super::neighbours::credited_authors;
use super::segment::Label;
use crate::model::{Article, Author, Block, Bulletin, Role};

/// Pointers that open a photo caption, towards the photo.
const CAPTION_POINTERS: &[char] = &['△', '▲', '▼', '▽', '↑', '↓', '←', '→', '◀', '▶'];

/// An article being assembled.
#[derive(Debug, Default)]
struct Draft {
    article: Article,
    /// It continues on another page.
    jumped_out: bool,
    /// The index of the body line its last paragraph ends with.
    last_body: Option<usize>,
}

/// Adds authors not credited yet.
fn push_authors(article: &mut Article, authors: &[Author]) {
    for a in authors {
        if !article.authors.contains(a) {
            article.authors.push(a.clone());
        }
    }
}

/// Furniture that may sit inside a paragraph cut by a page break without
/// ending it.
fn transparent(l: &Line) -> bool {
    l.page_date.is_some()
        || matches!(
            l.furniture,
            Some(
                Furniture::PageNumber
                    | Furniture::Editor
                    | Furniture::Navigation
                    | Furniture::Link
                    | Furniture::Copyright
            )
        )
}

/// A banner's name without its brackets (`【城南论坛】` → `城南论坛`).
fn banner_name(s: &str) -> String {
    s.trim_start_matches(['【', '['])
        .trim_end_matches(['】', ']'])
        .trim()
        .to_owned()
}

/// The first sentence of `text`, at most a headline's length: the title of
/// a page that has no headline.
fn first_sentence(text: &str) -> String {
    let mut out = String::new();
    let mut w = 0;
    for c in text.chars() {
        let cw = super::measure::char_width(c);
        if matches!(c, '。' | '！' | '？' | '.' | '!' | '?')
            || w + cw > super::measure::HEAD_MAX_COLS
        {
            break;
        }
        w += cw;
        out.push(c);
    }
    out.trim().to_owned()
}

/// The assembler's state while it walks the page.
struct Assembler<'p, 'a> {
    lines: &'p [Line<'a>],
    labels: &'p [Label],
    flow: Flow,
    drafts: Vec<Draft>,
    current: Option<usize>,
    /// Banner, kicker and credits seen before the headline they belong to.
    pending_section: Option<String>,
    /// A banner over every article below it until the next banner: a page
    /// with several banners (column labels), or a banner set as a heading
    /// above the stories' level.
    standing_section: Option<String>,
    /// Whether banners stand over all the articles below them.
    banners_stand: bool,
    pending_kicker: Option<String>,
    pending_authors: Vec<Author>,
    pending_captions: Vec<Block>,
    /// The last line was a jump head: the next body joins the resumed story.
    resume_join: bool,
}

impl Assembler<'_, '_> {
    fn draft(&mut self) -> Option<&mut Draft> {
        self.current.map(|c| &mut self.drafts[c])
    }

    /// A headline: a new article, or the head of a story resumed from
    /// another page.
    fn headline(&mut self, i: usize) {
        let l = &self.lines[i];
        let title = l.unnumbered().to_owned();
        let jumped = |d: &Draft| d.jumped_out;
        if self.drafts.iter().any(jumped) {
            // A headline repeating a story that jumped, or followed by a
            // jump-in line, resumes that story.
            let same = self
                .drafts
                .iter()
                .rposition(|d| d.jumped_out && d.article.title == title);
            let next = self.lines[i + 1..]
                .iter()
                .zip(&self.labels[i + 1..])
                .find(|(_, lab)| !lab.in_stack());
            let jump_in = next.is_some_and(|(n, _)| {
                n.jump == Some(Furniture::JumpIn) || n.furniture == Some(Furniture::JumpIn)
            });
            let resumed = same.or_else(|| {
                jump_in
                    .then(|| self.drafts.iter().rposition(jumped))
                    .flatten()
            });
            if let Some(d) = resumed {
                self.drafts[d].jumped_out = false;
                self.current = Some(d);
                self.resume_join = true;
                self.pending_kicker = None;
                self.pending_section = None;
                return;
            }
        }
        let mut article = Article {
            title,
            line: l.no,
            kicker: self.pending_kicker.take(),
            section: self
                .pending_section
                .take()
                .or_else(|| self.standing_section.clone()),
            ..Article::default()
        };
        push_authors(&mut article, &std::mem::take(&mut self.pending_authors));
        if self.drafts.is_empty() {
            article.blocks.append(&mut self.pending_captions);
        }
        self.drafts.push(Draft {
            article,
            ..Draft::default()
        });
        self.current = Some(self.drafts.len() - 1);
        self.resume_join = false;
    }

    /// A further line of the headline or deck.
    fn extend_heading(&mut self, i: usize, deck: bool) {
        let text = self.lines[i].text.to_string();
        if let Some(d) = self.draft() {
            let slot = if deck {
                d.article.subtitle.get_or_insert_with(String::new)
            } else {
                &mut d.article.title
            };
            if !slot.is_empty() {
                let sep = join_separator(slot, &text);
                slot.push_str(sep);
            }
            slot.push_str(&text);
        }
    }

    fn credit(&mut self, i: usize) {
        let l = &self.lines[i];
        if l.inline.is_some() && !l.text.is_empty() {
            // A credit opening a paragraph: the paragraph is body.
            self.body(i);
            return;
        }
        let authors = credited_authors(l);
        // A credit above a headline belongs to that headline's article when
        // nothing but credits, captions and furniture stand between, and,
        // once an article is open, when it is printed in the same block (a
        // `From:` header over its `Subject:`).
        let stack = self.labels[i + 1..]
            .iter()
            .position(|lab| !matches!(lab, Label::Credit | Label::Furniture | Label::Caption))
            .map(|k| i + 1 + k)
            .filter(|&j| self.labels[j].in_stack());
        let same_block = stack.is_some_and(|j| self.lines[i + 1..=j].iter().all(|x| x.gap == 0));
        if stack.is_some() && (same_block || self.current.is_none()) {
            self.pending_authors.extend(authors);
            return;
        }
        let signoff = l.context.signature_name && l.credit.is_none();
        if let Some(c) = self.current {
            let article = &mut self.drafts[c].article;
            // A sign-off names the writer only when nothing else has.
            if !signoff || article.authors.iter().all(|a| a.role == Role::Agency) {
                push_authors(article, &authors);
            }
        }
    }

    /// Whether body line `i` goes on the paragraph the current article's
    /// last body line ends.
    fn joins_last(&self, i: usize) -> bool {
        let Some(d) = self.current.map(|c| &self.drafts[c]) else {
            return false;
        };
        let Some(last) = d.last_body else {
            return false;
        };
        if !matches!(d.article.blocks.last(), Some(Block::Paragraph(_))) {
            return false;
        }
        let between = &self.lines[last + 1..i];
        if !between.iter().all(transparent) {
            return false;
        }
        let gap = self.lines[last + 1..=i]
            .iter()
            .map(|l| l.gap)
            .sum::<usize>()
            + between.len();
        joins::continues(&self.lines[last], &self.lines[i], gap, self.flow).is_some()
    }

    fn body(&mut self, i: usize) {
        let l = &self.lines[i];
        // A run-in head that is no headline: its whole paragraph is body,
        // and the rest of the line was part of it.
        let (text, skip_rest) = match &l.piece {
            Piece::RunInHead { whole, .. } => (whole.clone(), true),
            _ => (l.text.to_string(), false),
        };
        let mut authors: Vec<Author> = Vec::new();
        if let Some(c) = &l.inline {
            authors.extend(c.authors.iter().cloned());
        }
        if let Some(c) = &l.trailing {
            authors.extend(c.authors.iter().cloned());
        }
        if l.jump == Some(Furniture::JumpIn) {
            if let Some(d) = self.drafts.iter().rposition(|d| d.jumped_out) {
                self.drafts[d].jumped_out = false;
                self.current = Some(d);
                self.resume_join = true;
            }
        }
        // Body before any headline: the page's introduction.
        let Some(c) = self.current else {
            return;
        };
        let resume = std::mem::take(&mut self.resume_join);
        let join = !text.is_empty() && (self.joins_last(i) || (resume && self.last_open(c)));
        let d = &mut self.drafts[c];
        push_authors(&mut d.article, &authors);
        if !text.is_empty() {
            match (join, d.article.blocks.last_mut()) {
                (true, Some(Block::Paragraph(p))) => joins::append(p, &text, self.flow),
                _ => d.article.blocks.push(Block::Paragraph(text)),
            }
            d.last_body = Some(if skip_rest { i + 1 } else { i });
        }
        if l.jump == Some(Furniture::JumpOut) {
            d.jumped_out = true;
        }
    }

    /// Whether the article's last paragraph ends mid-sentence.
    fn last_open(&self, c: usize) -> bool {
        matches!(
            self.drafts[c].article.blocks.iter().rev().find(|b| matches!(b, Block::Paragraph(_))),
            Some(Block::Paragraph(p)) if super::measure::ending(p) != Ending::Terminal
        )
    }

    fn furniture(&mut self, i: usize) {
        let l = &self.lines[i];
        match l.furniture {
            Some(Furniture::JumpOut) => {
                if let Some(d) = self.draft() {
                    d.jumped_out = true;
                }
            }
            Some(Furniture::JumpIn) => {
                if let Some(d) = self.drafts.iter().rposition(|d| d.jumped_out) {
                    self.drafts[d].jumped_out = false;
                    self.current = Some(d);
                    self.resume_join = true;
                }
            }
            _ => {}
        }
    }

    fn block(&mut self, i: usize, label: Label) {
        let l = &self.lines[i];
        let block = match label {
            // The pointer opening a caption (`△`, `▲`) is layout.
            Label::Caption => Block::Caption {
                text: l
                    .source
                    .trim_start_matches(CAPTION_POINTERS)
                    .trim_start()
                    .to_string(),
                credit: l.caption.clone().flatten(),
            },
            // A subheading keeps its number (`（一）严格质量管理`).
            _ => Block::Subheading(l.text.to_string()),
        };
        match self.draft() {
            Some(d) => {
                d.article.blocks.push(block);
                d.last_body = None;
            }
            None if label == Label::Caption => self.pending_captions.push(block),
            None => {}
        }
    }

    fn walk(&mut self) {
        let mut i = 0;
        while i < self.lines.len() {
            let label = self.labels[i];
            match label {
                Label::Section => {
                    let name = banner_name(&self.lines[i].text);
                    if self.banners_stand || self.lines[i].markup.is_heading() {
                        self.standing_section = Some(name);
                    } else {
                        self.pending_section = Some(name);
                    }
                }
                Label::Kicker => self.pending_kicker = Some(self.lines[i].text.to_string()),
                Label::Headline => self.headline(i),
                Label::HeadlineMore => self.extend_heading(i, false),
                Label::Subtitle | Label::SubtitleMore => {
                    if label == Label::Subtitle {
                        if let Some(d) = self.draft() {
                            d.article.subtitle = None;
                        }
                    }
                    self.extend_heading(i, true);
                }
                Label::Credit => self.credit(i),
                Label::Body => {
                    self.body(i);
                    // The rest of a run-in line went with its head.
                    if matches!(self.lines[i].piece, Piece::RunInHead { .. })
                        && self
                            .lines
                            .get(i + 1)
                            .is_some_and(|n| n.piece == Piece::RunInRest)
                    {
                        i += 1;
                    }
                }
                Label::Subheading | Label::Caption => self.block(i, label),
                Label::Furniture | Label::Contents => self.furniture(i),
            }
            i += 1;
        }
    }
}

/// Builds the bulletin from labelled lines; says whether the page had no
/// headline at all (its one article is titled by its first sentence).
pub(super) fn assemble(lines: &[Line], labels: &[Label], flow: Flow) -> (Bulletin, bool) {
    let mut a = Assembler {
        lines,
        labels,
        flow,
        drafts: Vec::new(),
        current: None,
        pending_section: None,
        standing_section: None,
        banners_stand: labels.iter().filter(|l| **l == Label::Section).count() >= 2,
        pending_kicker: None,
        pending_authors: Vec::new(),
        pending_captions: Vec::new(),
        resume_join: false,
    };
    a.walk();
    let mut bulletin = Bulletin::default();
    if a.drafts.is_empty() {
        return (untitled(lines, labels, flow, a.pending_captions), true);
    }
    bulletin.articles = a.drafts.into_iter().map(|d| d.article).collect();
    (bulletin, false)
}

/// A page without any headline: one article of its running text, titled
/// by a markup heading right above it, else by its first sentence. Its text is what the model took for body, or,
/// if nothing, every line no detector claimed.
fn untitled(lines: &[Line], labels: &[Label], flow: Flow, captions: Vec<Block>) -> Bulletin {
    let body: Vec<usize> = (0..lines.len())
        .filter(|&i| labels[i] == Label::Body)
        .collect();
    let unclaimed = || {
        (0..lines.len())
            .filter(|&i| {
                let l = &lines[i];
                l.furniture.is_none()
                    && l.credit.is_none()
                    && l.caption.is_none()
                    && l.mail.is_none()
                    && !l.tags_only
                    && l.piece != Piece::RunInRest
            })
            .collect::<Vec<usize>>()
    };
    let body = if body.is_empty() { unclaimed() } else { body };
    let mut article = Article::default();
    for (l, lab) in lines.iter().zip(labels) {
        if *lab == Label::Credit {
            push_authors(&mut article, &credited_authors(l));
        }
    }
    let mut paragraphs: Vec<String> = Vec::new();
    let mut prev: Option<usize> = None;
    for &i in &body {
        let l = &lines[i];
        if let Some(c) = l.inline.as_ref().or(l.trailing.as_ref()) {
            push_authors(&mut article, &c.authors);
        }
        let text = match &l.piece {
            Piece::RunInHead { whole, .. } => whole.clone(),
            _ => l.text.to_string(),
        };
        if text.is_empty() {
            continue;
        }
        let joined = prev
            .is_some_and(|p| p + 1 == i && joins::continues(&lines[p], l, l.gap, flow).is_some());
        match (joined, paragraphs.last_mut()) {
            (true, Some(last)) => joins::append(last, &text, flow),
            _ => paragraphs.push(text),
        }
        if article.line == 0 {
            article.line = l.no;
        }
        prev = Some(i);
    }
    let mut bulletin = Bulletin::default();
    if let Some(first) = paragraphs.first() {
        // A heading in markup standing above the text names it, past lines
        // the model dropped as furniture on its way down.
        let heading = body
            .first()
            .and_then(|&b| {
                (0..b)
                    .rev()
                    .take_while(|&h| labels[h] == Label::Furniture || lines[h].markup.is_heading())
                    .find(|&h| lines[h].markup.is_heading())
            })
            .map(|h| &lines[h])
            .filter(|h| !h.text.trim().is_empty());
        article.title = match heading {
            Some(h) => h.text.trim().to_string(),
            None => first_sentence(first),
        };
        article.blocks = captions;
        article
            .blocks
            .extend(paragraphs.into_iter().map(Block::Paragraph));
        bulletin.articles.push(article);
    }
    bulletin
}

#[cfg(test)]
mod tests {
    use super::super::{joins, lines, neighbours};
    use super::*;

    #[test]
    fn a_from_header_credits_the_message_below_it() {
        let page = "Message: 1\nDate: Mon, 15 Jul 2013 19:42:10 +0100\nFrom: Dan Ferris <dan@example.net>\nTo: list@example.org\nSubject: Water butts\nMessage-ID: <1@x>\n\nThe butts were empty again this morning, and the pipe is loose.\n";
        let mut ls = lines::read(page, false);
        neighbours::read_context(page, &mut ls);
        use Label::*;
        let labels = [
            Furniture, Furniture, Credit, Furniture, Headline, Furniture, Body,
        ];
        assert_eq!(ls.len(), labels.len());
        let (b, _) = assemble(&ls, &labels, joins::flow(&ls, false));
        assert_eq!(b.articles.len(), 1);
        let names: Vec<&str> = b.articles[0]
            .authors
            .iter()
            .map(|a| a.name.as_str())
            .collect();
        assert_eq!(names, ["Dan Ferris"]);
    }
}
