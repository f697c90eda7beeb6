//! How values are kept in the database, compactly: instants as Unix seconds
//! plus their UTC offset, digests as 16-byte blobs, articles as
//! zstd-compressed JSON.

use std::cell::RefCell;

use chrono::{DateTime, FixedOffset, Utc};

use super::StoreError;
use crate::model::Article;

/// zstd level for stored articles: level 3 costs a few microseconds per
/// article and halves the text (measured on the corpus and perf inboxes).
const ARTICLE_LEVEL: i32 = 1;

/// The first 16 bytes of a SHA-256: what content and file hashes are kept as.
pub type Digest16 = [u8; 16];

/// An instant with its offset as two integers.
pub fn split_time(t: DateTime<FixedOffset>) -> (i64, i32) {
    (t.timestamp(), t.offset().local_minus_utc())
}

/// The instant two integers stand for.
pub fn join_time(
    secs: i64,
    offset: i32,
    what: &'static str,
) -> Result<DateTime<FixedOffset>, StoreError> {
    let corrupt = || StoreError::Corrupt {
        what,
        detail: format!("{secs} {offset}"),
    };
    let zone = FixedOffset::east_opt(offset).ok_or_else(corrupt)?;
    let utc = DateTime::<Utc>::from_timestamp(secs, 0).ok_or_else(corrupt)?;
    Ok(utc.with_timezone(&zone))
}

/// The largest article JSON read back (a bulletin is at most `max_bytes`,
/// 8 MiB by default; its articles' JSON is of that order).
const MAX_ARTICLE_JSON: usize = 64 * 1024 * 1024;

thread_local! {
    // zstd contexts are costly to set up: one of each per thread, reused.
    static COMPRESSOR: RefCell<Option<zstd::bulk::Compressor<'static>>> = const { RefCell::new(None) };
    static DECOMPRESSOR: RefCell<Option<zstd::bulk::Decompressor<'static>>> = const { RefCell::new(None) };
}

/// An article as stored.
pub fn encode_article(article: &Article) -> Result<Vec<u8>, StoreError> {
    let corrupt = |e: String| StoreError::Corrupt {
        what: "article",
        detail: e,
    };
    let json = serde_json::to_vec(article).map_err(|e| corrupt(e.to_string()))?;
    COMPRESSOR.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            *slot = Some(
                zstd::bulk::Compressor::new(ARTICLE_LEVEL).map_err(|e| corrupt(e.to_string()))?,
            );
        }
        match slot.as_mut() {
            Some(c) => c.compress(&json).map_err(|e| corrupt(e.to_string())),
            None => Err(corrupt("no zstd context".into())),
        }
    })
}

/// An article read back; `what` names it in errors.
pub fn decode_article(stored: &[u8], what: &str) -> Result<Article, StoreError> {
    let corrupt = |e: String| StoreError::Corrupt {
        what: "article",
        detail: format!("{what}: {e}"),
    };
    let size = zstd::zstd_safe::get_frame_content_size(stored)
        .ok()
        .flatten()
        .and_then(|n| usize::try_from(n).ok())
        .filter(|n| *n <= MAX_ARTICLE_JSON)
        .ok_or_else(|| corrupt("no content size".into()))?;
    let json = DECOMPRESSOR.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            *slot = Some(zstd::bulk::Decompressor::new().map_err(|e| corrupt(e.to_string()))?);
        }
        match slot.as_mut() {
            Some(d) => d
                .decompress(stored, size)
                .map_err(|e| corrupt(e.to_string())),
            None => Err(corrupt("no zstd context".into())),
        }
    })?;
    serde_json::from_slice(&json).map_err(|e| corrupt(e.to_string()))
}

/// The first 16 bytes of a hex SHA-256 (or any 32+ hex digits).
pub fn digest_of_hex(hex: &str) -> Digest16 {
    let mut out = [0u8; 16];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = hex
            .get(2 * i..2 * i + 2)
            .and_then(|h| u8::from_str_radix(h, 16).ok())
            .unwrap_or(0);
    }
    out
}

/// A stored digest back as an array.
pub fn digest_of_blob(blob: &[u8], what: &'static str) -> Result<Digest16, StoreError> {
    blob.try_into().map_err(|_| StoreError::Corrupt {
        what,
        detail: format!("{} bytes", blob.len()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Block;

    #[test]
    fn values_round_trip() {
        let t = DateTime::parse_from_rfc3339("2022-12-09T08:00:00+08:00").expect("date");
        let (secs, off) = split_time(t);
        assert_eq!(join_time(secs, off, "t").expect("join"), t);
        assert_eq!(
            join_time(secs, off, "t").expect("join").to_rfc3339(),
            "2022-12-09T08:00:00+08:00"
        );
        let a = Article {
            title: "江海".into(),
            blocks: vec![Block::Paragraph("正文 ".repeat(100))],
            ..Article::default()
        };
        let stored = encode_article(&a).expect("encode");
        assert!(stored.len() < serde_json::to_vec(&a).expect("json").len() / 2);
        assert_eq!(decode_article(&stored, "x").expect("decode"), a);
        assert_eq!(
            digest_of_hex("00ff10"),
            [0, 255, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        );
    }
}
