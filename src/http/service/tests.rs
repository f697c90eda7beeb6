//! The service on prepared snapshots: status for every route and
//! precondition, the headers of 200, 304, 405 and 410, pages from disk.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use super::*;
use crate::render::{Codings, Published, HTML_TYPE, RSS_TYPE};

const CHANNEL_FEED: &str = "/%E6%B1%9F%E6%B5%B7/feed.rss";
const SLUG: &str = "0123456789abcdef";

struct Fixture {
    shared: Shared,
    _health: watch::Sender<Option<String>>,
    _dir: tempfile::TempDir,
}

fn fixture(last_modified: SystemTime) -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let entity = Entity::new(
        RSS_TYPE,
        "<rss>".repeat(200).into_bytes(),
        last_modified,
        Codings::All,
    );
    let mut entities = HashMap::new();
    entities.insert("/江海/feed.rss".to_string(), Arc::new(entity));
    let gone: HashSet<String> = [
        "/items/fedcba9876543210.html".to_string(),
        "/old/feed.rss".to_string(),
    ]
    .into_iter()
    .collect();
    // 江海 has archive documents 0 to 2 written; 0 and 1 are full.
    let archives: HashMap<String, u64> = [("江海".to_string(), 2)].into_iter().collect();
    let latest = Latest::new(Arc::new(Published {
        entities,
        gone: Arc::new(gone),
        archives: Arc::new(archives),
    }));
    let (health_tx, health) = watch::channel(None);
    let page = dir.path().join(format!("items/{SLUG}.html"));
    std::fs::create_dir_all(page.parent().expect("parent")).expect("mkdir");
    std::fs::write(&page, "<p>page</p>".repeat(50)).expect("write page");
    for k in 0..=2 {
        let doc = dir.path().join(format!("江海/archive/{k}.atom"));
        std::fs::create_dir_all(doc.parent().expect("parent")).expect("mkdir");
        std::fs::write(&doc, format!("<feed>{k}</feed>")).expect("write archive");
    }
    let shared = Shared::new(
        latest,
        Arc::new(Metrics::default()),
        60,
        dir.path().to_path_buf(),
        health,
    );
    Fixture {
        shared,
        _health: health_tx,
        _dir: dir,
    }
}

fn december() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_670_544_000)
}

async fn get(
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
    respond(shared, &request).await
}

fn header<'a>(response: &'a Response<Full<Bytes>>, name: &str) -> Option<&'a str> {
    response.headers().get(name).and_then(|v| v.to_str().ok())
}

#[tokio::test]
async fn status_table() {
    let f = fixture(december());
    let shared = &f.shared;
    let entity = Arc::clone(&shared.published.load().entities["/江海/feed.rss"]);
    let tag_of = |c: Coding| {
        entity
            .variant(c)
            .and_then(|v| v.etag.to_str().ok())
            .map(str::to_string)
            .expect("copy")
    };
    let identity_tag = tag_of(Coding::Identity);
    let gzip_tag = tag_of(Coding::Gzip);
    let br_tag = tag_of(Coding::Brotli);
    let page = format!("/items/{SLUG}.html");
    type Case<'a> = (Method, &'a str, Vec<(&'a str, &'a str)>, StatusCode);
    let cases: Vec<Case<'_>> = vec![
        (Method::GET, CHANNEL_FEED, vec![], StatusCode::OK),
        (Method::HEAD, CHANNEL_FEED, vec![], StatusCode::OK),
        (
            Method::GET,
            CHANNEL_FEED,
            vec![("if-none-match", &identity_tag)],
            StatusCode::NOT_MODIFIED,
        ),
        (
            Method::GET,
            CHANNEL_FEED,
            vec![
                ("if-none-match", "\"nope\""),
                ("if-none-match", &identity_tag),
            ],
            StatusCode::NOT_MODIFIED,
        ),
        (
            Method::GET,
            CHANNEL_FEED,
            vec![("accept-encoding", "gzip"), ("if-none-match", &gzip_tag)],
            StatusCode::NOT_MODIFIED,
        ),
        // Any coding's ETag of this version is current.
        (
            Method::GET,
            CHANNEL_FEED,
            vec![
                ("accept-encoding", "gzip"),
                ("if-none-match", &identity_tag),
            ],
            StatusCode::NOT_MODIFIED,
        ),
        (
            Method::GET,
            CHANNEL_FEED,
            vec![("accept-encoding", "br"), ("if-none-match", &gzip_tag)],
            StatusCode::NOT_MODIFIED,
        ),
        (
            Method::GET,
            CHANNEL_FEED,
            vec![("if-none-match", &br_tag)],
            StatusCode::NOT_MODIFIED,
        ),
        (
            Method::GET,
            CHANNEL_FEED,
            vec![("if-match", "\"nope\"")],
            StatusCode::PRECONDITION_FAILED,
        ),
        (
            Method::POST,
            CHANNEL_FEED,
            vec![],
            StatusCode::METHOD_NOT_ALLOWED,
        ),
        (Method::GET, "/feed.rss", vec![], StatusCode::NOT_FOUND),
        (Method::GET, "/old/feed.rss", vec![], StatusCode::GONE),
        (Method::GET, &page, vec![], StatusCode::OK),
        (
            Method::GET,
            "/items/fedcba9876543210.html",
            vec![],
            StatusCode::GONE,
        ),
        (
            Method::GET,
            "/items/aaaaaaaaaaaaaaaa.html",
            vec![],
            StatusCode::NOT_FOUND,
        ),
        (
            Method::GET,
            "/items/0123456789abcdef",
            vec![],
            StatusCode::MOVED_PERMANENTLY,
        ),
        (Method::GET, "/../etc/passwd", vec![], StatusCode::NOT_FOUND),
        (Method::GET, "/%zz", vec![], StatusCode::BAD_REQUEST),
        (Method::GET, "/healthz", vec![], StatusCode::OK),
        (Method::GET, "/metrics", vec![], StatusCode::OK),
    ];
    for (method, path, headers, want) in cases {
        let response = get(shared, method.clone(), path, &headers).await;
        assert_eq!(response.status(), want, "{method} {path} {headers:?}");
    }
    let metrics = shared.metrics.to_prometheus();
    assert!(
        metrics.contains("bulletind_http_responses_total{status=\"200\"} 5"),
        "{metrics}"
    );
    assert!(
        metrics.contains("bulletind_http_responses_total{status=\"304\"} 6"),
        "{metrics}"
    );
}

#[tokio::test]
async fn headers_of_200_304_and_405() {
    let f = fixture(december());
    let shared = &f.shared;
    let ok = get(
        shared,
        Method::GET,
        CHANNEL_FEED,
        &[("accept-encoding", "gzip")],
    )
    .await;
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
        shared,
        Method::GET,
        CHANNEL_FEED,
        &[("accept-encoding", "gzip"), ("if-none-match", &tag)],
    )
    .await;
    for name in ["etag", "cache-control", "vary", "last-modified"] {
        assert_eq!(
            header(&not_modified, name),
            header(&ok, name),
            "{name} on 304"
        );
    }
    assert_eq!(header(&not_modified, "content-length"), None);
    let head = get(shared, Method::HEAD, CHANNEL_FEED, &[]).await;
    assert_eq!(header(&head, "content-length"), Some("1000"));
    let put = get(shared, Method::PUT, CHANNEL_FEED, &[]).await;
    assert_eq!(put.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(header(&put, "allow"), Some("GET, HEAD, OPTIONS"));
    let metrics = get(shared, Method::GET, "/metrics", &[]).await;
    assert_eq!(header(&metrics, "content-type"), Some(METRICS_TYPE));
}

#[tokio::test]
async fn pages_come_from_disk_with_etags_of_their_bytes() {
    let f = fixture(december());
    let path = format!("/items/{SLUG}.html");
    let file = f.shared.feeds_dir.join(format!("items/{SLUG}.html"));
    std::fs::File::options()
        .write(true)
        .open(&file)
        .and_then(|fh| fh.set_modified(december()))
        .expect("mtime");
    let first = get(&f.shared, Method::GET, &path, &[]).await;
    assert_eq!(header(&first, "content-type"), Some(HTML_TYPE));
    assert_eq!(
        header(&first, "last-modified"),
        Some("Fri, 09 Dec 2022 00:00:00 GMT")
    );
    let tag = header(&first, "etag").expect("etag").to_string();
    let again = get(&f.shared, Method::GET, &path, &[("if-none-match", &tag)]).await;
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    std::fs::write(&file, "<p>changed</p>").expect("rewrite");
    let changed = get(&f.shared, Method::GET, &path, &[("if-none-match", &tag)]).await;
    assert_eq!(changed.status(), StatusCode::OK);
    assert_ne!(header(&changed, "etag"), Some(tag.as_str()));
    let moved = get(&f.shared, Method::GET, &format!("/items/{SLUG}"), &[]).await;
    assert_eq!(header(&moved, "location"), Some(path.as_str()));
}

#[tokio::test]
async fn last_modified_waits_for_its_second_and_future_dates_are_ignored() {
    let future = SystemTime::now() + Duration::from_secs(365 * 86_400);
    let f = fixture(future);
    let ok = get(&f.shared, Method::GET, CHANNEL_FEED, &[]).await;
    assert_eq!(header(&ok, "last-modified"), None, "never later than Date");
    // A client's date in the future is ignored: the body is sent.
    let far = httpdate::fmt_http_date(future + Duration::from_secs(86_400));
    let r = get(
        &f.shared,
        Method::GET,
        CHANNEL_FEED,
        &[("if-modified-since", &far)],
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn health_reports_a_failure() {
    let f = fixture(december());
    assert_eq!(
        get(&f.shared, Method::GET, "/healthz", &[]).await.status(),
        StatusCode::OK
    );
    f._health
        .send_replace(Some("the ingest thread panicked: boom".into()));
    let r = get(&f.shared, Method::GET, "/healthz", &[]).await;
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn cors_for_browser_readers_and_policies_everywhere() {
    let f = fixture(december());
    let shared = &f.shared;
    for path in [CHANNEL_FEED, "/nothing", "/江海/archive/0.atom"] {
        let r = get(
            shared,
            Method::GET,
            path,
            &[("origin", "https://reader.example")],
        )
        .await;
        assert_eq!(
            header(&r, "access-control-allow-origin"),
            Some("*"),
            "{path}"
        );
        assert_eq!(
            header(&r, "access-control-expose-headers"),
            Some("ETag, Last-Modified, Link"),
            "{path}"
        );
        assert_eq!(
            header(&r, "x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
        assert!(header(&r, "referrer-policy").is_some(), "{path}");
        assert_eq!(
            header(&r, "content-security-policy"),
            None,
            "{path}: not a page"
        );
    }
    let tag = header(&get(shared, Method::GET, CHANNEL_FEED, &[]).await, "etag")
        .expect("etag")
        .to_string();
    let revalidated = get(
        shared,
        Method::GET,
        CHANNEL_FEED,
        &[("if-none-match", &tag)],
    )
    .await;
    assert_eq!(revalidated.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(
        header(&revalidated, "access-control-allow-origin"),
        Some("*")
    );

    let page = get(shared, Method::GET, &format!("/items/{SLUG}.html"), &[]).await;
    let csp = header(&page, "content-security-policy").expect("pages carry a CSP");
    assert!(
        csp.contains("default-src 'none'") && !csp.contains("script-src"),
        "{csp}"
    );

    let preflight = get(
        shared,
        Method::OPTIONS,
        CHANNEL_FEED,
        &[
            ("origin", "https://reader.example"),
            ("access-control-request-method", "GET"),
            ("access-control-request-headers", "if-none-match"),
        ],
    )
    .await;
    assert_eq!(preflight.status(), StatusCode::NO_CONTENT);
    assert_eq!(header(&preflight, "access-control-allow-origin"), Some("*"));
    assert_eq!(
        header(&preflight, "access-control-allow-methods"),
        Some("GET, HEAD, OPTIONS")
    );
    let allowed = header(&preflight, "access-control-allow-headers").expect("allowed headers");
    assert!(allowed.contains("If-None-Match") && allowed.contains("If-Modified-Since"));
    let health = get(shared, Method::GET, "/healthz", &[]).await;
    assert_eq!(header(&health, "access-control-allow-origin"), None);
}

#[tokio::test]
async fn archive_documents_come_from_disk_and_full_ones_are_immutable() {
    let f = fixture(december());
    let shared = &f.shared;
    let full = get(
        shared,
        Method::GET,
        "/%E6%B1%9F%E6%B5%B7/archive/1.atom",
        &[],
    )
    .await;
    assert_eq!(full.status(), StatusCode::OK);
    assert_eq!(
        header(&full, "content-type"),
        Some(crate::render::ATOM_TYPE)
    );
    let cache = header(&full, "cache-control").expect("cache-control");
    assert!(
        cache.contains("immutable") && cache.contains("max-age=604800"),
        "{cache}"
    );
    let newest = get(shared, Method::GET, "/江海/archive/2.atom", &[]).await;
    assert_eq!(newest.status(), StatusCode::OK);
    assert_eq!(header(&newest, "cache-control"), Some("public, max-age=60"));
    let body = newest.into_body();
    let bytes = http_body_util::BodyExt::collect(body)
        .await
        .expect("body")
        .to_bytes();
    assert_eq!(&bytes[..], b"<feed>2</feed>");
    for (path, status) in [
        ("/江海/archive/3.atom", StatusCode::NOT_FOUND),
        ("/江海/archive/1.rss", StatusCode::NOT_FOUND),
        ("/other/archive/0.atom", StatusCode::NOT_FOUND),
        ("/old/archive/0.rss", StatusCode::GONE),
    ] {
        assert_eq!(
            get(shared, Method::GET, path, &[]).await.status(),
            status,
            "{path}"
        );
    }
}
