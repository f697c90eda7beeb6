//! The feeds folder is the whole site: served by a plain static server
//! (nginx when installed, else Python's `http.server`), every link of the
//! index and of every feed opens, and the feeds are the daemon's bytes.

mod common;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{items, request, Daemon, Dirs, PATIENCE};

const MD_NOTE: &str = "---\ntitle: Council notes\ndate: 2024-03-05\nauthors: [Ann Lee]\n---\n\n# Library opens on Sundays\n\nFrom April the central library opens on Sundays.\n\n# Bridge works finish early\n\nThe river bridge reopens a week ahead of plan.\n";

/// A static file server on a folder; killed when dropped.
struct StaticServer {
    child: Child,
    addr: SocketAddr,
    _dir: tempfile::TempDir,
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn nginx() -> Option<&'static str> {
    ["/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx"]
        .into_iter()
        .find(|p| Path::new(p).exists())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn serve_static(root: &Path) -> StaticServer {
    let dir = tempfile::tempdir().expect("tempdir");
    if let Some(nginx) = nginx() {
        let port = free_port();
        let conf = dir.path().join("nginx.conf");
        std::fs::write(
            &conf,
            format!(
                "daemon off; master_process off; pid {pid}; error_log stderr;\n\
                 events {{}}\n\
                 http {{ access_log off;\n\
                   client_body_temp_path {tmp}; proxy_temp_path {tmp}; fastcgi_temp_path {tmp};\n\
                   uwsgi_temp_path {tmp}; scgi_temp_path {tmp};\n\
                   types {{ text/html html; application/rss+xml rss; application/atom+xml atom;\n\
                           application/feed+json json; }}\n\
                   server {{ listen 127.0.0.1:{port}; root {root}; index index.html; }} }}\n",
                pid = dir.path().join("nginx.pid").display(),
                tmp = dir.path().display(),
                root = root.display(),
            ),
        )
        .expect("nginx.conf");
        let child = Command::new(nginx)
            .arg("-c")
            .arg(&conf)
            .arg("-p")
            .arg(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start nginx");
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().expect("addr");
        wait_listening(addr);
        return StaticServer {
            child,
            addr,
            _dir: dir,
        };
    }
    let mut child = Command::new("python3")
        .args([
            "-u",
            "-m",
            "http.server",
            "--bind",
            "127.0.0.1",
            "0",
            "--directory",
        ])
        .arg(root)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("neither nginx nor python3 is installed: the static-mirror test needs one");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("python's first line");
    let port: u16 = line
        .split("port ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("unexpected http.server line {line:?}"));
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().expect("addr");
    wait_listening(addr);
    StaticServer {
        child,
        addr,
        _dir: dir,
    }
}

fn wait_listening(addr: SocketAddr) {
    let deadline = Instant::now() + PATIENCE;
    while std::net::TcpStream::connect(addr).is_err() {
        assert!(
            Instant::now() < deadline,
            "static server did not start on {addr}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Every `href="…"` and `<link>…</link>` / `"url": "…"` value in a document.
fn links(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (open, close) in [
        ("href=\"", "\""),
        ("<link>", "</link>"),
        ("\"url\":\"", "\""),
    ] {
        let mut rest = text;
        while let Some(start) = rest.find(open) {
            rest = &rest[start + open.len()..];
            if let Some(end) = rest.find(close) {
                out.push(rest[..end].replace("&amp;", "&"));
                rest = &rest[end..];
            }
        }
    }
    out
}

#[test]
fn a_static_server_of_the_feeds_folder_serves_the_same_site_without_broken_links() {
    let dirs = Dirs::new();
    dirs.drop_file("2022-12-09-jianghai-page.txt", &common::sample_page());
    dirs.drop_file("council/notes.md", MD_NOTE.as_bytes());
    let d = Daemon::start(&dirs);
    d.wait_json("/feed.json", "eight items", |f| items(f).len() == 8);
    let base = format!("http://{}/", d.addr);
    // The feeds folder catches up once the ingest queue is idle.
    let served = d.get("/feed.json").body;
    common::wait_until("the feeds folder", || {
        std::fs::read(dirs.feeds().join("feed.json")).is_ok_and(|m| m == served)
            && dirs.feeds().join("feed.json.br").exists()
    });
    let mirror = serve_static(&dirs.feeds());
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut queue = vec![
        "/".to_string(),
        "/feed.rss".into(),
        "/feed.atom".into(),
        "/feed.json".into(),
    ];
    while let Some(path) = queue.pop() {
        if !seen.insert(path.clone()) {
            continue;
        }
        let r = request(mirror.addr, "GET", &path, &[]);
        assert_eq!(
            r.status, 200,
            "the static mirror answers {} for {path}",
            r.status
        );
        if path.ends_with(".rss")
            || path.ends_with(".atom")
            || path.ends_with(".json")
            || path == "/"
        {
            let live = d.get(&path);
            assert_eq!(r.body, live.body, "{path}: the mirror holds other bytes");
            for link in links(&r.text()) {
                // The WebSub hub is the daemon's endpoint (POST), not a
                // document of the folder: a mirror proxies it to the daemon.
                if let Some(rest) = link.strip_prefix(&base).filter(|r| *r != "websub") {
                    queue.push(format!("/{rest}"));
                }
            }
        }
    }
    let pages = seen.iter().filter(|p| p.starts_with("/items/")).count();
    assert_eq!(pages, 8, "every item page was followed: {seen:?}");
    assert!(seen.contains("/council/feed.atom"), "{seen:?}");
}
