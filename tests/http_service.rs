//! `http::serve` over real loopback sockets: a hand-built `Published`
//! snapshot, a tiny blocking HTTP/1.1 client on `std::net::TcpStream`, and
//! checks of 200 / 304 / HEAD / gzip / 404 / traversal / 405, keep-alive,
//! the header-read timeout, the connection limit and shutdown.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bulletind::http::{serve, HttpOptions};
use bulletind::metrics::Metrics;
use bulletind::model::{Article, Author, Block, Item, Role};
use bulletind::render::{
    feed_path, render_feed, render_index, utc_time, Codings, Entity, Format, Latest, Published,
    Site, HTML_TYPE,
};
use chrono::DateTime;
use tokio::sync::{oneshot, watch};

/// Bound for every socket read in these tests, so a bug hangs nothing.
const IO_TIMEOUT: Duration = Duration::from_secs(5);

fn site(port: u16) -> Site {
    Site {
        title: "江门日报".into(),
        description: "Jianghai district news".into(),
        language: "zh-CN".into(),
        author: None,
        base_url: format!("http://127.0.0.1:{port}/"),
        ..Site::default()
    }
}

fn items() -> Vec<Item> {
    let article = |title: &str, body: &str| Article {
        title: title.into(),
        authors: vec![
            Author {
                name: "陈婵".into(),
                role: Role::Reporter,
            },
            Author {
                name: "黄雅玲".into(),
                role: Role::Correspondent,
            },
        ],
        section: Some("要闻".into()),
        blocks: vec![Block::Paragraph(body.repeat(20))],
        ..Article::default()
    };
    let date = |s: &str| DateTime::parse_from_rfc3339(s).expect("valid test date");
    vec![
        Item {
            id: "tag:127.0.0.1,2022-12-09:b".into(),
            slug: "b".into(),
            channel: "江海".into(),
            article: article(
                "人大代表到社区听民声解民忧",
                "近日，区人大常委会组织代表视察。",
            ),
            published: date("2022-12-09T10:00:00+08:00"),
            updated: date("2022-12-09T10:00:00+08:00"),
            date_only: false,
        },
        Item {
            id: "tag:127.0.0.1,2022-12-09:a".into(),
            slug: "a".into(),
            channel: "江海".into(),
            article: article("<script>alert(1)</script> & ]]>", "为深入学习宣传贯彻。"),
            published: date("2022-12-09T08:00:00+08:00"),
            updated: date("2022-12-09T08:00:00+08:00"),
            date_only: false,
        },
    ]
}

fn publish(site: &Site) -> Published {
    let items = items();
    let mut entities = HashMap::new();
    for channel in ["", "江海"] {
        for format in Format::ALL {
            let bytes = render_feed(site, channel, &items, format, utc_time(MODIFIED))
                .expect("feed renders");
            let entity = Entity::new(format.content_type(), bytes, system_time(), Codings::All);
            entities.insert(feed_path(channel, format), Arc::new(entity));
        }
    }
    let index = render_index(site, &[("江海".to_string(), items.len())], &items);
    entities.insert(
        "/".to_string(),
        Arc::new(Entity::new(HTML_TYPE, index, system_time(), Codings::All)),
    );
    Published {
        entities,
        gone: Arc::default(),
        archives: Arc::default(),
    }
}

/// When the test documents last changed.
const MODIFIED: i64 = 1_670_544_000;

fn system_time() -> std::time::SystemTime {
    std::time::SystemTime::UNIX_EPOCH + Duration::from_secs(MODIFIED as u64)
}

/// A running server on its own runtime.
struct Server {
    addr: SocketAddr,
    published: Arc<Published>,
    stop: Option<oneshot::Sender<()>>,
    done: Option<std::sync::mpsc::Receiver<std::io::Result<()>>>,
    _runtime: tokio::runtime::Runtime,
}

impl Server {
    fn start(max_connections: usize, header_read_timeout: Duration) -> Server {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        let published = Arc::new(publish(&site(addr.port())));
        let latest = Latest::new(Arc::clone(&published));
        let (stop, stopped) = oneshot::channel::<()>();
        let (done_tx, done) = std::sync::mpsc::channel();
        let opts = HttpOptions {
            max_age: 60,
            max_connections,
            header_read_timeout,
            drain_timeout: Duration::from_secs(2),
            feeds_dir: std::env::temp_dir().join("bulletind-http-service-no-pages"),
            hub: None,
        };
        let (_health_tx, health) = watch::channel(None);
        runtime.spawn(async move {
            let _keep_sender = _health_tx;
            let result = serve(
                listener,
                latest,
                Arc::new(Metrics::default()),
                health,
                opts,
                async {
                    let _ = stopped.await;
                },
            )
            .await;
            let _ = done_tx.send(result);
        });
        Server {
            addr,
            published,
            stop: Some(stop),
            done: Some(done),
            _runtime: runtime,
        }
    }

    fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(self.addr).expect("connect");
        stream.set_read_timeout(Some(IO_TIMEOUT)).expect("timeout");
        stream
    }

    /// One request on a fresh connection (`Connection: close`).
    fn request(&self, method: &str, target: &str, headers: &[(&str, &str)]) -> Response {
        let mut stream = self.connect();
        send(&mut stream, method, target, headers, true);
        read_response(&mut BufReader::new(&mut stream), method == "HEAD")
    }

    fn body_of(&self, path: &str) -> Vec<u8> {
        self.published.entities[path].identity().body.to_vec()
    }

    /// Signals shutdown and waits (bounded) for `serve` to return.
    fn shut_down(&mut self) -> Duration {
        let started = Instant::now();
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let done = self.done.take().expect("not yet shut down");
        done.recv_timeout(Duration::from_secs(10))
            .expect("serve returned after shutdown")
            .expect("serve returned Ok");
        started.elapsed()
    }
}

#[derive(Debug)]
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn send(stream: &mut TcpStream, method: &str, target: &str, headers: &[(&str, &str)], close: bool) {
    let mut request = format!("{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    if close {
        request.push_str("Connection: close\r\n");
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).expect("send request");
}

/// Reads one response; the body by Content-Length (none for HEAD and 304).
fn read_response<R: BufRead>(reader: &mut R, head: bool) -> Response {
    let mut line = String::new();
    reader.read_line(&mut line).expect("status line");
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line {line:?}"));
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).expect("header line");
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':').expect("header has a colon");
        headers.push((name.trim().to_string(), value.trim().to_string()));
    }
    let mut response = Response {
        status,
        headers,
        body: Vec::new(),
    };
    if !head && status != 304 && status != 204 {
        let length: usize = response
            .header("content-length")
            .and_then(|v| v.parse().ok())
            .expect("content-length on responses with a body");
        response.body = vec![0; length];
        reader.read_exact(&mut response.body).expect("body");
    }
    response
}

/// After a response with `Connection: close`: nothing more arrives.
fn assert_nothing_follows(stream: &mut TcpStream) {
    let mut rest = Vec::new();
    stream.read_to_end(&mut rest).expect("read to close");
    assert!(
        rest.is_empty(),
        "unexpected bytes after the response: {rest:?}"
    );
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("valid gzip");
    out
}

fn server() -> Server {
    Server::start(64, Duration::from_secs(5))
}

#[test]
fn get_serves_prepared_bytes_with_validators() {
    let server = server();
    for (target, path, media) in [
        (
            "/feed.rss",
            "/feed.rss",
            "application/rss+xml; charset=utf-8",
        ),
        (
            "/feed.atom",
            "/feed.atom",
            "application/atom+xml; charset=utf-8",
        ),
        (
            "/feed.json",
            "/feed.json",
            "application/feed+json; charset=utf-8",
        ),
        (
            "/%E6%B1%9F%E6%B5%B7/feed.rss",
            "/江海/feed.rss",
            "application/rss+xml; charset=utf-8",
        ),
        ("/", "/", "text/html; charset=utf-8"),
    ] {
        let r = server.request("GET", target, &[]);
        assert_eq!(r.status, 200, "{target}");
        assert_eq!(r.body, server.body_of(path), "{target}");
        assert_eq!(r.header("content-type"), Some(media), "{target}");
        assert_eq!(
            r.header("etag"),
            server.published.entities[path]
                .identity()
                .etag
                .to_str()
                .ok()
        );
        assert_eq!(r.header("cache-control"), Some("public, max-age=60"));
        assert_eq!(r.header("vary"), Some("accept-encoding"));
        assert_eq!(
            r.header("content-length"),
            Some(r.body.len().to_string().as_str())
        );
        assert!(r.header("date").is_some(), "{target}: hyper's Date");
        assert_eq!(r.header("content-encoding"), None);
    }
    let rss = server.request("GET", "/feed.rss", &[]);
    assert_eq!(
        rss.header("last-modified"),
        Some("Fri, 09 Dec 2022 00:00:00 GMT"),
        "the time the document last changed"
    );
}

#[test]
fn conditional_requests_get_304_without_body() {
    let server = server();
    let first = server.request("GET", "/feed.atom", &[]);
    let etag = first.header("etag").expect("etag").to_string();
    let modified = first
        .header("last-modified")
        .expect("last-modified")
        .to_string();
    let weak = format!("W/{etag}");
    let list = format!("\"nope\", {etag}");
    for headers in [
        vec![("If-None-Match", etag.as_str())],
        vec![("If-None-Match", weak.as_str())],
        vec![("If-None-Match", list.as_str())],
        vec![("If-None-Match", "*")],
        vec![("If-Modified-Since", modified.as_str())],
    ] {
        let mut stream = server.connect();
        send(&mut stream, "GET", "/feed.atom", &headers, true);
        let r = read_response(&mut BufReader::new(&mut stream), false);
        assert_eq!(r.status, 304, "{headers:?}");
        for name in ["etag", "cache-control", "vary", "last-modified"] {
            assert_eq!(
                r.header(name),
                first.header(name),
                "{name} on 304 for {headers:?}"
            );
        }
        assert!(r.header("date").is_some());
        // CORS, for a web reader revalidating itself; nothing that
        // describes content it does not carry (the cache keeps the 200's).
        assert_eq!(r.header("access-control-allow-origin"), Some("*"));
        assert_eq!(first.header("x-content-type-options"), Some("nosniff"));
        for name in ["x-content-type-options", "referrer-policy", "content-type"] {
            assert_eq!(r.header(name), None, "{name} on 304 for {headers:?}");
        }
        assert_nothing_follows(&mut stream);
    }
    // A non-matching If-None-Match wins over a matching If-Modified-Since.
    let r = server.request(
        "GET",
        "/feed.atom",
        &[
            ("If-None-Match", "\"nope\""),
            ("If-Modified-Since", &modified),
        ],
    );
    assert_eq!((r.status, r.body.len()), (200, first.body.len()));
    let r = server.request(
        "GET",
        "/feed.atom",
        &[("If-Modified-Since", "Thu, 08 Dec 2022 00:00:00 GMT")],
    );
    assert_eq!(r.status, 200);
}

#[test]
fn head_has_get_headers_and_no_body() {
    let server = server();
    let get = server.request("GET", "/feed.json", &[]);
    let mut stream = server.connect();
    send(&mut stream, "HEAD", "/feed.json", &[], true);
    let head = read_response(&mut BufReader::new(&mut stream), true);
    assert_eq!(head.status, 200);
    for name in [
        "content-type",
        "content-length",
        "etag",
        "last-modified",
        "cache-control",
        "vary",
    ] {
        assert_eq!(head.header(name), get.header(name), "{name}");
    }
    assert_nothing_follows(&mut stream);
}

#[test]
fn every_coding_decodes_to_the_identity_bytes_and_revalidates_by_any_etag() {
    let server = server();
    let plain = server.request("GET", "/feed.rss", &[]);
    let mut tags = Vec::new();
    for (accept, coding) in [
        ("gzip", "gzip"),
        ("br", "br"),
        ("zstd", "zstd"),
        ("gzip, br, zstd", "br"),
    ] {
        let r = server.request("GET", "/feed.rss", &[("Accept-Encoding", accept)]);
        assert_eq!(r.status, 200, "{accept}");
        assert_eq!(r.header("content-encoding"), Some(coding), "{accept}");
        assert_eq!(r.header("vary"), Some("accept-encoding"));
        assert_eq!(
            decode(coding, &r.body),
            plain.body,
            "{coding} decodes to the identity bytes"
        );
        assert!(r.body.len() < plain.body.len());
        let tag = r.header("etag").expect("etag").to_string();
        assert_ne!(Some(tag.as_str()), plain.header("etag"));
        tags.push(tag);
    }
    tags.push(plain.header("etag").expect("etag").to_string());
    // Any coding's ETag of the current version revalidates, in any coding.
    for tag in &tags {
        for accept in ["gzip", "br", "zstd", "identity"] {
            let r = server.request(
                "GET",
                "/feed.rss",
                &[("Accept-Encoding", accept), ("If-None-Match", tag)],
            );
            assert_eq!(r.status, 304, "{accept} with {tag}");
            assert_eq!(
                r.header("etag"),
                Some(tag.as_str()),
                "the ETag the client holds"
            );
        }
    }
    for (accept, want) in [
        ("gzip;q=0", None),
        ("br;q=0, gzip", Some("gzip")),
        ("*;q=0, identity", None),
        ("*;q=0", None),
        ("compress", None),
        ("zstd;q=0.5, br;q=0.4", Some("zstd")),
    ] {
        let r = server.request("GET", "/feed.rss", &[("Accept-Encoding", accept)]);
        assert_eq!(r.header("content-encoding"), want, "{accept}");
        assert_eq!(decode(want.unwrap_or("identity"), &r.body), plain.body);
    }
}

fn decode(coding: &str, bytes: &[u8]) -> Vec<u8> {
    match coding {
        "gzip" => gunzip(bytes),
        "br" => {
            let mut out = Vec::new();
            brotli::BrotliDecompress(&mut &bytes[..], &mut out).expect("valid brotli");
            out
        }
        "zstd" => zstd::stream::decode_all(bytes).expect("valid zstd"),
        _ => bytes.to_vec(),
    }
}

#[test]
fn unknown_traversal_and_bad_paths_are_refused() {
    let server = server();
    for target in [
        "/no-such-path",
        "/feed.xml",
        "/../../../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/feed.rss/..%2f..%2f..%2fetc%2fpasswd",
        "/%252e%252e/%252e%252e/etc/passwd",
        "/..%5c..%5cetc%5cpasswd",
        "/....//....//etc/passwd",
        "/items/%00",
        "/bad%zz",
        "/%FF",
    ] {
        let r = server.request("GET", target, &[]);
        assert!((400..500).contains(&r.status), "{target} -> {}", r.status);
        assert!(
            !String::from_utf8_lossy(&r.body).contains("root:"),
            "{target}"
        );
    }
    assert_eq!(server.request("GET", "/no-such-path", &[]).status, 404);
}

#[test]
fn other_methods_get_405_with_allow() {
    let server = server();
    for method in ["POST", "PUT", "DELETE", "PATCH"] {
        let r = server.request(method, "/feed.rss", &[("Content-Length", "0")]);
        assert_eq!(r.status, 405, "{method}");
        assert_eq!(r.header("allow"), Some("GET, HEAD, OPTIONS"), "{method}");
    }
    // OPTIONS says what is allowed (and answers CORS preflights).
    let r = server.request("OPTIONS", "/feed.rss", &[]);
    assert_eq!(r.status, 204);
    assert_eq!(r.header("allow"), Some("GET, HEAD, OPTIONS"));
}

#[test]
fn health_and_metrics() {
    let server = server();
    let health = server.request("GET", "/healthz", &[]);
    assert_eq!((health.status, health.body.as_slice()), (200, &b"ok\n"[..]));
    server.request("GET", "/feed.rss", &[]);
    server.request("GET", "/nothing", &[]);
    let metrics = server.request("GET", "/metrics", &[]);
    assert_eq!(
        metrics.header("content-type"),
        Some("text/plain; version=0.0.4")
    );
    let text = String::from_utf8(metrics.body).expect("utf-8");
    // healthz and feed.rss are counted before /metrics renders its body.
    assert!(
        text.contains("bulletind_http_responses_total{status=\"200\"} 2"),
        "{text}"
    );
    assert!(
        text.contains("bulletind_http_responses_total{status=\"other\"} 1"),
        "{text}"
    );
}

#[test]
fn keep_alive_serves_several_requests_on_one_connection() {
    let server = server();
    let mut stream = server.connect();
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    for target in ["/feed.rss", "/feed.atom", "/healthz"] {
        send(&mut stream, "GET", target, &[], false);
        let r = read_response(&mut reader, false);
        assert_eq!(r.status, 200, "{target}");
    }
}

#[test]
fn slow_clients_are_cut_off_by_the_header_read_timeout() {
    let server = Server::start(64, Duration::from_millis(300));
    let mut stream = server.connect();
    stream
        .write_all(b"GET /feed.rss HTTP/1.1\r\nHost: x\r\n")
        .expect("partial head");
    let started = Instant::now();
    let mut rest = Vec::new();
    // hyper may answer 408 before closing; either way the connection ends.
    let _ = stream.read_to_end(&mut rest);
    let waited = started.elapsed();
    assert!(
        waited < Duration::from_secs(3),
        "connection held for {waited:?}"
    );
    assert!(
        waited >= Duration::from_millis(200),
        "closed too early: {waited:?}"
    );

    // A connection that never sends a byte is closed as well, and so is an
    // idle keep-alive connection after its last response.
    let mut silent = server.connect();
    let started = Instant::now();
    let _ = silent.read_to_end(&mut rest);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "silent connection held"
    );
    let mut idle = server.connect();
    send(&mut idle, "GET", "/healthz", &[], false);
    let mut reader = BufReader::new(idle.try_clone().expect("clone"));
    assert_eq!(read_response(&mut reader, false).status, 200);
    let started = Instant::now();
    let mut after = Vec::new();
    let _ = reader.read_to_end(&mut after);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "idle keep-alive connection held"
    );
}

#[test]
fn over_the_connection_limit_clients_are_refused() {
    let server = Server::start(1, Duration::from_secs(5));
    let mut first = server.connect();
    send(&mut first, "GET", "/healthz", &[], false);
    let mut first_reader = BufReader::new(first.try_clone().expect("clone"));
    assert_eq!(read_response(&mut first_reader, false).status, 200);

    // Closed at once, with not one byte of a response.
    let mut second = server.connect();
    let started = Instant::now();
    send(&mut second, "GET", "/healthz", &[], true);
    let mut got = Vec::new();
    let _ = second.read_to_end(&mut got);
    assert!(got.is_empty(), "refused connection got {got:?}");
    assert!(started.elapsed() < Duration::from_secs(2), "refusal waited");

    drop(first_reader);
    drop(first);
    // Once the slot is free, the next client is served, and the refusal
    // was counted.
    let deadline = Instant::now() + IO_TIMEOUT;
    let metrics = loop {
        let mut third = server.connect();
        send(&mut third, "GET", "/metrics", &[], true);
        let mut response = Vec::new();
        let _ = third.read_to_end(&mut response);
        if response.starts_with(b"HTTP/1.1 200") {
            break String::from_utf8_lossy(&response).into_owned();
        }
        assert!(Instant::now() < deadline, "never served again");
        std::thread::sleep(Duration::from_millis(20));
    };
    let refused: u64 = metrics
        .lines()
        .find_map(|l| l.strip_prefix("bulletind_http_connections_refused_total "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    assert!(refused >= 1, "{metrics}");
}

#[test]
fn serve_returns_after_shutdown_and_stops_accepting() {
    let mut server = server();
    // An idle keep-alive connection must not hold the drain open.
    let mut idle = server.connect();
    send(&mut idle, "GET", "/feed.rss", &[], false);
    let mut reader = BufReader::new(idle.try_clone().expect("clone"));
    assert_eq!(read_response(&mut reader, false).status, 200);

    let took = server.shut_down();
    assert!(took < Duration::from_secs(2), "shutdown took {took:?}");
    let mut rest = Vec::new();
    let _ = reader.read_to_end(&mut rest);
    assert!(rest.is_empty());
    assert!(
        TcpStream::connect(server.addr).is_err(),
        "still accepting after shutdown"
    );
}
