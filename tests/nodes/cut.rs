//! A node cut off from the database, and one started while it is down:
//! each serves its last snapshot, reports degraded, and catches up.

use std::time::{Duration, Instant};

use super::common::{self, Daemon, Dirs};
use super::{distinct, node_dirs, note, served, start, until_all_have, Database, Histories};

/// A TCP relay to the PostgreSQL server that can be cut (every connection
/// closed, new ones refused) and restored.
struct Relay {
    addr: std::net::SocketAddr,
    cut: std::sync::Arc<std::sync::atomic::AtomicBool>,
    open: std::sync::Arc<std::sync::Mutex<Vec<std::net::TcpStream>>>,
}

impl Relay {
    fn to(server: std::net::SocketAddr) -> Relay {
        use std::sync::atomic::Ordering;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind relay");
        let addr = listener.local_addr().expect("relay address");
        let relay = Relay {
            addr,
            cut: Default::default(),
            open: Default::default(),
        };
        let (cut, open) = (relay.cut.clone(), relay.open.clone());
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                if cut.load(Ordering::SeqCst) {
                    continue; // dropped: refused
                }
                let Ok(upstream) = std::net::TcpStream::connect(server) else {
                    continue;
                };
                let mut guard = open.lock().expect("relay lock");
                for (from, to) in [(&client, &upstream), (&upstream, &client)] {
                    let (mut from, mut to) = (
                        from.try_clone().expect("clone"),
                        to.try_clone().expect("clone"),
                    );
                    std::thread::spawn(move || {
                        let _ = std::io::copy(&mut from, &mut to);
                        let _ = to.shutdown(std::net::Shutdown::Both);
                    });
                }
                guard.push(client);
                guard.push(upstream);
            }
        });
        relay
    }

    fn cut(&self) {
        self.cut.store(true, std::sync::atomic::Ordering::SeqCst);
        for stream in self.open.lock().expect("relay lock").drain(..) {
            let _ = stream.shutdown(std::net::Shutdown::Both);
        }
    }

    fn restore(&self) {
        self.cut.store(false, std::sync::atomic::Ordering::SeqCst);
    }
}

/// A relay to the server of `direct`, and the URL through it.
fn relay_to(direct: &str) -> (Relay, String) {
    let server_url = url::Url::parse(direct).expect("url");
    let host = server_url.host_str().unwrap_or("127.0.0.1");
    let port = server_url.port().unwrap_or(5432);
    let server = std::net::ToSocketAddrs::to_socket_addrs(&(host, port))
        .expect("resolve")
        .next()
        .expect("an address");
    let relay = Relay::to(server);
    let mut relayed = server_url.clone();
    relayed.set_host(Some("127.0.0.1")).expect("host");
    relayed.set_port(Some(relay.addr.port())).expect("port");
    (relay, relayed.to_string())
}

/// An ingest node on the database and a follower reaching it through a
/// relay, on one inbox.
struct Pair {
    _db: Database,
    relay: Relay,
    relayed: String,
    shared: Dirs,
    a: Daemon,
    b_dirs: Dirs,
    b: Daemon,
}

impl Pair {
    fn start() -> Pair {
        let db = Database::create();
        let direct = db.url();
        let (relay, relayed) = relay_to(&direct);
        let shared = Dirs::new();
        let a = start(&shared, &direct);
        common::wait_until("the first node holds ingest", || {
            a.metric("bulletind_ingest_node") == Some(1)
        });
        let b_dirs = node_dirs(&shared);
        let b = start(&b_dirs, &relayed);
        Pair {
            _db: db,
            relay,
            relayed,
            shared,
            a,
            b_dirs,
            b,
        }
    }
}

#[test]
#[ignore = "needs PostgreSQL: BULLETIND_TEST_PG=postgres://… cargo test -- --ignored postgres"]
fn postgres_a_node_cut_off_from_the_database_serves_its_snapshot_and_catches_up() {
    let Pair {
        _db,
        relay,
        relayed: _relayed,
        shared,
        a,
        b_dirs: _b_dirs,
        b,
    } = Pair::start();
    let mut histories = Histories(vec![Vec::new(); 2]);
    shared.drop_file(
        "one.md",
        &note("Before the cut", &distinct(1, "the budget")),
    );
    until_all_have(&[&a, &b], &mut histories, "Before the cut", true);
    let before = served(&b, "/feed.json");

    relay.cut();
    common::wait_until("the cut-off node reports degraded", || {
        b.metric("bulletind_store_degraded") == Some(1)
    });
    let health = b.get("/healthz");
    assert_eq!(health.status, 200, "still serving");
    assert!(health.text().starts_with("degraded"), "{}", health.text());
    shared.drop_file("two.md", &note("During the cut", &distinct(2, "the roads")));
    a.wait_for("/feed.json", "the ingest node has the new note", |r| {
        r.text().contains("During the cut")
    });
    std::thread::sleep(Duration::from_millis(500));
    // The same bytes and ETag (its Last-Modified may appear meanwhile: one
    // set ahead of the clock is sent once its second has come).
    let now = served(&b, "/feed.json");
    let body = String::from_utf8_lossy(&now.1).into_owned();
    assert!(!body.contains("During the cut"), "{body}");
    assert_eq!((now.0, &now.1, &now.2), (before.0, &before.1, &before.2));
    assert_eq!(a.metric("bulletind_ingest_node"), Some(1));

    relay.restore();
    let started = Instant::now();
    until_all_have(&[&a, &b], &mut histories, "During the cut", true);
    println!(
        "caught up {:?} after the database came back",
        started.elapsed()
    );
    common::wait_until("degraded clears", || {
        b.metric("bulletind_store_degraded") == Some(0)
    });
    assert_eq!(b.get("/healthz").text(), "ok\n");
}

#[test]
#[ignore = "needs PostgreSQL: BULLETIND_TEST_PG=postgres://… cargo test -- --ignored postgres"]
fn postgres_a_node_restarted_while_the_database_is_down_serves_its_snapshot_and_catches_up() {
    let Pair {
        _db,
        relay,
        relayed,
        shared,
        a,
        b_dirs,
        b,
    } = Pair::start();
    let mut histories = Histories(vec![Vec::new(); 2]);
    shared.drop_file(
        "one.md",
        &note("Before the restart", &distinct(1, "the parks")),
    );
    until_all_have(&[&a, &b], &mut histories, "Before the restart", true);
    let paths = ["/feed.json", "/feed.atom", "/feed.rss", "/"];
    let before: Vec<_> = paths.iter().map(|p| served(&b, p)).collect();
    // Written into its feeds folder, with its compressed copies, when its
    // queue is idle: wait for the folder's account of that snapshot.
    common::wait_until("the snapshot with its copies in the feeds folder", || {
        mirrored_with_copies(&b_dirs, &paths, &before)
    });
    let (status, _) = b.stop();
    assert!(status.success());

    relay.cut();
    let b = start(&b_dirs, &relayed);
    for (path, was) in paths.iter().zip(&before) {
        let now = served(&b, path);
        assert_eq!((&now.0, &now.1, &now.2), (&was.0, &was.1, &was.2), "{path}");
    }
    let health = b.get("/healthz");
    assert_eq!(health.status, 200, "serving");
    assert!(health.text().starts_with("degraded"), "{}", health.text());
    assert_eq!(b.metric("bulletind_store_degraded"), Some(1));
    let gzip = common::request(b.addr, "GET", "/feed.json", &[("Accept-Encoding", "gzip")]);
    assert_eq!(gzip.header("content-encoding"), Some("gzip"));
    shared.drop_file(
        "two.md",
        &note("While it was down", &distinct(2, "the pools")),
    );
    a.wait_for("/feed.json", "the ingest node has the new note", |r| {
        r.text().contains("While it was down")
    });

    relay.restore();
    let started = Instant::now();
    let mut histories = Histories(vec![Vec::new(); 2]);
    until_all_have(&[&a, &b], &mut histories, "While it was down", true);
    println!(
        "restarted node caught up {:?} after the database came back",
        started.elapsed()
    );
    common::wait_until("degraded clears", || {
        b.metric("bulletind_store_degraded") == Some(0)
    });
    assert_eq!(b.metric("bulletind_ingest_node"), Some(0));
    assert_eq!(b.get("/healthz").text(), "ok\n");
}

/// Whether `dirs`' feeds folder accounts for each of `paths` at the ETag
/// it was `served` with, gzip copy included.
fn mirrored_with_copies(dirs: &Dirs, paths: &[&str], served: &[super::Served]) -> bool {
    let Ok(bytes) = std::fs::read(dirs.feeds().join(".bulletind-snapshot")) else {
        return false;
    };
    let Ok(manifest) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        return false;
    };
    let Some(hot) = manifest["hot"].as_array() else {
        return false;
    };
    paths.iter().zip(served).all(|(path, (_, _, etag, _))| {
        hot.iter().any(|entry| {
            let etag_hex = entry["etag"].as_str().unwrap_or("-");
            entry["path"] == *path
                && etag.as_deref().is_some_and(|e| e.contains(etag_hex))
                && entry["copies"]
                    .as_str()
                    .is_some_and(|c| c.contains("gzip="))
        })
    })
}
