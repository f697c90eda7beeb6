//! One request → one response, from the latest [`Published`] snapshot:
//! method check, route, encoding choice, conditional evaluation, headers.
//! Never renders and never touches the database; permalink pages and
//! archive documents are read from the feeds folder ([`cold`]), off the
//! async workers.

use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::SystemTime;

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{self, HeaderMap, HeaderName, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use tokio::sync::watch;

use super::cold::{self, Cold, Lookup};
use super::conditional::{self, Conditions, Outcome};
use super::encoding;
use super::headers::{self, ALLOWED_METHODS};
use super::routes::{self, Route};
use crate::metrics::http::RouteKind;
use crate::metrics::Metrics;
use crate::render::{item_path, Coding, Entity, Latest, Variant};

/// `Content-Type` of `/metrics` (Prometheus text exposition 0.0.4).
const METRICS_TYPE: &str = "text/plain; version=0.0.4";
/// `Content-Type` of the short text bodies (errors, `/healthz`).
const TEXT_TYPE: &str = "text/plain; charset=utf-8";

/// Whether the daemon is working: `None` while healthy, else why not.
pub type Health = watch::Receiver<Option<String>>;

/// What every request handler shares: the published snapshot, counters and
/// the values fixed at start.
#[derive(Debug)]
pub struct Shared {
    /// The latest rendered entities; read once per request.
    pub published: Latest,
    /// Response counters.
    pub metrics: Arc<Metrics>,
    /// `Cache-Control` for feeds and pages (`public, max-age=N`); a reload
    /// may replace it.
    pub cache_control: Arc<arc_swap::ArcSwap<HeaderValue>>,
    /// The feeds folder, where permalink pages are read from.
    pub feeds_dir: PathBuf,
    /// The daemon's health, for `/healthz`.
    pub health: Health,
    /// The built-in WebSub hub, answering `POST /websub`, when it runs.
    pub hub: Option<crate::websub::Hub>,
}

impl Shared {
    /// Shared state for `serve`; `max_age` in seconds.
    pub fn new(
        published: Latest,
        metrics: Arc<Metrics>,
        max_age: u32,
        feeds_dir: PathBuf,
        health: Health,
    ) -> Shared {
        Shared {
            published,
            metrics,
            cache_control: Arc::new(arc_swap::ArcSwap::from_pointee(cache_control(max_age))),
            feeds_dir,
            health,
            hub: None,
        }
    }
}

/// `public, max-age=N` as a header value.
pub(super) fn cache_control(max_age: u32) -> HeaderValue {
    // Digits and ASCII punctuation only: from_str cannot fail here, and the
    // fallback only keeps this free of a panic path.
    HeaderValue::from_str(&format!("public, max-age={max_age}"))
        .unwrap_or_else(|_| HeaderValue::from_static("public"))
}

/// The answer to one request: ready at once, or (for a document read from
/// the feeds folder) later.
pub enum Answer {
    /// Answered from memory.
    Now(Response<Full<Bytes>>),
    /// A page or archive document, to be read off the async workers.
    Cold(Cold, RouteKind),
    /// `POST /websub`: the body must be read; see [`respond_hub`].
    Hub,
}

/// Answers a request from memory when it can (everything but pages and
/// archive documents), and counts the answer; `Answer::Cold` says to call
/// [`respond_cold`].
pub fn respond_now<B>(shared: &Shared, request: &Request<B>) -> Answer {
    let method = request.method();
    let route = routes::route(request.uri().path());
    let kind = super::kind::kind_of(&route);
    let reading = method == Method::GET || method == Method::HEAD;
    let lookup = match &route {
        Route::Page(slug) if reading => Some(cold::page(&shared.published.load(), slug)),
        Route::Archive {
            channel,
            number,
            format,
        } if reading => Some(cold::archive(
            &shared.published.load(),
            channel,
            *number,
            *format,
        )),
        _ => None,
    };
    let mut response = match lookup {
        Some(Lookup::Read(cold)) => return Answer::Cold(cold, kind),
        Some(Lookup::Gone) => gone(method),
        Some(Lookup::Missing) => not_found(method),
        None => match route {
            Route::WebSub if shared.hub.is_none() => not_found(method),
            Route::WebSub if method == Method::POST => return Answer::Hub,
            Route::WebSub => {
                let mut response = text(
                    StatusCode::METHOD_NOT_ALLOWED,
                    "POST a WebSub request\n",
                    method,
                );
                response
                    .headers_mut()
                    .insert(header::ALLOW, HeaderValue::from_static("POST"));
                response
            }
            route => answer(shared, method, route, request.headers()),
        },
    };
    headers::decorate(&mut response, kind);
    shared.metrics.http.count(kind, response.status().as_u16());
    Answer::Now(response)
}

/// Answers a request for a page or archive document, and counts the answer.
pub async fn respond_cold<B>(
    shared: &Shared,
    request: &Request<B>,
    cold: Cold,
    kind: RouteKind,
) -> Response<Full<Bytes>> {
    let mut response = serve_cold(shared, request.method(), request.headers(), cold).await;
    headers::decorate(&mut response, kind);
    shared.metrics.http.count(kind, response.status().as_u16());
    response
}

/// Answers `POST /websub` with the hub, and counts the answer.
pub async fn respond_hub<B>(shared: &Shared, request: Request<B>) -> Response<Full<Bytes>>
where
    B: hyper::body::Body,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let mut response = match &shared.hub {
        Some(hub) => crate::websub::answer(hub, request).await,
        None => not_found(request.method()),
    };
    headers::decorate(&mut response, RouteKind::WebSub);
    shared
        .metrics
        .http
        .count(RouteKind::WebSub, response.status().as_u16());
    response
}

/// Answers one request and counts the answer (the two steps above).
pub async fn respond<B>(shared: &Shared, request: &Request<B>) -> Response<Full<Bytes>> {
    match respond_now(shared, request) {
        Answer::Now(response) => response,
        Answer::Cold(cold, kind) => respond_cold(shared, request, cold, kind).await,
        Answer::Hub => not_found(request.method()),
    }
}

fn answer(
    shared: &Shared,
    method: &Method,
    route: Route<'_>,
    headers: &HeaderMap,
) -> Response<Full<Bytes>> {
    if method == Method::OPTIONS && !matches!(route, Route::Forbidden | Route::BadRequest) {
        return headers::preflight();
    }
    if method != Method::GET && method != Method::HEAD {
        let mut response = text(
            StatusCode::METHOD_NOT_ALLOWED,
            "method not allowed\n",
            method,
        );
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static(ALLOWED_METHODS));
        return response;
    }
    match route {
        Route::Health => health(shared, method),
        Route::Metrics => {
            let body = shared.metrics.to_prometheus();
            let mut response = with_body(StatusCode::OK, METRICS_TYPE, Bytes::from(body), method);
            no_store(&mut response);
            response
        }
        Route::BadRequest => text(StatusCode::BAD_REQUEST, "bad request path\n", method),
        Route::Forbidden => not_found(method),
        Route::Entity(key) => {
            let snapshot = shared.published.load();
            match snapshot.entities.get(&*key) {
                Some(entity) => serve_entity(shared, method, headers, entity, None),
                None if snapshot.gone.contains(&*key) => gone(method),
                None => not_found(method),
            }
        }
        // Looked up by `respond_now`; here only for completeness (and
        // `/websub` without a hub).
        Route::Page(_) | Route::Archive { .. } | Route::WebSub => not_found(method),
        Route::OldPage(slug) => {
            let mut response = text(StatusCode::MOVED_PERMANENTLY, "moved\n", method);
            if let Ok(location) = HeaderValue::from_str(&item_path(slug)) {
                response.headers_mut().insert(header::LOCATION, location);
            }
            response
        }
    }
}

fn health(shared: &Shared, method: &Method) -> Response<Full<Bytes>> {
    let failure = shared.health.borrow().clone();
    let degraded = shared
        .metrics
        .store_degraded
        .load(std::sync::atomic::Ordering::Relaxed)
        != 0;
    let mut response = match failure {
        // Still serving, from the last snapshot: a load balancer keeps the
        // node, an operator sees why it lags.
        None if degraded => text(
            StatusCode::OK,
            "degraded: the database is unreachable; serving the last snapshot\n",
            method,
        ),
        None => text(StatusCode::OK, "ok\n", method),
        Some(reason) => with_body(
            StatusCode::SERVICE_UNAVAILABLE,
            TEXT_TYPE,
            Bytes::from(format!("unhealthy: {reason}\n")),
            method,
        ),
    };
    no_store(&mut response);
    response
}

/// A page or archive document from the feeds folder (see [`cold::load`]).
/// Nothing of them is kept in memory: the operating system's page cache is
/// the cache.
async fn serve_cold(
    shared: &Shared,
    method: &Method,
    headers: &HeaderMap,
    cold: Cold,
) -> Response<Full<Bytes>> {
    let accept = joined(headers, &header::ACCEPT_ENCODING).map(|a| a.into_owned());
    let file = cold::file_of(&shared.feeds_dir, &cold);
    let revalidating = headers.contains_key(header::IF_NONE_MATCH);
    let content_type = cold.content_type;
    let loaded = tokio::task::spawn_blocking(move || {
        cold::load(&file, content_type, accept.as_deref(), revalidating)
    })
    .await;
    let cache = cold.immutable.then(cold::immutable_cache);
    match loaded {
        Ok(Some(entity)) => serve_entity(shared, method, headers, &entity, cache),
        Ok(None) => not_found(method),
        Err(err) => {
            tracing::error!("reading {}: {err}", cold.path);
            text(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal error\n",
                method,
            )
        }
    }
}

/// 200, 304 or 412 for a prepared entity; `cache` replaces the usual
/// `Cache-Control`.
fn serve_entity(
    shared: &Shared,
    method: &Method,
    headers: &HeaderMap,
    entity: &Entity,
    cache: Option<HeaderValue>,
) -> Response<Full<Bytes>> {
    let accept = joined(headers, &header::ACCEPT_ENCODING);
    let chosen = encoding::choose(accept.as_deref(), &entity.variants);

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
    let now = SystemTime::now();
    // The chosen copy first, then the others of this version (a client may
    // hold any of their ETags). At most four: no allocation.
    let mut order: [&Variant; 4] = [chosen; 4];
    let mut count = 1;
    for v in entity
        .variants
        .iter()
        .filter(|v| v.coding != chosen.coding)
        .take(3)
    {
        order[count] = v;
        count += 1;
    }
    let outcome = if conditions.is_empty() {
        Outcome::Send
    } else {
        let mut tags: [&str; 4] = [""; 4];
        for (tag, v) in tags.iter_mut().zip(&order[..count]) {
            *tag = v.etag.to_str().unwrap_or_default();
        }
        conditional::evaluate(
            method,
            &conditions,
            &tags[..count],
            Some(entity.last_modified),
            now,
        )
    };

    let (mut response, etag) = match outcome {
        Outcome::PreconditionFailed => {
            return text(
                StatusCode::PRECONDITION_FAILED,
                "precondition failed\n",
                method,
            )
        }
        Outcome::NotModified(i) => (
            sized_response(StatusCode::NOT_MODIFIED, Bytes::new()),
            &order[i.min(count - 1)].etag,
        ),
        Outcome::Send => {
            let body = if method == Method::HEAD {
                Bytes::new()
            } else {
                chosen.body.clone()
            };
            let mut response = sized_response(StatusCode::OK, body);
            let out = response.headers_mut();
            out.insert(header::CONTENT_TYPE, entity.content_type.clone());
            out.insert(header::CONTENT_LENGTH, chosen.length.clone());
            if chosen.coding != Coding::Identity {
                out.insert(
                    header::CONTENT_ENCODING,
                    HeaderValue::from_static(chosen.coding.token()),
                );
            }
            (response, &chosen.etag)
        }
    };
    let out = response.headers_mut();
    out.insert(header::ETAG, etag.clone());
    if let Some(link) = &entity.link {
        out.insert(header::LINK, link.clone());
    }
    // RFC 9110 §8.8.2.1: never claim a modification later than the
    // response's Date. A document changed twice within one second carries
    // the next second; until that second comes, it goes without.
    if entity.last_modified <= now {
        out.insert(header::LAST_MODIFIED, entity.last_modified_header.clone());
    }
    out.insert(
        header::CACHE_CONTROL,
        cache.unwrap_or_else(|| HeaderValue::clone(&shared.cache_control.load())),
    );
    out.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    response
}

/// The most header fields an entity's answer carries: its own (type,
/// length, coding, ETag, Link, Last-Modified, Cache-Control, Vary) and the
/// ones [`headers::decorate`] adds (four, five on pages).
const ENTITY_HEADERS: usize = 13;

/// An empty response with room for [`ENTITY_HEADERS`] fields, so that
/// filling them allocates once rather than growing the map twice.
fn sized_response(status: StatusCode, body: Bytes) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = status;
    response.headers_mut().reserve(ENTITY_HEADERS);
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

fn not_found(method: &Method) -> Response<Full<Bytes>> {
    text(StatusCode::NOT_FOUND, "not found\n", method)
}

fn gone(method: &Method) -> Response<Full<Bytes>> {
    text(
        StatusCode::GONE,
        "gone: withdrawn by its publisher\n",
        method,
    )
}

fn no_store(response: &mut Response<Full<Bytes>>) {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

#[cfg(test)]
mod tests;
