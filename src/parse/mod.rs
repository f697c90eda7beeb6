//! Bytes → [`Bulletin`]: size, emptiness and binary checks, decoding, and
//! dispatch to the three bulletin formats.
//!
//! No file system here: callers pass the bare file name (for the format by
//! extension and for a date in the name) and the bytes.
//!
//! - `decode`: byte-order marks, legacy encodings, line ends.
//! - `text`: newspaper pages in plain text (the heart of the parser): a
//!   segmentation model over the page's lines, helped by the exact
//!   detectors in `credit` (bylines and captions), `furniture` (page
//!   furniture) and `date` (dates printed on pages and in file names).
//! - `markdown`: Markdown notes with optional front matter.
//! - `json`: JSON item lists.
//! - `clean`: the string hygiene every emitted string goes through.

mod clean;
mod credit;
mod date;
mod decode;
pub mod dev;
mod furniture;
mod json;
mod markdown;
mod text;

#[cfg(test)]
mod tests;

use std::fmt;

use crate::model::Bulletin;

/// Limits applied before parsing.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Files larger than this are rejected.
    pub max_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 8 * 1024 * 1024,
        }
    }
}

/// Why a bulletin was rejected. The caller adds the path.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    /// The file has no content (or only white space).
    #[error("empty file")]
    Empty,
    /// The file is over the configured size limit.
    #[error("file is {size} bytes, over the {limit}-byte limit")]
    TooLarge {
        /// Size of the file in bytes.
        size: u64,
        /// The configured limit.
        limit: u64,
    },
    /// The file looks like binary data, not text.
    #[error("binary file, not text")]
    Binary,
    /// The extension names no bulletin format.
    #[error("unsupported file type {0:?} (expected .txt, .md or .json)")]
    Unsupported(String),
    /// The content is malformed at a given line.
    #[error("line {line}: {reason}")]
    Syntax {
        /// 1-based line number.
        line: usize,
        /// What is wrong there.
        reason: String,
    },
    /// The file holds no article.
    #[error("no article found")]
    NoArticles,
}

/// The bulletin formats, chosen by extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Text,
    Markdown,
    Json,
}

fn format_of(file_name: &str) -> Option<Format> {
    let ext = file_name.rsplit_once('.')?.1.to_ascii_lowercase();
    match ext.as_str() {
        "txt" => Some(Format::Text),
        "md" | "markdown" => Some(Format::Markdown),
        "json" => Some(Format::Json),
        _ => None,
    }
}

/// Whether `file_name` has an extension this module can parse
/// (`.txt`, `.md`, `.markdown`, `.json`, in any case).
pub fn is_supported(file_name: &str) -> bool {
    format_of(file_name).is_some()
}

/// What the text parser took a source line for (see [`explain`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// The headline (主题) that starts an article.
    Headline,
    /// A kicker printed above a headline (引题).
    Kicker,
    /// A sub-headline printed below a headline (副题).
    Subtitle,
    /// A page or column banner, kept as the section.
    Section,
    /// A byline or credit, kept as structured authors.
    Credit,
    /// A subheading inside an article.
    Subheading,
    /// A photo caption.
    Caption,
    /// The first line of a body paragraph.
    Paragraph,
    /// A line joined onto the paragraph before it.
    Joined,
    /// Page furniture: dropped or turned into metadata (page date).
    Furniture,
    /// A note on the whole page (where its date came from); `line` is the
    /// line it points to, or 0.
    Note,
}

impl LineKind {
    /// Short lower-case name used in `--explain` output.
    pub fn name(self) -> &'static str {
        match self {
            LineKind::Headline => "headline",
            LineKind::Kicker => "kicker",
            LineKind::Subtitle => "subtitle",
            LineKind::Section => "section",
            LineKind::Credit => "credit",
            LineKind::Subheading => "subheading",
            LineKind::Caption => "caption",
            LineKind::Paragraph => "paragraph",
            LineKind::Joined => "joined",
            LineKind::Furniture => "furniture",
            LineKind::Note => "note",
        }
    }
}

impl fmt::Display for LineKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

/// One source line with what the parser took it for and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explained {
    /// 1-based source line.
    pub line: usize,
    /// What the line was taken for.
    pub kind: LineKind,
    /// The line as read (cleaned, trimmed).
    pub text: String,
    /// The rule that decided it.
    pub why: String,
}

impl fmt::Display for Explained {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:>4} {:<10} {}   ({})",
            self.line, self.kind, self.text, self.why
        )
    }
}

/// Checks the limits, decodes the bytes and returns the text with warnings.
fn decode_checked<'a>(
    bytes: &'a [u8],
    limits: &Limits,
) -> Result<(std::borrow::Cow<'a, str>, Vec<String>), ParseError> {
    let size = bytes.len() as u64;
    if size > limits.max_bytes {
        return Err(ParseError::TooLarge {
            size,
            limit: limits.max_bytes,
        });
    }
    if bytes.is_empty() {
        return Err(ParseError::Empty);
    }
    let decoded = decode::decode(bytes)?;
    if decoded.text.chars().all(char::is_whitespace) {
        return Err(ParseError::Empty);
    }
    Ok((decoded.text, decoded.warnings))
}

/// Parses one bulletin file: `.txt` newspaper pages, `.md` notes or `.json`
/// item lists, in any of the supported encodings.
///
/// Every string in the result is free of characters XML 1.0 forbids, and
/// every article has a non-empty title.
pub fn parse_bulletin(
    file_name: &str,
    bytes: &[u8],
    limits: &Limits,
) -> Result<Bulletin, ParseError> {
    parse_inner(file_name, bytes, limits, &text::WEIGHTS, None)
}

/// Where a bulletin's date came from, for `--explain`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DateSource {
    /// Front matter or a JSON field.
    Declared,
    /// A date in the file name.
    FileName,
    /// A date printed on the page, at this line.
    Page(usize),
    /// No date: the daemon uses the moment it first saw the file.
    None,
}

/// [`parse_bulletin`] with the model weights to use and, for `--explain`,
/// where to put the line-by-line account.
fn parse_inner(
    file_name: &str,
    bytes: &[u8],
    limits: &Limits,
    weights: &text::Weights,
    explain: Option<&mut Vec<Explained>>,
) -> Result<Bulletin, ParseError> {
    let format = format_of(file_name).ok_or_else(|| ParseError::Unsupported(file_name.into()))?;
    let (text, warnings) = decode_checked(bytes, limits)?;
    let mut notes = Vec::new();
    let (mut bulletin, page_date, page_line) = match format {
        Format::Text => {
            let page = text::parse_with(&text, explain.is_some().then_some(&mut notes), weights);
            (page.bulletin, page.page_date, page.page_date_line)
        }
        Format::Markdown => {
            let page = markdown::parse(&text, weights, explain.is_some().then_some(&mut notes))?;
            (page.bulletin, page.page_date, page.page_date_line)
        }
        Format::Json => {
            if explain.is_some() {
                notes = json::explain(&text)?;
            }
            (json::parse(&text)?, None, None)
        }
    };
    // Front matter and JSON dates win, then a date in the file name, then
    // the date printed on the page.
    let source = if bulletin.date.is_some() {
        DateSource::Declared
    } else if let Some(d) = date::from_file_name(file_name) {
        bulletin.date = Some(d);
        DateSource::FileName
    } else if let (Some(d), Some(line)) = (page_date, page_line) {
        bulletin.date = Some(d);
        DateSource::Page(line)
    } else {
        DateSource::None
    };
    if let Some(out) = explain {
        out.append(&mut notes);
        out.push(date_note(source, bulletin.date.as_ref()));
    }
    // Text pages are built from cleaned lines only; Markdown and JSON carry
    // strings from elsewhere and get the final hygiene pass.
    finish(&mut bulletin, warnings, format != Format::Text)?;
    Ok(bulletin)
}

/// The `--explain` note saying where the bulletin's date came from.
fn date_note(source: DateSource, date: Option<&crate::model::Dated>) -> Explained {
    let shown = date.map_or_else(|| "none".to_owned(), |d| format!("{d:?}"));
    let (line, why) = match source {
        DateSource::Declared => (0, "from the front matter or the JSON item".to_owned()),
        DateSource::FileName => (0, "from the file name".to_owned()),
        DateSource::Page(no) => (no, format!("printed on the page, line {no}")),
        DateSource::None => (
            0,
            "none given: the daemon uses the moment it first saw the file".to_owned(),
        ),
    };
    Explained {
        line,
        kind: LineKind::Note,
        text: format!("date {shown}"),
        why,
    }
}

/// Explains how a bulletin file is read, line by line: what each source
/// line was taken for and the evidence that decided it, then where the
/// bulletin's date came from.
///
/// JSON files are explained per item.
pub fn explain(
    file_name: &str,
    bytes: &[u8],
    limits: &Limits,
) -> Result<Vec<Explained>, ParseError> {
    let mut out = Vec::new();
    // A file that parses to nothing is still explained.
    match parse_inner(file_name, bytes, limits, &text::WEIGHTS, Some(&mut out)) {
        Ok(_) | Err(ParseError::NoArticles) => Ok(out),
        Err(e) => Err(e),
    }
}

/// Applies what all formats share: decoding warnings, the final hygiene
/// pass and the no-article check.
fn finish(
    bulletin: &mut Bulletin,
    mut warnings: Vec<String>,
    hygiene: bool,
) -> Result<(), ParseError> {
    bulletin.articles.retain(|a| !a.title.is_empty());
    if bulletin.articles.is_empty() {
        return Err(ParseError::NoArticles);
    }
    warnings.append(&mut bulletin.warnings);
    bulletin.warnings = warnings;
    if hygiene {
        clean::bulletin(bulletin);
    } else {
        // Warnings may quote input; they are short.
        for w in &mut bulletin.warnings {
            *w = clean::line(w);
        }
    }
    bulletin.articles.retain(|a| !a.title.is_empty());
    if bulletin.articles.is_empty() {
        return Err(ParseError::NoArticles);
    }
    Ok(())
}
