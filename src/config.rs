//! Command line, environment and TOML file, resolved once into a checked
//! [`Config`] with no `Option`s left where a default exists.
//!
//! Precedence, per key: command line > environment (`BULLETIND_*`) > file >
//! default. The state directory additionally falls back to systemd's
//! `$STATE_DIRECTORY` before the built-in default `state`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context};
use clap::{Args, Parser, Subcommand};
use serde::Deserialize;

/// Items per feed when nothing else is configured.
pub const DEFAULT_ITEMS_PER_FEED: usize = 50;
/// `Cache-Control: max-age` in seconds: aggregators poll every few minutes,
/// and conditional GET makes revalidation cheap, so five minutes is plenty.
pub const DEFAULT_MAX_AGE: u32 = 300;
/// Largest bulletin file accepted (8 MiB): a whole newspaper page of text is
/// well under 1 MiB, so anything larger is almost surely not a bulletin.
pub const DEFAULT_MAX_BYTES: u64 = 8 * 1024 * 1024;
/// How long size and mtime must stay unchanged before a file that gave no
/// close-after-write or rename hint counts as complete.
pub const DEFAULT_SETTLE: Duration = Duration::from_millis(500);
/// Concurrent connections served; more wait in the kernel's accept queue.
pub const DEFAULT_MAX_CONNECTIONS: usize = 4096;

/// `bulletind` command line.
#[derive(Debug, Parser)]
#[command(
    name = "bulletind",
    version,
    about = "Publishes an inbox of bulletins as RSS, Atom and JSON Feed"
)]
pub struct Cli {
    /// What to do; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Options of `serve`, also accepted without the subcommand.
    #[command(flatten)]
    pub serve: ServeArgs,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Watch the inbox and serve the feeds (the default).
    Serve(ServeArgs),
    /// Print the JSON Feed the daemon would publish for these files alone.
    Parse(ParseArgs),
}

/// Options of `bulletind serve`.
#[derive(Debug, Clone, Default, Args)]
pub struct ServeArgs {
    /// TOML configuration file.
    #[arg(long, env = "BULLETIND_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Folder watched for bulletin files [default: inbox].
    #[arg(long, env = "BULLETIND_INBOX", value_name = "DIR")]
    pub inbox: Option<PathBuf>,
    /// Folder for the database [default: $STATE_DIRECTORY, else state].
    #[arg(long, env = "BULLETIND_STATE_DIR", value_name = "DIR")]
    pub state_dir: Option<PathBuf>,
    /// Folder the rendered feed files are written to [default: feeds].
    #[arg(long, env = "BULLETIND_FEEDS_DIR", value_name = "DIR")]
    pub feeds_dir: Option<PathBuf>,
    /// Address to listen on; port 0 picks a free port [default: 127.0.0.1:8080].
    #[arg(long, env = "BULLETIND_LISTEN", value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
    /// Absolute URL the feeds are reachable at [default: from --listen].
    #[arg(long, env = "BULLETIND_BASE_URL", value_name = "URL")]
    pub base_url: Option<String>,
}

/// Options of `bulletind parse`.
#[derive(Debug, Clone, Args)]
pub struct ParseArgs {
    /// Bulletin files to parse.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Print each source line with what the parser took it for, and why.
    #[arg(long)]
    pub explain: bool,
    /// TOML configuration file (feed metadata, time zone, size limit).
    #[arg(long, env = "BULLETIND_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// What to do with a deleted bulletin's items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OnDelete {
    /// Remove them from the feeds (kept in the database).
    Retract,
    /// Keep publishing them.
    Keep,
}

/// The TOML file: the same keys as the command line plus feed metadata.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    inbox: Option<PathBuf>,
    state_dir: Option<PathBuf>,
    feeds_dir: Option<PathBuf>,
    quarantine_dir: Option<PathBuf>,
    listen: Option<SocketAddr>,
    base_url: Option<String>,
    title: Option<String>,
    description: Option<String>,
    language: Option<String>,
    author: Option<String>,
    items_per_feed: Option<usize>,
    max_age: Option<u32>,
    timezone: Option<String>,
    on_delete: Option<OnDelete>,
    max_bytes: Option<u64>,
    settle_ms: Option<u64>,
    max_connections: Option<usize>,
}

/// The checked configuration the daemon runs with.
#[derive(Debug, Clone)]
pub struct Config {
    /// Folder watched for bulletins.
    pub inbox: PathBuf,
    /// Folder holding the database.
    pub state_dir: PathBuf,
    /// Folder the rendered feeds are mirrored into.
    pub feeds_dir: PathBuf,
    /// Folder rejected bulletins are moved to (beside the inbox by default).
    pub quarantine_dir: PathBuf,
    /// Listen address (port 0 allowed).
    pub listen: SocketAddr,
    /// Absolute base URL ending in `/`, or `None` to derive it from the
    /// bound address once the socket is open.
    pub base_url: Option<String>,
    /// Feed title.
    pub title: String,
    /// Feed description.
    pub description: String,
    /// Feed language (BCP 47).
    pub language: String,
    /// Feed-level author.
    pub author: Option<String>,
    /// Newest items per feed.
    pub items_per_feed: usize,
    /// `Cache-Control: max-age` seconds.
    pub max_age: u32,
    /// Time zone for dates without an offset.
    pub timezone: chrono_tz::Tz,
    /// What a deleted bulletin does to its items.
    pub on_delete: OnDelete,
    /// Largest accepted bulletin file.
    pub max_bytes: u64,
    /// Settle interval for files without a completion hint.
    pub settle: Duration,
    /// Concurrent connection limit.
    pub max_connections: usize,
}

impl Config {
    /// Resolves `serve` options: CLI/env (already merged by clap) > file >
    /// defaults, then checks the result.
    pub fn resolve(args: &ServeArgs) -> anyhow::Result<Config> {
        let file = load_file(args.config.as_deref())?;
        let inbox = args
            .inbox
            .clone()
            .or(file.inbox)
            .unwrap_or_else(|| "inbox".into());
        let state_dir = args
            .state_dir
            .clone()
            .or(file.state_dir)
            .or_else(|| std::env::var_os("STATE_DIRECTORY").map(|s| first_path(&s)))
            .unwrap_or_else(|| "state".into());
        let quarantine_dir = file
            .quarantine_dir
            .unwrap_or_else(|| beside(&inbox, "quarantine"));
        let base_url = match args.base_url.clone().or(file.base_url) {
            Some(url) => Some(check_base_url(&url)?),
            None => None,
        };
        let tz_name = file.timezone.unwrap_or_else(|| "UTC".into());
        let timezone: chrono_tz::Tz = tz_name
            .parse()
            .map_err(|e| anyhow::anyhow!("timezone {tz_name:?}: {e}"))?;
        let items_per_feed = file.items_per_feed.unwrap_or(DEFAULT_ITEMS_PER_FEED);
        if items_per_feed == 0 {
            bail!("items_per_feed must be at least 1");
        }
        Ok(Config {
            inbox,
            state_dir,
            feeds_dir: args
                .feeds_dir
                .clone()
                .or(file.feeds_dir)
                .unwrap_or_else(|| "feeds".into()),
            quarantine_dir,
            listen: args
                .listen
                .or(file.listen)
                .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080))),
            base_url,
            title: file.title.unwrap_or_else(|| "bulletind".into()),
            description: file
                .description
                .unwrap_or_else(|| "Bulletins published by bulletind".into()),
            language: file.language.unwrap_or_else(|| "zh-CN".into()),
            author: file.author,
            items_per_feed,
            max_age: file.max_age.unwrap_or(DEFAULT_MAX_AGE),
            timezone,
            on_delete: file.on_delete.unwrap_or(OnDelete::Retract),
            max_bytes: file.max_bytes.unwrap_or(DEFAULT_MAX_BYTES),
            settle: file
                .settle_ms
                .map(Duration::from_millis)
                .unwrap_or(DEFAULT_SETTLE),
            max_connections: file
                .max_connections
                .unwrap_or(DEFAULT_MAX_CONNECTIONS)
                .max(1),
        })
    }

    /// Configuration for `bulletind parse`: only the file (or defaults).
    pub fn for_preview(config: Option<&Path>) -> anyhow::Result<Config> {
        Config::resolve(&ServeArgs {
            config: config.map(Path::to_path_buf),
            ..ServeArgs::default()
        })
    }

    /// The base URL, derived from the bound address when not configured.
    /// A wildcard address (`0.0.0.0`, `::`) is no place to send readers, so
    /// it becomes `localhost`; set `base_url` for anything public.
    pub fn base_url_for(&self, bound: SocketAddr) -> String {
        match &self.base_url {
            Some(url) => url.clone(),
            None if bound.ip().is_unspecified() => format!("http://localhost:{}/", bound.port()),
            None => format!("http://{bound}/"),
        }
    }
}

fn load_file(path: Option<&Path>) -> anyhow::Result<FileConfig> {
    let Some(path) = path else {
        return Ok(FileConfig::default());
    };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading config file {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("config file {}", path.display()))
}

/// `$STATE_DIRECTORY` may list several folders separated by `:`; use the first.
fn first_path(value: &std::ffi::OsStr) -> PathBuf {
    let s = value.to_string_lossy();
    PathBuf::from(s.split(':').next().unwrap_or_default())
}

/// A sibling folder of `dir` named `name` (`inbox` → `quarantine`).
fn beside(dir: &Path, name: &str) -> PathBuf {
    match dir.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.join(name),
        _ => PathBuf::from(name),
    }
}

fn check_base_url(url: &str) -> anyhow::Result<String> {
    let Some((scheme, rest)) = url.split_once("://") else {
        bail!("base_url {url:?} is not an absolute URL");
    };
    if !matches!(scheme, "http" | "https") || rest.is_empty() || rest.starts_with('/') {
        bail!("base_url {url:?} must be an absolute http(s) URL");
    }
    let mut url = url.to_string();
    if !url.ends_with('/') {
        url.push('/');
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_beats_file_beats_default() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("c.toml");
        std::fs::write(
            &file,
            "inbox = \"from-file\"\nfeeds_dir = \"ff\"\ntitle = \"T\"\nitems_per_feed = 7\n",
        )
        .expect("write");
        let args = ServeArgs {
            config: Some(file),
            inbox: Some("from-cli".into()),
            ..ServeArgs::default()
        };
        let c = Config::resolve(&args).expect("resolve");
        assert_eq!(c.inbox, PathBuf::from("from-cli"));
        assert_eq!(c.feeds_dir, PathBuf::from("ff"));
        assert_eq!(c.title, "T");
        assert_eq!(c.items_per_feed, 7);
        assert_eq!(c.max_age, DEFAULT_MAX_AGE);
        assert_eq!(c.quarantine_dir, PathBuf::from("quarantine"));
    }

    #[test]
    fn unknown_keys_and_bad_values_are_errors() {
        let dir = tempfile::tempdir().expect("tempdir");
        for (text, needle) in [
            ("inbx = \"x\"", "unknown field"),
            ("timezone = \"Mars/Base\"", "timezone"),
            ("items_per_feed = 0", "items_per_feed"),
            ("base_url = \"example.org\"", "base_url"),
        ] {
            let file = dir.path().join("c.toml");
            std::fs::write(&file, text).expect("write");
            let err = Config::for_preview(Some(&file)).expect_err(text);
            assert!(format!("{err:#}").contains(needle), "{text}: {err:#}");
        }
    }

    #[test]
    fn quarantine_sits_beside_the_inbox() {
        assert_eq!(
            beside(Path::new("/srv/x/inbox"), "quarantine"),
            PathBuf::from("/srv/x/quarantine")
        );
        assert_eq!(
            beside(Path::new("inbox"), "quarantine"),
            PathBuf::from("quarantine")
        );
    }

    #[test]
    fn base_url_gets_a_trailing_slash() {
        assert_eq!(
            check_base_url("https://news.example/feeds").expect("ok"),
            "https://news.example/feeds/"
        );
        let c = Config::for_preview(None).expect("defaults");
        assert_eq!(
            c.base_url_for("127.0.0.1:9".parse().expect("addr")),
            "http://127.0.0.1:9/"
        );
        assert_eq!(
            c.base_url_for("0.0.0.0:80".parse().expect("addr")),
            "http://localhost:80/"
        );
    }
}
