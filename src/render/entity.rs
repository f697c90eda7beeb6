//! A prepared HTTP representation: the identity bytes and their compressed
//! copies, each with its strong ETag, and every header value that does not
//! change between requests, computed once when the document changes.
//!
//! Levels were chosen from `cargo run --release --example
//! compression_levels` (the table is in the README): on 50-article feeds,
//! gzip 6 is as small as gzip 9 at half the CPU, brotli 5 is 3–4 % smaller
//! than brotli 4 (6 to 9 gain nothing; 11 saves a sixth more at 60–80 times
//! the CPU), and zstd 6 is as small as gzip 6 in about the same time.
//! Item pages are small (2–5 KB) and cold: a copy kept beside each page
//! costs the file system more at ingest (one more file per article, about
//! 250 µs of inode allocation on this machine's ext4) than compressing the
//! page when a reader asks (gzip, about 20 µs), so pages are stored as they
//! are and get a gzip copy per request ([`Codings::Gzip`]; zstd is larger
//! than gzip on them at every level, and brotli saves about 150 bytes).

use std::io::Write;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use flate2::write::GzEncoder;
use flate2::Compression;
use hyper::header::HeaderValue;
use sha2::{Digest, Sha256};

/// Bodies up to this many bytes are not compressed: the coding header and
/// the extra ETag cost more than the few bytes it could save.
pub const COMPRESS_MIN_BYTES: usize = 256;

/// Bytes of the SHA-256 digest kept in an ETag (128 bits: collisions between
/// two versions of one URL are not a practical concern, and headers stay short).
pub const ETAG_DIGEST_BYTES: usize = 16;

/// gzip level (see the module docs).
const GZIP_LEVEL: u32 = 6;
/// brotli quality (see the module docs).
const BROTLI_QUALITY: i32 = 5;
/// zstd level (see the module docs).
const ZSTD_LEVEL: i32 = 6;

/// A content coding of a representation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Coding {
    /// The bytes as they are.
    Identity,
    /// gzip (RFC 1952).
    Gzip,
    /// brotli (RFC 7932), `br`.
    Brotli,
    /// Zstandard (RFC 8878), `zstd`.
    Zstd,
}

impl Coding {
    /// The compressed codings, in the order copies are made.
    pub const COMPRESSED: [Coding; 3] = [Coding::Gzip, Coding::Brotli, Coding::Zstd];

    /// The `Content-Encoding` token.
    pub fn token(self) -> &'static str {
        match self {
            Coding::Identity => "identity",
            Coding::Gzip => "gzip",
            Coding::Brotli => "br",
            Coding::Zstd => "zstd",
        }
    }

    /// The file suffix of a copy in the feeds folder (`.gz`, `.br`, `.zst`).
    pub fn suffix(self) -> &'static str {
        match self {
            Coding::Identity => "",
            Coding::Gzip => ".gz",
            Coding::Brotli => ".br",
            Coding::Zstd => ".zst",
        }
    }

    /// The coding a `Content-Encoding` token names.
    pub fn from_token(token: &str) -> Option<Coding> {
        [Coding::Identity, Coding::Gzip, Coding::Brotli, Coding::Zstd]
            .into_iter()
            .find(|c| c.token() == token)
    }

    /// Compresses `bytes`; `None` only if writing to memory failed.
    pub fn compress(self, bytes: &[u8]) -> Option<Vec<u8>> {
        match self {
            Coding::Identity => Some(bytes.to_vec()),
            Coding::Gzip => {
                // flate2's header has mtime 0 and no file name, so the output
                // depends on the input only.
                let mut e = GzEncoder::new(
                    Vec::with_capacity(bytes.len() / 3),
                    Compression::new(GZIP_LEVEL),
                );
                e.write_all(bytes).ok()?;
                e.finish().ok()
            }
            Coding::Brotli => {
                // A window no larger than the input, the default (4 MiB)
                // costing a large allocation per document for nothing; but
                // never under 2^18: at quality 5 this encoder is 15 to 50
                // times slower with a window of 2^16 or less (measured on
                // feeds of 3 to 52 KB: 2.6-13.7 ms against 0.09-0.85 ms).
                let lgwin = (usize::BITS - bytes.len().leading_zeros()).clamp(18, 22) as i32;
                let params = brotli::enc::BrotliEncoderParams {
                    quality: BROTLI_QUALITY,
                    lgwin,
                    size_hint: bytes.len(),
                    ..Default::default()
                };
                let mut out = Vec::with_capacity(bytes.len() / 3);
                brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).ok()?;
                Some(out)
            }
            Coding::Zstd => zstd::bulk::compress(bytes, ZSTD_LEVEL).ok(),
        }
    }
}

/// Which compressed copies a kind of document gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codings {
    /// Feeds, index, archives: gzip, brotli and zstd.
    All,
    /// gzip only: item pages (made when a reader asks, see the module docs),
    /// and a changed feed's first snapshot, before its slower copies are made.
    Gzip,
    /// None: the identity bytes only.
    None,
}

impl Codings {
    /// The compressed codings of this kind.
    pub fn list(self) -> &'static [Coding] {
        match self {
            Codings::All => &Coding::COMPRESSED,
            Codings::Gzip => &[Coding::Gzip],
            Codings::None => &[],
        }
    }
}

impl Entity {
    /// This entity with the copies of `codings` it lacks (and that pay)
    /// made now; the identity bytes and existing copies are shared.
    pub fn completed(&self, codings: Codings) -> Entity {
        let identity = &self.identity().body;
        let mut compressed: Vec<Variant> = self.variants[1..].to_vec();
        if identity.len() > COMPRESS_MIN_BYTES {
            for &coding in codings.list() {
                if self.variant(coding).is_some() {
                    continue;
                }
                if let Some(z) = coding
                    .compress(identity)
                    .filter(|z| z.len() < identity.len())
                {
                    compressed.push(Variant::new(coding, Bytes::from(z)));
                }
            }
        }
        compressed.sort_by_key(|v| v.coding);
        let mut variants = Vec::with_capacity(1 + compressed.len());
        variants.push(self.identity().clone());
        variants.extend(compressed);
        Entity {
            variants,
            attempted: codings,
            ..self.clone()
        }
    }

    /// Whether every copy of `codings` was made (or found not to pay).
    pub fn has_all(&self, codings: Codings) -> bool {
        self.identity().body.len() <= COMPRESS_MIN_BYTES
            || self.attempted == Codings::All
            || self.attempted == codings
            || codings == Codings::None
    }
}

/// One coding of a representation, with its headers ready.
#[derive(Debug, Clone)]
pub struct Variant {
    /// Which coding.
    pub coding: Coding,
    /// The bytes sent.
    pub body: Bytes,
    /// Digest of `body`, which its ETag is made of.
    pub digest: [u8; ETAG_DIGEST_BYTES],
    /// `ETag` value (quoted).
    pub etag: HeaderValue,
    /// `Content-Length` value.
    pub length: HeaderValue,
}

impl Variant {
    /// A variant of `body` in `coding`.
    pub fn new(coding: Coding, body: Bytes) -> Variant {
        let digest = digest(&body);
        Variant::with_digest(coding, body, digest)
    }

    /// A variant whose digest is already known.
    pub fn with_digest(coding: Coding, body: Bytes, digest: [u8; ETAG_DIGEST_BYTES]) -> Variant {
        Variant {
            coding,
            etag: etag_header(&digest),
            length: HeaderValue::from(body.len()),
            digest,
            body,
        }
    }
}

/// A prepared HTTP representation: identity first, then its compressed
/// copies, and the header values shared by all of them.
#[derive(Debug, Clone)]
pub struct Entity {
    /// `Content-Type` value.
    pub content_type: HeaderValue,
    /// The identity variant first, then the compressed ones that are smaller.
    pub variants: Vec<Variant>,
    /// When these bytes last changed, whole seconds.
    pub last_modified: SystemTime,
    /// `Last-Modified` value.
    pub last_modified_header: HeaderValue,
    /// The copies that were made (or found not to pay).
    pub attempted: Codings,
    /// `Link` value (WebSub discovery) for feeds, set by the publisher.
    pub link: Option<HeaderValue>,
}

impl Entity {
    /// Prepares `identity` for serving: its ETag and, when it is over
    /// [`COMPRESS_MIN_BYTES`], every copy in `codings` that is smaller.
    pub fn new(
        content_type: &'static str,
        identity: Vec<u8>,
        last_modified: SystemTime,
        codings: Codings,
    ) -> Entity {
        let compressed = if identity.len() > COMPRESS_MIN_BYTES {
            codings
                .list()
                .iter()
                .filter_map(|&c| c.compress(&identity).map(|z| (c, z)))
                .filter(|(_, z)| z.len() < identity.len())
                .map(|(c, z)| Variant::new(c, Bytes::from(z)))
                .collect()
        } else {
            Vec::new()
        };
        Entity {
            attempted: codings,
            ..Entity::from_variants(
                content_type,
                Bytes::from(identity),
                compressed,
                last_modified,
            )
        }
    }

    /// An entity from bytes already prepared (read back from the feeds folder).
    pub fn from_variants(
        content_type: &'static str,
        identity: Bytes,
        compressed: Vec<Variant>,
        last_modified: SystemTime,
    ) -> Entity {
        let last_modified = whole_seconds(last_modified);
        // Read back with every copy the slow pass makes: complete.
        let attempted = if Codings::All
            .list()
            .iter()
            .all(|c| compressed.iter().any(|v| v.coding == *c))
        {
            Codings::All
        } else {
            Codings::Gzip
        };
        let mut variants = Vec::with_capacity(1 + compressed.len());
        variants.push(Variant::new(Coding::Identity, identity));
        variants.extend(compressed);
        Entity {
            content_type: HeaderValue::from_static(content_type),
            variants,
            last_modified_header: http_date(last_modified),
            last_modified,
            attempted,
            link: None,
        }
    }

    /// The identity variant.
    pub fn identity(&self) -> &Variant {
        &self.variants[0]
    }

    /// The variant in `coding`, if there is one.
    pub fn variant(&self, coding: Coding) -> Option<&Variant> {
        self.variants.iter().find(|v| v.coding == coding)
    }

    /// Digest of the identity bytes.
    pub fn digest(&self) -> [u8; ETAG_DIGEST_BYTES] {
        self.identity().digest
    }
}

/// The first [`ETAG_DIGEST_BYTES`] of the SHA-256 of `bytes`: what strong
/// ETags are made of.
pub fn digest(bytes: &[u8]) -> [u8; ETAG_DIGEST_BYTES] {
    let full = Sha256::digest(bytes);
    let mut out = [0u8; ETAG_DIGEST_BYTES];
    out.copy_from_slice(&full[..ETAG_DIGEST_BYTES]);
    out
}

/// A digest as a quoted strong ETag (`"…"`, lower-case hex).
pub fn quoted(digest: &[u8; ETAG_DIGEST_BYTES]) -> String {
    format!("\"{}\"", hex(digest))
}

/// Bytes as lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(2 * bytes.len());
    for b in bytes {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 15)]));
    }
    out
}

fn etag_header(digest: &[u8; ETAG_DIGEST_BYTES]) -> HeaderValue {
    // Quotes and hex digits only: always a valid header value.
    HeaderValue::from_str(&quoted(digest)).unwrap_or_else(|_| HeaderValue::from_static("\"\""))
}

fn http_date(t: SystemTime) -> HeaderValue {
    // An IMF-fixdate is visible ASCII: always a valid header value.
    HeaderValue::from_str(&httpdate::fmt_http_date(t))
        .unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// `t` without its fraction of a second (times before 1970 become 1970).
fn whole_seconds(t: SystemTime) -> SystemTime {
    let secs = t
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    fn decode(coding: Coding, bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        match coding {
            Coding::Identity => out.extend_from_slice(bytes),
            Coding::Gzip => {
                flate2::read::GzDecoder::new(bytes)
                    .read_to_end(&mut out)
                    .expect("gzip");
            }
            Coding::Brotli => {
                brotli::BrotliDecompress(&mut &bytes[..], &mut out).expect("brotli");
            }
            Coding::Zstd => out = zstd::stream::decode_all(bytes).expect("zstd"),
        }
        out
    }

    #[test]
    fn every_coding_decodes_to_the_identity_bytes_with_its_own_etag() {
        let body = "<item>江海区 bridge reopens</item>\n"
            .repeat(200)
            .into_bytes();
        let e = Entity::new(
            "application/rss+xml",
            body.clone(),
            SystemTime::UNIX_EPOCH,
            Codings::All,
        );
        let codings: Vec<Coding> = e.variants.iter().map(|v| v.coding).collect();
        assert_eq!(
            codings,
            [Coding::Identity, Coding::Gzip, Coding::Brotli, Coding::Zstd]
        );
        let mut tags = std::collections::HashSet::new();
        for v in &e.variants {
            assert_eq!(decode(v.coding, &v.body), body, "{:?}", v.coding);
            assert_eq!(v.digest, digest(&v.body));
            assert!(tags.insert(v.etag.clone()), "{:?} shares an ETag", v.coding);
            assert_eq!(v.length, HeaderValue::from(v.body.len()));
        }
        let page = Entity::new("text/html", body, SystemTime::UNIX_EPOCH, Codings::Gzip);
        let codings: Vec<Coding> = page.variants.iter().map(|v| v.coding).collect();
        assert_eq!(codings, [Coding::Identity, Coding::Gzip]);
    }

    #[test]
    fn small_bodies_stay_identity_only_and_times_are_whole_seconds() {
        let e = Entity::new(
            "text/plain",
            b"tiny".to_vec(),
            SystemTime::UNIX_EPOCH + Duration::from_millis(1500),
            Codings::All,
        );
        assert_eq!(e.variants.len(), 1);
        assert_eq!(
            e.last_modified,
            SystemTime::UNIX_EPOCH + Duration::from_secs(1)
        );
        assert_eq!(e.last_modified_header, "Thu, 01 Jan 1970 00:00:01 GMT");
        assert!(e
            .identity()
            .etag
            .to_str()
            .is_ok_and(|t| t.len() == 34 && t.starts_with('"')));
    }

    #[test]
    fn compression_is_deterministic() {
        let body = "deterministic output, the same bytes every time. "
            .repeat(100)
            .into_bytes();
        for c in Coding::COMPRESSED {
            assert_eq!(c.compress(&body), c.compress(&body), "{c:?}");
        }
    }
}
