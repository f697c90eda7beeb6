//! Pure functions that turn a parsed bulletin into published [`Item`]s:
//! article keys, permanent ids, slugs and resolved dates.
//!
//! The daemon and `bulletind parse` share these, so a preview shows the same
//! ids the daemon would publish. The store persists what they return, so an
//! id, once given, never changes even if the configuration does.

use chrono::{DateTime, FixedOffset, LocalResult, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use sha2::{Digest, Sha256};

use crate::model::{Article, Bulletin, Dated};

/// Hex SHA-256 of some bytes.
pub fn hash_hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 15)]));
    }
    out
}

/// One key per article, unique within its bulletin: the source's own id if
/// it gave one, else the whitespace-normalised title, with `#2`, `#3` … for
/// repeated titles. Keys survive edits of an article's body.
pub fn article_keys(bulletin: &Bulletin) -> Vec<String> {
    let mut seen: std::collections::HashMap<String, usize> = Default::default();
    bulletin
        .articles
        .iter()
        .map(|a| {
            let base = match &a.key {
                Some(k) if !k.trim().is_empty() => format!("id:{}", k.trim()),
                _ => a.title.split_whitespace().collect::<Vec<_>>().join(" "),
            };
            let n = seen.entry(base.clone()).or_insert(0);
            *n += 1;
            if *n == 1 {
                base
            } else {
                format!("{base}#{n}")
            }
        })
        .collect()
}

/// The permanent id of an article: a `tag:` URI (RFC 4151) minted from the
/// authority, the day the bulletin was first seen, and a digest of where the
/// article lives (channel, file, key).
pub fn mint_id(
    authority: &str,
    first_seen: DateTime<Utc>,
    channel: &str,
    path: &str,
    key: &str,
) -> String {
    let digest = hash_hex(format!("{channel}\n{path}\n{key}").as_bytes());
    format!(
        "tag:{authority},{}:{}",
        first_seen.format("%Y-%m-%d"),
        &digest[..32]
    )
}

/// Short URL-safe name of the item's permalink page, derived from its id.
pub fn slug_for(id: &str) -> String {
    hash_hex(id.as_bytes())[..16].to_string()
}

/// The tag authority for a base URL: its host (`news.example.org`).
pub fn authority_of(base_url: &str) -> String {
    let rest = base_url.split_once("://").map_or(base_url, |(_, r)| r);
    let host_port = rest.split('/').next().unwrap_or_default();
    let host_port = host_port.rsplit_once('@').map_or(host_port, |(_, h)| h);
    let host = if let Some(stripped) = host_port.strip_prefix('[') {
        // IPv6 literal: not a DNS name, so use a neutral authority.
        let _ = stripped;
        "localhost"
    } else {
        host_port.split(':').next().unwrap_or_default()
    };
    if host.is_empty() {
        "localhost".into()
    } else {
        host.to_ascii_lowercase()
    }
}

/// Resolves a source date to an instant in `tz` (days start at midnight; an
/// ambiguous local time takes the earlier instant, a skipped one the next hour).
pub fn resolve_date(dated: Dated, tz: Tz) -> DateTime<FixedOffset> {
    let local = match dated {
        Dated::Exact(t) => return t,
        Dated::Day(d) => d.and_time(NaiveTime::MIN),
        Dated::Local(t) => t,
    };
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.fixed_offset(),
        LocalResult::None => tz
            .from_utc_datetime(&(local - chrono::Duration::hours(1)))
            .fixed_offset(),
    }
}

/// When an article counts as published: its own date, else the bulletin's,
/// else the moment the file was first seen.
pub fn published_at(
    article: &Article,
    bulletin: &Bulletin,
    first_seen: DateTime<Utc>,
    tz: Tz,
) -> DateTime<FixedOffset> {
    match article.date.or(bulletin.date) {
        Some(d) => resolve_date(d, tz),
        None => first_seen.with_timezone(&tz).fixed_offset(),
    }
}

/// Digest of an article's content (everything but its source line), to tell
/// an edit from a re-save of the same text.
pub fn article_hash(article: &Article) -> String {
    let mut a = article.clone();
    a.line = 0;
    // Serialising plain data cannot fail; fall back to Debug just in case.
    let bytes = serde_json::to_vec(&a).unwrap_or_else(|_| format!("{a:?}").into_bytes());
    hash_hex(&bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn art(title: &str, key: Option<&str>) -> Article {
        Article {
            title: title.into(),
            key: key.map(Into::into),
            ..Article::default()
        }
    }

    #[test]
    fn keys_are_unique_and_ignore_body() {
        let b = Bulletin {
            articles: vec![
                art("A  b", None),
                art("A b", None),
                art("C", Some("x1")),
                art("A b", None),
            ],
            ..Bulletin::default()
        };
        assert_eq!(article_keys(&b), ["A b", "A b#2", "id:x1", "A b#3"]);
    }

    #[test]
    fn ids_are_deterministic_tag_uris() {
        let t = Utc
            .with_ymd_and_hms(2022, 12, 9, 3, 0, 0)
            .single()
            .expect("valid");
        let a = mint_id("news.example", t, "", "p.txt", "k");
        assert_eq!(a, mint_id("news.example", t, "", "p.txt", "k"));
        assert!(a.starts_with("tag:news.example,2022-12-09:"), "{a}");
        assert_ne!(a, mint_id("news.example", t, "ch", "p.txt", "k"));
        assert_eq!(slug_for(&a).len(), 16);
    }

    #[test]
    fn authority_from_base_url() {
        for (url, want) in [
            ("http://127.0.0.1:8080/", "127.0.0.1"),
            ("https://News.Example.org/feeds/", "news.example.org"),
            ("http://[::1]:80/", "localhost"),
            ("http://user@host:1/", "host"),
        ] {
            assert_eq!(authority_of(url), want, "{url}");
        }
    }

    #[test]
    fn dates_resolve_in_the_configured_zone() {
        let day = Dated::Day(NaiveDate::from_ymd_opt(2022, 12, 9).expect("date"));
        let sh: Tz = "Asia/Shanghai".parse().expect("tz");
        assert_eq!(
            resolve_date(day, sh).to_rfc3339(),
            "2022-12-09T00:00:00+08:00"
        );
        assert_eq!(
            resolve_date(day, Tz::UTC).to_rfc3339(),
            "2022-12-09T00:00:00+00:00"
        );
    }
}
