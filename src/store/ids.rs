//! Pure functions that turn a parsed bulletin into published [`Item`]s:
//! article keys, permanent ids, slugs and resolved dates.
//!
//! The daemon and `bulletind parse` share these, so a preview shows the same
//! ids the daemon would publish. The store persists what they return, so an
//! id, once given, never changes even if the configuration does.

use chrono::{DateTime, FixedOffset, LocalResult, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use sha2::{Digest, Sha256};

use crate::model::{Article, Dated};

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

/// The permanent id of a new item: a `tag:` URI (RFC 4151) minted from the
/// authority, the day it was first seen, and a digest of where it was first
/// seen: the channel, the file, its place there and the ingest's sequence
/// number, which is never reused, so no two items ever get the same id.
pub fn mint_id(
    authority: &str,
    first_seen: DateTime<Utc>,
    channel: &str,
    path: &str,
    position: usize,
    seq: i64,
) -> String {
    let digest = hash_hex(format!("{channel}\n{path}\n{position}\n{seq}").as_bytes());
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

/// Resolves a source date to an instant in `tz`. Days start at midnight;
/// an ambiguous local time (clocks going back) takes the earlier instant; a
/// local time that does not exist (clocks going forward, even at midnight)
/// becomes the next valid instant, the end of the gap.
pub fn resolve_date(dated: Dated, tz: Tz) -> DateTime<FixedOffset> {
    let local = match dated {
        Dated::Exact(t) => return t,
        Dated::Day(d) => d.and_time(NaiveTime::MIN),
        Dated::Local(t) => t,
    };
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.fixed_offset(),
        LocalResult::None => end_of_gap(local, tz),
    }
}

/// The first valid instant after `local`, which lies in a gap. Gaps are
/// whole minutes and at most a day long (Samoa skipped 30 December 2011), so
/// stepping by minutes finds the first local minute that exists, which is
/// the instant the clocks jumped.
fn end_of_gap(local: chrono::NaiveDateTime, tz: Tz) -> DateTime<FixedOffset> {
    const DAY_MINUTES: i64 = 24 * 60 + 1;
    for minutes in 1..=DAY_MINUTES {
        let later = local + chrono::Duration::minutes(minutes);
        if let LocalResult::Single(t) | LocalResult::Ambiguous(t, _) =
            tz.from_local_datetime(&later)
        {
            return t.fixed_offset();
        }
    }
    // Not reachable for real zones; keep the wall-clock reading as UTC.
    Utc.from_utc_datetime(&local).fixed_offset()
}

/// Digest of an article's content (everything but its source line), to tell
/// an edit from a re-save of the same text.
pub fn article_hash(article: &Article) -> String {
    let mut a = article.clone();
    a.line = 0;
    // Derived from the text, which the digest already covers.
    a.detected = None;
    // Serialising plain data cannot fail; fall back to Debug just in case.
    let bytes = serde_json::to_vec(&a).unwrap_or_else(|_| format!("{a:?}").into_bytes());
    hash_hex(&bytes)
}

/// Digest of everything readers see of an item: its content and its
/// published date. `updated` moves exactly when this changes.
pub fn item_hash(article: &Article, published: DateTime<FixedOffset>) -> [u8; 16] {
    digest16(format!("{}\n{}", article_hash(article), published.to_rfc3339()).as_bytes())
}

/// The first 16 bytes of the SHA-256 of `bytes`.
pub fn digest16(bytes: &[u8]) -> [u8; 16] {
    let full = Sha256::digest(bytes);
    let mut out = [0u8; 16];
    out.copy_from_slice(&full[..16]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn ids_are_deterministic_tag_uris() {
        let t = Utc
            .with_ymd_and_hms(2022, 12, 9, 3, 0, 0)
            .single()
            .expect("valid");
        let a = mint_id("news.example", t, "", "p.txt", 0, 1);
        assert_eq!(a, mint_id("news.example", t, "", "p.txt", 0, 1));
        assert!(a.starts_with("tag:news.example,2022-12-09:"), "{a}");
        assert_ne!(a, mint_id("news.example", t, "ch", "p.txt", 0, 1));
        assert_ne!(a, mint_id("news.example", t, "", "p.txt", 0, 2));
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

    #[test]
    fn a_missing_local_time_becomes_the_end_of_the_gap() {
        // (zone, local midnight that does not exist, the instant expected)
        let cases = [
            // Santiago: 2022-09-11 00:00 -04 became 01:00 -03.
            (
                "America/Santiago",
                (2022, 9, 11),
                "2022-09-11T01:00:00-03:00",
            ),
            // Havana: 2023-03-12 00:00 CST became 01:00 CDT.
            ("America/Havana", (2023, 3, 12), "2023-03-12T01:00:00-04:00"),
            // Samoa skipped 30 December 2011 entirely.
            ("Pacific/Apia", (2011, 12, 30), "2011-12-31T00:00:00+14:00"),
        ];
        for (zone, (y, m, d), want) in cases {
            let tz: Tz = zone.parse().expect("tz");
            let day = Dated::Day(NaiveDate::from_ymd_opt(y, m, d).expect("date"));
            assert_eq!(resolve_date(day, tz).to_rfc3339(), want, "{zone}");
        }
    }
}
