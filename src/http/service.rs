//! One request → one response, from the latest [`Published`] snapshot:
//! method check, route, encoding choice, conditional evaluation, headers.
//! Never renders, never touches the database or the file system.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::SystemTime;

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{self, HeaderMap, HeaderName, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use tokio::sync::watch;

use super::conditional::{self, Conditions, Outcome};
use super::encoding::{self, Coding};
use super::routes::{self, Route};
use crate::metrics::Metrics;
use crate::render::{Entity, Published};

/// `Content-Type` of `/metrics` (Prometheus text exposition 0.0.4).
const METRICS_TYPE: &str = "text/plain; version=0.0.4";
/// `Content-Type` of the short text bodies (errors, `/healthz`).
const TEXT_TYPE: &str = "text/plain; charset=utf-8";

/// What every request handler shares: the published snapshot, counters and
/// the header values fixed at start.
#[derive(Debug)]
pub struct Shared {
    /// The latest rendered entities; read once per request.
    pub published: watch::Receiver<Arc<Published>>,
    /// Response counters.
    pub metrics: Arc<Metrics>,
    /// `Cache-Control` for feeds and pages (`public, max-age=N`).
    pub cache_control: HeaderValue,
}

impl Shared {
    /// Shared state for `serve`; `max_age` in seconds.
    pub fn new(
        published: watch::Receiver<Arc<Published>>,
        metrics: Arc<Metrics>,
        max_age: u32,
    ) -> Shared {
        Shared {
            published,
            metrics,
            cache_control: cache_control(max_age),
        }
    }
}

/// `public, max-age=N` as a header value.
fn cache_control(max_age: u32) -> HeaderValue {
    // Digits and ASCII punctuation only: from_str cannot fail here, and the
    // fallback only keeps this free of a panic path.
    HeaderValue::from_str(&format!("public, max-age={max_age}"))
        .unwrap_or_else(|_| HeaderValue::from_static("public"))
}

/// Answers one request and counts the answer.
pub fn respond<B>(shared: &Shared, request: &Request<B>) -> Response<Full<Bytes>> {
    let response = answer(
        shared,
        request.method(),
        request.uri().path(),
        request.headers(),
    );
    let counter = match response.status() {
        StatusCode::OK => &shared.metrics.responses_ok,
        StatusCode::NOT_MODIFIED => &shared.metrics.responses_not_modified,
        _ => &shared.metrics.responses_other,
    };
    Metrics::bump(counter);
    response
}

fn answer(
    shared: &Shared,
    method: &Method,
    path: &str,
    headers: &HeaderMap,
) -> Response<Full<Bytes>> {
    if method != Method::GET && method != Method::HEAD {
        let mut response = text(
            StatusCode::METHOD_NOT_ALLOWED,
            "method not allowed\n",
            method,
        );
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    match routes::route(path) {
        Route::Health => {
            let mut response = text(StatusCode::OK, "ok\n", method);
            no_store(&mut response);
            response
        }
        Route::Metrics => {
            let body = shared.metrics.to_prometheus();
            let mut response = with_body(StatusCode::OK, METRICS_TYPE, Bytes::from(body), method);
            no_store(&mut response);
            response
        }
        Route::BadRequest => text(StatusCode::BAD_REQUEST, "bad request path\n", method),
        Route::Forbidden => text(StatusCode::NOT_FOUND, "not found\n", method),
        Route::Entity(key) => {
            let snapshot = Arc::clone(&*shared.published.borrow());
            match snapshot.entities.get(&*key) {
                Some(entity) => serve_entity(shared, method, headers, entity),
                None => text(StatusCode::NOT_FOUND, "not found\n", method),
            }
        }
    }
}

/// 200, 304 or 412 for a prepared entity.
fn serve_entity(
    shared: &Shared,
    method: &Method,
    headers: &HeaderMap,
    entity: &Entity,
) -> Response<Full<Bytes>> {
    let accept = joined(headers, &header::ACCEPT_ENCODING);
    let gzip = match (&entity.gzip, encoding::choose(accept.as_deref())) {
        (Some(gzip), Coding::Gzip) => Some(gzip),
        _ => None,
    };
    let (body, etag) = match gzip {
        Some((bytes, etag)) => (bytes, etag),
        None => (&entity.identity, &entity.etag),
    };

    let if_match = joined(headers, &header::IF_MATCH);
    let if_none_match = joined(headers, &header::IF_NONE_MATCH);
    let if_modified_since = joined(headers, &header::IF_MODIFIED_SINCE);
    let if_unmodified_since = joined(headers, &header::IF_UNMODIFIED_SINCE);
    let conditions = Conditions {
        if_match: if_match.as_deref(),
        if_none_match: if_none_match.as_deref(),
        if_modified_since: if_modified_since.as_deref(),
        if_unmodified_since: if_unmodified_since.as_deref(),
    };
    // RFC 9110 §8.8.2.1: never claim a modification later than the
    // response's Date (an item dated in the future).
    let last_modified = entity.last_modified.map(|t| t.min(SystemTime::now()));
    let outcome = conditional::evaluate(method, &conditions, etag, last_modified);

    let mut response = match outcome {
        Outcome::PreconditionFailed => {
            return text(
                StatusCode::PRECONDITION_FAILED,
                "precondition failed\n",
                method,
            )
        }
        Outcome::NotModified => {
            let mut response = Response::new(Full::new(Bytes::new()));
            *response.status_mut() = StatusCode::NOT_MODIFIED;
            response
        }
        Outcome::Send => {
            let mut response = with_body(StatusCode::OK, entity.content_type, body.clone(), method);
            if gzip.is_some() {
                response
                    .headers_mut()
                    .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            }
            response
        }
    };
    let out = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(etag) {
        out.insert(header::ETAG, value);
    }
    if let Some(modified) = last_modified {
        if let Ok(value) = HeaderValue::from_str(&httpdate::fmt_http_date(modified)) {
            out.insert(header::LAST_MODIFIED, value);
        }
    }
    out.insert(header::CACHE_CONTROL, shared.cache_control.clone());
    out.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    response
}

/// All values of a header field joined with `, ` (RFC 9110 §5.3), or `None`
/// when absent or not visible ASCII. Borrows the usual single value.
fn joined<'a>(headers: &'a HeaderMap, name: &HeaderName) -> Option<Cow<'a, str>> {
    let mut values = headers.get_all(name).iter();
    let first = values.next()?.to_str().ok()?;
    let mut out = Cow::Borrowed(first);
    for value in values {
        let more = value.to_str().ok()?;
        let out = out.to_mut();
        out.push_str(", ");
        out.push_str(more);
    }
    Some(out)
}

/// A response with `Content-Type`, `Content-Length` and, except for HEAD,
/// the body. HEAD keeps the GET body's length.
fn with_body(
    status: StatusCode,
    content_type: &'static str,
    body: Bytes,
    method: &Method,
) -> Response<Full<Bytes>> {
    let length = HeaderValue::from(body.len());
    let body = if method == Method::HEAD {
        Bytes::new()
    } else {
        body
    };
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CONTENT_LENGTH, length);
    response
}

/// A short plain-text response.
fn text(status: StatusCode, body: &'static str, method: &Method) -> Response<Full<Bytes>> {
    with_body(
        status,
        TEXT_TYPE,
        Bytes::from_static(body.as_bytes()),
        method,
    )
}

fn no_store(response: &mut Response<Full<Bytes>>) {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::time::Duration;

    use super::*;
    use crate::render::RSS_TYPE;

    fn shared() -> (Shared, watch::Sender<Arc<Published>>) {
        let entity = Entity::new(
            RSS_TYPE,
            "<rss>".repeat(200).into_bytes(),
            Some(SystemTime::UNIX_EPOCH + Duration::from_secs(1_670_544_000)),
        );
        let mut entities = HashMap::new();
        entities.insert("/江海/feed.rss".to_string(), Arc::new(entity));
        let (tx, rx) = watch::channel(Arc::new(Published { entities }));
        (Shared::new(rx, Arc::new(Metrics::default()), 60), tx)
    }

    fn get(
        shared: &Shared,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
    ) -> Response<Full<Bytes>> {
        let mut builder = Request::builder().method(method).uri(path);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let request = builder.body(()).expect("test request is valid");
        respond(shared, &request)
    }

    fn header<'a>(response: &'a Response<Full<Bytes>>, name: &str) -> Option<&'a str> {
        response.headers().get(name).and_then(|v| v.to_str().ok())
    }

    #[test]
    fn status_table() {
        let (shared, _tx) = shared();
        let entity = Arc::clone(&shared.published.borrow().entities["/江海/feed.rss"]);
        let gzip_tag = entity
            .gzip
            .as_ref()
            .map(|g| g.1.clone())
            .expect("gzip copy");
        type Case<'a> = (Method, &'a str, Vec<(&'a str, &'a str)>, StatusCode);
        let cases: Vec<Case<'_>> = vec![
            (
                Method::GET,
                "/%E6%B1%9F%E6%B5%B7/feed.rss",
                vec![],
                StatusCode::OK,
            ),
            (
                Method::HEAD,
                "/%E6%B1%9F%E6%B5%B7/feed.rss",
                vec![],
                StatusCode::OK,
            ),
            (
                Method::GET,
                "/%E6%B1%9F%E6%B5%B7/feed.rss",
                vec![("if-none-match", &entity.etag)],
                StatusCode::NOT_MODIFIED,
            ),
            (
                Method::GET,
                "/%E6%B1%9F%E6%B5%B7/feed.rss",
                vec![
                    ("if-none-match", "\"nope\""),
                    ("if-none-match", &entity.etag),
                ],
                StatusCode::NOT_MODIFIED,
            ),
            (
                Method::GET,
                "/%E6%B1%9F%E6%B5%B7/feed.rss",
                vec![("accept-encoding", "gzip"), ("if-none-match", &gzip_tag)],
                StatusCode::NOT_MODIFIED,
            ),
            (
                Method::GET,
                "/%E6%B1%9F%E6%B5%B7/feed.rss",
                vec![("accept-encoding", "gzip"), ("if-none-match", &entity.etag)],
                StatusCode::OK,
            ),
            (
                Method::GET,
                "/%E6%B1%9F%E6%B5%B7/feed.rss",
                vec![("if-match", "\"nope\"")],
                StatusCode::PRECONDITION_FAILED,
            ),
            (
                Method::POST,
                "/%E6%B1%9F%E6%B5%B7/feed.rss",
                vec![],
                StatusCode::METHOD_NOT_ALLOWED,
            ),
            (Method::GET, "/feed.rss", vec![], StatusCode::NOT_FOUND),
            (Method::GET, "/../etc/passwd", vec![], StatusCode::NOT_FOUND),
            (Method::GET, "/%zz", vec![], StatusCode::BAD_REQUEST),
            (Method::GET, "/healthz", vec![], StatusCode::OK),
            (Method::GET, "/metrics", vec![], StatusCode::OK),
        ];
        for (method, path, headers, want) in cases {
            let response = get(&shared, method.clone(), path, &headers);
            assert_eq!(response.status(), want, "{method} {path} {headers:?}");
        }
        let metrics = shared.metrics.to_prometheus();
        assert!(
            metrics.contains("bulletind_http_responses_total{status=\"200\"} 5"),
            "{metrics}"
        );
        assert!(
            metrics.contains("bulletind_http_responses_total{status=\"304\"} 3"),
            "{metrics}"
        );
        assert!(
            metrics.contains("bulletind_http_responses_total{status=\"other\"} 5"),
            "{metrics}"
        );
    }

    #[test]
    fn headers_of_200_304_and_405() {
        let (shared, _tx) = shared();
        let path = "/%E6%B1%9F%E6%B5%B7/feed.rss";
        let ok = get(&shared, Method::GET, path, &[("accept-encoding", "gzip")]);
        assert_eq!(header(&ok, "content-encoding"), Some("gzip"));
        assert_eq!(header(&ok, "vary"), Some("accept-encoding"));
        assert_eq!(header(&ok, "cache-control"), Some("public, max-age=60"));
        assert_eq!(
            header(&ok, "last-modified"),
            Some("Fri, 09 Dec 2022 00:00:00 GMT")
        );
        assert_eq!(header(&ok, "content-type"), Some(RSS_TYPE));
        let tag = header(&ok, "etag").expect("etag").to_string();
        let not_modified = get(
            &shared,
            Method::GET,
            path,
            &[("accept-encoding", "gzip"), ("if-none-match", &tag)],
        );
        for name in ["etag", "cache-control", "vary", "last-modified"] {
            assert_eq!(
                header(&not_modified, name),
                header(&ok, name),
                "{name} on 304"
            );
        }
        assert_eq!(header(&not_modified, "content-length"), None);
        let head = get(&shared, Method::HEAD, path, &[]);
        assert_eq!(header(&head, "content-length"), Some("1000"));
        let post = get(&shared, Method::PUT, path, &[]);
        assert_eq!(header(&post, "allow"), Some("GET, HEAD"));
        let metrics = get(&shared, Method::GET, "/metrics", &[]);
        assert_eq!(header(&metrics, "content-type"), Some(METRICS_TYPE));
    }
}

#[cfg(test)]
mod clock_tests {
    use std::collections::HashMap;
    use std::time::Duration;

    use super::*;
    use crate::render::RSS_TYPE;

    #[test]
    fn future_last_modified_is_clamped_to_now() {
        let future = SystemTime::now() + Duration::from_secs(365 * 86_400);
        let mut entities = HashMap::new();
        entities.insert(
            "/feed.rss".to_string(),
            Arc::new(Entity::new(RSS_TYPE, b"x".to_vec(), Some(future))),
        );
        let (_tx, rx) = watch::channel(Arc::new(Published { entities }));
        let shared = Shared::new(rx, Arc::new(Metrics::default()), 60);
        let request = Request::get("/feed.rss").body(()).expect("valid request");
        let response = respond(&shared, &request);
        let sent = response
            .headers()
            .get(header::LAST_MODIFIED)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| httpdate::parse_http_date(v).ok())
            .expect("Last-Modified");
        assert!(sent <= SystemTime::now(), "Last-Modified in the future");
    }
}
