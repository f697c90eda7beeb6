//! A subscriber's request to the hub (`POST /websub`, form-encoded), parsed
//! and checked: a pure function from the form's pairs to a [`Request`] or
//! the reason for a `400`.
//!
//! WebSub §5.1: `hub.mode` (`subscribe` or `unsubscribe`), `hub.topic`,
//! `hub.callback`, optional `hub.lease_seconds` and `hub.secret` (fewer than
//! 200 bytes). Unknown parameters are ignored. The topic must be one of this
//! daemon's feed URLs: under its base URL, naming a feed it serves.

use std::time::Duration;

use url::Url;

use super::Secret;

/// The longest secret accepted, in bytes (WebSub §5.1: "less than 200").
pub const MAX_SECRET_BYTES: usize = 199;
/// The longest callback or topic URL accepted.
pub const MAX_URL_BYTES: usize = 2048;

/// What a subscriber asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `hub.mode=subscribe`.
    Subscribe,
    /// `hub.mode=unsubscribe`.
    Unsubscribe,
}

impl Mode {
    /// The `hub.mode` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Subscribe => "subscribe",
            Mode::Unsubscribe => "unsubscribe",
        }
    }
}

/// A checked request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// Subscribe or unsubscribe.
    pub mode: Mode,
    /// The feed's path as served (`/feed.atom`, `/江海/feed.rss`).
    pub path: String,
    /// `hub.topic` as the subscriber sent it (repeated to it verbatim).
    pub topic: String,
    /// Where to verify and deliver.
    pub callback: Url,
    /// The lease granted (asked for, clamped), for a subscription.
    pub lease: Duration,
    /// `hub.secret`, if given.
    pub secret: Option<Secret>,
}

/// The lease rules, from the configuration.
#[derive(Debug, Clone, Copy)]
pub struct Leases {
    /// Granted when none is asked for.
    pub default: Duration,
    /// Shortest granted.
    pub min: Duration,
    /// Longest granted.
    pub max: Duration,
}

/// Parses and checks the form's `pairs`. `base_url` is the daemon's base
/// URL (ending in `/`); `is_feed` says whether a decoded path is a feed
/// being served.
pub fn parse<'a>(
    pairs: impl IntoIterator<Item = (std::borrow::Cow<'a, str>, std::borrow::Cow<'a, str>)>,
    base_url: &str,
    leases: Leases,
    is_feed: impl Fn(&str) -> bool,
) -> Result<Request, String> {
    let (mut mode, mut topic, mut callback, mut lease, mut secret) = (None, None, None, None, None);
    for (key, value) in pairs {
        let slot = match &*key {
            "hub.mode" => &mut mode,
            "hub.topic" => &mut topic,
            "hub.callback" => &mut callback,
            "hub.lease_seconds" => &mut lease,
            "hub.secret" => &mut secret,
            _ => continue,
        };
        if slot.is_some() {
            return Err(format!("{key} is given more than once"));
        }
        *slot = Some(value.into_owned());
    }
    let mode = match mode.as_deref() {
        Some("subscribe") => Mode::Subscribe,
        Some("unsubscribe") => Mode::Unsubscribe,
        Some(other) => {
            return Err(format!(
                "hub.mode {other:?} is not subscribe or unsubscribe"
            ))
        }
        None => return Err("hub.mode is missing".into()),
    };
    let topic = topic.ok_or("hub.topic is missing")?;
    let path = topic_path(&topic, base_url)
        .filter(|p| is_feed(p))
        .ok_or_else(|| format!("hub.topic {topic:?} is not a feed of this hub ({base_url})"))?;
    let callback = callback.ok_or("hub.callback is missing")?;
    if callback.len() > MAX_URL_BYTES {
        return Err(format!("hub.callback is longer than {MAX_URL_BYTES} bytes"));
    }
    let callback = Url::parse(&callback)
        .map_err(|e| format!("hub.callback {callback:?} is not an absolute URL: {e}"))?;
    if !matches!(callback.scheme(), "http" | "https") {
        return Err(format!(
            "hub.callback must be an http or https URL, not {:?}",
            callback.scheme()
        ));
    }
    let lease = match lease.as_deref().map(str::trim) {
        None | Some("") => leases.default,
        Some(s) => s
            .parse::<u64>()
            .map(Duration::from_secs)
            .map_err(|_| format!("hub.lease_seconds {s:?} is not a number of seconds"))?,
    }
    .clamp(leases.min, leases.max);
    let secret = match secret {
        Some(s) if s.len() > MAX_SECRET_BYTES => {
            return Err(format!(
                "hub.secret must be shorter than 200 bytes (it has {})",
                s.len()
            ))
        }
        Some(s) if s.is_empty() => None,
        Some(s) => Some(Secret::new(s.into_bytes())),
        None => None,
    };
    Ok(Request {
        mode,
        path,
        topic,
        callback,
        lease,
        secret,
    })
}

/// The served path a topic URL names, if it is under `base_url`:
/// percent-decoded, with no query or fragment.
pub fn topic_path(topic: &str, base_url: &str) -> Option<String> {
    if topic.len() > MAX_URL_BYTES {
        return None;
    }
    let topic = Url::parse(topic).ok()?;
    let base = Url::parse(base_url).ok()?;
    if topic.scheme() != base.scheme()
        || topic.host() != base.host()
        || topic.port_or_known_default() != base.port_or_known_default()
        || topic.query().is_some()
        || topic.fragment().is_some()
    {
        return None;
    }
    let rest = topic.path().strip_prefix(base.path())?;
    let decoded = percent_encoding::percent_decode_str(rest)
        .decode_utf8()
        .ok()?;
    Some(format!("/{decoded}"))
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;

    const BASE: &str = "http://127.0.0.1:8080/";

    fn leases() -> Leases {
        Leases {
            default: Duration::from_secs(864_000),
            min: Duration::from_secs(60),
            max: Duration::from_secs(1_000_000),
        }
    }

    fn run(form: &str) -> Result<Request, String> {
        let pairs = form_urlencoded::parse(form.as_bytes());
        parse(pairs, BASE, leases(), |p| {
            ["/feed.atom", "/江海/feed.rss"].contains(&p)
        })
    }

    const CB: &str = "hub.callback=http%3A%2F%2Freader.example%2Fcb%3Fid%3D7";

    #[test]
    fn good_requests() {
        let r = run(&format!(
            "hub.mode=subscribe&hub.topic=http%3A%2F%2F127.0.0.1%3A8080%2Ffeed.atom&{CB}&hub.secret=s3&x.unknown=1"
        ))
        .expect("ok");
        assert_eq!(r.mode, Mode::Subscribe);
        assert_eq!(r.path, "/feed.atom");
        assert_eq!(r.callback.as_str(), "http://reader.example/cb?id=7");
        assert_eq!(r.lease, Duration::from_secs(864_000));
        assert_eq!(
            r.secret.as_ref().map(|s| s.bytes().to_vec()),
            Some(b"s3".to_vec())
        );
        let r = run(&format!(
            "hub.mode=unsubscribe&hub.topic=http://127.0.0.1:8080/%E6%B1%9F%E6%B5%B7/feed.rss&{CB}&hub.lease_seconds=5"
        ))
        .expect("ok");
        assert_eq!(
            (r.mode, r.path.as_str()),
            (Mode::Unsubscribe, "/江海/feed.rss")
        );
        assert_eq!(r.lease, Duration::from_secs(60), "clamped up");
        let r = run(&format!(
            "hub.mode=subscribe&hub.topic=http://127.0.0.1:8080/feed.atom&{CB}&hub.lease_seconds=99999999"
        ))
        .expect("ok");
        assert_eq!(r.lease, Duration::from_secs(1_000_000), "clamped down");
    }

    #[test]
    fn bad_requests_say_why() {
        let topic = "hub.topic=http://127.0.0.1:8080/feed.atom";
        let long = "s".repeat(200);
        for (form, needle) in [
            (format!("{topic}&{CB}"), "hub.mode is missing"),
            (format!("hub.mode=publish&{topic}&{CB}"), "not subscribe"),
            (format!("hub.mode=subscribe&{CB}"), "hub.topic is missing"),
            (
                format!("hub.mode=subscribe&hub.topic=http://other.example/feed.atom&{CB}"),
                "not a feed of this hub",
            ),
            (
                format!("hub.mode=subscribe&hub.topic=http://127.0.0.1:8080/nothing.rss&{CB}"),
                "not a feed of this hub",
            ),
            (
                format!("hub.mode=subscribe&hub.topic=http://127.0.0.1:8080/feed.atom?x=1&{CB}"),
                "not a feed of this hub",
            ),
            (
                format!("hub.mode=subscribe&{topic}"),
                "hub.callback is missing",
            ),
            (
                format!("hub.mode=subscribe&{topic}&hub.callback=/cb"),
                "not an absolute URL",
            ),
            (
                format!("hub.mode=subscribe&{topic}&hub.callback=ftp://x/cb"),
                "http or https",
            ),
            (
                format!("hub.mode=subscribe&{topic}&{CB}&hub.lease_seconds=soon"),
                "not a number",
            ),
            (
                format!("hub.mode=subscribe&{topic}&{CB}&hub.secret={long}"),
                "shorter than 200",
            ),
            (
                format!("hub.mode=subscribe&hub.mode=subscribe&{topic}&{CB}"),
                "more than once",
            ),
        ] {
            let err = run(&form).expect_err(&form);
            assert!(err.contains(needle), "{form}: {err}");
        }
    }

    #[test]
    fn topic_paths() {
        let base = "https://news.example/feeds/";
        for (topic, want) in [
            ("https://news.example/feeds/feed.rss", Some("/feed.rss")),
            ("https://NEWS.example:443/feeds/feed.rss", Some("/feed.rss")),
            ("http://news.example/feeds/feed.rss", None),
            ("https://news.example/other/feed.rss", None),
            (
                "https://news.example/feeds/a%20b/feed.rss",
                Some("/a b/feed.rss"),
            ),
        ] {
            assert_eq!(topic_path(topic, base).as_deref(), want, "{topic}");
        }
        let pairs = vec![(Cow::from("hub.mode"), Cow::from("subscribe"))];
        assert!(parse(pairs, BASE, leases(), |_| true).is_err());
    }
}
