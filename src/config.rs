//! Command line, environment and TOML file, resolved once into a checked
//! [`Config`] with no `Option`s left where a default exists.
//!
//! Precedence, per key: command line > environment (`BULLETIND_*`) > file >
//! default. The state directory additionally falls back to systemd's
//! `$STATE_DIRECTORY` before the built-in default `state`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use serde::Deserialize;
use toml::Spanned;

mod file;
mod sources;
mod store;
pub mod websub;

pub use file::ConfigError;
use file::{FileValues, LoadedFile};
use sources::{any, Resolver};
pub use sources::{ArgOrigins, Source, Sources};
pub use store::StoreLocation;
pub use websub::WebSubConfig;

/// Articles per archive document: as many as a feed shows, so that a
/// reader paging back gets pages the size of the feed.
pub const DEFAULT_ARCHIVE_SIZE: usize = 50;
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
/// Concurrent connections asked for by default: thousands of idle pollers
/// at a few kilobytes each. The daemon serves fewer when its descriptor
/// limit is lower, and refuses (closes) connections past the cap.
pub const DEFAULT_MAX_CONNECTIONS: usize = 16384;
/// Log filter when neither `BULLETIND_LOG` nor the file's `log` sets one.
pub const DEFAULT_LOG: &str = "info";
/// The environment variable holding the log filter.
pub const LOG_ENV: &str = "BULLETIND_LOG";

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
    /// Validate the configuration and print the effective settings with
    /// where each came from, without starting anything.
    CheckConfig(ServeArgs),
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
    /// Where the store lives: sqlite (in the state folder) or a
    /// postgres://user@host/db URL shared by several nodes [default: sqlite].
    #[arg(long, env = "BULLETIND_STORE", value_name = "URL")]
    pub store: Option<String>,
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

/// The checked configuration the daemon runs with.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The configuration file read, if any (read again on reload).
    pub config_file: Option<PathBuf>,
    /// Folder watched for bulletins.
    pub inbox: PathBuf,
    /// Folder holding the database (SQLite) and the daemon's own state.
    pub state_dir: PathBuf,
    /// Where the store lives.
    pub store: StoreLocation,
    /// Folder the rendered feeds are mirrored into.
    pub feeds_dir: PathBuf,
    /// Folder rejected bulletins are moved to (beside the inbox by default).
    pub quarantine_dir: PathBuf,
    /// Listen address (port 0 allowed); unused when systemd passes sockets.
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
    /// Concurrent connections asked for; the daemon serves at most as many
    /// as its file-descriptor limit allows (see [`crate::capacity`]).
    pub max_connections: usize,
    /// Log filter (`tracing` directives, `info` by default).
    pub log: String,
    /// Absolute URL of the main channel's icon.
    pub icon: Option<String>,
    /// Absolute URL of the main channel's home on the web.
    pub homepage: Option<String>,
    /// Articles per archive document (RFC 5005 paged history).
    pub archive_size: usize,
    /// Settings of named channels, `[channels.NAME]` (a channel's own
    /// `channel.toml` wins over these).
    pub channels: std::collections::BTreeMap<String, crate::model::Publication>,
    /// The WebSub hub (`[websub]`).
    pub websub: WebSubConfig,
    /// Problems that do not stop the daemon (an invalid `BULLETIND_LOG`).
    pub warnings: Vec<String>,
}

impl Config {
    /// Resolves `serve` options: CLI/env (already merged by clap) > file >
    /// defaults, then checks the result.
    pub fn resolve(args: &ServeArgs) -> Result<Config, ConfigError> {
        Ok(Config::resolve_with(args, &ArgOrigins::guess())?.0)
    }

    /// [`Config::resolve`], also saying where each setting came from;
    /// `origins` tells flags from environment variables.
    pub fn resolve_with(
        args: &ServeArgs,
        origins: &ArgOrigins,
    ) -> Result<(Config, Sources), ConfigError> {
        let loaded = match &args.config {
            Some(path) => Some(LoadedFile::load(path)?),
            None => None,
        };
        let empty = FileValues::default();
        let f = loaded.as_ref().map_or(&empty, |l| &l.values);
        let mut r = Resolver {
            file: loaded.as_ref(),
            origins,
            sources: Sources::new(),
        };
        if args.config.is_some() {
            r.sources.insert("config", origins.source("config"));
        }
        let inbox: PathBuf = r.take(
            "inbox",
            r.arg("inbox", args.inbox.clone()),
            &f.inbox,
            || "inbox".into(),
            any,
        )?;
        let state_arg = r.arg("state_dir", args.state_dir.clone()).or_else(|| {
            // systemd's StateDirectory=, below the file's own setting.
            let managed = std::env::var_os("STATE_DIRECTORY").map(|s| first_path(&s))?;
            f.state_dir
                .is_none()
                .then_some((managed, Source::Env("STATE_DIRECTORY")))
        });
        let state_dir = r.take("state_dir", state_arg, &f.state_dir, || "state".into(), any)?;
        let store = r.take(
            "store",
            r.arg("store", args.store.clone()),
            &f.store,
            || "sqlite".into(),
            |s| StoreLocation::parse(&s),
        )?;
        let feeds_dir = r.take(
            "feeds_dir",
            r.arg("feeds_dir", args.feeds_dir.clone()),
            &f.feeds_dir,
            || "feeds".into(),
            any,
        )?;
        let quarantine_dir = r.take(
            "quarantine_dir",
            None,
            &f.quarantine_dir,
            || beside(&inbox, "quarantine"),
            any,
        )?;
        let listen = r.take(
            "listen",
            r.arg("listen", args.listen.map(|a| a.to_string())),
            &f.listen,
            || "127.0.0.1:8080".into(),
            |s| {
                s.parse::<SocketAddr>()
                    .map_err(|e| format!("{s:?} is not a listen address (IP:PORT): {e}"))
            },
        )?;
        let base_url = r.take(
            "base_url",
            r.arg("base_url", args.base_url.clone().map(Some)),
            &optional(&f.base_url),
            || None,
            |url| url.map(|u| check_base_url(&u)).transpose(),
        )?;
        let title = r.take("title", None, &f.title, || "bulletind".into(), any)?;
        let description = r.take(
            "description",
            None,
            &f.description,
            || "Bulletins published by bulletind".into(),
            any,
        )?;
        let language = r.take("language", None, &f.language, || "zh-CN".into(), any)?;
        let author = r.take("author", None, &optional(&f.author), || None, any)?;
        let items_per_feed = r.take(
            "items_per_feed",
            None,
            &f.items_per_feed,
            || DEFAULT_ITEMS_PER_FEED,
            |n| at_least_one("items_per_feed", n),
        )?;
        let max_age = r.take("max_age", None, &f.max_age, || DEFAULT_MAX_AGE, any)?;
        let timezone = r.take("timezone", None, &f.timezone, || "UTC".into(), |name| {
            name.parse::<chrono_tz::Tz>().map_err(|e| {
                format!("unknown time zone {name:?} (use an IANA name such as \"Asia/Shanghai\"): {e}")
            })
        })?;
        let on_delete = r.take("on_delete", None, &f.on_delete, || OnDelete::Retract, any)?;
        let max_bytes = r.take("max_bytes", None, &f.max_bytes, || DEFAULT_MAX_BYTES, any)?;
        let settle = r.take(
            "settle_ms",
            None,
            &f.settle_ms,
            || u64::try_from(DEFAULT_SETTLE.as_millis()).unwrap_or(u64::MAX),
            |ms| Ok(Duration::from_millis(ms)),
        )?;
        let max_connections = r.take(
            "max_connections",
            None,
            &f.max_connections,
            || DEFAULT_MAX_CONNECTIONS,
            |n| at_least_one("max_connections", n),
        )?;
        let (env_log, warnings) = env_log_filter();
        let log = r.take(
            "log",
            env_log,
            &f.log,
            || DEFAULT_LOG.into(),
            |filter| check_log_filter(&filter).map(|()| filter),
        )?;
        let icon = r.take(
            "icon",
            None,
            &optional(&f.icon),
            || None,
            |u| u.map(|u| web_url("icon", u)).transpose(),
        )?;
        let homepage = r.take(
            "homepage",
            None,
            &optional(&f.homepage),
            || None,
            |u| u.map(|u| web_url("homepage", u)).transpose(),
        )?;
        let archive_size = r.take(
            "archive_size",
            None,
            &f.archive_size,
            || DEFAULT_ARCHIVE_SIZE,
            |n| at_least_one("archive_size", n),
        )?;
        let channels = r.take(
            "channels",
            None,
            &loaded.as_ref().and_then(LoadedFile::channels),
            Default::default,
            check_channels,
        )?;
        let websub = websub::resolve(&mut r, f.websub.as_ref())?;
        let config = Config {
            config_file: args.config.clone(),
            inbox,
            state_dir,
            store,
            feeds_dir,
            quarantine_dir,
            listen,
            base_url,
            title,
            description,
            language,
            author,
            items_per_feed,
            max_age,
            timezone,
            on_delete,
            max_bytes,
            settle,
            max_connections,
            log,
            icon,
            homepage,
            archive_size,
            channels,
            websub,
            warnings,
        };
        Ok((config, r.sources))
    }

    /// Configuration for `bulletind parse`: only the file (or defaults).
    pub fn for_preview(config: Option<&Path>) -> Result<Config, ConfigError> {
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

/// An optional file value as a value of `Option` type, for keys whose
/// default is "none".
fn optional<T: Clone>(value: &Option<Spanned<T>>) -> Option<Spanned<Option<T>>> {
    value
        .as_ref()
        .map(|s| Spanned::new(s.span(), Some(s.get_ref().clone())))
}

fn at_least_one(key: &str, n: usize) -> Result<usize, String> {
    if n == 0 {
        Err(format!("{key} must be at least 1"))
    } else {
        Ok(n)
    }
}

/// `BULLETIND_LOG` as a log setting when it is a valid filter; an invalid
/// one is a warning (logging then falls back to the file or the default,
/// and never turns off).
fn env_log_filter() -> (Option<(String, Source)>, Vec<String>) {
    match std::env::var(LOG_ENV) {
        Ok(value) => match check_log_filter(&value) {
            Ok(()) => (Some((value, Source::Env(LOG_ENV))), Vec::new()),
            Err(err) => (None, vec![format!("{LOG_ENV} ignored: {err}")]),
        },
        Err(_) => (None, Vec::new()),
    }
}

/// Whether `filter` is a valid `tracing` filter (every directive).
pub fn check_log_filter(filter: &str) -> Result<(), String> {
    tracing_subscriber::EnvFilter::builder()
        .parse(filter)
        .map(drop)
        .map_err(|e| format!("invalid log filter {filter:?}: {e}"))
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

fn check_base_url(url: &str) -> Result<String, String> {
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(format!("base_url {url:?} is not an absolute URL"));
    };
    if !matches!(scheme, "http" | "https") || rest.is_empty() || rest.starts_with('/') {
        return Err(format!("base_url {url:?} must be an absolute http(s) URL"));
    }
    let mut url = url.to_string();
    if !url.ends_with('/') {
        url.push('/');
    }
    Ok(url)
}

/// `url` if it is an absolute http(s) URL; `key` names it in the error.
fn web_url(key: &str, url: String) -> Result<String, String> {
    match url::Url::parse(&url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Ok(url),
        _ => Err(format!("{key} {url:?} must be an absolute http(s) URL")),
    }
}

/// Checks each channel's settings: URLs absolute, names servable.
fn check_channels(
    channels: std::collections::BTreeMap<String, crate::model::Publication>,
) -> Result<std::collections::BTreeMap<String, crate::model::Publication>, String> {
    for (name, p) in &channels {
        if let Some(why) = crate::inbox::channel_refusal(name) {
            return Err(format!("channel name {name:?} {why}"));
        }
        check_publication(&format!("channels.{name}."), p)?;
    }
    Ok(channels)
}

/// Checks a channel's URLs are absolute http(s) URLs; `prefix` is put
/// before the key in the message.
fn check_publication(prefix: &str, p: &crate::model::Publication) -> Result<(), String> {
    for (key, value) in [("icon", &p.icon), ("homepage", &p.homepage)] {
        if let Some(url) = value {
            web_url(&format!("{prefix}{key}"), url.clone())?;
        }
    }
    Ok(())
}

/// Parses a channel's own settings file (`channel.toml`: the keys of
/// `[channels.NAME]`, at top level). Errors say the line and key.
pub fn parse_channel_settings(text: &str) -> Result<crate::model::Publication, String> {
    let settings: crate::model::Publication =
        toml::from_str(text).map_err(|err: toml::de::Error| {
            let message = err.message().trim().to_string();
            match err.span().map(|span| file::place(text, span.start)) {
                Some((line, Some(key))) => format!("line {line}, key `{key}`: {message}"),
                Some((line, None)) => format!("line {line}: {message}"),
                None => message,
            }
        })?;
    check_publication("", &settings)?;
    Ok(settings)
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
    fn channels_have_their_own_tables_and_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("c.toml");
        std::fs::write(
            &file,
            "title = \"Gazette\"\nicon = \"https://g.example/i.png\"\n\n\
             [channels.city]\ntitle = \"City Desk\"\nhomepage = \"https://g.example/city/\"\n\n\
             [channels.\"江海\"]\nlanguage = \"zh-CN\"\n",
        )
        .expect("write");
        let c = Config::for_preview(Some(&file)).expect("resolve");
        assert_eq!(c.icon.as_deref(), Some("https://g.example/i.png"));
        assert_eq!(c.channels["city"].title.as_deref(), Some("City Desk"));
        assert_eq!(c.channels["江海"].language.as_deref(), Some("zh-CN"));
        for (text, needle) in [
            (
                "[channels.city]\nicon = \"icon.png\"\n",
                "channels.city.icon",
            ),
            (
                "[channels.city]\nmascot = \"fox\"\n",
                "unknown field `mascot`",
            ),
            ("[channels.items]\ntitle = \"x\"\n", "daemon's own paths"),
        ] {
            std::fs::write(&file, text).expect("write");
            let err = Config::for_preview(Some(&file)).expect_err(text);
            assert!(format!("{err:#}").contains(needle), "{text}: {err:#}");
        }
        let settings =
            parse_channel_settings("title = \"Sport\"\nicon = \"https://g.example/s.png\"\n")
                .expect("parses");
        assert_eq!(settings.title.as_deref(), Some("Sport"));
        let err = parse_channel_settings("title = \"Sport\"\nmascot = \"fox\"\n")
            .expect_err("unknown key");
        assert!(err.starts_with("line 2, key `mascot`"), "{err}");
        let err = parse_channel_settings("homepage = \"/sport\"\n").expect_err("relative URL");
        assert!(err.contains("homepage"), "{err}");
    }

    #[test]
    fn sources_say_where_each_value_came_from() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("c.toml");
        std::fs::write(&file, "# c\n\ntitle = \"T\"\nlog = \"debug\"\n").expect("write");
        let args = ServeArgs {
            config: Some(file),
            inbox: Some("in".into()),
            ..ServeArgs::default()
        };
        let (config, sources) =
            Config::resolve_with(&args, &ArgOrigins::default()).expect("resolve");
        assert_eq!(config.title, "T");
        for (key, source) in [
            ("title", Source::File { line: 3 }),
            ("inbox", Source::Flag("--inbox")),
            ("config", Source::Flag("--config")),
            ("language", Source::Default),
            ("quarantine_dir", Source::Default),
        ] {
            assert_eq!(sources.get(key), Some(&source), "{key}");
        }
    }

    #[test]
    fn errors_name_the_line_and_key() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("c.toml");
        for (text, line, key) in [
            ("title = \"x\"\nlisten = \"nowhere\"\n", 2, "listen"),
            ("\nmax_age = -1\n", 2, "max_age"),
            ("max_connections = 0\n", 1, "max_connections"),
            ("title = \n", 1, "title"),
        ] {
            std::fs::write(&file, text).expect("write");
            let err = Config::for_preview(Some(&file)).expect_err(text);
            match &err {
                ConfigError::File {
                    line: l, key: k, ..
                } => {
                    assert_eq!(
                        (*l, k.as_deref()),
                        (Some(line), Some(key)),
                        "{text:?}: {err}"
                    )
                }
                other => panic!("{text:?}: {other}"),
            }
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
