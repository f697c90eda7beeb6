//! WebSub across nodes: a subscription verified by any node is kept in the
//! shared database, and every change is pushed to it once, by the node
//! that runs ingest, also after another node took over.

use std::time::{Duration, Instant};

use super::common::{self, Daemon, Dirs};
use super::subscriber::Subscriber;
use super::{distinct, node_dirs, note, start_config, Database, BASE};

const WEBSUB: &str =
    "[websub]\nallow_private_callbacks = true\nretry_base_ms = 100\ntimeout_ms = 20000\n";

/// Active subscriptions of `path` on `node`, from `/metrics`.
fn active(node: &Daemon, path: &str) -> u64 {
    node.metric(&format!(
        "bulletind_websub_subscriptions{{topic=\"{path}\"}}"
    ))
    .unwrap_or(0)
}

/// POSTs a subscribe request for `callback` to `node`.
fn subscribe(node: &Daemon, topic: &str, callback: &str) -> u16 {
    let body = form_urlencoded::Serializer::new(String::new())
        .append_pair("hub.mode", "subscribe")
        .append_pair("hub.topic", topic)
        .append_pair("hub.callback", callback)
        .append_pair("hub.lease_seconds", "3600")
        .finish();
    let length = body.len().to_string();
    let r = common::request_body(
        node.addr,
        "POST",
        "/websub",
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Content-Length", &length),
        ],
        body.as_bytes(),
    );
    r.status
}

/// Waits until `sub` has `n` deliveries, then a while longer, and returns
/// them all: a second node delivering too would show as more than `n`.
fn deliveries_settled(sub: &Subscriber, n: usize) -> Vec<super::subscriber::Delivery> {
    sub.wait_deliveries(n, Duration::from_secs(5));
    std::thread::sleep(Duration::from_millis(1500));
    sub.deliveries()
}

/// Which notes each delivered feed holds, for messages.
fn titles(got: &[super::subscriber::Delivery]) -> Vec<String> {
    got.iter()
        .map(|d| {
            let body = String::from_utf8_lossy(&d.body);
            ["Second", "Owed", "Third"]
                .into_iter()
                .filter(|t| body.contains(&format!("{t} note")))
                .collect::<Vec<_>>()
                .join("+")
        })
        .collect()
}

#[test]
#[ignore = "needs PostgreSQL: BULLETIND_TEST_PG=postgres://… cargo test -- --ignored postgres"]
fn postgres_a_subscription_made_on_any_node_is_pushed_once_by_the_ingest_node() {
    let db = Database::create();
    let url = db.url();
    let shared = Dirs::new();
    shared.drop_file("first.md", &note("Opening note", &distinct(0, "the fair")));
    let mut a = start_config(&shared, &url, WEBSUB);
    common::wait_until("the first node holds ingest", || {
        a.metric("bulletind_ingest_node") == Some(1)
    });
    a.wait_for("/feed.atom", "the opening note", |r| {
        r.text().contains("Opening note")
    });
    let b_dirs = node_dirs(&shared);
    let b = start_config(&b_dirs, &url, WEBSUB);
    b.wait_for("/feed.atom", "the follower serves", |r| r.status == 200);
    assert_eq!(b.metric("bulletind_ingest_node"), Some(0));

    // Verified by the follower, known to the ingest node's hub.
    let sub = Subscriber::start();
    let topic = format!("{BASE}feed.atom");
    assert_eq!(subscribe(&b, &topic, &sub.callback("one")), 202);
    common::wait_until("both hubs hold the subscription", || {
        active(&a, "/feed.atom") == 1 && active(&b, "/feed.atom") == 1
    });
    assert_eq!(sub.verifications().len(), 1, "verified once");

    // One push per change, from the ingest node only.
    shared.drop_file("second.md", &note("Second note", &distinct(1, "the roads")));
    let got = deliveries_settled(&sub, 1);
    assert_eq!(got.len(), 1, "pushed once");
    assert!(String::from_utf8_lossy(&got[0].body).contains("Second note"));

    // A push the ingest node could not finish (its subscriber hangs) when
    // it dies is made by the node taking over, which pushes the next change
    // too, and nothing for the takeover itself: the feed is the same.
    sub.hang(true);
    shared.drop_file("owed.md", &note("Owed note", &distinct(2, "the tolls")));
    b.wait_for("/feed.atom", "the owed note", |r| {
        r.text().contains("Owed note")
    });
    std::thread::sleep(Duration::from_millis(300));
    let before = b.get("/feed.atom");
    sub.hang(false);
    a.child.kill().expect("kill -9");
    let killed = Instant::now();
    let _ = a.child.wait();
    common::wait_until("the follower took over", || {
        b.metric("bulletind_ingest_node") == Some(1)
    });
    let got = deliveries_settled(&sub, 2);
    assert_eq!(got.len(), 2, "the owed push, once: {:?}", titles(&got));
    assert!(String::from_utf8_lossy(&got[1].body).contains("Owed note"));
    println!(
        "owed push made by the new ingest node {:?} after the kill",
        got[1].at.duration_since(killed)
    );
    let after = b.get("/feed.atom");
    assert_eq!(after.text(), before.text());
    assert_eq!(after.header("etag"), before.header("etag"));

    let dropped = Instant::now();
    shared.drop_file("third.md", &note("Third note", &distinct(3, "the harbour")));
    let got = deliveries_settled(&sub, 3);
    assert_eq!(
        got.len(),
        3,
        "pushed once after the takeover: {:?}",
        titles(&got)
    );
    assert!(String::from_utf8_lossy(&got[2].body).contains("Third note"));
    println!(
        "push after the takeover: {:?} from the drop",
        got[2].at.duration_since(dropped)
    );
}
