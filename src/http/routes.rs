//! Request path → route. The path is percent-decoded once, strictly (a `%`
//! must be followed by two hex digits and the result must be UTF-8), and
//! anything that looks like traversal is refused before any lookup. Nothing
//! here touches the file system: a path names a key of
//! [`Published::entities`](crate::render::Published), or a page or an
//! archive document by its parts, which are checked.

use std::borrow::Cow;

use crate::render::Format;

/// Where a request goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route<'a> {
    /// `/healthz`.
    Health,
    /// `/metrics`.
    Metrics,
    /// `/websub`: the WebSub hub (POST).
    WebSub,
    /// An item's permalink page, `/items/SLUG.html`, served from the feeds
    /// folder; the slug is checked to be 16 lower-case hex digits.
    Page(&'a str),
    /// The page's old address, `/items/SLUG`: moved permanently.
    OldPage(&'a str),
    /// An archive document, `/archive/K.EXT` (all channels) or
    /// `/CHANNEL/archive/K.EXT`, served from the feeds folder.
    Archive {
        /// The channel (`""`: all channels).
        channel: Cow<'a, str>,
        /// The document's number, written without leading zeros.
        number: u64,
        /// Which format `EXT` names.
        format: Format,
    },
    /// A prepared entity, by decoded path (`/江海/feed.rss`); borrowed from
    /// the request when there was nothing to decode.
    Entity(Cow<'a, str>),
    /// A path with `..`, `\` or NUL: never served.
    Forbidden,
    /// Undecodable escapes or not UTF-8.
    BadRequest,
}

/// Routes the raw (still percent-encoded) request path.
pub fn route<'a>(raw_path: &'a str) -> Route<'a> {
    let Some(path) = decode(raw_path) else {
        return Route::BadRequest;
    };
    if path.contains("..") || path.contains('\\') || path.contains('\0') || !path.starts_with('/') {
        return Route::Forbidden;
    }
    match &*path {
        "/healthz" => Route::Health,
        "/metrics" => Route::Metrics,
        "/websub" => Route::WebSub,
        _ => {
            if let Some(rest) = raw_path.strip_prefix("/items/") {
                if let Some(slug) = rest.strip_suffix(".html").filter(|s| is_slug(s)) {
                    return Route::Page(slug);
                }
                if is_slug(rest) {
                    return Route::OldPage(rest);
                }
            }
            let archived = |channel: Cow<'a, str>, (number, format)| Route::Archive {
                channel,
                number,
                format,
            };
            match path {
                Cow::Borrowed(p) => match archive(p) {
                    Some((channel, doc)) => archived(Cow::Borrowed(channel), doc),
                    None => Route::Entity(Cow::Borrowed(p)),
                },
                Cow::Owned(p) => match archive(&p) {
                    Some((channel, doc)) => archived(Cow::Owned(channel.to_string()), doc),
                    None => Route::Entity(Cow::Owned(p)),
                },
            }
        }
    }
}

/// The parts of an archive document's path: `/archive/K.EXT` or
/// `/CHANNEL/archive/K.EXT`, `K` a decimal number without leading zeros.
fn archive(path: &str) -> Option<(&str, (u64, Format))> {
    let rest = path.strip_prefix('/')?;
    let (head, file) = rest.rsplit_once('/')?;
    let channel = match head.rsplit_once('/') {
        Some((channel, "archive")) if !channel.is_empty() && !channel.contains('/') => channel,
        None if head == "archive" => "",
        _ => return None,
    };
    let (number, ext) = file.split_once('.')?;
    let format = Format::ALL.into_iter().find(|f| f.extension() == ext)?;
    let canonical = !number.is_empty()
        && number.bytes().all(|b| b.is_ascii_digit())
        && (number == "0" || !number.starts_with('0'));
    Some((
        channel,
        (number.parse().ok().filter(|_| canonical)?, format),
    ))
}

/// A permalink page's name: 16 lower-case hex digits.
fn is_slug(s: &str) -> bool {
    s.len() == 16 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Strict percent-decoding of a whole path; `None` on a bad escape or a
/// result that is not UTF-8.
fn decode(raw: &str) -> Option<Cow<'_, str>> {
    if !raw.contains('%') {
        return Some(Cow::Borrowed(raw));
    }
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hi = hex(*bytes.get(i + 1)?)?;
            let lo = hex(*bytes.get(i + 2)?)?;
            out.push(hi << 4 | lo);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok().map(Cow::Owned)
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entity(path: &str) -> Route<'_> {
        Route::Entity(Cow::Borrowed(path))
    }

    fn archived(channel: &str, number: u64, format: Format) -> Route<'_> {
        Route::Archive {
            channel: Cow::Borrowed(channel),
            number,
            format,
        }
    }

    #[test]
    fn route_table() {
        let cases: Vec<(&str, Route)> = vec![
            ("/", entity("/")),
            ("/feed.rss", entity("/feed.rss")),
            ("/healthz", Route::Health),
            ("/metrics", Route::Metrics),
            ("/websub", Route::WebSub),
            ("/%68ealthz", Route::Health),
            ("/%E6%B1%9F%E6%B5%B7/feed.rss", entity("/江海/feed.rss")),
            ("/%e6%b1%9f%e6%b5%b7/feed.rss", entity("/江海/feed.rss")),
            ("/items/a%20b", entity("/items/a b")),
            (
                "/items/0123456789abcdef.html",
                Route::Page("0123456789abcdef"),
            ),
            (
                "/items/0123456789abcdef",
                Route::OldPage("0123456789abcdef"),
            ),
            (
                "/items/0123456789ABCDEF.html",
                entity("/items/0123456789ABCDEF.html"),
            ),
            ("/items/../0123456789abcdef.html", Route::Forbidden),
            ("/../../etc/passwd", Route::Forbidden),
            ("/%2e%2e/%2e%2e/etc/passwd", Route::Forbidden),
            ("/feed.rss/..%2f..%2fetc/passwd", Route::Forbidden),
            ("/..%5c..%5cetc%5cpasswd", Route::Forbidden),
            ("/a\\b", Route::Forbidden),
            ("/....//....//etc/passwd", Route::Forbidden),
            ("/a%00b", Route::Forbidden),
            // Decoded once only: a double-encoded dot stays "%2e".
            ("/%252e%252e/etc/passwd", entity("/%2e%2e/etc/passwd")),
            ("/bad%zz", Route::BadRequest),
            ("/trunc%4", Route::BadRequest),
            ("/trunc%", Route::BadRequest),
            ("/%FF%FE", Route::BadRequest),
            ("*", Route::Forbidden),
            ("/archive/0.rss", archived("", 0, Format::Rss)),
            ("/archive/17.atom", archived("", 17, Format::Atom)),
            ("/city/archive/3.json", archived("city", 3, Format::Json)),
            (
                "/%E6%B1%9F%E6%B5%B7/archive/3.json",
                archived("江海", 3, Format::Json),
            ),
            ("/city/archive/03.json", entity("/city/archive/03.json")),
            ("/city/archive/3.xml", entity("/city/archive/3.xml")),
            ("/city/archive/x.rss", entity("/city/archive/x.rss")),
            ("/a/b/archive/3.rss", entity("/a/b/archive/3.rss")),
            ("/archive/feed.rss", entity("/archive/feed.rss")),
            (
                "/archive/99999999999999999999999.rss",
                entity("/archive/99999999999999999999999.rss"),
            ),
        ];
        for (raw, want) in cases {
            assert_eq!(route(raw), want, "path {raw:?}");
        }
    }
}
