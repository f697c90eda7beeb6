//! Where each setting came from (default, file, environment, flag), and
//! the resolver that picks a value by precedence and checks it, blaming
//! the source that gave it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use toml::Spanned;

use super::file::{ConfigError, LoadedFile};

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The built-in default.
    Default,
    /// The configuration file, at this line.
    File {
        /// 1-based line.
        line: usize,
    },
    /// An environment variable.
    Env(&'static str),
    /// A command-line flag.
    Flag(&'static str),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Default => f.write_str("default"),
            Source::File { line } => write!(f, "file, line {line}"),
            Source::Env(var) => write!(f, "env {var}"),
            Source::Flag(flag) => write!(f, "flag {flag}"),
        }
    }
}

/// The source of every resolved key.
pub type Sources = BTreeMap<&'static str, Source>;

/// A setting the command line and the environment can both give: its key,
/// flag and variable.
pub(super) struct ArgKey {
    pub key: &'static str,
    pub flag: &'static str,
    pub env: &'static str,
}

/// The settings `serve` takes from the command line or the environment.
pub(super) const ARG_KEYS: [ArgKey; 7] = [
    ArgKey {
        key: "config",
        flag: "--config",
        env: "BULLETIND_CONFIG",
    },
    ArgKey {
        key: "inbox",
        flag: "--inbox",
        env: "BULLETIND_INBOX",
    },
    ArgKey {
        key: "state_dir",
        flag: "--state-dir",
        env: "BULLETIND_STATE_DIR",
    },
    ArgKey {
        key: "store",
        flag: "--store",
        env: "BULLETIND_STORE",
    },
    ArgKey {
        key: "feeds_dir",
        flag: "--feeds-dir",
        env: "BULLETIND_FEEDS_DIR",
    },
    ArgKey {
        key: "listen",
        flag: "--listen",
        env: "BULLETIND_LISTEN",
    },
    ArgKey {
        key: "base_url",
        flag: "--base-url",
        env: "BULLETIND_BASE_URL",
    },
];

/// Which command-line values clap took from the environment rather than
/// from a flag.
#[derive(Debug, Clone, Default)]
pub struct ArgOrigins {
    from_env: BTreeSet<&'static str>,
}

impl ArgOrigins {
    /// Asks clap where each value of `serve`'s options came from.
    pub fn from_matches(matches: &clap::ArgMatches) -> ArgOrigins {
        let from_env = ARG_KEYS
            .iter()
            .filter(|k| matches.value_source(k.key) == Some(clap::parser::ValueSource::EnvVariable))
            .map(|k| k.key)
            .collect();
        ArgOrigins { from_env }
    }

    /// Without clap's answer: a value counts as from the environment when
    /// its variable is set (a flag repeating the same value is then called
    /// env; nothing depends on the difference but the report).
    pub fn guess() -> ArgOrigins {
        let from_env = ARG_KEYS
            .iter()
            .filter(|k| std::env::var_os(k.env).is_some())
            .map(|k| k.key)
            .collect();
        ArgOrigins { from_env }
    }

    /// The source of an argument value for `key`.
    pub(super) fn source(&self, key: &'static str) -> Source {
        let Some(arg) = ARG_KEYS.iter().find(|k| k.key == key) else {
            return Source::Default;
        };
        if self.from_env.contains(key) {
            Source::Env(arg.env)
        } else {
            Source::Flag(arg.flag)
        }
    }
}

/// Picks each setting by precedence (argument > file > default), records
/// its source, and checks the value against the source that gave it.
pub(super) struct Resolver<'a> {
    pub file: Option<&'a LoadedFile>,
    pub origins: &'a ArgOrigins,
    pub sources: Sources,
}

impl Resolver<'_> {
    /// The value of `key`: from `arg` (with its source), else the file,
    /// else `default`; then `check`ed, an error naming where the bad value
    /// was written.
    pub fn take<T: Clone, U>(
        &mut self,
        key: &'static str,
        arg: Option<(T, Source)>,
        file: &Option<Spanned<T>>,
        default: impl FnOnce() -> T,
        check: impl FnOnce(T) -> Result<U, String>,
    ) -> Result<U, ConfigError> {
        let (value, source) = match (arg, file, self.file) {
            (Some((value, source)), _, _) => (value, source),
            (None, Some(spanned), Some(loaded)) => (
                spanned.get_ref().clone(),
                Source::File {
                    line: loaded.line(spanned),
                },
            ),
            _ => (default(), Source::Default),
        };
        let checked = check(value).map_err(|message| self.blame(key, &source, message))?;
        self.sources.insert(key, source);
        Ok(checked)
    }

    /// An argument value with its source, for [`Resolver::take`].
    pub fn arg<T>(&self, key: &'static str, value: Option<T>) -> Option<(T, Source)> {
        value.map(|v| (v, self.origins.source(key)))
    }

    fn blame(&self, key: &'static str, source: &Source, message: String) -> ConfigError {
        match (source, self.file) {
            (Source::File { line }, Some(loaded)) => ConfigError::File {
                path: loaded.path.clone(),
                line: Some(*line),
                key: Some(key.to_string()),
                message,
            },
            (Source::Env(var), _) => ConfigError::Value {
                origin: format!("environment variable {var}"),
                key,
                message,
            },
            (Source::Flag(flag), _) => ConfigError::Value {
                origin: format!("flag {flag}"),
                key,
                message,
            },
            _ => ConfigError::Value {
                origin: format!("default {key}"),
                key,
                message,
            },
        }
    }
}

/// Every setting always succeeds this check.
pub(super) fn any<T>(value: T) -> Result<T, String> {
    Ok(value)
}
