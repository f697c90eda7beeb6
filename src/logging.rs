//! Logging: plain lines on stderr, filtered by `BULLETIND_LOG` (or the
//! file's `log`, applied again on reload), and counted for `STATUS=` and
//! `/metrics`.
//!
//! - Colour only when stderr is a terminal; never in a file, a pipe or the
//!   journal.
//! - Under systemd (`JOURNAL_STREAM` set) no timestamp, since journald adds
//!   its own. When stderr really is that journal stream (its device and
//!   inode match), each line starts with its syslog priority (`<3>` for an
//!   error, as in `sd-daemon(3)`), so `journalctl -p err` works.
//! - Counted lines are those the filter lets through.
//! - An invalid filter is reported and the default used: logging never
//!   turns off silently.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};

use tracing::{Event, Level, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{reload, EnvFilter, Layer, Registry};

use crate::config::{check_log_filter, DEFAULT_LOG, LOG_ENV};

/// Error lines logged since start.
static ERRORS: AtomicU64 = AtomicU64::new(0);
/// Warning lines logged since start.
static WARNINGS: AtomicU64 = AtomicU64::new(0);

/// Changes the log filter of the running process.
pub struct LogHandle {
    filter: reload::Handle<EnvFilter, Registry>,
    current: std::sync::Mutex<String>,
}

impl LogHandle {
    /// Applies `filter` if it differs from the current one; `Ok(true)`
    /// when it changed. An invalid filter leaves the current one.
    pub fn apply(&self, filter: &str) -> Result<bool, String> {
        check_log_filter(filter)?;
        let mut current = self
            .current
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if *current == filter {
            return Ok(false);
        }
        let parsed = EnvFilter::builder()
            .parse(filter)
            .map_err(|e| e.to_string())?;
        self.filter.reload(parsed).map_err(|e| e.to_string())?;
        *current = filter.to_string();
        Ok(true)
    }

    /// The filter in force.
    pub fn current(&self) -> String {
        self.current
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

/// How many error and warning lines were logged since start.
pub fn counts() -> (u64, u64) {
    (
        ERRORS.load(Ordering::Relaxed),
        WARNINGS.load(Ordering::Relaxed),
    )
}

/// Installs the process's logger. Call once, first thing.
pub fn init() -> LogHandle {
    let env = std::env::var(LOG_ENV).ok();
    let (directives, rejected) = match env.as_deref().map(check_log_filter) {
        Some(Ok(())) => (env.clone().unwrap_or_default(), None),
        Some(Err(why)) => (DEFAULT_LOG.to_string(), Some(why)),
        None => (DEFAULT_LOG.to_string(), None),
    };
    let filter = EnvFilter::builder()
        .parse(&directives)
        .unwrap_or_else(|_| EnvFilter::new(DEFAULT_LOG));
    let (filter, handle) = reload::Layer::new(filter);

    let journal = std::env::var_os("JOURNAL_STREAM").is_some();
    let format = tracing_subscriber::fmt::format()
        .with_target(false)
        .with_ansi(std::io::stderr().is_terminal());
    let lines = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    let lines = if stderr_is_journal() {
        lines
            .event_format(Prioritised(format.without_time()))
            .boxed()
    } else if journal {
        lines.event_format(format.without_time()).boxed()
    } else {
        lines.event_format(format).boxed()
    };
    tracing_subscriber::registry()
        .with(filter)
        .with(lines)
        .with(Counter)
        .init();
    if let Some(why) = rejected {
        tracing::warn!("{LOG_ENV} ignored: {why}; logging with {DEFAULT_LOG:?}");
    }
    LogHandle {
        filter: handle,
        current: std::sync::Mutex::new(directives),
    }
}

/// Whether stderr is the stream `JOURNAL_STREAM` names (`DEVICE:INODE`).
fn stderr_is_journal() -> bool {
    let Ok(value) = std::env::var("JOURNAL_STREAM") else {
        return false;
    };
    let Some((dev, ino)) = value.split_once(':') else {
        return false;
    };
    let Ok(stat) = rustix::fs::fstat(std::io::stderr()) else {
        return false;
    };
    dev.parse::<u64>().ok() == Some(stat.st_dev) && ino.parse::<u64>().ok() == Some(stat.st_ino)
}

/// Counts error and warning events.
struct Counter;

impl<S: Subscriber> Layer<S> for Counter {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        match *event.metadata().level() {
            Level::ERROR => ERRORS.fetch_add(1, Ordering::Relaxed),
            Level::WARN => WARNINGS.fetch_add(1, Ordering::Relaxed),
            _ => 0,
        };
    }
}

/// A line format prefixed with the syslog priority journald reads.
struct Prioritised<F>(F);

impl<S, N, F> FormatEvent<S, N> for Prioritised<F>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
    F: FormatEvent<S, N>,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> std::fmt::Result {
        let priority = match *event.metadata().level() {
            Level::ERROR => 3,
            Level::WARN => 4,
            Level::INFO => 6,
            _ => 7,
        };
        write!(writer, "<{priority}>")?;
        self.0.format_event(ctx, writer, event)
    }
}
