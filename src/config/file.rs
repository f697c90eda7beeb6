//! The TOML configuration file: read once, every value kept with the place
//! it was written, so that an error names the file, the line and the key.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use std::collections::BTreeMap;

use super::OnDelete;
use crate::model::Publication;

/// The keys of the file, each with its span. Flat on purpose: one key per
/// line, the same names as the command line plus the feed metadata.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileValues {
    pub inbox: Option<Spanned<PathBuf>>,
    pub state_dir: Option<Spanned<PathBuf>>,
    pub store: Option<Spanned<String>>,
    pub feeds_dir: Option<Spanned<PathBuf>>,
    pub quarantine_dir: Option<Spanned<PathBuf>>,
    pub listen: Option<Spanned<String>>,
    pub base_url: Option<Spanned<String>>,
    pub title: Option<Spanned<String>>,
    pub description: Option<Spanned<String>>,
    pub language: Option<Spanned<String>>,
    pub author: Option<Spanned<String>>,
    pub items_per_feed: Option<Spanned<usize>>,
    pub max_age: Option<Spanned<u32>>,
    pub timezone: Option<Spanned<String>>,
    pub on_delete: Option<Spanned<OnDelete>>,
    pub max_bytes: Option<Spanned<u64>>,
    pub settle_ms: Option<Spanned<u64>>,
    pub max_connections: Option<Spanned<usize>>,
    pub log: Option<Spanned<String>>,
    pub icon: Option<Spanned<String>>,
    pub homepage: Option<Spanned<String>>,
    pub archive_size: Option<Spanned<usize>>,
    /// Not `Spanned`: toml cannot give the span of a table made only of
    /// `[channels.NAME]` headers; see [`LoadedFile::channels`].
    pub channels: Option<BTreeMap<String, Publication>>,
    /// The `[websub]` table.
    pub websub: Option<super::websub::WebSubFile>,
}

/// A configuration file as read: its path, its text (to turn byte offsets
/// into line numbers) and its values.
#[derive(Debug)]
pub(super) struct LoadedFile {
    pub path: PathBuf,
    text: String,
    pub values: FileValues,
}

impl LoadedFile {
    /// Reads and parses `path`. Syntax errors, unknown keys and values of
    /// the wrong type come back with their line and key.
    pub fn load(path: &Path) -> Result<LoadedFile, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|err| ConfigError::Read {
            path: path.to_path_buf(),
            err,
        })?;
        let values = toml::from_str(&text).map_err(|err: toml::de::Error| {
            let at = err.span().map(|span| span.start);
            ConfigError::File {
                path: path.to_path_buf(),
                line: at.map(|at| line_at(&text, at)),
                key: at.and_then(|at| key_at(&text, at)),
                message: err.message().trim().to_string(),
            }
        })?;
        Ok(LoadedFile {
            path: path.to_path_buf(),
            text,
            values,
        })
    }

    /// The `[channels.NAME]` tables, spanned from the first of them.
    pub fn channels(&self) -> Option<Spanned<BTreeMap<String, Publication>>> {
        let channels = self.values.channels.clone()?;
        let at = self.text.find("[channels").unwrap_or(0);
        Some(Spanned::new(at..at, channels))
    }

    /// The 1-based line a value was written on.
    pub fn line<T>(&self, value: &Spanned<T>) -> usize {
        line_at(&self.text, value.span().start)
    }
}

/// The 1-based line holding byte `at`, and the key written on it.
pub(super) fn place(text: &str, at: usize) -> (usize, Option<String>) {
    (line_at(text, at), key_at(text, at))
}

/// The 1-based line holding byte `at`.
fn line_at(text: &str, at: usize) -> usize {
    let at = at.min(text.len());
    text.as_bytes()[..at]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The key written on the line holding byte `at` (`key = value`, or a
/// `[table]` header), if the line has one.
fn key_at(text: &str, at: usize) -> Option<String> {
    let at = at.min(text.len());
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line = text[start..].lines().next().unwrap_or_default().trim();
    let key = match line.strip_prefix('[') {
        Some(rest) => rest.trim_end_matches(']'),
        None => line.split_once('=')?.0,
    };
    let key = key.trim().trim_matches('"');
    (!key.is_empty()).then(|| key.to_string())
}

/// A configuration that cannot be used, and where the problem is.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("config file {}: {err}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why not.
        err: std::io::Error,
    },
    /// A problem inside the file.
    #[error("{}", FileProblem { path, line: *line, key: key.as_deref(), message })]
    File {
        /// The file.
        path: PathBuf,
        /// 1-based line, when known.
        line: Option<usize>,
        /// The key concerned, when known.
        key: Option<String>,
        /// What is wrong.
        message: String,
    },
    /// A bad value from the command line or the environment.
    #[error("{origin}: {message}")]
    Value {
        /// The flag or variable (`--base-url`, `BULLETIND_LISTEN`).
        origin: String,
        /// The key it sets.
        key: &'static str,
        /// What is wrong.
        message: String,
    },
}

impl ConfigError {
    /// The key concerned, when known.
    pub fn key(&self) -> Option<&str> {
        match self {
            ConfigError::Read { .. } => None,
            ConfigError::File { key, .. } => key.as_deref(),
            ConfigError::Value { key, .. } => Some(key),
        }
    }
}

/// `config file F, line L, key `K`: message`, leaving out what is unknown.
struct FileProblem<'a> {
    path: &'a Path,
    line: Option<usize>,
    key: Option<&'a str>,
    message: &'a str,
}

impl fmt::Display for FileProblem<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "config file {}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ", line {line}")?;
        }
        if let Some(key) = self.key {
            write!(f, ", key `{key}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_keys_from_offsets() {
        let text = "title = \"a\"\n\n  timezone = \"Mars\"\n[extra]\n";
        let tz = text.find("Mars").expect("offset");
        assert_eq!(line_at(text, 0), 1);
        assert_eq!(line_at(text, tz), 3);
        assert_eq!(key_at(text, tz).as_deref(), Some("timezone"));
        let table = text.find("[extra]").expect("offset") + 1;
        assert_eq!(key_at(text, table).as_deref(), Some("extra"));
        assert_eq!(key_at("\n", 0), None);
    }
}
