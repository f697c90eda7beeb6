//! Headers every answer carries besides its own: CORS for browser-based
//! readers, the content-type and referrer policies, and the pages' content
//! security policy; and the answer to a CORS preflight.

use std::sync::LazyLock;

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{self, HeaderValue};
use hyper::{Response, StatusCode};

use crate::metrics::http::RouteKind;

/// Methods every resource answers (`Allow`, and CORS preflights).
pub const ALLOWED_METHODS: &str = "GET, HEAD, OPTIONS";

/// Request headers a cross-origin reader may send: the validators of a
/// conditional GET, besides the CORS-safelisted ones.
const ALLOWED_HEADERS: &str =
    "If-None-Match, If-Modified-Since, If-Match, If-Unmodified-Since, Cache-Control";

/// Response headers a cross-origin reader may read besides the safelisted
/// ones: what it needs to revalidate and to follow the history.
const EXPOSED_HEADERS: &str = "ETag, Last-Modified, Link";

/// How long a browser may reuse a preflight answer, in seconds.
const PREFLIGHT_MAX_AGE: &str = "86400";

/// The pages' policy as a header value (it is the same on every page).
static PAGE_CSP: LazyLock<HeaderValue> = LazyLock::new(|| {
    HeaderValue::from_str(&crate::render::PAGE_CSP)
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'none'"))
});

/// Adds the headers of every answer: `X-Content-Type-Options` and
/// `Referrer-Policy` on every answer with content; CORS on everything
/// readers fetch (feeds, archives, the OPML list, pages, and their errors:
/// not the hub, health or metrics); the content security policy on pages.
/// A `304` carries only CORS of these: it has no content, and a cache
/// keeps the stored response's other fields (RFC 9110 §15.4.5 asks for no
/// metadata beyond what guides the cache update). It keeps the feed's
/// `Link` (see `serve_entity`): a WebSub subscriber may read discovery from
/// whatever answer it gets.
pub fn decorate(response: &mut Response<Full<Bytes>>, kind: RouteKind) {
    let content = response.status() != StatusCode::NOT_MODIFIED;
    let headers = response.headers_mut();
    if content {
        headers.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        headers.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        );
    }
    if matches!(
        kind,
        RouteKind::Health | RouteKind::Metrics | RouteKind::WebSub
    ) {
        return;
    }
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    headers.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static(EXPOSED_HEADERS),
    );
    if content && matches!(kind, RouteKind::Index | RouteKind::Page) {
        headers.insert(header::CONTENT_SECURITY_POLICY, PAGE_CSP.clone());
    }
}

/// `204` to an `OPTIONS` request: the methods and request headers allowed
/// (a CORS preflight, or a client asking).
pub fn preflight() -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = StatusCode::NO_CONTENT;
    let headers = response.headers_mut();
    headers.insert(header::ALLOW, HeaderValue::from_static(ALLOWED_METHODS));
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static(ALLOWED_METHODS),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static(ALLOWED_HEADERS),
    );
    headers.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static(PREFLIGHT_MAX_AGE),
    );
    response
}
