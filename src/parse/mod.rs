//! Bytes → [`Bulletin`]: decoding and the three bulletin formats.
//!
//! No file system here: callers pass the file name (for the extension and a
//! date in the name) and the bytes.
//! PLACEHOLDER: replaced by the parser branch.

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
    /// The file has no content.
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

/// Whether `file_name` has an extension this module can parse.
pub fn is_supported(file_name: &str) -> bool {
    let lower = file_name.to_ascii_lowercase();
    [".txt", ".md", ".markdown", ".json"]
        .iter()
        .any(|ext| lower.ends_with(ext))
}

/// Parses one bulletin file.
pub fn parse_bulletin(
    file_name: &str,
    bytes: &[u8],
    limits: &Limits,
) -> Result<Bulletin, ParseError> {
    let _ = (file_name, bytes, limits);
    Err(ParseError::NoArticles)
}

/// TEMPORARY stand-in until the parser branch lands.
pub fn explain(file_name: &str, bytes: &[u8], limits: &Limits) -> Result<Vec<String>, ParseError> {
    parse_bulletin(file_name, bytes, limits).map(|_| Vec::new())
}
