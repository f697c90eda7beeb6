//! The `[websub]` table of the configuration file: the built-in WebSub hub
//! (or an external hub to advertise and ping instead), resolved once into a
//! checked [`WebSubConfig`].
//!
//! Every key is optional. `BULLETIND_WEBSUB_ALLOW_PRIVATE=1` in the
//! environment beats the file's `allow_private_callbacks` (tests use it).

use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use super::file::ConfigError;
use super::sources::{any, Resolver, Source};

/// The environment variable allowing callbacks on private addresses.
pub const ALLOW_PRIVATE_ENV: &str = "BULLETIND_WEBSUB_ALLOW_PRIVATE";

/// The lease granted when a subscriber asks for none (10 days, as the
/// issue and most hubs do).
pub const DEFAULT_LEASE: Duration = Duration::from_secs(10 * 24 * 3600);
/// The shortest lease granted: a subscriber re-subscribing every few
/// seconds would only cost verification requests.
pub const DEFAULT_MIN_LEASE: Duration = Duration::from_secs(3600);
/// The longest lease granted: a dead subscriber is dropped within a month.
pub const DEFAULT_MAX_LEASE: Duration = Duration::from_secs(30 * 24 * 3600);
/// Attempts after the first before a notification is dropped (with a 1 s
/// base: 1, 2, 4, 8, 16 s, so a subscriber restarting within half a
/// minute misses nothing).
pub const DEFAULT_RETRIES: u32 = 5;
/// The first retry's delay; each next one doubles.
pub const DEFAULT_RETRY_BASE: Duration = Duration::from_secs(1);
/// How long one outgoing request (connect, send, answer) may take.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// Deliveries in flight at once, all subscribers together.
pub const DEFAULT_CONCURRENCY: usize = 64;
/// Subscriptions kept at most, all topics together.
pub const DEFAULT_MAX_SUBSCRIPTIONS: usize = 10_000;
/// Subscriptions kept at most for one topic.
pub const DEFAULT_MAX_PER_TOPIC: usize = 1_000;

/// The `[websub]` table as written, each value with its span.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct WebSubFile {
    enabled: Option<Spanned<bool>>,
    hub: Option<Spanned<String>>,
    lease_seconds: Option<Spanned<u64>>,
    min_lease_seconds: Option<Spanned<u64>>,
    max_lease_seconds: Option<Spanned<u64>>,
    allow_private_callbacks: Option<Spanned<bool>>,
    callback_allow: Option<Spanned<Vec<String>>>,
    callback_deny: Option<Spanned<Vec<String>>>,
    max_subscriptions: Option<Spanned<usize>>,
    max_subscriptions_per_topic: Option<Spanned<usize>>,
    delivery_retries: Option<Spanned<u32>>,
    retry_base_ms: Option<Spanned<u64>>,
    timeout_ms: Option<Spanned<u64>>,
    max_concurrent_deliveries: Option<Spanned<usize>>,
}

/// The checked WebSub settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebSubConfig {
    /// Whether feeds advertise a hub at all (the built-in one unless `hub`).
    pub enabled: bool,
    /// An external hub to advertise and ping instead of the built-in one.
    pub hub: Option<String>,
    /// Lease granted when none is asked for.
    pub lease: Duration,
    /// Shortest lease granted.
    pub min_lease: Duration,
    /// Longest lease granted.
    pub max_lease: Duration,
    /// Whether callbacks may be on loopback, link-local or private
    /// addresses.
    pub allow_private_callbacks: bool,
    /// When not empty, the only callback hosts accepted (`host`,
    /// `*.domain`, an address or a `CIDR` range).
    pub callback_allow: Vec<String>,
    /// Callback hosts refused (same forms).
    pub callback_deny: Vec<String>,
    /// Subscriptions kept at most.
    pub max_subscriptions: usize,
    /// Subscriptions kept at most per topic.
    pub max_per_topic: usize,
    /// Attempts after the first failed one.
    pub retries: u32,
    /// First retry delay; doubles each time.
    pub retry_base: Duration,
    /// Bound on one outgoing request.
    pub timeout: Duration,
    /// Deliveries in flight at once.
    pub concurrency: usize,
}

impl Default for WebSubConfig {
    fn default() -> WebSubConfig {
        WebSubConfig {
            enabled: true,
            hub: None,
            lease: DEFAULT_LEASE,
            min_lease: DEFAULT_MIN_LEASE,
            max_lease: DEFAULT_MAX_LEASE,
            allow_private_callbacks: false,
            callback_allow: Vec::new(),
            callback_deny: Vec::new(),
            max_subscriptions: DEFAULT_MAX_SUBSCRIPTIONS,
            max_per_topic: DEFAULT_MAX_PER_TOPIC,
            retries: DEFAULT_RETRIES,
            retry_base: DEFAULT_RETRY_BASE,
            timeout: DEFAULT_TIMEOUT,
            concurrency: DEFAULT_CONCURRENCY,
        }
    }
}

impl WebSubConfig {
    /// Whether the built-in hub answers `POST /websub` and delivers.
    pub fn builtin(&self) -> bool {
        self.enabled && self.hub.is_none()
    }

    /// The hub URL feeds advertise under `base_url`, if any.
    pub fn advertised_hub(&self, base_url: &str) -> Option<String> {
        match (&self.hub, self.enabled) {
            (_, false) => None,
            (Some(hub), true) => Some(hub.clone()),
            (None, true) => Some(format!("{base_url}websub")),
        }
    }

    /// `key = value` rows for `bulletind check-config`.
    pub fn rows(&self) -> Vec<(&'static str, String)> {
        let list = |l: &[String]| format!("{l:?}");
        let secs = |d: Duration| d.as_secs().to_string();
        let ms = |d: Duration| d.as_millis().to_string();
        vec![
            ("websub.enabled", self.enabled.to_string()),
            (
                "websub.hub",
                self.hub.as_deref().map_or_else(
                    || "(none: the built-in hub)".to_string(),
                    |h| format!("{h:?}"),
                ),
            ),
            ("websub.lease_seconds", secs(self.lease)),
            ("websub.min_lease_seconds", secs(self.min_lease)),
            ("websub.max_lease_seconds", secs(self.max_lease)),
            (
                "websub.allow_private_callbacks",
                self.allow_private_callbacks.to_string(),
            ),
            ("websub.callback_allow", list(&self.callback_allow)),
            ("websub.callback_deny", list(&self.callback_deny)),
            (
                "websub.max_subscriptions",
                self.max_subscriptions.to_string(),
            ),
            (
                "websub.max_subscriptions_per_topic",
                self.max_per_topic.to_string(),
            ),
            ("websub.delivery_retries", self.retries.to_string()),
            ("websub.retry_base_ms", ms(self.retry_base)),
            ("websub.timeout_ms", ms(self.timeout)),
            (
                "websub.max_concurrent_deliveries",
                self.concurrency.to_string(),
            ),
        ]
    }
}

/// Resolves the `[websub]` table (absent: defaults).
pub(super) fn resolve(
    r: &mut Resolver<'_>,
    file: Option<&WebSubFile>,
) -> Result<WebSubConfig, ConfigError> {
    let empty = WebSubFile::default();
    let f = file.unwrap_or(&empty);
    let d = WebSubConfig::default();
    let secs = |s: u64| Ok(Duration::from_secs(s));
    let ms = |s: u64| Ok(Duration::from_millis(s));
    let enabled = r.take("websub.enabled", None, &f.enabled, || d.enabled, any)?;
    let hub = r.take(
        "websub.hub",
        None,
        &optional(&f.hub),
        || None,
        |hub: Option<String>| hub.map(|h| check_hub(&h)).transpose(),
    )?;
    let min_lease = r.take(
        "websub.min_lease_seconds",
        None,
        &f.min_lease_seconds,
        || d.min_lease.as_secs(),
        |s| at_least_one("websub.min_lease_seconds", s).map(Duration::from_secs),
    )?;
    let max_lease = r.take(
        "websub.max_lease_seconds",
        None,
        &f.max_lease_seconds,
        || d.max_lease.as_secs(),
        secs,
    )?;
    if max_lease < min_lease {
        return Err(ConfigError::Value {
            origin: "[websub]".into(),
            key: "websub.max_lease_seconds",
            message: format!(
                "max_lease_seconds ({}) is below min_lease_seconds ({})",
                max_lease.as_secs(),
                min_lease.as_secs()
            ),
        });
    }
    let lease = r.take(
        "websub.lease_seconds",
        None,
        &f.lease_seconds,
        || d.lease.as_secs(),
        |s| Ok(Duration::from_secs(s).clamp(min_lease, max_lease)),
    )?;
    let env_private = std::env::var(ALLOW_PRIVATE_ENV).ok().map(|v| {
        (
            matches!(v.trim(), "1" | "true" | "yes"),
            Source::Env(ALLOW_PRIVATE_ENV),
        )
    });
    let allow_private_callbacks = r.take(
        "websub.allow_private_callbacks",
        env_private,
        &f.allow_private_callbacks,
        || false,
        any,
    )?;
    let host_list = |key: &'static str| {
        move |list: Vec<String>| -> Result<Vec<String>, String> {
            for entry in &list {
                crate::websub::policy::HostPattern::parse(entry)
                    .map_err(|e| format!("{key}: {e}"))?;
            }
            Ok(list)
        }
    };
    let callback_allow = r.take(
        "websub.callback_allow",
        None,
        &f.callback_allow,
        Vec::new,
        host_list("callback_allow"),
    )?;
    let callback_deny = r.take(
        "websub.callback_deny",
        None,
        &f.callback_deny,
        Vec::new,
        host_list("callback_deny"),
    )?;
    let max_subscriptions = r.take(
        "websub.max_subscriptions",
        None,
        &f.max_subscriptions,
        || d.max_subscriptions,
        |n| at_least_one("websub.max_subscriptions", n as u64).map(|_| n),
    )?;
    let max_per_topic = r.take(
        "websub.max_subscriptions_per_topic",
        None,
        &f.max_subscriptions_per_topic,
        || d.max_per_topic,
        |n| at_least_one("websub.max_subscriptions_per_topic", n as u64).map(|_| n),
    )?;
    let retries = r.take(
        "websub.delivery_retries",
        None,
        &f.delivery_retries,
        || d.retries,
        any,
    )?;
    let retry_base = r.take(
        "websub.retry_base_ms",
        None,
        &f.retry_base_ms,
        || millis(d.retry_base),
        ms,
    )?;
    let timeout = r.take(
        "websub.timeout_ms",
        None,
        &f.timeout_ms,
        || millis(d.timeout),
        |n| at_least_one("websub.timeout_ms", n).map(Duration::from_millis),
    )?;
    let concurrency = r.take(
        "websub.max_concurrent_deliveries",
        None,
        &f.max_concurrent_deliveries,
        || d.concurrency,
        |n| at_least_one("websub.max_concurrent_deliveries", n as u64).map(|_| n),
    )?;
    Ok(WebSubConfig {
        enabled,
        hub,
        lease,
        min_lease,
        max_lease,
        allow_private_callbacks,
        callback_allow,
        callback_deny,
        max_subscriptions,
        max_per_topic,
        retries,
        retry_base,
        timeout,
        concurrency,
    })
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

fn optional<T: Clone>(value: &Option<Spanned<T>>) -> Option<Spanned<Option<T>>> {
    value
        .as_ref()
        .map(|s| Spanned::new(s.span(), Some(s.get_ref().clone())))
}

fn at_least_one(key: &str, n: u64) -> Result<u64, String> {
    if n == 0 {
        Err(format!("{key} must be at least 1"))
    } else {
        Ok(n)
    }
}

/// An external hub must be an absolute http(s) URL.
fn check_hub(hub: &str) -> Result<String, String> {
    match url::Url::parse(hub) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {
            Ok(hub.to_string())
        }
        _ => Err(format!(
            "websub.hub {hub:?} must be an absolute http(s) URL"
        )),
    }
}

#[cfg(test)]
mod tests {
    use crate::config::{Config, ConfigError};

    fn with_file(text: &str) -> Result<Config, ConfigError> {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("c.toml");
        std::fs::write(&file, text).expect("write");
        Config::for_preview(Some(&file))
    }

    #[test]
    fn defaults_and_file_values() {
        let c = with_file("").expect("defaults");
        assert!(c.websub.builtin());
        assert_eq!(c.websub.lease.as_secs(), 864_000);
        assert_eq!(
            c.websub.advertised_hub("http://x/").as_deref(),
            Some("http://x/websub")
        );
        let c = with_file(
            "[websub]\nhub = \"https://hub.example/\"\nmin_lease_seconds = 1\nlease_seconds = 5\n",
        )
        .expect("file");
        assert!(!c.websub.builtin());
        assert_eq!(c.websub.lease.as_secs(), 5);
        assert_eq!(
            c.websub.advertised_hub("http://x/").as_deref(),
            Some("https://hub.example/")
        );
        let c = with_file("[websub]\nenabled = false\n").expect("off");
        assert_eq!(c.websub.advertised_hub("http://x/"), None);
    }

    #[test]
    fn bad_values_name_their_key() {
        for (text, key) in [
            ("[websub]\nhub = \"ftp://x\"\n", "websub.hub"),
            ("[websub]\ntimeout_ms = 0\n", "websub.timeout_ms"),
            (
                "[websub]\ncallback_deny = [\"10.0.0.0/99\"]\n",
                "websub.callback_deny",
            ),
            (
                "[websub]\nmin_lease_seconds = 10\nmax_lease_seconds = 5\n",
                "websub.max_lease_seconds",
            ),
        ] {
            let err = with_file(text).expect_err(text);
            assert_eq!(err.key(), Some(key), "{text}: {err}");
        }
        let err = with_file("[websub]\nlease = 5\n").expect_err("unknown key");
        assert!(err.to_string().contains("unknown field"), "{err}");
    }
}
