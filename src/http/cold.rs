//! Documents served from the feeds folder rather than from memory: item
//! pages and archive documents. The publisher writes them; here they are
//! read, off the async workers, for each request.

use std::path::{Path, PathBuf};

use bytes::Bytes;
use hyper::header::HeaderValue;

use super::encoding;
use crate::render::{
    archive_path, feed_path, item_path, Coding, Codings, Entity, Format, Published, Variant,
    HTML_TYPE,
};

/// `Cache-Control` of a full archive document: it changes only if one of its
/// own articles is edited or retracted, so a week.
pub const FULL_ARCHIVE_CACHE: &str = "public, max-age=604800, immutable";

/// A document to read from the feeds folder.
#[derive(Debug, Clone)]
pub struct Cold {
    /// Its URL path, not percent-encoded (also its place in the folder).
    pub path: String,
    /// Its `Content-Type`.
    pub content_type: &'static str,
    /// Whether it is a full archive document ([`FULL_ARCHIVE_CACHE`]).
    pub immutable: bool,
}

/// Where a cold document is, or why there is none.
pub enum Lookup {
    /// Read it from the feeds folder.
    Read(Cold),
    /// `410 Gone`.
    Gone,
    /// `404 Not Found`.
    Missing,
}

/// The permalink page of `slug`: `410` once its item is retracted.
pub fn page(published: &Published, slug: &str) -> Lookup {
    let path = item_path(slug);
    if published.gone.contains(&path) {
        return Lookup::Gone;
    }
    Lookup::Read(Cold {
        path,
        content_type: HTML_TYPE,
        immutable: false,
    })
}

/// Archive document `number` of `channel`: only up to the newest one
/// written; `410` when the channel's feeds are gone.
pub fn archive(published: &Published, channel: &str, number: u64, format: Format) -> Lookup {
    if published.gone.contains(&feed_path(channel, format)) {
        return Lookup::Gone;
    }
    match published.archives.get(channel) {
        Some(&newest) if number <= newest => Lookup::Read(Cold {
            path: archive_path(channel, number, format),
            content_type: format.content_type(),
            immutable: number < newest,
        }),
        _ => Lookup::Missing,
    }
}

/// Where `cold` lives under `feeds_dir`.
pub fn file_of(feeds_dir: &Path, cold: &Cold) -> PathBuf {
    feeds_dir.join(cold.path.trim_start_matches('/'))
}

/// Reads a cold document into an entity, with the compressed copies they
/// get ([`Codings::Gzip`]) made now: compression is deterministic, so a
/// copy's ETag is the same on every request. Only when negotiation could
/// pick a copy, or the client revalidates (it may hold any coding's ETag),
/// is one made. The ETag is the digest of the bytes actually read, so it
/// always matches them even while the file is being replaced; the file's
/// mtime is its `Last-Modified`.
pub fn load(
    file: &Path,
    content_type: &'static str,
    accept: Option<&str>,
    revalidating: bool,
) -> Option<Entity> {
    let identity = std::fs::read(file).ok()?;
    let modified = std::fs::metadata(file).and_then(|m| m.modified()).ok()?;
    let offered: Vec<Variant> = std::iter::once(Coding::Identity)
        .chain(Codings::Gzip.list().iter().copied())
        .map(|c| Variant::new(c, Bytes::new()))
        .collect();
    let wanted = encoding::choose(accept, &offered).coding;
    let codings = if revalidating || wanted != Coding::Identity {
        Codings::Gzip
    } else {
        Codings::None
    };
    Some(Entity::new(content_type, identity, modified, codings))
}

/// The `Cache-Control` of a full archive document.
pub fn immutable_cache() -> HeaderValue {
    HeaderValue::from_static(FULL_ARCHIVE_CACHE)
}
